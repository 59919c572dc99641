import { z } from 'zod';
import { apiScopes } from '../core/api-scopes.ts';
import { errorResponse, json, ref, response, writeErrors, type OpenApiSection } from './openapi.ts';
import { bodyErrors, pathId, readErrors, scoped, sectionSchemas } from './openapi-shared.ts';

/**
 * Users, invitations (Admin → Users, the owner's) and the caller's own tokens (Admin →
 * Tokens) in the JSON API: routes/api-users.ts. Creating a token stays in the admin and the
 * CLI: a token that could mint tokens would let a leaked one outlive its own revocation.
 */

const role = z.enum(['owner', 'author', 'moderator']);
const roleInput = z.string({ message: 'Choose owner, author or moderator.' }).describe('owner, author or moderator.');

export const apiUserSchema = z.object({
  id: z.int(),
  name: z.string(),
  email: z.string(),
  slug: z.string(),
  role,
  created_at: z.iso.datetime({ offset: true }),
});
export const apiUserListSchema = z.object({ users: z.array(apiUserSchema) });

/** PATCH /api/users/{id}. */
export const apiUserPatchSchema = z.strictObject({ role: roleInput });

export const apiInvitationSchema = z.object({
  id: z.int(),
  email: z.string(),
  role,
  created_at: z.iso.datetime({ offset: true }),
  expires_at: z.iso.datetime({ offset: true }),
  link: z.url().optional().describe('Only when the site has no mail server: the invitation waits in the outbox, so pass this link on yourself. Shown once.'),
});
export const apiInvitationListSchema = z.object({ invitations: z.array(apiInvitationSchema.omit({ link: true })).describe('Pending (not yet used, not expired).') });

/** POST /api/invitations: checked by the same rules as the admin's form (AccountLinks.invite). */
export const apiInvitationInputSchema = z.strictObject({
  email: z.string({ message: 'Write the address as text.' }).describe('Where the invitation goes.'),
  role: roleInput,
});

export const apiTokenSchema = z.object({
  id: z.int(),
  name: z.string(),
  prefix: z.string().describe('The secret’s first characters, to tell tokens apart; the secret itself is never shown again.'),
  scopes: z.array(z.enum(apiScopes)),
  created_at: z.iso.datetime({ offset: true }),
  expires_at: z.iso.datetime({ offset: true }).nullable(),
  last_used_at: z.iso.datetime({ offset: true }).nullable(),
  current: z.boolean().describe('The token this request was sent with.'),
});
export const apiTokenListSchema = z.object({ tokens: z.array(apiTokenSchema) });

const userId = pathId('id', 'The user’s numeric id.');
const invitationId = pathId('id', 'The invitation’s numeric id.');
const tokenId = pathId('id', 'The token’s numeric id.');
const users = { tags: ['users'] };
const tokens = { tags: ['tokens'] };
const rateLimited = errorResponse('Too many invitations to this address or from this network; wait for Retry-After.', { 'Retry-After': { schema: { type: 'integer' } } });

export const usersOpenApi: OpenApiSection = {
  tags: [
    { name: 'users', description: 'Users, their roles and invitations: the owner’s, as Admin → Users.' },
    { name: 'tokens', description: 'The caller’s own personal access tokens (Admin → Tokens): list and revoke. New tokens are made in Admin → Tokens or with `kumbaya token create`, never through the API.' },
  ],
  schemas: () =>
    sectionSchemas(
      { User: apiUserSchema, UserList: apiUserListSchema, Invitation: apiInvitationSchema, InvitationList: apiInvitationListSchema, Token: apiTokenSchema, TokenList: apiTokenListSchema },
      { UserPatch: apiUserPatchSchema, InvitationInput: apiInvitationInputSchema },
    ),
  paths: {
    '/api/users': {
      get: {
        ...users,
        operationId: 'listUsers',
        security: scoped('admin'),
        summary: 'Every user with their role',
        responses: { '200': { description: 'The users.', content: json(ref('UserList')) }, ...readErrors },
      },
    },
    '/api/users/{id}': {
      patch: {
        ...users,
        operationId: 'changeUserRole',
        security: scoped('admin'),
        summary: 'Change a user’s role',
        description: '409 when it would leave the site without an owner.',
        parameters: [userId],
        requestBody: { required: true, content: json(ref('UserPatch')) },
        responses: { '200': { description: 'The user with the new role.', content: json(ref('User')) }, ...writeErrors, ...bodyErrors, '404': response('NotFound'), '409': response('Conflict') },
      },
      delete: {
        ...users,
        operationId: 'removeUser',
        security: scoped('admin'),
        summary: 'Remove a user',
        description: 'They can no longer sign in and their tokens stop working; their posts and pages stay and become the caller’s. 409 for oneself.',
        parameters: [userId],
        responses: { '204': { description: 'Removed.' }, ...writeErrors, '404': response('NotFound'), '409': response('Conflict') },
      },
    },
    '/api/invitations': {
      get: {
        ...users,
        operationId: 'listInvitations',
        security: scoped('admin'),
        summary: 'Pending invitations',
        responses: { '200': { description: 'The invitations.', content: json(ref('InvitationList')) }, ...readErrors },
      },
      post: {
        ...users,
        operationId: 'invite',
        security: scoped('admin'),
        summary: 'Invite someone by email, with a role',
        description: 'The invitee sets their name and password from the link in the email. Inviting an address again sends a new link and replaces the old one.',
        requestBody: { required: true, content: json(ref('InvitationInput')) },
        responses: { '201': { description: 'The invitation, sent (or waiting in the outbox).', content: json(ref('Invitation')) }, ...writeErrors, ...bodyErrors, '409': response('Conflict'), '429': rateLimited },
      },
    },
    '/api/invitations/{id}/resend': {
      post: {
        ...users,
        operationId: 'resendInvitation',
        security: scoped('admin'),
        summary: 'Send an invitation again, with a new link',
        parameters: [invitationId],
        responses: { '200': { description: 'The invitation.', content: json(ref('Invitation')) }, ...writeErrors, '404': response('NotFound'), '429': rateLimited },
      },
    },
    '/api/invitations/{id}': {
      delete: {
        ...users,
        operationId: 'revokeInvitation',
        security: scoped('admin'),
        summary: 'Revoke an invitation: its link stops working',
        parameters: [invitationId],
        responses: { '204': { description: 'Revoked.' }, ...writeErrors, '404': response('NotFound') },
      },
    },
    '/api/tokens': {
      get: {
        ...tokens,
        operationId: 'listTokens',
        security: scoped('read'),
        summary: 'The caller’s own tokens',
        responses: { '200': { description: 'The tokens, newest first.', content: json(ref('TokenList')) }, ...readErrors },
      },
    },
    '/api/tokens/{id}': {
      delete: {
        ...tokens,
        operationId: 'revokeToken',
        security: scoped('write'),
        summary: 'Revoke one of the caller’s tokens (the one in use too)',
        description: 'It stops working at once. Another user’s token is not found.',
        parameters: [tokenId],
        responses: { '204': { description: 'Revoked.' }, ...writeErrors, '404': response('NotFound') },
      },
    },
  },
};
