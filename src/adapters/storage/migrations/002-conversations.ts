import { sql, type Kysely } from 'kysely';
import type { Engine } from '../schema.ts';

/**
 * Conversations: threading and moderation columns on comments, per-post comment
 * settings, email subscriptions and confirmed addresses, the durable mail outbox, and
 * the spam filter's learned model.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const pg = engine === 'postgres';
  const id = (t: any) => (pg ? t.addColumn('id', 'serial', (c: any) => c.primaryKey()) : t.addColumn('id', 'integer', (c: any) => c.primaryKey().autoIncrement()));

  // Existing comments (the demo) are top-level or one level deep; root and depth are filled below.
  for (const [name, type, build] of [
    ['root_id', 'integer', (c: any) => c],
    ['depth', 'integer', (c: any) => c.notNull().defaultTo(0)],
    ['updated_at', 'bigint', (c: any) => c.notNull().defaultTo(0)],
    ['edited_at', 'bigint', (c: any) => c],
    ['status_changed_at', 'bigint', (c: any) => c.notNull().defaultTo(0)],
    ['moderation_reasons', 'text', (c: any) => c.notNull().defaultTo('[]')],
    ['spam_score', pg ? 'double precision' : 'real', (c: any) => c],
    ['edit_token_hash', 'text', (c: any) => c],
    ['ip', 'text', (c: any) => c],
    ['user_agent', 'text', (c: any) => c],
    ['source', 'text', (c: any) => c.notNull().defaultTo('form')],
    // What the spam filter learned this comment as ('spam' or 'ham'), so a reversed decision can be unlearned.
    ['learned_as', 'text', (c: any) => c],
  ] as const) {
    await db.schema.alterTable('comments').addColumn(name, type as any, build as any).execute();
  }
  await sql`update comments set root_id = id, depth = 0 where parent_id is null`.execute(db);
  await sql`update comments set root_id = parent_id, depth = 1 where parent_id is not null`.execute(db);
  await sql`update comments set updated_at = created_at, status_changed_at = created_at`.execute(db);
  // A post's conversations in keyset order (the thread's pages).
  await db.schema.createIndex('comments_roots').on('comments').columns(['post_id', 'depth', 'created_at', 'id']).execute();
  await db.schema.createIndex('comments_by_root').on('comments').columns(['root_id', 'status']).execute();
  await db.schema.createIndex('comments_inbox').on('comments').columns(['status', 'created_at']).execute();
  await db.schema.createIndex('comments_person').on('comments').column('person_id').execute();

  await db.schema.alterTable('posts').addColumn('comments_mode', 'text', (c) => c.notNull().defaultTo('inherit')).execute();
  await db.schema.alterTable('posts').addColumn('comments_close_days', 'integer').execute();

  // An address is confirmed once (double opt-in); its subscriptions then take effect.
  await db.schema
    .createTable('email_addresses')
    .addColumn('email', 'text', (c) => c.primaryKey())
    .addColumn('confirm_token', 'text', (c) => c.notNull().unique())
    .addColumn('confirmed_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await id(db.schema.createTable('subscriptions'))
    .addColumn('kind', 'text', (c: any) => c.notNull()) // 'post' (all new comments) or 'replies' (to one comment)
    .addColumn('email', 'text', (c: any) => c.notNull())
    .addColumn('post_id', 'integer', (c: any) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('comment_id', 'integer', (c: any) => c.references('comments.id').onDelete('cascade'))
    .addColumn('token', 'text', (c: any) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c: any) => c.notNull())
    .addColumn('unsubscribed_at', 'bigint')
    .execute();
  await db.schema.createIndex('subscriptions_post').on('subscriptions').columns(['post_id', 'kind']).execute();
  await db.schema.createIndex('subscriptions_comment').on('subscriptions').column('comment_id').execute();

  // Mail is written here in the same transaction as what caused it, and sent by a worker.
  await id(db.schema.createTable('outbox'))
    .addColumn('idempotency_key', 'text', (c: any) => c.notNull().unique())
    .addColumn('kind', 'text', (c: any) => c.notNull())
    .addColumn('to_address', 'text', (c: any) => c.notNull())
    .addColumn('subject', 'text', (c: any) => c.notNull())
    .addColumn('text_body', 'text', (c: any) => c.notNull())
    .addColumn('html_body', 'text', (c: any) => c.notNull())
    .addColumn('headers', 'text', (c: any) => c.notNull().defaultTo('{}'))
    .addColumn('status', 'text', (c: any) => c.notNull()) // pending, sent, failed
    .addColumn('attempts', 'integer', (c: any) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c: any) => c.notNull())
    .addColumn('locked_until', 'bigint', (c: any) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c: any) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .execute();
  await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'next_attempt_at']).execute();

  // Naive Bayes counts: how often each token appeared in spam and in legitimate comments.
  await db.schema
    .createTable('spam_tokens')
    .addColumn('token', 'text', (c) => c.primaryKey())
    .addColumn('spam', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('ham', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('spam_totals')
    .addColumn('label', 'text', (c) => c.primaryKey()) // 'spam' or 'ham'
    .addColumn('documents', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['spam_totals', 'spam_tokens', 'outbox', 'subscriptions', 'email_addresses']) await db.schema.dropTable(table).ifExists().execute();
  for (const index of ['comments_roots', 'comments_by_root', 'comments_inbox', 'comments_person']) await db.schema.dropIndex(index).ifExists().execute();
  for (const column of ['root_id', 'depth', 'updated_at', 'edited_at', 'status_changed_at', 'moderation_reasons', 'spam_score', 'edit_token_hash', 'ip', 'user_agent', 'source', 'learned_as']) {
    await db.schema.alterTable('comments').dropColumn(column).execute();
  }
  await db.schema.alterTable('posts').dropColumn('comments_mode').execute();
  await db.schema.alterTable('posts').dropColumn('comments_close_days').execute();
}
