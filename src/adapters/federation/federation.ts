import { inboxesArePublic } from './inbox-address.ts';
import { Temporal } from '@js-temporal/polyfill';
import { createFederation, kvCache, type Federation, type FederationQueueOptions, type KvStore, type MessageQueue } from '@fedify/fedify';
import { Accept, Article, Create, Delete, Endpoints, Follow, Hashtag, Image, isActor, Move, Person, PUBLIC_COLLECTION, Reject, Undo, Update, type Actor, type Recipient } from '@fedify/fedify/vocab';
import { approvesFollowers, FollowingService, type RemoteActor } from '../../core/following.ts';
import type { Follower } from '../../core/federation-store.ts';
import type { CommentService } from '../../core/comment-service.ts';
import { isFederatedPost, quotePolicy, ReactionService } from '../../core/reactions.ts';
import type { SiteSettings } from '../../core/site-settings.ts';
import type { Clock } from '../../core/clock.ts';
import type { Post, Store } from '../../core/store.ts';
import { escapeHtml } from '../../web/html.ts';
import { absoluteUrls } from '../../web/views/feed-views.ts';
import type { SafeFetch } from '../safe-fetch.ts';
import { safeDocumentLoader } from './document-loader.ts';
import { listenForReactions, quoteInteractionPolicy, serveQuoteAuthorizations, undoReaction } from './inbox-reactions.ts';
import { loadActorKeys, type ActorKeyPairs } from './keys.ts';
import { replyListeners } from './inbox-replies.ts';
import { registerCommentNotes } from './comment-notes.ts';

/**
 * The Fedify side of Kumbaya: one Federation whose dispatchers turn Kumbaya's records into
 * ActivityStreams objects (the blog actor, its followers, posts as Articles, NodeInfo).
 * Rules stay in the core: what may be read is `isLive`, exactly as the HTML page asks.
 */
export interface FederationDeps {
  store: Store;
  clock: Clock;
  site: () => Promise<SiteSettings>;
  siteUrl: string;
  handle: string;
  allowPrivate: boolean;
  fetch: SafeFetch;
  kv: KvStore;
  /** One queue for everything, or one per kind of message (the delivery thread takes the deliveries). */
  queue: MessageQueue | FederationQueueOptions;
  /** Replies from the fediverse become comments through it (inbox-replies.ts). */
  comments: CommentService;
  /** The favicon's address (the actor's icon). */
  iconUrl: string;
  version: string;
  /** Tells every instance that published content changed (likes and boosts on a post page). */
  publish: (topic: string) => void;
}

/** What a federation that only sends needs (the delivery thread's: no inbox, no objects served). */
export type SendingDeps = Omit<FederationDeps, 'comments' | 'publish'>;

export type KumbayaFederation = Federation<void>;

/** Followers per page of the followers collection. */
const FOLLOWERS_PAGE = 100;

export const ACTOR_PATH = '/@{identifier}';

export function createKumbayaFederation(deps: FederationDeps): KumbayaFederation {
  const federation = createSendingFederation(deps);
  serveAndReceive(federation, deps);
  return federation;
}

/**
 * The federation as far as sending needs it: the queues, the document loaders, the blog
 * actor (its address and keys) and its followers collection (the address activities are
 * addressed to). The delivery thread (delivery-thread.ts) runs one of these.
 */
export function createSendingFederation(deps: SendingDeps): KumbayaFederation {
  const { store, handle } = deps;
  const userAgent = `Kumbaya/${deps.version} (+${deps.siteUrl})`;
  const loader = safeDocumentLoader({ fetch: deps.fetch, allowPrivate: deps.allowPrivate, userAgent });
  // One caching loader for every context Fedify makes (each inbox request makes several):
  // building one compiles its URL patterns, a few milliseconds each time.
  const cachedLoader = kvCache({ loader, kv: deps.kv, prefix: ['_fedify', 'remoteDocument'] });
  const federation = createFederation<void>({
    kv: deps.kv,
    queue: deps.queue,
    // Ids are built from SITE_URL, whatever Host a request came with.
    origin: deps.siteUrl,
    documentLoaderFactory: () => cachedLoader,
    contextLoaderFactory: () => loader,
    // Keys and objects fetched as the blog actor go through the same checks.
    authenticatedDocumentLoaderFactory: (identity) => safeDocumentLoader({ fetch: deps.fetch, allowPrivate: deps.allowPrivate, userAgent, signAs: identity }),
    manuallyStartQueue: true,
  });

  let keys: Promise<ActorKeyPairs> | null = null;
  const actorKeys = () => {
    keys ??= loadActorKeys(store);
    keys.catch(() => {
      keys = null;
    });
    return keys;
  };

  federation
    .setActorDispatcher(ACTOR_PATH, async (ctx, identifier) => {
      if (identifier !== handle) return null;
      const site = await deps.site();
      const pairs = await ctx.getActorKeyPairs(identifier);
      // A Person, not a Service: Mastodon marks Services as automated accounts, and a
      // blog's posts are written by people.
      return new Person({
        id: ctx.getActorUri(identifier),
        preferredUsername: identifier,
        name: site.title,
        summary: `<p>${escapeHtml(site.description)}</p>`,
        url: new URL(`${deps.siteUrl}/`),
        icon: new Image({ url: new URL(deps.iconUrl), mediaType: 'image/svg+xml' }),
        inbox: ctx.getInboxUri(identifier),
        endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
        followers: ctx.getFollowersUri(identifier),
        manuallyApprovesFollowers: await approvesFollowers(store),
        discoverable: true,
        indexable: true,
        publicKey: pairs[0].cryptographicKey,
        assertionMethods: pairs.map((pair) => pair.multikey),
      });
    })
    .setKeyPairsDispatcher(async (_ctx, identifier) => (identifier === handle ? actorKeys() : []))
    .mapHandle((_ctx, username) => (username.toLowerCase() === handle.toLowerCase() ? handle : null));

  federation
    .setFollowersDispatcher(`${ACTOR_PATH}/followers`, async (_ctx, identifier, cursor) => {
      if (identifier !== handle || cursor === null) return null;
      const after = Number.parseInt(cursor, 10) || 0;
      const page = await store.followers.listAccepted({ after, limit: FOLLOWERS_PAGE });
      const items: Recipient[] = page.map(recipientOf);
      return { items, nextCursor: page.length === FOLLOWERS_PAGE ? String(page[page.length - 1].id) : null };
    })
    .setCounter((_ctx, identifier) => (identifier === handle ? store.followers.countAccepted() : null))
    .setFirstCursor(() => '0');
  return federation;
}

/** What the main thread adds: the inbox's listeners and the objects served to other servers (Articles, Notes, NodeInfo). */
function serveAndReceive(federation: KumbayaFederation, deps: FederationDeps): void {
  const { store, handle } = deps;

  // The listeners only translate: Follow, Undo(Follow) and Move become FollowingService
  // calls, and what it decides is answered (Accept); replies are inbox-replies.ts's, likes,
  // boosts and quote requests inbox-reactions.ts's. Other activities are verified,
  // acknowledged (202) and ignored.
  const following = new FollowingService(store, deps.clock);
  const replies = replyListeners(deps);
  const reactions = new ReactionService({ store, clock: deps.clock, publish: deps.publish });
  const inbox = federation
    .setInboxListeners(`${ACTOR_PATH}/inbox`, '/ap/inbox')
    .on(Follow, async (ctx, follow) => {
      if (follow.id === null || follow.actorId === null || follow.objectId?.href !== ctx.getActorUri(handle).href) return;
      const actor = await follow.getActor(ctx);
      // The signature proved who sent it; an activity naming someone else as its actor is ignored.
      if (!actor || actor.id?.href !== follow.actorId.href) return;
      const remote = remoteActor(actor);
      // Deliveries go to its inboxes: none on a private address (inbox-address.ts).
      if (!remote || !(await inboxesArePublic([remote.inbox, remote.sharedInbox], deps.allowPrivate))) return;
      const outcome = await following.follow(remote, follow.id.href);
      if (outcome === 'accepted') await ctx.sendActivity({ identifier: handle }, actor, new Accept({ id: new URL(`#accept/${encodeURIComponent(follow.id.href)}`, ctx.getActorUri(handle)), actor: ctx.getActorUri(handle), object: follow }));
    })
    .on(Undo, async (ctx, undo) => {
      // Undo(Like) and Undo(Announce) are inbox-reactions.ts's; Undo(Follow) is handled here.
      if (await undoReaction(undo, reactions)) return;
      const object = await undo.getObject(ctx);
      if (!(object instanceof Follow) || undo.actorId === null || object.actorId?.href !== undo.actorId.href) return;
      await following.unfollow(undo.actorId.href);
    })
    .on(Move, async (ctx, move) => {
      // Mastodon sends Move { actor: old, object: old, target: new }; the new account must name the old one in alsoKnownAs.
      if (move.actorId === null || move.objectId?.href !== move.actorId.href) return;
      const target = await move.getTarget(ctx);
      if (!target || !isActor(target) || !target.aliasIds.some((alias) => alias.href === move.actorId!.href)) return;
      const remote = remoteActor(target);
      if (remote && (await inboxesArePublic([remote.inbox, remote.sharedInbox], deps.allowPrivate))) await following.move(move.actorId.href, remote);
    })
    .on(Create, replies.create)
    .on(Update, replies.update)
    .on(Delete, replies.delete)
    .onUnverifiedActivity(replies.unverified);
  listenForReactions(inbox, { reactions, clock: deps.clock, handle });
  serveQuoteAuthorizations(federation, { store, clock: deps.clock, handle });

  federation.setObjectDispatcher(Article, '/{slug}', async (ctx, values) => {
    const post = await store.posts.findBySlug(values.slug);
    // What a reader could not open is no Article either: the HTML route answers 404/410.
    if (!post || !isFederatedPost(post, deps.clock.now())) return null;
    return articleOf(post, ctx.getActorUri(handle), ctx.getFollowersUri(handle), deps.siteUrl).clone({
      replies: ctx.getCollectionUri('replies', { id: String(post.id) }),
      interactionPolicy: quoteInteractionPolicy(await quotePolicy(store), ctx.getActorUri(handle)),
    });
  });
  registerCommentNotes(federation, deps);

  federation.setNodeInfoDispatcher('/nodeinfo/2.1', async () => {
    const posts = await store.posts.listPublished({ type: 'post', limit: 1, offset: 0 }, deps.clock.now());
    return {
      software: { name: 'kumbaya', version: deps.version },
      protocols: ['activitypub'],
      usage: { users: { total: 1, activeHalfyear: 1, activeMonth: 1 }, localPosts: posts.total, localComments: 0 },
      openRegistrations: false,
    };
  });
}

/** What Kumbaya keeps of a remote actor: its inbox is required (no inbox, no follower). */
function remoteActor(actor: Actor): RemoteActor | null {
  if (!actor.id || !actor.inboxId) return null;
  const username = actor.preferredUsername?.toString();
  return {
    actorUri: actor.id.href,
    handle: username ? `@${username}@${actor.id.host}`.toLowerCase() : null,
    name: actor.name?.toString() ?? null,
    inbox: actor.inboxId.href,
    sharedInbox: actor.endpoints?.sharedInbox?.href ?? null,
  };
}

/**
 * The follower as Fedify's recipient (delivery goes to its inbox, or its server's shared
 * inbox). The addresses become URLs only when read: Fedify holds every follower's
 * recipient while it splits a post into deliveries, and three URL objects each were ~25 MB
 * for 10,000 followers; read, each is kept only as long as its reader needs it.
 */
export function recipientOf(f: Follower): Recipient {
  const shared = f.sharedInbox;
  return {
    get id() {
      return new URL(f.actorUri);
    },
    get inboxId() {
      return new URL(f.inbox);
    },
    endpoints: shared
      ? {
          get sharedInbox() {
            return new URL(shared);
          },
        }
      : null,
  };
}

/**
 * Answers a follow the author decided on in Admin → Fediverse: Accept or Reject of the
 * Follow activity it received (rebuilt from the id it kept), sent through the queue.
 */
export async function answerFollow(federation: KumbayaFederation, siteUrl: string, handle: string, follower: Follower, answer: 'accept' | 'reject'): Promise<void> {
  const ctx = federation.createContext(new URL(`${siteUrl}/`), undefined);
  const me = ctx.getActorUri(handle);
  const follow = new Follow({ id: follower.followId ? new URL(follower.followId) : null, actor: new URL(follower.actorUri), object: me });
  const id = new URL(`#${answer}/${encodeURIComponent(follower.followId ?? follower.actorUri)}`, me);
  const activity = answer === 'accept' ? new Accept({ id, actor: me, object: follow }) : new Reject({ id, actor: me, object: follow });
  await ctx.sendActivity({ identifier: handle }, recipientOf(follower), activity);
}

/** Fedify takes Temporal values (Node 24 has no global Temporal yet: the polyfill Fedify uses). */
const instant = (ms: number) => Temporal.Instant.fromEpochMilliseconds(ms) as unknown as globalThis.Temporal.Instant;

/** A live post as an Article whose id is its own address. Unlisted posts are not addressed to the public timeline. */
export function articleOf(post: Post, actor: URL, followers: URL | null, siteUrl: string): Article {
  const url = new URL(`${siteUrl}/${post.slug}`);
  const publicAudience = post.visibility === 'public';
  return new Article({
    id: url,
    url,
    attribution: actor,
    name: post.title,
    content: absoluteUrls(post.html, siteUrl),
    summary: post.excerpt ? escapeHtml(post.excerpt) : null,
    published: instant(post.publishedAt ?? post.createdAt),
    updated: post.updatedAt > (post.publishedAt ?? 0) ? instant(post.updatedAt) : null,
    tos: publicAudience ? [PUBLIC_COLLECTION] : followers ? [followers] : [],
    ccs: publicAudience ? (followers ? [followers] : []) : [PUBLIC_COLLECTION],
    tags: post.tags.map((tag) => new Hashtag({ name: `#${tag.name}`, href: new URL(`${siteUrl}/tag/${tag.slug}`) })),
    image: post.coverImage ? new Image({ url: new URL(post.coverImage, `${siteUrl}/`) }) : null,
  });
}
