import { z } from 'zod';
import { MAX_MODERATED_AT_ONCE } from '../core/comment-service.ts';
import { MAX_ID } from '../core/ids.ts';
import { API_PER_PAGE_MAX, isoDateTime, json, queryParameters, ref, response, tidy, tokenOptionalWith, tokenWith, writeErrors, type JsonSchema, type OpenApiSection } from './openapi.ts';

/**
 * Comments in the JSON API (routes/api-comments.ts): the moderation inbox (list, read,
 * reply, edit, moderate in bulk, restore, counts, "waiting for you") for staff tokens, and
 * a reader's comment through the same spam defence and moderation policy as the form.
 */

const commentStatuses = ['pending', 'approved', 'spam', 'trash'] as const;
export const apiModerationActions = ['approve', 'hold', 'spam', 'trash', 'restore'] as const;
export type ApiModerationAction = (typeof apiModerationActions)[number];
export const MODERATION_REASON_MAX = 300;

const perPageMessage = `Use a whole number from 1 to ${API_PER_PAGE_MAX}.`;
const idMessage = 'Use a comment’s, post’s or person’s numeric id.';
const queryId = (description: string) =>
  z.coerce.number({ message: idMessage }).int(idMessage).min(1, idMessage).max(MAX_ID, idMessage).optional().describe(description);

export const commentCursorMessage = 'Use the next_cursor of the previous page, as it was given.';

export const apiCommentQuerySchema = z.object({
  status: z.enum(commentStatuses, { message: 'Use pending, approved, spam or trash.' }).optional().describe('Only comments with this status (the inbox’s tabs). Left out: every status.'),
  post: queryId('Only comments on this post (its id).'),
  person: queryId('Only comments by this person (their id in People).'),
  q: z.string().max(200, 'Search with at most 200 characters.').optional().describe('Part of the text, the name or the email address (case aside).'),
  since: isoDateTime.optional().describe('Only comments written at or after this time.'),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,60}$/, commentCursorMessage)
    .optional()
    .describe('Where the page starts: the `next_cursor` of the previous page (opaque). Left out: the newest comments.'),
  per_page: z.coerce.number({ message: perPageMessage }).int(perPageMessage).min(1, perPageMessage).max(API_PER_PAGE_MAX, perPageMessage).default(20).describe(`Comments per page, at most ${API_PER_PAGE_MAX}.`),
});

export const apiWaitingQuerySchema = z.object({
  per_page: z.coerce.number({ message: perPageMessage }).int(perPageMessage).min(1, perPageMessage).max(API_PER_PAGE_MAX, perPageMessage).default(20).describe(`Conversations to return, oldest first, at most ${API_PER_PAGE_MAX}.`),
});

/** POST /api/posts/{id}/comments: what a reader sends, as the form does. */
export const apiReaderCommentInputSchema = z.strictObject({
  parent_id: z.int('Give the id of the comment you answer, or leave it out.').min(1).max(MAX_ID).nullable().optional().describe('The published comment this one answers. Left out: a comment on the post.'),
  name: z.string({ message: 'Write your name as text.' }).optional().meta({ maxLength: 80 }).describe('Shown with the comment. Required for readers.'),
  email: z.string({ message: 'Write your email address as text.' }).optional().meta({ maxLength: 254 }).describe('Never shown. Required for readers.'),
  website: z.string({ message: 'Write the website address as text.' }).optional().meta({ maxLength: 300 }).describe('Optional, starting with https://.'),
  body: z.string({ message: 'Write the comment as text.' }).meta({ maxLength: 10_000 }).describe('The comment, in Markdown (the commenters’ subset).'),
  honeypot: z.string({ message: 'Send the honeypot as text (empty).' }).optional().describe('The hidden field of your form: people never see nor fill it. Anything in it sends the comment to spam.'),
  form_token: z
    .string({ message: 'Send the form token as text.' })
    .max(200, 'That is not a form token.')
    .optional()
    .describe('From GET /api/posts/{id}/comment-form when the form was shown. Missing or forged: spam; sooner than `min_submit_seconds`: held.'),
  subscribe_replies: z.boolean({ message: 'Use true or false.' }).optional().describe('Mail the writer replies to this comment (after they confirm their address).'),
  subscribe_post: z.boolean({ message: 'Use true or false.' }).optional().describe('Mail the writer every new comment on the post (after they confirm their address).'),
});
export type ApiReaderCommentInput = z.output<typeof apiReaderCommentInputSchema>;

/** POST /api/comments/{id}/replies. */
export const apiReplyInputSchema = z.strictObject({
  body: z.string({ message: 'Write the reply as text.' }).meta({ maxLength: 10_000 }).describe('The reply, in Markdown; published at once under the token’s user.'),
});

/** PATCH /api/comments/{id}. */
export const apiCommentPatchSchema = z.strictObject({
  body: z.string({ message: 'Write the comment as text.' }).optional().meta({ maxLength: 10_000 }).describe('The new text, in Markdown.'),
  parent_id: z
    .int('Give the id of a published comment on the same post, or null for the top level.')
    .min(1, 'Give the id of a published comment on the same post, or null for the top level.')
    .max(MAX_ID, 'Give the id of a published comment on the same post, or null for the top level.')
    .nullable()
    .optional()
    .describe('Move it (with its replies) under this comment of the same post; null: to the top level.'),
});

const idsMessage = `List the ids of the comments, e.g. [12, 34] (at most ${MAX_MODERATED_AT_ONCE}).`;

/** POST /api/comments/moderation. */
export const apiModerationInputSchema = z.strictObject({
  ids: z
    .array(z.int(idsMessage).min(1, idsMessage).max(MAX_ID, idsMessage), { message: idsMessage })
    .min(1, 'Choose at least one comment.')
    .max(MAX_MODERATED_AT_ONCE, `Choose at most ${MAX_MODERATED_AT_ONCE} comments at a time.`)
    .describe(`The comments, at most ${MAX_MODERATED_AT_ONCE}.`),
  action: z
    .enum(apiModerationActions, { message: 'Use approve, hold, spam, trash or restore.' })
    .describe('approve: publish; hold: back to pending; spam: to Spam (the filter learns it); trash: to the trash (purged after 30 days); restore: publish a comment from Spam or the trash.'),
  reason: z.string({ message: 'Write the reason as text.' }).max(MODERATION_REASON_MAX, `Keep the reason under ${MODERATION_REASON_MAX} characters.`).optional().describe('In your words: on the writer’s timeline (People), and among the reasons of a comment held, sent to spam or trashed.'),
});

/** POST /api/comments/{id}/restore (the body is optional). */
export const apiRestoreInputSchema = z.strictObject({
  reason: apiModerationInputSchema.shape.reason,
});

const secretField = z.string({ message: 'Send the edit secret you were given as text.' }).min(1, 'Send the edit secret you were given.').max(200, 'That is not an edit secret.').describe('The `edit_secret` the comment was answered with.');

/** PATCH /api/comments/{id}/own: the writer changes their comment in the edit window. */
export const apiOwnEditInputSchema = z.strictObject({
  secret: secretField,
  body: z.string({ message: 'Write the comment as text.' }).meta({ maxLength: 10_000 }).describe('The new text, in Markdown. New links or disallowed words may hold it again.'),
});

/** POST /api/comments/{id}/own/withdraw: the writer takes it back in the edit window. */
export const apiOwnWithdrawInputSchema = z.strictObject({ secret: secretField });

/** POST /api/comments/spam/delete. */
export const apiDeleteSpamInputSchema = z.strictObject({
  ids: apiModerationInputSchema.shape.ids.describe(`Comments in Spam, at most ${MAX_MODERATED_AT_ONCE}; others named are left alone.`),
});

const postRefSchema = z.object({ id: z.int(), title: z.string(), slug: z.string(), url: z.url() });

/** A comment as staff see it in the inbox. */
export const apiCommentSchema = z.object({
  id: z.int(),
  post_id: z.int(),
  parent_id: z.int().nullable(),
  status: z.enum(commentStatuses),
  source: z.string().describe('form, api, admin, import, webmention or activitypub.'),
  person_id: z.int().nullable().describe('The writer in People; null for the team’s own replies.'),
  user_id: z.int().nullable().describe('The team member who wrote it, if one did.'),
  author_name: z.string(),
  author_email: z.string().describe('Never shown on the site; empty for webmentions and fediverse replies.'),
  author_url: z.string().nullable(),
  markdown: z.string(),
  html: z.string().describe('Sanitised HTML.'),
  moderation_reasons: z.array(z.string()).describe('Why it was held or sent to spam, in words.'),
  spam_score: z.number().nullable().describe('The spam filter’s probability, when it was asked.'),
  ip: z.string().nullable(),
  created_at: isoDateTime,
  edited_at: isoDateTime.nullable(),
  status_changed_at: isoDateTime,
  url: z.url().nullable().describe('Its place on the site, once published.'),
});
export type ApiComment = z.output<typeof apiCommentSchema>;

const revisionSchema = z.object({
  markdown: z.string().describe('The text before the change.'),
  parent_id: z.int().nullable().describe('Where it sat before the change.'),
  editor: z.string().describe('Who changed it.'),
  edited_by: z.int().nullable().describe('The team member, or null when its writer did.'),
  created_at: isoDateTime,
});

export const apiCommentDetailSchema = apiCommentSchema.extend({
  post: postRefSchema,
  history: z.array(revisionSchema).describe('What it was before each edit, oldest first.'),
});
export type ApiCommentDetail = z.output<typeof apiCommentDetailSchema>;

export const apiCommentListSchema = z.object({
  comments: z.array(apiCommentSchema).describe('Newest first.'),
  next_cursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page.'),
});

export const apiCommentFormSchema = z.object({
  open: z.boolean().describe('Whether the post takes comments now.'),
  closed_reason: z.string().nullable().describe('Why not, in words, when closed.'),
  form_token: z.string().describe('Send back as `form_token`; valid for a day, for this post.'),
  min_submit_seconds: z.int().describe('A comment sent sooner than this after the token was issued is held for review.'),
  edit_window_minutes: z.int().describe('How long the writer may change or delete their comment with its edit secret.'),
  honeypot_field: z.literal('honeypot').describe('The field your form must carry hidden and empty.'),
});

export const apiReaderCommentResultSchema = z.object({
  comment: z.object({
    id: z.int(),
    post_id: z.int(),
    parent_id: z.int().nullable(),
    status: z
      .enum(['approved', 'held', 'not_published'])
      .describe('approved: published; held: waiting for the author; not_published: set aside by the spam checks (which one is not said; the author may still let it through).'),
    author_name: z.string(),
    html: z.string(),
    created_at: isoDateTime,
    url: z.url().nullable().describe('Its place on the site, once published.'),
  }),
  message: z.string().describe('What to tell the writer, as the form says it.'),
  edit_secret: z.string().nullable().describe('Keep it where the writer commented: it lets them change or delete the comment until `editable_until`. Null for the team’s own comments.'),
  editable_until: isoDateTime.nullable(),
  confirmation_sent_to: z.string().nullable().describe('The address asked to confirm itself before the mails subscribed to are sent.'),
});

export const apiOwnCommentSchema = z.object({
  id: z.int(),
  post_id: z.int(),
  parent_id: z.int().nullable(),
  status: apiReaderCommentResultSchema.shape.comment.shape.status,
  html: z.string(),
  edited_at: isoDateTime.nullable(),
  editable_until: isoDateTime,
});

export const apiDeleteSpamResultSchema = z.object({
  deleted: z.array(z.int()).describe('Deleted for good, after the filter learned each.'),
  kept: z.array(z.int()).describe('In Spam but answered by a kept comment: they stay (learned).'),
});

export const apiEmptySpamResultSchema = z.object({ deleted: z.int(), kept: z.int() });

export const apiReplyResultSchema = z.object({
  reply: apiCommentSchema,
  parent: apiCommentSchema.describe('The comment answered; approved first when it was held.'),
});

export const apiModerationResultSchema = z.object({
  action: z.enum(apiModerationActions),
  changed: z.array(z.int()).describe('The comments whose status changed.'),
  unchanged: z.array(z.int()).describe('The comments that already had that status.'),
  comments: z.array(apiCommentSchema).describe('Every comment named, as they are now.'),
});

export const apiModerationCountsSchema = z.object({
  pending: z.int(),
  approved: z.int(),
  spam: z.int(),
  trash: z.int(),
  waiting: z.int().describe('Conversations whose latest published comment is a reader’s (“waiting for you”).'),
});

export const apiWaitingSchema = z.object({
  conversations: z
    .array(z.object({ comment: apiCommentSchema.describe('The reader’s comment waiting for an answer.'), parent: apiCommentSchema.nullable().describe('The comment it answers, if any.'), post: postRefSchema }))
    .describe('Oldest first.'),
  total: z.int().describe('Conversations waiting, over all of them.'),
});

function commentSchemas(): Record<string, JsonSchema> {
  const uri = (id: string) => `#/components/schemas/${id}`;
  const responses = z.registry<{ id: string }>();
  responses.add(apiCommentSchema, { id: 'Comment' });
  responses.add(apiCommentDetailSchema, { id: 'CommentDetail' });
  responses.add(apiCommentListSchema, { id: 'CommentList' });
  responses.add(apiCommentFormSchema, { id: 'CommentForm' });
  responses.add(apiReaderCommentResultSchema, { id: 'ReaderCommentResult' });
  responses.add(apiReplyResultSchema, { id: 'ReplyResult' });
  responses.add(apiOwnCommentSchema, { id: 'OwnComment' });
  responses.add(apiDeleteSpamResultSchema, { id: 'DeleteSpamResult' });
  responses.add(apiEmptySpamResultSchema, { id: 'EmptySpamResult' });
  responses.add(apiModerationResultSchema, { id: 'ModerationResult' });
  responses.add(apiModerationCountsSchema, { id: 'ModerationCounts' });
  responses.add(apiWaitingSchema, { id: 'Waiting' });
  const requests = z.registry<{ id: string }>();
  requests.add(apiReaderCommentInputSchema, { id: 'ReaderCommentInput' });
  requests.add(apiReplyInputSchema, { id: 'ReplyInput' });
  requests.add(apiCommentPatchSchema, { id: 'CommentPatch' });
  requests.add(apiModerationInputSchema, { id: 'ModerationInput' });
  requests.add(apiRestoreInputSchema, { id: 'RestoreInput' });
  requests.add(apiOwnEditInputSchema, { id: 'OwnEditInput' });
  requests.add(apiOwnWithdrawInputSchema, { id: 'OwnWithdrawInput' });
  requests.add(apiDeleteSpamInputSchema, { id: 'DeleteSpamInput' });
  const output = tidy(z.toJSONSchema(responses, { target: 'draft-2020-12', io: 'output', uri }).schemas, true) as Record<string, JsonSchema>;
  const input = tidy(z.toJSONSchema(requests, { target: 'draft-2020-12', io: 'input', uri }).schemas, false) as Record<string, JsonSchema>;
  return { ...output, ...input };
}

const pathId = (description: string) => ({ name: 'id', in: 'path', required: true, description, schema: { type: 'integer', minimum: 1 } });
const commentId = pathId('The comment’s numeric id.');
const postId = pathId('The post’s numeric id.');

const readErrors = { '401': response('Unauthenticated'), '403': response('Forbidden') };
const bodyErrors = { '400': response('InvalidJson'), '413': response('PayloadTooLarge'), '415': response('UnsupportedMediaType'), '422': response('ValidationFailed') };
const common = { tags: ['comments'] };
/** Editing or answering: one's own with `write`; another's (or a held comment, which the answer approves) with `moderate`. */
const writeOrModerate = [...tokenWith('write'), ...tokenWith('moderate')];

/** The comments part of /api/openapi.json. */
export const commentsOpenApi: OpenApiSection = {
  tags: [
    {
      name: 'comments',
      description:
        'The conversation: readers comment through the same spam defence and moderation policy as the form (no token); the team lists, reads, ' +
        'answers, edits and moderates as in Admin → Comments. The owner and moderators reach every comment; an author the comments on their own posts.',
    },
  ],
  schemas: commentSchemas,
  paths: {
    '/api/comments': {
      get: {
        ...common,
        operationId: 'listComments',
        security: tokenWith('read'),
        summary: 'List comments (the moderation inbox)',
        description: 'Newest first, a page at a time (follow `next_cursor`; a comment written meanwhile never shifts a page), filtered by status, post, person, text and time. Scope read.',
        parameters: queryParameters(apiCommentQuerySchema),
        responses: { '200': { description: 'A page of comments.', content: json(ref('CommentList')) }, ...readErrors, '422': response('ValidationFailed') },
      },
    },
    '/api/comments/{id}': {
      get: {
        ...common,
        operationId: 'getComment',
        security: tokenWith('read'),
        summary: 'Read a comment, with its history',
        description: 'Scope read.',
        parameters: [commentId],
        responses: { '200': { description: 'The comment.', content: json(ref('CommentDetail')) }, ...readErrors, '404': response('NotFound') },
      },
      patch: {
        ...common,
        operationId: 'updateComment',
        security: writeOrModerate,
        summary: 'Edit a comment or move it',
        description:
          'Its text, and its place: under another published comment of the same post, or to the top level, with its replies. What it said and where it sat are kept in its history. ' +
          'Scope moderate (write for the token user’s own reply).',
        parameters: [commentId],
        requestBody: { required: true, content: json(ref('CommentPatch')) },
        responses: { '200': { description: 'The comment as saved.', content: json(ref('CommentDetail')) }, ...bodyErrors, ...writeErrors, '404': response('NotFound') },
      },
    },
    '/api/comments/{id}/replies': {
      post: {
        ...common,
        operationId: 'replyToComment',
        security: writeOrModerate,
        summary: 'Answer a comment as the team',
        description:
          'Published at once under the token’s user; the reader is mailed when they asked for replies. A held comment is approved first (as in the admin, which needs scope moderate too); ' +
          'a comment in Spam or the trash must be restored first (409). Scope write.',
        parameters: [commentId],
        requestBody: { required: true, content: json(ref('ReplyInput')) },
        responses: {
          '201': { description: 'The reply and the comment it answers.', headers: { Location: { description: 'The reply in the API.', schema: { type: 'string', format: 'uri' } } }, content: json(ref('ReplyResult')) },
          ...bodyErrors,
          ...writeErrors,
          '404': response('NotFound'),
          '409': response('Conflict'),
        },
      },
    },
    '/api/comments/{id}/restore': {
      post: {
        ...common,
        operationId: 'restoreComment',
        security: tokenWith('moderate'),
        summary: 'Restore a comment from Spam or the trash',
        description: 'It is published again (the filter unlearns a spam decision). A comment in neither gets 409. Scope moderate.',
        parameters: [commentId],
        requestBody: { required: false, content: json(ref('RestoreInput')) },
        responses: { '200': { description: 'The comment, published.', content: json(ref('CommentDetail')) }, ...bodyErrors, ...writeErrors, '404': response('NotFound'), '409': response('Conflict') },
      },
    },
    '/api/comments/moderation': {
      post: {
        ...common,
        operationId: 'moderateComments',
        security: tokenWith('moderate'),
        summary: 'Approve, hold, send to spam, trash or restore comments in bulk',
        description:
          'All or nothing: every id must exist (404 names those that do not) and be in the token user’s reach (403), and the change is one transaction. ' +
          'Approving mails subscribers; spam and approve decisions train the filter. Scope moderate.',
        requestBody: { required: true, content: json(ref('ModerationInput')) },
        responses: { '200': { description: 'What changed.', content: json(ref('ModerationResult')) }, ...bodyErrors, ...writeErrors, '404': response('NotFound') },
      },
    },
    '/api/comments/spam/delete': {
      post: {
        ...common,
        operationId: 'deleteSpam',
        security: tokenWith('moderate'),
        summary: 'Delete comments in Spam for good',
        description: 'The filter learns each first, in the same transaction; one a kept comment answers stays. Cannot be undone. Scope moderate.',
        requestBody: { required: true, content: json(ref('DeleteSpamInput')) },
        responses: { '200': { description: 'What was deleted and kept.', content: json(ref('DeleteSpamResult')) }, ...bodyErrors, ...writeErrors, '404': response('NotFound') },
      },
    },
    '/api/comments/spam/empty': {
      post: {
        ...common,
        operationId: 'emptySpam',
        security: tokenWith('moderate'),
        summary: 'Empty Spam',
        description: 'Every comment in Spam within the token user’s reach, deleted for good as above. Scope moderate.',
        responses: { '200': { description: 'How many were deleted and kept.', content: json(ref('EmptySpamResult')) }, ...writeErrors },
      },
    },
    '/api/comments/{id}/own': {
      patch: {
        tags: ['comments'],
        operationId: 'editOwnComment',
        summary: 'The writer changes their comment',
        description: 'With the comment’s edit secret, inside the edit window; no token. The earlier text is kept in its history; new links or disallowed words hold a published comment again.',
        security: tokenOptionalWith('write'),
        parameters: [commentId],
        requestBody: { required: true, content: json(ref('OwnEditInput')) },
        responses: { '200': { description: 'The comment as saved.', content: json(ref('OwnComment')) }, ...bodyErrors, '401': response('Unauthenticated'), '403': response('Forbidden'), '404': response('NotFound') },
      },
    },
    '/api/comments/{id}/own/withdraw': {
      post: {
        tags: ['comments'],
        operationId: 'withdrawOwnComment',
        summary: 'The writer takes their comment back',
        description: 'With the comment’s edit secret, inside the edit window; no token. It goes to the trash (a moderator can restore it).',
        security: tokenOptionalWith('write'),
        parameters: [commentId],
        requestBody: { required: true, content: json(ref('OwnWithdrawInput')) },
        responses: { '204': { description: 'Taken back.' }, ...bodyErrors, '401': response('Unauthenticated'), '403': response('Forbidden'), '404': response('NotFound') },
      },
    },
    '/api/moderation/counts': {
      get: {
        ...common,
        operationId: 'getModerationCounts',
        security: tokenWith('read'),
        summary: 'The inbox counts',
        description: 'Comments per status and conversations waiting for an answer, within the token user’s reach. Scope read.',
        responses: { '200': { description: 'The counts.', content: json(ref('ModerationCounts')) }, ...readErrors },
      },
    },
    '/api/waiting': {
      get: {
        ...common,
        operationId: 'listWaiting',
        security: tokenWith('read'),
        summary: 'Waiting for you',
        description: 'Conversations whose latest published comment is a reader’s, oldest first, within the token user’s reach. Scope read.',
        parameters: queryParameters(apiWaitingQuerySchema),
        responses: { '200': { description: 'The conversations.', content: json(ref('Waiting')) }, ...readErrors, '422': response('ValidationFailed') },
      },
    },
    '/api/posts/{id}/comment-form': {
      get: {
        tags: ['comments'],
        operationId: 'getCommentForm',
        summary: 'What a comment form needs',
        description: 'A form token for the post (the same signed token the blog’s form carries), and whether comments are open. No token needed (a token that is sent must be valid: 401 otherwise); never cached.',
        security: tokenOptionalWith('read'),
        parameters: [postId],
        responses: { '200': { description: 'The form’s token and rules.', content: json(ref('CommentForm')) }, '401': response('Unauthenticated'), '404': response('NotFound') },
      },
    },
    '/api/posts/{id}/comments': {
      post: {
        tags: ['comments'],
        operationId: 'createComment',
        summary: 'Comment on a post',
        description:
          'Without a token, as a reader: name and email required; through the same defence as the form (honeypot, form token, rate limits per address, the spam filter, ' +
          'Akismet when configured), the moderation policy and People (the writer is found or added by email). The answer says where the comment went, never why. ' +
          'With a token (scope write): as the token’s user, published at once.',
        security: tokenOptionalWith('write'),
        parameters: [postId],
        requestBody: { required: true, content: json(ref('ReaderCommentInput')) },
        responses: {
          '201': { description: 'The comment and where it went.', content: json(ref('ReaderCommentResult')) },
          ...bodyErrors,
          '401': response('Unauthenticated'),
          '403': response('Forbidden'),
          '404': response('NotFound'),
          '429': response('RateLimited'),
        },
      },
    },
  },
};
