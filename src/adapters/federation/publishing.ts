import { Temporal } from '@js-temporal/polyfill';
import { Create, Delete, PUBLIC_COLLECTION, Tombstone, Update, type Activity } from '@fedify/fedify/vocab';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.ts';
import { FollowingService } from '../../core/following.ts';
import type { Store } from '../../core/store.ts';
import { articleOf, recipientOf, type KumbayaFederation } from './federation.ts';
import { postOrderingKey, type PostChange } from './post-change.ts';

/**
 * Publishing (issue 12, point 3): a post's Create, Update and Delete go to the blog's
 * accepted followers through their servers' shared inboxes, by Fedify's queue. The
 * ordering key is the post, so one post's activities reach each server in the order they
 * were sent (Fedify adds the inbox's origin to the key of each delivery), while other
 * posts and other servers go in parallel.
 */
export interface PublishingDeps {
  store: Store;
  clock: Clock;
  siteUrl: string;
  handle: string;
  logger: Logger;
}

const instant = (ms: number) => Temporal.Instant.fromEpochMilliseconds(ms) as unknown as globalThis.Temporal.Instant;

/**
 * Sends a post's change to every accepted follower (one delivery per shared inbox, or per
 * inbox for a server without one), through Fedify's fan-out. Run from the queue; the
 * activity's id comes from the change's time, so a retry sends the same activity.
 */
export async function sendPostChange(federation: KumbayaFederation, deps: PublishingDeps, change: PostChange): Promise<void> {
  const ctx = federation.createContext(new URL(`${deps.siteUrl}/`), undefined);
  const actor = ctx.getActorUri(deps.handle);
  const followers = ctx.getFollowersUri(deps.handle);
  const { activity: type, post, at } = change;
  const url = new URL(`${deps.siteUrl}/${post.slug}`);
  // Unique per change: receivers drop an activity id they have seen (Fedify's idempotency does).
  const id = new URL(`#${type.toLowerCase()}/${at}`, url);
  // The activity is addressed like its Article: unlisted posts stay off public timelines.
  const audience = post.visibility === 'public' ? { tos: [PUBLIC_COLLECTION], ccs: [followers] } : { tos: [followers], ccs: [PUBLIC_COLLECTION] };
  let activity: Activity;
  if (type === 'Delete') {
    activity = new Delete({ id, actor, object: new Tombstone({ id: url, deleted: instant(at) }), ...audience });
  } else {
    let article = articleOf(post, actor, followers, deps.siteUrl);
    // Mastodon applies an Update only when the object says when it was edited.
    if (type === 'Update' && article.updated === null) article = article.clone({ updated: instant(post.updatedAt) });
    const fields = { id, actor, object: article, published: instant(at), ...audience };
    activity = type === 'Create' ? new Create(fields) : new Update(fields);
  }
  // One recipient per delivery address: what Fedify would make of every follower with
  // preferSharedInbox, without reading and parsing 10,000 followers to find 1,000 servers
  // (a stretch of the event loop readers felt: bench/README.md, "(i)").
  const recipients = (await deps.store.followers.listDeliveryTargets()).map(recipientOf);
  await ctx.sendActivity({ identifier: deps.handle }, recipients, activity, { preferSharedInbox: true, orderingKey: postOrderingKey(post.id) });
}

/**
 * A 404 or 410 from an inbox is a permanent failure (Fedify stops retrying it): the
 * followers that delivery was for are gone, and are removed so nothing more is sent to
 * them. A server that is only down (its circuit held deliveries until they expired) keeps
 * its followers.
 */
export function pruneGoneFollowers(federation: KumbayaFederation, deps: PublishingDeps): void {
  const following = new FollowingService(deps.store, deps.clock);
  federation.setOutboxPermanentFailureHandler(async (_ctx, failure) => {
    if (failure.reason !== 'http') return;
    // Every follower delivered to at that address (a shared inbox: its whole server), and
    // the actors the delivery names (one per address since deliveries are made from
    // `listDeliveryTargets`; every follower behind it in deliveries queued before).
    let removed = await following.unfollowDeliveryAddress(failure.inbox.href);
    for (const actorUri of failure.actorIds) if (await following.unfollow(actorUri.href)) removed++;
    deps.logger.info({ inbox: failure.inbox.href, status: failure.statusCode, removed }, 'fediverse: inbox gone, followers removed');
  });
}
