import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import { DomainError } from '../core/errors.ts';
import { hmac, randomToken, safeEqual } from '../core/tokens.ts';
import type { AppEnv } from './context.ts';
import { bodyParts, compressedParts, encodingFor, notModified, type CachedPage } from './page-cache.ts';
import { weakEtag } from './compression.ts';
import { MIN_BYTES, varyWithEncoding } from './compression.ts';
import { OWN_COOKIE } from './routes/own-comments.ts';
import { wantsActivityJson } from './federation-middleware.ts';

export const SESSION_COOKIE = 'kb_session';
export const CSRF_COOKIE = 'kb_csrf';

/** Headers every response carries. The CSP allows no inline script or style at all. */
export const securityHeaders: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; font-src 'self'; connect-src 'self'; media-src 'self' https:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), interest-cohort=()',
};

/**
 * The headers for a site at `siteUrl`: served over https, it also tells browsers to use
 * https only, for a year, subdomains included (not preloaded: that is the operator's choice).
 */
export function securityHeadersFor(siteUrl: string): Record<string, string> {
  if (!siteUrl.startsWith('https://')) return securityHeaders;
  return { ...securityHeaders, 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' };
}

export function secureCookies(c: Context<AppEnv>): boolean {
  return c.get('deps').config.siteUrl.startsWith('https://');
}

/** Loads the signed-in user from the session cookie, if any. */
export const loadSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set('user', null);
  c.set('session', null);
  const token = getCookie(c, SESSION_COOKIE);
  if (token) {
    const found = await c.get('deps').auth.resolveSession(token);
    if (found) {
      c.set('user', found.user);
      c.set('session', found.session);
    } else {
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
    }
  }
  await next();
};

/**
 * The CSRF token for this visitor: the session's token when signed in; otherwise an
 * HMAC of a random cookie (double submit), so sign-in and setup forms are covered too.
 */
export function csrfTokenFor(c: Context<AppEnv>): string {
  const session = c.get('session');
  if (session) return session.csrfToken;
  let seed = getCookie(c, CSRF_COOKIE);
  if (!seed || seed.length > 64) {
    seed = randomToken(18);
    setCookie(c, CSRF_COOKIE, seed, { path: '/', httpOnly: true, sameSite: 'Lax', secure: secureCookies(c) });
  }
  return hmac(c.get('deps').secret, `csrf:${seed}`);
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const unsubscribePath = /^\/unsubscribe\/[A-Za-z0-9_-]{1,200}$/;
/** Buttons on the pages behind links in emails (confirm an address, moderate a comment). */
const mailLinkPath = /^\/(?:confirm-email\/[A-Za-z0-9_-]{1,200}|moderate\/[A-Za-z0-9_.-]{1,2100})$/;

/** Whether the request says it comes from a page of another site (its Origin header). */
export function fromOtherSite(c: Context<AppEnv>): boolean {
  const origin = c.req.header('origin');
  if (!origin || origin === 'null') return false;
  const expectedOrigin = new URL(c.get('deps').config.siteUrl).origin;
  const host = c.req.header('host');
  return origin !== expectedOrigin && !(host && (origin === `http://${host}` || origin === `https://${host}`));
}

/**
 * Rejects state-changing requests that do not carry the visitor's CSRF token (form field
 * `_csrf` or header `X-CSRF-Token`) or that come from another origin. The JSON API is
 * exempt: it authenticates only by `Authorization: Bearer` token, never by cookie, so a
 * forged cross-site request carries no credential it would accept.
 */
export const verifyCsrf: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!unsafeMethods.has(c.req.method)) return next();
  if (c.req.path === '/api' || c.req.path.startsWith('/api/')) return next();
  // RFC 8058 one-click unsubscribe: mail providers POST to the List-Unsubscribe address with
  // no cookie and no token, from no page of ours; the secret token in the path is the whole credential.
  if (c.req.method === 'POST' && unsubscribePath.test(c.req.path)) return next();
  // Webmention and pingback endpoints take posts from other sites by design; they change nothing of anyone's session.
  if (c.req.method === 'POST' && (c.req.path === '/webmention' || c.req.path === '/xmlrpc.php')) return next();
  const origin = c.req.header('origin');
  // "null" is what a sandboxed frame, a local file or a data: page sends: never this site.
  if (origin === 'null') throw new DomainError('csrf_failed', 'This form was sent from a page without an address (a sandboxed frame or a local file), so it was refused. Send it from the page on this site.');
  if (fromOtherSite(c)) throw new DomainError('csrf_failed', 'This form was sent from another site, so it was refused.');
  // The page behind a link in an email is opened signed out, often in another browser than
  // the one that will press its button: the secret in the link is the credential (nobody
  // else can forge the request), and the origin check above keeps other sites from sending it.
  if (c.req.method === 'POST' && mailLinkPath.test(c.req.path)) return next();
  const session = c.get('session');
  // A page of the admin that outlived its session (the editor's autosave, any form): say
  // that the session ended (401, code "unauthenticated"), not that the form expired, so the
  // editor keeps the text and offers to sign in. Without a session nothing here is allowed anyway.
  if (!session && (c.req.path === '/admin' || c.req.path.startsWith('/admin/'))) {
    throw new DomainError('unauthenticated', 'Your session has ended. Sign in again to save; your text is kept.');
  }
  // Readers comment from cached pages that carry no per-visitor token; they hold no session
  // a forged request could use, and the origin check above still applies.
  if (!session && (c.req.path === '/comments' || c.req.path.startsWith('/comments/'))) return next();
  const seed = getCookie(c, CSRF_COOKIE);
  const expected = session ? session.csrfToken : seed ? hmac(c.get('deps').secret, `csrf:${seed}`) : null;
  let sent = c.req.header('x-csrf-token');
  if (!sent) {
    const type = c.req.header('content-type') ?? '';
    if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
      const body = await c.req.parseBody();
      sent = typeof body._csrf === 'string' ? body._csrf : undefined;
    }
  }
  if (!expected || !sent || !safeEqual(sent, expected)) {
    throw new DomainError('csrf_failed', 'This form has expired or was not sent from this site. Go back, reload the page and try again.');
  }
  c.set('csrfToken', expected);
  return next();
};

/** Only signed-in users past this point; others go to the sign-in page (or get a 401 as JSON). */
export const requireUser: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!c.get('user')) {
    if (c.req.method === 'GET') return c.redirect(`/login?next=${encodeURIComponent(c.req.path + (new URL(c.req.url).search || ''))}`, 303);
    throw new DomainError('unauthenticated', 'Please sign in again; your session has ended.');
  }
  return next();
};

function compressedBody(page: CachedPage, encoding: 'br' | 'gzip', now: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.concat(compressedParts(page, encoding, now)));
}

/** Pages, feeds, sitemaps and robots.txt: what public routes render and the page cache keeps. */
const cacheableType = /^(text\/html|text\/plain|application\/(rss\+xml|atom\+xml|feed\+json|xml))\b/;

/**
 * Serves anonymous GETs from the page cache and stores fresh renders in it; readers who
 * miss while the same page is being rendered get that render's page (`PageCache.rendering`).
 * Signed-in users always get a fresh, private page. Answers 304 when the ETag matches.
 */
export const pageCache: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { pageCache: cache } = c.get('deps');
  const personal = c.get('user') !== null || (c.req.header('cookie') ?? '').includes(`${OWN_COOKIE}=`);
  if (c.req.method !== 'GET' || personal || wantsActivityJson(c.req.header('accept'))) {
    await next();
    if (personal) c.header('Cache-Control', 'private, no-store');
    return;
  }
  // PAGE_CACHE=false: every page is rendered and sent as it is, without reading its bytes
  // back for an ETag (uncached pages go out in chunks, the shared conversation uncopied).
  if (!cache.enabled) return next();
  const url = new URL(c.req.url);
  const key = url.pathname + url.search;
  const hit = cache.get(key);
  if (hit) return answerFromCache(c, key, hit);
  // Another reader's render of this page is under way: its page, once kept.
  const rendering = cache.rendering(key);
  const shared = rendering ? await rendering : undefined;
  if (shared) return answerFromCache(c, key, shared);
  const mark = cache.mark();
  const rendered = cache.beginRendering(key);
  try {
    await next();
    rendered(await keepRender(c, key, mark));
  } finally {
    rendered();
  }
};

/** A page from the cache, whole, compressed, or as 304 Not Modified. */
function answerFromCache(c: Context<AppEnv>, key: string, hit: CachedPage): Response {
  const { pageCache: cache, clock } = c.get('deps');
  const headers: Record<string, string> = { ...hit.headers, 'Content-Type': hit.contentType, ETag: hit.etag, 'Last-Modified': hit.lastModified, 'X-Cache': 'hit' };
  if (hit.body.length >= MIN_BYTES) headers.Vary = varyWithEncoding(headers.Vary);
  if (notModified(hit, c.req.header('if-none-match'), c.req.header('if-modified-since'))) return c.body(null, 304, headers);
  const encoding = encodingFor(hit, c.req.header('accept-encoding'));
  if (!encoding) return c.body(new Uint8Array(Buffer.concat(bodyParts(hit, clock.now()))), 200, headers);
  cache.compress(key, hit, encoding);
  return c.body(compressedBody(hit, encoding, clock.now()), 200, { ...headers, ETag: weakEtag(hit.etag), 'Content-Encoding': encoding });
}

/**
 * After a render: the page goes into the cache when it may (an anonymous reader's 200 of a
 * cacheable type, no cookie set, no `no-store`, no change since `mark`), and the answer
 * carries its validators. Returns the page if the cache kept it.
 */
async function keepRender(c: Context<AppEnv>, key: string, mark: number): Promise<CachedPage | undefined> {
  const { pageCache: cache, clock } = c.get('deps');
  const res = c.res;
  const type = res.headers.get('content-type') ?? '';
  // `private, no-store`: a page for one reader (a protected post they unlocked, or its password form).
  if (res.status !== 200 || !cacheableType.test(type) || res.headers.has('set-cookie') || /\bno-store\b/.test(res.headers.get('cache-control') ?? '')) return undefined;
  // The route's own string when it left one: reading the Response back would make the
  // adapter build a WHATWG Response (USVString check, TextEncoder, ReadableStream) per page.
  const rendered = c.get('pageBody');
  const body = rendered !== undefined ? rendered : Buffer.from(await res.arrayBuffer());
  // The same address answers servers asking for ActivityStreams with JSON-LD.
  const headers: Record<string, string> = { 'Cache-Control': 'public, no-cache', Vary: 'Accept' };
  const link = res.headers.get('link');
  if (link) headers.Link = link;
  const pingback = res.headers.get('x-pingback');
  if (pingback) headers['X-Pingback'] = pingback;
  const page = cache.put(key, body, type, headers, clock.now(), c.get('pageHole'), mark);
  const responseHeaders: Record<string, string> = {};
  for (const [name, value] of res.headers) if (name !== 'content-type' && name !== 'content-length' && name !== 'link' && name !== 'x-pingback') responseHeaders[name] = value;
  Object.assign(responseHeaders, headers, { 'Content-Type': type, ETag: page.etag, 'Last-Modified': page.lastModified, 'X-Cache': 'miss' });
  if (body.length >= MIN_BYTES) responseHeaders.Vary = varyWithEncoding(responseHeaders.Vary);
  // Clear first: assigning over an existing c.res makes Hono re-wrap the new body as a stream.
  c.res = undefined;
  if (notModified(page, c.req.header('if-none-match'), c.req.header('if-modified-since'))) {
    c.res = new Response(null, { status: 304, headers: responseHeaders });
  } else {
    const encoding = encodingFor(page, c.req.header('accept-encoding'));
    if (encoding) {
      // Compressed as the page cache keeps it, so the next readers get these very bytes.
      cache.compress(key, page, encoding);
      Object.assign(responseHeaders, { ETag: weakEtag(page.etag), 'Content-Encoding': encoding });
      c.res = new Response(compressedBody(page, encoding, clock.now()), { status: 200, headers: responseHeaders });
    } else c.res = new Response(body, { status: 200, headers: responseHeaders });
  }
  return cache.get(key) === page ? page : undefined;
}
