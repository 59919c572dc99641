import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestKumbaya, type Agent, type TestKumbaya } from '../../../../test/helpers/test-kumbaya.ts';

let k: TestKumbaya;
let owner: Agent;

before(async () => {
  k = await startTestKumbaya();
  owner = await k.signIn('owner');
});
after(() => k.cleanup());

const base = { title: '', markdown: '', slug: '', excerpt: '', tags: '', visibility: 'public', coverImage: '', publishedAt: '', type: 'post' };

async function createPost(agent: Agent, fields: Partial<typeof base> & { action?: string }): Promise<number> {
  const res = await agent.form('/admin/posts', { ...base, action: 'save', ...fields });
  assert.equal(res.status, 303);
  return Number(/\/admin\/posts\/(\d+)/.exec(res.headers.get('location')!)![1]);
}

/** The editor's autosave request: JSON with the session's token in the header. */
function autosave(agent: Agent, path: string, body: unknown, token = agent.csrf) {
  return agent.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': token },
    body: JSON.stringify(body),
  });
}

/** Ends the agent's session on the server, as expiry or signing out elsewhere does; the browser keeps its cookie. */
async function endSession(agent: Agent): Promise<void> {
  await k.deps.auth.logout(agent.cookies.get('kb_session')!);
}

describe('autosave', () => {
  it('keeps one autosave per author beside the post, changes nothing public, and an explicit save supersedes it', async () => {
    const id = await createPost(owner, { title: 'Lanterns', markdown: 'First words.', action: 'publish' });
    const first = await autosave(owner, `/admin/posts/${id}/autosave`, { title: 'Lanterns', markdown: 'First words. More' });
    assert.equal(first.status, 200);
    const second = await autosave(owner, `/admin/posts/${id}/autosave`, { title: 'Lanterns!', markdown: 'First words. More words.' });
    const { savedAt } = (await second.json()) as { savedAt: number };
    assert.ok(savedAt > 0);
    const kept = await k.deps.store.revisions.findAutosave(id, owner.user!.id);
    assert.deepEqual([kept?.title, kept?.markdown, kept?.createdAt], ['Lanterns!', 'First words. More words.', savedAt]);
    assert.equal((await k.deps.store.posts.findById(id))!.markdown, 'First words.', 'the live post is unchanged');
    assert.equal(await k.deps.store.archive.count('postRevisions'), 2, 'one revision (the publish) and one autosave');

    // Opening the editor offers the newer autosave, and loads it on request.
    const editor = await (await owner.request(`/admin/posts/${id}`)).text();
    assert.match(editor, /You have an autosave from .*, newer than the saved version/);
    const loaded = await (await owner.request(`/admin/posts/${id}?autosave=load`)).text();
    assert.match(loaded, /First words\. More words\.<\/textarea>/);

    await owner.form(`/admin/posts/${id}`, { ...base, title: 'Lanterns!', markdown: 'First words. More words.', action: 'save' });
    assert.equal(await k.deps.store.revisions.findAutosave(id, owner.user!.id), null);
    assert.doesNotMatch(await (await owner.request(`/admin/posts/${id}`)).text(), /You have an autosave/);
  });

  it('creates a draft from a new post’s first autosave, so its first words are on the server', async () => {
    const res = await autosave(owner, '/admin/posts/autosave', { type: 'post', title: '', markdown: 'Words before a title.' });
    assert.equal(res.status, 201);
    const answer = (await res.json()) as { id: number; editUrl: string; autosaveUrl: string };
    assert.equal(answer.editUrl, `/admin/posts/${answer.id}`);
    const post = await k.deps.store.posts.findById(answer.id);
    assert.deepEqual([post?.status, post?.title, post?.markdown, post?.authorId], ['draft', 'Untitled', 'Words before a title.', owner.user!.id]);
    assert.equal((await autosave(owner, answer.autosaveUrl, { title: 'Named', markdown: 'Words before a title, and after.' })).status, 200);
  });

  it('refuses an autosave without the session’s token (403 csrf_failed) and saves nothing', async () => {
    const id = await createPost(owner, { title: 'Guarded', markdown: 'Text.' });
    const res = await autosave(owner, `/admin/posts/${id}/autosave`, { title: 'Forged', markdown: 'Forged' }, 'not-the-token');
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'csrf_failed');
    assert.equal(await k.deps.store.revisions.findAutosave(id, owner.user!.id), null);
  });

  it('answers 401 "unauthenticated" as JSON once the session has ended, so the editor keeps the text', async () => {
    const author = await k.signIn('author');
    const id = await createPost(author, { title: 'Mine', markdown: 'Text.' });
    await endSession(author);
    const res = await autosave(author, `/admin/posts/${id}/autosave`, { title: 'Mine', markdown: 'Text. And more.' });
    assert.equal(res.status, 401);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'unauthenticated');
    assert.match(body.error.message, /session has ended/);
    // The editor then asks for the session's token; signed out, that is a redirect to sign in.
    assert.equal((await author.request('/admin/session', { headers: { accept: 'application/json' } })).status, 303);
  });

  it('gives a page that signed in again elsewhere the new session’s token', async () => {
    const res = await owner.request('/admin/session', { headers: { accept: 'application/json' } });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { csrfToken: string }).csrfToken, owner.csrf);
  });
});

describe('a plain form sent after the session ended', () => {
  it('answers with the text kept in a form that signs in and saves it', async () => {
    const author = await k.signIn('author');
    const id = await createPost(author, { title: 'Before', markdown: 'Old text.' });
    await endSession(author);
    const text = 'New text <b>with</b> "quotes" & a long\nsecond line.';
    const res = await author.form(`/admin/posts/${id}`, { ...base, title: 'After', markdown: text, tags: 'Night, Walks', action: 'save' });
    assert.equal(res.status, 401);
    const page = await res.text();
    assert.match(page, /Sign in to save your text/);
    assert.ok(page.includes('New text &lt;b&gt;with&lt;/b&gt; &quot;quotes&quot; &amp; a long\nsecond line.</textarea>'), 'the text, escaped, in the form');
    assert.match(page, /name="tags" value="Night, Walks"/);
    assert.equal((await k.deps.store.posts.findById(id))!.markdown, 'Old text.');

    // Sending that form with the password signs in and saves the text as it was sent.
    const form = new URLSearchParams();
    for (const [, name, value] of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.append(name, value.replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
    form.set('email', author.user!.email);
    form.set('password', 'correct horse battery');
    form.set('title', 'After');
    form.set('markdown', text);
    const saved = await author.request('/login/resume', { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(saved.status, 303);
    assert.equal(saved.headers.get('location'), `/admin/posts/${id}?notice=saved`);
    const post = await k.deps.store.posts.findById(id);
    assert.deepEqual([post?.title, post?.markdown, post?.tags.map((t) => t.name)], ['After', text, ['Night', 'Walks']]);
    assert.ok(author.cookies.get('kb_session'), 'signed in again');
  });

  it('keeps the text when the password is wrong, and asks again', async () => {
    const author = await k.signIn('author');
    await endSession(author);
    const res = await author.form('/admin/posts', { ...base, title: 'Brand new', markdown: 'Unsaved words.', action: 'save' });
    assert.equal(res.status, 401);
    const token = /name="_csrf" value="([^"]+)"/.exec(await res.text())![1];
    const again = await author.request('/login/resume', {
      method: 'POST',
      body: new URLSearchParams({ _csrf: token, _target: '/admin/posts', email: author.user!.email, password: 'wrong', title: 'Brand new', markdown: 'Unsaved words.', action: 'save', type: 'post' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(again.status, 401);
    assert.match(await again.text(), /Unsaved words\.<\/textarea>/);
  });

  it('offers to save again with a fresh token when the form came from an older session', async () => {
    const id = await createPost(owner, { title: 'Stale', markdown: 'Old.' });
    const res = await owner.form(`/admin/posts/${id}`, { ...base, title: 'Stale', markdown: 'Written in an old tab.', action: 'save', _csrf: 'token-of-an-older-session' });
    assert.equal(res.status, 403);
    const page = await res.text();
    assert.match(page, /Save your text again/);
    assert.match(page, /Written in an old tab\.<\/textarea>/);
    assert.ok(page.includes(`name="_csrf" value="${owner.csrf}"`));
    assert.match(page, /<button type="submit" name="action" value="save">Save<\/button>/);
    assert.doesNotMatch(page, /type="hidden" name="action"/, 'the button sends the action, once');
    assert.equal((await k.deps.store.posts.findById(id))!.markdown, 'Old.', 'nothing saved until the author sends it again');
  });
});

describe('revision history', () => {
  it('records a revision on every save that changes the text, lists them with author and size, compares and restores', async () => {
    const id = await createPost(owner, { title: 'Rivers', markdown: 'The river is wide.\n\nIt runs to the sea.', action: 'publish' });
    await owner.form(`/admin/posts/${id}`, { ...base, title: 'Rivers', markdown: 'The river is wide.\n\nIt runs to the sea.', action: 'save' });
    await owner.form(`/admin/posts/${id}`, { ...base, title: 'Rivers <& seas>', markdown: 'The river is narrow.\n\nIt runs to the <script>sea</script>.', action: 'save' });
    const revisions = await k.deps.store.revisions.listForPost(id);
    assert.equal(revisions.length, 2, 'the save without changes added none');

    const list = await (await owner.request(`/admin/posts/${id}/revisions`)).text();
    assert.match(list, /History of “Rivers &lt;&amp; seas&gt;”/);
    assert.equal([...list.matchAll(/<td data-label="By">Owner \d+<\/td>/g)].length, 2);
    assert.match(list, /<td data-label="Size">58 characters<\/td>/);
    assert.match(list, /<td data-label="Size">39 characters<\/td>/);

    const compare = await (await owner.request(`/admin/posts/${id}/revisions/compare?from=${revisions[1].id}&to=${revisions[0].id}`)).text();
    assert.match(compare, /<del>wide<\/del><ins>narrow<\/ins>/);
    assert.ok(compare.includes('&lt;script&gt;'), 'escaped');
    assert.ok(!compare.includes('<script>sea'), 'never raw');

    const restored = await owner.form(`/admin/posts/${id}/revisions/restore`, { revision: String(revisions[1].id) });
    assert.equal(restored.status, 303);
    const post = await k.deps.store.posts.findById(id);
    assert.deepEqual([post?.title, post?.markdown, post?.status], ['Rivers', 'The river is wide.\n\nIt runs to the sea.', 'published']);
    const after = await k.deps.store.revisions.listForPost(id);
    assert.equal(after.length, 3, 'restoring is a new revision; the newer one stays');
    assert.equal(after[0].title, 'Rivers');
    assert.match(await (await k.request(`/${post!.slug}`)).text(), /The river is wide/);
  });

  it('keeps a draft a draft when restoring, and refuses a revision of another post', async () => {
    const a = await createPost(owner, { title: 'Draft one', markdown: 'A1' });
    await owner.form(`/admin/posts/${a}`, { ...base, title: 'Draft one', markdown: 'A2', action: 'save' });
    const b = await createPost(owner, { title: 'Draft two', markdown: 'B1' });
    const [, firstOfA] = await k.deps.store.revisions.listForPost(a);
    await owner.form(`/admin/posts/${a}/revisions/restore`, { revision: String(firstOfA.id) });
    assert.deepEqual([(await k.deps.store.posts.findById(a))?.markdown, (await k.deps.store.posts.findById(a))?.status], ['A1', 'draft']);
    const wrong = await owner.form(`/admin/posts/${b}/revisions/restore`, { revision: String(firstOfA.id) });
    assert.equal(wrong.status, 404);
    assert.equal((await k.deps.store.posts.findById(b))?.markdown, 'B1');
  });

  it('lets only those who may edit the post see its history', async () => {
    const id = await createPost(owner, { title: 'Owner only', markdown: 'Text' });
    const other = await k.signIn('author');
    assert.equal((await other.request(`/admin/posts/${id}/revisions`)).status, 403);
    assert.equal((await other.form(`/admin/posts/${id}/revisions/restore`, { revision: '1' })).status, 403);
    assert.equal((await autosave(other, `/admin/posts/${id}/autosave`, { title: 'x', markdown: 'y' })).status, 403);
  });
});
