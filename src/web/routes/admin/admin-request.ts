import type { Context, MiddlewareHandler } from 'hono';
import { DomainError, notFound } from '../../../core/errors.ts';
import { toId } from '../../../core/ids.ts';
import type { Role, User } from '../../../core/store.ts';
import type { AppEnv } from '../../context.ts';

/** The signed-in user; every admin route runs behind requireUser. */
export function currentUser(c: Context<AppEnv>): User {
  const user = c.get('user');
  if (!user) throw new DomainError('unauthenticated', 'Please sign in again; your session has ended.');
  return user;
}

/** Lets only `roles` past; everyone else gets a 403 that says why. */
export function allowRoles(roles: Role[], message: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!roles.includes(currentUser(c).role)) throw new DomainError('forbidden', message);
    return next();
  };
}

/** Throws the same 403 as `allowRoles`, for handlers that check inline. */
export function assertRole(c: Context<AppEnv>, roles: Role[], message: string): User {
  const user = currentUser(c);
  if (!roles.includes(user.role)) throw new DomainError('forbidden', message);
  return user;
}

/** An urlencoded or multipart form as text fields (files are left out). */
export async function formFields(c: Context<AppEnv>): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) if (typeof value === 'string') fields[name] = value;
  return fields;
}

/**
 * Post/Redirect/Get: a 303 to `path` carrying a notice key (see views/admin/notices.ts),
 * so a reload never repeats the action.
 */
export function redirectWithNotice(c: Context<AppEnv>, path: string, notice: string, extra: Record<string, string> = {}): Response {
  const url = new URL(path, 'http://x');
  url.searchParams.set('notice', notice);
  for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v);
  return c.redirect(url.pathname + url.search, 303);
}

/** A numeric route parameter; anything else is a 404. */
export function idParam(c: Context<AppEnv>, name = 'id'): number {
  const id = toId(c.req.param(name) ?? '');
  if (id === null) throw notFound('That item');
  return id;
}

/** ?page=N as a whole number from 1; anything else is page 1. */
export function pageNumber(c: Context<AppEnv>): number {
  const n = Number(c.req.query('page') ?? '1');
  return Number.isInteger(n) && n >= 1 && n <= 100_000 ? n : 1;
}

/** True when the person confirmed a destructive action (the JS confirm() or the no-JS confirmation page). */
export const confirmed = (fields: Record<string, string>): boolean => fields.confirm === 'yes';
