import { z } from 'zod';
import { json, ref, response, writeErrors, type OpenApiSection } from './openapi.ts';
import { bodyErrors, pageShape, pagingShape, pathId, queryParameters, readErrors, scoped, sectionSchemas } from './openapi-shared.ts';

/**
 * The rest of Admin → Fediverse in the JSON API (routes/api-fediverse-settings.ts): the
 * account's settings, private mentions, importing a domain-block list. The owner's.
 */

/** The admin's limit on a domain-block file. */
export const MAX_BLOCK_LIST = 1024 * 1024;

export const apiFediverseSettingsSchema = z.object({
  handle: z.string().describe('The blog’s fediverse address, @name@host.'),
  approve_followers: z.boolean().describe('Follow requests wait for the owner’s approval.'),
  mail_private_mentions: z.boolean().describe('Email the owner when a private mention arrives.'),
  quote_policy: z.enum(['accept', 'refuse']).describe('How quote requests are answered.'),
});

export const apiFediverseSettingsPatchSchema = z.strictObject({
  approve_followers: z.boolean({ message: 'Use true or false.' }).optional(),
  mail_private_mentions: z.boolean({ message: 'Use true or false.' }).optional(),
  quote_policy: z.enum(['accept', 'refuse'], { message: 'Choose whether quote requests are accepted or refused.' }).optional(),
});

export const apiMentionQuerySchema = z.object({ ...pagingShape });

export const apiMentionSchema = z.object({
  id: z.int(),
  note_id: z.string(),
  actor_uri: z.string(),
  name: z.string(),
  handle: z.string().nullable(),
  profile_url: z.string().nullable(),
  url: z.string().nullable(),
  visibility: z.enum(['followers', 'direct']),
  in_reply_to: z.string().nullable(),
  post_id: z.int().nullable().describe('The post it answered, when it answered one here.'),
  html: z.string().describe('Sanitised as a comment’s.'),
  person_id: z.int().nullable().describe('The person the sender is in Admin → People, if any.'),
  created_at: z.iso.datetime({ offset: true }),
  updated_at: z.iso.datetime({ offset: true }),
});
export const apiMentionListSchema = z.object({ mentions: z.array(apiMentionSchema).describe('Newest first.'), ...pageShape });

export const apiBlockImportInputSchema = z.strictObject({
  list: z
    .string({ message: 'Send the list as text.' })
    .min(1, 'Send Mastodon’s domain-block export (CSV) or a list of domains.')
    .max(MAX_BLOCK_LIST, 'The list is larger than 1 MB: a domain-block list is much smaller.')
    .describe('Mastodon’s domain-block export (CSV, only suspended domains are blocked) or one domain a line.'),
});
export const apiBlockImportSchema = z.object({
  added: z.int(),
  skipped: z.int().describe('Already blocked, listed twice, or only silenced in Mastodon.'),
  invalid: z.array(z.int()).describe('Line numbers (1-based) that named no domain.'),
});

const common = { tags: ['fediverse'] };

export const fediverseSettingsOpenApi: OpenApiSection = {
  tags: [],
  schemas: () =>
    sectionSchemas(
      { FediverseSettings: apiFediverseSettingsSchema, PrivateMention: apiMentionSchema, PrivateMentionList: apiMentionListSchema, BlockImport: apiBlockImportSchema },
      { FediverseSettingsPatch: apiFediverseSettingsPatchSchema, BlockImportInput: apiBlockImportInputSchema },
    ),
  paths: {
    '/api/fediverse/settings': {
      get: {
        ...common,
        operationId: 'getFediverseSettings',
        security: scoped('admin'),
        summary: 'The fediverse account’s settings',
        responses: { '200': { description: 'The settings.', content: json(ref('FediverseSettings')) }, ...readErrors },
      },
      patch: {
        ...common,
        operationId: 'updateFediverseSettings',
        security: scoped('admin'),
        summary: 'Change follower approval, mail on private mentions, the quote policy',
        description: 'Changes what is sent; the rest stays.',
        requestBody: { required: true, content: json(ref('FediverseSettingsPatch')) },
        responses: { '200': { description: 'The settings as saved.', content: json(ref('FediverseSettings')) }, ...writeErrors, ...bodyErrors },
      },
    },
    '/api/fediverse/mentions': {
      get: {
        ...common,
        operationId: 'listPrivateMentions',
        security: scoped('read'),
        summary: 'Private mentions (followers-only or direct notes) the blog received',
        parameters: queryParameters(apiMentionQuerySchema),
        responses: { '200': { description: 'The mentions.', content: json(ref('PrivateMentionList')) }, ...readErrors, '422': response('ValidationFailed') },
      },
    },
    '/api/fediverse/mentions/{id}': {
      delete: {
        ...common,
        operationId: 'deletePrivateMention',
        security: scoped('moderate'),
        summary: 'Delete a private mention',
        parameters: [pathId('id', 'The mention’s numeric id.')],
        responses: { '204': { description: 'Deleted.' }, ...writeErrors, '404': response('NotFound') },
      },
    },
    '/api/fediverse/blocks/import': {
      post: {
        ...common,
        operationId: 'importDomainBlocks',
        security: scoped('moderate'),
        summary: 'Block the domains of a list',
        description: 'As Admin → Fediverse → Import: Mastodon’s domain-block export or a list of domains; every domain is blocked in one transaction.',
        requestBody: { required: true, content: json(ref('BlockImportInput')) },
        responses: { '200': { description: 'What was added and skipped.', content: json(ref('BlockImport')) }, ...writeErrors, ...bodyErrors },
      },
    },
  },
};
