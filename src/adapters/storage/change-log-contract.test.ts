import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Store } from '../../core/store.ts';
import { forEachEngine, type OpenStore } from './test-engines.ts';

// Ahead of the clock, so the first entry (written when the log was made) counts as old.
const NOW = Date.now() + 10 * 86_400_000;
const HOUR = 3_600_000;

function changeLogContract(name: string, open: OpenStore): void {
  describe(name, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });
    afterEach(() => cleanup());

    it('starts with one entry, so the newest id always names an entry', async () => {
      const head = await store.changeLog.head();
      assert.ok(head > 0);
      assert.deepEqual(await store.changeLog.after(head, { limit: 10 }), []);
    });

    it('numbers appended topics in order, and reads what came after an id, by prefix too', async () => {
      const start = await store.changeLog.head();
      const first = await store.changeLog.append(['comments-changed:7', 'comment-approved:7:41'], NOW);
      const second = await store.changeLog.append(['comment-approved:70:3', 'comment-approved:7:42'], NOW + 1);
      const all = [...first, ...second];
      assert.deepEqual(all.map((e) => e.topic), ['comments-changed:7', 'comment-approved:7:41', 'comment-approved:70:3', 'comment-approved:7:42']);
      for (let i = 1; i < all.length; i++) assert.ok(all[i].id > all[i - 1].id, 'ids grow');
      assert.equal(await store.changeLog.head(), all[3].id);

      assert.deepEqual(await store.changeLog.after(start, { limit: 10 }), all);
      assert.deepEqual((await store.changeLog.after(start, { limit: 2 }))!.map((e) => e.topic), ['comments-changed:7', 'comment-approved:7:41']);
      // The prefix is exact: post 7's approvals, not post 70's.
      assert.deepEqual((await store.changeLog.after(start, { limit: 10, prefix: 'comment-approved:7:' }))!.map((e) => e.id), [all[1].id, all[3].id]);
      assert.deepEqual((await store.changeLog.after(all[1].id, { limit: 10, prefix: 'comment-approved:7:' }))!.map((e) => e.id), [all[3].id]);
      assert.equal((await store.changeLog.after(start, { limit: 10 }))![2].at, NOW + 1);
    });

    it('cannot tell what came after an id it does not hold', async () => {
      const [event] = await store.changeLog.append(['settings-changed'], NOW);
      assert.equal(await store.changeLog.after(event.id + 1000, { limit: 10 }), null, 'an id from the future (another database)');
      assert.equal(await store.changeLog.after(0, { limit: 10 }), null);
    });

    it('reads after an id only when it is within a bound of the newest', async () => {
      const start = await store.changeLog.head();
      const events = await store.changeLog.append(['comment-approved:7:1', 'settings-changed', 'comment-approved:7:2'], NOW);
      assert.deepEqual((await store.changeLog.after(start, { limit: 10, prefix: 'comment-approved:7:', within: 3 }))!.map((e) => e.id), [events[0].id, events[2].id]);
      assert.equal(await store.changeLog.after(start, { limit: 10, prefix: 'comment-approved:7:', within: 2 }), null, 'three came after it, more than two');
      assert.deepEqual((await store.changeLog.after(events[0].id, { limit: 10, within: 2 }))!.map((e) => e.id), [events[1].id, events[2].id]);
    });

    it('prunes entries older than a time, always keeping the newest', async () => {
      const start = await store.changeLog.head();
      const old = await store.changeLog.append(['a', 'b'], NOW - 48 * HOUR);
      const recent = await store.changeLog.append(['c'], NOW);
      assert.ok((await store.changeLog.prune(NOW - 24 * HOUR)) >= 2);
      assert.equal(await store.changeLog.after(old[1].id, { limit: 10 }), null, 'what came after a pruned id cannot be told');
      assert.equal(await store.changeLog.after(start, { limit: 10 }), null);
      assert.deepEqual(await store.changeLog.after(recent[0].id, { limit: 10 }), []);

      // Nothing recent at all: the newest entry stays, so the head still names an entry.
      assert.equal(await store.changeLog.prune(NOW + 48 * HOUR), 0);
      assert.equal(await store.changeLog.head(), recent[0].id);
      assert.deepEqual(await store.changeLog.after(recent[0].id, { limit: 10 }), []);
    });

    it('rolls an append back with its transaction', async () => {
      const head = await store.changeLog.head();
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.changeLog.append(['comments-changed:1'], NOW);
          throw new Error('rolled back');
        }),
        /rolled back/,
      );
      assert.deepEqual(await store.changeLog.after(head, { limit: 10 }), []);
    });
  });
}

forEachEngine('the change log', changeLogContract);
