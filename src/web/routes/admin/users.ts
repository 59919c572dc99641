import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { roleSchema } from '../../../core/auth-service.ts';
import { DomainError, notFound } from '../../../core/errors.ts';
import type { AppEnv } from '../../context.ts';
import { statusFor } from '../../errors.ts';
import { confirmView } from '../../views/admin/confirm-view.ts';
import { usersView, type UsersViewState } from '../../views/admin/users-view.ts';
import { allowRoles, confirmed, currentUser, formFields, idParam, redirectWithNotice } from './admin-request.ts';

async function render(c: Context<AppEnv>, state: UsersViewState = {}, status: ContentfulStatusCode = 200) {
  return c.html(usersView(c, await c.get('deps').store.users.list(), state).value, status);
}

/** Users and their roles; the owner's alone. */
export function userRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', allowRoles(['owner'], 'Only the owner can manage users.'));

  app.get('/', (c) => render(c));

  app.post('/', async (c) => {
    const { auth, logger } = c.get('deps');
    const form = await formFields(c);
    const values = { name: form.name ?? '', email: form.email ?? '', role: form.role ?? '' };
    const role = roleSchema.safeParse(values.role);
    try {
      if (!role.success) throw new DomainError('validation_failed', 'Choose owner, author or moderator.', { role: 'Choose a role.' });
      const user = await auth.createUser({ ...values, password: form.password ?? '' }, role.data);
      logger.info({ userId: user.id, role: user.role, by: currentUser(c).id }, 'user created');
    } catch (error) {
      if (error instanceof DomainError && Object.keys(error.fields).length > 0) {
        return render(c, { newUser: { values, fields: error.fields } }, statusFor[error.code]);
      }
      throw error;
    }
    return redirectWithNotice(c, '/admin/users', 'user-created');
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
