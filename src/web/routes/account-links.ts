import { Hono, type Context } from 'hono';
import { linkRefused } from '../../core/account-links.ts';
import { DomainError } from '../../core/errors.ts';
import type { AppEnv } from '../context.ts';
import { clientIp } from '../client-ip.ts';
import type { SafeHtml } from '../html.ts';
import { csrfTokenFor } from '../middleware.ts';
import { startSessionCookie } from './auth.ts';
import { acceptInvitePage, forgotPasswordPage, linkRefusedPage, resetPasswordPage } from '../views/account-pages.ts';

const tokenPattern = '{[A-Za-z0-9_-]{20,100}}';

/**
 * Pages that carry a secret in their address (or answer about an account): private, not
 * kept, not indexed, and their address is sent to no other site.
 */
function privatePage(c: Context<AppEnv>, page: SafeHtml, status: 200 | 404 | 409 | 410 | 422 | 429 = 200) {
  return c.html(page.value, status, { 'Cache-Control': 'no-store', 'X-Robots-Tag': 'noindex', 'Referrer-Policy': 'no-referrer' });
}

function refused(c: Context<AppEnv>, reason: 'unknown' | 'used' | 'expired', message: string, kind: 'reset' | 'invite') {
  return privatePage(c, linkRefusedPage(c, reason, message, kind), reason === 'unknown' ? 404 : 410);
}

/** A refused link thrown by the service, as its page; other errors pass on. */
function refusedFrom(c: Context<AppEnv>, error: unknown, kind: 'reset' | 'invite') {
  const reason = error instanceof DomainError ? error.context.linkReason : undefined;
  if (reason === 'unknown' || reason === 'used' || reason === 'expired') return refused(c, reason, (error as DomainError).message, kind);
  return null;
}

/** "Forgot password?", the reset link's page, and the invitation's page. */
export function accountLinkRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/forgot-password', (c) => privatePage(c, forgotPasswordPage(c, csrfTokenFor(c), { sent: c.req.query('sent') === '1' })));

  app.post('/forgot-password', async (c) => {
    const body = await c.req.parseBody();
    const email = String(body.email ?? '');
    try {
      await c.get('deps').accounts.requestReset(email, clientIp(c));
    } catch (error) {
      if (error instanceof DomainError && (error.code === 'validation_failed' || error.code === 'rate_limited')) {
        const retry = error.context.retryAfterSeconds;
        if (typeof retry === 'number') c.header('Retry-After', String(retry));
        return privatePage(c, forgotPasswordPage(c, csrfTokenFor(c), { values: { email }, fields: error.fields, error: error.message }), error.code === 'rate_limited' ? 429 : 422);
      }
      throw error;
    }
    c.get('deps').mail.wake();
    return c.redirect('/forgot-password?sent=1', 303);
  });

  app.get(`/reset-password/:token${tokenPattern}`, async (c) => {
    const token = c.req.param('token');
    const check = await c.get('deps').accounts.checkReset(token);
    if (!check.ok) return refused(c, check.reason, linkRefused(check.reason, 'reset').message, 'reset');
    return privatePage(c, resetPasswordPage(c, csrfTokenFor(c), token, check.user.email));
  });

  app.post(`/reset-password/:token${tokenPattern}`, async (c) => {
    const token = c.req.param('token');
    const body = await c.req.parseBody();
    const { accounts, logger } = c.get('deps');
    try {
      const user = await accounts.completeReset(token, String(body.password ?? ''));
      logger.info({ userId: user.id }, 'password reset from an email link; other sessions ended');
      return c.redirect('/login?reset=1', 303);
    } catch (error) {
      const page = refusedFrom(c, error, 'reset');
      if (page) return page;
      if (error instanceof DomainError && error.code === 'validation_failed') {
        const check = await accounts.checkReset(token);
        if (!check.ok) return refused(c, check.reason, linkRefused(check.reason, 'reset').message, 'reset');
        return privatePage(c, resetPasswordPage(c, csrfTokenFor(c), token, check.user.email, { fields: error.fields, error: error.message }), 422);
      }
      throw error;
    }
  });

  app.get(`/invite/:token${tokenPattern}`, async (c) => {
    const token = c.req.param('token');
    const check = await c.get('deps').accounts.checkInvite(token);
    if (!check.ok) return refused(c, check.reason, linkRefused(check.reason, 'invite').message, 'invite');
    return privatePage(c, acceptInvitePage(c, csrfTokenFor(c), token, check.token));
  });

  app.post(`/invite/:token${tokenPattern}`, async (c) => {
    const token = c.req.param('token');
    const body = await c.req.parseBody();
    const values = { name: String(body.name ?? '') };
    const { accounts, auth, logger, changes } = c.get('deps');
    try {
      const user = await accounts.acceptInvite(token, { name: values.name, password: String(body.password ?? '') });
      logger.info({ userId: user.id, role: user.role }, 'invitation accepted');
      changes.publish('users-changed');
      const { token: sessionToken } = await auth.startSession(user.id);
      startSessionCookie(c, sessionToken);
      return c.redirect('/admin?notice=joined', 303);
    } catch (error) {
      const page = refusedFrom(c, error, 'invite');
      if (page) return page;
      if (error instanceof DomainError && (error.code === 'validation_failed' || error.code === 'conflict')) {
        const check = await accounts.checkInvite(token);
        if (!check.ok) return refused(c, check.reason, linkRefused(check.reason, 'invite').message, 'invite');
        return privatePage(c, acceptInvitePage(c, csrfTokenFor(c), token, check.token, { values, fields: error.fields, error: error.message }), error.code === 'conflict' ? 409 : 422);
      }
      throw error;
    }
  });

  return app;
}
