import { z } from 'zod';
import { json, ref, response, writeErrors, type OpenApiSection } from './openapi.ts';
import { bodyErrors, readErrors, scoped, sectionSchemas } from './openapi-shared.ts';

/**
 * The admin's own desk in the JSON API (routes/api-desk.ts): the editor's Markdown
 * preview, the home's summary (Admin's dashboard) and one's own profile (Admin → Profile).
 */

export const apiPreviewInputSchema = z.object({
  markdown: z.string().describe('The post’s Markdown, at most 500,000 characters.'),
});

export const apiPreviewSchema = z.object({
  html: z.string().describe('Sanitised HTML, as the post would be saved with (the same pipeline as publishing).'),
  excerpt: z.string().describe('The automatic excerpt: what lists and cards show when the author writes none.'),
  word_count: z.int().describe('Words of the text as readers see it.'),
  reading_minutes: z.int().describe('Minutes to read it (230 words a minute), at least 1.'),
});

const dashboardComment = z.object({
  id: z.int(),
  post_id: z.int(),
  author_name: z.string(),
  created_at: z.iso.datetime(),
});
const dashboardPost = z.object({ id: z.int(), title: z.string(), updated_at: z.iso.datetime(), published_at: z.iso.datetime().nullable() });
const postPart = z.object({ total: z.int(), posts: z.array(dashboardPost).describe('The newest few.') });

export const apiDashboardSchema = z.object({
  waiting_for_you: z.object({ total: z.int(), comments: z.array(dashboardComment).describe('The oldest few.') }).describe('Readers’ comments with no reply from the team yet (an author: on their own posts).'),
  held: z.object({ total: z.int(), comments: z.array(dashboardComment) }).describe('Comments held for a moderator, in the caller’s reach.'),
  recent_comments: z.array(dashboardComment).describe('Readers’ newest approved comments (the team’s own replies left out).'),
  drafts: postPart.nullable().describe('The caller’s drafts (the owner: everyone’s); null for moderators.'),
  scheduled: postPart.nullable().describe('Scheduled posts, likewise; null for moderators.'),
  mail: z.object({ pending: z.int(), failed: z.int() }).nullable().describe('The outbox: mail waiting and mail that failed (stuck); null for authors.'),
  failed_jobs: z.int().nullable().describe('Background jobs that gave up; null unless the owner.'),
});

export const apiMeSchema = z.object({
  id: z.int(),
  name: z.string(),
  email: z.string().describe('Changed in Admin → Profile only (see PATCH).'),
  slug: z.string().describe('The profile address: the author page is /author/{slug}.'),
  bio: z.string(),
  role: z.enum(['owner', 'author', 'moderator']),
  created_at: z.iso.datetime(),
});

export const apiMePatchSchema = z.strictObject({
  name: z.string({ message: 'Write the name as text.' }).optional(),
  slug: z.string({ message: 'Write the profile address as text.' }).optional(),
  bio: z.string({ message: 'Write the bio as text.' }).optional(),
  email: z.unknown().optional().describe('Refused: change the email address in Admin → Profile (a token able to move the sign-in address could take the account over).'),
});

const common = { tags: ['desk'] };

export const deskOpenApi: OpenApiSection = {
  tags: [{ name: 'desk', description: 'The editor’s Markdown preview, the home’s summary (what needs you now) and your own profile, as in the admin.' }],
  schemas: () => sectionSchemas({ Preview: apiPreviewSchema, Dashboard: apiDashboardSchema, Me: apiMeSchema }, { PreviewInput: apiPreviewInputSchema, MePatch: apiMePatchSchema }),
  paths: {
    '/api/preview': {
      post: {
        ...common,
        operationId: 'previewMarkdown',
        security: scoped('write'),
        summary: 'Render Markdown as a post would be, without saving',
        description: 'The editor’s live preview (owner and authors): the sanitised HTML, the automatic excerpt and the word count. Nothing is stored.',
        requestBody: { required: true, content: json(ref('PreviewInput')) },
        responses: { '200': { description: 'The rendered text.', content: json(ref('Preview')) }, ...writeErrors, ...bodyErrors },
      },
    },
    '/api/dashboard': {
      get: {
        ...common,
        operationId: 'getDashboard',
        security: scoped('read'),
        summary: 'What needs you now (the admin’s home)',
        description: 'The same parts as the admin’s home, each loaded for the roles it concerns: comments waiting for a reply and held ones, drafts and scheduled posts, stuck mail, failed jobs. A part that is not the caller’s is null.',
        responses: { '200': { description: 'The summary.', content: json(ref('Dashboard')) }, ...readErrors },
      },
    },
    '/api/me': {
      get: {
        ...common,
        operationId: 'getMe',
        security: scoped('read'),
        summary: 'Your own account',
        responses: { '200': { description: 'The token’s user.', content: json(ref('Me')) }, ...readErrors },
      },
      patch: {
        ...common,
        operationId: 'updateMe',
        security: scoped('write'),
        summary: 'Change your name, profile address or bio',
        description: 'The sent fields over the current ones, checked as Admin → Profile checks them (409 when another user has the address). The email address and the password are changed in the admin only.',
        requestBody: { required: true, content: json(ref('MePatch')) },
        responses: { '200': { description: 'The account as saved.', content: json(ref('Me')) }, '409': response('Conflict'), ...writeErrors, ...bodyErrors },
      },
    },
  },
};
