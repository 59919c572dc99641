import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { SESSION_TTL_MS } from '../../../core/auth-service.ts';
import { DomainError } from '../../../core/errors.ts';
import type { AppEnv } from '../../context.ts';
import { statusFor } from '../../errors.ts';
import { SESSION_COOKIE, secureCookies } from '../../middleware.ts';
import { profileView, type ProfileValues } from '../../views/admin/profile-view.ts';
import { currentUser, formFields, redirectWithNotice } from './admin-request.ts';

/** The signed-in user's own profile and password. */
export function profileRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/', (c) => {
    const user = currentUser(c);
    return c.html(profileView(c, { values: { name: user.name, email: user.email, slug: user.slug, bio: user.bio } }).value);
  });

  app.post('/', async (c) => {
    const { auth, changes } = c.get('deps');
    const form = await formFields(c);
    const values: ProfileValues = { name: form.name ?? '', email: form.email ?? '', slug: (form.slug ?? '').trim(), bio: form.bio ?? '' };
    try {
      await auth.updateProfile(currentUser(c), values);
    } catch (error) {
      if (error instanceof DomainError && Object.keys(error.fields).length > 0) {
        return c.html(profileView(c, { values, fields: error.fields, error: error.message }).value, statusFor[error.code]);
      }
      throw error;
    }
    // The name and bio appear on public pages (bylines, the author page).
    changes.publish('profile-changed');
    return redirectWithNotice(c, '/admin/profile', 'profile-saved');
  });

  app.post('/password', async (c) => {
    const { auth } = c.get('deps');
    const user = currentUser(c);
    const form = await formFields(c);
    const values = { name: user.name, email: user.email, slug: user.slug, bio: user.bio };
    const next = form.password ?? '';
    if (next !== (form.repeat ?? '')) {
      const message = 'The two new passwords differ. Type the same one twice.';
      return c.html(profileView(c, { values, passwordFields: { repeat: message }, passwordError: message }).value, 422);
    }
    try {
      await auth.changePassword(user, form.current ?? '', next);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'validation_failed') {
        return c.html(profileView(c, { values, passwordFields: error.fields, passwordError: error.message }).value, 422);
      }
      throw error;
    }
    // Changing the password signs out every session, this one too; a person expects to
    // stay signed in where they made the change, so this browser gets a fresh session.
    const { token } = await auth.startSession(user.id);
    setCookie(c, SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'Lax', secure: secureCookies(c), maxAge: Math.floor(SESSION_TTL_MS / 1000) });
    return redirectWithNotice(c, '/admin/profile', 'password-changed');
  });

  return app;
}
