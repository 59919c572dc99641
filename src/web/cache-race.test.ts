import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestKumbaya, testEngines, type TestKumbaya } from '../../test/helpers/test-kumbaya.ts';
import { OWN_COOKIE } from './routes/own-comments.ts';

/**
 * A post page rendered while a change is published: what it read may be older than the
 * change, so neither the page cache nor the conversation cache may keep it (the change
 * clears both before the render ends, and the render must not fill them again).
 */
for (const { engine, skip } of testEngines()) {
  describe(`a page rendered across a change is not kept (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    before(async () => {
      k = await startTestKumbaya({ engine });
    });
    after(() => k.cleanup());

    // 'page': an anonymous reader's request, which the page cache keeps. 'conversation': a
    // request the page cache passes by (it carries the own-comments cookie), so only the
    // conversation cache could keep the thread it rendered.
    for (const cache of ['page', 'conversation'] as const) {
      it(`the ${cache} cache does not keep a thread read before a comment was approved`, async () => {
        const owner = (await k.deps.store.users.list())[0] ?? (await k.deps.auth.createUser({ name: 'Ann', email: 'ann@example.com', password: 'correct horse battery' }, 'owner'));
        const slug = `racing-${cache}`;
        const created = await k.deps.posts.create(owner, { type: 'post', slug, title: `Racing ${cache}`, markdown: 'Words.' });
        const post = (await k.deps.posts.publish(owner, created.id)).post;
        const held = await k.deps.store.comments.create({
          postId: post.id, parentId: null, personId: null, userId: null, authorName: 'Rosa', authorEmail: 'rosa@example.com', authorUrl: null,
          markdown: 'Held until approved.', html: '<p>Held until approved.</p>', status: 'pending', createdAt: Date.now(),
        });

        // The thread is read, then the comment is approved (a change, published) while this
        // render goes on with the thread as it was.
        const comments = k.deps.store.comments;
        const threadPage = comments.threadPage;
        let approved = false;
        comments.threadPage = async function (this: typeof comments, ...args: Parameters<typeof threadPage>) {
          const page = await threadPage.apply(this, args);
          if (!approved) {
            approved = true;
            await k.deps.comments.moderate([held.id], 'approve', owner.id);
          }
          return page;
        };
        try {
          const headers: Record<string, string> = cache === 'page' ? {} : { cookie: `${OWN_COOKIE}=none` };
          const during = await (await k.request(`/${slug}`, { headers })).text();
          assert.ok(approved, 'the comment was approved while the page was rendered');
          assert.doesNotMatch(during, /Held until approved\./, 'the render read the thread before the approval');
        } finally {
          comments.threadPage = threadPage;
        }
        const next = await k.request(`/${slug}`);
        assert.notEqual(next.headers.get('x-cache'), 'hit', 'the page rendered across the change was not kept');
        assert.match(await next.text(), /Held until approved\./, 'the next reader sees the approved comment');
      });
    }
  });
}
