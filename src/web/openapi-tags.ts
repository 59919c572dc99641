import { z } from 'zod';
import { json, ref, response, writeErrors, type OpenApiSection } from './openapi.ts';
import { bodyErrors, pathId, readErrors, scoped, sectionSchemas } from './openapi-shared.ts';

/** Tags in the JSON API (routes/api-tags.ts): as Admin → Tags, for the owner and authors. */

const nameField = z.string({ message: 'Write the name as text.' }).meta({ minLength: 1, maxLength: 60 }).describe('As shown on posts, at most 60 characters.');
const slugField = z
  .string({ message: 'Write the address as text.' })
  .meta({ maxLength: 60 })
  .describe('The address (/tag/{slug}): lower-case letters, digits and single hyphens. Empty or left out: made from the name.');

/** POST /api/tags. */
export const apiTagInputSchema = z.strictObject({ name: nameField, slug: slugField.optional() });
/** PATCH /api/tags/{id}: what is left out stays (the address too, when only the name changes). */
export const apiTagPatchSchema = z.strictObject({ name: nameField.optional(), slug: slugField.optional() });

export const apiTagSchema = z.object({
  id: z.int(),
  name: z.string(),
  slug: z.string(),
  url: z.url().describe('The tag’s page on the site.'),
  post_count: z.int().describe('Published, public posts that carry it.'),
});
export type ApiTag = z.output<typeof apiTagSchema>;

export const apiTagListSchema = z.object({ tags: z.array(apiTagSchema).describe('By name.') });

const tagId = pathId('id', 'The tag’s numeric id.');
const common = { tags: ['tags'] };

export const tagsOpenApi: OpenApiSection = {
  tags: [{ name: 'tags', description: 'Tags with their post counts; create, rename, delete. For tokens of the owner and authors (as Admin → Tags).' }],
  schemas: () => sectionSchemas({ Tag: apiTagSchema, TagList: apiTagListSchema }, { TagInput: apiTagInputSchema, TagPatch: apiTagPatchSchema }),
  paths: {
    '/api/tags': {
      get: {
        ...common,
        operationId: 'listTags',
        security: scoped('read'),
        summary: 'Every tag, with how many published posts carry it',
        responses: { '200': { description: 'The tags.', content: json(ref('TagList')) }, ...readErrors },
      },
      post: {
        ...common,
        operationId: 'createTag',
        security: scoped('write'),
        summary: 'Create a tag',
        description: 'A tag on no post yet; writing its name on a post then uses it. 409 when another tag has the address.',
        requestBody: { required: true, content: json(ref('TagInput')) },
        responses: {
          '201': { description: 'The new tag.', headers: { Location: { schema: { type: 'string', format: 'uri' } } }, content: json(ref('Tag')) },
          ...writeErrors,
          ...bodyErrors,
          '409': response('Conflict'),
        },
      },
    },
    '/api/tags/{id}': {
      patch: {
        ...common,
        operationId: 'updateTag',
        security: scoped('write'),
        summary: 'Rename a tag, or change its address',
        description: 'Changes what is sent. Renaming keeps the address unless `slug` is sent too (`""`: made from the new name). Posts keep the tag.',
        parameters: [tagId],
        requestBody: { required: true, content: json(ref('TagPatch')) },
        responses: { '200': { description: 'The tag as saved.', content: json(ref('Tag')) }, ...writeErrors, ...bodyErrors, '404': response('NotFound'), '409': response('Conflict') },
      },
      delete: {
        ...common,
        operationId: 'deleteTag',
        security: scoped('write'),
        summary: 'Delete a tag',
        description: 'It is taken off every post that carries it; the posts stay.',
        parameters: [tagId],
        responses: { '204': { description: 'Deleted.' }, ...writeErrors, '404': response('NotFound') },
      },
    },
  },
};
