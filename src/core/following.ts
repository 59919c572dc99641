import type { Clock } from './clock.ts';
import { hostOf, type Follower } from './federation-store.ts';
import type { Person, Store } from './store.ts';

/**
 * Following (issue 12, point 2): who follows the blog's fediverse actor, who waits for the
 * author's approval, and who is blocked. The inbox listeners (adapters/federation) only
 * translate activities into these calls and send what they return (Accept, Reject).
 */

/** Site setting: when 'true', a Follow waits for the author's Accept or Reject in Admin → Fediverse. */
export const APPROVE_FOLLOWERS_SETTING = 'fediverse.approveFollowers';

/** A remote actor as the inbox saw it (fetched through the safe document loader). */
export interface RemoteActor {
  actorUri: string;
  /** `@user@host`, when the actor has a preferredUsername. */
  handle: string | null;
  name: string | null;
  inbox: string;
  sharedInbox: string | null;
}

export type FollowOutcome = 'accepted' | 'pending' | 'blocked';

export class FollowingError extends Error {
  readonly status: 404 | 422;
  constructor(message: string, status: 404 | 422) {
    super(message);
    this.status = status;
  }
}

export async function approvesFollowers(store: Store): Promise<boolean> {
  return (await store.settings.getAll())[APPROVE_FOLLOWERS_SETTING] === 'true';
}

export class FollowingService {
  private readonly store: Store;
  private readonly clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.store = store;
    this.clock = clock;
  }

  /**
   * A Follow of the blog: recorded as accepted (the caller sends Accept) or pending (the
   * author decides). A blocked account never becomes a follower. Following again while
   * accepted stays accepted (Mastodon re-sends Follow after a lost Accept).
   */
  async follow(actor: RemoteActor, followId: string): Promise<FollowOutcome> {
    if (await this.store.fediverseBlocks.isBlocked(actor.actorUri)) return 'blocked';
    const now = this.clock.now();
    const existing = await this.store.followers.findByActor(actor.actorUri);
    const status = existing?.status === 'accepted' || !(await approvesFollowers(this.store)) ? 'accepted' : 'pending';
    await this.store.transaction(async (tx) => {
      await tx.followers.upsert({ actorUri: actor.actorUri, handle: actor.handle, inbox: actor.inbox, sharedInbox: actor.sharedInbox, status, followId }, now);
      await linkPerson(tx, actor, now);
    });
    return status;
  }

  /** Undo(Follow): the follower (accepted or pending) is gone. Only the actor who followed can undo. */
  async unfollow(actorUri: string): Promise<boolean> {
    return this.store.followers.remove(actorUri);
  }

  /** Removes every follower delivered to at `address` (an inbox gone for good); returns how many. */
  async unfollowDeliveryAddress(address: string): Promise<number> {
    return this.store.followers.removeByDeliveryAddress(address);
  }

  /**
   * Move: the follower's account moved to `target`, whose `alsoKnownAs` names the old one
   * (the caller checked it). The follow is carried over, keeping its status and since.
   */
  async move(oldActorUri: string, target: RemoteActor): Promise<Follower | null> {
    const old = await this.store.followers.findByActor(oldActorUri);
    if (!old || (await this.store.fediverseBlocks.isBlocked(target.actorUri))) return null;
    const now = this.clock.now();
    return this.store.transaction(async (tx) => {
      await tx.followers.remove(oldActorUri);
      const moved = await tx.followers.upsert({ actorUri: target.actorUri, handle: target.handle, inbox: target.inbox, sharedInbox: target.sharedInbox, status: old.status, followId: old.followId }, now);
      await linkPerson(tx, target, now);
      return moved;
    });
  }

  /** The author accepts a pending follower; returns it (the caller sends Accept). */
  async accept(actorUri: string): Promise<Follower> {
    const follower = await this.store.followers.findByActor(actorUri);
    if (!follower || follower.status !== 'pending') throw new FollowingError('That follow request is no longer waiting.', 404);
    return (await this.store.followers.setStatus(actorUri, 'accepted', this.clock.now()))!;
  }

  /** The author rejects a pending follower, or removes an accepted one; returns it (the caller sends Reject). */
  async remove(actorUri: string): Promise<Follower> {
    const follower = await this.store.followers.findByActor(actorUri);
    if (!follower) throw new FollowingError('That account does not follow the blog.', 404);
    await this.store.followers.remove(actorUri);
    return follower;
  }

  /** Blocks one account: its activities are refused and its follow removed. */
  async blockActor(actorUri: string): Promise<void> {
    if (hostOf(actorUri) === null || !/^https?:$/.test(new URL(actorUri).protocol)) throw new FollowingError('An account to block is its address (https://…).', 422);
    await this.store.transaction(async (tx) => {
      await tx.fediverseBlocks.add('actor', actorUri, this.clock.now());
      await tx.followers.remove(actorUri);
    });
  }

  /** Blocks a whole domain and its subdomains; their follows are removed. Returns false when it was already blocked. */
  async blockDomain(input: string): Promise<boolean> {
    const domain = normaliseDomain(input);
    if (!domain) throw new FollowingError(`“${input.slice(0, 100)}” is not a domain name (like spam.example).`, 422);
    return this.store.transaction(async (tx) => {
      const added = await tx.fediverseBlocks.add('domain', domain, this.clock.now());
      await tx.followers.removeOnHost(domain);
      return added;
    });
  }

  async unblock(id: number): Promise<void> {
    if (!(await this.store.fediverseBlocks.remove(id))) throw new FollowingError('That block is already gone.', 404);
  }

  /** Imports a Mastodon domain-block export (or a plain list of domains) in one transaction. */
  async importDomainBlocks(text: string): Promise<DomainBlockImport> {
    const parsed = parseDomainBlockList(text);
    let added = 0;
    let skipped = parsed.notSuspended;
    await this.store.transaction(async (tx) => {
      const now = this.clock.now();
      for (const domain of parsed.domains) {
        if (await tx.fediverseBlocks.add('domain', domain, now)) {
          added++;
          await tx.followers.removeOnHost(domain);
        } else skipped++;
      }
    });
    return { added, skipped, invalid: parsed.invalid };
  }
}

export interface DomainBlockImport {
  added: number;
  /** Already blocked, listed twice, or only silenced in Mastodon (a limit, not a block). */
  skipped: number;
  /** Line numbers (1-based) that named no domain. */
  invalid: number[];
}

/** A domain name, lower-cased, without a trailing dot; null when it is not one. Unicode names become punycode. */
export function normaliseDomain(input: string): string | null {
  const trimmed = input.trim().replace(/\.$/, '');
  if (!trimmed || /[\s/:@]/.test(trimmed)) return null;
  let host: string;
  try {
    host = new URL(`https://${trimmed}/`).hostname;
  } catch {
    return null;
  }
  // A name with at least one dot whose labels are letters, digits and hyphens.
  return /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/.test(host) ? host : null;
}

const MASTODON_HEADER = '#domain';
/** Mastodon's severities: `silence` limits rather than refuses, so only `suspend` rows become blocks. */
const SUSPEND = 'suspend';

/**
 * Mastodon's domain-block CSV (`#domain,#severity,#reject_media,#reject_reports,
 * #public_comment,#obfuscate`) or a plain list of domains, one a line. Blank lines and
 * `#` comments in a plain list are skipped. A file that is neither (binary, or a CSV
 * without a domain column) is refused as a whole.
 */
export function parseDomainBlockList(text: string): { domains: string[]; notSuspended: number; invalid: number[] } {
  if (text.includes('\u0000')) throw new FollowingError('The file is not text: upload Mastodon’s domain-block export (CSV) or a list of domains.', 422);
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const first = lines.findIndex((line) => line.trim() !== '');
  if (first === -1) throw new FollowingError('The file is empty: it lists no domains.', 422);
  const header = lines[first].split(',').map((cell) => cell.trim().toLowerCase());
  const csv = header.includes(MASTODON_HEADER) || header.includes('domain');
  if (!csv && lines[first].includes(',')) throw new FollowingError('The file is a CSV without a “#domain” column: export it from Mastodon (Moderation → Federation → Export) or upload one domain a line.', 422);
  const domainColumn = header.indexOf(MASTODON_HEADER) !== -1 ? header.indexOf(MASTODON_HEADER) : header.indexOf('domain');
  const severityColumn = csv ? header.findIndex((cell) => cell === '#severity' || cell === 'severity') : -1;
  const domains: string[] = [];
  const invalid: number[] = [];
  let notSuspended = 0;
  lines.forEach((line, index) => {
    if (index < first || (csv && index === first) || line.trim() === '') return;
    if (!csv && line.trim().startsWith('#')) return;
    const cells = csv ? line.split(',') : [line];
    if (severityColumn !== -1 && cells[severityColumn] !== undefined && cells[severityColumn].trim().toLowerCase() !== SUSPEND) {
      notSuspended++;
      return;
    }
    const domain = normaliseDomain(cells[csv ? domainColumn : 0] ?? '');
    if (domain) domains.push(domain);
    else invalid.push(index + 1);
  });
  return { domains, notSuspended, invalid };
}

/**
 * A follower, or whoever likes, boosts or quotes a post, is a Person: their actor URI is a
 * verified `fediverse` identity (proved by the signed activity), their `@user@host` handle a
 * verified `handle`. A new actor becomes a new person; one already known keeps theirs.
 * The actor is held first, so two of their activities handled side by side make one Person.
 */
export async function linkPerson(tx: Store, actor: Pick<RemoteActor, 'actorUri' | 'handle' | 'name'>, now: number): Promise<Person> {
  await tx.people.holdIdentity('fediverse', actor.actorUri);
  const known = (await tx.people.findByIdentity('fediverse', actor.actorUri)) ?? (actor.handle ? await tx.people.findByIdentity('handle', actor.handle) : null);
  const person = known ?? (await tx.people.createWithoutEmail({ name: actor.name || actor.handle || actor.actorUri, website: null }, now));
  await tx.people.addIdentity(person.id, 'fediverse', actor.actorUri, true, now);
  if (actor.handle) await tx.people.addIdentity(person.id, 'handle', actor.handle, true, now);
  return person;
}
