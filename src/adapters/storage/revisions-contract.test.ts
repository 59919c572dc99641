import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Store } from '../../core/store.ts';
import { forEachEngine, type OpenStore } from './test-engines.ts';

const NOW = Date.UTC(2024, 0, 15, 12);

async function seed(store: Store) {
  const owner = await store.users.create({ email: 'owner@example.com', name: 'Owner', slug: 'owner', bio: '', role: 'owner', passwordHash: null, createdAt: NOW });
  const author = await store.users.create({ email: 'author@example.com', name: 'Author', slug: 'author', bio: '', role: 'author', passwordHash: null, createdAt: NOW });
  const post = await store.posts.create(
    {
      type: 'post', slug: 'hello', title: 'Hello', markdown: 'Hi.', html: '<p>Hi.</p>', excerpt: 'Hi.', status: 'published', visibility: 'public',
      publishedAt: NOW, authorId: owner.id, coverImage: null, tags: [], commentsMode: 'inherit', commentsCloseDays: null,
    },
    NOW,
  );
  return { owner, author, post };
}

function revisionsContract(name: string, open: OpenStore): void {
  describe(name, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeEach(async () => ({ store, cleanup } = await open()));
    afterEach(() => cleanup());

    it('keeps every saved revision, newest first, with its author and size', async () => {
      const { owner, author, post } = await seed(store);
      const first = await store.revisions.add({ postId: post.id, authorId: owner.id, title: 'Hello', markdown: 'Hi.', excerpt: '', createdAt: NOW });
      await store.revisions.add({ postId: post.id, authorId: author.id, title: 'Hello again', markdown: 'Hi, héllo.', excerpt: 'x', createdAt: NOW + 1000 });
      const list = await store.revisions.listForPost(post.id);
      assert.deepEqual(list.map((r) => [r.title, r.authorId, r.kind, r.size, r.createdAt]), [
        ['Hello again', author.id, 'revision', 10, NOW + 1000],
        ['Hello', owner.id, 'revision', 3, NOW],
      ]);
      assert.equal((await store.revisions.latest(post.id))?.markdown, 'Hi, héllo.');
      assert.deepEqual(await store.revisions.find(first.id), { ...first, kind: 'revision' });
      assert.equal(await store.revisions.find(first.id + 100), null);
    });

    it('keeps one autosave per post and author, replaced by the next, outside the history', async () => {
      const { owner, author, post } = await seed(store);
      await store.revisions.saveAutosave({ postId: post.id, authorId: owner.id, title: 'T', markdown: 'one', excerpt: '', createdAt: NOW });
      await store.revisions.saveAutosave({ postId: post.id, authorId: author.id, title: 'T', markdown: 'theirs', excerpt: '', createdAt: NOW + 1 });
      const second = await store.revisions.saveAutosave({ postId: post.id, authorId: owner.id, title: 'T2', markdown: 'one two', excerpt: '', createdAt: NOW + 2 });
      const mine = await store.revisions.findAutosave(post.id, owner.id);
      assert.deepEqual(mine, second);
      assert.deepEqual([mine?.kind, mine?.title, mine?.markdown, mine?.createdAt], ['autosave', 'T2', 'one two', NOW + 2]);
      assert.equal((await store.revisions.findAutosave(post.id, author.id))?.markdown, 'theirs');
      assert.deepEqual(await store.revisions.listForPost(post.id), []);
      assert.equal(await store.revisions.latest(post.id), null);
      assert.equal(await store.archive.count('postRevisions'), 2);

      await store.revisions.deleteAutosave(post.id, owner.id);
      assert.equal(await store.revisions.findAutosave(post.id, owner.id), null);
      assert.equal((await store.revisions.findAutosave(post.id, author.id))?.markdown, 'theirs');
    });

    it('gives a removed user’s revisions to the heir and forgets their autosaves', async () => {
      const { owner, author, post } = await seed(store);
      await store.revisions.add({ postId: post.id, authorId: author.id, title: 'By the author', markdown: 'x', excerpt: '', createdAt: NOW });
      await store.revisions.saveAutosave({ postId: post.id, authorId: author.id, title: 'Theirs', markdown: 'y', excerpt: '', createdAt: NOW + 1 });
      await store.revisions.saveAutosave({ postId: post.id, authorId: owner.id, title: 'Mine', markdown: 'z', excerpt: '', createdAt: NOW + 2 });
      await store.users.delete(author.id, owner.id);
      assert.deepEqual((await store.revisions.listForPost(post.id)).map((r) => [r.title, r.authorId]), [['By the author', owner.id]]);
      assert.equal((await store.revisions.findAutosave(post.id, owner.id))?.title, 'Mine');
      assert.equal(await store.archive.count('postRevisions'), 2);
    });

    it('forgets a post’s revisions when the post is deleted forever, and rolls back with a transaction', async () => {
      const { owner, post } = await seed(store);
      await store.revisions.add({ postId: post.id, authorId: owner.id, title: 'Hello', markdown: 'Hi.', excerpt: '', createdAt: NOW });
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.revisions.add({ postId: post.id, authorId: owner.id, title: 'Lost', markdown: 'Lost', excerpt: '', createdAt: NOW + 1 });
          throw new Error('stop');
        }),
      );
      assert.deepEqual((await store.revisions.listForPost(post.id)).map((r) => r.title), ['Hello']);
      await store.posts.trash(post.id, NOW + 2);
      await store.posts.purge(post.id);
      assert.deepEqual(await store.revisions.listForPost(post.id), []);
      assert.equal(await store.archive.count('postRevisions'), 0);
    });
  });
}

forEachEngine('RevisionRepository', revisionsContract);
