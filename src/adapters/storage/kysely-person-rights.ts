import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { ArchivedPerson } from '../../core/archive.ts';
import { emailRateLimitKey } from '../../core/comment-service.ts';
import { notFound } from '../../core/errors.ts';
import { mailKeyPrefixesAbout } from '../../core/notification-service.ts';
import {
  emailsOf,
  websitesOf,
  emptyForgetCounts,
  forgetAuditDetail,
  FORGOTTEN_NAME,
  FORGOTTEN_REASON,
  REDACTED_MAIL,
  scrubbedEventDetail,
  staffPersonError,
  type ForgetChoice,
  type ForgetOutcome,
  type PersonData,
  type PersonMail,
} from '../../core/person-rights.ts';
import type { PostSource } from '../../core/post-ideas.ts';
import type { CommentRevision, OutboxStatus } from '../../core/store.ts';
import { toAuditEntry } from './kysely-audit.ts';
import { toEvent, toIdentity, toNote, toTrust } from './kysely-people.ts';
import { toPostSource } from './kysely-post-sources.ts';
import { toComment } from './kysely-comments.ts';
import { toFollower } from './kysely-followers.ts';
import { toSubscription } from './kysely-subscriptions.ts';
import { toReceived } from './kysely-webmentions.ts';
import { transact } from './transact.ts';
import { KyselyWhoIsRepository } from './kysely-who-is.ts';
import { toLink, toMention } from './kysely-fediverse-replies.ts';
import { WHO_IS_JOB } from '../../core/who-is.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Lists of ids go to the database in slices of this many values. */
const SLICE = 500;

function slices<T>(values: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += SLICE) out.push(values.slice(i, i + SLICE));
  return out;
}

function toArchivedPerson(row: Selectable<Database['people']>): ArchivedPerson {
  const trust = toTrust(row);
  return { id: row.id, name: row.name, email: row.email, website: row.website, createdAt: Number(row.created_at), trust: trust.trust, trustReason: trust.reason, mutedUntil: trust.mutedUntil, lastSeenAt: Number(row.last_seen_at) };
}

function toCommentRevision(row: Selectable<Database['comment_revisions']>): CommentRevision {
  return { id: row.id, commentId: row.comment_id, markdown: row.markdown, html: row.html, parentId: row.parent_id, editedBy: row.edited_by, editorName: row.editor_name, createdAt: Number(row.created_at) };
}

/** Rows that are theirs by person id, or (from before People) by one of their addresses. */
const byPersonOrEmail = (personId: number, column: 'email' | 'to_address', emails: string[]) => (eb: any) =>
  emails.length > 0 ? eb.or([eb('person_id', '=', personId), eb(column, 'in', emails)]) : eb('person_id', '=', personId);

/** Everything the site holds about one person (core/person-rights.ts, PersonData), on SQL. */
export async function personDataOf(db: Db, personId: number): Promise<PersonData | null> {
  const row = await db.selectFrom('people').selectAll().where('id', '=', personId).executeTakeFirst();
  if (!row) return null;
  const person = toArchivedPerson(row);
  const identities = (await db.selectFrom('person_identities').selectAll().where('person_id', '=', personId).orderBy('kind').orderBy('value').execute()).map(toIdentity);
  const emails = emailsOf(person, identities);
  const actors = identities.filter((i) => i.kind === 'fediverse').map((i) => i.value);
  const comments = (await db.selectFrom('comments').selectAll().where('person_id', '=', personId).orderBy('created_at').orderBy('id').execute()).map(toComment);
  const commentIds = comments.map((c) => c.id);
  const commentRevisions: CommentRevision[] = [];
  for (const ids of slices(commentIds)) {
    commentRevisions.push(...(await db.selectFrom('comment_revisions').selectAll().where('comment_id', 'in', ids).execute()).map(toCommentRevision));
  }
  commentRevisions.sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);
  const mails = await db
    .selectFrom('outbox')
    .select(['id', 'kind', 'to_address', 'subject', 'status', 'created_at', 'sent_at'])
    .where(byPersonOrEmail(personId, 'to_address', emails))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const postIdeas = new Map<number, PostSource>();
  for (const r of await db.selectFrom('post_sources').selectAll().where('person_id', '=', personId).execute()) postIdeas.set(r.post_id, toPostSource(r));
  for (const ids of slices(commentIds)) for (const r of await db.selectFrom('post_sources').selectAll().where('comment_id', 'in', ids).execute()) postIdeas.set(r.post_id, toPostSource(r));
  const websiteProfiles = [];
  for (const site of websitesOf(person, identities)) {
    const profile = await new KyselyWhoIsRepository(db).profile(site);
    if (profile) websiteProfiles.push(profile);
  }
  const fediverseComments = [];
  for (const ids of slices(commentIds)) fediverseComments.push(...(await db.selectFrom('federation_comments').selectAll().where('comment_id', 'in', ids).orderBy('comment_id').execute()).map(toLink));
  return {
    person,
    websiteProfiles,
    fediverseComments,
    privateMentions: actors.length > 0 ? (await db.selectFrom('federation_private_mentions').selectAll().where('actor_uri', 'in', actors).orderBy('created_at').orderBy('id').execute()).map(toMention) : [],
    identities,
    comments,
    commentRevisions,
    webmentions: (await db.selectFrom('webmentions').selectAll().where('person_id', '=', personId).orderBy('received_at').orderBy('id').execute()).map(toReceived),
    subscriptions: (await db.selectFrom('subscriptions').selectAll().where(byPersonOrEmail(personId, 'email', emails)).orderBy('created_at').orderBy('id').execute()).map(toSubscription),
    mails: mails.map((m): PersonMail => ({ id: m.id, kind: m.kind, to: m.to_address, subject: m.subject, status: m.status as OutboxStatus, createdAt: Number(m.created_at), sentAt: m.sent_at === null ? null : Number(m.sent_at) })),
    notes: (await db.selectFrom('person_notes').selectAll().where('person_id', '=', personId).orderBy('created_at').orderBy('id').execute()).map(toNote),
    labels: await db.selectFrom('person_label_links as l').innerJoin('person_labels as n', 'n.id', 'l.label_id').select(['n.id', 'n.name']).where('l.person_id', '=', personId).orderBy('n.name').execute(),
    events: (await db.selectFrom('person_events').selectAll().where('person_id', '=', personId).orderBy('created_at').orderBy('id').execute()).map(toEvent),
    follows: actors.length > 0 ? (await db.selectFrom('federation_followers').selectAll().where('actor_uri', 'in', actors).orderBy('id').execute()).map(toFollower) : [],
    postIdeas: [...postIdeas.values()].sort((a, b) => a.createdAt - b.createdAt || a.postId - b.postId),
  };
}

const deleted = (result: { numDeletedRows: bigint }) => Number(result.numDeletedRows);

/** Forgets a person in one transaction (core/person-rights.ts, PersonRightsRepository.forget), on SQL. */
export async function forgetPerson(db: Db, personId: number, choice: ForgetChoice, actorId: number | null, now: number): Promise<ForgetOutcome> {
  return transact(db, async (tx) => {
    const row = await tx.selectFrom('people').selectAll().where('id', '=', personId).executeTakeFirst();
    if (!row) throw notFound('That person');
    const identities = (await tx.selectFrom('person_identities').selectAll().where('person_id', '=', personId).execute()).map(toIdentity);
    const emails = emailsOf(toArchivedPerson(row), identities);
    if (emails.length > 0) {
      const staff = await tx.selectFrom('users').select(['name', 'email']).where(sql<string>`lower(email)`, 'in', emails).orderBy('id').executeTakeFirst();
      if (staff) throw staffPersonError(staff);
    }
    const actors = identities.filter((i) => i.kind === 'fediverse').map((i) => i.value);
    const counts = emptyForgetCounts();

    // Their comments: nothing that names them stays, nor what they said before an edit.
    const commentIds = (await tx.selectFrom('comments').select('id').where('person_id', '=', personId).orderBy('id').execute()).map((r) => r.id);
    counts.comments = commentIds.length;
    for (const ids of slices(commentIds)) {
      counts.revisions += deleted(await tx.deleteFrom('comment_revisions').where('comment_id', 'in', ids).executeTakeFirst());
      await tx
        .updateTable('comments')
        .set({ author_name: FORGOTTEN_NAME, author_email: '', author_url: null, ip: null, user_agent: null, edit_token_hash: null, person_id: null, moderation_reasons: '[]', updated_at: now })
        .where('id', 'in', ids)
        .execute();
      if (choice === 'trash') {
        await tx.updateTable('comments').set({ status: 'trash', status_changed_at: now, moderation_reasons: JSON.stringify([FORGOTTEN_REASON]) }).where('id', 'in', ids).where('status', '!=', 'trash').execute();
      }
    }
    const mentions = await tx
      .updateTable('webmentions')
      .set({ author_name: null, author_url: null, author_photo: null, person_id: null, ...(choice === 'trash' ? { status: 'deleted', reason: FORGOTTEN_REASON } : {}), updated_at: now })
      .where('person_id', '=', personId)
      .executeTakeFirst();
    counts.webmentions = Number(mentions.numUpdatedRows);

    // Mail: what was sent to them, and what quoted them to others.
    counts.subscriptions = deleted(await tx.deleteFrom('subscriptions').where(byPersonOrEmail(personId, 'email', emails)).executeTakeFirst());
    counts.mails = deleted(await tx.deleteFrom('outbox').where(byPersonOrEmail(personId, 'to_address', emails)).executeTakeFirst());
    for (const ids of slices(commentIds)) {
      const prefixes = ids.flatMap(mailKeyPrefixesAbout);
      const quoting = await tx
        .selectFrom('outbox')
        .select(['id', 'status'])
        .where((eb) => eb.or(prefixes.map((prefix) => eb('idempotency_key', 'like', `${prefix}%`))))
        .execute();
      const unsent = quoting.filter((m) => m.status !== 'sent').map((m) => m.id);
      const sent = quoting.filter((m) => m.status === 'sent').map((m) => m.id);
      if (unsent.length > 0) counts.mails += deleted(await tx.deleteFrom('outbox').where('id', 'in', unsent).executeTakeFirst());
      if (sent.length > 0) {
        await tx.updateTable('outbox').set({ subject: REDACTED_MAIL.subject, text_body: REDACTED_MAIL.body, html_body: `<p>${REDACTED_MAIL.body}</p>`, person_id: null }).where('id', 'in', sent).execute();
        counts.mailsRedacted += sent.length;
      }
    }
    if (emails.length > 0) {
      await tx.deleteFrom('rate_limits').where(sql<string>`lower(key)`, 'in', emails.map(emailRateLimitKey)).execute();
      // A confirmed address is theirs unless another person uses it too.
      await tx
        .deleteFrom('email_addresses')
        .where('email', 'in', emails)
        .where((eb) => eb.not(eb.exists(eb.selectFrom('person_identities as i').select('i.id').whereRef('i.value', '=', 'email_addresses.email').where('i.kind', '=', 'email').where('i.person_id', '!=', personId))))
        .where((eb) => eb.not(eb.exists(eb.selectFrom('people as p').select('p.id').whereRef('p.email', '=', 'email_addresses.email').where('p.id', '!=', personId))))
        .execute();
    }
    if (actors.length > 0) {
      counts.follows = deleted(await tx.deleteFrom('federation_followers').where('actor_uri', 'in', actors).executeTakeFirst());
      counts.privateMentions = deleted(await tx.deleteFrom('federation_private_mentions').where('actor_uri', 'in', actors).executeTakeFirst());
      await tx.deleteFrom('federation_comments').where('actor_uri', 'in', actors).execute();
    }
    // What their fediverse comments came from (their actor, handle, the original's address) goes with their name.
    for (const ids of slices(commentIds)) await tx.deleteFrom('federation_comments').where('comment_id', 'in', ids).execute();
    counts.postIdeas = Number((await tx.updateTable('post_sources').set({ person_id: null }).where('person_id', '=', personId).executeTakeFirst()).numUpdatedRows);
    // What "who is this?" read on their websites, and look-ups still to come, unless someone else gives the same site.
    for (const site of websitesOf(toArchivedPerson(row), identities)) {
      const shared = await tx.selectFrom('person_identities').select('id').where('value', '=', site).where('kind', 'in', ['website', 'webmention']).where('person_id', '!=', personId).limit(1).executeTakeFirst();
      if (shared) continue;
      if (await tx.selectFrom('public_profiles').select('website').where('website', '=', site).executeTakeFirst()) counts.profiles++;
      await new KyselyWhoIsRepository(tx).deleteProfile(site);
      const lookups = (await tx.selectFrom('jobs').select(['id', 'job_key']).where('kind', '=', WHO_IS_JOB).execute()).filter((j) => j.job_key.startsWith(`${WHO_IS_JOB}:${site}:`));
      if (lookups.length > 0) await tx.deleteFrom('jobs').where('id', 'in', lookups.map((j) => j.id)).execute();
    }

    // The person and everything the team kept about them.
    counts.notes = deleted(await tx.deleteFrom('person_notes').where('person_id', '=', personId).executeTakeFirst());
    counts.labels = deleted(await tx.deleteFrom('person_label_links').where('person_id', '=', personId).executeTakeFirst());
    counts.events = deleted(await tx.deleteFrom('person_events').where('person_id', '=', personId).executeTakeFirst());
    counts.identities = deleted(await tx.deleteFrom('person_identities').where('person_id', '=', personId).executeTakeFirst());
    // Others' merge records that kept their name and addresses for an undo.
    for (const event of (await tx.selectFrom('person_events').selectAll().where('kind', 'in', ['merged', 'split']).execute()).map(toEvent)) {
      const detail = scrubbedEventDetail(event, personId);
      if (detail) await tx.updateTable('person_events').set({ detail: JSON.stringify(detail) }).where('id', '=', event.id).execute();
    }
    await tx.deleteFrom('people').where('id', '=', personId).execute();

    const audit = await tx
      .insertInto('audit_log')
      .values({ action: 'person-forgotten', detail: JSON.stringify(forgetAuditDetail(personId, choice, counts, actorId)), actor_id: actorId, created_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { personId, choice, counts, audit: toAuditEntry(audit) };
  });
}
