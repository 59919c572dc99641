import type { Kysely } from 'kysely';
import type { Engine } from '../schema.ts';

/**
 * Replies from the fediverse (issue 12, point 4). A public or unlisted reply is a comment;
 * `federation_comments` keeps what it came from: the Note's id (what Update and Delete
 * name, and what the author's answer replies to), its author's actor and inbox, and the
 * original's address. Followers-only and direct mentions are never comments: they wait in
 * `federation_private_mentions`, for staff only.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const pg = engine === 'postgres';
  await db.schema
    .createTable('federation_comments')
    .addColumn('comment_id', 'integer', (c: any) => c.primaryKey().references('comments.id').onDelete('cascade'))
    .addColumn('note_id', 'text', (c: any) => c.notNull().unique())
    .addColumn('actor_uri', 'text', (c: any) => c.notNull())
    .addColumn('handle', 'text')
    .addColumn('url', 'text')
    .addColumn('inbox', 'text', (c: any) => c.notNull())
    .addColumn('shared_inbox', 'text')
    .addColumn('created_at', 'bigint', (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('federation_comments_actor').on('federation_comments').column('actor_uri').execute();

  const table = db.schema.createTable('federation_private_mentions');
  await (pg ? table.addColumn('id', 'bigserial', (c: any) => c.primaryKey()) : table.addColumn('id', 'integer', (c: any) => c.primaryKey().autoIncrement()))
    .addColumn('note_id', 'text', (c: any) => c.notNull().unique())
    .addColumn('actor_uri', 'text', (c: any) => c.notNull())
    .addColumn('name', 'text', (c: any) => c.notNull())
    .addColumn('handle', 'text')
    .addColumn('profile_url', 'text')
    .addColumn('url', 'text')
    .addColumn('visibility', 'text', (c: any) => c.notNull()) // followers, direct
    .addColumn('in_reply_to', 'text')
    .addColumn('post_id', 'integer', (c: any) => c.references('posts.id').onDelete('set null'))
    .addColumn('html', 'text', (c: any) => c.notNull())
    .addColumn('created_at', 'bigint', (c: any) => c.notNull())
    .addColumn('updated_at', 'bigint', (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('federation_private_mentions_actor').on('federation_private_mentions').column('actor_uri').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('federation_private_mentions').ifExists().execute();
  await db.schema.dropTable('federation_comments').ifExists().execute();
}
