import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Post, Store } from '../../core/store.ts';
import { forEachEngine, type OpenStore } from './test-engines.ts';

const NOW = Date.UTC(2024, 0, 15, 12);

async function somePost(store: Store): Promise<Post> {
  const user = await store.users.create({ email: 'a@example.com', name: 'A', slug: 'a', bio: '', role: 'owner', passwordHash: null, createdAt: NOW });
  return store.posts.create(
    { type: 'post', slug: 'hello', title: 'Hello', markdown: 'x', html: '<p>x</p>', excerpt: 'x', status: 'published', visibility: 'public', publishedAt: NOW, authorId: user.id, coverImage: null, tags: [], commentsMode: 'inherit', commentsCloseDays: null },
    NOW,
  );
}

function webmentionsContract(name: string, open: OpenStore): void {
  describe(name, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let post: Post;
    beforeEach(async () => {
      ({ store, cleanup } = await open());
      post = await somePost(store);
    });
    afterEach(() => cleanup());

    it('keeps one record per source and target; a resend updates it', async () => {
      const first = await store.webmentions.receive({ source: 'https://b.example/r', target: 'https://a.example/hello', postId: post.id, via: 'webmention' }, NOW);
      assert.equal(first.status, 'queued');
      await store.webmentions.updateReceived(first.id, { status: 'verified', type: 'like', authorName: 'Bea', authorUrl: 'https://b.example/', verifiedAt: NOW + 1 }, NOW + 1);
      const again = await store.webmentions.receive({ source: 'https://b.example/r', target: 'https://a.example/hello', postId: post.id, via: 'pingback' }, NOW + 5);
      assert.equal(again.id, first.id);
      assert.equal(again.receivedAt, NOW + 5);
      assert.equal(again.via, 'pingback');
      assert.equal(again.type, 'like', 'what was verified stays until the new verification');
      const other = await store.webmentions.receive({ source: 'https://c.example/r', target: 'https://a.example/hello', postId: post.id, via: 'webmention' }, NOW + 6);
      assert.notEqual(other.id, first.id);
      assert.deepEqual((await store.webmentions.listVerified(post.id)).map((m) => [m.id, m.authorName, m.authorUrl, m.status]), [[first.id, 'Bea', 'https://b.example/', 'verified']]);
      assert.deepEqual((await store.webmentions.listReceived(post.id)).map((m) => m.id), [other.id, first.id], 'newest first, any status');
      const found = await store.webmentions.findReceived(first.id);
      assert.equal(found?.verifiedAt, NOW + 1);
      assert.equal(await store.webmentions.findReceived(9999), null);
    });

    it('imports a mention as it stood elsewhere, once per source and target', async () => {
      const input = {
        source: 'https://b.example/ping', target: 'http://old.example/2019/03/05/hello/', postId: post.id, via: 'trackback' as const, status: 'verified' as const, reason: null,
        type: 'mention' as const, authorName: 'Ping « B', authorUrl: null, content: '[…] a mention […]', url: 'https://b.example/ping', publishedAt: NOW - 10, receivedAt: NOW - 10, verifiedAt: NOW - 10,
      };
      const { mention, created } = await store.webmentions.importReceived(input, NOW);
      assert.equal(created, true);
      assert.deepEqual({ ...mention, id: 0 }, { ...input, id: 0, authorPhoto: null, commentId: null, personId: null, updatedAt: NOW });
      const again = await store.webmentions.importReceived({ ...input, status: 'rejected', reason: 'spam' }, NOW + 1);
      assert.deepEqual(again, { mention, created: false }, 'the record already there is kept as it is');
      assert.deepEqual(await store.webmentions.findReceived(mention.id), mention);
      assert.deepEqual((await store.webmentions.listVerified(post.id)).map((m) => [m.id, m.via, m.receivedAt]), [[mention.id, 'trackback', NOW - 10]]);
    });

    it('lists the sources of the comments replies became, in one call per post', async () => {
      const comment = (name: string) =>
        store.comments.create({ postId: post.id, parentId: null, personId: null, userId: null, authorName: name, authorEmail: '', authorUrl: null, markdown: 'hi', html: '<p>hi</p>', status: 'approved', createdAt: NOW, moderationReasons: [], source: 'webmention', ip: null });
      const [c1, c2] = [await comment('Bea'), await comment('Cy')];
      const r1 = await store.webmentions.receive({ source: 'https://b.example/r', target: 'https://a.example/hello', postId: post.id, via: 'webmention' }, NOW);
      await store.webmentions.updateReceived(r1.id, { status: 'verified', type: 'reply', url: 'https://b.example/notes/1', commentId: c1.id }, NOW);
      const r2 = await store.webmentions.receive({ source: 'https://c.example/r', target: 'https://a.example/hello', postId: post.id, via: 'pingback' }, NOW);
      await store.webmentions.updateReceived(r2.id, { status: 'verified', type: 'reply', commentId: c2.id }, NOW);
      await store.webmentions.receive({ source: 'https://d.example/like', target: 'https://a.example/hello', postId: post.id, via: 'webmention' }, NOW);
      assert.deepEqual(await store.webmentions.replySources(post.id), [
        { commentId: c1.id, source: 'https://b.example/r', url: 'https://b.example/notes/1' },
        { commentId: c2.id, source: 'https://c.example/r', url: null },
      ]);
      assert.deepEqual(await store.webmentions.replySources(post.id + 1), []);
    });

    it('recognises a person by website, creating them once', async () => {
      const a = await store.webmentions.personForWebsite({ name: 'Bea', website: 'https://b.example/' }, NOW);
      const b = await store.webmentions.personForWebsite({ name: 'Bea B.', website: 'https://b.example/' }, NOW + 1);
      assert.equal(a.id, b.id);
      assert.equal(a.email, null);
      assert.equal((await store.people.findById(a.id))?.website, 'https://b.example/');
    });

    it('records each notified link of a post, updating attempts and answers', async () => {
      await store.webmentions.recordSent(post.id, 'https://b.example/x', { status: 'queued' }, NOW);
      await store.webmentions.recordSent(post.id, 'https://b.example/x', { status: 'failed', endpoint: 'https://b.example/wm', httpStatus: 503, error: 'Service Unavailable', attempted: true }, NOW + 1);
      const sent = await store.webmentions.recordSent(post.id, 'https://b.example/x', { status: 'sent', httpStatus: 202, error: null, attempted: true }, NOW + 2);
      assert.deepEqual({ ...sent, id: 0 }, { id: 0, postId: post.id, target: 'https://b.example/x', endpoint: 'https://b.example/wm', protocol: 'webmention', status: 'sent', httpStatus: 202, error: null, attempts: 2, updatedAt: NOW + 2 });
      await store.webmentions.recordSent(post.id, 'https://a.example/none', { status: 'no-endpoint', attempted: true }, NOW + 3);
      const pinged = await store.webmentions.recordSent(post.id, 'https://wp.example/p', { status: 'sent', protocol: 'pingback', endpoint: 'https://wp.example/xmlrpc.php', httpStatus: 200, attempted: true }, NOW + 4);
      assert.equal(pinged.protocol, 'pingback');
      assert.deepEqual((await store.webmentions.listSent(post.id)).map((s) => [s.target, s.status]), [['https://a.example/none', 'no-endpoint'], ['https://b.example/x', 'sent'], ['https://wp.example/p', 'sent']]);
    });
  });
}

forEachEngine('WebmentionRepository', webmentionsContract);
