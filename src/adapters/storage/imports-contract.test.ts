import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Store } from '../../core/store.ts';
import { forEachEngine, type OpenStore } from './test-engines.ts';

const NOW = Date.UTC(2024, 0, 15, 12);

async function seedPost(store: Store, slug: string) {
  const user = (await store.users.findByEmail('author@example.com')) ??
    (await store.users.create({ email: 'author@example.com', name: 'Author', slug: 'author', bio: '', role: 'owner', passwordHash: null, createdAt: NOW }));
  return store.posts.create(
    {
      type: 'post', slug, title: slug, markdown: 'Hi.', html: '<p>Hi.</p>', excerpt: 'Hi.', status: 'published', visibility: 'public',
      publishedAt: NOW, authorId: user.id, coverImage: null, tags: [], commentsMode: 'inherit', commentsCloseDays: null,
    },
    NOW,
  );
}

function importsContract(name: string, open: OpenStore): void {
  describe(name, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeEach(async () => ({ store, cleanup } = await open()));
    afterEach(() => cleanup());

    it('remembers what an imported item became, per source and kind, and re-points it', async () => {
      assert.equal(await store.imports.findKey('wordpress', 'post', 'http://example.com/?p=1'), null);
      await store.imports.saveKey('wordpress', 'post', 'http://example.com/?p=1', 7);
      await store.imports.saveKey('disqus', 'post', 'http://example.com/?p=1', 9);
      assert.equal(await store.imports.findKey('wordpress', 'post', 'http://example.com/?p=1'), 7);
      assert.equal(await store.imports.findKey('wordpress', 'comment', 'http://example.com/?p=1'), null);
      assert.equal(await store.imports.findKey('disqus', 'post', 'http://example.com/?p=1'), 9);
      await store.imports.saveKey('wordpress', 'post', 'http://example.com/?p=1', 8);
      assert.equal(await store.imports.findKey('wordpress', 'post', 'http://example.com/?p=1'), 8);
    });

    it('tells whether anything was ever imported from a source', async () => {
      assert.equal(await store.imports.hasKeys('wordpress'), false);
      await store.imports.saveKey('disqus', 'comment', '123', 1);
      assert.equal(await store.imports.hasKeys('wordpress'), false);
      assert.equal(await store.imports.hasKeys('disqus'), true);
    });

    it('finds a post by an old address; a reused address moves to the newer post', async () => {
      const first = await seedPost(store, 'first');
      const second = await seedPost(store, 'second');
      await store.imports.saveLegacyPath('/2019/03/hello', first.id);
      await store.imports.saveLegacyPath('?p=12', first.id);
      assert.equal(await store.imports.findLegacyPath('/2019/03/hello'), first.id);
      assert.equal(await store.imports.findLegacyPath('/2019/03/other'), null);
      await store.imports.saveLegacyPath('/2019/03/hello', second.id);
      assert.equal(await store.imports.findLegacyPath('/2019/03/hello'), second.id);
      assert.deepEqual(await store.imports.legacyPathsOf(first.id), ['?p=12']);
    });

    it('rolls keys and addresses back with the transaction that wrote them', async () => {
      const post = await seedPost(store, 'kept');
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.imports.saveKey('disqus', 'comment', '123', 1);
          await tx.imports.saveLegacyPath('/kept', post.id);
          throw new Error('abort');
        }),
        /abort/,
      );
      assert.equal(await store.imports.findKey('disqus', 'comment', '123'), null);
      assert.equal(await store.imports.findLegacyPath('/kept'), null);
    });
  });
}

forEachEngine('ImportRepository', importsContract);
