/**
 * People (issue 11): the port for everything the site knows about a person beyond their
 * comments — identities, trust, private notes, labels, events — and the timeline of
 * everything that passed between them and the site. The rules are in ARCHITECTURE.md,
 * "People".
 */
import { DomainError } from './errors.ts';
import type { Comment, OutboxStatus, Person, SubscriptionKind } from './store.ts';

export type IdentityKind = 'email' | 'website' | 'webmention' | 'fediverse' | 'handle';
export const identityKinds: readonly IdentityKind[] = ['email', 'website', 'webmention', 'fediverse', 'handle'];

export interface PersonIdentity {
  id: number;
  personId: number;
  kind: IdentityKind;
  /** Normalised (normaliseIdentity). */
  value: string;
  /** Proven (a confirmed address, a verified webmention from the site), not only typed. */
  verified: boolean;
  firstSeen: number;
  lastSeen: number;
}

export type Trust = 'trusted' | 'normal' | 'hold' | 'muted' | 'blocked';
export const trustStates: readonly Trust[] = ['trusted', 'normal', 'hold', 'muted', 'blocked'];

export interface PersonTrust {
  trust: Trust;
  /** In the moderator's words; shown as the reason a comment was held. */
  reason: string | null;
  /** For `muted`: when it ends by itself. */
  mutedUntil: number | null;
}

/** What the moderation policy applies now: a mute that has ended is normal again. */
export function trustInForce(t: PersonTrust, now: number): PersonTrust {
  if (t.trust === 'muted' && t.mutedUntil !== null && t.mutedUntil <= now) return { trust: 'normal', reason: null, mutedUntil: null };
  return t;
}

export interface PersonNote {
  id: number;
  personId: number;
  markdown: string;
  /** Sanitised HTML, rendered when saved. */
  html: string;
  authorId: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface PersonLabel {
  id: number;
  name: string;
}

export type PersonEventKind = 'trust' | 'label-added' | 'label-removed' | 'moderated' | 'merged' | 'split' | 'forgotten';

export interface PersonEvent {
  id: number;
  personId: number;
  kind: PersonEventKind;
  /** What changed, as JSON-safe data (a merge's undo data lives here). */
  detail: Record<string, unknown>;
  actorId: number | null;
  createdAt: number;
}

/** A row of Admin → People. */
export interface PersonSummary {
  person: Person;
  trust: PersonTrust;
  identities: PersonIdentity[];
  labels: PersonLabel[];
  lastSeenAt: number;
  hasNotes: boolean;
  /** Their latest comment (any status but spam and trash). */
  lastComment: { id: number; postId: number; createdAt: number } | null;
  /** When someone on the team last answered one of their comments. */
  lastReplyAt: number | null;
  /** Their latest approved comment has no later comment by the team in its conversation. */
  waiting: boolean;
}

/** When the site first met them: their record, or an identity seen before it (imports keep old dates). */
export const firstSeenAt = (s: Pick<PersonSummary, 'person' | 'identities'>): number => Math.min(s.person.createdAt, ...s.identities.map((i) => i.firstSeen));

/** Position in the list: most recently seen first. */
export interface PeopleCursor {
  lastSeenAt: number;
  id: number;
}

/** A list position as text, "<lastSeenAt>.<id>": the admin list's `after` and the API's cursor. */
export const formatPeopleCursor = (c: PeopleCursor): string => `${c.lastSeenAt}.${c.id}`;

export function parsePeopleCursor(value: string): PeopleCursor | null {
  const m = /^(\d{1,15})\.(\d{1,10})$/.exec(value);
  return m ? { lastSeenAt: Number(m[1]), id: Number(m[2]) } : null;
}

export interface PeopleQuery {
  /** Case-insensitive substring of a name or of any identity value. */
  text?: string;
  labelId?: number;
  trust?: Trust;
  limit: number;
  after?: PeopleCursor | null;
}

export type TimelineKind = 'comment' | 'event' | 'mail' | 'note' | 'reply' | 'subscription' | 'webmention';
export const timelineKinds: readonly TimelineKind[] = ['comment', 'reply', 'webmention', 'subscription', 'mail', 'event', 'note'];

export type TimelineEntry =
  | { kind: 'comment'; at: number; id: number; comment: Comment }
  | { kind: 'reply'; at: number; id: number; comment: Comment; toId: number }
  | { kind: 'webmention'; at: number; id: number; source: string; postId: number; type: string | null; status: string }
  | { kind: 'subscription'; at: number; id: number; subscription: SubscriptionKind; postId: number; unsubscribedAt: number | null }
  | { kind: 'mail'; at: number; id: number; subject: string; status: OutboxStatus; sentAt: number | null }
  | { kind: 'event'; at: number; id: number; event: PersonEvent }
  | { kind: 'note'; at: number; id: number; note: PersonNote };

/** Position in a timeline, newest first: (time, kind, id) of the last entry shown. */
export interface TimelineCursor {
  at: number;
  kind: TimelineKind;
  id: number;
}

/** A timeline position as text, "<at>.<kind>.<id>": the person page's `before` and the API's cursor. */
export const formatTimelineCursor = (c: TimelineCursor): string => `${c.at}.${c.kind}.${c.id}`;

export function parseTimelineCursor(value: string): TimelineCursor | null {
  const m = /^(\d{1,15})\.([a-z]+)\.(\d{1,10})$/.exec(value);
  if (!m || !timelineKinds.includes(m[2] as TimelineKind)) return null;
  return { at: Number(m[1]), kind: m[2] as TimelineKind, id: Number(m[3]) };
}

export interface TimelineQuery {
  kinds?: readonly TimelineKind[];
  limit: number;
  before?: TimelineCursor | null;
}

export interface TimelinePage {
  entries: TimelineEntry[];
  next: TimelineCursor | null;
}

/** Newest first by (at, kind, id), all three descending. */
export function compareTimeline(a: { at: number; kind: TimelineKind; id: number }, b: { at: number; kind: TimelineKind; id: number }): number {
  return b.at - a.at || (a.kind < b.kind ? 1 : a.kind > b.kind ? -1 : 0) || b.id - a.id;
}

/** True when `entry` comes after `cursor` in timeline order (so belongs to the next page). */
export function isAfterCursor(entry: { at: number; kind: TimelineKind; id: number }, cursor: TimelineCursor | null | undefined): boolean {
  return !cursor || compareTimeline(cursor, entry) < 0;
}

/**
 * One page from the pages each source gave (every source read with the same cursor and a
 * limit of `limit + 1`): sorted, cut at `limit`, with the cursor of the next page.
 */
export function mergeTimeline(sources: TimelineEntry[][], limit: number): TimelinePage {
  const all = sources.flat().sort(compareTimeline);
  const entries = all.slice(0, limit);
  const last = entries[entries.length - 1];
  return { entries, next: all.length > limit && last ? { at: last.at, kind: last.kind, id: last.id } : null };
}

/** The SQL shape of "after the cursor" for one source of a fixed kind: which times qualify and how ids compare at the same time. */
export function sourceBound(kind: TimelineKind, cursor: TimelineCursor | null | undefined): { at: number; sameAt: 'all' | 'none' | 'below-id'; id: number } | null {
  if (!cursor) return null;
  if (kind < cursor.kind) return { at: cursor.at, sameAt: 'all', id: 0 };
  if (kind > cursor.kind) return { at: cursor.at, sameAt: 'none', id: 0 };
  return { at: cursor.at, sameAt: 'below-id', id: cursor.id };
}

export const NOTE_MAX = 20_000;
export const LABEL_MAX = 60;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A web address as an identity: http(s) only, host lower-cased, no fragment, no trailing slash. Null when it is not one. */
export function normaliseUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  parsed.hash = '';
  const text = parsed.toString();
  return text.endsWith('/') ? text.slice(0, -1) : text;
}

/** `@user@host` lower-cased, with its leading @. */
export function normaliseHandle(handle: string): string | null {
  const m = /^@?([^@\s]+)@([^@\s]+)$/.exec(handle.trim());
  return m ? `@${m[1]}@${m[2]}`.toLowerCase() : null;
}

export function normaliseIdentity(kind: IdentityKind, value: string): string | null {
  switch (kind) {
    case 'email':
      return /^[^\s@]+@[^\s@]+$/.test(value.trim()) ? normaliseEmail(value) : null;
    case 'handle':
      return normaliseHandle(value);
    default:
      return normaliseUrl(value);
  }
}

/** The person repository's additions for issue 11 (the store's `people`). */
export interface PeopleRepository {
  /** Finds a person by identity: the one who holds it verified, else the oldest who claimed it. */
  findByIdentity(kind: IdentityKind, value: string): Promise<Person | null>;
  identities(personId: number): Promise<PersonIdentity[]>;
  /**
   * Records an identity for a person (or refreshes its last_seen). Verifying one that
   * another person holds verified is refused (conflict); claims never conflict.
   */
  addIdentity(personId: number, kind: IdentityKind, value: string, verified: boolean, now: number): Promise<PersonIdentity>;
  /**
   * Inside a transaction: until it ends, another transaction holding the same identity waits
   * here. Two activities from one new account handled side by side (two replies, a Like and
   * a reply) would otherwise each create a Person and both prove the account, the second
   * refused by the one-proven-holder index and retried a minute later; held, the second
   * finds the first one's Person. Writes on SQLite and in memory run one at a time already.
   */
  holdIdentity(kind: IdentityKind, value: string): Promise<void>;
  /** An address proven by its owner (a confirmed subscription): verified for the person who claimed it first. */
  verifyEmail(email: string, now: number): Promise<void>;
  trust(personId: number): Promise<PersonTrust>;
  setTrust(personId: number, trust: PersonTrust, actorId: number | null, now: number): Promise<void>;
  /** Every person's row, most recently seen first. */
  list(query: PeopleQuery): Promise<{ items: PersonSummary[]; next: PeopleCursor | null }>;
  summary(personId: number): Promise<PersonSummary | null>;
  /** The names they used on comments and mentions, most recent first. */
  namesUsed(personId: number): Promise<string[]>;
  notes(personId: number): Promise<PersonNote[]>;
  findNote(id: number): Promise<PersonNote | null>;
  addNote(note: Omit<PersonNote, 'id' | 'updatedAt'>): Promise<PersonNote>;
  updateNote(id: number, markdown: string, html: string, now: number): Promise<PersonNote | null>;
  deleteNote(id: number): Promise<boolean>;
  /** Which of these people have notes (for the badge). */
  withNotes(personIds: number[]): Promise<Set<number>>;
  labels(): Promise<PersonLabel[]>;
  labelsOf(personId: number): Promise<PersonLabel[]>;
  /** Adds a label (created if new, by exact name) to a person; an event records it. */
  addLabel(personId: number, name: string, actorId: number | null, now: number): Promise<PersonLabel>;
  removeLabel(personId: number, labelId: number, actorId: number | null, now: number): Promise<boolean>;
  addEvent(event: Omit<PersonEvent, 'id'>): Promise<PersonEvent>;
  timeline(personId: number, query: TimelineQuery): Promise<TimelinePage>;
  /** What merging `otherIds` into `survivorId` would move; refused (422) for a person with themself, 404 for someone unknown. */
  previewMerge(survivorId: number, otherIds: readonly number[]): Promise<MergePreview>;
  /**
   * Merges the others into the survivor in one transaction (ARCHITECTURE.md, "People"):
   * their rows move, they are removed, and a `merged` event on the survivor keeps the manifest.
   */
  merge(survivorId: number, otherIds: readonly number[], actorId: number | null, now: number): Promise<PersonEvent>;
  /** Restores a merge's people and moves back exactly what was theirs; a `split` event records it. */
  undoMerge(mergeEventId: number, actorId: number | null, now: number): Promise<void>;
  /** Merges into this person that can still be undone at `now`, newest first. */
  merges(personId: number, now: number): Promise<PersonMerge[]>;
  /** Possible duplicates: of one person, or (null) across everyone, at most `limit` pairs. */
  duplicates(personId: number | null, limit: number): Promise<DuplicateSuggestion[]>;
}

// ---------------------------------------------------------------- merge and undo (point 6)

/** How long a merge can be undone. */
export const UNDO_DAYS = 30;
export const UNDO_MS = UNDO_DAYS * 24 * 60 * 60 * 1000;

/** What a merge moves to the survivor, counted for the preview. */
export interface MergeCounts {
  identities: number;
  comments: number;
  webmentions: number;
  notes: number;
  labels: number;
  subscriptions: number;
  mails: number;
  events: number;
}

export type MergeField = 'name' | 'email' | 'website';
export const mergeFields: readonly MergeField[] = ['name', 'email', 'website'];

export interface MergePreview {
  survivor: Person;
  others: Person[];
  /** The survivor's fields after the merge, and whose they were. */
  fields: Record<MergeField, { value: string | null; fromId: number }>;
  moves: MergeCounts;
}

/** What belonged to one merged person: the undo puts exactly these rows back. */
export interface MergedPersonRecord {
  person: Person;
  trust: PersonTrust;
  lastSeenAt: number;
  /** Identity rows moved to the survivor (by id). */
  identities: number[];
  /** Identity rows the survivor already had (same kind and value): dropped, restored whole by an undo. */
  droppedIdentities: PersonIdentity[];
  /** Survivor identities made verified because this person's copy was. */
  verifiedOnSurvivor: number[];
  comments: number[];
  webmentions: number[];
  notes: number[];
  /** Label ids whose link moved, and those the survivor already had (the link dropped). */
  labelsMoved: number[];
  labelsDropped: number[];
  subscriptions: number[];
  mails: number[];
  events: number[];
}

/** The `merged` event's detail: who merged into whom, and the manifest an undo needs. */
export interface MergeManifest {
  merged: Array<{ id: number; name: string }>;
  /** Who the survivor was: when it is merged into someone else later, the event moves along, and an undo then leaves that person's fields alone. */
  survivorId: number;
  survivorBefore: Pick<Person, MergeField>;
  records: MergedPersonRecord[];
  undoUntil: number;
  /** Set by the undo (the `split` event's time). */
  undoneAt?: number;
}

/** A merge still shown on the survivor's page. */
export interface PersonMerge {
  eventId: number;
  survivorId: number;
  merged: Array<{ id: number; name: string }>;
  mergedAt: number;
  undoUntil: number;
  undoneAt: number | null;
}

export function emptyCounts(): MergeCounts {
  return { identities: 0, comments: 0, webmentions: 0, notes: 0, labels: 0, subscriptions: 0, mails: 0, events: 0 };
}

/** Why a merge is refused before anything is read: no one to merge, or a person with themself. */
export function mergeProblem(survivorId: number, otherIds: readonly number[]): DomainError | null {
  if (otherIds.length === 0) return new DomainError('validation_failed', 'Choose at least one other person to merge with.', { others: 'Choose someone.' });
  if (otherIds.includes(survivorId)) return new DomainError('validation_failed', 'A person cannot be merged with themself.', { others: 'Choose someone else.' });
  if (new Set(otherIds).size !== otherIds.length) return new DomainError('validation_failed', 'Each person can be merged only once.', { others: 'Listed twice.' });
  return null;
}

/** The survivor keeps its non-empty fields and takes the others' (in the order given) where its own are empty. */
export function mergedFields(survivor: Person, others: readonly Person[]): MergePreview['fields'] {
  const fields = {} as MergePreview['fields'];
  for (const field of mergeFields) {
    const from = [survivor, ...others].find((p) => (p[field] ?? '').trim() !== '') ?? survivor;
    fields[field] = { value: from[field], fromId: from.id };
  }
  return fields;
}

export function mergeManifestOf(event: PersonEvent): MergeManifest | null {
  return event.kind === 'merged' && Array.isArray((event.detail as { records?: unknown }).records) ? (event.detail as unknown as MergeManifest) : null;
}

/** The undo is offered (and allowed) until its date, once. */
export function undoProblem(manifest: MergeManifest | null, now: number): DomainError | null {
  if (!manifest) return new DomainError('not_found', 'That merge was not found.');
  if (manifest.undoneAt !== undefined) return new DomainError('conflict', 'That merge has already been undone.');
  if (now > manifest.undoUntil) return new DomainError('conflict', `A merge can be undone for ${UNDO_DAYS} days; this one can no longer be.`);
  return null;
}

// ---------------------------------------------------------------- duplicates

export interface DuplicateSuggestion {
  a: Person;
  b: Person;
  /** In words, each one a reason (same website, same name and similar address, …). */
  reasons: string[];
}

/** Edit distance (insertions, deletions, substitutions), cut off above `max`. */
export function levenshtein(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

/** Why two addresses look like one person's (used only when the names are the same), or null. */
export function similarEmails(a: string, b: string): string | null {
  const [localA, domainA] = a.split('@');
  const [localB, domainB] = b.split('@');
  if (!localA || !localB || a === b) return null;
  if (localA === localB && domainA !== domainB) return `the same name, and ${a} and ${b} share the part before the @`;
  const distance = levenshtein(localA, localB, 2);
  if (distance <= 2) return `the same name, and ${a} and ${b} differ by ${distance} letter${distance === 1 ? '' : 's'} before the @`;
  return null;
}

/** Why two people whose identities share a web address may be one: each kind pair says it in its own words. */
export function sharedWebsiteReason(value: string, kindA: IdentityKind, kindB: IdentityKind): string {
  if (kindA === 'website' && kindB === 'website') return `both gave the website ${value}`;
  if (kindA === 'webmention' && kindB === 'webmention') return `both sent webmentions as ${value}`;
  return `${value} is one's website and the other's webmention author`;
}

/** Same name (case and spaces aside) and similar addresses: the reasons, or none. */
export function nameAndEmailReasons(a: { person: Person; emails: string[] }, b: { person: Person; emails: string[] }): string[] {
  if (a.person.name.trim().toLowerCase() !== b.person.name.trim().toLowerCase()) return [];
  const reasons: string[] = [];
  for (const x of a.emails) for (const y of b.emails) {
    const reason = similarEmails(x, y);
    if (reason) reasons.push(reason);
  }
  return reasons;
}
