import type { Kysely } from 'kysely';
import type { Engine } from '../schema.ts';

/**
 * Reach: the durable background job queue, webmentions (and pingbacks) received, and the
 * webmentions sent for each link of each post.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const pg = engine === 'postgres';
  const id = (t: any) => (pg ? t.addColumn('id', 'serial', (c: any) => c.primaryKey()) : t.addColumn('id', 'integer', (c: any) => c.primaryKey().autoIncrement()));

  await id(db.schema.createTable('jobs'))
    .addColumn('kind', 'text', (c: any) => c.notNull())
    .addColumn('job_key', 'text', (c: any) => c.notNull().unique())
    .addColumn('payload', 'text', (c: any) => c.notNull())
    .addColumn('status', 'text', (c: any) => c.notNull()) // pending, done, dead
    .addColumn('attempts', 'integer', (c: any) => c.notNull().defaultTo(0))
    .addColumn('run_at', 'bigint', (c: any) => c.notNull())
    .addColumn('locked_until', 'bigint', (c: any) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c: any) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .execute();
  await db.schema.createIndex('jobs_due').on('jobs').columns(['status', 'run_at']).execute();

  await id(db.schema.createTable('webmentions'))
    .addColumn('source', 'text', (c: any) => c.notNull())
    .addColumn('target', 'text', (c: any) => c.notNull())
    .addColumn('post_id', 'integer', (c: any) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('via', 'text', (c: any) => c.notNull())
    .addColumn('status', 'text', (c: any) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('type', 'text')
    .addColumn('author_name', 'text')
    .addColumn('author_url', 'text')
    .addColumn('author_photo', 'text')
    .addColumn('content', 'text')
    .addColumn('url', 'text')
    .addColumn('published_at', 'bigint')
    .addColumn('comment_id', 'integer', (c: any) => c.references('comments.id').onDelete('set null'))
    .addColumn('person_id', 'integer', (c: any) => c.references('people.id').onDelete('set null'))
    .addColumn('received_at', 'bigint', (c: any) => c.notNull())
    .addColumn('updated_at', 'bigint', (c: any) => c.notNull())
    .addColumn('verified_at', 'bigint')
    .addUniqueConstraint('webmentions_pair', ['source', 'target'])
    .execute();
  await db.schema.createIndex('webmentions_post').on('webmentions').columns(['post_id', 'status']).execute();

  await id(db.schema.createTable('webmentions_sent'))
    .addColumn('post_id', 'integer', (c: any) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('target', 'text', (c: any) => c.notNull())
    .addColumn('endpoint', 'text')
    .addColumn('protocol', 'text', (c: any) => c.notNull().defaultTo('webmention')) // or 'pingback'
    .addColumn('status', 'text', (c: any) => c.notNull())
    .addColumn('http_status', 'integer')
    .addColumn('error', 'text')
    .addColumn('attempts', 'integer', (c: any) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c: any) => c.notNull())
    .addUniqueConstraint('webmentions_sent_link', ['post_id', 'target'])
    .execute();

  // People recognised by their website (webmention authors have no email).
  await db.schema.createIndex('people_website').on('people').column('website').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('people_website').ifExists().execute();
  for (const table of ['webmentions_sent', 'webmentions', 'jobs']) await db.schema.dropTable(table).ifExists().execute();
}
