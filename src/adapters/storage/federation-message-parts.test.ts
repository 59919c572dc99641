import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { KyselyMessageQueue } from './kysely-federation.ts';
import type { KyselyStore } from './kysely-store.ts';
import type { Database } from './schema.ts';
import { needsEngines, openEngine, type EngineName } from './test-engines.ts';

/** The shape Fedify gives each delivery of one activity: the same activity and keys objects in every message. */
function deliveries(count: number) {
  const activity = { '@context': 'https://www.w3.org/ns/activitystreams', id: 'https://blog.example/a-post#create/1', type: 'Create', object: { type: 'Article', content: '<p>Long enough to matter. </p>'.repeat(50) } };
  const keys = [{ keyId: 'https://blog.example/@blog#main-key', privateKey: { kty: 'RSA', d: 'secret-d', n: 'modulus', e: 'AQAB', alg: 'RS256' } }];
  return Array.from({ length: count }, (_, i) => ({ type: 'outbox', id: `m${i}`, baseUrl: 'https://blog.example', keys, activity, activityId: activity.id, activityType: 'https://www.w3.org/ns/activitystreams#Create', inbox: `https://s${i}.example/inbox`, attempt: 0, headers: {} }));
}

for (const engine of ['sqlite', 'postgres'] as EngineName[]) {
  describe(`a fan-out's deliveries share one stored activity and key set (${engine})`, needsEngines(engine), () => {
    const cleanups: Array<() => Promise<void>> = [];
    after(async () => {
      for (const cleanup of cleanups) await cleanup();
    });
    let clock = Date.parse('2026-12-04T12:00:00Z');
    const open = async () => {
      const { store, cleanup } = await openEngine(engine);
      cleanups.push(cleanup);
      const kysely = store as KyselyStore;
      const db = (kysely as unknown as { db: Kysely<Database> }).db;
      return { db, queue: kysely.federationBackends({ pollMs: 20, now: () => clock }).queue as KyselyMessageQueue };
    };
    const count = async (db: Kysely<Database>, table: 'federation_messages' | 'federation_message_parts') => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

    it('stores the activity and the keys once, and hands every delivery back whole', async () => {
      const { db, queue } = await open();
      const sent = deliveries(250);
      // Fedify enqueues one message per inbox, all in one turn of the event loop.
      await Promise.all(sent.map((message) => queue.enqueue(message, { orderingKey: `post:1\n${message.inbox}` })));
      assert.equal(await count(db, 'federation_messages'), 250);
      assert.equal(await count(db, 'federation_message_parts'), 2, 'one activity, one key set');
      const rows = await db.selectFrom('federation_messages').select('message').execute();
      assert.ok(rows.every((row) => !row.message.includes('Long enough') && !row.message.includes('secret-d')), 'no message repeats the activity or the keys');

      const received: unknown[] = [];
      const controller = new AbortController();
      const listening = queue.listen((message) => void received.push(message), { signal: controller.signal });
      while (received.length < 250) await sleep(10);
      controller.abort();
      await listening;
      const byId = new Map(received.map((message) => [(message as { id: string }).id, message]));
      for (const message of sent) assert.deepEqual(byId.get(message.id), message);
      assert.equal(await count(db, 'federation_messages'), 0, 'every handled message is deleted');
    });

    it('keeps a part while a waiting message names it; housekeeping deletes it once none does', async () => {
      const { db, queue } = await open();
      const [first, second] = deliveries(2);
      await queue.enqueue(first);
      clock += 2 * 3_600_000;
      assert.equal(await queue.deleteUnusedParts(), 0, 'the waiting message still names both parts');
      assert.equal(await count(db, 'federation_message_parts'), 2);

      const received: unknown[] = [];
      const controller = new AbortController();
      const listening = queue.listen((message) => void received.push(message), { signal: controller.signal });
      while (received.length < 1) await sleep(10);
      // A later delivery of the same activity, enqueued after the first was handled, marks the parts used again.
      await queue.enqueue(second);
      while (received.length < 2) await sleep(10);
      controller.abort();
      await listening;
      assert.deepEqual(received, [first, second]);
      assert.equal(await queue.deleteUnusedParts(), 0, 'used less than an hour ago: an enqueue may still be committing elsewhere');
      clock += 2 * 3_600_000;
      assert.equal(await queue.deleteUnusedParts(), 2);
      assert.equal(await count(db, 'federation_message_parts'), 0);
    });

    it('a message whose part is gone fails with a clear error and waits for its retry', async () => {
      const { db, queue } = await open();
      await queue.enqueue(deliveries(1)[0]);
      await db.deleteFrom('federation_message_parts').execute();
      const controller = new AbortController();
      let handled = 0;
      const listening = queue.listen(() => void handled++, { signal: controller.signal });
      let row: { last_error: string | null } | undefined;
      while (!row?.last_error) {
        await sleep(20);
        row = await db.selectFrom('federation_messages').select('last_error').executeTakeFirst();
      }
      controller.abort();
      await listening;
      assert.equal(handled, 0);
      assert.match(row.last_error!, /names a stored part \((activity|keys)\) that is gone/);
    });
  });
}
