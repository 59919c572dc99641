import type { Kysely } from 'kysely';
import type { Engine } from '../schema.ts';

/**
 * ActivityPub (issue 12): Fedify's key–value store and message queue on our own database,
 * and the blog actor's followers (filled by the Follow handling that comes later).
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const pg = engine === 'postgres';
  const id = (t: any) => (pg ? t.addColumn('id', 'bigserial', (c: any) => c.primaryKey()) : t.addColumn('id', 'integer', (c: any) => c.primaryKey().autoIncrement()));

  // The key is Fedify's key array as JSON text; the value is JSON. Null expires_at: kept until deleted.
  await db.schema
    .createTable('federation_kv')
    .addColumn('key', 'text', (c: any) => c.primaryKey())
    .addColumn('value', 'text', (c: any) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .execute();
  await db.schema.createIndex('federation_kv_expires').on('federation_kv').column('expires_at').execute();

  // A message waits until run_at, and while an earlier message with its ordering key exists.
  await id(db.schema.createTable('federation_messages'))
    .addColumn('message', 'text', (c: any) => c.notNull())
    .addColumn('ordering_key', 'text')
    .addColumn('run_at', 'bigint', (c: any) => c.notNull())
    .addColumn('locked_until', 'bigint', (c: any) => c.notNull().defaultTo(0))
    .addColumn('attempts', 'integer', (c: any) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('federation_messages_due').on('federation_messages').columns(['run_at', 'id']).execute();
  await db.schema.createIndex('federation_messages_order').on('federation_messages').columns(['ordering_key', 'id']).execute();

  // actor_uri is what a Person's fediverse identity will name (issue 11 joins on it).
  await id(db.schema.createTable('federation_followers'))
    .addColumn('actor_uri', 'text', (c: any) => c.notNull().unique())
    .addColumn('handle', 'text')
    .addColumn('inbox', 'text', (c: any) => c.notNull())
    .addColumn('shared_inbox', 'text')
    .addColumn('status', 'text', (c: any) => c.notNull()) // accepted, pending (approval), blocked
    .addColumn('follow_id', 'text')
    .addColumn('created_at', 'bigint', (c: any) => c.notNull())
    .addColumn('updated_at', 'bigint', (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('federation_followers_status').on('federation_followers').columns(['status', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('federation_followers').ifExists().execute();
  await db.schema.dropTable('federation_messages').ifExists().execute();
  await db.schema.dropTable('federation_kv').ifExists().execute();
}
