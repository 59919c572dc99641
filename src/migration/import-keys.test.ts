import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ImportKind, ImportRepository } from '../core/store.ts';
import { MemoryStore } from '../adapters/storage/memory-store.ts';
import { ImportKeys } from './import-keys.ts';

/** The store's import keys, counting the look-ups that reach it. */
function counted(repository: ImportRepository): ImportRepository & { lookups: number } {
  const wrapper = {
    lookups: 0,
    findKey: (source: string, kind: ImportKind, id: string) => (wrapper.lookups++, repository.findKey(source, kind, id)),
    saveKey: repository.saveKey.bind(repository),
    hasKeys: repository.hasKeys.bind(repository),
    saveLegacyPath: repository.saveLegacyPath.bind(repository),
    findLegacyPath: repository.findLegacyPath.bind(repository),
    legacyPathsOf: repository.legacyPathsOf.bind(repository),
  };
  return wrapper;
}

describe('ImportKeys', () => {
  it('on a first import, answers "none" without asking the store, and finds what the run saved', async () => {
    const repository = counted(new MemoryStore().imports);
    const keys = new ImportKeys(repository, 'wordpress');
    for (let i = 0; i < 1000; i++) assert.equal(await keys.find('comment', `https://blog.example/?p=1#1#comment-${i}`), null);
    assert.ok(repository.lookups < 5, `${repository.lookups} look-ups reached the store`);
    await keys.save('comment', 'https://blog.example/?p=1#1#comment-7', 42);
    assert.equal(await keys.find('comment', 'https://blog.example/?p=1#1#comment-7'), 42);
    // The same external id under another kind is another key.
    assert.equal(await keys.find('post', 'https://blog.example/?p=1#1#comment-7'), null);
    assert.equal(await repository.findKey('wordpress', 'comment', 'https://blog.example/?p=1#1#comment-7'), 42);
  });

  it('asks the store every time when the source was imported before', async () => {
    const store = new MemoryStore();
    await store.imports.saveKey('wordpress', 'post', 'https://blog.example/?p=1#1', 5);
    const repository = counted(store.imports);
    const keys = new ImportKeys(repository, 'wordpress');
    assert.equal(await keys.find('post', 'https://blog.example/?p=1#1'), 5);
    assert.equal(await keys.find('post', 'https://blog.example/?p=2#2'), null);
    assert.equal(repository.lookups, 2);
    // Keys of another source do not count.
    const disqus = counted(store.imports);
    assert.equal(await new ImportKeys(disqus, 'disqus').find('comment', '123'), null);
    assert.equal(disqus.lookups, 0);
  });
});
