import { DomainError, notFound } from '../../core/errors.ts';
import { toId } from '../../core/ids.ts';
import type { Role, User } from '../../core/store.ts';
import { requireScope, requireToken, type ApiContext, type ApiScope } from './api-request.ts';

/**
 * What the admin areas of the JSON API (tags, uploads, subscriptions, settings, webmentions,
 * fediverse, jobs) check first: a token whose user has a role the matching admin page
 * allows (refused in the admin's words), then that the token carries the scope.
 */
export function requireRole(c: ApiContext, scope: ApiScope, roles: readonly Role[], refusal: string): User {
  const user = requireToken(c);
  if (!roles.includes(user.role)) throw new DomainError('forbidden', refusal);
  return requireScope(c, scope);
}

/** The numeric id in the path parameter `name`, or a 404 for `what`. */
export function pathIdOr404(c: ApiContext, name: string, what: string): number {
  const id = toId(c.req.param(name) ?? '');
  if (id === null) throw notFound(what);
  return id;
}

export const iso = (ms: number): string => new Date(ms).toISOString();
