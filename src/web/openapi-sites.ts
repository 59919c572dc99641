import { z } from 'zod';
import { json, ref, response, writeErrors, type OpenApiSection } from './openapi.ts';
import { bodyErrors, pathId, readErrors, scoped, sectionSchemas } from './openapi-shared.ts';

/**
 * Admin → Sites in the JSON API (routes/api-sites.ts): the origins whose pages carry the
 * blog's comments, and each page's conversation (a thread). The owner's.
 */

/** The newest threads listed per site, as many as a page of the API can hold. */
export const THREADS_LISTED = 100;

export const apiSiteSchema = z.object({
  id: z.int(),
  origin: z.string().describe('scheme://host[:port], lower-cased.'),
  threads: z.int().describe('Pages of this origin with a conversation.'),
  created_at: z.iso.datetime({ offset: true }),
});
export const apiSiteListSchema = z.object({ sites: z.array(apiSiteSchema) });
export const apiSiteInputSchema = z.strictObject({ origin: z.string({ message: 'Write the address as text.' }).describe('The site’s address, scheme and host (and port), e.g. https://docs.example.com; an address with a path is refused.') });

export const apiSiteThreadSchema = z.object({
  id: z.int().describe('The conversation’s post id (type external).'),
  page_url: z.string(),
  origin: z.string(),
  title: z.string(),
  comments_mode: z.enum(['inherit', 'open', 'closed']).describe('inherit: as the comment settings say.'),
  approved_comments: z.int(),
  trashed: z.boolean(),
  created_at: z.iso.datetime({ offset: true }),
});
export const apiSiteThreadListSchema = z.object({ threads: z.array(apiSiteThreadSchema).describe(`Newest first, at most ${THREADS_LISTED}.`) });

export const apiSiteThreadPatchSchema = z.strictObject({
  title: z.string({ message: 'Write the title as text.' }).optional(),
  comments_mode: z.enum(['inherit', 'open', 'closed'], { message: 'Use inherit, open or closed.' }).optional(),
});

const common = { tags: ['sites'] };
const siteId = pathId('id', 'The site’s numeric id.');
const threadId = pathId('id', 'The conversation’s post id.');

export const sitesOpenApi: OpenApiSection = {
  tags: [{ name: 'sites', description: 'The other sites whose pages carry the blog’s comments, and their conversations: the owner’s, as Admin → Sites.' }],
  schemas: () =>
    sectionSchemas(
      { Site: apiSiteSchema, SiteList: apiSiteListSchema, SiteThread: apiSiteThreadSchema, SiteThreadList: apiSiteThreadListSchema },
      { SiteInput: apiSiteInputSchema, SiteThreadPatch: apiSiteThreadPatchSchema },
    ),
  paths: {
    '/api/sites': {
      get: { ...common, operationId: 'listSites', security: scoped('admin'), summary: 'The sites allowed to embed comments', responses: { '200': { description: 'The sites.', content: json(ref('SiteList')) }, ...readErrors } },
      post: {
        ...common,
        operationId: 'addSite',
        security: scoped('admin'),
        summary: 'Allow a site to embed comments',
        requestBody: { required: true, content: json(ref('SiteInput')) },
        responses: { '201': { description: 'The site.', content: json(ref('Site')) }, ...writeErrors, ...bodyErrors, '409': response('Conflict') },
      },
    },
    '/api/sites/{id}': {
      delete: {
        ...common,
        operationId: 'removeSite',
        security: scoped('admin'),
        summary: 'Stop a site embedding comments',
        description: 'Its pages stop showing comments. The conversations stay, and come back if the site is added again.',
        parameters: [siteId],
        responses: { '204': { description: 'Removed.' }, ...writeErrors, '404': response('NotFound') },
      },
    },
    '/api/sites/{id}/threads': {
      get: {
        ...common,
        operationId: 'listSiteThreads',
        security: scoped('admin'),
        summary: 'The site’s conversations',
        parameters: [siteId],
        responses: { '200': { description: 'The conversations.', content: json(ref('SiteThreadList')) }, ...readErrors, '404': response('NotFound') },
      },
    },
    '/api/sites/threads/{id}': {
      get: {
        ...common,
        operationId: 'getSiteThread',
        security: scoped('admin'),
        summary: 'One conversation',
        parameters: [threadId],
        responses: { '200': { description: 'The conversation.', content: json(ref('SiteThread')) }, ...readErrors, '404': response('NotFound') },
      },
      patch: {
        ...common,
        operationId: 'updateSiteThread',
        security: scoped('admin'),
        summary: 'Retitle a conversation, or open or close it',
        description: 'Changes what is sent. 409 for a conversation in the trash (restore it with POST /api/posts/{id}/restore).',
        parameters: [threadId],
        requestBody: { required: true, content: json(ref('SiteThreadPatch')) },
        responses: { '200': { description: 'The conversation as saved.', content: json(ref('SiteThread')) }, ...writeErrors, ...bodyErrors, '404': response('NotFound'), '409': response('Conflict') },
      },
      delete: {
        ...common,
        operationId: 'trashSiteThread',
        security: scoped('admin'),
        summary: 'Move a conversation to the trash',
        description: 'It is in GET /api/trash then, and can be restored or deleted forever there.',
        parameters: [threadId],
        responses: { '204': { description: 'In the trash.' }, ...writeErrors, '404': response('NotFound') },
      },
    },
  },
};
