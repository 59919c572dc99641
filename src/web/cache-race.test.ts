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

/**
 * When a change empties the page cache, every reader of a busy page misses at once: one of
 * them renders it, and the others are answered with that render's page.
 */
for (const { engine, skip } of testEngines()) {
  describe(`readers who miss together share one render (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    before(async () => {
      k = await startTestKumbaya({ engine });
    });
    after(() => k.cleanup());

    const renderingGate = async (slug: string) => {
      const owner = (await k.deps.store.users.list())[0] ?? (await k.deps.auth.createUser({ name: 'Ann', email: 'ann@example.com', password: 'correct horse battery' }, 'owner'));
      const created = await k.deps.posts.create(owner, { type: 'post', slug, title: `Shared ${slug}`, markdown: 'Words.' });
      const post = (await k.deps.posts.publish(owner, created.id)).post;
      // Each render reads the thread once: count them, and hold the first until released.
      const comments = k.deps.store.comments;
      const threadPage = comments.threadPage;
      let renders = 0;
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      comments.threadPage = async function (this: typeof comments, ...args: Parameters<typeof threadPage>) {
        if (args[0] === post.id && renders++ === 0) await gate;
        return threadPage.apply(this, args);
      };
      return { post, renders: () => renders, release, restore: () => (comments.threadPage = threadPage) };
    };

    it('five readers at once: one render, five whole pages, each with the comment form', async () => {
      const g = await renderingGate('shared-render');
      try {
        const answers = Array.from({ length: 5 }, () => k.request('/shared-render'));
        await new Promise((resolve) => setTimeout(resolve, 50));
        g.release();
        const pages = await Promise.all(answers.map(async (a) => ({ res: await a, text: await (await a).text() })));
        assert.equal(g.renders(), 1, 'the page was rendered once');
        assert.deepEqual(pages.map((p) => p.res.status), [200, 200, 200, 200, 200]);
        assert.deepEqual(pages.map((p) => p.res.headers.get('x-cache')).sort(), ['hit', 'hit', 'hit', 'hit', 'miss']);
        for (const p of pages) assert.match(p.text, /Shared shared-render/);
        const tokens = pages.map((p) => /name="formToken" value="([^"]+)"/.exec(p.text)?.[1]);
        assert.equal(tokens.filter(Boolean).length, 5, 'every page has the comment form');
      } finally {
        g.restore();
      }
    });

    it('a render that keeps no page (a change came meanwhile) leaves the waiting readers to render their own', async () => {
      const g = await renderingGate('shared-changed');
      try {
        const first = k.request('/shared-changed');
        await new Promise((resolve) => setTimeout(resolve, 30));
        const second = k.request('/shared-changed');
        await new Promise((resolve) => setTimeout(resolve, 30));
        k.deps.changes.publish('settings-changed');
        g.release();
        const [a, b] = await Promise.all([first, second]);
        assert.deepEqual([a.status, b.status], [200, 200]);
        assert.equal(g.renders(), 2, 'the waiting reader rendered the page again');
        assert.equal(b.headers.get('x-cache'), 'miss');
      } finally {
        g.restore();
      }
    });
  });
}
