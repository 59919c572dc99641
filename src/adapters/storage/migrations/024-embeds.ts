import type { Kysely } from 'kysely';
import type { Engine } from '../schema.ts';

/**
 * Comments on any site (issue 13, point 2): the sites (origins) an owner registered, and
 * each external page's thread — a post of type `external` (unlisted, never listed on the
 * blog) keyed by the page's normalised address. A thread keeps its origin as text, not a
 * reference: removing a site stops the embed there but keeps its conversations (and their
 * pages on the blog); adding the site again brings them back.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const sites = db.schema.createTable('embed_sites');
  await (engine === 'postgres' ? sites.addColumn('id', 'serial', (c: any) => c.primaryKey()) : sites.addColumn('id', 'integer', (c: any) => c.primaryKey().autoIncrement()))
    .addColumn('origin', 'text', (c: any) => c.notNull().unique())
    .addColumn('created_by', 'integer', (c: any) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (c: any) => c.notNull())
    .execute();

  await db.schema
    .createTable('embed_threads')
    .addColumn('post_id', 'integer', (c: any) => c.primaryKey().references('posts.id').onDelete('cascade'))
    .addColumn('page_url', 'text', (c: any) => c.notNull().unique())
    .addColumn('origin', 'text', (c: any) => c.notNull())
    .addColumn('created_at', 'bigint', (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('embed_threads_origin').on('embed_threads').columns(['origin', 'created_at']).execute();
}
