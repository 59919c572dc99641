import type { Kysely } from 'kysely';
import type { Engine } from '../schema.ts';
import { CHANGE_LOG_STARTED } from '../../../core/change-feed.ts';

/**
 * Several instances, for real (issue 13, point 3): the change log. Every published change
 * gets an id here; live streams resume from it (a browser's Last-Event-ID), and an instance
 * whose listening connection dropped catches up from it. PostgreSQL's NOTIFY carries only
 * the newest id. The first entry is written here, so the newest id always names an entry.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const table = db.schema.createTable('change_events');
  await (engine === 'postgres' ? table.addColumn('id', 'bigserial', (c: any) => c.primaryKey()) : table.addColumn('id', 'integer', (c: any) => c.primaryKey().autoIncrement()))
    .addColumn('topic', 'text', (c: any) => c.notNull())
    .addColumn('created_at', 'bigint', (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('change_events_created').on('change_events').column('created_at').execute();
  await db.insertInto('change_events').values({ topic: CHANGE_LOG_STARTED, created_at: Date.now() }).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('change_events').ifExists().execute();
}
