import type { Kysely } from 'kysely';
import type { Engine } from '../schema.ts';

/**
 * Following (issue 12, point 2): blocked fediverse accounts (by actor URI) and whole
 * domains. Their activities are refused at the inbox and nothing is delivered to them.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const pg = engine === 'postgres';
  const table = db.schema.createTable('federation_blocks');
  await (pg ? table.addColumn('id', 'bigserial', (c: any) => c.primaryKey()) : table.addColumn('id', 'integer', (c: any) => c.primaryKey().autoIncrement()))
    .addColumn('kind', 'text', (c: any) => c.notNull()) // actor, domain
    .addColumn('value', 'text', (c: any) => c.notNull())
    .addColumn('created_at', 'bigint', (c: any) => c.notNull())
    .addUniqueConstraint('federation_blocks_kind_value', ['kind', 'value'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('federation_blocks').ifExists().execute();
}
