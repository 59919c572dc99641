import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { SESSION_TTL_MS } from '../../core/auth-service.ts';
import { DomainError } from '../../core/errors.ts';
import type { AppEnv } from '../context.ts';
import { html } from '../html.ts';
import { clientIp } from '../client-ip.ts';
import { SESSION_COOKIE, csrfTokenFor, secureCookies } from '../middleware.ts';
import { csrfField, field, notice } from '../views/forms.ts';
import { layout } from '../views/layout.ts';

function safeNext(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/admin';
}

export function startSessionCookie(c: Context<AppEnv>, token: string) {
  setCookie(c, SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: secureCookies(c),
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  });
}

function loginPage(c: Context<AppEnv>, o: { email?: string; error?: string; next?: string; status?: string }) {
  return layout(c, {
    title: 'Sign in',
    head: html`<meta name="robots" content="noindex">`,
    body: html`<div class="narrow">
<h1>Sign in</h1>
${o.status ? notice('ok', o.status) : ''}
${o.error ? notice('error', o.error) : ''}
<form class="card" method="post" action="/login${o.next ? `?next=${encodeURIComponent(o.next)}` : ''}">
  ${csrfField(csrfTokenFor(c))}
  ${field({ name: 'email', label: 'Email', type: 'email', value: o.email, required: true, autocomplete: 'username' })}
  ${field({ name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'current-password' })}
  <button type="submit">Sign in</button>
</form>
</div>`,
  });
}

function setupPage(c: Context<AppEnv>, token: string, o: { values?: Record<string, string>; fields?: Record<string, string>; error?: string }) {
  const v = o.values ?? {};
  const f = o.fields ?? {};
  return layout(c, {
    title: 'Claim this site',
    head: html`<meta name="robots" content="noindex">`,
    body: html`<div class="narrow">
<h1>Welcome to Kumbaya</h1>
<p>Create the owner account. This link works once: after this, sign in with the email and password you choose here.</p>
${o.error ? notice('error', o.error) : ''}
<form class="card" method="post" action="/setup/${token}">
  ${csrfField(csrfTokenFor(c))}
  ${field({ name: 'name', label: 'Your name', value: v.name, error: f.name, required: true, autocomplete: 'name', hint: 'Shown on your posts and replies.' })}
  ${field({ name: 'email', label: 'Email', type: 'email', value: v.email, error: f.email, required: true, autocomplete: 'email' })}
  ${field({ name: 'password', label: 'Password', type: 'password', error: f.password, required: true, autocomplete: 'new-password', hint: 'At least 10 characters.' })}
  <button type="submit">Create owner account</button>
</form>
</div>`,
  });
}

/** Claiming the site with the setup link, signing in and out. */
export function authRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/setup/:token', async (c) => {
    const token = c.req.param('token');
    if (!(await c.get('deps').auth.isSetupTokenValid(token))) {
      throw new DomainError('setup_done', 'This setup link has already been used or is not valid. Sign in instead.');
    }
    c.header('Cache-Control', 'private, no-store');
    return c.html(setupPage(c, token, {}).value);
  });

  app.post('/setup/:token', async (c) => {
    const token = c.req.param('token');
    const body = await c.req.parseBody();
    const values = { name: String(body.name ?? ''), email: String(body.email ?? ''), password: String(body.password ?? '') };
    try {
      const owner = await c.get('deps').auth.claimSite(token, values);
      const { token: sessionToken } = await c.get('deps').auth.startSession(owner.id);
      startSessionCookie(c, sessionToken);
      c.get('deps').logger.info({ userId: owner.id }, 'site claimed by its owner');
      return c.redirect('/admin?welcome=1', 303);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'validation_failed') {
        return c.html(setupPage(c, token, { values, fields: error.fields, error: error.message }).value, 422);
      }
      throw error;
    }
  });

  app.get('/login', (c) => {
    if (c.get('user')) return c.redirect(safeNext(c.req.query('next')), 303);
    c.header('Cache-Control', 'private, no-store');
    return c.html(loginPage(c, { next: c.req.query('next'), status: c.req.query('out') ? 'You are signed out.' : undefined }).value);
  });

  app.post('/login', async (c) => {
    const body = await c.req.parseBody();
    const email = String(body.email ?? '');
    const password = String(body.password ?? '');
    const next = c.req.query('next');
    try {
      const { created } = await c.get('deps').auth.login(email, password, clientIp(c));
      startSessionCookie(c, created.token);
      return c.redirect(safeNext(next), 303);
    } catch (error) {
      if (error instanceof DomainError && (error.code === 'unauthenticated' || error.code === 'rate_limited')) {
        const retry = error.context.retryAfterSeconds;
        if (typeof retry === 'number') c.header('Retry-After', String(retry));
        return c.html(loginPage(c, { email, error: error.message, next }).value, error.code === 'rate_limited' ? 429 : 401);
      }
      throw error;
    }
  });

  app.post('/logout', async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (token) await c.get('deps').auth.logout(token);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/login?out=1', 303);
  });

  return app;
}
