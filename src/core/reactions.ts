import type { Clock } from './clock.ts';
import { linkPerson } from './following.ts';
import { isLive } from './post-service.ts';
import { isProtected, type Post, type Store } from './store.ts';

/**
 * Likes, boosts and quotes from the fediverse (issue 12, point 6). The inbox listeners
 * (adapters/federation/inbox-reactions.ts) only translate `Like`, `Announce`, `Undo` and
 * `QuoteRequest` into these calls, and send what `requestQuote` decides.
 */

/** A fediverse `Like` or `Announce` (a boost) of a post. */
export type ReactionKind = 'like' | 'announce';

export interface Reaction {
  id: number;
  postId: number;
  kind: ReactionKind;
  /** The remote actor's id; their Person holds it as a verified `fediverse` identity. */
  actorUri: string;
  /** The Like or Announce activity's id: what an Undo names. */
  activityId: string;
  /** The actor as they were when they reacted: shown beside the face. */
  name: string | null;
  /** `@user@host`, when known. */
  handle: string | null;
  /** Their profile page (http or https only). */
  profileUrl: string | null;
  /** Their avatar (https only); shown only when the site allows remote images. */
  iconUrl: string | null;
  createdAt: number;
}

export type ReactionWrite = Omit<Reaction, 'id' | 'createdAt'>;

/** The newest reactions of each kind on a post, and how many there are in all. */
export interface PostReactions {
  likes: Reaction[];
  announces: Reaction[];
  likeCount: number;
  announceCount: number;
}

/** A quote of a post the blog authorized (FEP-044f): served at its own address for anyone to check. */
export interface QuoteAuthorizationRecord {
  id: number;
  postId: number;
  /** Who quoted. */
  actorUri: string;
  /** The quoting post (the QuoteRequest's `instrument`). */
  quoteUri: string;
  /** The QuoteRequest's id (what the Accept answers). */
  requestId: string;
  createdAt: number;
}

export interface ReactionRepository {
  /**
   * Records a reaction. An actor has at most one of each kind per post, so a repeat (a
   * resent Like) keeps the first one's time and takes the new activity id and details.
   */
  record(reaction: ReactionWrite, now: number): Promise<Reaction>;
  /** Removes the reaction this activity made, only when `actorUri` made it (an Undo); returns it. */
  removeByActivity(activityId: string, actorUri: string): Promise<Reaction | null>;
  /** Every reaction `actorUri` made (a deleted actor, a forgotten person); returns how many. */
  removeByActor(actorUri: string): Promise<number>;
  /** The newest `limit` likes and announces of a post (each), with their totals. */
  forPost(postId: number, limit: number): Promise<PostReactions>;
  /** Records an authorized quote, or returns the one already recorded for this quoting post. */
  authorizeQuote(quote: Omit<QuoteAuthorizationRecord, 'id' | 'createdAt'>, now: number): Promise<QuoteAuthorizationRecord>;
  findQuoteAuthorization(id: number): Promise<QuoteAuthorizationRecord | null>;
}

/** Site setting: how quote requests (FEP-044f) are answered. */
export const QUOTE_POLICY_SETTING = 'fediverse.quotePolicy';

/** `accept`: every quote request gets an Accept with a QuoteAuthorization; `refuse`: a Reject. */
export type QuotePolicy = 'accept' | 'refuse';

/**
 * Accepting is the default, as on Mastodon: quoting a public post is much like linking to it,
 * and an authorized quote keeps the author's post, and its conversation, one click away.
 */
export async function quotePolicy(store: Store): Promise<QuotePolicy> {
  return (await store.settings.getAll())[QUOTE_POLICY_SETTING] === 'refuse' ? 'refuse' : 'accept';
}

/** The post whose Article the fediverse may see, like, boost and quote: live, a post (not a page), not password-protected. */
export function isFederatedPost(post: Post, now: number): boolean {
  return post.type === 'post' && isLive(post, now) && !isProtected(post);
}

/** A remote actor as the inbox saw it (fetched through the safe document loader). */
export interface ReactingActor {
  actorUri: string;
  handle: string | null;
  name: string | null;
  profileUrl: string | null;
  iconUrl: string | null;
}

export type QuoteAnswer = { outcome: 'authorized'; authorization: QuoteAuthorizationRecord } | { outcome: 'refused' } | { outcome: 'ignored' };

/** Faces shown per row on a post page; the count says how many there are in all. */
export const FACES_SHOWN = 24;

export interface ReactionServiceDeps {
  store: Store;
  clock: Clock;
  /** Tells every instance that a post page changed (its caches are cleared). */
  publish: (topic: string) => void;
}

export class ReactionService {
  private readonly deps: ReactionServiceDeps;

  constructor(deps: ReactionServiceDeps) {
    this.deps = deps;
  }

  /** A post by the slug of its address (an old address too), when the fediverse may see it. */
  private async federatedPost(slug: string): Promise<Post | null> {
    const { store, clock } = this.deps;
    const post = (await store.posts.findBySlug(slug)) ?? (await store.posts.findByOldSlug(slug));
    return post && isFederatedPost(post, clock.now()) ? post : null;
  }

  /**
   * A Like or Announce of the post at `slug`: recorded, the actor linked to their Person.
   * Ignored (false) for what is not a federated post, and from a blocked account.
   */
  async react(kind: ReactionKind, slug: string, actor: ReactingActor, activityId: string): Promise<boolean> {
    const { store, clock } = this.deps;
    const post = await this.federatedPost(slug);
    if (!post || (await store.fediverseBlocks.isBlocked(actor.actorUri))) return false;
    const now = clock.now();
    await store.transaction(async (tx) => {
      await tx.reactions.record({ postId: post.id, kind, activityId, actorUri: actor.actorUri, name: actor.name, handle: actor.handle, profileUrl: actor.profileUrl, iconUrl: actor.iconUrl }, now);
      await linkPerson(tx, actor, now);
    });
    this.deps.publish('reactions-changed');
    return true;
  }

  /** Undo(Like) or Undo(Announce): the reaction that activity made goes, only when its own actor asks. */
  async undo(activityId: string, actorUri: string): Promise<boolean> {
    const removed = await this.deps.store.reactions.removeByActivity(activityId, actorUri);
    if (removed) this.deps.publish('reactions-changed');
    return removed !== null;
  }

  /**
   * A QuoteRequest (FEP-044f) for the post at `slug`, quoted by `quoteUri`: authorized (the
   * caller sends Accept with the authorization) or refused (Reject) as the quote setting
   * says. A request for what is not a federated post, or from a blocked account, is ignored.
   */
  async requestQuote(slug: string, actor: ReactingActor, quoteUri: string, requestId: string): Promise<QuoteAnswer> {
    const { store, clock } = this.deps;
    const post = await this.federatedPost(slug);
    if (!post || (await store.fediverseBlocks.isBlocked(actor.actorUri))) return { outcome: 'ignored' };
    if ((await quotePolicy(store)) === 'refuse') return { outcome: 'refused' };
    const now = clock.now();
    const authorization = await store.transaction(async (tx) => {
      await linkPerson(tx, actor, now);
      return tx.reactions.authorizeQuote({ postId: post.id, actorUri: actor.actorUri, quoteUri, requestId }, now);
    });
    return { outcome: 'authorized', authorization };
  }
}
