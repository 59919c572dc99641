import { sql, type Kysely } from 'kysely';
import type { Engine } from '../schema.ts';

/**
 * Users, posts, tags, comments, people, sessions, tokens, uploads, settings, rate limits
 * and full-text search. The same migration runs on both engines; the few differences
 * (auto-increment keys, binary columns, the search index) are chosen by `engine`.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const pg = engine === 'postgres';
  const id = (t: any) => (pg ? t.addColumn('id', 'serial', (c: any) => c.primaryKey()) : t.addColumn('id', 'integer', (c: any) => c.primaryKey().autoIncrement()));

  await id(db.schema.createTable('users'))
    .addColumn('email', 'text', (c: any) => c.notNull().unique())
    .addColumn('name', 'text', (c: any) => c.notNull())
    .addColumn('slug', 'text', (c: any) => c.notNull().unique())
    .addColumn('bio', 'text', (c: any) => c.notNull().defaultTo(''))
    .addColumn('role', 'text', (c: any) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('created_at', 'bigint', (c: any) => c.notNull())
    .execute();

  await id(db.schema.createTable('posts'))
    .addColumn('type', 'text', (c: any) => c.notNull())
    .addColumn('slug', 'text', (c: any) => c.notNull().unique())
    .addColumn('title', 'text', (c: any) => c.notNull())
    .addColumn('markdown', 'text', (c: any) => c.notNull())
    .addColumn('html', 'text', (c: any) => c.notNull())
    .addColumn('excerpt', 'text', (c: any) => c.notNull())
    .addColumn('search_text', 'text', (c: any) => c.notNull())
    .addColumn('status', 'text', (c: any) => c.notNull())
    .addColumn('visibility', 'text', (c: any) => c.notNull())
    .addColumn('published_at', 'bigint')
    .addColumn('author_id', 'integer', (c: any) => c.notNull().references('users.id'))
    .addColumn('cover_image', 'text')
    .addColumn('created_at', 'bigint', (c: any) => c.notNull())
    .addColumn('updated_at', 'bigint', (c: any) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .execute();
  await db.schema.createIndex('posts_listing').on('posts').columns(['type', 'status', 'published_at']).execute();
  await db.schema.createIndex('posts_author').on('posts').column('author_id').execute();

  await db.schema
    .createTable('post_old_slugs')
    .addColumn('slug', 'text', (c) => c.primaryKey())
    .addColumn('post_id', 'integer', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .execute();

  await id(db.schema.createTable('tags'))
    .addColumn('slug', 'text', (c: any) => c.notNull().unique())
    .addColumn('name', 'text', (c: any) => c.notNull())
    .execute();

  await db.schema
    .createTable('post_tags')
    .addColumn('post_id', 'integer', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('tag_id', 'integer', (c) => c.notNull().references('tags.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('post_tags_pk', ['post_id', 'tag_id'])
    .execute();
  await db.schema.createIndex('post_tags_tag').on('post_tags').column('tag_id').execute();

  await id(db.schema.createTable('people'))
    .addColumn('name', 'text', (c: any) => c.notNull())
    .addColumn('email', 'text', (c: any) => c.unique())
    .addColumn('website', 'text')
    .addColumn('created_at', 'bigint', (c: any) => c.notNull())
    .execute();

  await id(db.schema.createTable('comments'))
    .addColumn('post_id', 'integer', (c: any) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('parent_id', 'integer', (c: any) => c.references('comments.id').onDelete('set null'))
    .addColumn('person_id', 'integer', (c: any) => c.references('people.id').onDelete('set null'))
    .addColumn('user_id', 'integer', (c: any) => c.references('users.id').onDelete('set null'))
    .addColumn('author_name', 'text', (c: any) => c.notNull())
    .addColumn('author_email', 'text', (c: any) => c.notNull())
    .addColumn('author_url', 'text')
    .addColumn('markdown', 'text', (c: any) => c.notNull())
    .addColumn('html', 'text', (c: any) => c.notNull())
    .addColumn('status', 'text', (c: any) => c.notNull())
    .addColumn('created_at', 'bigint', (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('comments_thread').on('comments').columns(['post_id', 'status', 'created_at']).execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_expiry').on('sessions').column('expires_at').execute();

  await id(db.schema.createTable('api_tokens'))
    .addColumn('user_id', 'integer', (c: any) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c: any) => c.notNull())
    .addColumn('prefix', 'text', (c: any) => c.notNull())
    .addColumn('token_hash', 'text', (c: any) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c: any) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute();

  await db.schema
    .createTable('uploads')
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('original_name', 'text', (c) => c.notNull())
    .addColumn('data', pg ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('uploader_id', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('rate_limits')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .execute();

  if (pg) {
    await sql`alter table posts add column search_vector tsvector generated always as (
      setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', search_text), 'B')) stored`.execute(db);
    await sql`create index posts_search on posts using gin (search_vector)`.execute(db);
  } else {
    await sql`create virtual table posts_fts using fts5(title, body, tokenize = 'porter unicode61 remove_diacritics 2')`.execute(db);
  }
}

export async function down(db: Kysely<any>, engine: Engine): Promise<void> {
  if (engine === 'sqlite') await sql`drop table if exists posts_fts`.execute(db);
  for (const table of ['rate_limits', 'settings', 'uploads', 'api_tokens', 'sessions', 'comments', 'people', 'post_tags', 'tags', 'post_old_slugs', 'posts', 'users']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
