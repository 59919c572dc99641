import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { UPLOAD_ICON } from '../core/site-settings.ts';
import { siteCss } from './views/site-css.ts';
import { bodyLimit } from 'hono/body-limit';
import { DomainError } from '../core/errors.ts';
import { randomUUID } from 'node:crypto';
import type { AppEnv, WebDeps } from './context.ts';
import { handleError, jsonError, wantsJson } from './errors.ts';
import { loadSession, securityHeadersFor, verifyCsrf } from './middleware.ts';
import { compressResponses } from './compression.ts';
import { authRoutes } from './routes/auth.ts';
import { accountLinkRoutes } from './routes/account-links.ts';
import { commentRoutes } from './routes/comments.ts';
import { embedRoutes } from './routes/embed.ts';
import { feedRoutes } from './routes/feeds.ts';
import { seoRoutes } from './routes/seo.ts';
import { mailLinkRoutes } from './routes/mail-links.ts';
import { publicRoutes } from './routes/public.ts';
import { webmentionRoutes } from './routes/webmention.ts';
import { legacyRedirect } from './legacy-redirect.ts';
import { federationMiddleware } from './federation-middleware.ts';
import { errorPage } from './views/error-page.ts';
import { STORAGE_RETRY_SECONDS, storageUnavailable } from '../adapters/storage/storage-errors.ts';
import { timeZone, utc } from '../core/time-zone.ts';
import { inTimeZone } from './views/format.ts';

const YEAR = 'public, max-age=31536000, immutable';
const KB = 1024;

/**
 * The largest body each kind of address accepts, sized to its largest valid request, so that
 * nobody can make the server read and parse megabytes it has no use for. Signed-in areas
 * (the admin, the token API) take long posts; uploads and imports have their own limits.
 */
export const bodyLimits = {
  /** Signed-in work: a post of up to 500,000 characters. */
  staff: 3 * KB * KB,
  /** A comment of 10,000 characters sent by a form without JavaScript: up to 9 bytes a character percent-encoded (CJK), ~96 KB with the other fields. */
  comment: 128 * KB,
  /** A pingback: two URLs in an XML-RPC call. */
  pingback: 32 * KB,
  /** An ActivityPub activity POSTed to an inbox (Mastodon caps its own at 1 MB of JSON, but real ones are a few KB). */
  activity: 256 * KB,
  /** Every other public form (webmention's source and target, sign-in, setup, mail links). */
  form: 16 * KB,
};

export function bodyLimitFor(path: string): number {
  if (path === '/api' || path.startsWith('/api/') || path === '/admin' || path.startsWith('/admin/')) return bodyLimits.staff;
  if (path === '/comments' || path.startsWith('/comments/')) return bodyLimits.comment;
  if (path === '/xmlrpc.php') return bodyLimits.pingback;
  if (/^\/(?:@[^/]+\/inbox|ap\/inbox)$/.test(path)) return bodyLimits.activity;
  return bodyLimits.form;
}

/** "16 KB", "3 MB". */
function sizeWords(bytes: number): string {
  return bytes >= KB * KB ? `${Math.round((bytes / KB / KB) * 10) / 10} MB` : `${Math.round(bytes / KB)} KB`;
}

/**
 * The areas only staff use, each loaded with the first request for one of its addresses:
 * the JSON API (its zod schemas and OpenAPI document: ~10 MB of RSS), and the admin with
 * the sign-in that resumes editor text (the revisions' diff, the editor's sanitiser:
 * ~5 MB). An admin used in the browser never loads the API, nor an API client the admin.
 */
export interface StaffAreas {
  api?: { apiRoutes: () => Hono<AppEnv> };
  admin?: {
    adminRoutes: () => Hono<AppEnv>;
    importStatus: (c: Context<AppEnv>, deps: WebDeps) => Response | Promise<Response>;
    keepEditorText: MiddlewareHandler<AppEnv>;
    resumeRoutes: () => Hono<AppEnv>;
  };
}

type StaffArea = keyof StaffAreas;

export async function loadStaffAreas(areas: StaffArea[] = ['api', 'admin']): Promise<StaffAreas> {
  const [api, admin] = await Promise.all([
    areas.includes('api') ? import('./routes/api.ts').then(({ apiRoutes }) => ({ apiRoutes })) : undefined,
    areas.includes('admin')
      ? Promise.all([import('./routes/admin/index.ts'), import('./routes/admin/import.ts'), import('./routes/admin/keep-text.ts')]).then(
          ([{ adminRoutes }, { importStatus }, { keepEditorText, resumeRoutes }]) => ({ adminRoutes, importStatus, keepEditorText, resumeRoutes }),
        )
      : undefined,
  ]);
  return { api, admin };
}

/** Which staff area answers an address (paths as Hono matches them, `c.req.path`), if any. */
export function staffAreaOf(path: string): StaffArea | null {
  if (path === '/api' || path.startsWith('/api/')) return 'api';
  if (path === '/admin' || path.startsWith('/admin/') || path === '/login/resume') return 'admin';
  return null;
}

/**
 * The whole HTTP application. One sub-app per area, mounted here; every request passes
 * the same middleware: request id and log line, security headers, session, CSRF.
 *
 * Without `staff`, the app answers every address but the staff areas' itself, and hands
 * those (`staffAreaOf`) whole to an app with that area, built with `loadStaffAreas()` on
 * the area's first request: the same middleware and routes in the same order as a
 * complete app, so the answer is the one it would give.
 */
export function createApp(deps: WebDeps, staff?: StaffAreas): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  if (!staff) {
    const withArea = new Map<StaffArea, Promise<Hono<AppEnv>>>();
    app.use('*', async (c, next) => {
      const area = staffAreaOf(c.req.path);
      if (area === null) return next();
      let built = withArea.get(area);
      if (!built) {
        built = loadStaffAreas([area]).then(
          (areas) => createApp(deps, areas),
          (error: unknown) => {
            withArea.delete(area);
            throw error;
          },
        );
        withArea.set(area, built);
      }
      return (await built).fetch(c.req.raw, c.env);
    });
  }
  const { api, admin } = staff ?? {};
  const { logger } = deps;
  const logRequests = logger.isLevelEnabled('info');
  const headers = Object.entries(securityHeadersFor(deps.config.siteUrl));

  app.use('*', async (c, next) => {
    const started = performance.now();
    c.set('deps', deps);
    c.set('requestId', c.req.header('x-request-id')?.slice(0, 64) || randomUUID());
    await next();
    for (const [name, value] of headers) c.res.headers.set(name, value);
    // Pages rendered for a signed-in user are theirs alone.
    if (c.get('user')) c.res.headers.set('Cache-Control', 'private, no-store');
    // What is missing or deleted now may be back in a minute (a restored post): a browser
    // must ask again rather than keep showing "Gone".
    else if ((c.res.status === 404 || c.res.status === 410) && !(c.res.headers.get('Cache-Control') ?? '').includes('no-store')) c.res.headers.set('Cache-Control', 'no-cache');
    if (logRequests) {
      logger.info(
        { requestId: c.get('requestId'), method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round((performance.now() - started) * 10) / 10 },
        'request',
      );
    }
  });

  // Text answers are compressed by Accept-Encoding (page-cache hits are answered compressed by server.ts).
  app.use('*', compressResponses);

  // Static files first: no session, no settings needed.
  app.get('/assets/custom.css', async (c) => {
    const site = await deps.site();
    return c.body(siteCss(site), 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=31536000, immutable' });
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
  // An upload's smaller copies (WebP, for srcset): made once by the job queue, never changed.
  app.get('/uploads/:file{[0-9a-f]{64}-[0-9]{1,5}\\.webp}', async (c) => {
    const [hash, width] = c.req.param('file').slice(0, -'.webp'.length).split('-');
    const variant = await deps.store.uploads.findVariant(hash, Number(width));
    if (!variant) return c.text('Not found', 404);
    return c.body(new Uint8Array(variant.data), 200, {
      'Content-Type': variant.mime,
      'Cache-Control': YEAR,
      ETag: `"${hash}-${variant.width}"`,
      'Content-Disposition': 'inline',
    });
  });
  // Pages name their icon (<link rel="icon">); this answers browsers and tools that ask the
  // old address anyway with the icon itself, not a redirect to follow on every visit.
  app.get('/favicon.ico', async (c) => {
    // The icon set in Settings when it is an upload; Kumbaya's otherwise (an https icon is
    // named by every page's <link rel="icon">, so browsers do not ask here for it).
    const upload = UPLOAD_ICON.exec((await deps.site()).favicon);
    const image = upload ? await deps.store.uploads.find(upload[1]) : null;
    if (image) return c.body(new Uint8Array(image.data), 200, { 'Content-Type': image.mime, 'Cache-Control': 'public, max-age=86400', ETag: `"${image.hash}"` });
    const icon = deps.assets.find('favicon.svg')!;
    return c.body(new Uint8Array(icon.body), 200, { 'Content-Type': icon.contentType, 'Cache-Control': 'public, max-age=86400', ETag: `"${icon.hash}"` });
  });

  app.get('/healthz', async (c) => {
    const live = liveUpdates(deps);
    try {
      // A read is not enough: a full or read-only disk still answers reads.
      await deps.store.checkWrites();
      // Not hearing other instances is reported, not failed: pages stay current through the
      // change log (or caches are emptied), and when PostgreSQL refuses listeners it refuses
      // every instance's, so a 503 here would take the whole site out of a load balancer.
      return c.json({ status: live.state === 'up' ? 'ok' : 'degraded', database: deps.store.kind, live_updates: live }, 200, { 'Cache-Control': 'no-store' });
    } catch (error) {
      const unavailable = storageUnavailable(error);
      logger.error({ err: error }, unavailable ? 'health check: the database cannot write' : 'health check: database unreachable');
      const body = unavailable
        ? { status: 'error', database: deps.store.kind, problem: unavailable.context.problem, message: `The database cannot write: ${unavailable.context.reason}.`, live_updates: live }
        : { status: 'error', database: deps.store.kind, message: 'The database does not answer.', live_updates: live };
      return c.json(body, 503, { 'Cache-Control': 'no-store', 'Retry-After': String(STORAGE_RETRY_SECONDS) });
    }
  });

  if (admin) app.get('/admin/import/:id/status', (c) => admin.importStatus(c, deps));

  app.use('*', async (c, next) => {
    const site = await deps.site();
    c.set('site', site);
    // Dates on every page in the site's zone (views/format.ts).
    await inTimeZone(timeZone(site.timeZone) ?? utc, next);
  });
  // Bound request bodies before anything reads them (the CSRF check parses forms).
  const tooLarge = (c: Context<AppEnv>, limit: number): never => {
    // The rest of the body is not read: the connection closes after the answer.
    c.header('Connection', 'close');
    throw new DomainError('payload_too_large', `The request is larger than the ${sizeWords(limit)} this address accepts.`);
  };
  // A declared length is checked from the header alone: touching the body stream here would
  // make the Node adapter build a full web Request for every request, GETs included.
  const limit = (maxSize: number): MiddlewareHandler<AppEnv> => {
    const streamed = bodyLimit({ maxSize, onError: (c) => tooLarge(c, maxSize) });
    return (c, next) => {
      if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
      const length = c.req.header('content-length');
      if (length !== undefined && c.req.header('transfer-encoding') === undefined) return Number(length) > maxSize ? tooLarge(c, maxSize) : next();
      return streamed(c, next);
    };
  };
  const uploadLimit = deps.config.uploadMaxBytes + 64 * 1024;
  app.use('/admin/uploads', limit(uploadLimit));
  app.use('/api/uploads', limit(uploadLimit));
  const importLimit = deps.config.importMaxBytes + 64 * 1024;
  app.use('/admin/import', limit(importLimit));
  app.use('/api/imports', limit(importLimit));
  const limits = new Map(Object.values(bodyLimits).map((size) => [size, limit(size)]));
  app.use('*', (c, next) => (c.req.path === '/admin/uploads' || c.req.path === '/api/uploads' || c.req.path === '/admin/import' || c.req.path === '/api/imports' ? next() : limits.get(bodyLimitFor(c.req.path))!(c, next)));
  // Servers hold no session and sign instead of sending a CSRF token: federation first.
  app.use('*', federationMiddleware);
  app.use('*', loadSession);
  // Before the CSRF check: an editor form that outlived its session keeps its text.
  if (admin) {
    app.use('/admin/posts/*', admin.keepEditorText);
    app.use('/admin/posts', admin.keepEditorText);
    app.use('/login/resume', admin.keepEditorText);
  }
  app.use('*', verifyCsrf);

  if (api) app.route('/api', api.apiRoutes());
  if (admin) app.route('/admin', admin.adminRoutes());
  app.route('/', authRoutes());
  app.route('/', accountLinkRoutes());
  if (admin) app.route('/', admin.resumeRoutes());
  app.route('/', commentRoutes());
  app.route('/', embedRoutes());
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

/** /healthz's `live_updates`: whether this instance hears other instances' changes, and its live streams. */
function liveUpdates(deps: WebDeps) {
  const status = deps.changes.status();
  const streams = { open: deps.liveStreams.open, max: deps.liveStreams.max };
  if (status.state === 'up') return { state: 'up' as const, streams };
  const since = new Date(status.since).toISOString();
  return {
    state: 'down' as const,
    since,
    reason: status.reason,
    attempts: status.attempts,
    catching_up: status.catchingUp,
    message: status.catchingUp
      ? `Not listening for other instances' changes since ${since} (${status.reason}); trying again, and reading the change log every second meanwhile, so pages stay current.`
      : `Not listening for other instances' changes since ${since} (${status.reason}), and the change log cannot be read: caches are emptied until it can.`,
    streams,
  };
}
