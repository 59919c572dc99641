import { sql, type Kysely } from 'kysely';
import type { Engine } from '../schema.ts';
import { normaliseEmail, normaliseUrl } from '../../../core/people.ts';

/**
 * People (issue 11): a person's identities as rows (so a merge can move them), trust,
 * private notes, labels and the events the timeline needs; person_id on subscriptions and
 * outbox mails. Today's data moves in: each person's email and website become identities
 * (the email verified when its address was confirmed by a subscription, or a staff account
 * uses it; websites only claimed), and subscriptions and mails find their person by email.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const pg = engine === 'postgres';
  const id = (t: any) => (pg ? t.addColumn('id', 'serial', (c: any) => c.primaryKey()) : t.addColumn('id', 'integer', (c: any) => c.primaryKey().autoIncrement()));

  await db.schema.alterTable('people').addColumn('trust', 'text', (c: any) => c.notNull().defaultTo('normal')).execute();
  await db.schema.alterTable('people').addColumn('trust_reason', 'text').execute();
  await db.schema.alterTable('people').addColumn('muted_until', 'bigint').execute();
  await db.schema.alterTable('people').addColumn('last_seen_at', 'bigint', (c: any) => c.notNull().defaultTo(0)).execute();

  await id(db.schema.createTable('person_identities'))
    .addColumn('person_id', 'integer', (c: any) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c: any) => c.notNull()) // email, website, webmention, fediverse, handle
    .addColumn('value', 'text', (c: any) => c.notNull())
    .addColumn('verified', 'integer', (c: any) => c.notNull().defaultTo(0))
    .addColumn('first_seen', 'bigint', (c: any) => c.notNull())
    .addColumn('last_seen', 'bigint', (c: any) => c.notNull())
    .addUniqueConstraint('person_identities_once', ['person_id', 'kind', 'value'])
    .execute();
  // A value can be proven for one person only; any number may claim it.
  await db.schema.createIndex('person_identities_verified').unique().on('person_identities').columns(['kind', 'value']).where(sql.ref('verified'), '=', 1).execute();
  await db.schema.createIndex('person_identities_value').on('person_identities').columns(['value', 'kind']).execute();
  await db.schema.createIndex('person_identities_person').on('person_identities').column('person_id').execute();

  await id(db.schema.createTable('person_notes'))
    .addColumn('person_id', 'integer', (c: any) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('markdown', 'text', (c: any) => c.notNull())
    .addColumn('html', 'text', (c: any) => c.notNull())
    .addColumn('author_id', 'integer', (c: any) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (c: any) => c.notNull())
    .addColumn('updated_at', 'bigint', (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('person_notes_person').on('person_notes').columns(['person_id', 'created_at']).execute();

  await id(db.schema.createTable('person_labels')).addColumn('name', 'text', (c: any) => c.notNull().unique()).addColumn('created_at', 'bigint', (c: any) => c.notNull()).execute();
  // An id of its own, so the archive (export, backup) pages it like every other table.
  await id(db.schema.createTable('person_label_links'))
    .addColumn('person_id', 'integer', (c: any) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('label_id', 'integer', (c: any) => c.notNull().references('person_labels.id').onDelete('cascade'))
    .addUniqueConstraint('person_label_links_once', ['person_id', 'label_id'])
    .execute();
  await db.schema.createIndex('person_label_links_label').on('person_label_links').column('label_id').execute();

  await id(db.schema.createTable('person_events'))
    .addColumn('person_id', 'integer', (c: any) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c: any) => c.notNull()) // trust, label-added, label-removed, (later) merged, split, forgotten
    .addColumn('detail', 'text', (c: any) => c.notNull().defaultTo('{}'))
    .addColumn('actor_id', 'integer', (c: any) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (c: any) => c.notNull())
    .execute();
  await db.schema.createIndex('person_events_person').on('person_events').columns(['person_id', 'created_at']).execute();

  await db.schema.alterTable('subscriptions').addColumn('person_id', 'integer', (c: any) => c.references('people.id').onDelete('set null')).execute();
  await db.schema.alterTable('outbox').addColumn('person_id', 'integer', (c: any) => c.references('people.id').onDelete('set null')).execute();
  await db.schema.createIndex('subscriptions_person').on('subscriptions').columns(['person_id', 'created_at']).execute();
  await db.schema.createIndex('outbox_person').on('outbox').columns(['person_id', 'created_at']).execute();
  await db.schema.createIndex('comments_person_time').on('comments').columns(['person_id', 'created_at']).execute();
  await db.schema.createIndex('webmentions_person').on('webmentions').columns(['person_id', 'received_at']).execute();
  await db.schema.createIndex('people_last_seen').on('people').columns(['last_seen_at', 'id']).execute();

  await moveTodaysPeople(db);
}

/** Identities from each person's email and website, a page of people at a time; then the backfills. */
async function moveTodaysPeople(db: Kysely<any>): Promise<void> {
  let after = 0;
  for (;;) {
    const rows = (await db
      .selectFrom('people as p')
      .select(['p.id', 'p.email', 'p.website', 'p.created_at'])
      .select((eb: any) => [
        eb.selectFrom('comments as c').select(eb.fn.max('c.created_at').as('m')).whereRef('c.person_id', '=', 'p.id').as('last'),
        eb.selectFrom('email_addresses as e').select(eb.fn.countAll().as('n')).whereRef('e.email', '=', 'p.email').where('e.confirmed_at', 'is not', null).as('confirmed'),
        eb.selectFrom('users as u').select(eb.fn.countAll().as('n')).where(sql`lower(u.email)`, '=', sql.ref('p.email')).as('staff'),
      ])
      .where('p.id', '>', after)
      .orderBy('p.id')
      .limit(500)
      .execute()) as Array<{ id: number; email: string | null; website: string | null; created_at: number | string; last: number | string | null; confirmed: number | string; staff: number | string }>;
    if (rows.length === 0) break;
    after = rows[rows.length - 1].id;
    const identities: Array<Record<string, unknown>> = [];
    for (const row of rows) {
      const first = Number(row.created_at);
      const last = Math.max(first, Number(row.last ?? first));
      if (row.email) identities.push({ person_id: row.id, kind: 'email', value: normaliseEmail(row.email), verified: Number(row.confirmed) > 0 || Number(row.staff) > 0 ? 1 : 0, first_seen: first, last_seen: last });
      const website = row.website ? normaliseUrl(row.website) : null;
      if (website) identities.push({ person_id: row.id, kind: 'website', value: website, verified: 0, first_seen: first, last_seen: last });
      await db.updateTable('people').set({ last_seen_at: last }).where('id', '=', row.id).execute();
    }
    if (identities.length > 0) await db.insertInto('person_identities').values(identities).execute();
  }
  await sql`update subscriptions set person_id = (select p.id from people p where p.email = lower(subscriptions.email)) where person_id is null`.execute(db);
  await sql`update outbox set person_id = (select p.id from people p where p.email = lower(outbox.to_address)) where person_id is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of ['subscriptions_person', 'outbox_person', 'comments_person_time', 'webmentions_person', 'people_last_seen']) await db.schema.dropIndex(index).ifExists().execute();
  await db.schema.alterTable('outbox').dropColumn('person_id').execute();
  await db.schema.alterTable('subscriptions').dropColumn('person_id').execute();
  for (const table of ['person_events', 'person_label_links', 'person_labels', 'person_notes', 'person_identities']) await db.schema.dropTable(table).ifExists().execute();
  for (const column of ['last_seen_at', 'muted_until', 'trust_reason', 'trust']) await db.schema.alterTable('people').dropColumn(column).execute();
}
