/**
 * "Who is this?" (issue 11, point 7): what is publicly known about a person, gathered in
 * the background job queue and never while a reader waits. Today that is the
 * representative h-card of their website (name, note, url, photo, rel=me links), cached
 * per website with the time it was read, or why nothing was found. The rules are in
 * ARCHITECTURE.md, "People".
 */
import { DomainError } from './errors.ts';
import type { CommentStatus, Person, Store } from './store.ts';
import type { JobWrite } from './jobs.ts';
import { normaliseUrl, type PersonIdentity } from './people.ts';

/** The job kind that looks a website up (its handler: adapters/people/who-is-job.ts). */
export const WHO_IS_JOB = 'who-is';

/** A profile older than this is read again when staff open the person. */
export const REFRESH_MS = 7 * 24 * 60 * 60 * 1000;
/** Profiles nobody asked about for this long are removed (hourly housekeeping). */
export const FORGET_PROFILES_MS = 30 * 24 * 60 * 60 * 1000;

/** How much of a stranger's page is kept: enough to recognise them, never a whole page. */
export const PROFILE_LIMITS = { name: 200, note: 1000, url: 2000, relMe: 20 } as const;

/** Why nothing was found; each has its words in `nothingFoundWords`. */
export type NothingFound =
  | 'timeout'
  | 'not-html'
  | 'private-address'
  | 'too-large'
  | 'redirect-loop'
  | 'http-error'
  | 'unreachable'
  | 'not-a-web-address'
  | 'unreadable'
  | 'no-h-card';

/** What a website's representative h-card says, as cached. */
export interface PublicProfile {
  /** The website looked up, normalised as identities are (normaliseUrl). */
  website: string;
  /** True when a representative h-card was found. */
  found: boolean;
  /** When nothing was found: why. */
  reason: NothingFound | null;
  /** With `http-error` the status, with `not-html` the content type; nothing else. */
  reasonDetail: string | null;
  name: string | null;
  note: string | null;
  url: string | null;
  photo: string | null;
  /** The page's rel=me links, normalised, at most PROFILE_LIMITS.relMe. */
  relMe: string[];
  fetchedAt: number;
}

/** A person's interactions with the site, counted for the card (facts, never a score). */
export interface InteractionCounts {
  comments: Record<CommentStatus, number>;
  mentions: number;
}

/** The storage port: the cached profiles, and the counts the card shows. */
export interface WhoIsRepository {
  profile(website: string): Promise<PublicProfile | null>;
  /** Records a look-up's outcome, replacing the website's previous one. */
  saveProfile(profile: PublicProfile): Promise<void>;
  /** Removes profiles read before `before`; returns how many. */
  deleteProfilesBefore(before: number): Promise<number>;
  /** Removes one website's profile (when a person is forgotten). */
  deleteProfile(website: string): Promise<void>;
  interactions(personId: number): Promise<InteractionCounts>;
}

/** The outcome of reading a page, before it is dated and stored. */
export type ProfileReading =
  | { found: true; name: string | null; note: string | null; url: string | null; photo: string | null; relMe: string[] }
  | { found: false; reason: NothingFound; reasonDetail?: string | null };

/** Why nothing was found, in words for the team. Never names an address the site resolved to. */
export function nothingFoundWords(reason: NothingFound, detail: string | null): string {
  switch (reason) {
    case 'timeout':
      return 'the site did not answer in time';
    case 'not-html':
      return `the address is not a web page${detail ? ` (it is ${detail})` : ''}`;
    case 'private-address':
      return 'the address is on a private or reserved network, which Kumbaya never fetches';
    case 'too-large':
      return 'the page is too big to read (over 1 MB)';
    case 'redirect-loop':
      return 'the address redirects too many times (a redirect loop?)';
    case 'http-error':
      return `the site answered with an error${detail ? ` (HTTP ${detail})` : ''}`;
    case 'unreachable':
      return 'the site could not be reached';
    case 'not-a-web-address':
      return 'it is not a web address Kumbaya can read';
    case 'unreadable':
      return 'its HTML could not be read';
    case 'no-h-card':
      return 'the page has no h-card that speaks for the site';
  }
}

/** Control characters and bidirectional overrides (which can make a name read backwards) are dropped. */
const invisible = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A stranger's text as plain text: invisible controls dropped, spaces collapsed (a note
 * keeps single line breaks between paragraphs), cut at `max` characters with an ellipsis.
 * Null when nothing is left.
 */
export function cleanText(value: string, max: number, multiline = false): string | null {
  let text = value.replace(/\r\n?/g, '\n').replace(invisible, '');
  text = multiline
    ? text.split(/\n\s*\n/).map((p) => p.replace(/\s+/g, ' ').trim()).filter(Boolean).join('\n')
    : text.replace(/\s+/g, ' ').trim();
  if (!text) return null;
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

/** An http(s) address no longer than the limit, or null. */
export function cleanUrl(value: string): string | null {
  if (value.length > PROFILE_LIMITS.url) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** The website whose h-card speaks for a person: their primary website, else one they gave, else a webmention author page. */
export function websiteOf(person: Pick<Person, 'website'>, identities: readonly PersonIdentity[]): string | null {
  const primary = person.website ? normaliseUrl(person.website) : null;
  if (primary) return primary;
  return identities.find((i) => i.kind === 'website')?.value ?? identities.find((i) => i.kind === 'webmention')?.value ?? null;
}

/** True when the profile should be read (again): never read, or read longer ago than REFRESH_MS. */
export function profileIsStale(profile: PublicProfile | null, now: number): boolean {
  return profile === null || now - profile.fetchedAt >= REFRESH_MS;
}

export interface WhoIsDeps {
  store: Store;
  clock: { now(): number };
  /** Puts a job in the background queue (JobQueue.enqueue). */
  enqueue: (job: JobWrite) => Promise<boolean>;
}

/** What the card knows about a person's website right now. */
export interface WebsiteProfile {
  /** Null when they gave no website: there is nothing to look up. */
  website: string | null;
  profile: PublicProfile | null;
  /** A look-up is waiting in the queue or should be (missing or stale). */
  stale: boolean;
}

/**
 * Deciding when to look a website up. Every look-up is a job: a commenter's request only
 * ever queues one, and staff pages read what the job stored.
 */
export class WhoIs {
  private readonly deps: WhoIsDeps;

  constructor(deps: WhoIsDeps) {
    this.deps = deps;
  }

  /** The person's website and its cached profile (null for someone unknown). */
  async profileOf(personId: number): Promise<WebsiteProfile | null> {
    const person = await this.deps.store.people.findById(personId);
    return person ? this.websiteProfile(person, await this.deps.store.people.identities(personId)) : null;
  }

  /** The same, for a person whose identities are at hand. */
  async websiteProfile(person: Pick<Person, 'website'>, identities: readonly PersonIdentity[]): Promise<WebsiteProfile> {
    const website = websiteOf(person, identities);
    if (!website) return { website: null, profile: null, stale: false };
    const profile = await this.deps.store.whoIs.profile(website);
    return { website, profile, stale: profileIsStale(profile, this.deps.clock.now()) };
  }

  /**
   * Queues a look-up when the profile is missing or stale; true when one was queued. The
   * job's key names the profile it replaces, so opening a page again queues nothing more.
   */
  async refreshIfStale(current: WebsiteProfile): Promise<boolean> {
    if (!current.website || !current.stale) return false;
    return this.deps.enqueue({ kind: WHO_IS_JOB, key: `${WHO_IS_JOB}:${current.website}:${current.profile?.fetchedAt ?? 0}`, payload: { website: current.website } });
  }

  /**
   * "Look again" on a person (Admin → People and `POST /api/people/{id}/look-again`): queues
   * reading their website now; the website it will read. Refused when they gave none.
   */
  async lookAgainAt(person: Pick<Person, 'website'>, identities: readonly PersonIdentity[]): Promise<string> {
    const current = await this.websiteProfile(person, identities);
    if (!current.website) throw new DomainError('validation_failed', 'They gave no website, so there is nothing to look up.');
    await this.lookAgain(current.website);
    return current.website;
  }

  /** Staff asked to look again: always queued. */
  async lookAgain(website: string): Promise<void> {
    await this.deps.enqueue({ kind: WHO_IS_JOB, key: `${WHO_IS_JOB}:${website}:again:${this.deps.clock.now()}`, payload: { website } });
  }

  /** A person's comment committed while they had none approved: queue their website's look-up if it is missing or stale. */
  async newcomer(personId: number): Promise<void> {
    const current = await this.profileOf(personId);
    if (current) await this.refreshIfStale(current);
  }
}

/** The reason a rel=me link suggests two people are one, in words. */
export function relMeReason(from: string, to: string): string {
  return `the h-card page ${from} links to ${to} as its own (rel=me)`;
}
