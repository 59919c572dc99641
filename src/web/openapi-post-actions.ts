import { z } from 'zod';
import { MAX_ID } from '../core/ids.ts';
import { BULK_ACTIONS, BULK_MAX } from '../core/post-bulk.ts';
import { json, ref, response, writeErrors, type OpenApiSection } from './openapi.ts';
import { bodyErrors, pageShape, pagingShape, pathId, queryParameters, readErrors, scoped, sectionSchemas } from './openapi-shared.ts';

/**
 * What Admin → Posts does besides writing one post (routes/api-post-actions.ts): the trash
 * (list, restore, delete forever), duplicate, bulk actions, and each post's revisions.
 */

/** GET /api/trash. */
export const apiTrashQuerySchema = z.object({
  ...pagingShape,
  type: z.enum(['post', 'page'], { message: 'Use post or page.' }).optional().describe('Only posts or only pages; both when left out.'),
});

/** POST /api/posts/bulk: the rules (an action, 1 to 500 posts, a tag for `tag`) are the admin's, checked by core/post-bulk.ts. */
export const apiBulkInputSchema = z.strictObject({
  action: z.string({ message: `Use one of ${BULK_ACTIONS.join(', ')}.` }).describe(`One of ${BULK_ACTIONS.join(', ')}.`),
  ids: z
    .array(z.int({ message: 'Use the posts’ numeric ids.' }).min(1, 'Use the posts’ numeric ids.').max(MAX_ID, 'Use the posts’ numeric ids.'), { message: 'Send the posts’ ids as a list of numbers.' })
    .describe(`The posts’ ids, 1 to ${BULK_MAX}.`),
  tag: z.string({ message: 'Write the tag as text.' }).optional().describe('For `tag`: the tag’s name (made when new), at most 100 characters.'),
});

const bulkOutcomeSchema = z.object({
  id: z.int(),
  outcome: z.enum(['done', 'unchanged', 'refused']).describe('`unchanged`: already as asked (publishing a published or scheduled post, unpublishing a draft).'),
  reason: z
    .enum(['not-yours', 'role', 'trashed', 'missing'])
    .optional()
    .describe('When refused: another author’s post, the role may not write posts, in the trash, or no such post.'),
});

export const apiBulkResultSchema = z.object({
  action: z.enum(BULK_ACTIONS),
  done: z.int().describe('Posts changed.'),
  unchanged: z.int(),
  refused: z.int(),
  results: z.array(bulkOutcomeSchema).describe('One per distinct id, in the order sent.'),
});

const revisionAuthor = z.object({ id: z.int(), name: z.string() }).nullable().describe('Who saved it; null when that account is gone.');

export const apiRevisionSummarySchema = z.object({
  id: z.int(),
  title: z.string(),
  size: z.int().describe('Length of the Markdown, in characters.'),
  author: revisionAuthor,
  created_at: z.iso.datetime({ offset: true }),
});

export const apiRevisionListSchema = z.object({ revisions: z.array(apiRevisionSummarySchema).describe('Newest first; autosaves are not part of the history.') });

export const apiRevisionSchema = z.object({
  id: z.int(),
  post_id: z.int(),
  title: z.string(),
  markdown: z.string(),
  excerpt: z.string().describe('The excerpt the author wrote; empty: made from the text.'),
  author: revisionAuthor,
  created_at: z.iso.datetime({ offset: true }),
});

const postId = pathId('id', 'The post’s numeric id.');
const revisionId = pathId('revision', 'The revision’s numeric id.');
const common = { tags: ['posts'] };
const postAnswer = (description: string) => ({ description, content: json(ref('Post')) });

export const postActionsOpenApi: OpenApiSection = {
  tags: [],
  schemas: () =>
    sectionSchemas({ BulkResult: apiBulkResultSchema, RevisionList: apiRevisionListSchema, Revision: apiRevisionSchema }, { BulkInput: apiBulkInputSchema }),
  paths: {
    '/api/trash': {
      get: {
        ...common,
        operationId: 'listTrash',
        security: scoped('read'),
        summary: 'Posts and pages in the trash',
        description: 'The owner sees everyone’s, an author their own (as Admin → Trash); newest change first. Moderators are refused.',
        parameters: queryParameters(apiTrashQuerySchema),
        responses: { '200': { description: 'The trashed posts.', content: json(ref('PostList')) }, ...readErrors, '422': response('ValidationFailed') },
      },
    },
    '/api/trash/{id}': {
      delete: {
        ...common,
        operationId: 'purgePost',
        security: scoped('write'),
        summary: 'Delete a post in the trash forever',
        description: 'The post, its comments and its old addresses are deleted for good. 409 when the post is not in the trash.',
        parameters: [postId],
        responses: { '204': { description: 'Deleted forever.' }, ...writeErrors, '404': response('NotFound'), '409': response('Conflict') },
      },
    },
    '/api/posts/{id}/restore': {
      post: {
        ...common,
        operationId: 'restorePost',
        security: scoped('write'),
        summary: 'Take a post out of the trash',
        description: 'It comes back with the status it had (a published post is live again). 409 when it is not in the trash.',
        parameters: [postId],
        responses: { '200': postAnswer('The post, restored.'), ...writeErrors, '404': response('NotFound'), '409': response('Conflict') },
      },
    },
    '/api/posts/{id}/duplicate': {
      post: {
        ...common,
        operationId: 'duplicatePost',
        security: scoped('write'),
        summary: 'Copy a post into a new draft',
        description: 'A new draft with the post’s content, titled “Copy of …”, with an address of its own; the token’s user is its author.',
        parameters: [postId],
        responses: {
          '201': { description: 'The copy.', headers: { Location: { schema: { type: 'string', format: 'uri' } } }, content: json(ref('Post')) },
          ...writeErrors,
          '404': response('NotFound'),
        },
      },
    },
    '/api/posts/bulk': {
      post: {
        ...common,
        operationId: 'bulkPosts',
        security: scoped('write'),
        summary: 'Publish, unpublish, tag or trash many posts',
        description:
          'As Admin → Posts’ bulk actions: each post is tried on its own; those the token’s user may not change (another author’s, in the trash, missing) are refused with the reason and the rest are done. A bad request (unknown action, no ids, more than 500, no tag) changes nothing.',
        requestBody: { required: true, content: json(ref('BulkInput')) },
        responses: { '200': { description: 'What happened to each post.', content: json(ref('BulkResult')) }, ...writeErrors, ...bodyErrors },
      },
    },
    '/api/posts/{id}/revisions': {
      get: {
        ...common,
        operationId: 'listRevisions',
        security: scoped('read'),
        summary: 'A post’s saved versions',
        description: 'Each explicit save that changed the title, text or excerpt (as Admin → Posts → History).',
        parameters: [postId],
        responses: { '200': { description: 'The revisions.', content: json(ref('RevisionList')) }, ...readErrors, '404': response('NotFound') },
      },
    },
    '/api/posts/{id}/revisions/{revision}': {
      get: {
        ...common,
        operationId: 'getRevision',
        security: scoped('read'),
        summary: 'One saved version, with its text',
        parameters: [postId, revisionId],
        responses: { '200': { description: 'The revision.', content: json(ref('Revision')) }, ...readErrors, '404': response('NotFound') },
      },
    },
    '/api/posts/{id}/revisions/{revision}/restore': {
      post: {
        ...common,
        operationId: 'restoreRevision',
        security: scoped('write'),
        summary: 'Make a saved version the post’s text again',
        description: 'Saved as a new revision (the later ones stay in the history); the status is unchanged, so a published post shows the restored text. 409 for a post in the trash.',
        parameters: [postId, revisionId],
        responses: { '200': postAnswer('The post with the restored text.'), ...writeErrors, '404': response('NotFound'), '409': response('Conflict') },
      },
    },
  },
};
