import { z } from 'zod';
import { mentionActions } from '../core/webmention-moderation.ts';
import { isoDateTime, json, ref, response, writeErrors, type OpenApiSection } from './openapi.ts';
import { bodyErrors, pathId, queryId, queryParameters, readErrors, scoped, sectionSchemas } from './openapi-shared.ts';

/** Webmentions in the JSON API (routes/api-webmentions.ts): per post, received and sent, as the admin's Webmentions page of a post. */

const receivedStates = ['queued', 'verified', 'rejected', 'deleted'] as const;
const sentStates = ['queued', 'sent', 'no-endpoint', 'failed'] as const;

export const apiReceivedQuerySchema = z.object({
  post_id: queryId('a post').describe('The post whose mentions are listed.'),
  status: z.enum(receivedStates, { message: 'Use queued, verified, rejected or deleted.' }).optional().describe('Only mentions with this status.'),
});

export const apiSentQuerySchema = z.object({
  post_id: queryId('a post').describe('The post whose links are listed.'),
  status: z.enum(sentStates, { message: 'Use queued, sent, no-endpoint or failed.' }).optional().describe('Only links with this status.'),
});

/** POST /api/webmentions/{id}/moderate. */
export const apiMentionModerateSchema = z.strictObject({
  action: z
    .enum(mentionActions as [string, ...string[]], { message: 'Use approve, hide or delete.' })
    .describe('A reply (a comment): approve, hide (back to pending) or delete (to the trash), as in Admin → Comments. Another mention: approve shows it again, hide takes it off the post, delete takes it off for good.'),
});

/** POST /api/webmentions/resend. */
export const apiResendSchema = z.strictObject({ post_id: z.int({ message: 'Use the post’s numeric id.' }).min(1, 'Use the post’s numeric id.').describe('The post whose links are notified again.') });

export const apiReceivedMentionSchema = z.object({
  id: z.int(),
  post_id: z.int(),
  source: z.string(),
  target: z.string(),
  via: z.enum(['webmention', 'pingback', 'trackback']),
  status: z.enum(receivedStates).describe('queued: being verified; verified: shown; rejected: never valid; deleted: taken away (the source went, or staff).'),
  reason: z.string().nullable().describe('Why it was rejected or taken away.'),
  type: z.enum(['reply', 'like', 'repost', 'bookmark', 'mention']).nullable(),
  author_name: z.string().nullable(),
  author_url: z.string().nullable(),
  content: z.string().nullable(),
  url: z.string().nullable(),
  comment_id: z.int().nullable().describe('The comment a reply became.'),
  comment_status: z.enum(['pending', 'approved', 'spam', 'trash']).nullable().describe('That comment’s status.'),
  received_at: isoDateTime,
  verified_at: isoDateTime.nullable(),
});
export type ApiReceivedMention = z.output<typeof apiReceivedMentionSchema>;

export const apiSentMentionSchema = z.object({
  id: z.int(),
  post_id: z.int(),
  target: z.string().describe('The link in the post.'),
  endpoint: z.string().nullable().describe('The endpoint found; null when the target advertises none.'),
  protocol: z.enum(['webmention', 'pingback']),
  status: z.enum(sentStates),
  http_status: z.int().nullable().describe('What the endpoint answered.'),
  error: z.string().nullable(),
  attempts: z.int(),
  updated_at: isoDateTime,
});
export type ApiSentMention = z.output<typeof apiSentMentionSchema>;

export const apiReceivedListSchema = z.object({ received: z.array(apiReceivedMentionSchema).describe('Newest first.') });
export const apiSentListSchema = z.object({ sent: z.array(apiSentMentionSchema) });
export const apiResendResultSchema = z.object({ queued: z.int().describe('Links queued to be notified (0 for a post that is not live and public).') });

const common = { tags: ['webmentions'] };

export const webmentionsOpenApi: OpenApiSection = {
  tags: [
    {
      name: 'webmentions',
      description:
        'Per post: the mentions received (and what became of them) and the links notified. Reading and moderating: the owner, moderators, and authors for their own posts; resending: the owner, and authors for their own posts.',
    },
  ],
  schemas: () =>
    sectionSchemas(
      { ReceivedMention: apiReceivedMentionSchema, ReceivedMentionList: apiReceivedListSchema, SentMention: apiSentMentionSchema, SentMentionList: apiSentListSchema, ResendResult: apiResendResultSchema },
      { MentionModerateInput: apiMentionModerateSchema, ResendInput: apiResendSchema },
    ),
  paths: {
    '/api/webmentions/received': {
      get: {
        ...common,
        operationId: 'listReceivedMentions',
        security: scoped('read'),
        summary: 'Mentions of a post, with their status',
        parameters: queryParameters(apiReceivedQuerySchema).map((p) => (p.name === 'post_id' ? { ...p, required: true } : p)),
        responses: { '200': { description: 'The mentions.', content: json(ref('ReceivedMentionList')) }, ...readErrors, '404': response('NotFound'), '422': response('ValidationFailed') },
      },
    },
    '/api/webmentions/sent': {
      get: {
        ...common,
        operationId: 'listSentMentions',
        security: scoped('read'),
        summary: 'The links of a post notified, and what answered',
        parameters: queryParameters(apiSentQuerySchema).map((p) => (p.name === 'post_id' ? { ...p, required: true } : p)),
        responses: { '200': { description: 'The links.', content: json(ref('SentMentionList')) }, ...readErrors, '404': response('NotFound'), '422': response('ValidationFailed') },
      },
    },
    '/api/webmentions/{id}/moderate': {
      post: {
        ...common,
        operationId: 'moderateMention',
        security: scoped('moderate'),
        summary: 'Approve, hide or delete a received mention',
        description: '409 for a mention that cannot be: still being verified, never valid, or taken away by its source.',
        parameters: [pathId('id', 'The received mention’s numeric id.')],
        requestBody: { required: true, content: json(ref('MentionModerateInput')) },
        responses: { '200': { description: 'The mention after it.', content: json(ref('ReceivedMention')) }, ...writeErrors, ...bodyErrors, '404': response('NotFound'), '409': response('Conflict') },
      },
    },
    '/api/webmentions/resend': {
      post: {
        ...common,
        operationId: 'resendMentions',
        security: scoped('write'),
        summary: 'Notify every link of a post again',
        requestBody: { required: true, content: json(ref('ResendInput')) },
        responses: { '200': { description: 'How many were queued.', content: json(ref('ResendResult')) }, ...writeErrors, ...bodyErrors, '404': response('NotFound') },
      },
    },
  },
};
