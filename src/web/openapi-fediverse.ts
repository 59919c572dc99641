import { z } from 'zod';
import { isoDateTime, json, ref, response, writeErrors, type OpenApiSection } from './openapi.ts';
import { bodyErrors, pathId, queryParameters, readErrors, scoped, sectionSchemas } from './openapi-shared.ts';

/** The blog's fediverse account in the JSON API (routes/api-fediverse.ts): followers and deliveries, as Admin → Fediverse (the owner's). */

export const apiFollowerQuerySchema = z.object({
  status: z.enum(['accepted', 'pending'], { message: 'Use accepted or pending.' }).default('accepted').describe('accepted: followers; pending: follow requests waiting for approval.'),
});

export const apiDeliveryQuerySchema = z.object({
  failed: z.enum(['true', 'false'], { message: 'Use failed=true or failed=false.' }).default('true').describe('true: deliveries that failed at least once, soonest retry first; false: waiting ones that have not failed, oldest first.'),
});

/** POST /api/fediverse/followers/{accept,remove,block}. */
export const apiActorInputSchema = z.strictObject({
  actor: z.string({ message: 'Give the account’s address (its actor URI, https://…).' }).max(2000, 'An account address has at most 2,000 characters.').describe('The account’s actor URI, as `actor_uri` lists it.'),
});

/** POST /api/fediverse/blocks/domain. */
export const apiDomainInputSchema = z.strictObject({
  domain: z.string({ message: 'Give the domain, like spam.example.' }).max(300, 'A domain has at most 300 characters.').describe('The domain; its subdomains are blocked too.'),
});

export const apiBlockSchema = z.object({
  id: z.int(),
  kind: z.enum(['actor', 'domain']),
  value: z.string().describe('The account’s actor URI, or the domain (lower-cased).'),
  created_at: isoDateTime,
});

export const apiBlockListSchema = z.object({ blocks: z.array(apiBlockSchema) });
export const apiBlockDomainResultSchema = z.object({ added: z.boolean().describe('false when the domain was blocked already.') });

export const apiFollowerSchema = z.object({
  id: z.int(),
  actor_uri: z.string(),
  handle: z.string().nullable().describe('@user@host, when known.'),
  inbox: z.string(),
  shared_inbox: z.string().nullable(),
  status: z.enum(['accepted', 'pending']),
  person_id: z.int().nullable().describe('Their record in People, when they wrote to the blog.'),
  created_at: isoDateTime,
  updated_at: isoDateTime,
});
export type ApiFollower = z.output<typeof apiFollowerSchema>;

export const apiFollowerListSchema = z.object({ followers: z.array(apiFollowerSchema).describe('Newest first.') });

export const apiDeliverySchema = z.object({
  id: z.int(),
  kind: z.enum(['outbox', 'fanout']).describe('outbox: to one inbox; fanout: still to be split per inbox.'),
  inbox: z.string().nullable(),
  activity_type: z.string().nullable().describe('Create, Update, Delete, Accept…'),
  activity_id: z.string().nullable(),
  subject: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('post'), id: z.int(), title: z.string() }),
      z.object({ kind: z.literal('follow') }),
      z.object({ kind: z.literal('address'), url: z.string() }),
    ])
    .nullable()
    .describe('What it is about: a post, an answer to a follow, or the activity’s address.'),
  behind: z.boolean().describe('An earlier activity about the same post waits: this one goes after it.'),
  attempts: z.int(),
  last_error: z.string().nullable(),
  run_at: isoDateTime.describe('When it is (next) tried.'),
  sending: z.boolean().describe('Being sent right now.'),
  created_at: isoDateTime,
});
export type ApiDelivery = z.output<typeof apiDeliverySchema>;

export const apiDeliveryListSchema = z.object({
  summary: z.object({ deliveries: z.int(), failing: z.int(), sending: z.int(), fanouts: z.int(), received: z.int() }).describe('The whole queue: deliveries waiting, of them failing and sending; activities still to split; activities received and not handled yet.'),
  deliveries: z.array(apiDeliverySchema).describe('At most 100.'),
});

const common = { tags: ['fediverse'] };
const actorBody = { required: true, content: json(ref('ActorInput')) };

export const fediverseOpenApi: OpenApiSection = {
  tags: [{ name: 'fediverse', description: 'The blog’s fediverse account: followers and follow requests (accept, remove, block), blocked accounts and domains, and the deliveries queue (retry). The owner’s token only.' }],
  schemas: () =>
    sectionSchemas(
      {
        Follower: apiFollowerSchema,
        FollowerList: apiFollowerListSchema,
        FediverseBlock: apiBlockSchema,
        FediverseBlockList: apiBlockListSchema,
        BlockDomainResult: apiBlockDomainResultSchema,
        Delivery: apiDeliverySchema,
        DeliveryList: apiDeliveryListSchema,
      },
      { ActorInput: apiActorInputSchema, DomainInput: apiDomainInputSchema },
    ),
  paths: {
    '/api/fediverse/followers': {
      get: {
        ...common,
        operationId: 'listFollowers',
        security: scoped('read'),
        summary: 'Followers, or follow requests waiting',
        parameters: queryParameters(apiFollowerQuerySchema),
        responses: { '200': { description: 'The followers.', content: json(ref('FollowerList')) }, ...readErrors, '422': response('ValidationFailed') },
      },
    },
    '/api/fediverse/followers/accept': {
      post: {
        ...common,
        operationId: 'acceptFollower',
        security: scoped('moderate'),
        summary: 'Accept a follow request',
        description: 'Their server is sent an Accept. 404 when the request is no longer waiting.',
        requestBody: actorBody,
        responses: { '200': { description: 'The follower.', content: json(ref('Follower')) }, ...writeErrors, ...bodyErrors, '404': response('NotFound') },
      },
    },
    '/api/fediverse/followers/remove': {
      post: {
        ...common,
        operationId: 'removeFollower',
        security: scoped('moderate'),
        summary: 'Remove a follower, or reject a follow request',
        description: 'Their server is sent a Reject of the follow (Mastodon then drops it). 404 when they do not follow the blog.',
        requestBody: actorBody,
        responses: { '204': { description: 'Removed.' }, ...writeErrors, ...bodyErrors, '404': response('NotFound') },
      },
    },
    '/api/fediverse/followers/block': {
      post: {
        ...common,
        operationId: 'blockFollower',
        security: scoped('moderate'),
        summary: 'Block an account',
        description: 'Its activities are refused from now on and its follow is removed.',
        requestBody: actorBody,
        responses: { '204': { description: 'Blocked.' }, ...writeErrors, ...bodyErrors },
      },
    },
    '/api/fediverse/blocks': {
      get: {
        ...common,
        operationId: 'listFediverseBlocks',
        security: scoped('read'),
        summary: 'Blocked accounts and domains',
        responses: { '200': { description: 'The blocks.', content: json(ref('FediverseBlockList')) }, ...readErrors },
      },
    },
    '/api/fediverse/blocks/domain': {
      post: {
        ...common,
        operationId: 'blockDomain',
        security: scoped('moderate'),
        summary: 'Block a whole domain',
        description: 'Its accounts’ and its subdomains’ activities are refused and their follows removed, in one transaction.',
        requestBody: { required: true, content: json(ref('DomainInput')) },
        responses: { '200': { description: 'Whether it was new.', content: json(ref('BlockDomainResult')) }, ...writeErrors, ...bodyErrors },
      },
    },
    '/api/fediverse/blocks/{id}': {
      delete: {
        ...common,
        operationId: 'unblock',
        security: scoped('moderate'),
        summary: 'Lift a block',
        parameters: [pathId('id', 'The block’s numeric id.')],
        responses: { '204': { description: 'Lifted.' }, ...writeErrors, '404': response('NotFound') },
      },
    },
    '/api/fediverse/deliveries': {
      get: {
        ...common,
        operationId: 'listDeliveries',
        security: scoped('read'),
        summary: 'Activities waiting to be delivered, with their status',
        parameters: queryParameters(apiDeliveryQuerySchema),
        responses: { '200': { description: 'The queue.', content: json(ref('DeliveryList')) }, ...readErrors, '422': response('ValidationFailed') },
      },
    },
    '/api/fediverse/deliveries/{id}/retry': {
      post: {
        ...common,
        operationId: 'retryDelivery',
        security: scoped('admin'),
        summary: 'Try a delivery again now',
        description: 'It (and the activities about the same post behind it) go at once. 404 when it is no longer waiting: delivered, given up, or being sent right now.',
        parameters: [pathId('id', 'The delivery’s numeric id.')],
        responses: { '204': { description: 'Due now.' }, ...writeErrors, '404': response('NotFound') },
      },
    },
  },
};
