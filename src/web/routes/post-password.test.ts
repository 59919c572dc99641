import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Post } from '../../core/store.ts';
import { Agent, startTestKumbaya, testEngines, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';

const BODY = 'The heron nests behind the boathouse';
const COMMENT = 'I saw the heron too';
const PASSWORD = 'enter sesame';

/** The hidden CSRF field of the password form on a page. */
function csrfOf(page: string): string {
  const token = /<form class="post-password"[\s\S]*?name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  assert.ok(token, 'the page shows the password form');
  return token;
}

async function enter(reader: Agent, slug: string, password: string): Promise<Response> {
  const page = await (await reader.request(`/${slug}`)).text();
  const body = new URLSearchParams({ _csrf: csrfOf(page), password });
  return reader.request(`/${slug}/password`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:3000' } });
}

for (const { engine, skip } of testEngines()) {
  describe(`password-protected posts (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let post: Post;
    let commentId: number;
    let open: Post;

    before(async () => {
      k = await startTestKumbaya({ engine });
      const owner = (await k.signIn('owner')).user!;
      const created = await k.deps.posts.create(owner, { title: 'Birds of the lake', markdown: `${BODY}.`, tags: ['Birds'], password: PASSWORD });
      post = (await k.deps.posts.publish(owner, created.id)).post;
      const second = await k.deps.posts.create(owner, { title: 'Another post', markdown: 'Open to all.', tags: ['Birds'], password: 'other' });
      open = (await k.deps.posts.publish(owner, second.id)).post;
      const comment = await k.deps.store.comments.create({
        postId: post.id, parentId: null, personId: null, userId: null, authorName: 'Reader', authorEmail: 'reader@example.com', authorUrl: null,
        markdown: COMMENT, html: `<p>${COMMENT}</p>`, status: 'approved', createdAt: k.deps.clock.now(),
      });
      commentId = comment.id;
      k.deps.changes.publish('content-changed');
    });
    after(() => k.cleanup());

    it('shows a stranger the title, a "Protected" mark and the password form, and none of the text, comments or form to comment', async () => {
      for (let i = 0; i < 2; i++) {
        const res = await k.request(`/${post.slug}`);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('cache-control'), 'private, no-store');
        assert.notEqual(res.headers.get('x-cache'), 'hit', 'never served from the shared page cache');
        const page = await res.text();
        assert.match(page, /<h1 class="p-name">Birds of the lake <span class="protected-mark">Protected<\/span><\/h1>/);
        assert.match(page, /<form class="post-password" method="post" action="\/birds-of-the-lake\/password">/);
        assert.doesNotMatch(page, /heron/i, 'neither body, excerpt, Open Graph, JSON-LD nor comments');
        assert.doesNotMatch(page, /name="formToken"/, 'no comment form');
        assert.doesNotMatch(page, new RegExp(PASSWORD));
      }
    });

    it('lists the post by its title with the mark on the home page, its tag page and the archive, without its text', async () => {
      const month = new Date(post.publishedAt!).toISOString().slice(0, 7).replace('-', '/');
      for (const path of ['/', '/tag/birds', `/archive/${month}`]) {
        const page = await (await k.request(path)).text();
        assert.match(page, /<a class="u-url p-name" href="\/birds-of-the-lake">Birds of the lake<\/a> <span class="protected-mark">Protected<\/span>/, path);
        assert.match(page, /This post is password protected/, path);
        assert.doesNotMatch(page, /heron/i, path);
      }
    });

    it('keeps the text out of every feed, and the post’s comment feeds answer 404', async () => {
      for (const path of ['/feed.xml', '/atom.xml', '/feed.json', '/tag/birds/feed.xml', '/tag/birds/atom.xml', '/tag/birds/feed.json']) {
        const res = await k.request(path);
        assert.equal(res.status, 200, path);
        const text = await res.text();
        assert.match(text, /Birds of the lake/, path);
        assert.doesNotMatch(text, /heron/i, path);
        assert.doesNotMatch(text, /birds-of-the-lake\/comments/, `${path} points at no comment feed`);
        assert.doesNotMatch(text, new RegExp(PASSWORD), path);
      }
      for (const file of ['feed.xml', 'atom.xml', 'feed.json']) assert.equal((await k.request(`/${post.slug}/comments/${file}`)).status, 404, file);
    });

    it('lists the address in the sitemap, nothing of its text', async () => {
      const text = await (await k.request('/sitemap.xml')).text();
      assert.match(text, /<loc>http:\/\/localhost:3000\/birds-of-the-lake<\/loc>/);
      assert.doesNotMatch(text, /heron/i);
    });

    it('gives the open API the title and `protected`, never the text or the password', async () => {
      const list = (await (await k.request('/api/posts')).json()) as { posts?: unknown[] } | unknown[];
      const one = (await (await k.request(`/api/posts/${post.slug}`)).json()) as Record<string, unknown>;
      assert.equal(one.title, 'Birds of the lake');
      assert.equal(one.protected, true);
      assert.equal(one.html, '');
      assert.equal(one.excerpt, '');
      assert.equal(one.markdown, undefined);
      for (const json of [JSON.stringify(list), JSON.stringify(one)]) {
        assert.doesNotMatch(json, /heron/i);
        assert.doesNotMatch(json, new RegExp(PASSWORD));
        assert.doesNotMatch(json, /"password"/);
      }
    });

    it('search finds the post by its title, never by its text, and shows none of it', async () => {
      const byBody = await (await k.request('/search?q=heron')).text();
      assert.doesNotMatch(byBody, /birds-of-the-lake/);
      const byTitle = await (await k.request('/search?q=lake')).text();
      assert.match(byTitle, /href="\/birds-of-the-lake">Birds of the lake<\/a> <span class="protected-mark">Protected/);
      assert.doesNotMatch(byTitle, /heron/i);
    });

    it('refuses a stranger the comment routes: posting, the permalink, the fragment', async () => {
      const stranger = new Agent(k.app);
      const posted = await stranger.request('/comments', {
        method: 'POST',
        body: new URLSearchParams({ postId: String(post.id), name: 'Guesser', email: 'g@example.com', body: 'Let me in' }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', origin: 'http://localhost:3000' },
      });
      assert.equal(posted.status, 403);
      assert.match(await posted.text(), /password protected/);
      assert.equal((await k.deps.store.comments.listApproved(post.id)).length, 1, 'nothing was stored');
      assert.equal((await stranger.request(`/comments/${commentId}`)).status, 404);
      const fragment = await stranger.request(`/comments/${commentId}/fragment`);
      assert.equal(fragment.status, 404);
      assert.doesNotMatch(await fragment.text(), /heron/i);
    });

    it('says a wrong password is wrong (403), and with the right one the reader sees the text and the conversation', async () => {
      const reader = new Agent(k.app);
      const wrong = await enter(reader, post.slug, 'open sesame');
      assert.equal(wrong.status, 403);
      const wrongPage = await wrong.text();
      assert.match(wrongPage, /That password is not right/);
      assert.doesNotMatch(wrongPage, /heron/i);
      assert.ok(![...reader.cookies.keys()].some((name) => name.startsWith('kb_pp_')), 'no cookie for a wrong password');

      const right = await enter(reader, post.slug, PASSWORD);
      assert.equal(right.status, 303);
      assert.equal(right.headers.get('location'), '/birds-of-the-lake');
      const cookie = right.headers.getSetCookie().find((line) => line.startsWith(`kb_pp_${post.id}=`));
      assert.ok(cookie, 'a cookie for this post');
      assert.match(cookie, /HttpOnly/i);
      assert.match(cookie, /SameSite=Lax/i);
      assert.match(cookie, /Max-Age=864000/);

      const res = await reader.request(`/${post.slug}`);
      assert.equal(res.headers.get('cache-control'), 'private, no-store');
      const page = await res.text();
      assert.match(page, new RegExp(BODY));
      assert.match(page, new RegExp(COMMENT));
      assert.match(page, /name="formToken"/, 'the comment form');
      assert.doesNotMatch(page, /class="post-password"/);
      assert.equal((await reader.request(`/comments/${commentId}/fragment`)).status, 200);

      // The cookie opens this post only.
      const other = await (await reader.request(`/${open.slug}`)).text();
      assert.match(other, /class="post-password"/);
      // A stranger still gets the locked page after the reader's visit (nothing was cached for them).
      assert.doesNotMatch(await (await k.request(`/${post.slug}`)).text(), /heron/i);
    });

    it('lets a reader who entered the password comment', async () => {
      const reader = new Agent(k.app);
      await enter(reader, post.slug, PASSWORD);
      const page = await (await reader.request(`/${post.slug}`)).text();
      const formToken = /name="formToken" value="([^"]+)"/.exec(page)?.[1];
      assert.ok(formToken);
      const res = await reader.request('/comments', {
        method: 'POST',
        body: new URLSearchParams({ postId: String(post.id), formToken, name: 'Friend', email: 'friend@example.com', body: 'Lovely birds, thank you for the password.' }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:3000' },
      });
      assert.equal(res.status, 303);
      const stored = await k.deps.store.comments.listForModeration({ postId: post.id, limit: 10, offset: 0 });
      assert.ok(stored.items.some((c) => c.authorName === 'Friend'));
    });

    it('locks out readers who had the old password when the author changes it', async () => {
      const reader = new Agent(k.app);
      await enter(reader, post.slug, PASSWORD);
      assert.match(await (await reader.request(`/${post.slug}`)).text(), /heron/);
      const owner = (await k.signIn('owner')).user!;
      await k.deps.posts.update(owner, post.id, { title: post.title, markdown: post.markdown, slug: post.slug, tags: ['Birds'], password: 'a new one' });
      assert.doesNotMatch(await (await reader.request(`/${post.slug}`)).text(), /heron/i);
      await k.deps.posts.update(owner, post.id, { title: post.title, markdown: post.markdown, slug: post.slug, tags: ['Birds'], password: PASSWORD });
    });

    it('limits guesses: after 10 wrong passwords from one address, the 11th try answers 429 even when right', async () => {
      const guesser = new Agent(k.app);
      // Each request in-process comes from the same (unknown) address; earlier tests used some of its 10 tries.
      let status = 0;
      for (let i = 0; i < 12 && status !== 429; i++) status = (await enter(guesser, open.slug, `guess ${i}`)).status;
      assert.equal(status, 429);
      const right = await enter(guesser, open.slug, 'other');
      assert.equal(right.status, 429);
      assert.ok(Number(right.headers.get('retry-after')) > 0);
      assert.match(await right.text(), /Too many tries/);
    });
  });
}
