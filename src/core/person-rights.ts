/**
 * Their data, their rights (issue 11, point 9): everything the site holds about one
 * person, exported as one JSON document, and "forget this person", which erases what
 * identifies them and leaves an audit line that holds no personal data. The rules are in
 * ARCHITECTURE.md, "People".
 */
import type { ArchivedPerson } from './archive.ts';
import type { AuditCursor, AuditEntry } from './audit.ts';
import type { Clock } from './clock.ts';
import { DomainError, notFound } from './errors.ts';
import type { Follower } from './federation-store.ts';
import type { PersonEvent, PersonIdentity, PersonLabel, PersonNote } from './people.ts';
import { normaliseEmail, normaliseUrl } from './people.ts';
import type { PostSource } from './post-ideas.ts';
import type { Comment, CommentRevision, OutboxMessage, Post, Store, Subscription, User } from './store.ts';
import type { ReceivedMention } from './webmention-store.ts';
import type { PublicProfile } from './who-is.ts';
import type { FediverseComment, PrivateMention } from './fediverse-reply-store.ts';

/** What happens to a forgotten person's comments: kept without anything that names them, or moved to the trash too. */
export type ForgetChoice = 'anonymise' | 'trash';
export const forgetChoices: readonly ForgetChoice[] = ['anonymise', 'trash'];

/** The name a forgotten person's comments show. */
export const FORGOTTEN_NAME = 'Someone';
/** Why a forgotten person's comment is in the trash, as the inbox shows it. */
export const FORGOTTEN_REASON = 'its writer was forgotten at their request';

/** What a sent mail that quoted a forgotten person's comment keeps in place of its subject and body. */
export const REDACTED_MAIL = {
  subject: 'Removed: this mail quoted someone who was forgotten',
  body: 'This mail quoted a comment whose writer was later forgotten at their request. Its text is not kept.',
};

/** A mail to the person, as the export lists it: what and when, not the body. */
export type PersonMail = Pick<OutboxMessage, 'id' | 'kind' | 'to' | 'subject' | 'status' | 'createdAt' | 'sentAt'>;

/** Everything the site holds about one person, as the repositories read it. */
export interface PersonData {
  person: ArchivedPerson;
  identities: PersonIdentity[];
  /** Their comments, every status, oldest first. */
  comments: Comment[];
  /** The earlier versions of those comments, oldest first. */
  commentRevisions: CommentRevision[];
  webmentions: ReceivedMention[];
  /** By person, or by one of their addresses (subscriptions from before People). */
  subscriptions: Subscription[];
  mails: PersonMail[];
  notes: PersonNote[];
  labels: PersonLabel[];
  events: PersonEvent[];
  /** Follows of the blog by their fediverse accounts. */
  follows: Follower[];
  /** Posts made from their comments. */
  postIdeas: PostSource[];
  /** What "who is this?" read on their websites (their h-card). */
  websiteProfiles: PublicProfile[];
  /** Where those of their comments that came from the fediverse came from (the Note, their handle). */
  fediverseComments: FediverseComment[];
  /** Followers-only and direct Notes their fediverse accounts sent the blog (never comments). */
  privateMentions: PrivateMention[];
}

/** What forgetting removed or changed, counted: the audit line's facts. */
export interface ForgetCounts {
  comments: number;
  /** Earlier versions of their comments, deleted. */
  revisions: number;
  identities: number;
  notes: number;
  labels: number;
  events: number;
  subscriptions: number;
  /** Mails to them (dropped) and mails to others that quoted them (pending dropped, sent redacted). */
  mails: number;
  mailsRedacted: number;
  webmentions: number;
  /** Follower rows of their fediverse accounts. */
  follows: number;
  /** Posts made from their comments: the link to the person is removed; the posts are the author's to edit. */
  postIdeas: number;
  /** Their websites' h-cards read by "who is this?" (unless another person gives the same site). */
  profiles: number;
  /** Followers-only and direct Notes from their fediverse accounts. */
  privateMentions: number;
}

export interface ForgetOutcome {
  personId: number;
  choice: ForgetChoice;
  counts: ForgetCounts;
  audit: AuditEntry;
}

export function emptyForgetCounts(): ForgetCounts {
  return { comments: 0, revisions: 0, identities: 0, notes: 0, labels: 0, events: 0, subscriptions: 0, mails: 0, mailsRedacted: 0, webmentions: 0, follows: 0, postIdeas: 0, profiles: 0, privateMentions: 0 };
}

/** The store's people: export and forget (every engine; people-rights-contract.test.ts). */
export interface PersonRightsRepository {
  /** Everything the site holds about a person; null for someone unknown. */
  dataOf(personId: number): Promise<PersonData | null>;
  /**
   * Forgets a person in one transaction (ARCHITECTURE.md, "People"): their identities,
   * notes, label links, events, subscriptions, mails, follows and the person itself go; their
   * comments stay without name, address, website, IP and user agent (and their history),
   * in the trash too when `choice` is 'trash'; an audit line records the counts. Refused
   * for someone unknown (404) and for a team member's person (422), with nothing changed.
   */
  forget(personId: number, choice: ForgetChoice, actorId: number | null, now: number): Promise<ForgetOutcome>;
}

/** Every address a person is known by (their email identities and their primary address). */
export function emailsOf(person: Pick<ArchivedPerson, 'email'>, identities: readonly Pick<PersonIdentity, 'kind' | 'value'>[]): string[] {
  const emails = new Set(identities.filter((i) => i.kind === 'email').map((i) => i.value));
  if (person.email) emails.add(normaliseEmail(person.email));
  return [...emails].sort();
}

/** Every web address a person is known by (websites, webmention author pages, their primary website), normalised. */
export function websitesOf(person: Pick<ArchivedPerson, 'website'>, identities: readonly Pick<PersonIdentity, 'kind' | 'value'>[]): string[] {
  const sites = new Set(identities.filter((i) => i.kind === 'website' || i.kind === 'webmention').map((i) => i.value));
  const primary = person.website ? normaliseUrl(person.website) : null;
  if (primary) sites.add(primary);
  return [...sites].sort();
}

/** The refusal for a team member's person: their record is their account's too. */
export function staffPersonError(user: Pick<User, 'name' | 'email'>): DomainError {
  return new DomainError(
    'validation_failed',
    `This person is on the team: ${user.email} is the address of ${user.name}’s account. A team member’s person cannot be forgotten; remove the account under Users first if they are leaving.`,
    { person: 'A team member.' },
  );
}

export function forgetChoiceProblem(value: unknown): DomainError | null {
  return forgetChoices.includes(value as ForgetChoice)
    ? null
    : new DomainError('validation_failed', 'Choose what happens to their comments: anonymise them (the text stays, under “Someone”) or move them to the trash.', { comments: 'Choose anonymise or trash.' });
}

/**
 * A merge or split event of someone else that names the forgotten person (the manifest
 * keeps a merged person's fields for the undo): the same event with their name, address
 * and website removed, or null when it does not name them.
 */
export function scrubbedEventDetail(event: Pick<PersonEvent, 'kind' | 'detail'>, personId: number): Record<string, unknown> | null {
  if (event.kind !== 'merged' && event.kind !== 'split') return null;
  const detail = structuredClone(event.detail) as Record<string, any>;
  let changed = false;
  const renameIn = (list: unknown) => {
    if (!Array.isArray(list)) return;
    for (const entry of list) {
      if (entry && entry.id === personId && entry.name !== FORGOTTEN_NAME) {
        entry.name = FORGOTTEN_NAME;
        changed = true;
      }
    }
  };
  renameIn(detail.merged);
  renameIn(detail.restored);
  if (detail.survivorId === personId && detail.survivorBefore) {
    detail.survivorBefore = { name: FORGOTTEN_NAME, email: null, website: null };
    changed = true;
  }
  if (Array.isArray(detail.records)) {
    for (const record of detail.records) {
      if (record?.person?.id !== personId) continue;
      record.person = { ...record.person, name: FORGOTTEN_NAME, email: null, website: null };
      if (record.trust) record.trust = { ...record.trust, reason: null };
      record.droppedIdentities = [];
      changed = true;
    }
  }
  return changed ? detail : null;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The audit line's facts for one forgetting: ids and counts only (no actor: it was the command line). */
export function forgetAuditDetail(personId: number, choice: ForgetChoice, counts: ForgetCounts, actorId: number | null): Record<string, unknown> {
  return { personId, choice, ...counts, ...(actorId === null ? { commandLine: true } : {}) };
}

/** "Person #12 forgotten by Ada: 14 comments anonymised; 3 identities, 1 note and 2 mails erased." */
export function auditLine(entry: AuditEntry, actorName: string | null): string {
  const d = entry.detail as Partial<ForgetCounts> & { personId?: number; choice?: ForgetChoice; commandLine?: boolean };
  const by = actorName ? ` by ${actorName}` : d.commandLine ? ' from the command line' : ' by a former team member';
  const comments = d.comments ?? 0;
  const done = d.choice === 'trash' ? 'moved to the trash, without their name' : 'anonymised';
  const erased = [
    [d.identities ?? 0, 'identity', 'identities'],
    [d.notes ?? 0, 'note', 'notes'],
    [d.labels ?? 0, 'label', 'labels'],
    [d.subscriptions ?? 0, 'subscription', 'subscriptions'],
    [d.follows ?? 0, 'fediverse follow', 'fediverse follows'],
    [d.mails ?? 0, 'mail', 'mails'],
    [d.revisions ?? 0, 'earlier comment version', 'earlier comment versions'],
    [d.profiles ?? 0, 'website profile', 'website profiles'],
    [d.privateMentions ?? 0, 'private fediverse mention', 'private fediverse mentions'],
  ]
    .filter(([n]) => (n as number) > 0)
    .map(([n, one, many]) => plural(n as number, one as string, many as string));
  const list = erased.length <= 1 ? (erased[0] ?? '') : `${erased.slice(0, -1).join(', ')} and ${erased[erased.length - 1]}`;
  const redacted = d.mailsRedacted ? `; ${plural(d.mailsRedacted, 'sent mail', 'sent mails')} that quoted them redacted` : '';
  return `Person #${d.personId ?? '?'} forgotten${by}: ${plural(comments, 'comment', 'comments')} ${done}${list ? `; ${list} erased` : ''}${redacted}.`;
}

// ---------------------------------------------------------------- the log of who was forgotten

/** A position in the forgotten-people log as text: "<createdAt>.<id>". */
export const forgottenCursorText = (cursor: AuditCursor): string => `${cursor.createdAt}.${cursor.id}`;

/** "<createdAt>.<id>" back into a position; anything else is null (the newest page). */
export function parseForgottenCursor(value: string | undefined): AuditCursor | null {
  const m = /^(\d{1,15})\.(\d{1,10})$/.exec(value ?? '');
  return m ? { createdAt: Number(m[1]), id: Number(m[2]) } : null;
}

/**
 * One page of the log of who was forgotten, newest first (Admin → People → Forgotten and
 * `GET /api/people/forgotten`): `next` is where the following page starts, null at the end.
 */
export async function forgottenPage(store: Pick<Store, 'audit'>, before: AuditCursor | null, limit: number): Promise<{ entries: AuditEntry[]; next: AuditCursor | null }> {
  const page = await store.audit.list({ action: 'person-forgotten', limit: limit + 1, before });
  const entries = page.slice(0, limit);
  const last = entries[entries.length - 1];
  return { entries, next: page.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null };
}

// ---------------------------------------------------------------- the export document

export const PERSON_EXPORT_FORMAT = 'kumbaya-person';
export const PERSON_EXPORT_VERSION = 1;

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/**
 * One person's data as a JSON document (docs/export-format.md, "One person"): snake_case
 * fields and ISO 8601 times as in the site export; secrets (comment edit tokens,
 * unsubscribe links) are left out, and mails are listed by subject and time.
 */
export function personExportDocument(data: PersonData, o: { now: number; siteUrl: string; posts: Map<number, Pick<Post, 'id' | 'title' | 'slug'>>; users: Map<number, Pick<User, 'id' | 'name'>> }) {
  const postRef = (id: number) => {
    const post = o.posts.get(id);
    return { post_id: id, post_title: post?.title ?? null, post_url: post ? `${o.siteUrl}/${post.slug}` : null };
  };
  const userName = (id: number | null) => (id === null ? null : (o.users.get(id)?.name ?? null));
  const revisionsOf = (commentId: number) => data.commentRevisions.filter((r) => r.commentId === commentId);
  const fromFediverse = new Map(data.fediverseComments.map((f) => [f.commentId, f]));
  const p = data.person;
  return {
    format: PERSON_EXPORT_FORMAT,
    version: PERSON_EXPORT_VERSION,
    exported_at: iso(o.now),
    site: o.siteUrl,
    person: {
      id: p.id, name: p.name, email: p.email, website: p.website, created_at: iso(p.createdAt), last_seen_at: iso(p.lastSeenAt),
      trust: p.trust, trust_reason: p.trustReason, muted_until: iso(p.mutedUntil),
    },
    identities: data.identities.map((i) => ({ kind: i.kind, value: i.value, verified: i.verified, first_seen: iso(i.firstSeen), last_seen: iso(i.lastSeen) })),
    comments: data.comments.map((c) => ({
      id: c.id, ...postRef(c.postId), parent_id: c.parentId, status: c.status, source: c.source,
      author_name: c.authorName, author_email: c.authorEmail || null, author_url: c.authorUrl,
      text: c.markdown, html: c.html, moderation_reasons: c.moderationReasons,
      created_at: iso(c.createdAt), edited_at: iso(c.editedAt), ip: c.ip, user_agent: c.userAgent,
      url: `${o.siteUrl}/comments/${c.id}`,
      fediverse: fromFediverse.has(c.id) ? { note_id: fromFediverse.get(c.id)!.noteId, actor_uri: fromFediverse.get(c.id)!.actorUri, handle: fromFediverse.get(c.id)!.handle, url: fromFediverse.get(c.id)!.url } : null,
      revisions: revisionsOf(c.id).map((r) => ({ text: r.markdown, parent_id: r.parentId, edited_by: r.editorName, created_at: iso(r.createdAt) })),
    })),
    webmentions: data.webmentions.map((m) => ({
      id: m.id, source: m.source, target: m.target, ...postRef(m.postId), via: m.via, status: m.status, type: m.type,
      author_name: m.authorName, author_url: m.authorUrl, author_photo: m.authorPhoto, content: m.content, url: m.url,
      published_at: iso(m.publishedAt), received_at: iso(m.receivedAt), comment_id: m.commentId,
    })),
    subscriptions: data.subscriptions.map((s) => ({ kind: s.kind, email: s.email, ...postRef(s.postId), comment_id: s.commentId, created_at: iso(s.createdAt), unsubscribed_at: iso(s.unsubscribedAt) })),
    mails: data.mails.map((m) => ({ subject: m.subject, kind: m.kind, to: m.to, status: m.status, created_at: iso(m.createdAt), sent_at: iso(m.sentAt) })),
    notes: data.notes.map((n) => ({ text: n.markdown, author: userName(n.authorId), created_at: iso(n.createdAt), updated_at: iso(n.updatedAt) })),
    labels: data.labels.map((l) => l.name),
    events: data.events.map((e) => ({ kind: e.kind, detail: e.detail, by: userName(e.actorId), created_at: iso(e.createdAt) })),
    fediverse_follows: data.follows.map((f) => ({ actor_uri: f.actorUri, handle: f.handle, status: f.status, created_at: iso(f.createdAt) })),
    post_ideas: data.postIdeas.map((s) => ({ ...postRef(s.postId), comment_id: s.commentId, created_at: iso(s.createdAt), told_at: iso(s.toldAt) })),
    private_mentions: data.privateMentions.map((m) => ({ note_id: m.noteId, actor_uri: m.actorUri, name: m.name, handle: m.handle, url: m.url, visibility: m.visibility, in_reply_to: m.inReplyTo, ...(m.postId !== null ? postRef(m.postId) : { post_id: null }), html: m.html, created_at: iso(m.createdAt), updated_at: iso(m.updatedAt) })),
    website_profiles: data.websiteProfiles.map((w) => ({ website: w.website, found: w.found, name: w.name, note: w.note, url: w.url, photo: w.photo, rel_me: w.relMe, fetched_at: iso(w.fetchedAt) })),
  };
}

export type PersonExportDocument = ReturnType<typeof personExportDocument>;

/** What forgetting would touch, for the confirmation: counts and what to warn about. */
export interface ForgetPreview {
  data: PersonData;
  /** The team account that holds one of their addresses: forgetting is refused. */
  staff: User | null;
}

export interface PersonRightsDeps {
  store: Store;
  clock: Clock;
  /** Public base URL without a trailing slash. */
  siteUrl: () => string;
  /** Tells every instance that pages changed (names on comments): caches clear. */
  publish: (topic: string) => void;
}

/** Export and forget, for the admin, the command line and (later) the API. */
export class PersonRights {
  private readonly deps: PersonRightsDeps;

  constructor(deps: PersonRightsDeps) {
    this.deps = deps;
  }

  private async data(personId: number): Promise<PersonData> {
    const data = await this.deps.store.people.dataOf(personId);
    if (!data) throw notFound('That person');
    return data;
  }

  /** The export document (404 for someone unknown). */
  async exportOf(personId: number): Promise<PersonExportDocument> {
    const { store, clock, siteUrl } = this.deps;
    const data = await this.data(personId);
    const postIds = new Set([
      ...data.comments.map((c) => c.postId), ...data.webmentions.map((m) => m.postId), ...data.subscriptions.map((s) => s.postId), ...data.postIdeas.map((s) => s.postId),
      ...data.privateMentions.flatMap((m) => (m.postId !== null ? [m.postId] : [])),
    ]);
    const posts = new Map<number, Post>();
    for (const id of postIds) {
      const post = await store.posts.findById(id);
      if (post) posts.set(id, post);
    }
    const users = new Map((await store.users.list()).map((u) => [u.id, u]));
    return personExportDocument(data, { now: clock.now(), siteUrl: siteUrl(), posts, users });
  }

  /** The team account holding one of the person's addresses, if any. */
  async staffAccountOf(data: PersonData): Promise<User | null> {
    for (const email of emailsOf(data.person, data.identities)) {
      const user = await this.deps.store.users.findByEmail(email);
      if (user) return user;
    }
    return null;
  }

  async preview(personId: number): Promise<ForgetPreview> {
    const data = await this.data(personId);
    return { data, staff: await this.staffAccountOf(data) };
  }

  /** Forgets them (see PersonRightsRepository.forget); pages showing their name are rendered afresh. */
  async forget(personId: number, choice: unknown, actor: User | null): Promise<ForgetOutcome> {
    const problem = forgetChoiceProblem(choice);
    if (problem) throw problem;
    const outcome = await this.deps.store.people.forget(personId, choice as ForgetChoice, actor?.id ?? null, this.deps.clock.now());
    this.deps.publish('person-forgotten');
    return outcome;
  }
}
