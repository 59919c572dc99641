import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Store } from '../../core/store.ts';
import { forEachEngine, type OpenStore } from './test-engines.ts';

const NOW = Date.UTC(2024, 0, 15, 12);

/** A post with one approved comment to subscribe to. */
async function seed(store: Store) {
  const user = await store.users.create({ email: 'author@example.com', name: 'Author', slug: 'author', bio: '', role: 'owner', passwordHash: null, createdAt: NOW });
  const post = await store.posts.create(
    {
      type: 'post', slug: 'a-post', title: 'A post', markdown: 'Hi.', html: '<p>Hi.</p>', excerpt: 'Hi.', status: 'published', visibility: 'public',
      publishedAt: NOW, authorId: user.id, coverImage: null, tags: [], commentsMode: 'inherit', commentsCloseDays: null,
    },
    NOW,
  );
  const comment = await store.comments.create({
    postId: post.id, parentId: null, personId: null, userId: null, authorName: 'Reader', authorEmail: 'reader@example.com', authorUrl: null,
    markdown: 'Nice.', html: '<p>Nice.</p>', status: 'approved', createdAt: NOW,
  });
  return { post, comment };
}

function subscriptionsContract(name: string, open: OpenStore): void {
  describe(name, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let postId: number;
    let commentId: number;

    beforeEach(async () => {
      ({ store, cleanup } = await open());
      const seeded = await seed(store);
      postId = seeded.post.id;
      commentId = seeded.comment.id;
    });
    afterEach(() => cleanup());

    it('keeps one active subscription when the same request arrives many times at once', async () => {
      // Open the pool's connections first (on PostgreSQL), so that the requests really overlap.
      await Promise.all(Array.from({ length: 4 }, () => store.transaction(async (tx) => (await tx.ping(), new Promise((r) => setTimeout(r, 30))))));
      const asks = Array.from({ length: 8 }, (_, i) =>
        store.transaction((tx) => tx.subscriptions.subscribe({ kind: 'post', email: 'Twice@Example.com', postId, commentId: null, token: `race-${i}`, createdAt: NOW })),
      );
      const results = await Promise.all(asks);
      assert.equal(new Set(results.map((s) => s.id)).size, 1, 'every request got the same subscription');
      await store.subscriptions.ensureAddress('twice@example.com', 'confirm', NOW);
      await store.subscriptions.confirmAddress('twice@example.com', NOW);
      assert.equal((await store.subscriptions.activeForPost(postId)).length, 1);
    });

    it('lets subscriptions go with the post or comment they follow when it is purged', async () => {
      const onPost = await store.subscriptions.subscribe({ kind: 'post', email: 'a@example.com', postId, commentId: null, token: 'post-token', createdAt: NOW });
      const onComment = await store.subscriptions.subscribe({ kind: 'replies', email: 'b@example.com', postId, commentId, token: 'reply-token', createdAt: NOW });
      await store.comments.setStatus([commentId], 'trash', null, NOW);
      assert.equal(await store.comments.purgeTrash(NOW + 1), 1);
      assert.equal(await store.subscriptions.findByToken(onComment.token), null);
      assert.deepEqual(await store.subscriptions.findByToken(onPost.token), onPost);
      await store.posts.trash(postId, NOW);
      await store.posts.purge(postId);
      assert.equal(await store.subscriptions.findByToken(onPost.token), null);
    });

    it('creates an address once, normalised and unconfirmed, and keeps its first token', async () => {
      const first = await store.subscriptions.ensureAddress('  Reader@Example.COM ', 'token-1', NOW);
      assert.deepEqual(first, { email: 'reader@example.com', confirmToken: 'token-1', confirmedAt: null, createdAt: NOW });
      const again = await store.subscriptions.ensureAddress('reader@example.com', 'token-2', NOW + 1000);
      assert.deepEqual(again, first);
      assert.deepEqual(await store.subscriptions.findAddress('READER@example.com'), first);
      assert.deepEqual(await store.subscriptions.findAddressByToken('token-1'), first);
      assert.equal(await store.subscriptions.findAddressByToken('token-2'), null);
      assert.equal(await store.subscriptions.findAddress('nobody@example.com'), null);
    });

    it('confirms an address once: the first confirmation time stays', async () => {
      await store.subscriptions.ensureAddress('reader@example.com', 'tok', NOW);
      await store.subscriptions.confirmAddress('Reader@example.com', NOW + 10);
      await store.subscriptions.confirmAddress('reader@example.com', NOW + 20);
      assert.equal((await store.subscriptions.findAddress('reader@example.com'))!.confirmedAt, NOW + 10);
      await store.subscriptions.confirmAddress('unknown@example.com', NOW); // nothing to confirm, no error
    });

    it('returns the active subscription instead of a second one with the same kind, email, post and comment', async () => {
      const sub = await store.subscriptions.subscribe({ kind: 'replies', email: 'Reader@Example.com', postId, commentId, token: 's1', createdAt: NOW });
      assert.deepEqual(sub, { id: sub.id, kind: 'replies', email: 'reader@example.com', postId, commentId, token: 's1', createdAt: NOW, unsubscribedAt: null });
      const same = await store.subscriptions.subscribe({ kind: 'replies', email: 'reader@example.com', postId, commentId, token: 's2', createdAt: NOW + 1 });
      assert.deepEqual(same, sub);
      const postWide = await store.subscriptions.subscribe({ kind: 'post', email: 'reader@example.com', postId, commentId: null, token: 's3', createdAt: NOW });
      assert.notEqual(postWide.id, sub.id);
      assert.deepEqual(await store.subscriptions.subscribe({ kind: 'post', email: 'reader@example.com', postId, commentId: null, token: 's4', createdAt: NOW }), postWide);
      assert.equal(await store.subscriptions.findByToken('s2'), null);
    });

    it('unsubscribes by token, keeps the first time, and a new subscription can follow', async () => {
      await store.subscriptions.subscribe({ kind: 'post', email: 'reader@example.com', postId, commentId: null, token: 's1', createdAt: NOW });
      const gone = await store.subscriptions.unsubscribe('s1', NOW + 5);
      assert.equal(gone!.unsubscribedAt, NOW + 5);
      assert.equal((await store.subscriptions.unsubscribe('s1', NOW + 9))!.unsubscribedAt, NOW + 5);
      assert.equal((await store.subscriptions.findByToken('s1'))!.unsubscribedAt, NOW + 5);
      assert.equal(await store.subscriptions.unsubscribe('nope', NOW), null);
      const renewed = await store.subscriptions.subscribe({ kind: 'post', email: 'reader@example.com', postId, commentId: null, token: 's2', createdAt: NOW + 10 });
      assert.equal(renewed.token, 's2');
      assert.equal(renewed.unsubscribedAt, null);
    });

    it('lists only active subscriptions of confirmed addresses, by kind', async () => {
      for (const email of ['a@example.com', 'b@example.com', 'c@example.com']) await store.subscriptions.ensureAddress(email, `confirm-${email}`, NOW);
      await store.subscriptions.confirmAddress('a@example.com', NOW);
      await store.subscriptions.confirmAddress('c@example.com', NOW);
      await store.subscriptions.subscribe({ kind: 'post', email: 'a@example.com', postId, commentId: null, token: 'pa', createdAt: NOW });
      await store.subscriptions.subscribe({ kind: 'post', email: 'b@example.com', postId, commentId: null, token: 'pb', createdAt: NOW });
      await store.subscriptions.subscribe({ kind: 'post', email: 'c@example.com', postId, commentId: null, token: 'pc', createdAt: NOW });
      await store.subscriptions.subscribe({ kind: 'replies', email: 'a@example.com', postId, commentId, token: 'ra', createdAt: NOW });
      await store.subscriptions.subscribe({ kind: 'replies', email: 'b@example.com', postId, commentId, token: 'rb', createdAt: NOW });
      await store.subscriptions.unsubscribe('pc', NOW);

      assert.deepEqual((await store.subscriptions.activeForPost(postId)).map((s) => s.token), ['pa']);
      assert.deepEqual((await store.subscriptions.activeForComment(commentId)).map((s) => s.token), ['ra']);
      await store.subscriptions.confirmAddress('b@example.com', NOW);
      assert.deepEqual((await store.subscriptions.activeForPost(postId)).map((s) => s.token), ['pa', 'pb']);
      assert.deepEqual((await store.subscriptions.activeForComment(commentId)).map((s) => s.token), ['ra', 'rb']);
      assert.deepEqual(await store.subscriptions.activeForPost(postId + 1000), []);
    });

    it('lists subscriptions newest first by post, address and state, finds one by id and deletes it', async () => {
      await store.subscriptions.ensureAddress('Ada@Example.com', 'ta', NOW);
      await store.subscriptions.confirmAddress('ada@example.com', NOW);
      await store.subscriptions.ensureAddress('bea@example.com', 'tb', NOW);
      const ada = await store.subscriptions.subscribe({ kind: 'post', email: 'ada@example.com', postId, commentId: null, token: 'l1', createdAt: NOW });
      const bea = await store.subscriptions.subscribe({ kind: 'replies', email: 'bea@example.com', postId, commentId, token: 'l2', createdAt: NOW + 1 });
      const gone = await store.subscriptions.subscribe({ kind: 'replies', email: 'ada@example.com', postId, commentId, token: 'l3', createdAt: NOW + 2 });
      await store.subscriptions.unsubscribe('l3', NOW + 3);
      const all = await store.subscriptions.list({ limit: 10, offset: 0 });
      assert.equal(all.total, 3);
      assert.deepEqual(all.items.map((s) => [s.token, s.confirmed]), [['l3', true], ['l2', false], ['l1', true]]);
      const state = async (wanted: 'active' | 'unconfirmed' | 'unsubscribed') => (await store.subscriptions.list({ state: wanted, limit: 10, offset: 0 })).items.map((s) => s.token);
      assert.deepEqual([await state('active'), await state('unconfirmed'), await state('unsubscribed')], [['l1'], ['l2'], ['l3']]);
      assert.deepEqual((await store.subscriptions.list({ emails: ['ADA@example.com'], limit: 10, offset: 0 })).items.map((s) => s.token), ['l3', 'l1']);
      assert.deepEqual((await store.subscriptions.list({ emails: [], limit: 10, offset: 0 })).total, 0);
      assert.deepEqual((await store.subscriptions.list({ postId: postId + 1000, limit: 10, offset: 0 })).total, 0);
      const second = await store.subscriptions.list({ limit: 1, offset: 1 });
      assert.deepEqual([second.total, second.items.map((s) => s.token)], [3, ['l2']]);
      assert.deepEqual(await store.subscriptions.findById(bea.id), bea);
      assert.equal(await store.subscriptions.delete(bea.id), true);
      assert.equal(await store.subscriptions.findById(bea.id), null);
      assert.equal(await store.subscriptions.delete(bea.id), false);
      assert.equal((await store.subscriptions.findById(ada.id))?.token, 'l1');
      assert.equal((await store.subscriptions.findById(gone.id))?.unsubscribedAt, NOW + 3);
    });

    it('rolls back with the transaction around it', async () => {
      await assert.rejects(
        store.transaction(async (trx) => {
          await trx.subscriptions.ensureAddress('reader@example.com', 'tok', NOW);
          await trx.subscriptions.subscribe({ kind: 'post', email: 'reader@example.com', postId, commentId: null, token: 's1', createdAt: NOW });
          throw new Error('comment refused');
        }),
        /comment refused/,
      );
      assert.equal(await store.subscriptions.findAddress('reader@example.com'), null);
      assert.equal(await store.subscriptions.findByToken('s1'), null);
    });
  });
}

forEachEngine('Subscriptions contract', subscriptionsContract);
