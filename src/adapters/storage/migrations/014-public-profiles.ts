import type { Kysely } from 'kysely';
import type { Engine } from '../schema.ts';

/**
 * "Who is this?" (issue 11, point 7): each website's representative h-card as last read
 * by the background job, or why nothing was found, with when it was read; and its rel=me
 * links as rows, so the duplicates query can join them to other people's identities.
 * Keyed by the website (normalised as identities are), not by person: merges and undos
 * leave it alone, and two people who give one website share one look-up.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  await db.schema
    .createTable('public_profiles')
    .addColumn('website', 'text', (c: any) => c.primaryKey())
    .addColumn('found', 'integer', (c: any) => c.notNull())
    .addColumn('reason', 'text') // timeout, not-html, private-address, too-large, redirect-loop, http-error, unreachable, not-a-web-address, unreadable, no-h-card
    .addColumn('reason_detail', 'text')
    .addColumn('name', 'text')
    .addColumn('note', 'text')
    .addColumn('url', 'text')
    .addColumn('photo', 'text')
    .addColumn('fetched_at', 'bigint', (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('public_profiles_fetched').on('public_profiles').column('fetched_at').execute();

  const links = db.schema.createTable('public_profile_links');
  await (engine === 'postgres' ? links.addColumn('id', 'serial', (c: any) => c.primaryKey()) : links.addColumn('id', 'integer', (c: any) => c.primaryKey().autoIncrement()))
    .addColumn('website', 'text', (c: any) => c.notNull().references('public_profiles.website').onDelete('cascade'))
    .addColumn('url', 'text', (c: any) => c.notNull())
    .addColumn('position', 'integer', (c: any) => c.notNull())
    .addUniqueConstraint('public_profile_links_once', ['website', 'url'])
    .execute();
  await db.schema.createIndex('public_profile_links_url').on('public_profile_links').column('url').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('public_profile_links').ifExists().execute();
  await db.schema.dropTable('public_profiles').ifExists().execute();
}
