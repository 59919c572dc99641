import { sql, type Kysely } from 'kysely';
import type { Engine } from '../schema.ts';

/**
 * Revisions of a post's text: one row per explicit save (kind 'revision'), and each
 * author's latest autosave of a post (kind 'autosave', at most one per post and author).
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const id = (t: any) => (engine === 'postgres' ? t.addColumn('id', 'serial', (c: any) => c.primaryKey()) : t.addColumn('id', 'integer', (c: any) => c.primaryKey().autoIncrement()));
  await id(db.schema.createTable('post_revisions'))
    .addColumn('post_id', 'integer', (c: any) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('author_id', 'integer', (c: any) => c.notNull().references('users.id'))
    .addColumn('kind', 'text', (c: any) => c.notNull())
    .addColumn('title', 'text', (c: any) => c.notNull())
    .addColumn('markdown', 'text', (c: any) => c.notNull())
    .addColumn('excerpt', 'text', (c: any) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'bigint', (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('post_revisions_post').on('post_revisions').columns(['post_id', 'created_at']).execute();
  // One autosave per post and author: a new one replaces it (insert … on conflict).
  await db.schema
    .createIndex('post_revisions_one_autosave')
    .unique()
    .on('post_revisions')
    .columns(['post_id', 'author_id'])
    .where(sql.ref('kind'), '=', 'autosave')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('post_revisions').ifExists().execute();
}
