import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Comment, CommentWrite, Store } from '../../core/store.ts';
import { forEachEngine, type OpenStore } from './test-engines.ts';

const T0 = Date.UTC(2026, 0, 1);

/** listForModeration's keyset paging (`before`), `since` and `noTotal`, on every engine (the JSON API's and the CLI's comment list). */
forEachEngine('Comment list keyset contract', (name: string, open: OpenStore) => {
  describe(name, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let postId: number;

    beforeEach(async () => {
      ({ store, cleanup } = await open());
      const user = await store.users.create({ email: 'a@example.com', name: 'A', slug: 'a', bio: '', role: 'owner', passwordHash: null, createdAt: T0 });
      postId = (
        await store.posts.create(
          { type: 'post', title: 'P', markdown: '', html: '', excerpt: '', status: 'published', visibility: 'public', publishedAt: T0, authorId: user.id, coverImage: null, tags: [], commentsMode: 'inherit', commentsCloseDays: null, slug: 'p' },
          T0,
        )
      ).id;
    });
    afterEach(() => cleanup());

    const write = (i: number, createdAt: number): CommentWrite => ({
      postId, parentId: null, personId: null, userId: null, authorName: `Reader ${i}`, authorEmail: `r${i}@example.org`, authorUrl: null,
      markdown: `hello ${i}`, html: '<p>hello</p>', status: i % 2 ? 'approved' : 'pending', createdAt,
    });

    it('pages newest first after a position, ties broken by id, without repeats or gaps', async () => {
      const made: Comment[] = [];
      // Pairs share a time.
      for (let i = 0; i < 9; i++) made.push(await store.comments.create(write(i, T0 + Math.floor(i / 2) * 1000)));
      const expected = [...made].sort((a, b) => b.createdAt - a.createdAt || b.id - a.id).map((c) => c.id);
      const seen: number[] = [];
      let before: { createdAt: number; id: number } | undefined;
      for (;;) {
        const page = await store.comments.listForModeration({ before, noTotal: true, limit: 2, offset: 0 });
        assert.equal(page.total, -1, 'no count was asked for');
        if (page.items.length === 0) break;
        seen.push(...page.items.map((c) => c.id));
        const last = page.items[page.items.length - 1];
        before = { createdAt: last.createdAt, id: last.id };
      }
      assert.deepEqual(seen, expected);
    });

    it('filters by time written and combines with status and the position', async () => {
      for (let i = 0; i < 6; i++) await store.comments.create(write(i, T0 + i * 1000));
      const since = await store.comments.listForModeration({ since: T0 + 3000, limit: 50, offset: 0 });
      assert.deepEqual(since.items.map((c) => c.markdown), ['hello 5', 'hello 4', 'hello 3']);
      assert.equal(since.total, 3);
      const approvedSince = await store.comments.listForModeration({ since: T0 + 1000, status: 'approved', limit: 50, offset: 0 });
      assert.deepEqual(approvedSince.items.map((c) => c.markdown), ['hello 5', 'hello 3', 'hello 1']);
      const after = approvedSince.items[0];
      const rest = await store.comments.listForModeration({ since: T0 + 1000, status: 'approved', before: { createdAt: after.createdAt, id: after.id }, limit: 50, offset: 0 });
      assert.deepEqual(rest.items.map((c) => c.markdown), ['hello 3', 'hello 1']);
    });
  });
});
