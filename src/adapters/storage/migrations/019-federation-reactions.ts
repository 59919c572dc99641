import type { Kysely } from 'kysely';
import type { Engine } from '../schema.ts';

/**
 * Likes and boosts (issue 12, point 6): one row per actor, kind and post, with the
 * activity's id for its Undo and the actor's name, handle, profile and avatar as they were
 * when they reacted (shown as faces). Quotes the blog authorized (FEP-044f) are kept too,
 * each served at its own address for servers to check.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const pg = engine === 'postgres';
  const id = (t: any) => (pg ? t.addColumn('id', 'bigserial', (c: any) => c.primaryKey()) : t.addColumn('id', 'integer', (c: any) => c.primaryKey().autoIncrement()));
  await id(db.schema.createTable('federation_reactions'))
    .addColumn('post_id', 'integer', (c: any) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c: any) => c.notNull()) // like, announce
    .addColumn('actor_uri', 'text', (c: any) => c.notNull())
    .addColumn('activity_id', 'text', (c: any) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('handle', 'text')
    .addColumn('profile_url', 'text')
    .addColumn('icon_url', 'text')
    .addColumn('created_at', 'bigint', (c: any) => c.notNull())
    .addUniqueConstraint('federation_reactions_one_each', ['post_id', 'kind', 'actor_uri'])
    .execute();
  await db.schema.createIndex('federation_reactions_activity').on('federation_reactions').column('activity_id').execute();
  await db.schema.createIndex('federation_reactions_actor').on('federation_reactions').column('actor_uri').execute();

  await id(db.schema.createTable('federation_quote_authorizations'))
    .addColumn('post_id', 'integer', (c: any) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('actor_uri', 'text', (c: any) => c.notNull())
    .addColumn('quote_uri', 'text', (c: any) => c.notNull().unique())
    .addColumn('request_id', 'text', (c: any) => c.notNull())
    .addColumn('created_at', 'bigint', (c: any) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('federation_quote_authorizations').ifExists().execute();
  await db.schema.dropTable('federation_reactions').ifExists().execute();
}
