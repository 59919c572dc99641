import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { PostWrite, Store } from '../../core/store.ts';
import { forEachEngine, type OpenStore } from './test-engines.ts';

const NOW = Date.UTC(2026, 4, 1, 9);

function postWrite(authorId: number, slug: string, over: Partial<PostWrite> = {}): PostWrite {
  return {
    type: 'post', slug, title: `Title of ${slug}`, markdown: 'Words.', html: '<p>Words.</p>', excerpt: 'Words.', status: 'draft', visibility: 'public',
    publishedAt: null, authorId, coverImage: null, commentsMode: 'inherit', commentsCloseDays: null, tags: [], ...over,
  };
}

const seo = { metaDescription: 'A walk by the river at dawn.', socialImage: '/uploads/card.png', canonicalUrl: 'https://elsewhere.example/walk' };

function postSeoContract(name: string, open: OpenStore): void {
  describe(name, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let authorId: number;
    beforeEach(async () => {
      ({ store, cleanup } = await open());
      authorId = (await store.users.create({ email: 'a@example.com', name: 'A', slug: 'a', bio: '', role: 'owner', passwordHash: null, createdAt: NOW })).id;
    });
    afterEach(() => cleanup());

    it('keeps the SEO fields; an update that leaves them out keeps them, null clears them', async () => {
      const created = await store.posts.create(postWrite(authorId, 'walk', seo), NOW);
      assert.deepEqual([created.metaDescription, created.socialImage, created.canonicalUrl], [seo.metaDescription, seo.socialImage, seo.canonicalUrl]);
      const kept = await store.posts.update(created.id, postWrite(authorId, 'walk', { title: 'Renamed' }), NOW + 1);
      assert.deepEqual([kept.title, kept.metaDescription, kept.socialImage, kept.canonicalUrl], ['Renamed', seo.metaDescription, seo.socialImage, seo.canonicalUrl]);
      const cleared = await store.posts.update(created.id, postWrite(authorId, 'walk', { metaDescription: null, socialImage: null, canonicalUrl: null }), NOW + 2);
      assert.deepEqual([cleared.metaDescription, cleared.socialImage, cleared.canonicalUrl], [null, null, null]);
      const plain = await store.posts.create(postWrite(authorId, 'plain'), NOW);
      assert.deepEqual([plain.metaDescription, plain.socialImage, plain.canonicalUrl], [null, null, null]);
    });

    it('travels through the archive (export, backup) with the post', async () => {
      const created = await store.posts.create(postWrite(authorId, 'walk', seo), NOW);
      const page = await store.archive.read('posts', null, 10);
      const record = page.find((p) => p.id === created.id)!;
      assert.deepEqual([record.metaDescription, record.socialImage, record.canonicalUrl], [seo.metaDescription, seo.socialImage, seo.canonicalUrl]);
      assert.equal('creationKey' in record, false, 'the editor key is not content');
    });

    it('finds a post by its author and editor key; a second create with the key is refused', async () => {
      const created = await store.posts.create(postWrite(authorId, 'keyed', { creationKey: 'k'.repeat(24) }), NOW);
      assert.equal((await store.posts.findByCreationKey(authorId, 'k'.repeat(24)))?.id, created.id);
      assert.equal(await store.posts.findByCreationKey(authorId + 1, 'k'.repeat(24)), null);
      assert.equal(await store.posts.findByCreationKey(authorId, 'j'.repeat(24)), null);
      await assert.rejects(store.posts.create(postWrite(authorId, 'keyed-again', { creationKey: 'k'.repeat(24) }), NOW), (e: Error & { code?: string }) => e.code === 'conflict');
      // Posts without a key (imports, the API) never collide.
      await store.posts.create(postWrite(authorId, 'free-1'), NOW);
      await store.posts.create(postWrite(authorId, 'free-2'), NOW);
    });
  });
}

forEachEngine('post SEO fields and editor keys', postSeoContract);
