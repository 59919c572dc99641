import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { Kysely } from 'kysely';
import { openDatabase } from './database.ts';
import { KyselyMessageQueue } from './kysely-federation.ts';
import type { Engine } from './schema.ts';
import { itOnBothDatabases } from './test-engines.ts';
import * as federation from './migrations/011-federation.ts';
import * as deliveries from './migrations/016-federation-deliveries.ts';

/** Messages waiting in the queue when migration 016 runs are described like new ones, and the admin lists them. */
async function migrateWaitingMessages(db: Kysely<any>, engine: Engine): Promise<void> {
  await federation.up(db, engine);
  const delivery = { type: 'outbox', inbox: 'https://a.example/inbox', activityType: 'https://www.w3.org/ns/activitystreams#Create', activityId: 'https://blog.example/hello#create/1', activity: {} };
  const received = { type: 'inbox', activity: { id: 'https://b.example/likes/1', type: 'Like' } };
  const row = (message: unknown) => ({ message: JSON.stringify(message), ordering_key: null, run_at: 10, locked_until: 0, attempts: 1, last_error: 'a.example answered 502', created_at: 5 });
  await db.insertInto('federation_messages').values([row(delivery), row(received), { ...row(null), message: 'not json' }]).execute();
  await deliveries.up(db);
  const rows = await db.selectFrom('federation_messages').select(['kind', 'inbox', 'activity_type', 'activity_id']).orderBy('id').execute();
  assert.deepEqual(rows.map((r) => ({ ...r })), [
    { kind: 'outbox', inbox: 'https://a.example/inbox', activity_type: 'Create', activity_id: 'https://blog.example/hello#create/1' },
    { kind: 'inbox', inbox: null, activity_type: 'Like', activity_id: 'https://b.example/likes/1' },
    { kind: null, inbox: null, activity_type: null, activity_id: null },
  ]);
  const queue = new KyselyMessageQueue(db, engine, { now: () => 20 });
  assert.deepEqual((await queue.deliveries({ failed: true, limit: 10 })).map((d) => [d.inbox, d.activityType, d.lastError]), [['https://a.example/inbox', 'Create', 'a.example answered 502']]);
  assert.deepEqual(await queue.deliverySummary(), { deliveries: 1, failing: 1, sending: 0, fanouts: 0, received: 1 });
}

describe('migration 016 describes the messages already waiting in the federation queue', () => {
  itOnBothDatabases(migrateWaitingMessages);
});
