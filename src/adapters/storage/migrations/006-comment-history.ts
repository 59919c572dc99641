import type { Kysely } from 'kysely';
import type { Engine } from '../schema.ts';

/**
 * A comment's history: what it said and where it sat before each edit (by staff, or by
 * its writer inside the edit window), so that a change never loses the earlier text.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const pg = engine === 'postgres';
  let table = db.schema.createTable('comment_revisions');
  table = pg ? table.addColumn('id', 'serial', (c) => c.primaryKey()) : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  await table
    .addColumn('comment_id', 'integer', (c) => c.notNull().references('comments.id').onDelete('cascade'))
    .addColumn('markdown', 'text', (c) => c.notNull())
    .addColumn('html', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'integer')
    // No reference: the history keeps the editor's name when the account is removed.
    .addColumn('edited_by', 'integer')
    .addColumn('editor_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('comment_revisions_comment').on('comment_revisions').columns(['comment_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('comment_revisions').ifExists().execute();
}
