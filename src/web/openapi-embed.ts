import { z } from 'zod';
import { PAGE_TITLE_MAX, PAGE_URL_MAX } from '../core/embeds.ts';
import { MAX_ID } from '../core/ids.ts';
import { errorResponse, isoDateTime, json, ref, response, tidy, type JsonSchema, type OpenApiSection } from './openapi.ts';

/**
 * Comments on other sites in the JSON API (routes/api-embed.ts): what `<kumbaya-comments>`
 * (assets/embed-comments.js) reads and sends from a page of a registered site. No token:
 * readers are anonymous, as on the blog; browsers reach these addresses only from the
 * sites the owner registered (CORS), and comments pass the same spam defence and policy.
 */

const pageUrl = z
  .string({ message: 'Give the page’s address as text.' })
  .min(1, 'Give the page’s address.')
  .max(PAGE_URL_MAX, `The page’s address is longer than ${PAGE_URL_MAX} characters.`)
  .describe('The page’s address (its canonical link, else its location). It must be on a registered site; the fragment and utm_… parameters are dropped.');

/** POST /api/embed/threads. */
export const apiEmbedThreadInputSchema = z.strictObject({
  url: pageUrl,
  title: z
    .string({ message: 'Give the page’s title as text.' })
    .max(1000, 'The title is too long.')
    .optional()
    .describe(
      `The page’s title (at most ${PAGE_TITLE_MAX} characters are kept): the thread’s title when it is made; later, a different title sent by a browser on the page’s own site (Origin) renames the thread, at most 10 times a day per thread and 30 an hour per address, each change kept in the thread’s history.`,
    ),
  own: z
    .array(z.strictObject({ id: z.int().min(1).max(MAX_ID), secret: z.string().max(200) }), { message: 'List the comments this browser wrote as [{"id", "secret"}].' })
    .max(50, 'At most 50 of your own comments.')
    .optional()
    .describe('Comments this browser wrote, with their edit secrets: those still held for approval are shown back to their writer only, and those still in the edit window are marked editable.'),
});
export type ApiEmbedThreadInput = z.output<typeof apiEmbedThreadInputSchema>;

/** POST /api/embed/threads/{id}/comments. */
export const apiEmbedCommentInputSchema = z.strictObject({
  parent_id: z.int().min(1).max(MAX_ID).nullable().optional().describe('The comment answered; left out for a new conversation.'),
  name: z.string({ message: 'Write your name as text.' }).max(200).optional().describe('As on the blog’s form (the site’s settings say whether it is required).'),
  email: z.string({ message: 'Write your email as text.' }).max(300).optional().describe('Never shown; recognises the person and is where replies are sent if asked.'),
  website: z.string({ message: 'Write your website as text.' }).max(400).optional(),
  body: z.string({ message: 'Write your comment as text.' }).max(20_000).describe('The comment, in the commenters’ Markdown subset.'),
  honeypot: z.string().max(1000).optional().describe('The field people never see: leave it empty.'),
  form_token: z.string().max(200).optional().describe('The `form_token` of the thread, as given: it proves the form was fetched, and not a moment ago.'),
  subscribe_replies: z.boolean().optional().describe('Email me replies to this comment (after confirming the address).'),
  subscribe_post: z.boolean().optional().describe('Email me every new comment in this thread (after confirming the address).'),
});
export type ApiEmbedCommentInput = z.output<typeof apiEmbedCommentInputSchema>;

/** PATCH /api/embed/comments/{id}. */
export const apiEmbedEditInputSchema = z.strictObject({
  secret: z.string().min(1, 'Send the secret this browser got with the comment.').max(200),
  body: z.string({ message: 'Write your comment as text.' }).max(20_000),
});

/** DELETE /api/embed/comments/{id}. */
export const apiEmbedDeleteInputSchema = z.strictObject({
  secret: z.string().min(1, 'Send the secret this browser got with the comment.').max(200),
});

export const apiEmbedCommentSchema = z.object({
  id: z.int(),
  parent_id: z.int().nullable(),
  depth: z.int().describe('0 for a new conversation, 1 for a reply to it, and so on.'),
  author_name: z.string(),
  author_url: z.string().nullable(),
  html: z.string().describe('Sanitised HTML of the comment.'),
  created_at: isoDateTime,
  edited_at: isoDateTime.nullable(),
  staff: z.boolean().describe('Written by someone of the blog’s team, signed in.'),
  status: z.enum(['approved', 'pending', 'not-published']).describe('Anything but `approved` is only ever shown to its writer.'),
  editable_until: isoDateTime.nullable().describe('Until when this browser may change it (only for the writer’s own comments).'),
  markdown: z.string().optional().describe('The text as written: only for the writer’s own comment, while they may change it.'),
  avatar: z
    .object({
      initials: z.string().describe('Up to two letters, from the author’s name.'),
      colour: z.int().min(0).max(7).describe('One of eight colours, picked from a hash of the author’s email (as on the blog).'),
      image: z.string().nullable().describe('A Gravatar image when the blog’s avatar setting says so; null: show the initials.'),
    })
    .describe('The author’s picture, as the blog shows it.'),
});
export type ApiEmbedComment = z.output<typeof apiEmbedCommentSchema>;

export const apiEmbedThreadSchema = z.object({
  thread: z.object({
    id: z.int().describe('The thread’s post id.'),
    url: z.url().describe('The thread on the blog, for readers without JavaScript and for sharing.'),
    page_url: z.string().describe('The page’s address as the thread keeps it.'),
    title: z.string(),
    comments_open: z.boolean(),
    closed_message: z.string().nullable().describe('Why comments are closed, in words; null while open.'),
    feed_url: z.url().describe('The thread’s comments as an Atom feed.'),
  }),
  comments: z
    .array(apiEmbedCommentSchema)
    .describe('The first page of conversations in the blog’s order (oldest first; each conversation whole: its approved comments, oldest first), then the writer’s own held ones (from `own`).'),
  next: z.string().nullable().describe('Cursor of the next page (`GET /api/embed/threads/{id}/comments?after=`), or null when this is all.'),
  comment_count: z.int().describe('Approved comments of the whole thread.'),
  form_token: z.string().describe('Send it back with a comment.'),
  edit_window_minutes: z.int(),
  live_url: z.url().describe('Server-sent events: `comment` (data `{"id"}`) for each comment approved from now on; `ready`, `missed`, `ping`.'),
});
export type ApiEmbedThread = z.output<typeof apiEmbedThreadSchema>;

export const apiEmbedPageSchema = z.object({
  comments: z.array(apiEmbedCommentSchema).describe('The next conversations, each whole, in the blog’s order.'),
  next: z.string().nullable().describe('Cursor of the page after this one, or null.'),
});
export type ApiEmbedPage = z.output<typeof apiEmbedPageSchema>;

export const apiEmbedSubmitResultSchema = z.object({
  comment: apiEmbedCommentSchema,
  message: z.string().describe('What to tell the writer: published, waiting for approval, or set aside.'),
  edit_secret: z.string().nullable().describe('Keep it in this browser (the page’s localStorage) to change the comment within the edit window.'),
  confirmation_sent_to: z.string().nullable().describe('An address asked to confirm before mail is sent to it.'),
});

export const apiEmbedDeletedSchema = z.object({ deleted: z.literal(true) });

function embedSchemas(): Record<string, JsonSchema> {
  const uri = (id: string) => `#/components/schemas/${id}`;
  const responses = z.registry<{ id: string }>();
  responses.add(apiEmbedCommentSchema, { id: 'EmbedComment' });
  responses.add(apiEmbedThreadSchema, { id: 'EmbedThread' });
  responses.add(apiEmbedPageSchema, { id: 'EmbedPage' });
  responses.add(apiEmbedSubmitResultSchema, { id: 'EmbedSubmitResult' });
  responses.add(apiEmbedDeletedSchema, { id: 'EmbedDeleted' });
  const requests = z.registry<{ id: string }>();
  requests.add(apiEmbedThreadInputSchema, { id: 'EmbedThreadInput' });
  requests.add(apiEmbedCommentInputSchema, { id: 'EmbedCommentInput' });
  requests.add(apiEmbedEditInputSchema, { id: 'EmbedEditInput' });
  requests.add(apiEmbedDeleteInputSchema, { id: 'EmbedDeleteInput' });
  const output = tidy(z.toJSONSchema(responses, { target: 'draft-2020-12', io: 'output', uri }).schemas, true) as Record<string, JsonSchema>;
  const input = tidy(z.toJSONSchema(requests, { target: 'draft-2020-12', io: 'input', uri }).schemas, false) as Record<string, JsonSchema>;
  return { ...output, ...input };
}

const pathId = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'integer', minimum: 1 } });
const threadId = pathId('id', 'The thread’s id (`thread.id`).');
const commentId = pathId('id', 'The comment’s id.');
const originHeader = {
  name: 'Origin',
  in: 'header',
  required: false,
  description: 'Sent by browsers. It must be a registered site (Admin → Sites), and for a thread the page’s own origin; otherwise 403 without CORS headers.',
  schema: { type: 'string' },
};
const corsHeaders = {
  'Access-Control-Allow-Origin': { description: 'The request’s Origin, when it is a registered site.', schema: { type: 'string' } },
  Vary: { description: 'Origin.', schema: { type: 'string' } },
};
const errorBody = errorResponse;
const own: Record<string, unknown> = {
  '403': errorBody('Not from a registered site (or the page is not on the Origin’s site), comments closed on the thread, or the edit secret is wrong or its window has passed.'),
  '429': errorBody('Too many comments or new threads from this address or email; wait and retry.', { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } }),
  '503': errorBody('The database cannot write now, or this instance holds as many live streams as it may; retry later.', { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } }),
};
// No token is needed; one sent anyway must be valid (401), as everywhere under /api.
const errors = (...codes: Array<'400' | '403' | '404' | '413' | '415' | '422' | '429' | '503'>) =>
  Object.fromEntries(
    ['401' as const, ...codes].map((code) => {
      if (code === '401') return [code, response('Unauthenticated')];
      if (own[code]) return [code, own[code]];
      const name = { '400': 'InvalidJson', '404': 'NotFound', '413': 'PayloadTooLarge', '415': 'UnsupportedMediaType', '422': 'ValidationFailed' }[code as '400' | '404' | '413' | '415' | '422'];
      return [code, response(name)];
    }),
  );
const bodyErrors = errors('400', '413', '415', '422');
const common = { tags: ['embed'], security: [{}] };
const preflight = (summary: string) => ({
  ...common,
  operationId: undefined as string | undefined,
  summary,
  description: 'CORS preflight: answered 204 with the allowed methods and headers for a registered site’s Origin, 403 for any other.',
  parameters: [originHeader],
  responses: {
    '204': {
      description: 'The Origin is a registered site.',
      headers: {
        ...corsHeaders,
        'Access-Control-Allow-Methods': { description: 'GET, POST, PATCH, DELETE.', schema: { type: 'string' } },
        'Access-Control-Allow-Headers': { description: 'Content-Type, Last-Event-ID.', schema: { type: 'string' } },
        'Access-Control-Max-Age': { description: 'Seconds the answer may be reused.', schema: { type: 'string' } },
      },
    },
    ...errors('403'),
  },
});

/** The embed part of /api/openapi.json. */
export const embedOpenApi: OpenApiSection = {
  tags: [{ name: 'embed', description: 'Comments on pages of other sites (the `<kumbaya-comments>` element): anonymous, only from registered sites.' }],
  schemas: embedSchemas,
  paths: {
    '/api/embed/threads': {
      post: {
        ...common,
        operationId: 'openEmbedThread',
        summary: 'Open a page’s thread',
        description:
          'Finds the page’s thread, or makes it (a post of type `external`, never listed on the blog) the first time: at most 60 new threads an hour from one address. ' +
          'Answers its first page of conversations, a form token and the live stream’s address. A thread the owner moved to the trash: 404.',
        parameters: [originHeader],
        requestBody: { required: true, content: json(ref('EmbedThreadInput')) },
        responses: {
          '200': { description: 'The thread, which existed.', headers: corsHeaders, content: json(ref('EmbedThread')) },
          '201': { description: 'The thread, made now.', headers: corsHeaders, content: json(ref('EmbedThread')) },
          ...bodyErrors,
          ...errors('403', '404', '429', '503'),
        },
      },
      options: { ...preflight('CORS preflight for opening a thread'), operationId: 'preflightEmbedThreads' },
    },
    '/api/embed/threads/{id}/comments': {
      get: {
        ...common,
        operationId: 'listEmbedComments',
        summary: 'The next page of a thread’s conversations',
        description: 'Keyset paging in the blog’s order (oldest conversation first, as many per page as the blog’s setting), each conversation whole so replies stay under their comments.',
        parameters: [
          threadId,
          originHeader,
          { name: 'after', in: 'query', required: false, description: 'The `next` cursor of the page before (none: the first page).', schema: { type: 'string', pattern: '^[0-9a-z]{1,12}-[0-9a-z]{1,10}$' } },
        ],
        responses: { '200': { description: 'The page.', headers: corsHeaders, content: json(ref('EmbedPage')) }, ...errors('403', '404', '422') },
      },
      post: {
        ...common,
        operationId: 'addEmbedComment',
        summary: 'Comment on a thread',
        description: 'Through the blog’s comment service: the same required fields, honeypot, form token, rate limits (429 with Retry-After), spam checks, moderation and notifications.',
        parameters: [threadId, originHeader],
        requestBody: { required: true, content: json(ref('EmbedCommentInput')) },
        responses: {
          '201': { description: 'Saved: published, held for approval, or set aside (`comment.status`).', headers: corsHeaders, content: json(ref('EmbedSubmitResult')) },
          ...bodyErrors,
          ...errors('403', '404', '429', '503'),
        },
      },
      options: { ...preflight('CORS preflight for commenting'), operationId: 'preflightEmbedComments', parameters: [threadId, originHeader] },
    },
    '/api/embed/threads/{id}/live': {
      get: {
        ...common,
        operationId: 'followEmbedThread',
        summary: 'Comments approved from now on, live',
        description: 'Server-sent events, as the blog’s own pages get them; `Last-Event-ID` resumes after a reconnect. Past the instance’s cap: 503 with Retry-After.',
        parameters: [threadId, originHeader, { name: 'Last-Event-ID', in: 'header', required: false, description: 'The last event id received.', schema: { type: 'string' } }],
        responses: {
          '200': { description: 'The stream.', headers: corsHeaders, content: { 'text/event-stream': { schema: { type: 'string' } } } },
          ...errors('403', '404', '503'),
        },
      },
    },
    '/api/embed/comments/{id}': {
      get: {
        ...common,
        operationId: 'getEmbedComment',
        summary: 'One approved comment of a thread',
        description: 'What a live `comment` event names, to show it.',
        parameters: [commentId, originHeader],
        responses: { '200': { description: 'The comment.', headers: corsHeaders, content: json(ref('EmbedComment')) }, ...errors('403', '404') },
      },
      patch: {
        ...common,
        operationId: 'editEmbedComment',
        summary: 'Change your comment',
        description: 'Within the edit window, with the secret this browser got; new links or words are checked again.',
        parameters: [commentId, originHeader],
        requestBody: { required: true, content: json(ref('EmbedEditInput')) },
        responses: { '200': { description: 'The comment as saved.', headers: corsHeaders, content: json(ref('EmbedComment')) }, ...bodyErrors, ...errors('403', '404', '503') },
      },
      delete: {
        ...common,
        operationId: 'deleteEmbedComment',
        summary: 'Delete your comment',
        parameters: [commentId, originHeader],
        requestBody: { required: true, content: json(ref('EmbedDeleteInput')) },
        responses: { '200': { description: 'Deleted.', headers: corsHeaders, content: json(ref('EmbedDeleted')) }, ...bodyErrors, ...errors('403', '404', '503') },
      },
      options: { ...preflight('CORS preflight for a comment'), operationId: 'preflightEmbedComment', parameters: [commentId, originHeader] },
    },
  },
};
