import { z } from 'zod';
import { json, ref, writeErrors, type OpenApiSection } from './openapi.ts';
import { bodyErrors, readErrors, scoped, sectionSchemas } from './openapi-shared.ts';

/**
 * The comment policy (Admin → Comments → Settings) in the JSON API:
 * routes/api-comment-settings.ts. The ranges are core/comment-settings.ts's, checked there.
 */

export const apiCommentSettingsSchema = z.object({
  open: z.boolean().describe('Comments open on every post unless the post says otherwise.'),
  close_after_days: z.int().nullable().describe('Close a post’s comments this many days after it was published (1–3650); null: never.'),
  hold_all: z.boolean().describe('Hold every comment for a moderator.'),
  hold_first_comment: z.boolean().describe('Hold a person’s first comment; people with an approved comment are approved.'),
  max_links: z.int().describe('Hold comments with more links than this (0–100).'),
  disallowed_words: z.array(z.string()).describe('Whole words, any case, that send a comment to spam or hold it (at most 1,000, each under 100 characters).'),
  disallowed_action: z.enum(['spam', 'hold']),
  edit_window_minutes: z.int().describe('Minutes a commenter may edit or delete their own comment (0–1440).'),
  min_submit_seconds: z.int().describe('Seconds a person needs at least to write a comment; quicker forms are treated as bots (0–120).'),
  conversations_per_page: z.int().describe('Conversations per page of a thread (5–500).'),
  avatars: z.enum(['local', 'gravatar']).describe('local: initials on a colour; gravatar: Gravatar/Libravatar images (third-party requests).'),
});
export type ApiCommentSettings = z.output<typeof apiCommentSettingsSchema>;

/** PATCH /api/comment-settings: the sent fields over the current ones. */
export const apiCommentSettingsPatchSchema = z.strictObject({
  open: z.boolean({ message: 'Use true or false.' }).optional(),
  close_after_days: z.number({ message: 'Use a whole number of days, or null.' }).nullable().optional(),
  hold_all: z.boolean({ message: 'Use true or false.' }).optional(),
  hold_first_comment: z.boolean({ message: 'Use true or false.' }).optional(),
  max_links: z.number({ message: 'Use a whole number.' }).optional(),
  disallowed_words: z.array(z.string({ message: 'Write each word as text.' }), { message: 'Send a list of words.' }).optional(),
  disallowed_action: z.string({ message: 'Use spam or hold.' }).optional().describe('spam or hold.'),
  edit_window_minutes: z.number({ message: 'Use whole minutes.' }).optional(),
  min_submit_seconds: z.number({ message: 'Use whole seconds.' }).optional(),
  conversations_per_page: z.number({ message: 'Use a whole number.' }).optional(),
  avatars: z.string({ message: 'Use local or gravatar.' }).optional().describe('local or gravatar.'),
});

const common = { tags: ['comment-settings'] };

export const commentSettingsOpenApi: OpenApiSection = {
  tags: [{ name: 'comment-settings', description: 'When comments are open and what is held for a moderator: the owner changes it, moderators may read it (as Admin → Comments → Settings).' }],
  schemas: () => sectionSchemas({ CommentSettings: apiCommentSettingsSchema }, { CommentSettingsPatch: apiCommentSettingsPatchSchema }),
  paths: {
    '/api/comment-settings': {
      get: {
        ...common,
        operationId: 'getCommentSettings',
        security: scoped('read'),
        summary: 'The comment policy',
        responses: { '200': { description: 'The settings.', content: json(ref('CommentSettings')) }, ...readErrors },
      },
      patch: {
        ...common,
        operationId: 'updateCommentSettings',
        security: scoped('admin'),
        summary: 'Change the comment policy',
        description: 'Changes what is sent; the rest stays. Checked as the admin’s form is: a 422 names each field out of range, and nothing is saved.',
        requestBody: { required: true, content: json(ref('CommentSettingsPatch')) },
        responses: { '200': { description: 'The settings as saved.', content: json(ref('CommentSettings')) }, ...writeErrors, ...bodyErrors },
      },
    },
  },
};
