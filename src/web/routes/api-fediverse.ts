import { Hono } from 'hono';
import { DomainError } from '../../core/errors.ts';
import type { Follower } from '../../core/federation-store.ts';
import { FollowingError, FollowingService } from '../../core/following.ts';
import type { AppEnv } from '../context.ts';
import { apiActorInputSchema, apiDeliveryQuerySchema, apiDomainInputSchema, apiFollowerQuerySchema, type ApiDelivery, type ApiFollower } from '../openapi-fediverse.ts';
import { subjectOf } from './admin/fediverse-deliveries.ts';
import { limitBody, limitWrites, parseWith, readJson, type ApiContext } from './api-request.ts';
import { iso, pathIdOr404, requireRole } from './api-staff.ts';

const REFUSAL = 'Only the owner manages the blog’s fediverse account.';
const DELIVERIES_LISTED = 100;

async function followerOut(c: ApiContext, f: Follower): Promise<ApiFollower> {
  const person = await c.get('deps').store.people.findByIdentity('fediverse', f.actorUri);
  return {
    id: f.id,
    actor_uri: f.actorUri,
    handle: f.handle,
    inbox: f.inbox,
    shared_inbox: f.sharedInbox,
    status: f.status === 'pending' ? 'pending' : 'accepted',
    person_id: person?.id ?? null,
    created_at: iso(f.createdAt),
    updated_at: iso(f.updatedAt),
  };
}

/** The core's refusals (FollowingError, with its status) as the API's errors. */
async function following<T>(work: () => Promise<T>, field = 'actor'): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof FollowingError)) throw error;
    if (error.status === 404) throw new DomainError('not_found', error.message);
    throw new DomainError('validation_failed', error.message, { [field]: error.message });
  }
}

/**
 * The blog's fediverse account in the JSON API, mounted at /api/fediverse: followers (as
 * Admin → Fediverse: FollowingService's rules, the answer sent to their server) and the
 * deliveries queue.
 */
export function apiFediverseRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const service = (c: ApiContext) => new FollowingService(c.get('deps').store, c.get('deps').clock);
  const actor = async (c: ApiContext) => parseWith(apiActorInputSchema, await readJson(c, { optional: false }), 'a JSON object, e.g. {"actor": "https://social.example/users/ana"}').actor;

  app.get('/followers', async (c) => {
    requireRole(c, 'read', ['owner'], REFUSAL);
    const query = parseWith(apiFollowerQuerySchema, c.req.query(), 'query parameters');
    const followers = await c.get('deps').store.followers.listByStatus(query.status);
    return c.json({ followers: await Promise.all(followers.map((f) => followerOut(c, f))) });
  });

  app.post('/followers/accept', limitWrites, limitBody, async (c) => {
    requireRole(c, 'moderate', ['owner'], REFUSAL);
    const uri = await actor(c);
    const follower = await following(() => service(c).accept(uri));
    await c.get('deps').fediverse?.answerFollow(follower, 'accept');
    return c.json(await followerOut(c, follower));
  });

  app.post('/followers/remove', limitWrites, limitBody, async (c) => {
    requireRole(c, 'moderate', ['owner'], REFUSAL);
    const uri = await actor(c);
    const follower = await following(() => service(c).remove(uri));
    // Mastodon drops the follow when it receives a Reject of it.
    await c.get('deps').fediverse?.answerFollow(follower, 'reject');
    return c.body(null, 204);
  });

  app.post('/followers/block', limitWrites, limitBody, async (c) => {
    requireRole(c, 'moderate', ['owner'], REFUSAL);
    const uri = await actor(c);
    await following(() => service(c).blockActor(uri));
    return c.body(null, 204);
  });

  app.get('/blocks', async (c) => {
    requireRole(c, 'read', ['owner'], REFUSAL);
    const blocks = await c.get('deps').store.fediverseBlocks.list();
    return c.json({ blocks: blocks.map((b) => ({ id: b.id, kind: b.kind, value: b.value, created_at: iso(b.createdAt) })) });
  });

  app.post('/blocks/domain', limitWrites, limitBody, async (c) => {
    requireRole(c, 'moderate', ['owner'], REFUSAL);
    const { domain } = parseWith(apiDomainInputSchema, await readJson(c, { optional: false }), 'a JSON object, e.g. {"domain": "spam.example"}');
    return c.json({ added: await following(() => service(c).blockDomain(domain), 'domain') });
  });

  app.delete('/blocks/:id{[0-9]+}', limitWrites, async (c) => {
    requireRole(c, 'moderate', ['owner'], REFUSAL);
    const id = pathIdOr404(c, 'id', 'That block');
    await following(() => service(c).unblock(id));
    return c.body(null, 204);
  });

  app.get('/deliveries', async (c) => {
    requireRole(c, 'read', ['owner'], REFUSAL);
    const query = parseWith(apiDeliveryQuerySchema, c.req.query(), 'query parameters');
    const queue = c.get('deps').fediverse?.deliveries();
    if (!queue) return c.json({ summary: { deliveries: 0, failing: 0, sending: 0, fanouts: 0, received: 0 }, deliveries: [] });
    const [summary, rows] = await queue.atOneMoment((q) => Promise.all([q.deliverySummary(), q.deliveries({ failed: query.failed === 'true', limit: DELIVERIES_LISTED })]));
    const deliveries: ApiDelivery[] = [];
    for (const d of rows) {
      deliveries.push({
        id: d.id,
        kind: d.kind,
        inbox: d.inbox,
        activity_type: d.activityType,
        activity_id: d.activityId,
        subject: await subjectOf(c, d),
        behind: d.behind,
        attempts: d.attempts,
        last_error: d.lastError,
        run_at: iso(d.runAt),
        sending: d.sending,
        created_at: iso(d.createdAt),
      });
    }
    return c.json({ summary, deliveries });
  });

  app.post('/deliveries/:id{[0-9]+}/retry', limitWrites, async (c) => {
    requireRole(c, 'admin', ['owner'], REFUSAL);
    const id = pathIdOr404(c, 'id', 'That delivery');
    const queue = c.get('deps').fediverse?.deliveries();
    if (!queue || !(await queue.retryNow(id))) throw new DomainError('not_found', 'That delivery is no longer waiting: it was delivered, given up, or is being sent right now.');
    return c.body(null, 204);
  });

  return app;
}
