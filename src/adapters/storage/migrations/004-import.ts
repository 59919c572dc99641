import type { Kysely } from 'kysely';
import type { Engine } from '../schema.ts';

/**
 * Imports: which local item each imported one became (so importing the same file twice
 * changes nothing), and the old addresses of imported posts (so WordPress links keep
 * working with a 301).
 */
export async function up(db: Kysely<any>, _engine: Engine): Promise<void> {
  await db.schema
    .createTable('import_keys')
    .addColumn('source', 'text', (c) => c.notNull()) // 'wordpress', 'disqus'
    .addColumn('kind', 'text', (c) => c.notNull()) // 'post', 'comment', 'user'
    .addColumn('external_id', 'text', (c) => c.notNull()) // WXR GUID or comment key, Disqus dsq:id
    .addColumn('local_id', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('import_keys_pk', ['source', 'kind', 'external_id'])
    .execute();

  // Paths as WordPress answered them, without a trailing slash ('/2019/03/hello', '/hello'),
  // and its query forms ('?p=123', '?page_id=7').
  await db.schema
    .createTable('legacy_paths')
    .addColumn('path', 'text', (c) => c.primaryKey())
    .addColumn('post_id', 'integer', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .execute();
  await db.schema.createIndex('legacy_paths_post').on('legacy_paths').column('post_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('legacy_paths').ifExists().execute();
  await db.schema.dropTable('import_keys').ifExists().execute();
}
