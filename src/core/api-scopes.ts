import type { Role } from './store.ts';

/**
 * What a personal access token may do (issue 13, point 1). A token carries some of these;
 * it never does more than its user's role allows, and the role checks of each action stay
 * where they are.
 *
 * - read: read anything the user's role may see (staff data included);
 * - write: create and change posts, tags, uploads, the user's own replies;
 * - moderate: moderation actions on comments, people, webmentions, fediverse followers;
 * - admin: settings, users, tokens, jobs, sites (the owner only).
 */
export const apiScopes = ['read', 'write', 'moderate', 'admin'] as const;
export type ApiScope = (typeof apiScopes)[number];

export const scopeDescriptions: Record<ApiScope, string> = {
  read: 'Read anything your role may see, staff data included.',
  write: 'Create and change posts, tags and uploads, and your own replies.',
  moderate: 'Moderate comments, people, webmentions and fediverse followers.',
  admin: 'Settings, users, tokens, jobs and sites (owner only).',
};

/** The scopes a role allows: everything for the owner; all but admin for authors and moderators. */
export function scopesForRole(role: Role): ApiScope[] {
  return role === 'owner' ? [...apiScopes] : apiScopes.filter((s) => s !== 'admin');
}

export const isApiScope = (value: string): value is ApiScope => (apiScopes as readonly string[]).includes(value);

/** Stored as one space-separated string, in the order of `apiScopes`. */
export function formatScopes(scopes: readonly ApiScope[]): string {
  return apiScopes.filter((s) => scopes.includes(s)).join(' ');
}

/** A stored scope string back to scopes; unknown words are dropped. */
export function parseScopes(stored: string): ApiScope[] {
  const words = stored.split(/\s+/);
  return apiScopes.filter((s) => words.includes(s));
}
