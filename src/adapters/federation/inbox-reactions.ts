import type { Context, Federation, InboxListenerSetters } from '@fedify/fedify';
import { Accept, Announce, Article, InteractionPolicy, InteractionRule, Like, PUBLIC_COLLECTION, QuoteAuthorization, QuoteRequest, Reject, type Actor, type Undo } from '@fedify/fedify/vocab';
import type { Clock } from '../../core/clock.ts';
import { normaliseHandle } from '../../core/people.ts';
import { isFederatedPost, type QuotePolicy, type ReactingActor, type ReactionKind, type ReactionService } from '../../core/reactions.ts';
import type { Store } from '../../core/store.ts';

/**
 * Likes, boosts and quote requests (issue 12, point 6). The listeners only translate:
 * `Like` and `Announce` of a post become `ReactionService.react`, their `Undo` its `undo`,
 * and a `QuoteRequest` (FEP-044f) its `requestQuote`, whose answer is sent back as an
 * `Accept` carrying a `QuoteAuthorization` (served at its own address) or a `Reject`.
 */
export interface ReactionListenerDeps {
  reactions: ReactionService;
  clock: Clock;
  /** The blog actor's identifier. */
  handle: string;
}

/** Registers the Like, Announce and QuoteRequest listeners on the blog's inboxes. */
export function listenForReactions(inbox: InboxListenerSetters<void>, deps: ReactionListenerDeps): void {
  const recent = new RecentActors(deps.clock);
  inbox
    .on(Like, (ctx, like) => react(ctx, 'like', like, deps, recent))
    .on(Announce, (ctx, announce) => react(ctx, 'announce', announce, deps, recent))
    .on(QuoteRequest, (ctx, request) => answerQuoteRequest(ctx, request, deps));
}

/**
 * Accounts that reacted lately, as they were shown: a popular post's likers go on to like
 * and boost more, and parsing an actor document again (JSON-LD) costs more than the rest
 * of storing a like. Kept as long as Fedify keeps the document itself (5 minutes).
 */
class RecentActors {
  private readonly seen = new Map<string, { actor: ReactingActor; until: number }>();
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  get(actorUri: string): ReactingActor | null {
    const entry = this.seen.get(actorUri);
    if (!entry || entry.until < this.clock.now()) return null;
    return entry.actor;
  }

  remember(actor: ReactingActor): void {
    this.seen.delete(actor.actorUri);
    this.seen.set(actor.actorUri, { actor, until: this.clock.now() + 5 * 60_000 });
    // The oldest first: at most 1,000 accounts.
    if (this.seen.size > 1000) this.seen.delete(this.seen.keys().next().value!);
  }
}

/**
 * Undo(Like) and Undo(Announce): whichever way the Undo names the activity (embedded, as
 * Mastodon and Misskey do, or by its id alone, as Pleroma may), the reaction it made goes
 * when the Undo's actor made it. True when it removed one; other Undos are the caller's.
 */
export async function undoReaction(undo: Undo, reactions: ReactionService): Promise<boolean> {
  if (undo.actorId === null || undo.objectId === null) return false;
  return reactions.undo(undo.objectId.href, undo.actorId.href);
}

/** The slug of a post of this blog named by `uri` (a Like's object), or null for anything else. */
function postSlug(ctx: Context<void>, uri: URL | null): string | null {
  const parsed = ctx.parseUri(uri);
  return parsed?.type === 'object' && parsed.class === Article ? (parsed.values.slug ?? null) : null;
}

async function react(ctx: Context<void>, kind: ReactionKind, activity: Like | Announce, deps: ReactionListenerDeps, recent: RecentActors): Promise<void> {
  if (activity.id === null || activity.actorId === null) return;
  const slug = postSlug(ctx, activity.objectId);
  if (!slug) return;
  let reacting = recent.get(activity.actorId.href);
  if (!reacting) {
    const actor = await activity.getActor(ctx);
    // The signature proved who sent it; an activity naming someone else as its actor is ignored.
    if (!actor || actor.id?.href !== activity.actorId.href) return;
    reacting = await reactingActor(ctx, actor);
    recent.remember(reacting);
  }
  await deps.reactions.react(kind, slug, reacting, activity.id.href);
}

async function answerQuoteRequest(ctx: Context<void>, request: QuoteRequest, deps: ReactionListenerDeps): Promise<void> {
  if (request.id === null || request.actorId === null) return;
  const slug = postSlug(ctx, request.objectId);
  if (!slug) return;
  const actor = await request.getActor(ctx);
  if (!actor?.id || actor.id.href !== request.actorId.href) return;
  // The quoting post (the instrument) must be the requester's own.
  const quote = await request.getInstrument({ ...ctx, suppressError: true });
  if (!quote?.id || !quote.attributionIds.some((by) => by.href === actor.id!.href)) return;
  const answer = await deps.reactions.requestQuote(slug, await reactingActor(ctx, actor), quote.id.href, request.id.href);
  if (answer.outcome === 'ignored') return;
  const me = ctx.getActorUri(deps.handle);
  // The request as Mastodon keeps it: its id, who asked, what is quoted, and by what.
  const answered = new QuoteRequest({ id: request.id, actor: actor.id, object: request.objectId, instrument: quote.id });
  if (answer.outcome === 'authorized') {
    const authorization = ctx.getObjectUri(QuoteAuthorization, { id: String(answer.authorization.id) });
    await ctx.sendActivity({ identifier: deps.handle }, actor, new Accept({ id: new URL('#accept', authorization), actor: me, object: answered, result: authorization, to: actor.id }));
  } else {
    await ctx.sendActivity({ identifier: deps.handle }, actor, new Reject({ id: new URL(`#reject-quote/${encodeURIComponent(request.id.href)}`, me), actor: me, object: answered, to: actor.id }));
  }
}

/** What is kept of the actor to show their face: names are text, addresses only http(s), avatars only https. */
async function reactingActor(ctx: Context<void>, actor: Actor): Promise<ReactingActor> {
  const id = actor.id!;
  const username = actor.preferredUsername?.toString();
  const icon = await actor.getIcon({ ...ctx, suppressError: true });
  const iconHref = icon?.url instanceof URL ? icon.url : (icon?.url?.href ?? null);
  const profile = actor.url instanceof URL ? actor.url : (actor.url?.href ?? null);
  return {
    actorUri: id.href,
    handle: username ? normaliseHandle(`@${username}@${id.host}`) : null,
    name: actor.name?.toString().trim().slice(0, 200) || null,
    profileUrl: profile && /^https?:$/.test(profile.protocol) ? profile.href : null,
    iconUrl: iconHref && iconHref.protocol === 'https:' ? iconHref.href : null,
  };
}

/**
 * Quote authorizations are served at `/ap/quote-authorizations/{id}` (FEP-044f: servers
 * showing the quote fetch it to check it), while the quoted post is still one the
 * fediverse may see.
 */
export function serveQuoteAuthorizations(federation: Federation<void>, deps: { store: Store; clock: Clock; handle: string }): void {
  federation.setObjectDispatcher(QuoteAuthorization, '/ap/quote-authorizations/{id}', async (ctx, values) => {
    if (!/^[0-9]{1,15}$/.test(values.id)) return null;
    const record = await deps.store.reactions.findQuoteAuthorization(Number(values.id));
    const post = record ? await deps.store.posts.findById(record.postId) : null;
    if (!record || !post || !isFederatedPost(post, deps.clock.now())) return null;
    return new QuoteAuthorization({
      id: ctx.getObjectUri(QuoteAuthorization, values),
      attribution: ctx.getActorUri(deps.handle),
      interactingObject: new URL(record.quoteUri),
      interactionTarget: ctx.getObjectUri(Article, { slug: post.slug }),
    });
  });
}

/**
 * Who may quote a post, as its Article says (FEP-044f `interactionPolicy.canQuote`):
 * anyone, approved automatically, or only the blog itself (the way to say "no quotes").
 */
export function quoteInteractionPolicy(policy: QuotePolicy, me: URL): InteractionPolicy {
  return new InteractionPolicy({ canQuote: new InteractionRule({ automaticApproval: policy === 'accept' ? PUBLIC_COLLECTION : me }) });
}
