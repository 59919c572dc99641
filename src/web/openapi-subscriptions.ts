import { z } from 'zod';
import { isoDateTime, json, ref, response, writeErrors, type OpenApiSection } from './openapi.ts';
import { pageShape, pagingShape, pathId, queryId, queryParameters, readErrors, scoped, sectionSchemas } from './openapi-shared.ts';

/**
 * Email subscriptions in the JSON API (routes/api-subscriptions.ts): who follows which
 * conversation by email. They name readers' addresses, so, like the mail outbox, they are
 * for the owner and moderators.
 */

export const subscriptionStates = ['active', 'unconfirmed', 'unsubscribed'] as const;

export const apiSubscriptionQuerySchema = z.object({
  post_id: queryId('a post').optional().describe('Only subscriptions to this post’s conversation.'),
  person_id: queryId('a person').optional().describe('Only the subscriptions of this person (by any of their email addresses).'),
  status: z
    .enum(subscriptionStates, { message: 'Use active, unconfirmed or unsubscribed.' })
    .optional()
    .describe('active: mails are sent; unconfirmed: waiting for the address to be confirmed; unsubscribed. Left out: all.'),
  ...pagingShape,
});

export const apiSubscriptionSchema = z.object({
  id: z.int(),
  kind: z.enum(['post', 'replies']).describe('post: every new comment on the post; replies: replies to one comment.'),
  email: z.string(),
  post_id: z.int(),
  comment_id: z.int().nullable().describe('For `replies`: the comment whose replies are sent.'),
  status: z.enum(subscriptionStates),
  created_at: isoDateTime,
  unsubscribed_at: isoDateTime.nullable(),
});
export type ApiSubscription = z.output<typeof apiSubscriptionSchema>;

export const apiSubscriptionListSchema = z.object({ subscriptions: z.array(apiSubscriptionSchema).describe('Newest first.'), ...pageShape });

const subscriptionId = pathId('id', 'The subscription’s numeric id.');
const common = { tags: ['subscriptions'] };

export const subscriptionsOpenApi: OpenApiSection = {
  tags: [{ name: 'subscriptions', description: 'Email subscriptions to conversations: list, unsubscribe, delete. For tokens of the owner and moderators.' }],
  schemas: () => sectionSchemas({ Subscription: apiSubscriptionSchema, SubscriptionList: apiSubscriptionListSchema }),
  paths: {
    '/api/subscriptions': {
      get: {
        ...common,
        operationId: 'listSubscriptions',
        security: scoped('read'),
        summary: 'List email subscriptions',
        parameters: queryParameters(apiSubscriptionQuerySchema),
        responses: { '200': { description: 'A page of subscriptions.', content: json(ref('SubscriptionList')) }, ...readErrors, '404': response('NotFound'), '422': response('ValidationFailed') },
      },
    },
    '/api/subscriptions/{id}/unsubscribe': {
      post: {
        ...common,
        operationId: 'unsubscribe',
        security: scoped('moderate'),
        summary: 'Unsubscribe someone',
        description: 'As the link in every notification does: no more mail; the record stays (with when). Unsubscribing twice changes nothing.',
        parameters: [subscriptionId],
        responses: { '200': { description: 'The subscription, unsubscribed.', content: json(ref('Subscription')) }, ...writeErrors, '404': response('NotFound') },
      },
    },
    '/api/subscriptions/{id}': {
      delete: {
        ...common,
        operationId: 'deleteSubscription',
        security: scoped('moderate'),
        summary: 'Delete a subscription for good',
        parameters: [subscriptionId],
        responses: { '204': { description: 'Deleted.' }, ...writeErrors, '404': response('NotFound') },
      },
    },
  },
};
