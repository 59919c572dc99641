import { Hono } from 'hono';
import { parseScopes } from '../../core/api-scopes.ts';
import { roleSchema } from '../../core/auth-service.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import type { AccountToken, ApiToken, Role, User } from '../../core/store.ts';
import { sha256Hex } from '../../core/tokens.ts';
import { clientIp } from '../client-ip.ts';
import type { AppEnv } from '../context.ts';
import { apiInvitationInputSchema, apiUserPatchSchema, type apiInvitationSchema, type apiTokenSchema, type apiUserSchema } from '../openapi-users.ts';
import { bearerSecret, limitBody, limitWrites, parseWith, readJson, requireScope, requireToken, type ApiContext } from './api-request.ts';
import { iso, pathIdOr404, requireRole } from './api-staff.ts';
import type { z } from 'zod';

const OWNER = ['owner'] as const;
const REFUSAL = 'Only the owner can manage users.';

function userOut(user: User): z.output<typeof apiUserSchema> {
  return { id: user.id, name: user.name, email: user.email, slug: user.slug, role: user.role, created_at: iso(user.createdAt) };
}

function invitationOut(invitation: AccountToken, link?: string): z.output<typeof apiInvitationSchema> {
  return { id: invitation.id, email: invitation.email, role: invitation.role as Role, created_at: iso(invitation.createdAt), expires_at: iso(invitation.expiresAt), ...(link ? { link } : {}) };
}

function tokenOut(token: ApiToken, currentHash: string): z.output<typeof apiTokenSchema> {
  return {
    id: token.id,
    name: token.name,
    prefix: token.prefix,
    scopes: parseScopes(token.scopes),
    created_at: iso(token.createdAt),
    expires_at: token.expiresAt === null ? null : iso(token.expiresAt),
    last_used_at: token.lastUsedAt === null ? null : iso(token.lastUsedAt),
    current: token.tokenHash === currentHash,
  };
}

/** The role in a request body, refused with the admin's words. */
function roleOf(value: string): Role {
  const role = roleSchema.safeParse(value);
  if (!role.success) throw new DomainError('validation_failed', 'Choose owner, author or moderator.', { role: 'Choose owner, author or moderator.' });
  return role.data;
}

/**
 * Users and invitations (the owner's, as Admin → Users) and the caller's own tokens (as
 * Admin → Tokens, without creating one), mounted at /api; the contract is openapi-users.ts.
 */
export function apiUserRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/users', async (c) => {
    requireRole(c, 'admin', OWNER, REFUSAL);
    return c.json({ users: (await c.get('deps').store.users.list()).map(userOut) });
  });

  app.patch('/users/:id{[0-9]+}', limitWrites, limitBody, async (c) => {
    const actor = requireRole(c, 'admin', OWNER, REFUSAL);
    const input = parseWith(apiUserPatchSchema, await readJson(c, { optional: false }), 'a JSON object, e.g. {"role": "author"}');
    const { auth, changes } = c.get('deps');
    const user = await auth.changeRole(actor, pathIdOr404(c, 'id', 'The user'), roleOf(input.role));
    // Roles decide who is shown as staff beside comments on public pages.
    changes.publish('users-changed');
    return c.json(userOut(user));
  });

  app.delete('/users/:id{[0-9]+}', limitWrites, async (c) => {
    const actor = requireRole(c, 'admin', OWNER, REFUSAL);
    const { auth, store, changes } = c.get('deps');
    const target = await store.users.findById(pathIdOr404(c, 'id', 'The user'));
    if (!target) throw notFound('The user');
    await auth.removeUser(actor, target.id);
    changes.publish('users-changed');
    return c.body(null, 204);
  });

  app.get('/invitations', async (c) => {
    requireRole(c, 'admin', OWNER, REFUSAL);
    return c.json({ invitations: (await c.get('deps').accounts.pendingInvites()).map((i) => invitationOut(i)) });
  });

  app.post('/invitations', limitWrites, limitBody, async (c) => {
    const actor = requireRole(c, 'admin', OWNER, REFUSAL);
    const input = parseWith(apiInvitationInputSchema, await readJson(c, { optional: false }), 'a JSON object, e.g. {"email": "sam@example.com", "role": "author"}');
    const { accounts, mail, logger } = c.get('deps');
    const sent = await accounts.invite(actor, input, clientIp(c));
    logger.info({ invitationId: sent.invitation.id, role: sent.invitation.role, by: actor.id }, 'invitation sent');
    mail.wake();
    // Without a mail server the invitation waits in the outbox: the owner passes the link on.
    return c.json(invitationOut(sent.invitation, mail.transport ? undefined : sent.url), 201);
  });

  app.post('/invitations/:id{[0-9]+}/resend', limitWrites, async (c) => {
    const actor = requireRole(c, 'admin', OWNER, REFUSAL);
    const { accounts, mail } = c.get('deps');
    const sent = await accounts.resendInvite(actor, pathIdOr404(c, 'id', 'The invitation'), clientIp(c));
    mail.wake();
    return c.json(invitationOut(sent.invitation, mail.transport ? undefined : sent.url));
  });

  app.delete('/invitations/:id{[0-9]+}', limitWrites, async (c) => {
    const actor = requireRole(c, 'admin', OWNER, REFUSAL);
    await c.get('deps').accounts.revokeInvite(actor, pathIdOr404(c, 'id', 'The invitation'));
    return c.body(null, 204);
  });

  app.get('/tokens', async (c) => {
    requireToken(c);
    const user = requireScope(c, 'read');
    const tokens = await c.get('deps').store.apiTokens.listForUser(user.id);
    return c.json({ tokens: tokens.map((t) => tokenOut(t, sha256Hex(bearerSecret(c) ?? ''))) });
  });

  app.delete('/tokens/:id{[0-9]+}', limitWrites, async (c) => {
    requireToken(c);
    const user = requireScope(c, 'write');
    if (!(await c.get('deps').store.apiTokens.revoke(pathIdOr404(c, 'id', 'The token'), user.id))) throw notFound('The token');
    return c.body(null, 204);
  });

  return app;
}
