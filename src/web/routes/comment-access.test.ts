import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Post, User } from '../../core/store.ts';
import { Agent, startTestKumbaya, testEngines, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';

const MINUTE = 60_000;

for (const { engine, skip } of testEngines()) {
  describe(`who may read a comment (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let now = Date.UTC(2026, 10, 1, 12);
    let owner: User;
    let post: Post;
    beforeEach(async () => {
      k = await startTestKumbaya({ engine, clock: { now: () => now } });
      owner = (await k.signIn('owner')).user!;
      post = await k.deps.posts.create(owner, { title: 'On listening', markdown: 'Listening is most of a conversation.' });
      await k.deps.posts.publish(owner, post.id);
      post = (await k.deps.store.posts.findById(post.id))!;
    });
    afterEach(() => k.cleanup());

    /** A reader comments through the form, as a browser would; returns the comment's id and the reader. */
    async function comment(body: string, name = 'Dana'): Promise<{ id: number; reader: Agent }> {
      const reader = new Agent(k.app);
      const page = await (await reader.request(`/${post.slug}`)).text();
      const formToken = /name="formToken" value="([^"]+)"/.exec(page)![1];
      now += 10_000;
      const res = await reader.request('/comments', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ postId: String(post.id), formToken, name, email: `${name.toLowerCase()}@example.org`, body }),
      });
      assert.equal(res.status, 303);
      const id = Number(/^\/comments\/(\d+)\/pending$/.exec(res.headers.get('location') ?? '')?.[1]);
      assert.ok(id > 0, 'a first comment is held and the reader lands on its pending page');
      return { id, reader };
    }

    const withCookie = (value: string) => ({ headers: { cookie: `kb_own=${value}` } });

    it('shows a held comment only to the browser holding its own secret', async () => {
      const dana = await comment('My held words, for my eyes only.');
      const mine = await dana.reader.request(`/comments/${dana.id}/pending`);
      assert.equal(mine.status, 200);
      assert.match(await mine.text(), /My held words/);

      const eli = await comment('Eli writes too.', 'Eli');
      const eliSecret = eli.reader.cookies.get('kb_own')!.split('~')[0].split('.')[1];
      const attempts = [
        `${dana.id}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`, // a made-up secret of the right shape
        `${dana.id}.${eliSecret}`, // another comment's real secret
        `${eli.id}.${eliSecret}~${dana.id}.${eliSecret}`, // a real pair beside a forged one
        `${dana.id}.`, // malformed: no secret
        `${dana.id}.short`, // malformed: too short
        `${dana.id}`, // malformed: no dot
        `%%%~~~.${dana.id}`, // malformed throughout
      ];
      for (const cookie of attempts) {
        const res = await k.request(`/comments/${dana.id}/pending`, withCookie(cookie));
        assert.equal(res.status, 404, cookie);
        assert.doesNotMatch(await res.text(), /My held words|Dana/, cookie);
      }
      // Eli still sees his own.
      assert.equal((await eli.reader.request(`/comments/${eli.id}/pending`)).status, 200);
    });

    it('refuses a comment sent with Origin: null (a sandboxed frame, a local file), saying why', async () => {
      const reader = new Agent(k.app);
      const page = await (await reader.request(`/${post.slug}`)).text();
      const formToken = /name="formToken" value="([^"]+)"/.exec(page)![1];
      now += 10_000;
      const body = () => new URLSearchParams({ postId: String(post.id), formToken, name: 'Gil', email: 'gil@example.org', body: 'Sent from nowhere.' });
      for (const [type, payload] of [
        ['application/x-www-form-urlencoded', body()],
        ['application/json', JSON.stringify(Object.fromEntries(body()))],
      ] as const) {
        const res = await reader.request('/comments', { method: 'POST', headers: { 'content-type': type, accept: type === 'application/json' ? type : 'text/html', origin: 'null' }, body: payload });
        assert.equal(res.status, 403);
        assert.match(await res.text(), /sent from a page without an address/);
      }
      const stored = await k.deps.store.comments.countByStatus();
      assert.equal(Object.values(stored).reduce((a, b) => a + b, 0), 0, 'nothing was stored');
      // From the site's own origin the same comment goes through.
      const ok = await reader.request('/comments', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: k.config.siteUrl }, body: body() });
      assert.equal(ok.status, 303);
    });

    it('answers 404 on every per-comment route once the post is unpublished, and again once it is trashed', async () => {
      const dana = await comment('Held on a post that will go away.');
      const approved = await comment('Approved on a post that will go away.', 'Fay');
      await k.deps.comments.moderate([approved.id], 'approve');
      const routes = (reader: Agent) => [
        () => k.request(`/comments/${approved.id}/fragment`),
        () => k.request(`/comments/${approved.id}`),
        () => k.request(`/comments/live/${post.id}`),
        () => reader.request(`/comments/${dana.id}/pending`),
        () => reader.request(`/comments/${dana.id}/edit`),
        () => reader.request(`/comments/${dana.id}/delete`),
        () => reader.request(`/comments/${dana.id}/edit`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'body=changed' }),
        () => reader.request(`/comments/${dana.id}/delete`, { method: 'POST' }),
      ];
      // While the post is live, each answers (the live stream is cancelled at once).
      const live = await Promise.all(routes(dana.reader).slice(0, 6).map((r) => r()));
      assert.deepEqual(
        live.map((r) => r.status),
        [200, 302, 200, 200, 200, 200],
      );
      for (const res of live) await res.body?.cancel();

      for (const step of ['unpublished', 'trashed'] as const) {
        if (step === 'unpublished') await k.deps.posts.unpublish(owner, post.id);
        else await k.deps.posts.trash(owner, post.id);
        for (const route of routes(dana.reader)) {
          const res = await route();
          const text = await res.text();
          assert.equal(res.status, 404, `${step}: ${text.slice(0, 200)}`);
          assert.doesNotMatch(text, /post that will go away/, step);
        }
        // Nor can a comment be sent to it: a 404 that does not name the post.
        for (const accept of ['text/html', 'application/json']) {
          const res = await k.request('/comments', {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', accept },
            body: new URLSearchParams({ postId: String(post.id), name: 'Hal', email: 'hal@example.org', body: 'Anyone there?' }),
          });
          assert.equal(res.status, 404, `${step} ${accept}`);
          assert.doesNotMatch(await res.text(), /On listening|on-listening/, `${step} ${accept}`);
        }
      }
      // Nothing was changed by the refused edit and delete.
      const held = await k.deps.store.comments.findById(dana.id);
      assert.equal(held?.status, 'pending');
      assert.equal(held?.markdown, 'Held on a post that will go away.');
    });

    it('still lets staff who may preview a draft read its comments, like its page', async () => {
      const approved = await comment('On a draft now.', 'Fay');
      await k.deps.comments.moderate([approved.id], 'approve');
      await k.deps.posts.unpublish(owner, post.id);
      const staff = await k.signIn('owner');
      assert.equal((await staff.request(`/comments/${approved.id}/fragment`)).status, 200);
      assert.equal((await k.request(`/comments/${approved.id}/fragment`)).status, 404);
    });

    it('serves the comments of an unlisted post by link, like its page', async () => {
      const approved = await comment('On an unlisted post.', 'Fay');
      await k.deps.comments.moderate([approved.id], 'approve');
      await k.deps.posts.update(owner, post.id, { title: post.title, markdown: post.markdown, visibility: 'unlisted' });
      assert.equal((await k.request(`/${post.slug}`)).status, 200);
      assert.equal((await k.request(`/comments/${approved.id}/fragment`)).status, 200);
    });

    it('keeps a scheduled post’s comments unreachable until it is published', async () => {
      const approved = await comment('Before the schedule.', 'Fay');
      await k.deps.comments.moderate([approved.id], 'approve');
      await k.deps.posts.unpublish(owner, post.id);
      await k.deps.posts.publish(owner, post.id, now + 60 * MINUTE);
      assert.equal((await k.request(`/comments/${approved.id}`)).status, 404);
      now += 61 * MINUTE;
      await k.deps.posts.publishDue();
      assert.equal((await k.request(`/comments/${approved.id}`)).status, 302);
    });
  });
}
