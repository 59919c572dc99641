import { Hono } from 'hono';
import { notificationModeOf, setNotificationMode } from '../../../core/notification-service.ts';
import { DomainError } from '../../../core/errors.ts';
import type { Role } from '../../../core/store.ts';
import type { AppEnv } from '../../context.ts';
import { mailView, type MailViewState } from '../../views/admin/mail-view.ts';
import { allowRoles, currentUser, formFields, idParam, redirectWithNotice } from './admin-request.ts';

/** Who sees the outbox (it names readers' addresses) and retries mail. */
const outboxRoles: Role[] = ['owner', 'moderator'];
/** Who is told about comments on their posts, and so chooses how. */
const notifiedRoles: Role[] = ['owner', 'author'];
const outboxOnly = allowRoles(outboxRoles, 'Only the owner and moderators can manage the mail outbox.');

/** /admin/mail: the outbox (owners, moderators) and one's own notification choice (owners, authors). */
export function mailRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/', async (c) => {
    const { store, config, mail } = c.get('deps');
    const user = currentUser(c);
    const state: MailViewState = { outbox: null, mode: null };
    if (notifiedRoles.includes(user.role)) state.mode = notificationModeOf(await store.settings.getAll(), user.id);
    if (outboxRoles.includes(user.role)) {
      const [counts, failed, pending, sent] = await Promise.all([
        store.outbox.countByStatus(),
        store.outbox.list({ status: 'failed', limit: 50, offset: 0 }),
        store.outbox.list({ status: 'pending', limit: 20, offset: 0 }),
        store.outbox.list({ status: 'sent', limit: 10, offset: 0 }),
      ]);
      state.outbox = { transport: mail.transport, from: config.mailFrom, counts, failed: failed.items, pending: pending.items, sent: sent.items };
    }
    return c.html(mailView(c, state).value);
  });

  app.post('/:id{[0-9]+}/retry', outboxOnly, async (c) => {
    const { store, clock, mail } = c.get('deps');
    // Only a failed message moves; retrying one that was sent meanwhile changes nothing.
    await store.outbox.retry(idParam(c), clock.now());
    mail.wake();
    return redirectWithNotice(c, '/admin/mail', 'mail-retried');
  });

  app.post('/retry-failed', outboxOnly, async (c) => {
    const { store, clock, mail } = c.get('deps');
    const failed = await store.outbox.list({ status: 'failed', limit: 1000, offset: 0 });
    for (const message of failed.items) await store.outbox.retry(message.id, clock.now());
    mail.wake();
    return redirectWithNotice(c, '/admin/mail', 'mail-retried');
  });

  app.post('/preference', allowRoles(notifiedRoles, 'Only the owner and authors are emailed about comments.'), async (c) => {
    const form = await formFields(c);
    if (form.mode !== 'each' && form.mode !== 'digest') throw new DomainError('validation_failed', 'Choose one email per comment or a daily digest.');
    await setNotificationMode(c.get('deps').store, currentUser(c).id, form.mode);
    return redirectWithNotice(c, '/admin/mail', 'mail-preference-saved');
  });

  return app;
}
