import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { archiveTables, eachRecord, type ArchiveRecords, type ArchiveTable } from '../../core/archive.ts';
import type { Store } from '../../core/store.ts';
import { FIXTURE_TIME, seedSite } from '../../migration/site-fixture.ts';
import { forEachEngine, type OpenStore } from './test-engines.ts';

async function readAll<T extends ArchiveTable>(store: Store, table: T, pageSize = 2): Promise<Array<ArchiveRecords[T]>> {
  const records: Array<ArchiveRecords[T]> = [];
  for await (const record of eachRecord(store.archive, table, pageSize)) records.push(record);
  return records;
}

function archiveContract(name: string, open: OpenStore): void {
  describe(name, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    const others: Array<() => Promise<void>> = [];

    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });
    afterEach(async () => {
      for (const done of others.splice(0)) await done();
      await cleanup();
    });

    it('reads every record of every table once, in key order, a page at a time', async () => {
      const { postIds, commentIds } = await seedSite(store);
      const posts = await readAll(store, 'posts');
      assert.deepEqual(posts.map((p) => p.id), [...postIds].sort((a, b) => a - b));
      const hello = posts.find((p) => p.slug === 'hello-world')!;
      assert.deepEqual(hello.oldSlugs, ['hello']);
      assert.equal(hello.tagIds.length, 2);
      assert.equal(posts.find((p) => p.slug === 'gone')?.deletedAt, FIXTURE_TIME + 60);
      const comments = await readAll(store, 'comments');
      assert.deepEqual(comments.map((c) => c.id), [...commentIds].sort((a, b) => a - b));
      assert.deepEqual(comments.find((c) => c.status === 'spam')?.moderationReasons, ['the spam filter is 99% sure']);
      assert.equal(comments.find((c) => c.status === 'spam')?.learnedAs, 'spam');
      assert.equal((await readAll(store, 'uploads'))[0].data[0], 137);
      assert.deepEqual(await readAll(store, 'spamTotals'), [
        { label: 'ham', documents: 1 },
        { label: 'spam', documents: 1 },
      ]);
      for (const table of archiveTables) assert.equal(await store.archive.count(table), (await readAll(store, table)).length, table);
    });

    it('pages string keys bytewise, the same on every engine', async () => {
      await store.settings.set({ b: '1', B: '2', 'é': '3', a: '4', Z: '5' });
      assert.deepEqual((await readAll(store, 'settings')).map((s) => s.key), ['B', 'Z', 'a', 'b', 'é']);
    });

    it('reads webmentions, import keys and old addresses in the same order on every engine', async () => {
      await seedSite(store);
      const [post] = await readAll(store, 'posts');
      const write = { ...post, tags: [], slug: 'zz-first' };
      const renamed = await store.posts.create(write, FIXTURE_TIME);
      for (const slug of ['b-second', 'final']) await store.posts.update(renamed.id, { ...write, slug }, FIXTURE_TIME);
      assert.deepEqual((await readAll(store, 'posts')).find((p) => p.id === renamed.id)?.oldSlugs, ['b-second', 'zz-first']);
      await store.imports.saveKey('wordpress', 'post', 'https://old.example/?p=12#12a', renamed.id);
      await store.imports.saveKey('disqus', 'comment', '42', 1);
      assert.deepEqual((await readAll(store, 'importKeys')).map((k) => [k.source, k.kind, k.externalId]), [
        ['disqus', 'comment', '42'],
        ['wordpress', 'comment', 'https://old.example/?p=12#12#comment-3'],
        ['wordpress', 'post', 'https://old.example/?p=12#12'],
        ['wordpress', 'post', 'https://old.example/?p=12#12a'],
        ['wordpress', 'user', 'ada'],
      ]);
      assert.deepEqual((await readAll(store, 'legacyPaths')).map((l) => l.path), ['/2019/03/hello', '?p=12']);
      assert.deepEqual((await readAll(store, 'postRevisions')).map((r) => [r.kind, r.title, r.createdAt]), [
        ['revision', 'Hello', FIXTURE_TIME],
        ['revision', 'Hello <world> & "friends"', FIXTURE_TIME + 10],
        ['autosave', 'Hello <world>', FIXTURE_TIME + 600],
      ]);
      const mentions = await readAll(store, 'webmentions');
      assert.deepEqual(mentions.map((m) => [m.status, m.via, m.type]), [['verified', 'webmention', 'reply'], ['queued', 'pingback', null]]);
      assert.equal(mentions[0].verifiedAt, FIXTURE_TIME + 510);
      assert.deepEqual((await readAll(store, 'webmentionsSent')).map((s) => [s.target, s.status, s.httpStatus, s.attempts]), [
        ['https://elsewhere.example/post', 'sent', 202, 1],
        ['https://quiet.example/', 'no-endpoint', null, 1],
      ]);
    });

    it('writes records back with their ids, and new records get ids above them', async () => {
      await seedSite(store);
      const copy = await open();
      others.push(copy.cleanup);
      await copy.store.transaction(async (tx) => {
        await tx.archive.clear();
        for (const table of archiveTables) await tx.archive.write(table, await readAll(store, table));
        await tx.archive.finish();
      });
      for (const table of archiveTables) assert.deepEqual(await readAll(copy.store, table), await readAll(store, table), table);
      const comments = await readAll(store, 'comments');
      const next = await copy.store.comments.create({
        postId: comments[0].postId, parentId: comments[0].id, personId: null, userId: null, authorName: 'New', authorEmail: 'new@example.com', authorUrl: null,
        markdown: 'New', html: '<p>New</p>', status: 'approved', createdAt: FIXTURE_TIME + 1000,
      });
      assert.ok(next.id > Math.max(...comments.map((c) => c.id)));
      assert.equal(next.depth, comments[0].depth + 1);
    });

    it('replaces the value of settings and spam counts already there', async () => {
      await store.settings.set({ title: 'Old', kept: 'yes' });
      await store.spamModel.learn(['word'], 'spam', 1);
      await store.archive.write('settings', [{ key: 'title', value: 'New' }]);
      await store.archive.write('spamTokens', [{ token: 'word', spam: 7, ham: 2 }]);
      await store.archive.write('spamTotals', [{ label: 'spam', documents: 9 }]);
      assert.deepEqual(await store.settings.getAll(), { title: 'New', kept: 'yes' });
      assert.deepEqual(await readAll(store, 'spamTokens'), [{ token: 'word', spam: 7, ham: 2 }]);
      assert.deepEqual(await store.spamModel.totals(), { spam: 9, ham: 0 });
    });

    it('clears every record but the settings', async () => {
      await seedSite(store);
      await store.sessions.create({ idHash: 'h', userId: 1, csrfToken: 'c', createdAt: 1, expiresAt: FIXTURE_TIME * 2 });
      await store.archive.clear();
      for (const table of archiveTables.filter((t) => t !== 'settings' && t !== 'spamTotals')) assert.equal(await store.archive.count(table), 0, table);
      assert.deepEqual(await readAll(store, 'spamTotals'), [
        { label: 'ham', documents: 0 },
        { label: 'spam', documents: 0 },
      ]);
      assert.equal((await store.settings.getAll()).title, 'My blog');
      assert.equal(await store.sessions.find('h', FIXTURE_TIME), null);
    });

    it('reads one consistent snapshot while others write', async () => {
      await seedSite(store);
      const person = { name: 'Late', email: 'late@example.com', website: null };
      let outside: Promise<unknown> | null = null;
      await store.archive.snapshot(async (archive) => {
        const before = await archive.count('people');
        // On PostgreSQL the write commits on another connection meanwhile; elsewhere it waits for the snapshot.
        outside = store.people.upsertByEmail(person, FIXTURE_TIME);
        if (store.kind === 'postgres') await outside;
        assert.equal(await archive.count('people'), before);
      });
      await outside;
      assert.ok(await store.people.findByEmail('late@example.com'));
    });
  });
}

forEachEngine('ArchiveRepository', archiveContract);
