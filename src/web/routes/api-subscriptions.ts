import { Hono } from 'hono';
import { notFound } from '../../core/errors.ts';
import type { Subscription } from '../../core/store.ts';
import type { AppEnv } from '../context.ts';
import { apiSubscriptionQuerySchema, type ApiSubscription } from '../openapi-subscriptions.ts';
import { isoOrNull, limitWrites, parseWith, type ApiContext } from './api-request.ts';
import { iso, pathIdOr404, requireRole } from './api-staff.ts';

const ROLES = ['owner', 'moderator'] as const;
const REFUSAL = 'Only the owner and moderators can see who subscribed (it names readers’ addresses).';

function subscriptionOut(s: Subscription, confirmed: boolean): ApiSubscription {
  return {
    id: s.id,
    kind: s.kind,
    email: s.email,
    post_id: s.postId,
    comment_id: s.commentId,
    status: s.unsubscribedAt !== null ? 'unsubscribed' : confirmed ? 'active' : 'unconfirmed',
    created_at: iso(s.createdAt),
    unsubscribed_at: isoOrNull(s.unsubscribedAt),
  };
}

async function subscriptionOr404(c: ApiContext): Promise<Subscription> {
  const subscription = await c.get('deps').store.subscriptions.findById(pathIdOr404(c, 'id', 'The subscription'));
  if (!subscription) throw notFound('The subscription');
  return subscription;
}

async function confirmed(c: ApiContext, email: string): Promise<boolean> {
  return ((await c.get('deps').store.subscriptions.findAddress(email))?.confirmedAt ?? null) !== null;
}

/** Email subscriptions in the JSON API, mounted at /api/subscriptions, through the store as the mail links use it. */
export function apiSubscriptionRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/', async (c) => {
    requireRole(c, 'read', ROLES, REFUSAL);
    const { store } = c.get('deps');
    const query = parseWith(apiSubscriptionQuerySchema, c.req.query(), 'query parameters');
    let emails: string[] | undefined;
    if (query.person_id !== undefined) {
      const summary = await store.people.summary(query.person_id);
      if (!summary) throw notFound('That person');
      // Subscriptions are kept by address: the person's are those of every address they used.
      emails = summary.identities.filter((i) => i.kind === 'email').map((i) => i.value);
    }
    const page = await store.subscriptions.list({ postId: query.post_id, emails, state: query.status, limit: query.per_page, offset: (query.page - 1) * query.per_page });
    return c.json({ subscriptions: page.items.map((s) => subscriptionOut(s, s.confirmed)), page: query.page, per_page: query.per_page, total: page.total });
  });

  app.post('/:id{[0-9]+}/unsubscribe', limitWrites, async (c) => {
    requireRole(c, 'moderate', ROLES, REFUSAL);
    const { store, clock } = c.get('deps');
    const subscription = await subscriptionOr404(c);
    const after = (await store.subscriptions.unsubscribe(subscription.token, clock.now())) ?? subscription;
    return c.json(subscriptionOut(after, await confirmed(c, after.email)));
  });

  app.delete('/:id{[0-9]+}', limitWrites, async (c) => {
    requireRole(c, 'moderate', ROLES, REFUSAL);
    const subscription = await subscriptionOr404(c);
    if (!(await c.get('deps').store.subscriptions.delete(subscription.id))) throw notFound('The subscription');
    return c.body(null, 204);
  });

  return app;
}
