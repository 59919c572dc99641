import { Hono } from 'hono';
import { DomainError, notFound } from '../../core/errors.ts';
import { notificationModeOf, setNotificationMode } from '../../core/notification-service.ts';
import type { OutboxMessage, Role } from '../../core/store.ts';
import type { AppEnv } from '../context.ts';
import { apiMailPreferenceInputSchema, apiMailQuerySchema, type apiMailMessageSchema } from '../openapi-mail.ts';
import { limitBody, limitWrites, parseWith, readJson, type ApiContext } from './api-request.ts';
import { iso, pathIdOr404, requireRole } from './api-staff.ts';
import type { z } from 'zod';

/** As Admin → Mail: who sees the outbox (it names readers' addresses), and who is emailed about comments. */
const OUTBOX_ROLES: Role[] = ['owner', 'moderator'];
const OUTBOX_REFUSAL = 'Only the owner and moderators can manage the mail outbox.';
const NOTIFIED_ROLES: Role[] = ['owner', 'author'];
const NOTIFIED_REFUSAL = 'Only the owner and authors are emailed about comments.';
/** As the admin's "Retry all failed". */
const RETRY_ALL_MAX = 1000;

function messageOut(m: OutboxMessage): z.output<typeof apiMailMessageSchema> {
  return {
    id: m.id,
    kind: m.kind,
    to: m.to,
    subject: m.subject,
    status: m.status,
    attempts: m.attempts,
    last_error: m.lastError,
    created_at: iso(m.createdAt),
    next_attempt_at: m.status === 'pending' ? iso(m.nextAttemptAt) : null,
    sent_at: m.sentAt === null ? null : iso(m.sentAt),
  };
}

async function failedMail(c: ApiContext): Promise<OutboxMessage[]> {
  return (await c.get('deps').store.outbox.list({ status: 'failed', limit: RETRY_ALL_MAX, offset: 0 })).items;
}

/** Admin → Mail in the JSON API, mounted at /api/mail; the contract is openapi-mail.ts. */
export function apiMailRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/', async (c) => {
    requireRole(c, 'read', OUTBOX_ROLES, OUTBOX_REFUSAL);
    const { store, mail, config } = c.get('deps');
    const counts = await store.outbox.countByStatus();
    return c.json({ transport: mail.transport, from: config.mailFrom, counts: { pending: counts.pending ?? 0, sent: counts.sent ?? 0, failed: counts.failed ?? 0 } });
  });

  app.get('/messages', async (c) => {
    requireRole(c, 'read', OUTBOX_ROLES, OUTBOX_REFUSAL);
    const query = parseWith(apiMailQuerySchema, c.req.query(), 'query parameters');
    const result = await c.get('deps').store.outbox.list({ status: query.status, limit: query.per_page, offset: (query.page - 1) * query.per_page });
    return c.json({ messages: result.items.map(messageOut), page: query.page, per_page: query.per_page, total: result.total });
  });

  app.post('/messages/:id{[0-9]+}/retry', limitWrites, async (c) => {
    requireRole(c, 'moderate', OUTBOX_ROLES, OUTBOX_REFUSAL);
    const { store, clock, mail } = c.get('deps');
    const id = pathIdOr404(c, 'id', 'The failed mail');
    if (!(await failedMail(c)).some((m) => m.id === id)) throw notFound('The failed mail');
    await store.outbox.retry(id, clock.now());
    mail.wake();
    return c.json({ retried: 1 });
  });

  app.post('/retry-failed', limitWrites, async (c) => {
    requireRole(c, 'moderate', OUTBOX_ROLES, OUTBOX_REFUSAL);
    const { store, clock, mail } = c.get('deps');
    const failed = await failedMail(c);
    for (const message of failed) await store.outbox.retry(message.id, clock.now());
    mail.wake();
    return c.json({ retried: failed.length });
  });

  app.get('/preference', async (c) => {
    const user = requireRole(c, 'read', NOTIFIED_ROLES, NOTIFIED_REFUSAL);
    return c.json({ mode: notificationModeOf(await c.get('deps').store.settings.getAll(), user.id) });
  });

  app.put('/preference', limitWrites, limitBody, async (c) => {
    const user = requireRole(c, 'write', NOTIFIED_ROLES, NOTIFIED_REFUSAL);
    const input = parseWith(apiMailPreferenceInputSchema, await readJson(c, { optional: false }), 'a JSON object, e.g. {"mode": "digest"}');
    if (input.mode !== 'each' && input.mode !== 'digest') throw new DomainError('validation_failed', 'Choose one email per comment or a daily digest.', { mode: 'Use each or digest.' });
    await setNotificationMode(c.get('deps').store, user.id, input.mode);
    return c.json({ mode: input.mode });
  });

  return app;
}
