import type { Kysely } from 'kysely';
import type { Engine } from '../schema.ts';

/**
 * The editor (issue 14, point 1). Per-post SEO fields that replace the automatic ones in
 * the page head when set: a meta description (else the excerpt), a social image (else the
 * cover) and a canonical address (else the post's own). `creation_key` is the random key
 * a new post's editor page carries: the first of its saves or autosaves creates the post,
 * every later one finds it by (author, key), so racing requests make one post, not several.
 */
export async function up(db: Kysely<any>, _engine: Engine): Promise<void> {
  await db.schema.alterTable('posts').addColumn('meta_description', 'text').execute();
  await db.schema.alterTable('posts').addColumn('social_image', 'text').execute();
  await db.schema.alterTable('posts').addColumn('canonical_url', 'text').execute();
  await db.schema.alterTable('posts').addColumn('creation_key', 'text').execute();
  // Null keys (posts made elsewhere: imports, the API) never collide.
  await db.schema.createIndex('posts_creation_key').unique().on('posts').columns(['author_id', 'creation_key']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('posts_creation_key').execute();
  for (const column of ['creation_key', 'canonical_url', 'social_image', 'meta_description']) await db.schema.alterTable('posts').dropColumn(column).execute();
}
