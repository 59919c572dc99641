import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from './context.ts';

/**
 * Errors of the JSON API as `application/problem+json` (RFC 9457): `type` is a stable URN
 * per `code` (urn:kumbaya:problem:CODE), `title` says what kind of problem it is, `detail`
 * what went wrong this time and how to fix it; `fields` maps field names to their problem
 * for validation errors. Clients branch on `code` (or `type`), never on the wording.
 */

export const PROBLEM_TYPE_PREFIX = 'urn:kumbaya:problem:';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The codes the API answers with and the title of each. A code's meaning never changes. */
export const problemTitles: Record<string, string> = {
  not_found: 'Not found',
  validation_failed: 'Some fields are not valid',
  slug_taken: 'The address is taken',
  unauthenticated: 'A valid token is needed',
  invalid_token: 'The token is no longer valid',
  forbidden: 'Not allowed for this user',
  insufficient_scope: 'The token lacks a scope',
  csrf_failed: 'The form token is missing or stale',
  rate_limited: 'Too many requests',
  conflict: 'Conflicts with the current state',
  payload_too_large: 'The body is too large',
  unsupported_media_type: 'Send JSON',
  setup_done: 'The site is set up already',
  comments_closed: 'Comments are closed',
  storage_unavailable: 'The database cannot write for now',
  live_streams_full: 'Too many live streams open',
  invalid_json: 'The body is not valid JSON',
  internal: 'Something went wrong on the server',
};

export const problemType = (code: string): string => `${PROBLEM_TYPE_PREFIX}${code}`;

function titleOf(code: string): string {
  const known = problemTitles[code];
  if (known) return known;
  const words = code.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  fields?: Record<string, string>;
}

export function problemBody(status: number, code: string, detail: string, fields?: Record<string, string>): Problem {
  return { type: problemType(code), title: titleOf(code), status, detail, code, ...(fields && Object.keys(fields).length > 0 ? { fields } : {}) };
}

/** The problem response itself; headers already set on `c` (Retry-After, WWW-Authenticate) are kept. */
export function problem(c: Context<AppEnv>, status: ContentfulStatusCode, code: string, detail: string, fields?: Record<string, string>): Response {
  return c.body(JSON.stringify(problemBody(status, code, detail, fields)), status, { 'Content-Type': PROBLEM_CONTENT_TYPE });
}

/** Is this request one of the JSON API's (/api and below)? Its errors are problems. */
export const isApiPath = (path: string): boolean => path === '/api' || path.startsWith('/api/');
