import { Hono, type Context } from 'hono';
import { postIdOfOrderingKey } from '../../../adapters/federation/post-change.ts';
import type { QueuedDelivery } from '../../../adapters/storage/kysely-federation.ts';
import type { AppEnv } from '../../context.ts';
import type { DeliveriesState, DeliverySubject } from '../../views/admin/fediverse-deliveries-view.ts';
import { idParam, redirectWithNotice } from './admin-request.ts';

const PATH = '/admin/fediverse';
/** Failed deliveries listed (soonest retry first) and waiting ones (oldest first). */
const FAILED_SHOWN = 50;
const WAITING_SHOWN = 20;

/**
 * What a delivery is about: a post (publishing's ordering key names it, trashed or not), a
 * follow answer (an activity of the blog actor, `/@blog#accept/…`), or else its activity's
 * address.
 */
export async function subjectOf(c: Context<AppEnv>, delivery: QueuedDelivery): Promise<DeliverySubject | null> {
  const postId = postIdOfOrderingKey(delivery.orderingKey);
  if (postId !== null) {
    const post = await c.get('deps').store.posts.findById(postId);
    if (post) return { kind: 'post', id: post.id, title: post.title };
  }
  const url = delivery.activityId === null ? null : URL.parse(delivery.activityId);
  if (!url) return null;
  if (url.origin === new URL(c.get('deps').config.siteUrl).origin && url.pathname.startsWith('/@')) return { kind: 'follow' };
  return { kind: 'address', url: `${url.origin}${url.pathname}` };
}

/** The Deliveries section's data; null where the queue is not Kumbaya's own (the memory store). */
export async function deliveriesState(c: Context<AppEnv>): Promise<DeliveriesState | null> {
  const queue = c.get('deps').fediverse?.deliveries();
  if (!queue) return null;
  const [summary, failed, waiting] = await queue.atOneMoment((q) => Promise.all([q.deliverySummary(), q.deliveries({ failed: true, limit: FAILED_SHOWN }), q.deliveries({ failed: false, limit: WAITING_SHOWN })]));
  const about = async (delivery: QueuedDelivery) => ({ delivery, subject: await subjectOf(c, delivery) });
  return { summary, failed: await Promise.all(failed.map(about)), waiting: await Promise.all(waiting.map(about)), now: Date.now() };
}

/**
 * Retry: a failed (or delayed) delivery becomes due now. The listener of this instance is
 * woken; other instances find it at their next poll.
 */
export function deliveryRoutes(notWaiting: (c: Context<AppEnv>, error: string) => Promise<Response>): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/:id{[0-9]+}/retry', async (c) => {
    const queue = c.get('deps').fediverse?.deliveries();
    if (!queue || !(await queue.retryNow(idParam(c)))) return notWaiting(c, 'That delivery is no longer waiting: it was delivered, given up, or is being sent right now.');
    return redirectWithNotice(c, PATH, 'delivery-retried');
  });
  app.post('/retry-failed', async (c) => {
    const queue = c.get('deps').fediverse?.deliveries();
    const count = queue ? await queue.retryFailedNow() : 0;
    return redirectWithNotice(c, PATH, count > 0 ? 'deliveries-retried' : 'deliveries-none-failed');
  });
  return app;
}
