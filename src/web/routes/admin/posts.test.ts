import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestKumbaya, type Agent, type TestKumbaya } from '../../../../test/helpers/test-kumbaya.ts';

let k: TestKumbaya;
let owner: Agent;

before(async () => {
  k = await startTestKumbaya({ demo: true });
  owner = await k.signIn('owner');
});
after(() => k.cleanup());

const base = { title: '', markdown: '', slug: '', excerpt: '', tags: '', visibility: 'public', coverImage: '', publishedAt: '' };

/** Sends the editor form; returns the response and the post id from the redirect. */
async function submit(agent: Agent, path: string, fields: Partial<typeof base> & { action: string; type?: string }) {
  const res = await agent.form(path, { ...base, type: 'post', ...fields });
  const id = Number(/\/admin\/posts\/(\d+)/.exec(res.headers.get('location') ?? '')?.[1]);
  return { res, id };
}

async function publicStatus(path: string): Promise<number> {
  return (await k.request(path)).status;
}

async function home(): Promise<string> {
  return (await k.request('/')).text();
}

describe('writing and publishing', () => {
  it('keeps a draft off the site, then publishes it to the home page', async () => {
    await home(); // fill the page cache, so publishing must clear it
    const { res, id } = await submit(owner, '/admin/posts', { title: 'Quiet lanterns', markdown: 'Hello **there**.', slug: 'quiet-lanterns', action: 'save' });
    assert.equal(res.status, 303);
    assert.ok(id > 0);
    assert.match(res.headers.get('location')!, /notice=created/);
    assert.doesNotMatch(await home(), /Quiet lanterns/);
    assert.equal(await publicStatus('/quiet-lanterns'), 404);

    const published = await submit(owner, `/admin/posts/${id}`, { title: 'Quiet lanterns', markdown: 'Hello **there**.', slug: 'quiet-lanterns', action: 'publish' });
    assert.equal(published.res.status, 303);
    assert.match(published.res.headers.get('location')!, /notice=published/);
    assert.match(await home(), /Quiet lanterns/);
    const page = await k.request('/quiet-lanterns');
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Hello <strong>there<\/strong>/);
    assert.equal((await k.deps.store.posts.findById(id))!.status, 'published');
  });

  it('publishes straight from a new post', async () => {
    const { id } = await submit(owner, '/admin/posts', { title: 'Straight out', markdown: 'Now.', action: 'publish' });
    const post = await k.deps.store.posts.findById(id);
    assert.equal(post!.status, 'published');
    assert.equal(post!.slug, 'straight-out');
    assert.equal(await publicStatus('/straight-out'), 200);
  });

  it('schedules a post with a future date and keeps it private until then', async () => {
    const future = new Date(k.deps.clock.now() + 3 * 24 * 3600 * 1000).toISOString().slice(0, 16);
    const { res, id } = await submit(owner, '/admin/posts', { title: 'Tomorrow’s news', slug: 'tomorrows-news', markdown: 'Soon.', publishedAt: future, action: 'publish' });
    assert.match(res.headers.get('location')!, /notice=scheduled/);
    const post = await k.deps.store.posts.findById(id);
    assert.equal(post!.status, 'scheduled');
    assert.equal(post!.publishedAt, Date.parse(`${future}Z`));
    assert.equal(await publicStatus('/tomorrows-news'), 404);
    assert.doesNotMatch(await home(), /Tomorrow’s news/);
    // The editor says so, and offers "Schedule" rather than "Publish".
    const editor = await (await owner.request(`/admin/posts/${id}`)).text();
    assert.match(editor, /status-scheduled/);
    assert.match(editor, />Schedule<\/button>/);
    // Saving it again as shown keeps it scheduled at the same time.
    await submit(owner, `/admin/posts/${id}`, { title: 'Tomorrow’s news', slug: 'tomorrows-news', markdown: 'Soon!', publishedAt: future, action: 'publish' });
    assert.equal((await k.deps.store.posts.findById(id))!.status, 'scheduled');
  });

  it('keeps the old address redirecting after the slug changes', async () => {
    const { id } = await submit(owner, '/admin/posts', { title: 'Moving house', slug: 'moving-house', markdown: 'Boxes.', action: 'publish' });
    assert.equal(await publicStatus('/moving-house'), 200);
    const { res } = await submit(owner, `/admin/posts/${id}`, { title: 'Moving house', slug: 'new-house', markdown: 'Boxes.', action: 'save' });
    assert.equal(res.status, 303);
    const old = await k.request('/moving-house');
    assert.equal(old.status, 301);
    assert.equal(old.headers.get('location'), '/new-house');
    assert.equal(await publicStatus('/new-house'), 200);
  });

  it('answers 422 with the input kept and the problem next to its field', async () => {
    const { res } = await submit(owner, '/admin/posts', { title: '', markdown: 'My <precious> words', slug: 'Bad Slug!', tags: 'keep, these', action: 'publish' });
    assert.equal(res.status, 422);
    const page = await res.text();
    assert.match(page, /My &lt;precious&gt; words<\/textarea>/);
    assert.match(page, /value="Bad Slug!"/);
    assert.match(page, /value="keep, these"/);
    assert.match(page, /id="f-title-error">Give it a title\./);
    assert.match(page, /id="f-slug-error">Use lower-case letters/);
    assert.match(page, /aria-invalid="true"/);
    assert.equal((await k.deps.store.posts.listAdmin({ text: 'precious', limit: 5, offset: 0 })).total, 0);
  });

  it('rejects a publish date that is not a date, keeping the rest', async () => {
    const { res } = await submit(owner, '/admin/posts', { title: 'Dated', markdown: 'x', publishedAt: 'next tuesday', action: 'save' });
    assert.equal(res.status, 422);
    const page = await res.text();
    assert.match(page, /id="f-publishedAt-error"/);
    assert.match(page, /value="Dated"/);
  });

  it('lets a draft’s date be set and cleared again', async () => {
    const { id } = await submit(owner, '/admin/posts', { title: 'Backdated', markdown: 'x', publishedAt: '2015-06-01T08:00', action: 'save' });
    assert.equal((await k.deps.store.posts.findById(id))!.publishedAt, Date.UTC(2015, 5, 1, 8, 0));
    assert.match(await (await owner.request(`/admin/posts/${id}`)).text(), /value="2015-06-01T08:00"/);
    await submit(owner, `/admin/posts/${id}`, { title: 'Backdated', markdown: 'x', publishedAt: '', action: 'save' });
    assert.equal((await k.deps.store.posts.findById(id))!.publishedAt, null);
  });

  it('backdates a post when published with a past date', async () => {
    const { id } = await submit(owner, '/admin/posts', { title: 'From the archive', slug: 'from-the-archive', markdown: 'x', publishedAt: '2012-03-04T05:06', action: 'publish' });
    const post = (await k.deps.store.posts.findById(id))!;
    assert.equal(post.status, 'published');
    assert.equal(post.publishedAt, Date.UTC(2012, 2, 4, 5, 6));
    assert.match(await (await k.request('/from-the-archive')).text(), /March 4, 2012/);
  });

  it('unpublishes a live post', async () => {
    const { id } = await submit(owner, '/admin/posts', { title: 'Brief moment', slug: 'brief-moment', markdown: 'x', action: 'publish' });
    assert.equal(await publicStatus('/brief-moment'), 200);
    const { res } = await submit(owner, `/admin/posts/${id}`, { title: 'Brief moment', slug: 'brief-moment', markdown: 'x', action: 'unpublish' });
    assert.match(res.headers.get('location')!, /notice=unpublished/);
    assert.equal(await publicStatus('/brief-moment'), 404);
  });

  it('previews without saving when the Preview button is used (no JavaScript)', async () => {
    const { id } = await submit(owner, '/admin/posts', { title: 'Previewed', markdown: 'Before.', action: 'save' });
    const res = await owner.form(`/admin/posts/${id}`, { ...base, title: 'Previewed', markdown: '# After\n\n<script>alert(1)</script>', action: 'preview' });
    assert.equal(res.status, 200);
    const page = await res.text();
    assert.match(page, /<h1[^>]*>After<\/h1>/);
    assert.doesNotMatch(page, /<script>alert/);
    assert.equal((await k.deps.store.posts.findById(id))!.markdown, 'Before.');
  });

  it('renders the live preview as sanitised JSON for the editor script', async () => {
    const res = await owner.request('/admin/preview', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': owner.csrf },
      body: JSON.stringify({ markdown: '*hi* <img src=x onerror=alert(1)>' }),
    });
    assert.equal(res.status, 200);
    const { html } = (await res.json()) as { html: string };
    assert.match(html, /<em>hi<\/em>/);
    assert.doesNotMatch(html, /onerror/);
  });

  it('creates pages in the pages list, not the posts list', async () => {
    const { id } = await submit(owner, '/admin/posts', { type: 'page', title: 'Colophon', markdown: 'Made with care.', action: 'publish' });
    assert.equal((await k.deps.store.posts.findById(id))!.type, 'page');
    assert.match(await (await owner.request('/admin/pages')).text(), /Colophon/);
    assert.doesNotMatch(await (await owner.request('/admin/posts')).text(), /Colophon/);
    // Saving from the editor keeps it a page.
    await submit(owner, `/admin/posts/${id}`, { title: 'Colophon', markdown: 'Made with more care.', action: 'save' });
    assert.equal((await k.deps.store.posts.findById(id))!.type, 'page');
  });
});

describe('the post list', () => {
  it('filters by status, tag and title, and pages by 20', async () => {
    for (let i = 1; i <= 22; i++) await submit(owner, '/admin/posts', { title: `Batch item ${i}`, markdown: 'x', tags: i % 2 ? 'Odd' : 'Even', action: 'save' });
    const first = await (await owner.request('/admin/posts?q=batch+item')).text();
    assert.match(first, /22 matches/);
    assert.equal((first.match(/">Batch item \d+<\/a>/g) ?? []).length, 20);
    assert.match(first, /Page 1 of 2/);
    const second = await (await owner.request('/admin/posts?q=batch+item&page=2')).text();
    assert.equal((second.match(/">Batch item \d+<\/a>/g) ?? []).length, 2);
    const odd = await (await owner.request('/admin/posts?q=batch&tag=odd')).text();
    assert.match(odd, /11 matches/);
    const published = await (await owner.request('/admin/posts?status=published&q=batch')).text();
    assert.match(published, /No posts match these filters/);
  });

  it('shows the welcome notice after the site is claimed', async () => {
    const page = await (await owner.request('/admin?welcome=1')).text();
    assert.match(page, /Your site is claimed\. Write your first post, or edit the demo post\./);
    assert.match(page, /href="\/admin\/posts\/new\?type=post"/);
  });
});

describe('trash', () => {
  it('hides a trashed post, lists it in the trash, and restores it', async () => {
    const { id } = await submit(owner, '/admin/posts', { title: 'Second thoughts', slug: 'second-thoughts', markdown: 'x', action: 'publish' });
    assert.equal(await publicStatus('/second-thoughts'), 200);
    const { res } = await submit(owner, `/admin/posts/${id}`, { title: 'Second thoughts', action: 'trash' });
    assert.equal(res.status, 303);
    assert.match(res.headers.get('location')!, /notice=trashed&id=\d+/);
    assert.equal(await publicStatus('/second-thoughts'), 410, 'Gone (sites that mentioned it learn it was deleted)');
    assert.match(await (await owner.request('/admin/trash')).text(), /Second thoughts/);
    assert.doesNotMatch(await (await owner.request('/admin/posts')).text(), /Second thoughts/);

    const restored = await owner.form(`/admin/posts/${id}/restore`, {});
    assert.equal(restored.status, 303);
    assert.equal(await publicStatus('/second-thoughts'), 200);
    assert.doesNotMatch(await (await owner.request('/admin/trash')).text(), /Second thoughts/);
  });

  it('asks before deleting forever, then purges', async () => {
    const { id } = await submit(owner, '/admin/posts', { title: 'Gone for good', markdown: 'x', action: 'save' });
    await submit(owner, `/admin/posts/${id}`, { action: 'trash' });
    const ask = await owner.form(`/admin/posts/${id}/purge`, {});
    assert.equal(ask.status, 200);
    assert.match(await ask.text(), /Delete “Gone for good” forever\?[\s\S]*name="confirm" value="yes"/);
    assert.ok(await k.deps.store.posts.findById(id), 'nothing is deleted before confirming');
    const done = await owner.form(`/admin/posts/${id}/purge`, { confirm: 'yes' });
    assert.equal(done.status, 303);
    assert.equal(await k.deps.store.posts.findById(id), null);
  });

  it('will not purge a post that is not in the trash', async () => {
    const { id } = await submit(owner, '/admin/posts', { title: 'Still here', markdown: 'x', action: 'save' });
    const res = await owner.form(`/admin/posts/${id}/purge`, { confirm: 'yes' });
    assert.equal(res.status, 409);
    assert.ok(await k.deps.store.posts.findById(id));
  });
});

describe('who may write', () => {
  it('stops an author from editing another author’s post', async () => {
    const author = await k.signIn('author');
    const demo = (await k.deps.store.posts.findBySlug('you-cant-fail-in-social-media'))!;
    assert.notEqual(demo.authorId, author.user!.id);
    const view = await author.request(`/admin/posts/${demo.id}`);
    assert.equal(view.status, 403);
    const change = await submit(author, `/admin/posts/${demo.id}`, { title: 'Hijacked', markdown: 'x', action: 'save' });
    assert.equal(change.res.status, 403);
    const trash = await submit(author, `/admin/posts/${demo.id}`, { action: 'trash' });
    assert.equal(trash.res.status, 403);
    assert.equal((await k.deps.store.posts.findById(demo.id))!.title, demo.title);
    assert.equal((await k.deps.store.posts.findById(demo.id))!.deletedAt, null);
  });

  it('lets an author write and publish their own post', async () => {
    const author = await k.signIn('author');
    const { id } = await submit(author, '/admin/posts', { title: 'Author’s own', slug: 'authors-own', markdown: 'x', action: 'publish' });
    assert.equal((await k.deps.store.posts.findById(id))!.authorId, author.user!.id);
    assert.equal(await publicStatus('/authors-own'), 200);
  });

  it('explains to a moderator that writing is not theirs, and refuses', async () => {
    const moderator = await k.signIn('moderator');
    const list = await moderator.request('/admin/posts');
    assert.equal(list.status, 200);
    const text = await list.text();
    assert.match(text, /As a moderator you look after the conversation/);
    assert.doesNotMatch(text, /New post/);
    assert.equal((await moderator.request('/admin/posts/new')).status, 403);
    const before = (await k.deps.store.posts.listAdmin({ limit: 1, offset: 0 })).total;
    const { res } = await submit(moderator, '/admin/posts', { title: 'Moderator post', markdown: 'x', action: 'save' });
    assert.equal(res.status, 403);
    assert.equal((await k.deps.store.posts.listAdmin({ limit: 1, offset: 0 })).total, before);
  });
});
