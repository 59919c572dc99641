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
  countAccepted(): Promise<number>;
}
