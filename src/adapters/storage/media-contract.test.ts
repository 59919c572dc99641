import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { PostWrite, Store, Upload } from '../../core/store.ts';
import { forEachEngine, type OpenStore } from './test-engines.ts';

const NOW = Date.UTC(2024, 0, 15, 12);
const h = (ch: string) => ch.repeat(64);

function upload(hash: string, over: Partial<Upload> = {}): Upload {
  return {
    hash, mime: 'image/png', size: 3, originalName: `${hash.slice(0, 4)}.png`, data: new Uint8Array([1, 2, 3]), uploaderId: 1, createdAt: NOW,
    width: 2000, height: 1000, alt: '', caption: '', ...over,
  };
}

function postWrite(authorId: number, slug: string, over: Partial<PostWrite> = {}): PostWrite {
  return {
    type: 'post', slug, title: `Title of ${slug}`, markdown: 'Words.', html: '<p>Words.</p>', excerpt: 'Words.', status: 'published', visibility: 'public',
    publishedAt: NOW, authorId, coverImage: null, commentsMode: 'inherit', commentsCloseDays: null, tags: [], ...over,
  };
}

const variant = (width: number, height: number, bytes: number[]) => ({ width, height, mime: 'image/webp', data: new Uint8Array(bytes) });

function mediaContract(name: string, open: OpenStore): void {
  describe(name, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeEach(async () => ({ store, cleanup } = await open()));
    afterEach(() => cleanup());

    it('keeps size, alt text and caption; saving the same bytes again fills an empty alt text and changes nothing else', async () => {
      const first = await store.uploads.save(upload(h('a')));
      assert.deepEqual([first.width, first.height, first.alt, first.caption], [2000, 1000, '', '']);
      const again = await store.uploads.save(upload(h('a'), { alt: 'A red field', originalName: 'other.png', createdAt: NOW + 5 }));
      assert.deepEqual([again.alt, again.originalName, again.createdAt], ['A red field', 'aaaa.png', NOW]);
      const third = await store.uploads.save(upload(h('a'), { alt: 'Something else' }));
      assert.equal(third.alt, 'A red field', 'an alt text once written is not replaced by a later upload');
      assert.deepEqual(await store.uploads.info(h('a')), third);
      assert.equal(await store.uploads.info(h('b')), null);
    });

    it('describes an upload (alt text and caption), and says when there is none', async () => {
      await store.uploads.save(upload(h('a')));
      const described = await store.uploads.describe(h('a'), { alt: 'Dunes at dusk', caption: 'Taken from the ferry' });
      assert.deepEqual([described?.alt, described?.caption], ['Dunes at dusk', 'Taken from the ferry']);
      assert.equal((await store.uploads.find(h('a')))?.caption, 'Taken from the ferry');
      assert.equal(await store.uploads.describe(h('b'), { alt: '', caption: '' }), null);
    });

    it('lists newest first with a total, pages, and searches the file name and alt text, case aside', async () => {
      await store.uploads.save(upload(h('a'), { originalName: 'Beach.png', createdAt: NOW }));
      await store.uploads.save(upload(h('b'), { originalName: 'city.jpg', alt: 'The old BEACH road', createdAt: NOW + 1 }));
      await store.uploads.save(upload(h('c'), { originalName: 'snow_100%.png', createdAt: NOW + 2 }));
      const all = await store.uploads.list({ limit: 2, offset: 0 });
      assert.deepEqual([all.items.map((u) => u.hash), all.total], [[h('c'), h('b')], 3]);
      assert.deepEqual((await store.uploads.list({ limit: 2, offset: 2 })).items.map((u) => u.hash), [h('a')]);
      const beach = await store.uploads.list({ q: 'beach', limit: 10, offset: 0 });
      assert.deepEqual([beach.items.map((u) => u.hash), beach.total], [[h('b'), h('a')], 2]);
      assert.deepEqual((await store.uploads.list({ q: '100%', limit: 10, offset: 0 })).items.map((u) => u.hash), [h('c')], '% is a character, not a wildcard');
      assert.deepEqual((await store.uploads.list({ q: '_', limit: 10, offset: 0 })).items.map((u) => u.hash), [h('c')], '_ is a character, not a wildcard');
      assert.equal((await store.uploads.list({ q: 'mountain', limit: 10, offset: 0 })).total, 0);
    });

    it('finds the posts and pages whose Markdown, HTML or cover name an upload, trashed ones too', async () => {
      const owner = await store.users.create({ email: 'o@example.com', name: 'O', slug: 'o', bio: '', role: 'owner', passwordHash: null, createdAt: NOW });
      const inText = await store.posts.create(postWrite(owner.id, 'in-text', { markdown: `![x](/uploads/${h('a')}.png)`, html: `<p><img src="/uploads/${h('a')}.png" alt="x"></p>` }), NOW);
      const cover = await store.posts.create(postWrite(owner.id, 'cover', { type: 'page', status: 'draft', publishedAt: null, coverImage: `/uploads/${h('a')}.png` }), NOW);
      const htmlOnly = await store.posts.create(postWrite(owner.id, 'html-only', { markdown: 'imported', html: `<img src="/uploads/${h('b')}.jpg">` }), NOW);
      await store.posts.trash(htmlOnly.id, NOW);
      await store.posts.create(postWrite(owner.id, 'other'), NOW);
      const uses = await store.uploads.usage([h('a'), h('b'), h('c'), 'not-a-hash']);
      assert.deepEqual(
        uses.get(h('a'))?.map((u) => [u.postId, u.slug, u.type, u.status, u.trashed]),
        [[inText.id, 'in-text', 'post', 'published', false], [cover.id, 'cover', 'page', 'draft', false]],
      );
      assert.deepEqual(uses.get(h('b'))?.map((u) => [u.postId, u.title, u.trashed]), [[htmlOnly.id, 'Title of html-only', true]]);
      assert.equal(uses.has(h('c')), false);
      assert.equal((await store.uploads.usage([])).size, 0);

      // An edit that takes the image out, and a post deleted for good, no longer count.
      await store.posts.update(inText.id, postWrite(owner.id, 'in-text', { markdown: 'No picture now.', html: '<p>No picture now.</p>' }), NOW + 1);
      await store.posts.purge(htmlOnly.id);
      const after = await store.uploads.usage([h('a'), h('b')]);
      assert.deepEqual(after.get(h('a'))?.map((u) => u.slug), ['cover']);
      assert.equal(after.has(h('b')), false);
    });

    it('records variants (replacing earlier ones) and the size, gives them back, and says what pages need', async () => {
      await store.uploads.save(upload(h('a'), { width: null, height: null, caption: 'Dusk' }));
      await store.uploads.save(upload(h('b'), { createdAt: NOW + 1 }));
      assert.deepEqual(await store.uploads.unprocessed(10), [h('a'), h('b')]);
      await store.uploads.saveVariants(h('a'), { width: 1200, height: 600 }, [variant(960, 480, [9]), variant(480, 240, [4, 8])], NOW);
      assert.deepEqual(await store.uploads.unprocessed(10), [h('b')]);
      const info = await store.uploads.info(h('a'));
      assert.deepEqual([info?.width, info?.height], [1200, 600]);
      const small = await store.uploads.findVariant(h('a'), 480);
      assert.deepEqual(small && { ...small, data: [...small.data] }, { width: 480, height: 240, mime: 'image/webp', data: [4, 8] });
      assert.equal(await store.uploads.findVariant(h('a'), 1600), null);

      await store.uploads.saveVariants(h('b'), { width: 300, height: 200 }, [], NOW);
      const images = await store.uploads.images([h('a'), h('b'), h('c')]);
      assert.deepEqual(images.get(h('a')), { hash: h('a'), mime: 'image/png', width: 1200, height: 600, caption: 'Dusk', variantWidths: [480, 960], processed: true });
      assert.deepEqual(images.get(h('b'))?.variantWidths, []);
      assert.equal(images.get(h('b'))?.processed, true, 'processed, with no variant needed');
      assert.equal(images.has(h('c')), false);

      await store.uploads.saveVariants(h('a'), { width: 1200, height: 600 }, [variant(480, 240, [1])], NOW + 1);
      assert.deepEqual((await store.uploads.images([h('a')])).get(h('a'))?.variantWidths, [480], 'the new set replaces the old');
      await store.uploads.saveVariants(h('z'), { width: 1, height: 1 }, [variant(480, 240, [1])], NOW);
      assert.equal(await store.uploads.findVariant(h('z'), 480), null, 'nothing is recorded for an upload that is gone');
    });

    it('deletes an upload with its variants', async () => {
      await store.uploads.save(upload(h('a')));
      await store.uploads.saveVariants(h('a'), { width: 2000, height: 1000 }, [variant(480, 240, [1])], NOW);
      assert.equal(await store.uploads.delete(h('a')), true);
      assert.equal(await store.uploads.find(h('a')), null);
      assert.equal(await store.uploads.findVariant(h('a'), 480), null);
      assert.equal(await store.uploads.delete(h('a')), false);
      // The same bytes uploaded again start over: no variants left behind.
      await store.uploads.save(upload(h('a')));
      assert.deepEqual(await store.uploads.unprocessed(10), [h('a')]);
    });
  });
}

forEachEngine('media library repository', mediaContract);
