import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { PrivateMentionWrite } from '../../core/fediverse-reply-store.ts';
import type { Store } from '../../core/store.ts';
import { forEachEngine } from './test-engines.ts';

const NOW = Date.UTC(2026, 10, 1, 12);

async function postWithComments(store: Store, count: number) {
  const user = await store.users.create({ email: `o${Math.random()}@example.com`, name: 'O', slug: `o-${Math.random().toString(36).slice(2)}`, bio: '', role: 'owner', passwordHash: null, createdAt: NOW });
  const post = await store.posts.create(
    { type: 'post', slug: `p-${Math.random().toString(36).slice(2)}`, title: 'P', markdown: '', html: '', excerpt: '', status: 'published', visibility: 'public', publishedAt: NOW, authorId: user.id, coverImage: null, tags: [], commentsMode: 'inherit', commentsCloseDays: null },
    NOW,
  );
  const comments = [];
  for (let i = 0; i < count; i++) {
    comments.push(await store.comments.create({ postId: post.id, parentId: null, personId: null, userId: null, authorName: `R${i}`, authorEmail: '', authorUrl: null, markdown: 'hi', html: '<p>hi</p>', status: 'approved', createdAt: NOW + i, source: 'activitypub' }));
  }
  return { post, comments };
}

const link = (commentId: number, n: number, actor = 'https://social.example/users/ana') => ({
  commentId,
  noteId: `https://social.example/notes/${n}`,
  actorUri: actor,
  handle: '@ana@social.example',
  url: `https://social.example/@ana/${n}`,
  inbox: `${actor}/inbox`,
  sharedInbox: 'https://social.example/inbox',
  createdAt: NOW,
});

const mention = (n: number, over: Partial<PrivateMentionWrite> = {}): PrivateMentionWrite => ({
  noteId: `https://social.example/notes/p${n}`,
  actorUri: 'https://social.example/users/ana',
  name: 'Ana',
  handle: '@ana@social.example',
  profileUrl: 'https://social.example/@ana',
  url: `https://social.example/@ana/p${n}`,
  visibility: 'direct',
  inReplyTo: null,
  postId: null,
  html: `<p>secret ${n}</p>`,
  ...over,
});

forEachEngine('Fediverse replies repository', (title, open) => {
  describe(title, () => {
    const cleanups: Array<() => Promise<void>> = [];
    after(async () => {
      for (const cleanup of cleanups) await cleanup();
    });
    const fresh = async () => {
      const { store, cleanup } = await open();
      cleanups.push(cleanup);
      return store;
    };

    it('keeps what a comment came from, found by Note id, by comment and by actor; a Note id is one comment only', async () => {
      const store = await fresh();
      const { comments } = await postWithComments(store, 3);
      await store.fediverseReplies.recordComment(link(comments[0].id, 1));
      await store.fediverseReplies.recordComment(link(comments[2].id, 3, 'https://other.example/users/bo'));
      assert.deepEqual(await store.fediverseReplies.findByNote('https://social.example/notes/1'), link(comments[0].id, 1));
      assert.deepEqual(await store.fediverseReplies.findByComment(comments[2].id), link(comments[2].id, 3, 'https://other.example/users/bo'));
      assert.equal(await store.fediverseReplies.findByComment(comments[1].id), null);
      assert.deepEqual((await store.fediverseReplies.forComments(comments.map((c) => c.id))).map((l) => l.commentId), [comments[0].id, comments[2].id]);
      assert.deepEqual(await store.fediverseReplies.forComments([]), []);
      assert.deepEqual(await store.fediverseReplies.commentIdsByActor('https://social.example/users/ana'), [comments[0].id]);
      await assert.rejects(store.fediverseReplies.recordComment(link(comments[1].id, 1)));
    });

    it('a link is written in the comment’s transaction: a rollback takes both', async () => {
      const store = await fresh();
      const { post } = await postWithComments(store, 0);
      await assert.rejects(
        store.transaction(async (tx) => {
          const c = await tx.comments.create({ postId: post.id, parentId: null, personId: null, userId: null, authorName: 'A', authorEmail: '', authorUrl: null, markdown: 'x', html: '<p>x</p>', status: 'pending', createdAt: NOW, source: 'activitypub' });
          await tx.fediverseReplies.recordComment(link(c.id, 9));
          throw new Error('roll back');
        }),
        /roll back/,
      );
      assert.equal(await store.fediverseReplies.findByNote('https://social.example/notes/9'), null);
    });

    it('a comment deleted for good takes its link with it', async () => {
      const store = await fresh();
      const { comments } = await postWithComments(store, 1);
      await store.fediverseReplies.recordComment(link(comments[0].id, 4));
      await store.comments.setStatus([comments[0].id], 'trash', null, NOW);
      assert.deepEqual(await store.comments.deleteForever([comments[0].id]), [comments[0].id]);
      assert.equal(await store.fediverseReplies.findByNote('https://social.example/notes/4'), null);
      assert.deepEqual(await store.fediverseReplies.commentIdsByActor('https://social.example/users/ana'), []);
    });

    it('keeps private mentions newest first; an Update replaces the words; deleted one by one, by Note or by actor', async () => {
      const store = await fresh();
      const { post } = await postWithComments(store, 0);
      const first = await store.fediverseReplies.saveMention(mention(1, { postId: post.id, visibility: 'followers', inReplyTo: `https://blog.example/${post.slug}` }), NOW);
      const second = await store.fediverseReplies.saveMention(mention(2), NOW + 1);
      await store.fediverseReplies.saveMention(mention(3, { actorUri: 'https://other.example/users/bo' }), NOW + 2);
      assert.equal(first.postId, post.id);
      assert.equal(first.visibility, 'followers');
      const page = await store.fediverseReplies.listMentions({ limit: 2, offset: 0 });
      assert.equal(page.total, 3);
      assert.deepEqual(page.items.map((m) => m.noteId), ['https://social.example/notes/p3', 'https://social.example/notes/p2']);
      const edited = await store.fediverseReplies.saveMention(mention(2, { html: '<p>changed</p>' }), NOW + 10);
      assert.deepEqual([edited.id, edited.html, edited.createdAt, edited.updatedAt], [second.id, '<p>changed</p>', NOW + 1, NOW + 10]);
      assert.equal((await store.fediverseReplies.findMention('https://social.example/notes/p2'))?.html, '<p>changed</p>');
      assert.equal(await store.fediverseReplies.deleteMentionByNote('https://social.example/notes/p2'), true);
      assert.equal(await store.fediverseReplies.deleteMentionByNote('https://social.example/notes/p2'), false);
      assert.equal(await store.fediverseReplies.deleteMentionsByActor('https://social.example/users/ana'), 1);
      const [left] = (await store.fediverseReplies.listMentions({ limit: 10, offset: 0 })).items;
      assert.equal(await store.fediverseReplies.deleteMention(left.id), true);
      assert.equal(await store.fediverseReplies.deleteMention(left.id), false);
    });

    it('a mention answering a post deleted for good keeps its words, without the post', async () => {
      const store = await fresh();
      const { post } = await postWithComments(store, 0);
      await store.fediverseReplies.saveMention(mention(5, { postId: post.id }), NOW);
      await store.posts.trash(post.id, NOW);
      await store.posts.purge(post.id);
      assert.equal((await store.fediverseReplies.findMention('https://social.example/notes/p5'))?.postId, null);
    });
  });
});
