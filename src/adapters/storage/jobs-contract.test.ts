import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Store } from '../../core/store.ts';
import { forEachEngine, type OpenStore } from './test-engines.ts';

const NOW = Date.UTC(2024, 0, 15, 12);
const LOCK = 60_000;

function jobsContract(name: string, open: OpenStore): void {
  describe(name, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });
    afterEach(() => cleanup());

    it('records a job once per key, pending and due at once, with its payload', async () => {
      assert.equal(await store.jobs.enqueue({ kind: 'webmention-send', key: 'send:1:a', payload: { target: 'https://a.example/', n: 1 } }, NOW), true);
      assert.equal(await store.jobs.enqueue({ kind: 'webmention-send', key: 'send:1:a', payload: { target: 'other' } }, NOW), false);
      const { items, total } = await store.jobs.list({ limit: 10, offset: 0 });
      assert.equal(total, 1);
      assert.deepEqual(items[0], {
        id: items[0].id, kind: 'webmention-send', key: 'send:1:a', payload: { target: 'https://a.example/', n: 1 }, status: 'pending', attempts: 0, runAt: NOW, lastError: null, createdAt: NOW, finishedAt: null,
      });
    });

    it('claims due jobs in order, and never the same job twice while locked', async () => {
      await store.jobs.enqueue({ kind: 'k', key: 'later', payload: {}, runAt: NOW + 10_000 }, NOW);
      await store.jobs.enqueue({ kind: 'k', key: 'first', payload: {} }, NOW);
      await store.jobs.enqueue({ kind: 'k', key: 'second', payload: {} }, NOW);
      const claimed = await store.jobs.claimDue(NOW, 10, LOCK);
      assert.deepEqual(claimed.map((j) => j.key), ['first', 'second']);
      assert.deepEqual(await store.jobs.claimDue(NOW + 1000, 10, LOCK), []);
      // The lock runs out (a worker died): the jobs are claimed again, with the one now due.
      assert.deepEqual((await store.jobs.claimDue(NOW + LOCK + 10_000, 10, LOCK)).map((j) => j.key), ['first', 'second', 'later']);
    });

    it('two claims racing take different jobs', async () => {
      for (let i = 0; i < 6; i++) await store.jobs.enqueue({ kind: 'k', key: `j${i}`, payload: {} }, NOW);
      const [a, b] = await Promise.all([store.jobs.claimDue(NOW, 3, LOCK), store.jobs.claimDue(NOW, 3, LOCK)]);
      const ids = [...a, ...b].map((j) => j.id);
      assert.equal(new Set(ids).size, ids.length, 'no job claimed twice');
    });

    it('completes, retries later with the error kept, and gives up as dead (retryable)', async () => {
      await store.jobs.enqueue({ kind: 'k', key: 'ok', payload: {} }, NOW);
      await store.jobs.enqueue({ kind: 'k', key: 'flaky', payload: {} }, NOW);
      const [ok, flaky] = await store.jobs.claimDue(NOW, 10, LOCK);
      await store.jobs.complete(ok.id, NOW + 5);
      await store.jobs.fail(flaky.id, 'connection refused', NOW + 30_000, NOW + 5);
      assert.deepEqual(await store.jobs.claimDue(NOW + 29_000, 10, LOCK), []);
      const [again] = await store.jobs.claimDue(NOW + 30_000, 10, LOCK);
      assert.equal(again.id, flaky.id);
      assert.equal(again.attempts, 1);
      assert.equal(again.lastError, 'connection refused');
      await store.jobs.fail(again.id, 'still refused', null, NOW + 30_001);
      assert.deepEqual(await store.jobs.countByStatus(), { pending: 0, done: 1, dead: 1 });
      const dead = (await store.jobs.list({ status: 'dead', limit: 10, offset: 0 })).items[0];
      assert.equal(dead.lastError, 'still refused');
      assert.equal(dead.finishedAt, NOW + 30_001);
      assert.equal(await store.jobs.retry(dead.id, NOW + 40_000), true);
      assert.equal(await store.jobs.retry(dead.id, NOW + 40_000), false, 'only a dead job is retried');
      assert.equal(await store.jobs.retry(dead.id + 1000, NOW + 40_000), false);
      const [revived] = await store.jobs.claimDue(NOW + 40_000, 10, LOCK);
      assert.equal(revived.id, dead.id);
      assert.equal(revived.attempts, 0);
      assert.equal((await store.jobs.list({ kind: 'nothing', limit: 10, offset: 0 })).total, 0);
      // Housekeeping removes old finished jobs only: the done one, not the pending (revived) one.
      assert.equal(await store.jobs.deleteDone(NOW + 4), 0, 'not finished before then');
      assert.equal(await store.jobs.deleteDone(NOW + 50_000), 1);
      assert.deepEqual(await store.jobs.countByStatus(), { pending: 1, done: 0, dead: 0 });
    });

    it('rolls an enqueue back with its transaction', async () => {
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.jobs.enqueue({ kind: 'k', key: 'rolled-back', payload: {} }, NOW);
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal((await store.jobs.list({ limit: 10, offset: 0 })).total, 0);
    });
  });
}

forEachEngine('JobRepository', jobsContract);
