import type { Config } from '../config/config.ts';
import type { Clock } from '../core/clock.ts';
import type { CommentNotifications } from '../core/comment-service.ts';
import { commentApproved, commentCreated, heldCommentMail, type CommentEvent } from '../core/notification-service.ts';
import { readSiteSettings, type SiteSettings } from '../core/site-settings.ts';
import type { Comment, Post, Store } from '../core/store.ts';
import { requestSubscription } from '../core/subscription-service.ts';

/**
 * Mail caused by comments: notifications to the author and subscribers, and
 * subscription requests, written to the outbox inside the comment's transaction.
 *
 * Everything is read through the transaction's store: on SQLite a read through the outer
 * store would wait for the transaction's own connection. The site title is the one the
 * settings cache holds (`siteNow`, emptied by every change the feed publishes), read
 * through the transaction only while the cache is empty: one round trip fewer per comment
 * on PostgreSQL.
 */
export function createCommentNotifications(deps: { config: Config; secret: string; site: () => Promise<SiteSettings>; siteNow?: () => SiteSettings | null; clock: Clock }): CommentNotifications {
  const siteOf = async (store: Store) => ({ title: (deps.siteNow?.() ?? readSiteSettings(await store.settings.getAll())).title });
  const event = async (store: Store, comment: Comment, post: Post, now: number): Promise<CommentEvent> => ({
    store,
    comment,
    post,
    now,
    site: await siteOf(store),
    // Read at the time: with PORT=0 the real address is settled after start.
    siteUrl: deps.config.siteUrl,
    secret: deps.secret,
  });
  return {
    commentCreated: async (store, comment, post, now) => commentCreated(await event(store, comment, post, now)),
    commentApproved: async (store, comment, post, now) => commentApproved(await event(store, comment, post, now)),
    heldMail: async (store, post, now, staff) => heldCommentMail({ store, post, now, site: await siteOf(store), siteUrl: deps.config.siteUrl, secret: deps.secret }, staff),
    subscribe: async (store, request, now) => {
      const { confirmationSent } = await requestSubscription(request, { store, site: await siteOf(store), siteUrl: deps.config.siteUrl, now });
      return { confirmationSent };
    },
  };
}
