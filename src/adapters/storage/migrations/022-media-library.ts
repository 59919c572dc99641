import type { Kysely } from 'kysely';
import { uploadHashesIn } from '../../../core/media.ts';
import type { Engine } from '../schema.ts';

/**
 * The media library (issue 14, point 2): each upload's size in pixels, alt text and
 * caption; when its variants were made (null: never, so the job queue makes them — older
 * uploads and restored ones); and the variants themselves (WebP at a few widths, never
 * wider than the original), which an export leaves out because they can be made again.
 * `upload_uses` says which posts name which uploads (in Markdown, HTML or cover), kept by
 * every write of a post, so "where is it used" is an indexed look-up, not a scan of every
 * post's text; existing posts are read once here to fill it.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  await db.schema.alterTable('uploads').addColumn('width', 'integer').execute();
  await db.schema.alterTable('uploads').addColumn('height', 'integer').execute();
  await db.schema.alterTable('uploads').addColumn('alt', 'text', (c: any) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('uploads').addColumn('caption', 'text', (c: any) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('uploads').addColumn('variants_at', 'bigint').execute();
  await db.schema.createIndex('uploads_created').on('uploads').column('created_at').execute();

  await db.schema
    .createTable('upload_variants')
    .addColumn('hash', 'text', (c: any) => c.notNull().references('uploads.hash').onDelete('cascade'))
    .addColumn('width', 'integer', (c: any) => c.notNull())
    .addColumn('height', 'integer', (c: any) => c.notNull())
    .addColumn('mime', 'text', (c: any) => c.notNull())
    .addColumn('size', 'integer', (c: any) => c.notNull())
    .addColumn('data', engine === 'postgres' ? 'bytea' : 'blob', (c: any) => c.notNull())
    .addPrimaryKeyConstraint('upload_variants_pkey', ['hash', 'width'])
    .execute();

  await db.schema
    .createTable('upload_uses')
    .addColumn('hash', 'text', (c: any) => c.notNull())
    .addColumn('post_id', 'integer', (c: any) => c.notNull().references('posts.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('upload_uses_pkey', ['hash', 'post_id'])
    .execute();
  await db.schema.createIndex('upload_uses_post').on('upload_uses').column('post_id').execute();
  for (let after = 0; ; ) {
    const posts = await db.selectFrom('posts').select(['id', 'markdown', 'html', 'cover_image']).where('id', '>', after).orderBy('id').limit(500).execute();
    if (posts.length === 0) break;
    const rows = posts.flatMap((p) => [...uploadHashesIn(`${p.markdown} ${p.html} ${p.cover_image ?? ''}`)].map((hash) => ({ hash, post_id: p.id })));
    for (let i = 0; i < rows.length; i += 1000) await db.insertInto('upload_uses').values(rows.slice(i, i + 1000)).execute();
    after = posts.at(-1)!.id;
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('upload_uses').ifExists().execute();
  await db.schema.dropTable('upload_variants').ifExists().execute();
  await db.schema.dropIndex('uploads_created').ifExists().execute();
  for (const column of ['variants_at', 'caption', 'alt', 'height', 'width']) await db.schema.alterTable('uploads').dropColumn(column).execute();
}
