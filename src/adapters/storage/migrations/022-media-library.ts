import type { Kysely } from 'kysely';
import type { Engine } from '../schema.ts';

/**
 * The media library (issue 14, point 2): each upload's size in pixels, alt text and
 * caption; when its variants were made (null: never, so the job queue makes them — older
 * uploads and restored ones); and the variants themselves (WebP at a few widths, never
 * wider than the original), which an export leaves out because they can be made again.
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
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('upload_variants').ifExists().execute();
  await db.schema.dropIndex('uploads_created').ifExists().execute();
  for (const column of ['variants_at', 'caption', 'alt', 'height', 'width']) await db.schema.alterTable('uploads').dropColumn(column).execute();
}
