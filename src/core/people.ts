/**
 * People (issue 11): the port for everything the site knows about a person beyond their
 * comments — identities, trust, private notes, labels, events — and the timeline of
 * everything that passed between them and the site. The rules are in ARCHITECTURE.md,
 * "People".
 */
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

/** Position in the list: most recently seen first. */
export interface PeopleCursor {
  lastSeenAt: number;
  id: number;
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
}
