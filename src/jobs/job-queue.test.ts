import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import pino from 'pino';
import { MemoryStore } from '../adapters/storage/memory-store.ts';
import type { Job } from '../core/jobs.ts';
import type { Store } from '../core/store.ts';
import { JOB_MAX_ATTEMPTS, JOB_RETRY_DELAYS_MS, JobQueue, PermanentJobError } from './job-queue.ts';

const START = Date.UTC(2024, 0, 15, 6);
let store: Store;
let now: number;
const clock = { now: () => now };
const queue = () => new JobQueue({ store, clock, logger: pino({ level: 'silent' }), intervalMs: 60_000 });

beforeEach(() => {
  store = new MemoryStore();
  now = START;
});

describe('job queue', () => {
  it('runs each due job once through the handler of its kind, with its payload', async () => {
    const q = queue();
    const seen: Array<[string, unknown]> = [];
    q.register('a', async (job) => void seen.push(['a', job.payload]));
    q.register('b', async (job) => void seen.push(['b', job.payload]));
    await q.enqueue({ kind: 'a', key: 'a1', payload: { n: 1 } });
    await q.enqueue({ kind: 'b', key: 'b1', payload: { n: 2 } });
    assert.equal(await q.enqueue({ kind: 'a', key: 'a1', payload: { n: 3 } }), false, 'same key, same job');
    assert.equal(await q.tick(), 2);
    assert.deepEqual(seen, [['a', { n: 1 }], ['b', { n: 2 }]]);
    assert.equal(await q.tick(), 0, 'nothing runs twice');
    assert.deepEqual(await store.jobs.countByStatus(), { pending: 0, done: 2, dead: 0 });
    assert.throws(() => q.register('a', async () => {}), /registered already/);
  });

  it('retries a failing job with growing delays, then keeps it as dead with its error', async () => {
    const q = queue();
    let calls = 0;
    q.register('flaky', async () => {
      calls++;
      throw new Error('connect ECONNREFUSED');
    });
    await q.enqueue({ kind: 'flaky', key: 'f', payload: {} });
    const waits: number[] = [];
    for (let attempt = 1; attempt <= JOB_MAX_ATTEMPTS; attempt++) {
      assert.equal(await q.tick(), 1);
      const [job] = (await store.jobs.list({ limit: 1, offset: 0 })).items as Job[];
      if (job.status === 'pending') {
        waits.push(job.runAt - now);
        assert.equal(await q.tick(), 0, 'not before its time');
        now = job.runAt;
      }
    }
    assert.deepEqual(waits, JOB_RETRY_DELAYS_MS);
    assert.ok(waits.every((w, i) => i === 0 || w > waits[i - 1]), 'each wait longer than the last');
    assert.equal(calls, JOB_MAX_ATTEMPTS);
    const [dead] = (await store.jobs.list({ status: 'dead', limit: 1, offset: 0 })).items;
    assert.equal(dead.lastError, 'connect ECONNREFUSED');
    assert.equal(dead.attempts, JOB_MAX_ATTEMPTS);
  });

  it('gives up at once on a permanent error, and on a kind nobody handles', async () => {
    const q = queue();
    q.register('refused', async () => {
      throw new PermanentJobError('address is private');
    });
    await q.enqueue({ kind: 'refused', key: 'r', payload: {} });
    await q.enqueue({ kind: 'unknown', key: 'u', payload: {} });
    await q.tick();
    const dead = (await store.jobs.list({ status: 'dead', limit: 10, offset: 0 })).items.map((j) => [j.key, j.lastError, j.attempts]);
    assert.deepEqual(dead, [['u', 'no handler for job kind "unknown"', 1], ['r', 'address is private', 1]]);
  });

  it('a second worker over the same store never runs a job the first holds', async () => {
    const first = queue();
    const second = queue();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const ran: string[] = [];
    first.register('slow', async () => {
      ran.push('first');
      await gate;
    });
    second.register('slow', async () => void ran.push('second'));
    await first.enqueue({ kind: 'slow', key: 's', payload: {} });
    const running = first.tick();
    await new Promise((r) => setImmediate(r));
    assert.equal(await second.tick(), 0);
    release();
    await running;
    assert.deepEqual(ran, ['first']);
  });
});
