/**
 * ActivityPub's records as the core sees them (migration 011). A follower is a remote
 * actor by its URI; issue 11's People will join a Person's fediverse identity on it.
 */
export type FollowerStatus = 'accepted' | 'pending' | 'blocked';

export interface Follower {
  id: number;
  /** The remote actor's id (its URI): unique, and what a Person's identity names. */
  actorUri: string;
  /** `@user@host`, when known. */
  handle: string | null;
  inbox: string;
  sharedInbox: string | null;
  status: FollowerStatus;
  /** The Follow activity's id, for the Accept that answers it. */
  followId: string | null;
  createdAt: number;
  updatedAt: number;
}

export type FollowerWrite = Omit<Follower, 'id' | 'createdAt' | 'updatedAt'>;

export interface FollowerRepository {
  /** Records a follower, or updates the one with the same actor URI. */
  upsert(follower: FollowerWrite, now: number): Promise<Follower>;
  /** Accepted followers, oldest first, after the id `after` (keyset paging). */
  listAccepted(query: { after?: number; limit: number }): Promise<Follower[]>;
  /**
   * One accepted follower per delivery address, oldest first: their server's shared inbox,
   * or their own inbox when their server has none (`deliveryAddress`). A post goes to each
   * address once, so its fan-out reads these, not every follower.
   */
  listDeliveryTargets(): Promise<Follower[]>;
  countAccepted(): Promise<number>;
  findByActor(actorUri: string): Promise<Follower | null>;
  /** Every follower of one status, newest first (Admin → Fediverse). */
  listByStatus(status: FollowerStatus): Promise<Follower[]>;
  setStatus(actorUri: string, status: FollowerStatus, now: number): Promise<Follower | null>;
  /** Removes a follower; true when there was one. */
  remove(actorUri: string): Promise<boolean>;
  /** Removes every follower delivered to at `address` (`deliveryAddress`: an inbox that answered 404 or 410); returns how many. */
  removeByDeliveryAddress(address: string): Promise<number>;
  /** Removes every follower whose actor URI is on `host` (a domain block); returns how many. */
  removeOnHost(host: string): Promise<number>;
}

/** Where a follower's deliveries go: their server's shared inbox, else their own inbox. */
export function deliveryAddress(follower: Pick<Follower, 'inbox' | 'sharedInbox'>): string {
  return follower.sharedInbox ?? follower.inbox;
}

/** An account (its actor URI) or a whole domain whose activities are refused and who is never delivered to. */
export type BlockKind = 'actor' | 'domain';

export interface FediverseBlock {
  id: number;
  kind: BlockKind;
  /** The actor URI, or the domain lower-cased. */
  value: string;
  createdAt: number;
}

export interface FediverseBlockRepository {
  /** Adds a block; false when it was already there. */
  add(kind: BlockKind, value: string, now: number): Promise<boolean>;
  remove(id: number): Promise<boolean>;
  list(): Promise<FediverseBlock[]>;
  /** Whether the actor, or its domain, is blocked. */
  isBlocked(actorUri: string): Promise<boolean>;
}

/** The host an actor URI is on, lower-cased; null when it is not a URL. */
export function hostOf(actorUri: string): string | null {
  try {
    return new URL(actorUri).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/** Whether `host` is `domain` or under it (a domain block covers its subdomains, as Mastodon's does). */
export function hostInDomain(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}
