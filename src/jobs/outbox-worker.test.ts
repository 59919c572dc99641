import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import pino from 'pino';
import { MemoryMailer } from '../adapters/mail/memory-mailer.ts';
import { MemoryStore } from '../adapters/storage/memory-store.ts';
import { PermanentMailError, messageIdFor } from '../core/mailer.ts';
import { setNotificationMode } from '../core/notification-service.ts';
import type { OutboxWrite, Store } from '../core/store.ts';
import { MAX_ATTEMPTS, OutboxWorker, RETRY_DELAYS_MS, type OutboxWorkerDeps } from './outbox-worker.ts';

const START = Date.UTC(2024, 0, 15, 6);
const LOCK = 120_000;
const logger = pino({ level: 'silent' });

let store: Store;
let mailer: MemoryMailer;
let now: number;
const clock = { now: () => now };

function worker(overrides: Partial<OutboxWorkerDeps> = {}): OutboxWorker {
  return new OutboxWorker({ store, mailer, clock, logger, intervalMs: 60_000, lockMs: LOCK, ...overrides });
}

const message = (key: string): OutboxWrite => ({ idempotencyKey: key, kind: 'reply', to: 'reader@example.com', subject: `About ${key}`, text: 'Hello', html: '<p>Hello</p>', headers: {} });

async function rows() {
  return (await store.outbox.list({ limit: 100, offset: 0 })).items.reverse();
}

beforeEach(() => {
  store = new MemoryStore();
  mailer = new MemoryMailer();
  now = START;
});

describe('outbox worker', () => {
  it('sends what is due and marks it sent, with the Message-ID of its key', async () => {
    await store.outbox.enqueue(message('a'), now);
    await store.outbox.enqueue(message('b'), now);
    assert.deepEqual(await worker().tick(), { sent: 2, retrying: 0, gaveUp: 0 });
    assert.deepEqual(mailer.sent.map((s) => s.messageId), [messageIdFor('a', 'http://localhost:3000'), messageIdFor('b', 'http://localhost:3000')]);
    assert.deepEqual((await rows()).map((m) => [m.status, m.attempts, m.sentAt]), [['sent', 1, START], ['sent', 1, START]]);
    assert.deepEqual(await worker().tick(), { sent: 0, retrying: 0, gaveUp: 0 }, 'nothing twice');
  });

  it('sends nothing without a mailer: mail waits in the outbox', async () => {
    await store.outbox.enqueue(message('a'), now);
    const idle = worker({ mailer: null });
    assert.equal(idle.sending, false);
    assert.deepEqual(await idle.tick(), { sent: 0, retrying: 0, gaveUp: 0 });
    assert.deepEqual((await rows()).map((m) => [m.status, m.attempts]), [['pending', 0]]);
  });

  it('retries with growing delays and gives up after the last attempt', async () => {
    await store.outbox.enqueue(message('a'), now);
    mailer.failWith = new Error('connect ECONNREFUSED 127.0.0.1:2525');
    const w = worker();
    const waits: number[] = [];
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const result = await w.tick();
      const [row] = await rows();
      assert.equal(row.attempts, attempt);
      assert.equal(row.lastError, 'connect ECONNREFUSED 127.0.0.1:2525');
      if (attempt < MAX_ATTEMPTS) {
        assert.deepEqual(result, { sent: 0, retrying: 1, gaveUp: 0 });
        assert.equal(row.status, 'pending');
        waits.push(row.nextAttemptAt - now);
        now = row.nextAttemptAt - 1;
        assert.deepEqual(await w.tick(), { sent: 0, retrying: 0, gaveUp: 0 }, 'not before its time');
        now += 1;
      } else {
        assert.deepEqual(result, { sent: 0, retrying: 0, gaveUp: 1 });
        assert.equal(row.status, 'failed');
      }
    }
    assert.deepEqual(waits, RETRY_DELAYS_MS);
    assert.equal(MAX_ATTEMPTS, 8);
    // The admin's Retry: a fresh start, and the server is back.
    mailer.failWith = null;
    await store.outbox.retry((await rows())[0].id, now);
    assert.deepEqual(await w.tick(), { sent: 1, retrying: 0, gaveUp: 0 });
  });

  it('gives up at once when the server refuses the message for good', async () => {
    await store.outbox.enqueue(message('a'), now);
    mailer.failWith = new PermanentMailError('550 5.1.1 No such user');
    assert.deepEqual(await worker().tick(), { sent: 0, retrying: 0, gaveUp: 1 });
    assert.deepEqual((await rows()).map((m) => [m.status, m.attempts, m.lastError]), [['failed', 1, '550 5.1.1 No such user']]);
  });

  it('sends again, with the same Message-ID, when it could not record a sending (at least once)', async () => {
    await store.outbox.enqueue(message('a'), now);
    const markSent = store.outbox.markSent.bind(store.outbox);
    let lost = 1;
    store.outbox.markSent = async (id, at) => {
      if (lost-- > 0) throw new Error('database connection lost');
      return markSent(id, at);
    };
    const w = worker();
    assert.deepEqual(await w.tick(), { sent: 0, retrying: 0, gaveUp: 0 });
    assert.equal(mailer.sent.length, 1);
    assert.deepEqual((await rows()).map((m) => m.status), ['pending']);
    now += LOCK - 1;
    await w.tick();
    assert.equal(mailer.sent.length, 1, 'locked: no other worker sends it meanwhile');
    now += 1;
    assert.deepEqual(await w.tick(), { sent: 1, retrying: 0, gaveUp: 0 });
    assert.equal(mailer.sent.length, 2);
    assert.equal(mailer.sent[0].messageId, mailer.sent[1].messageId);
    assert.deepEqual((await rows()).map((m) => m.status), ['sent']);
  });

  it('lets several workers share one outbox without sending anything twice', async () => {
    for (let i = 0; i < 30; i++) await store.outbox.enqueue(message(`m${i}`), now);
    const workers = [worker({ batchSize: 4 }), worker({ batchSize: 4 }), worker({ batchSize: 4 })];
    const results = await Promise.all(workers.map((w) => w.tick()));
    assert.equal(results.reduce((n, r) => n + r.sent, 0), 30);
    assert.equal(new Set(mailer.sent.map((s) => s.messageId)).size, 30);
    assert.equal(mailer.sent.length, 30);
  });

  it('sends a batch over as many connections as the mailer has, never more at once, one failure holding none of the others', async () => {
    for (let i = 0; i < 10; i++) await store.outbox.enqueue(message(`m${i}`), now);
    let inFlight = 0;
    let most = 0;
    const sent: string[] = [];
    const pooled = {
      description: 'three connections',
      parallel: 3,
      async send(m: { idempotencyKey: string }) {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        if (m.idempotencyKey === 'm4') throw new Error('451 try again later');
        sent.push(m.idempotencyKey);
      },
      async close() {},
    };
    assert.deepEqual(await worker({ mailer: pooled }).tick(), { sent: 9, retrying: 1, gaveUp: 0 });
    assert.equal(most, 3, 'three messages on the wire at a time');
    assert.deepEqual(sent.sort(), ['m0', 'm1', 'm2', 'm3', 'm5', 'm6', 'm7', 'm8', 'm9']);
    assert.deepEqual((await rows()).map((m) => m.status), ['sent', 'sent', 'sent', 'sent', 'pending', 'sent', 'sent', 'sent', 'sent', 'sent']);
  });

  it('writes yesterday’s digest once for authors who chose it', async () => {
    const author = await store.users.create({ email: 'mack@example.com', name: 'Mack', slug: 'mack', bio: '', role: 'owner', passwordHash: null, createdAt: now });
    await setNotificationMode(store, author.id, 'digest');
    const post = await store.posts.create(
      {
        type: 'post', slug: 'p', title: 'P', markdown: 'x', html: '<p>x</p>', excerpt: 'x', status: 'published', visibility: 'public',
        publishedAt: now, authorId: author.id, coverImage: null, tags: [], commentsMode: 'inherit', commentsCloseDays: null,
      },
      now,
    );
    await store.comments.create({
      postId: post.id, parentId: null, personId: null, userId: null, authorName: 'Kelly', authorEmail: 'kelly@example.com', authorUrl: null,
      markdown: 'Yesterday’s words', html: '<p>x</p>', status: 'approved', createdAt: START - 12 * 3_600_000,
    });
    const deps = { digests: { site: async () => ({ title: 'Blog' }), siteUrl: () => 'https://blog.example.com', secret: 'x'.repeat(32) } };
    const w = worker(deps);
    await w.tick();
    await w.tick();
    await worker(deps).tick(); // another instance, or a restart: the key keeps it to one
    const digests = mailer.sent.filter((s) => s.message.kind === 'digest');
    assert.equal(digests.length, 1);
    assert.equal(digests[0].message.idempotencyKey, `digest:${author.id}:2024-01-14`);
    assert.match(digests[0].message.text, /Yesterday’s words/);
  });
});
