import type { Context, ErrorHandler, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { etag } from 'hono/etag';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { scopesForRole } from '../../core/api-scopes.ts';
import { DomainError } from '../../core/errors.ts';
import type { User } from '../../core/store.ts';
import { sha256Hex } from '../../core/tokens.ts';
import type { AppEnv } from '../context.ts';
import { handleError } from '../errors.ts';
import { problem } from '../problem.ts';

/**
 * What every part of the JSON API (api.ts, api-people.ts, …) reads a request with: the
 * token and its scopes, the write limit, the body limit, JSON bodies and their validation
 * against the zod schemas of the OpenAPI document; and what every response goes through:
 * problem+json errors, ETags, caching headers.
 */

export type ApiContext = Context<AppEnv>;

const WRITES_PER_MINUTE = 120;
/** Markdown may be 500,000 characters of up to 4 bytes each, plus the other fields. */
const MAX_BODY_BYTES = 2.5 * 1024 * 1024;
const PUBLIC_CACHE = 'public, max-age=60';
const REALM = 'Bearer realm="Kumbaya"';

/** Refusals with codes of the API's own that the core does not know (e.g. invalid_token), with any headers they need. */
export class ApiRequestError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(status: ContentfulStatusCode, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** The scopes the request's token may use (its own, within its user's role), by request (its context: bodyLimit replaces the Request). */
const tokenScopes = new WeakMap<ApiContext, readonly ApiScope[]>();

export function bearerSecret(c: ApiContext): string | undefined {
  return /^Bearer +(\S+) *$/i.exec(c.req.header('authorization') ?? '')?.[1];
}

export function requireToken(c: ApiContext): User {
  const user = c.get('user');
  if (!user) throw new DomainError('unauthenticated', 'This needs a personal access token: send "Authorization: Bearer kby_…".');
  return user;
}

/**
 * Under /api the acting user (`user`) is the one behind `Authorization: Bearer kby_…`,
 * never a cookie session, so CSRF cannot apply. A header that does not resolve is refused:
 * 401 unauthenticated for an unknown (revoked, mistyped) token, 401 invalid_token for an
 * expired one, saying when it expired.
 */
export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set('user', null);
  if (c.req.header('authorization') !== undefined) {
    const secret = bearerSecret(c);
    if (!secret) throw new DomainError('unauthenticated', 'Send the token as "Authorization: Bearer kby_…".');
    const resolved = await c.get('deps').auth.authenticateApiToken(secret);
    if (resolved.status === 'expired') {
      const when = new Date(resolved.expiredAt).toISOString();
      throw new ApiRequestError(401, 'invalid_token', `The token expired at ${when}. Create a new one in Admin → Tokens.`, {
        'WWW-Authenticate': `${REALM}, error="invalid_token", error_description="The token expired at ${when}"`,
      });
    }
    if (resolved.status !== 'ok') throw new DomainError('unauthenticated', 'The token is not valid: it may have been revoked or mistyped.', {}, { invalidToken: true });
    c.set('user', resolved.user);
    tokenScopes.set(c, resolved.scopes);
  }
  await next();
};

/** Every error under /api is a problem (problem.ts), never cached. */
export const apiErrors: ErrorHandler<AppEnv> = (error, c) => {
  c.header('Cache-Control', 'no-store');
  if (error instanceof ApiRequestError) {
    for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
    return problem(c, error.status, error.code, error.message);
  }
  if (error instanceof DomainError && error.code === 'unauthenticated') {
    c.header('WWW-Authenticate', error.context.invalidToken ? `${REALM}, error="invalid_token"` : REALM);
  }
  return handleError(error, c);
};

/**
 * Caching headers: token holders see private data, so their answers are never stored
 * (no-store); anonymous reads may be kept a minute. Answers vary by Authorization.
 */
export const cacheHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.res.headers.append('Vary', 'Authorization');
  // A route that says no-store (a fresh form token) keeps it.
  const cacheable =
    c.req.method === 'GET' &&
    (c.res.status === 200 || c.res.status === 304) &&
    c.get('user') === null &&
    c.res.headers.get('Cache-Control') !== 'no-store' &&
    !isStream(c.res);
  c.res.headers.set('Cache-Control', cacheable ? PUBLIC_CACHE : 'no-store');
};

/** A weak ETag over the body of every successful GET; `If-None-Match` with it answers 304 without a body. */
const weakETag = etag({ weak: true });
const isStream = (res: Response) => (res.headers.get('content-type') ?? '').startsWith('text/event-stream');
/** (Never over an event stream: hashing its body would wait for a stream that does not end.) */
export const conditionalGets: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method !== 'GET') return next();
  await weakETag(c, async () => {
    await next();
    if (isStream(c.res)) c.res.headers.set('ETag', 'none'); // marks it as already tagged, so etag() leaves the body alone
  });
  if (isStream(c.res) && c.res.headers.get('ETag') === 'none') c.res.headers.delete('ETag');
};

/** Counts writes per token; past the limit the client is told when to retry. */
export const limitWrites: MiddlewareHandler<AppEnv> = async (c, next) => {
  requireToken(c);
  const { store, clock } = c.get('deps');
  const result = await store.rateLimits.hit(`api:write:${sha256Hex(bearerSecret(c)!)}`, 60_000, WRITES_PER_MINUTE, clock.now());
  if (!result.allowed) {
    const retryAfterSeconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
    throw new DomainError('rate_limited', `Too many writes with this token (at most ${WRITES_PER_MINUTE} a minute). Retry in ${retryAfterSeconds} seconds.`, {}, { retryAfterSeconds });
  }
  await next();
};

export const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new DomainError('payload_too_large', `The body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MB.`);
  },
});

/** Turns zod issues into the API's field map; unknown fields are named too. */
function validationFailed(error: z.ZodError, what: string): DomainError {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) fields[key] ??= 'Unknown field.';
    } else {
      fields[issue.path.length > 0 ? String(issue.path[0]) : 'body'] ??= issue.path.length > 0 ? issue.message : `Send ${what}.`;
    }
  }
  const [name, problem] = Object.entries(fields)[0] ?? ['body', 'Not valid.'];
  return new DomainError('validation_failed', name === 'body' ? problem : `${name}: ${problem}`, fields);
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationFailed(parsed.error, what);
  return parsed.data;
}

const jsonType = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

/** The request body as JSON; `undefined` for an empty body when the body is optional. */
export async function readJson(c: ApiContext, options: { optional: boolean }): Promise<unknown> {
  const type = c.req.header('content-type');
  if (options.optional && !type) {
    const text = await c.req.text();
    if (text.trim() === '') return undefined;
  }
  if (!type || !jsonType.test(type)) {
    throw new DomainError('unsupported_media_type', 'Send the body as JSON with "Content-Type: application/json".');
  }
  const text = await c.req.text();
  if (options.optional && text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    const detail = text.trim() === '' ? 'the body is empty' : (error as Error).message;
    throw new DomainError('invalid_json', `The body is not valid JSON: ${detail}.`);
  }
}

export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The scopes a personal access token can carry. */
export type ApiScope = 'read' | 'write' | 'moderate' | 'admin';

/** The token's user, once the token is known to carry `scope`. */
export function requireScope(c: ApiContext, scope: ApiScope): User {
  // A scope beyond the user's role (admin, for anyone but the owner) is refused as forbidden;
  // a scope the role allows but the token was not given, as insufficient_scope with the
  // scope named in WWW-Authenticate (RFC 6750). The role checks of each action still apply.
  const user = requireToken(c);
  const scopes = tokenScopes.get(c) ?? [];
  if (scopes.includes(scope)) return user;
  if (!scopesForRole(user.role).includes(scope)) {
    throw new DomainError('forbidden', `This needs the “${scope}” scope, which only the owner’s tokens can carry.`);
  }
  const has = scopes.length > 0 ? `it has ${scopes.join(', ')}` : 'it has none';
  throw new ApiRequestError(403, 'insufficient_scope', `This needs a token with the “${scope}” scope; ${has}. Create a token with it in Admin → Tokens.`, {
    'WWW-Authenticate': `${REALM}, error="insufficient_scope", scope="${scope}"`,
  });
}
