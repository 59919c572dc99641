import { sql, type Kysely } from 'kysely';

/**
 * People at scale (issue 11, "Speed"): the indexes a person's page and the People list
 * need, without adding to what each new comment writes.
 *
 * - `comments_parent` (replies to a comment, with their status, author and time; only rows
 *   that answer one, so a new top-level comment writes no entry): "the author's replies to
 *   them" on a person's timeline and "when you last answered" in the list, found from their
 *   comments instead of a scan of every comment.
 * - `comments_person_name` replaces `comments_person` (person_id alone, which
 *   `comments_person_time` already covers): the names a person has used, read from the
 *   index alone.
 * - `people_name_key` (`lower(trim(name))`): people with the same name, for possible
 *   duplicates, without comparing every person with every other.
 * - `outbox_to` and `subscriptions_email`: a person's timeline finds the mails sent to, and
 *   the subscriptions of, any of their addresses (mails are not linked to a person when
 *   queued) without reading the whole outbox.
 * - `person_identities_person` goes: the unique `(person_id, kind, value)` starts with
 *   person_id and serves the same lookups.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('comments_parent').on('comments').columns(['parent_id', 'status', 'user_id', 'created_at']).where(sql.ref('parent_id'), 'is not', null).execute();
  await db.schema.createIndex('comments_person_name').on('comments').columns(['person_id', 'author_name', 'created_at']).execute();
  await db.schema.dropIndex('comments_person').ifExists().execute();
  await db.schema.createIndex('people_name_key').on('people').expression(sql`lower(trim(name))`).execute();
  await db.schema.createIndex('outbox_to').on('outbox').columns(['to_address', 'created_at']).execute();
  await db.schema.createIndex('subscriptions_email').on('subscriptions').columns(['email', 'created_at']).execute();
  await db.schema.dropIndex('person_identities_person').ifExists().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('person_identities_person').ifNotExists().on('person_identities').column('person_id').execute();
  await db.schema.dropIndex('subscriptions_email').ifExists().execute();
  await db.schema.dropIndex('outbox_to').ifExists().execute();
  await db.schema.dropIndex('people_name_key').ifExists().execute();
  await db.schema.createIndex('comments_person').ifNotExists().on('comments').column('person_id').execute();
  await db.schema.dropIndex('comments_person_name').ifExists().execute();
  await db.schema.dropIndex('comments_parent').ifExists().execute();
}
