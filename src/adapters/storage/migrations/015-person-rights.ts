import type { Kysely } from 'kysely';
import type { Engine } from '../schema.ts';

/**
 * People, points 8 and 9 (issue 11): where a post came from (a comment turned into a post
 * idea, linked to its writer) and an audit log whose lines hold no personal data ("person
 * #12 forgotten by user 3: 14 comments anonymised").
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const pg = engine === 'postgres';
  // One row per post at most: the post's id is the key.
  await db.schema
    .createTable('post_sources')
    .addColumn('post_id', 'integer', (c: any) => c.primaryKey().references('posts.id').onDelete('cascade'))
    .addColumn('comment_id', 'integer', (c: any) => c.references('comments.id').onDelete('set null'))
    .addColumn('person_id', 'integer', (c: any) => c.references('people.id').onDelete('set null'))
    .addColumn('created_by', 'integer', (c: any) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (c: any) => c.notNull())
    // The author ticked "tell them" when publishing; the mail is written when the post is live.
    .addColumn('tell_requested_at', 'bigint')
    .addColumn('told_at', 'bigint')
    .execute();
  await db.schema.createIndex('post_sources_comment').on('post_sources').column('comment_id').execute();
  await db.schema.createIndex('post_sources_person').on('post_sources').column('person_id').execute();

  const audit = db.schema.createTable('audit_log');
  await (pg ? audit.addColumn('id', 'serial', (c: any) => c.primaryKey()) : audit.addColumn('id', 'integer', (c: any) => c.primaryKey().autoIncrement()))
    .addColumn('action', 'text', (c: any) => c.notNull())
    .addColumn('detail', 'text', (c: any) => c.notNull().defaultTo('{}'))
    .addColumn('actor_id', 'integer', (c: any) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_time').on('audit_log').columns(['created_at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_log').ifExists().execute();
  await db.schema.dropTable('post_sources').ifExists().execute();
}
