import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { OutboxWrite, Store } from '../../core/store.ts';
import { forEachEngine, type OpenStore } from './test-engines.ts';

const NOW = Date.UTC(2024, 0, 15, 12);
const LOCK = 60_000;

const message = (key: string, overrides: Partial<OutboxWrite> = {}): OutboxWrite => ({
  idempotencyKey: key,
  kind: 'reply',
  to: 'reader@example.com',
  subject: `About ${key}`,
  text: 'Plain words.',
  html: '<p>Plain words.</p>',
  headers: { 'List-Unsubscribe': '<https://blog.example.com/unsubscribe/abc>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  ...overrides,
});

function outboxContract(name: string, open: OpenStore): void {
  describe(name, () => {
    let store: Store;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });
    afterEach(() => cleanup());

    it('records a message as pending and due now, with its headers', async () => {
      await store.outbox.enqueue(message('reply:1:reader@example.com'), NOW);
      const { items, total } = await store.outbox.list({ limit: 10, offset: 0 });
      assert.equal(total, 1);
      assert.deepEqual(items[0], {
        id: items[0].id,
        ...message('reply:1:reader@example.com'),
        status: 'pending',
        attempts: 0,
        nextAttemptAt: NOW,
        lastError: null,
        createdAt: NOW,
        sentAt: null,
      });
    });

    it('ignores a second message with the same idempotency key', async () => {
      await store.outbox.enqueue(message('k1'), NOW);
      await store.outbox.enqueue(message('k1', { subject: 'Different' }), NOW + 5);
      const { items } = await store.outbox.list({ limit: 10, offset: 0 });
      assert.equal(items.length, 1);
      assert.equal(items[0].subject, 'About k1');
    });

    it('is written and rolled back with the transaction that caused it', async () => {
      await assert.rejects(
        store.transaction(async (trx) => {
          await trx.outbox.enqueue(message('k1'), NOW);
          throw new Error('comment refused');
        }),
        /comment refused/,
      );
      assert.equal((await store.outbox.list({ limit: 10, offset: 0 })).total, 0);
      await store.transaction((trx) => trx.outbox.enqueue(message('k2'), NOW));
      assert.equal((await store.outbox.list({ limit: 10, offset: 0 })).total, 1);
    });

    it('claims due messages oldest first, up to the limit, and locks them for lockMs', async () => {
      for (const k of ['a', 'b', 'c']) await store.outbox.enqueue(message(k), NOW);
      await store.outbox.enqueue(message('later'), NOW + 10_000);
      const first = await store.outbox.claimDue(NOW, 2, LOCK);
      assert.deepEqual(first.map((m) => m.idempotencyKey), ['a', 'b']);
      assert.deepEqual((await store.outbox.claimDue(NOW, 10, LOCK)).map((m) => m.idempotencyKey), ['c']);
      assert.deepEqual(await store.outbox.claimDue(NOW + 1, 10, LOCK), [], 'all locked or not due');
      // The "later" message falls due; the locked ones stay locked until the lock ends.
      assert.deepEqual((await store.outbox.claimDue(NOW + 10_000, 10, LOCK)).map((m) => m.idempotencyKey), ['later']);
      // A worker that died holding a lock: its messages come back once the lock expires.
      assert.deepEqual((await store.outbox.claimDue(NOW + LOCK, 10, LOCK)).map((m) => m.idempotencyKey), ['a', 'b', 'c']);
    });

    it('never gives the same message to two workers claiming at once', async () => {
      for (let i = 0; i < 20; i++) await store.outbox.enqueue(message(`m${i}`), NOW);
      const claims = await Promise.all([store.outbox.claimDue(NOW, 15, LOCK), store.outbox.claimDue(NOW, 15, LOCK), store.outbox.claimDue(NOW, 15, LOCK)]);
      const ids = claims.flat().map((m) => m.id);
      assert.equal(new Set(ids).size, ids.length, 'no message claimed twice');
      // Whatever was not taken in the race is still there for the next claim, once.
      const rest = await store.outbox.claimDue(NOW, 100, LOCK);
      assert.equal(ids.length + rest.length, 20);
      assert.equal(new Set([...ids, ...rest.map((m) => m.id)]).size, 20);
    });

    it('marks a message sent: it is never claimed again', async () => {
      await store.outbox.enqueue(message('k1'), NOW);
      const [m] = await store.outbox.claimDue(NOW, 10, LOCK);
      await store.outbox.markSent(m.id, NOW + 100);
      const [sent] = (await store.outbox.list({ status: 'sent', limit: 10, offset: 0 })).items;
      assert.equal(sent.status, 'sent');
      assert.equal(sent.sentAt, NOW + 100);
      assert.equal(sent.attempts, 1);
      assert.deepEqual(await store.outbox.claimDue(NOW + 10 * LOCK, 10, LOCK), []);
      await store.outbox.markSent(m.id, NOW + 500);
      assert.equal((await store.outbox.list({ status: 'sent', limit: 10, offset: 0 })).items[0].sentAt, NOW + 100, 'the first sending time stays');
    });

    it('replaces the body of a message when asked as it is marked sent, and only then', async () => {
      await store.outbox.enqueue(message('k1'), NOW);
      await store.outbox.enqueue(message('k2'), NOW);
      const [a, b] = await store.outbox.claimDue(NOW, 10, LOCK);
      await store.outbox.markSent(a.id, NOW, 'Delivered; not kept.');
      await store.outbox.markSent(b.id, NOW);
      const rows = (await store.outbox.list({ status: 'sent', limit: 10, offset: 0 })).items;
      const redacted = rows.find((m) => m.id === a.id)!;
      const kept = rows.find((m) => m.id === b.id)!;
      assert.equal(redacted.text, 'Delivered; not kept.');
      assert.equal(redacted.html, '');
      assert.equal(kept.text, b.text);
      assert.equal(kept.html, b.html);
    });

    it('records a failed attempt and retries at the given time, or gives up', async () => {
      await store.outbox.enqueue(message('k1'), NOW);
      let [m] = await store.outbox.claimDue(NOW, 10, LOCK);
      await store.outbox.markFailed(m.id, 'connect ECONNREFUSED 127.0.0.1:2525', NOW + 30_000, NOW);
      let [row] = (await store.outbox.list({ limit: 10, offset: 0 })).items;
      assert.equal(row.status, 'pending');
      assert.equal(row.attempts, 1);
      assert.equal(row.nextAttemptAt, NOW + 30_000);
      assert.equal(row.lastError, 'connect ECONNREFUSED 127.0.0.1:2525');
      assert.deepEqual(await store.outbox.claimDue(NOW + 29_999, 10, LOCK), [], 'not before its next attempt, though its lock was released');
      [m] = await store.outbox.claimDue(NOW + 30_000, 10, LOCK);
      assert.equal(m.id, row.id);
      await store.outbox.markFailed(m.id, '550 no such user', null, NOW + 30_001);
      [row] = (await store.outbox.list({ limit: 10, offset: 0 })).items;
      assert.equal(row.status, 'failed');
      assert.equal(row.attempts, 2);
      assert.equal(row.lastError, '550 no such user');
      assert.deepEqual(await store.outbox.claimDue(NOW + 100 * LOCK, 10, LOCK), [], 'failed messages stay put');
    });

    it('puts a failed message back in the queue with a fresh start; other statuses are left alone', async () => {
      await store.outbox.enqueue(message('k1'), NOW);
      await store.outbox.enqueue(message('k2'), NOW);
      const [a, b] = await store.outbox.claimDue(NOW, 10, LOCK);
      await store.outbox.markFailed(a.id, 'gave up', null, NOW);
      await store.outbox.markSent(b.id, NOW);
      await store.outbox.retry(a.id, NOW + 1000);
      await store.outbox.retry(b.id, NOW + 1000);
      const counts = await store.outbox.countByStatus();
      assert.deepEqual(counts, { pending: 1, sent: 1, failed: 0 });
      const [again] = await store.outbox.claimDue(NOW + 1000, 10, LOCK);
      assert.equal(again.id, a.id);
      assert.equal(again.attempts, 0);
      assert.equal(again.lastError, 'gave up', 'the last error stays for the record');
    });

    it('lists newest first, filtered by status, with totals and counts', async () => {
      for (let i = 1; i <= 5; i++) await store.outbox.enqueue(message(`k${i}`), NOW + i);
      const claimed = await store.outbox.claimDue(NOW + 10, 2, LOCK);
      for (const m of claimed) await store.outbox.markFailed(m.id, 'boom', null, NOW + 10);
      const page = await store.outbox.list({ limit: 2, offset: 1 });
      assert.equal(page.total, 5);
      assert.deepEqual(page.items.map((m) => m.idempotencyKey), ['k4', 'k3']);
      const failed = await store.outbox.list({ status: 'failed', limit: 10, offset: 0 });
      assert.deepEqual(failed.items.map((m) => m.idempotencyKey), ['k2', 'k1']);
      assert.equal(failed.total, 2);
      assert.deepEqual(await store.outbox.countByStatus(), { pending: 3, sent: 0, failed: 2 });
      assert.deepEqual([await store.outbox.countWithStatus('pending'), await store.outbox.countWithStatus('failed'), await store.outbox.countWithStatus('sent')], [3, 2, 0], 'one status, as the admin bar counts it');
    });
  });
}

forEachEngine('Outbox contract', outboxContract);
