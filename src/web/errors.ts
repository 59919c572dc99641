import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DomainError, type ErrorCode } from '../core/errors.ts';
import { storageUnavailable } from '../adapters/storage/storage-errors.ts';
import type { AppEnv } from './context.ts';
import { isApiPath, problem } from './problem.ts';
import { errorPage } from './views/error-page.ts';

/** The one place a domain error code becomes an HTTP status. */
export const statusFor: Record<ErrorCode, ContentfulStatusCode> = {
  not_found: 404,
  validation_failed: 422,
  invalid_json: 400,
  slug_taken: 409,
  unauthenticated: 401,
  forbidden: 403,
  csrf_failed: 403,
  rate_limited: 429,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  setup_done: 410,
  comments_closed: 403,
  storage_unavailable: 503,
  live_streams_full: 503,
};

/** The request's body parsed as JSON; one that does not parse is refused (400, `invalid_json`) with `message`. */
export async function readJsonBody(c: Context<AppEnv>, message = 'The request body is not valid JSON.'): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new DomainError('invalid_json', message);
  }
}

export function wantsJson(c: Context<AppEnv>): boolean {
  return c.req.path.startsWith('/api/') || (c.req.header('accept') ?? '').startsWith('application/json');
}

/**
 * A JSON error: under /api an RFC 9457 problem (problem.ts); elsewhere (forms answered by
 * script) `{ error: { code, message, fields? } }`.
 */
export function jsonError(c: Context<AppEnv>, status: ContentfulStatusCode, code: string, message: string, fields?: Record<string, string>) {
  if (isApiPath(c.req.path)) return problem(c, status, code, message, fields);
  return c.json({ error: { code, message, ...(fields && Object.keys(fields).length ? { fields } : {}) } }, status);
}

export async function handleError(caught: unknown, c: Context<AppEnv>): Promise<Response> {
  // A full or read-only disk is not a bug: 503 with Retry-After, and it passes by itself.
  const unavailable = storageUnavailable(caught);
  if (unavailable) c.get('deps')?.logger.error({ err: caught, path: c.req.path, requestId: c.get('requestId') }, 'the database cannot write');
  const error = unavailable ?? caught;
  if (error instanceof DomainError) {
    const status = statusFor[error.code];
    const retry = error.context.retryAfterSeconds;
    if (typeof retry === 'number') c.header('Retry-After', String(retry));
    if (wantsJson(c)) return jsonError(c, status, error.code, error.message, error.fields);
    return c.html((await errorPage(c, status, error.message)).value, status);
  }
  const e = error as { status?: number; message?: string };
  if (e?.status === 413) {
    if (wantsJson(c)) return jsonError(c, 413, 'payload_too_large', 'The request body is too large.');
    return c.html((await errorPage(c, 413, 'That upload is too large.')).value, 413);
  }
  c.get('deps')?.logger.error({ err: error, path: c.req.path, requestId: c.get('requestId') }, 'request failed');
  if (wantsJson(c)) return jsonError(c, 500, 'internal', 'Something went wrong on our side. It has been logged.');
  return c.html((await errorPage(c, 500, 'Something went wrong on our side. It has been logged; please try again in a moment.')).value, 500);
}
