import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { roleSchema } from '../../../core/auth-service.ts';
import { clientIp } from '../../client-ip.ts';
import { DomainError, notFound } from '../../../core/errors.ts';
import type { AppEnv } from '../../context.ts';
import { statusFor } from '../../errors.ts';
import { confirmView } from '../../views/admin/confirm-view.ts';
import { usersView, type UsersViewState } from '../../views/admin/users-view.ts';
import { allowRoles, confirmed, currentUser, formFields, idParam, redirectWithNotice } from './admin-request.ts';

async function render(c: Context<AppEnv>, state: UsersViewState = {}, status: ContentfulStatusCode = 200) {
  const { store, accounts, clock } = c.get('deps');
  return c.html(usersView(c, await store.users.list(), await accounts.pendingInvites(), clock.now(), state).value, status);
}

/** Users and their roles; the owner's alone. */
export function userRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', allowRoles(['owner'], 'Only the owner can manage users.'));

  app.get('/', (c) => render(c));

  // Inviting: the invitee sets their own name and password from the link in the email.
  app.post('/', async (c) => {
    const { accounts, logger, mail } = c.get('deps');
    const form = await formFields(c);
    const values = { email: form.email ?? '', role: form.role ?? '' };
    let url: string;
    try {
      const sent = await accounts.invite(currentUser(c), values, clientIp(c));
      url = sent.url;
      logger.info({ invitationId: sent.invitation.id, role: sent.invitation.role, by: currentUser(c).id }, 'invitation sent');
    } catch (error) {
      if (error instanceof DomainError && (Object.keys(error.fields).length > 0 || error.code === 'rate_limited')) {
        const retry = error.context.retryAfterSeconds;
        if (typeof retry === 'number') c.header('Retry-After', String(retry));
        return render(c, { invite: { values, fields: error.fields }, error: error.message }, statusFor[error.code]);
      }
      throw error;
    }
    mail.wake();
    // Without a mail server the invitation waits in the outbox: the owner can pass the link on.
    if (!mail.transport) return render(c, { link: { email: values.email.trim().toLowerCase(), url } });
    return redirectWithNotice(c, '/admin/users', 'invited');
  });

  app.post('/invites/:id{[0-9]+}/resend', async (c) => {
    const { accounts, mail } = c.get('deps');
    try {
      const sent = await accounts.resendInvite(currentUser(c), idParam(c), clientIp(c));
      mail.wake();
      if (!mail.transport) return render(c, { link: { email: sent.invitation.email, url: sent.url } });
    } catch (error) {
      if (error instanceof DomainError && error.code === 'rate_limited') {
        c.header('Retry-After', String(error.context.retryAfterSeconds));
        return render(c, { error: error.message }, 429);
      }
      throw error;
    }
    return redirectWithNotice(c, '/admin/users', 'invite-resent');
  });

  app.post('/invites/:id{[0-9]+}/revoke', async (c) => {
    await c.get('deps').accounts.revokeInvite(currentUser(c), idParam(c));
    return redirectWithNotice(c, '/admin/users', 'invite-revoked');
  });

  app.post('/:id{[0-9]+}/role', async (c) => {
    const { auth, changes } = c.get('deps');
    const form = await formFields(c);
    const role = roleSchema.safeParse(form.role);
    try {
      if (!role.success) throw new DomainError('validation_failed', 'Choose owner, author or moderator.');
      await auth.changeRole(currentUser(c), idParam(c), role.data);
    } catch (error) {
      if (error instanceof DomainError && (error.code === 'conflict' || error.code === 'validation_failed')) {
        return render(c, { error: error.message }, statusFor[error.code]);
      }
      throw error;
    }
    // Roles decide who is shown as staff beside comments on public pages.
    changes.publish('users-changed');
    return redirectWithNotice(c, '/admin/users', 'role-changed');
  });

  app.post('/:id{[0-9]+}/remove', async (c) => {
    const { auth, store, changes } = c.get('deps');
    const actor = currentUser(c);
    const target = await store.users.findById(idParam(c));
    if (!target) throw notFound('The user');
    if (target.id === actor.id) return render(c, { error: 'You cannot remove yourself. Make someone else owner and ask them.' }, 409);
    if (!confirmed(await formFields(c))) {
      return c.html(
        confirmView(c, {
          title: `Remove ${target.name}?`,
          message: `${target.name} (${target.email}) can no longer sign in, and their tokens stop working. Their posts and pages stay on the site and become yours.`,
          action: `/admin/users/${target.id}/remove`,
          confirmLabel: `Remove ${target.name}`,
          cancelHref: '/admin/users',
          current: 'users',
        }).value,
      );
    }
    await auth.removeUser(actor, target.id);
    changes.publish('users-changed');
    return redirectWithNotice(c, '/admin/users', 'user-removed');
  });

  return app;
}
