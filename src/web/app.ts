import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { DomainError } from '../core/errors.ts';
import { randomUUID } from 'node:crypto';
import type { AppEnv, WebDeps } from './context.ts';
import { handleError, jsonError, wantsJson } from './errors.ts';
import { loadSession, securityHeaders, verifyCsrf } from './middleware.ts';
import { adminRoutes } from './routes/admin/index.ts';
import { apiRoutes } from './routes/api.ts';
import { authRoutes } from './routes/auth.ts';
import { commentRoutes } from './routes/comments.ts';
import { feedRoutes } from './routes/feeds.ts';
import { seoRoutes } from './routes/seo.ts';
import { mailLinkRoutes } from './routes/mail-links.ts';
import { publicRoutes } from './routes/public.ts';
import { webmentionRoutes } from './routes/webmention.ts';
import { legacyRedirect } from './legacy-redirect.ts';
import { importStatus } from './routes/admin/import.ts';
import { keepEditorText, resumeRoutes } from './routes/admin/keep-text.ts';
import { errorPage } from './views/error-page.ts';

const YEAR = 'public, max-age=31536000, immutable';

/**
 * The whole HTTP application. One sub-app per area, mounted here; every request passes
 * the same middleware: request id and log line, security headers, session, CSRF.
 */
export function createApp(deps: WebDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { logger } = deps;
  const logRequests = logger.isLevelEnabled('info');

  app.use('*', async (c, next) => {
    const started = performance.now();
    c.set('deps', deps);
    c.set('requestId', c.req.header('x-request-id')?.slice(0, 64) || randomUUID());
    await next();
    for (const [name, value] of Object.entries(securityHeaders)) c.res.headers.set(name, value);
    // Pages rendered for a signed-in user are theirs alone.
    if (c.get('user')) c.res.headers.set('Cache-Control', 'private, no-store');
    if (logRequests) {
      logger.info(
        { requestId: c.get('requestId'), method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round((performance.now() - started) * 10) / 10 },
        'request',
      );
    }
  });

  // Static files first: no session, no settings needed.
  app.get('/assets/custom.css', async (c) => {
    const site = await deps.site();
    return c.body(site.customCss, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=31536000, immutable' });
  });
  app.get('/assets/:file', (c) => {
    const asset = deps.assets.find(c.req.param('file'));
    if (!asset) return c.text('Not found', 404);
    return c.body(new Uint8Array(asset.body), 200, { 'Content-Type': asset.contentType, 'Cache-Control': YEAR });
  });
  app.get('/uploads/:file{[0-9a-f]{64}\\.[a-z]+}', async (c) => {
    const hash = c.req.param('file').split('.')[0];
    const upload = await deps.store.uploads.find(hash);
    if (!upload) return c.text('Not found', 404);
    return c.body(new Uint8Array(upload.data), 200, {
      'Content-Type': upload.mime,
      'Cache-Control': YEAR,
      ETag: `"${upload.hash}"`,
      'Content-Disposition': 'inline',
    });
  });
  app.get('/favicon.ico', (c) => c.redirect(deps.assets.url('favicon.svg'), 301));

  app.get('/healthz', async (c) => {
    try {
      await deps.store.ping();
      return c.json({ status: 'ok', database: deps.store.kind }, 200, { 'Cache-Control': 'no-store' });
    } catch (error) {
      logger.error({ err: error }, 'health check: database unreachable');
      return c.json({ status: 'error', database: deps.store.kind, message: 'The database does not answer.' }, 503, { 'Cache-Control': 'no-store' });
    }
  });

  app.get('/admin/import/:id/status', (c) => importStatus(c, deps));

  app.use('*', async (c, next) => {
    c.set('site', await deps.site());
    await next();
  });
  // Bound request bodies before anything reads them (the CSRF check parses forms).
  const tooLarge = (limit: number) => () => {
    throw new DomainError('payload_too_large', `The request is larger than ${Math.round(limit / 1024 / 1024)} MB.`);
  };
  // A declared length is checked from the header alone: touching the body stream here would
  // make the Node adapter build a full web Request for every request, GETs included.
  const limit = (maxSize: number): MiddlewareHandler<AppEnv> => {
    const streamed = bodyLimit({ maxSize, onError: tooLarge(maxSize) });
    return (c, next) => {
      if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
      const length = c.req.header('content-length');
      if (length !== undefined && c.req.header('transfer-encoding') === undefined) return Number(length) > maxSize ? tooLarge(maxSize)() : next();
      return streamed(c, next);
    };
  };
  const uploadLimit = deps.config.uploadMaxBytes + 64 * 1024;
  app.use('/admin/uploads', limit(uploadLimit));
  const importLimit = deps.config.importMaxBytes + 64 * 1024;
  app.use('/admin/import', limit(importLimit));
  const formLimit = limit(3 * 1024 * 1024);
  app.use('*', (c, next) => (c.req.path === '/admin/uploads' || c.req.path === '/admin/import' ? next() : formLimit(c, next)));
  app.use('*', loadSession);
  // Before the CSRF check: an editor form that outlived its session keeps its text.
  app.use('/admin/posts/*', keepEditorText);
  app.use('/admin/posts', keepEditorText);
  app.use('/login/resume', keepEditorText);
  app.use('*', verifyCsrf);

  app.route('/api', apiRoutes());
  app.route('/admin', adminRoutes());
  app.route('/', authRoutes());
  app.route('/', resumeRoutes());
  app.route('/', commentRoutes());
  app.route('/', mailLinkRoutes());
  app.route('/', feedRoutes());
  app.route('/', seoRoutes());
  app.route('/', webmentionRoutes());
  app.route('/', publicRoutes());

  app.notFound(async (c) => {
    if (wantsJson(c)) return jsonError(c, 404, 'not_found', `Nothing at ${c.req.method} ${c.req.path}.`);
    const moved = await legacyRedirect(c);
    if (moved) return moved;
    return c.html((await errorPage(c, 404, 'There is nothing at this address. It may have moved, or the link may be mistyped.')).value, 404);
  });
  app.onError(handleError);
  return app;
}
