import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SubmitContext } from '../../../core/comment-service.ts';
import { DomainError } from '../../../core/errors.ts';
import type { Comment, Post, User } from '../../../core/store.ts';
import { startTestKumbaya, type Agent, type TestKumbaya } from '../../../../test/helpers/test-kumbaya.ts';

let k: TestKumbaya;
let owner: Agent;
let post: Post;
let readers = 0;

before(async () => {
  k = await startTestKumbaya();
  owner = await k.signIn('owner');
  post = await publishedPost(owner.user!, 'Porch evenings', 'porch-evenings');
});
after(() => k.cleanup());

async function publishedPost(user: User, title: string, slug: string, extra: Record<string, unknown> = {}): Promise<Post> {
  const created = await k.deps.posts.create(user, { title, slug, markdown: `About ${title}.`, ...extra });
  return (await k.deps.posts.publish(user, created.id)).post;
}

/** A signed form token as the post page hands out, issued long enough ago to pass the time check. */
const formToken = (on: Post) => k.deps.spam.issueFormToken(on.id, k.deps.clock.now() - 60_000);

/** A reader's first comment (held by the default policy), from an address of its own. */
async function readerComment(on: Post, body: string, fields: Record<string, unknown> = {}): Promise<Comment> {
  readers++;
  const ctx: SubmitContext = { ip: `198.51.100.${readers}`, userAgent: 'test', referrer: '', user: null };
  const input = { postId: on.id, name: `Reader ${readers}`, email: `reader${readers}@example.com`, body, formToken: formToken(on), ...fields };
  return (await k.deps.comments.submit(input, ctx, `http://localhost:3000/${on.slug}`)).comment;
}

async function page(agent: Agent, path: string): Promise<string> {
  const res = await agent.request(path);
  assert.equal(res.status, 200, path);
  return res.text();
}

/** The inbox's row for a comment (from its <li> to the next one). */
function rowOf(html: string, id: number): string {
  const start = html.indexOf(`id="comment-row-${id}"`);
  assert.ok(start >= 0, `comment ${id} is listed`);
  const end = html.indexOf('<li class="mod-item', start + 1);
  return html.slice(start, end === -1 ? undefined : end);
}

const json = { accept: 'application/json' };

describe('moderation inbox', () => {
  it('lists a held comment under Pending, saying why it was held, with the count in the top bar', async () => {
    const held = await readerComment(post, 'Lovely post. See https://one.example and https://two.example and https://three.example');
    assert.equal(held.status, 'pending');
    const html = await page(owner, '/admin/comments');
    const row = rowOf(html, held.id);
    assert.match(row, /Held for review:<\/span> 3 links · first comment from this person</);
    assert.match(row, new RegExp(`href="mailto:${held.authorEmail}"`));
    assert.match(row, /IP 198\.51\.100\.\d+/);
    assert.match(row, /href="\/porch-evenings">Porch evenings<\/a>/);
    assert.match(row, /<button type="submit" name="action" value="approve"/);
    assert.match(html, /<a href="\/admin\/comments" aria-current="page">Pending <span class="tab-count" data-count="pending">\d+<\/span><\/a>/);
    assert.match(html, /href="\/admin\/comments"[^>]*>Comments <span class="nav-count" data-nav-count="pending"><span data-n>[1-9]/);
    assert.match(html, /<script src="\/assets\/moderation\.[0-9a-f]{12}\.js" defer><\/script>/);
    for (const path of ['/admin/comments', '/admin/waiting', '/admin/comments/settings']) {
      assert.doesNotMatch(await page(owner, path), /\sstyle=|\son[a-z]+=|<script>/i, `${path}: no inline style, handler or script`);
    }
  });

  it('publishes a comment on the post page once it is approved, and redirects back with Undo', async () => {
    const held = await readerComment(post, 'A first visit: the lanterns were *lovely*.');
    assert.doesNotMatch(await (await k.request('/porch-evenings')).text(), /the lanterns were/);
    const res = await owner.form('/admin/comments/moderate', { ids: String(held.id), action: 'approve', back: '/admin/comments', from: 'pending' });
    assert.equal(res.status, 303);
    const location = res.headers.get('location')!;
    assert.match(location, /^\/admin\/comments\?done=approve&n=1&ids=\d+&from=pending$/);
    const notice = await page(owner, location);
    assert.match(notice, /1 comment approved\./);
    assert.match(notice, /<button type="submit" name="action" value="unapprove" class="link-button">Undo<span class="visually-hidden">: put the comment back in Pending<\/span><\/button>/);
    assert.equal((await k.deps.store.comments.findById(held.id))!.status, 'approved');
    // The reasons it was held are history now, not a live reason beside an approved comment.
    const row = rowOf(await page(owner, '/admin/comments?status=approved'), held.id);
    assert.match(row, /<span class="mod-why-label">Held when it arrived, approved since:<\/span> first comment from this person/);
    assert.doesNotMatch(row, /Held for review|Noted:/);
    const article = await (await k.request('/porch-evenings')).text();
    assert.match(article, new RegExp(`id="comment-${held.id}"`));
    assert.match(article, /the lanterns were <em>lovely<\/em>/);
  });

  it('sends several comments to spam at once, then restores them', async () => {
    const a = await readerComment(post, 'I wonder what the weather was like.');
    const b = await readerComment(post, 'Thanks for writing this down.');
    assert.deepEqual([a.status, b.status], ['pending', 'pending']);
    const res = await owner.form('/admin/comments/moderate', { ids: [String(a.id), String(b.id)], action: 'spam', back: '/admin/comments?q=e', from: 'pending' });
    assert.equal(res.status, 303);
    assert.match(res.headers.get('location')!, /^\/admin\/comments\?q=e&done=spam&n=2&/);
    for (const id of [a.id, b.id]) assert.equal((await k.deps.store.comments.findById(id))!.status, 'spam');
    const spam = await page(owner, '/admin/comments?status=spam');
    assert.match(rowOf(spam, a.id), /Marked as spam:/);
    assert.match(spam, /value="restore"[^>]*>Restore selected</);

    const restored = await owner.form('/admin/comments/moderate', { ids: [String(a.id), String(b.id)], action: 'restore', back: '/admin/comments?status=spam', from: 'spam' });
    assert.match(restored.headers.get('location')!, /^\/admin\/comments\?status=spam&done=restore&n=2/);
    for (const id of [a.id, b.id]) assert.equal((await k.deps.store.comments.findById(id))!.status, 'approved');
  });

  it('says when trashed comments are purged, and a bulk action with nothing ticked changes nothing', async () => {
    const c = await readerComment(post, 'Please remove this.');
    await owner.form('/admin/comments/moderate', { ids: String(c.id), action: 'trash', back: '/admin/comments' });
    const trash = await page(owner, '/admin/comments?status=trash');
    assert.match(trash, /Trashed comments are deleted for good 30 days after they were trashed/);
    assert.match(rowOf(trash, c.id), /Deleted for good on <time/);
    const none = await owner.form('/admin/comments/moderate', { action: 'approve', back: '/admin/comments' });
    assert.equal(none.status, 303);
    assert.match(await page(owner, none.headers.get('location')!), /nothing changed/);
  });

  it('answers fetch requests with JSON: the row re-rendered, the notice and the counts', async () => {
    const c = await readerComment(post, 'Asking by script.');
    const res = await owner.request('/admin/comments/moderate', {
      method: 'POST',
      headers: { ...json, 'x-csrf-token': owner.csrf, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ids: String(c.id), action: 'approve', back: '/admin/comments', from: 'pending' }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { message: string; rows: Array<{ id: number; status: string; html: string }>; counts: { tabs: Record<string, number>; nav: Record<string, number> } };
    assert.equal(body.message, '1 comment approved.');
    assert.equal(body.rows[0].id, c.id);
    assert.equal(body.rows[0].status, 'approved');
    assert.match(body.rows[0].html, /data-moved/);
    assert.match(body.rows[0].html, /value="unapprove"[^>]*>Undo/);
    assert.equal(body.counts.tabs.pending, body.counts.nav.pending);
    assert.equal(typeof body.counts.nav.waiting, 'number');
  });

  it('filters by post and searches the text', async () => {
    const other = await publishedPost(owner.user!, 'Garden notes', 'garden-notes');
    const c = await readerComment(other, 'Tomatoes everywhere this summer.');
    const filtered = await page(owner, `/admin/comments?post=${other.id}`);
    assert.match(filtered, new RegExp(`comment-row-${c.id}`));
    assert.doesNotMatch(filtered, /Porch evenings<\/a><\/span>/);
    const found = await page(owner, '/admin/comments?q=tomatoes');
    assert.match(found, new RegExp(`comment-row-${c.id}`));
    assert.match(found, /1 match/);
    assert.match(await page(owner, '/admin/comments?q=nothing-like-this'), /No comments match these filters\./);
  });
});

describe('who may moderate', () => {
  it('keeps an author to the comments on their own posts (403 on another author’s)', async () => {
    const author = await k.signIn('author');
    const theirs = await publishedPost(author.user!, 'Author’s own', 'authors-own');
    const onTheirs = await readerComment(theirs, 'Nice one, author.');
    const onOwners = await readerComment(post, 'Only the owner should see this.');

    const inbox = await page(author, '/admin/comments');
    assert.match(inbox, new RegExp(`comment-row-${onTheirs.id}`));
    assert.doesNotMatch(inbox, new RegExp(`comment-row-${onOwners.id}`));
    assert.equal((await author.request(`/admin/comments?post=${post.id}`)).status, 403);

    const refused = await author.form('/admin/comments/moderate', { ids: String(onOwners.id), action: 'approve', back: '/admin/comments' });
    assert.equal(refused.status, 403);
    const mixed = await author.form('/admin/comments/moderate', { ids: [String(onTheirs.id), String(onOwners.id)], action: 'trash', back: '/admin/comments' });
    assert.equal(mixed.status, 403);
    assert.equal((await author.form(`/admin/comments/${onOwners.id}/reply`, { body: 'Sneaky.', back: '/admin/comments' })).status, 403);
    assert.equal((await k.deps.store.comments.findById(onOwners.id))!.status, 'pending');
    assert.equal((await k.deps.store.comments.findById(onTheirs.id))!.status, 'pending');

    const allowed = await author.form('/admin/comments/moderate', { ids: String(onTheirs.id), action: 'approve', back: '/admin/comments' });
    assert.equal(allowed.status, 303);
    assert.equal((await k.deps.store.comments.findById(onTheirs.id))!.status, 'approved');
  });

  it('lets a moderator moderate any post', async () => {
    const moderator = await k.signIn('moderator');
    const c = await readerComment(post, 'For the moderator.');
    assert.equal((await moderator.form('/admin/comments/moderate', { ids: String(c.id), action: 'spam', back: '/admin/comments' })).status, 303);
    assert.equal((await k.deps.store.comments.findById(c.id))!.status, 'spam');
  });
});

describe('replying from the inbox', () => {
  it('approves the held comment and publishes an author-marked reply nested under it', async () => {
    const held = await readerComment(post, 'Do you light them every night?');
    const res = await owner.form(`/admin/comments/${held.id}/reply`, { body: 'Every night in *summer*.', back: '/admin/comments' });
    assert.equal(res.status, 303);
    const location = res.headers.get('location')!;
    const replyId = Number(/reply=(\d+)/.exec(location)?.[1]);
    assert.ok(replyId > 0);
    const reply = (await k.deps.store.comments.findById(replyId))!;
    assert.equal(reply.status, 'approved');
    assert.equal(reply.parentId, held.id);
    assert.equal(reply.userId, owner.user!.id);
    assert.equal(reply.depth, 1);
    assert.equal((await k.deps.store.comments.findById(held.id))!.status, 'approved');
    assert.match(await page(owner, location), /Your reply is published\./);
    const article = await (await k.request('/porch-evenings')).text();
    const parentAt = article.indexOf(`id="comment-${held.id}"`);
    const replyAt = article.indexOf(`id="comment-${replyId}"`);
    assert.ok(parentAt > 0 && replyAt > parentAt, 'the reply follows its comment');
    assert.match(article.slice(parentAt, replyAt), /<ol class="replies">/);
    const replyHtml = article.slice(replyAt, replyAt + 1500);
    assert.match(replyHtml, /Every night in <em>summer<\/em>/);
    assert.match(replyHtml, /class="badge"[^>]*>Author</);
  });

  it('answers a fetch with the row, now showing the reply', async () => {
    const c = await readerComment(post, 'Asked from a script.');
    await k.deps.comments.moderate([c.id], 'approve');
    const res = await owner.request(`/admin/comments/${c.id}/reply`, {
      method: 'POST',
      headers: { ...json, 'x-csrf-token': owner.csrf, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ body: 'Answered in place.', back: '/admin/comments?status=approved' }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { message: string; rows: Array<{ id: number; html: string }>; reply: { id: number; url: string } };
    assert.equal(body.message, 'Your reply is published.');
    assert.equal(body.reply.url, `/porch-evenings#comment-${body.reply.id}`);
    assert.match(body.rows[0].html, /You replied[\s\S]*Answered in place\./);
    const empty = await owner.request(`/admin/comments/${c.id}/reply`, {
      method: 'POST',
      headers: { ...json, 'x-csrf-token': owner.csrf, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ body: '  ', back: '/admin/comments' }),
    });
    assert.equal(empty.status, 422);
  });

  it('refuses to answer spam until it is restored', async () => {
    const c = await readerComment(post, 'Spammy question?');
    await k.deps.comments.moderate([c.id], 'spam');
    assert.equal((await owner.form(`/admin/comments/${c.id}/reply`, { body: 'No.', back: '/admin/comments' })).status, 409);
  });
});

describe('editing and moving comments', () => {
  /** A published comment by a signed-in user (the author answering), as the inbox would post it. */
  async function staffReply(user: User, on: Post, parentId: number | null, body: string): Promise<Comment> {
    return (await k.deps.comments.submit({ postId: on.id, parentId, body }, { ip: '127.0.0.1', userAgent: 'test', referrer: '', user }, '')).comment;
  }

  it('fixes the text of the author’s own reply and moves it under the right comment, keeping the earlier version', async () => {
    const edited = await publishedPost(owner.user!, 'Typos and threads', 'typos-and-threads');
    const first = await readerComment(edited, 'First question.');
    const second = await readerComment(edited, 'Second question.');
    await k.deps.comments.moderate([first.id, second.id], 'approve');
    const reply = await staffReply(owner.user!, edited, first.id, 'Answr to the second qestion.');
    const underReply = await staffReply(owner.user!, edited, reply.id, 'And a footnote.');

    const form = await page(owner, `/admin/comments/${reply.id}/edit`);
    assert.match(form, /Answr to the second qestion\./);
    assert.match(form, /Not edited yet/);
    assert.match(form, new RegExp(`<option value="${second.id}">`), 'another comment of the post is offered');
    assert.doesNotMatch(form, new RegExp(`<option value="${underReply.id}"`), 'its own reply is not offered');
    assert.doesNotMatch(form, new RegExp(`<option value="${reply.id}"`), 'nor itself');

    const res = await owner.form(`/admin/comments/${reply.id}/edit`, { body: 'Answer to the second question.', parentId: String(second.id), back: '/admin/comments?status=approved' });
    assert.equal(res.status, 303);
    const saved = await page(owner, res.headers.get('location')!);
    assert.match(saved, /Your changes are saved/);
    assert.match(saved, /Before the edit by <strong>Owner \d+<\/strong> on/);
    assert.match(saved, /Answr to the second qestion\./);
    assert.match(saved, new RegExp(`in reply to ${first.authorName} \\(comment ${first.id}\\)`));

    const moved = (await k.deps.store.comments.findById(reply.id))!;
    assert.deepEqual([moved.parentId, moved.rootId, moved.depth, moved.markdown], [second.id, second.id, 1, 'Answer to the second question.']);
    assert.ok(moved.editedAt);
    const footnote = (await k.deps.store.comments.findById(underReply.id))!;
    assert.deepEqual([footnote.rootId, footnote.depth], [second.id, 2], 'its reply moved with it');

    // On the site: nested under the second question, marked as edited, the old text gone.
    const site = await (await k.request('/typos-and-threads')).text();
    const secondAt = site.indexOf(`id="comment-${second.id}"`);
    const replyAt = site.indexOf(`id="comment-${reply.id}"`);
    assert.ok(secondAt > site.indexOf(`id="comment-${first.id}"`) && replyAt > secondAt, 'the reply now follows the second question');
    const replyArticle = site.slice(replyAt, site.indexOf('</article>', replyAt));
    assert.match(replyArticle, /data-parent-id="\d+"/);
    assert.match(replyArticle, new RegExp(`data-parent-id="${second.id}"`));
    assert.match(replyArticle, /class="edited"/);
    assert.doesNotMatch(site, /qestion/);

    // The inbox marks it as edited and links to its history.
    const inbox = rowOf(await page(owner, '/admin/comments?status=approved'), reply.id);
    assert.match(inbox, /class="edited"/);
    assert.match(inbox, /Edit or move<span class="visually-hidden"> the comment by [^<]+<\/span> · history/);
  });

  it('edits a reader’s comment, and refuses a move under its own reply with a specific message, changing nothing', async () => {
    const on = await publishedPost(owner.user!, 'Refusals', 'refusals');
    const top = await readerComment(on, 'Top.');
    await k.deps.comments.moderate([top.id], 'approve');
    const answer = await staffReply(owner.user!, on, top.id, 'Answer.');
    const res = await owner.form(`/admin/comments/${top.id}/edit`, { body: 'Top, edited.', parentId: String(answer.id) });
    assert.equal(res.status, 422);
    const html = await res.text();
    assert.match(html, /cannot move under one of its own replies/);
    assert.match(html, /Top, edited\./, 'what was typed is kept');
    const unchanged = (await k.deps.store.comments.findById(top.id))!;
    assert.deepEqual([unchanged.markdown, unchanged.parentId, unchanged.editedAt], ['Top.', null, null]);
    assert.deepEqual(await k.deps.store.comments.revisions(top.id), [], 'no history is written for a refused edit');

    const elsewhere = await publishedPost(owner.user!, 'Elsewhere', 'elsewhere');
    const other = await staffReply(owner.user!, elsewhere, null, 'On another post.');
    const cross = await owner.form(`/admin/comments/${answer.id}/edit`, { body: 'Answer.', parentId: String(other.id) });
    assert.equal(cross.status, 422);
    assert.match(await cross.text(), /only move within its own post/);

    const empty = await owner.form(`/admin/comments/${top.id}/edit`, { body: '  ', parentId: '' });
    assert.equal(empty.status, 422);
    assert.match(await empty.text(), /cannot be empty/);

    const ok = await owner.form(`/admin/comments/${top.id}/edit`, { body: 'Top, *edited*.', parentId: '' });
    assert.equal(ok.status, 303);
    const stored = (await k.deps.store.comments.findById(top.id))!;
    assert.equal(stored.html, '<p>Top, <em>edited</em>.</p>');
    assert.deepEqual((await k.deps.store.comments.revisions(top.id)).map((r) => [r.markdown, r.editedBy]), [['Top.', owner.user!.id]]);
  });

  it('lets only those who may moderate the comment edit it', async () => {
    const author = await k.signIn('author');
    const theirs = await publishedPost(author.user!, 'Theirs', 'theirs-to-edit');
    const c = await readerComment(theirs, 'On the author’s post.');
    const mine = await readerComment(post, 'On the owner’s post.');
    assert.equal((await author.request(`/admin/comments/${mine.id}/edit`)).status, 403);
    assert.equal((await author.form(`/admin/comments/${mine.id}/edit`, { body: 'Hijacked', parentId: '' })).status, 403);
    assert.equal((await k.deps.store.comments.findById(mine.id))?.markdown, 'On the owner’s post.');
    assert.equal((await author.form(`/admin/comments/${c.id}/edit`, { body: 'Fixed by the author.', parentId: '' })).status, 303);
    const moderator = await k.signIn('moderator');
    assert.equal((await moderator.form(`/admin/comments/${mine.id}/edit`, { body: 'Fixed by a moderator.', parentId: '' })).status, 303);
    assert.equal((await k.request(`/admin/comments/${mine.id}/edit`)).status, 303, 'signed out: to the sign-in page');
  });

  it('keeps the earlier text of a webmention reply its source changed', async () => {
    const on = await publishedPost(owner.user!, 'Mentioned', 'mentioned');
    const input = { post: on, existing: null, personId: null, name: 'Friend', website: 'https://friend.example/', source: 'https://friend.example/reply' };
    const first = await k.deps.comments.fromWebmention({ ...input, text: 'Nice pst' });
    await k.deps.comments.fromWebmention({ ...input, existing: first, text: 'Nice post' });
    assert.deepEqual((await k.deps.store.comments.revisions(first.id)).map((r) => [r.markdown, r.editorName]), [['Nice pst', 'Friend (sent again by webmention)']]);
    await k.deps.comments.fromWebmention({ ...input, existing: (await k.deps.store.comments.findById(first.id))!, text: 'Nice post' });
    assert.equal((await k.deps.store.comments.revisions(first.id)).length, 1, 'the same text again adds nothing');
  });

  it('keeps the writer’s own edit in the history too, and marks it edited', async () => {
    const on = await publishedPost(owner.user!, 'Own edits', 'own-edits');
    readers++;
    const ctx: SubmitContext = { ip: `198.51.100.${readers}`, userAgent: 'test', referrer: '', user: null };
    const { comment, editSecret } = await k.deps.comments.submit({ postId: on.id, name: 'Writer', email: `writer${readers}@example.com`, body: 'Frist!', formToken: formToken(on) }, ctx, '');
    await k.deps.comments.editOwn(comment.id, editSecret!, 'First!');
    const [revision] = await k.deps.store.comments.revisions(comment.id);
    assert.deepEqual([revision.markdown, revision.editedBy, revision.editorName], ['Frist!', null, 'Writer']);
    assert.ok((await k.deps.store.comments.findById(comment.id))?.editedAt);
    assert.match(await page(owner, `/admin/comments/${comment.id}/edit`), /Before the edit by <strong>Writer<\/strong> \(its writer\)/);
  });
});

describe('confirming spam teaches the filter, once per comment', () => {
  /** A comment the honeypot sent to spam: the filter has not learned it. */
  async function caughtSpam(body: string): Promise<Comment> {
    const comment = await readerComment(post, body, { honeypot: 'filled' });
    assert.equal(comment.status, 'spam');
    assert.equal(comment.learnedAs, null);
    return comment;
  }
  const totals = () => k.deps.store.spamModel.totals();

  it('learns a comment marked spam again that it had not learned, and only once', async () => {
    const comment = await caughtSpam('Cheap followers at follower-farm dot biz, check out my channel');
    const before = await totals();
    const res = await owner.form('/admin/comments/moderate', { action: 'spam', ids: String(comment.id), back: '/admin/comments?status=spam' });
    assert.equal(res.status, 303);
    assert.equal((await k.deps.store.comments.findById(comment.id))?.learnedAs, 'spam');
    assert.deepEqual(await totals(), { spam: before.spam + 1, ham: before.ham });
    await owner.form('/admin/comments/moderate', { action: 'spam', ids: String(comment.id), back: '/admin/comments?status=spam' });
    assert.deepEqual(await totals(), { spam: before.spam + 1, ham: before.ham }, 'not learned twice');
    // Reversed: unlearned as spam, learned as ham.
    await owner.form('/admin/comments/moderate', { action: 'restore', ids: String(comment.id), back: '/admin/comments?status=spam' });
    assert.deepEqual(await totals(), { spam: before.spam, ham: before.ham + 1 });
    assert.equal((await k.deps.store.comments.findById(comment.id))?.learnedAs, 'ham');
  });

  it('asks, then deletes chosen spam for good, learning those not yet learned', async () => {
    const learned = await caughtSpam('Crypto doubling scheme, send 1 BTC get 2 back');
    await k.deps.comments.moderate([learned.id], 'spam');
    const unlearned = await caughtSpam('Call our support line 1-800-555-0199 for refunds');
    const before = await totals();

    const ask = await owner.form('/admin/comments/delete-spam', { ids: [String(learned.id), String(unlearned.id)], back: '/admin/comments?status=spam' });
    assert.equal(ask.status, 200);
    assert.match(await ask.text(), /Delete 2 spam comments for good\?/);
    assert.ok(await k.deps.store.comments.findById(unlearned.id), 'nothing is deleted before the answer');

    const done = await owner.form('/admin/comments/delete-spam', { ids: [String(learned.id), String(unlearned.id)], back: '/admin/comments?status=spam', confirm: 'yes' });
    assert.equal(done.status, 303);
    assert.equal(await k.deps.store.comments.findById(learned.id), null);
    assert.equal(await k.deps.store.comments.findById(unlearned.id), null);
    assert.deepEqual(await totals(), { spam: before.spam + 1, ham: before.ham }, 'only the one not yet learned taught the filter');
    assert.match(await page(owner, done.headers.get('location')!), /2 spam comments deleted for good\. The spam filter learned from each one\./);
  });

  it('refuses to delete comments outside Spam this way', async () => {
    const held = await readerComment(post, 'A held comment, not spam.');
    const done = await owner.form('/admin/comments/delete-spam', { ids: String(held.id), confirm: 'yes' });
    assert.equal(done.status, 303);
    assert.equal((await k.deps.store.comments.findById(held.id))?.status, 'pending');
  });

  it('empties the spam folder, learning each comment once, and keeps spam a kept comment answers', async () => {
    const a = await caughtSpam('Buy backlinks SEO rank first page guaranteed');
    const b = await caughtSpam('Visit my profile for exclusive pictures');
    const answered = await readerComment(post, 'Approved now, spam later.');
    await k.deps.comments.moderate([answered.id], 'approve');
    const reply = await readerComment(post, 'A reply that stays.', { parentId: answered.id });
    await k.deps.comments.moderate([reply.id], 'approve');
    await k.deps.comments.moderate([answered.id], 'spam');
    const before = await totals();
    const spamFolder = (await k.deps.store.comments.listForModeration({ status: 'spam', limit: 1000, offset: 0 })).items;
    const inSpam = spamFolder.length;
    const newToTheFilter = spamFolder.filter((c) => c.learnedAs !== 'spam').length;
    assert.ok(newToTheFilter >= 2);

    const ask = await owner.form('/admin/comments/empty-spam', {});
    assert.match(await ask.text(), /Empty spam\?/);
    const done = await owner.form('/admin/comments/empty-spam', { confirm: 'yes' });
    assert.equal(done.status, 303);
    assert.equal((await k.deps.store.comments.countByStatus()).spam, 1, 'only the answered one stays');
    assert.equal(await k.deps.store.comments.findById(a.id), null);
    assert.equal(await k.deps.store.comments.findById(b.id), null);
    assert.ok(await k.deps.store.comments.findById(answered.id));
    // a and b were new to the filter; `answered` had been learned when it was marked spam.
    assert.deepEqual(await totals(), { spam: before.spam + newToTheFilter, ham: before.ham });
    assert.equal((await k.deps.store.comments.findById(answered.id))?.learnedAs, 'spam');
    assert.match(await page(owner, done.headers.get('location')!), new RegExp(`${inSpam - 1} spam comments deleted for good\\. 1 comment stays in Spam: a published or held comment answers it\\.`));
  });
});

describe('waiting for you', () => {
  it('lists a reader’s unanswered comment with its context, and drops it once answered', async () => {
    const c = await readerComment(post, 'Is anyone reading these?');
    await k.deps.comments.moderate([c.id], 'approve');
    const before = await page(owner, '/admin/waiting');
    assert.match(before, new RegExp(`id="comment-row-${c.id}"`));
    assert.match(before, /Is anyone reading these\?/);
    assert.match(before, new RegExp(`action="/admin/comments/${c.id}/reply"`));
    assert.match(before, /href="\/admin\/waiting"[^>]*>Waiting for you <span class="nav-count" data-nav-count="waiting"><span data-n>[1-9]/);
    const navWaiting = (html: string) => Number(/data-nav-count="waiting"><span data-n>(\d+)/.exec(html)?.[1] ?? 0);

    const res = await owner.form(`/admin/comments/${c.id}/reply`, { body: 'We are!', back: '/admin/waiting' });
    assert.equal(res.status, 303);
    assert.match(res.headers.get('location')!, /^\/admin\/waiting\?done=reply&reply=\d+$/);
    const afterwards = await page(owner, res.headers.get('location')!);
    assert.doesNotMatch(afterwards, new RegExp(`id="comment-row-${c.id}"`));
    assert.match(afterwards, /Your reply is published\./);
    // The admin bar's count (kept between pages) follows at once.
    assert.equal(navWaiting(afterwards), navWaiting(before) - 1);
  });

  it('shows the comment a reader answered', async () => {
    const first = await readerComment(post, 'First thought.');
    await k.deps.comments.moderate([first.id], 'approve');
    const { comment: ours } = await k.deps.comments.submit({ postId: post.id, parentId: first.id, body: 'Our answer.' }, { ip: '127.0.0.1', userAgent: 'test', referrer: '', user: owner.user }, '');
    // The same reader comes back (approved before, so not held).
    const ctx: SubmitContext = { ip: '203.0.113.9', userAgent: 'test', referrer: '', user: null };
    const { comment: again } = await k.deps.comments.submit({ postId: post.id, parentId: ours.id, name: first.authorName, email: first.authorEmail, body: 'Thanks, one more question.', formToken: formToken(post) }, ctx, '');
    assert.equal(again.status, 'approved');
    const html = await page(owner, '/admin/waiting');
    const at = html.indexOf(`id="comment-row-${again.id}"`);
    assert.ok(at > 0);
    assert.match(html.slice(at, at + 2000), /You wrote:[\s\S]*Our answer\.[\s\S]*Thanks, one more question\./);
  });
});

describe('comment settings', () => {
  const valid = {
    open: '1', closeAfterDays: '', holdFirstComment: '1', maxLinks: '2', disallowedWords: 'casino, viagra\nloans', disallowedAction: 'spam',
    editWindowMinutes: '10', minSubmitSeconds: '3', conversationsPerPage: '50', avatars: 'local',
  };

  it('names each bad field (422), keeps what was typed, and saves nothing', async () => {
    const res = await owner.form('/admin/comments/settings', { ...valid, maxLinks: '-1', conversationsPerPage: '2', closeAfterDays: 'soon', disallowedWords: 'keepme' });
    assert.equal(res.status, 422);
    const html = await res.text();
    assert.match(html, /id="f-maxLinks-error">Zero or more links\./);
    assert.match(html, /id="f-conversationsPerPage-error">At least 5\./);
    assert.match(html, /id="f-closeAfterDays-error">Enter a whole number, like 3\./);
    assert.match(html, /Some settings need a look\./);
    assert.match(html, /keepme<\/textarea>/);
    assert.equal((await k.deps.commentSettings()).maxLinks, 2);
  });

  it('saves the policy, which the next comment follows', async () => {
    const res = await owner.form('/admin/comments/settings', { ...valid, holdFirstComment: '' , closeAfterDays: '30' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/admin/comments/settings?notice=settings-saved');
    const saved = await k.deps.commentSettings();
    assert.equal(saved.holdFirstComment, false);
    assert.equal(saved.closeAfterDays, 30);
    assert.deepEqual(saved.disallowedWords, ['casino', 'viagra', 'loans']);
    assert.equal(saved.disallowedAction, 'spam');
    const form = await page(owner, '/admin/comments/settings?notice=settings-saved');
    assert.match(form, /casino\nviagra\nloans<\/textarea>/);
    assert.match(form, /id="f-holdFirstComment" name="holdFirstComment" value="1" aria-describedby/);
    assert.match(form, /Gravatar, a third party/);
    const c = await readerComment(post, 'Straight through now.');
    assert.equal(c.status, 'approved');
    await owner.form('/admin/comments/settings', valid); // back to holding first comments
  });

  it('lets moderators read the settings but not change them; authors neither', async () => {
    const moderator = await k.signIn('moderator');
    const html = await page(moderator, '/admin/comments/settings');
    assert.match(html, /Only the owner can change these settings/);
    assert.match(html, /<fieldset disabled>/);
    assert.equal((await moderator.form('/admin/comments/settings', { ...valid, holdAll: '1' })).status, 403);
    assert.equal((await k.deps.commentSettings()).holdAll, false);
    const author = await k.signIn('author');
    assert.equal((await author.request('/admin/comments/settings')).status, 403);
  });
});

describe('per-post comment settings', () => {
  it('closes comments on one post from its editor', async () => {
    const res = await owner.form('/admin/posts', {
      title: 'Quiet one', markdown: 'No comments here.', slug: 'quiet-one', excerpt: '', tags: '', visibility: 'public', coverImage: '', publishedAt: '',
      commentsMode: 'closed', commentsCloseDays: '', type: 'post', action: 'publish',
    });
    assert.equal(res.status, 303);
    const id = Number(/\/admin\/posts\/(\d+)/.exec(res.headers.get('location')!)?.[1]);
    const quiet = (await k.deps.store.posts.findById(id))!;
    assert.equal(quiet.commentsMode, 'closed');
    const editor = await page(owner, `/admin/posts/${id}`);
    assert.match(editor, /name="commentsMode" value="closed" checked/);
    await assert.rejects(
      readerComment(quiet, 'Can I still comment?'),
      (error: unknown) => error instanceof DomainError && error.code === 'comments_closed',
    );
  });

  it('keeps a close-after-days value and explains a bad one', async () => {
    const base = { title: 'Short window', markdown: 'x', slug: 'short-window', excerpt: '', tags: '', visibility: 'public', coverImage: '', publishedAt: '', type: 'post', action: 'save' };
    const bad = await owner.form('/admin/posts', { ...base, commentsMode: 'inherit', commentsCloseDays: 'a week' });
    assert.equal(bad.status, 422);
    assert.match(await bad.text(), /id="f-commentsCloseDays-error">Use a whole number of days/);
    const good = await owner.form('/admin/posts', { ...base, commentsMode: 'open', commentsCloseDays: '7' });
    const id = Number(/\/admin\/posts\/(\d+)/.exec(good.headers.get('location')!)?.[1]);
    const saved = (await k.deps.store.posts.findById(id))!;
    assert.equal(saved.commentsMode, 'open');
    assert.equal(saved.commentsCloseDays, 7);
  });
});
