import { z } from 'zod';
import { postInputSchema } from '../core/post-service.ts';
import { statusFor } from './errors.ts';

/**
 * The JSON API's contract: the shapes it reads and writes, as zod schemas the routes
 * (routes/api.ts) validate with, and the OpenAPI 3.1 document generated from the same
 * schemas. Field names on the wire are snake_case and times are ISO 8601 strings.
 */

export const API_PER_PAGE_MAX = 50;

const postFields = postInputSchema.shape;

export const isoDateTime = z.iso.datetime({ offset: true, message: 'Use an ISO 8601 date and time with a time zone, e.g. 2025-01-31T09:00:00Z.' });

/**
 * What a client sends to create a post (POST /api/posts). The rules are postInputSchema's,
 * renamed for the wire; `published_at` backdates or, once published, schedules.
 */
export const apiPostInputSchema = z.strictObject({
  type: postFields.type.describe('A post appears in lists and feeds; a page stands alone.'),
  title: postFields.title,
  markdown: postFields.markdown.describe('The text, in Markdown.'),
  slug: postFields.slug.describe('The address on the site (/{slug}). Left out: made from the title.'),
  excerpt: postFields.excerpt.describe('Summary for lists and previews. Left out: the start of the text.'),
  tags: postFields.tags.describe('Tag names; tags are created as needed.'),
  visibility: postFields.visibility.describe('Unlisted posts are reachable by address but not listed.'),
  cover_image: postFields.coverImage.describe('An uploaded image (/uploads/…) or an http(s) address.'),
  published_at: isoDateTime.nullable().optional().describe('When the post goes (or went) live: a past time backdates, a future one schedules on publish.'),
});
export type ApiPostInput = z.output<typeof apiPostInputSchema>;

/** Optional body of POST /api/posts/{id}/publish. */
export const apiPublishInputSchema = z.strictObject({
  published_at: isoDateTime.nullable().optional().describe('Publish at this time: in the future schedules, in the past backdates. Left out: now (or the original date of a post that was live before).'),
});

export const apiListQuerySchema = z.object({
  page: z.coerce.number({ message: 'Use a whole number from 1.' }).int('Use a whole number from 1.').min(1, 'Use a whole number from 1.').max(100_000).default(1).describe('Page number, from 1.'),
  per_page: z.coerce
    .number({ message: `Use a whole number from 1 to ${API_PER_PAGE_MAX}.` })
    .int(`Use a whole number from 1 to ${API_PER_PAGE_MAX}.`)
    .min(1, `Use a whole number from 1 to ${API_PER_PAGE_MAX}.`)
    .max(API_PER_PAGE_MAX, `Use a whole number from 1 to ${API_PER_PAGE_MAX}.`)
    .default(20)
    .describe(`Posts per page, at most ${API_PER_PAGE_MAX}.`),
  tag: z.string().max(80).optional().describe('Only posts with this tag (its slug).'),
  type: z.enum(['post', 'page'], { message: 'Use post or page.' }).optional().describe('Only posts or only pages; both when left out.'),
  status: z
    .enum(['draft', 'scheduled', 'published', 'all'], { message: 'Use draft, scheduled, published or all.' })
    .optional()
    .describe(
      'Needs a token. Lists the posts the token’s user may edit (all of them for an owner, their own for an author) with this status, newest change first. Left out: the public list of published posts, newest first.',
    ),
});

const authorSchema = z.object({ id: z.int(), name: z.string(), slug: z.string() });
const tagSchema = z.object({ slug: z.string(), name: z.string() });

/** A post or page as the API returns it. */
export const apiPostSchema = z.object({
  id: z.int(),
  type: z.enum(['post', 'page', 'external']).describe('`external`: the thread of a page on another site (comments embedded there), never listed.'),
  slug: z.string(),
  url: z.url().describe('Absolute address of the post on the site.'),
  title: z.string(),
  markdown: z.string().optional().describe('The source text; only present for a token whose user may edit the post.'),
  html: z.string().describe('Sanitised HTML rendered from the Markdown; empty for a password-protected post unless the token may edit it.'),
  excerpt: z.string().describe('Empty for a password-protected post unless the token may edit it.'),
  protected: z.boolean().describe('Password protected: readers enter its password on the site to read it. The password itself is never sent.'),
  status: z.enum(['draft', 'scheduled', 'published']),
  visibility: z.enum(['public', 'unlisted']),
  published_at: isoDateTime.nullable().describe('When it went (or goes) live; null for a draft never published.'),
  updated_at: isoDateTime,
  author: authorSchema.nullable(),
  tags: z.array(tagSchema),
  cover_image: z.string().nullable(),
});
export type ApiPost = z.output<typeof apiPostSchema>;

export const apiPostListSchema = z.object({
  posts: z.array(apiPostSchema),
  page: z.int(),
  per_page: z.int(),
  total: z.int().describe('Posts matching the query, over all pages.'),
});

export const apiPublishResultSchema = z.object({
  post: apiPostSchema,
  state: z.enum(['published', 'scheduled']).describe('scheduled when published_at lies in the future.'),
});

/** Codes the API answers with: every domain error code, plus two of its own. */
export const apiErrorCodes = [...(Object.keys(statusFor) as Array<keyof typeof statusFor>), 'invalid_json', 'internal'] as const;

export const apiErrorSchema = z.object({
  error: z.object({
    code: z.enum(apiErrorCodes).describe('Stable; branch on this, not on the message.'),
    message: z.string().describe('For people: what went wrong and how to fix it.'),
    fields: z.record(z.string(), z.string()).optional().describe('Field name → problem, for validation errors.'),
  }),
});

export type JsonSchema = Record<string, unknown>;

/** Drops what zod emits but OpenAPI readers do not need: $schema, safe-integer bounds, long date-time patterns. */
export function tidy(node: unknown, forResponse: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => tidy(n, forResponse));
  if (node === null || typeof node !== 'object') return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema' || key === '$id') continue;
    if ((key === 'minimum' || key === 'maximum') && Math.abs(value as number) === Number.MAX_SAFE_INTEGER) continue;
    if (key === 'pattern' && (node as JsonSchema).format === 'date-time') continue;
    // Responses may gain fields; clients should not reject them.
    if (forResponse && key === 'additionalProperties' && value === false) continue;
    out[key] = tidy(value, forResponse);
  }
  return out;
}

/** Component schemas, generated together so that nested components become $refs. */
function componentSchemas(): Record<string, JsonSchema> {
  const uri = (id: string) => `#/components/schemas/${id}`;
  const responses = z.registry<{ id: string }>();
  responses.add(apiPostSchema, { id: 'Post' });
  responses.add(apiPostListSchema, { id: 'PostList' });
  responses.add(apiPublishResultSchema, { id: 'PublishResult' });
  responses.add(apiErrorSchema, { id: 'Error' });
  const requests = z.registry<{ id: string }>();
  requests.add(apiPostInputSchema, { id: 'PostInput' });
  requests.add(apiPublishInputSchema, { id: 'PublishInput' });
  const output = tidy(z.toJSONSchema(responses, { target: 'draft-2020-12', io: 'output', uri }).schemas, true) as Record<string, JsonSchema>;
  const input = tidy(z.toJSONSchema(requests, { target: 'draft-2020-12', io: 'input', uri }).schemas, false) as Record<string, JsonSchema>;
  return { ...output, ...input, PostPatch: patchSchema(input.PostInput) };
}

/** The create schema with nothing required and no defaults: PATCH changes only what it names. */
function patchSchema(create: JsonSchema): JsonSchema {
  const properties = create.properties as Record<string, JsonSchema>;
  const withoutDefaults = Object.fromEntries(Object.entries(properties).map(([name, { default: _, ...rest }]) => [name, rest]));
  const { required: _, ...rest } = create;
  return { ...rest, properties: withoutDefaults };
}

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const response = (name: string) => ({ $ref: `#/components/responses/${name}` });
export const json = (schema: unknown) => ({ 'application/json': { schema } });

function errorResponse(description: string, headers?: Record<string, unknown>) {
  return { description, ...(headers ? { headers } : {}), content: json(ref('Error')) };
}

const tokenOptional = [{}, { bearerAuth: [] }];
export const tokenRequired = [{ bearerAuth: [] }];

const postIdParameter = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'The post’s numeric id.',
  schema: { type: 'integer', minimum: 1 },
};

export const writeErrors = {
  '401': response('Unauthenticated'),
  '403': response('Forbidden'),
  '429': response('RateLimited'),
};

/** Query parameters, each described from its zod schema. */
export function queryParameters(schema: z.ZodObject): Array<Record<string, unknown>> {
  return Object.entries(schema.shape).map(([name, field]) => {
    const { description, ...rest } = tidy(z.toJSONSchema(field as z.ZodType, { target: 'draft-2020-12', io: 'output' }), true) as JsonSchema;
    return { name, in: 'query', required: false, description, schema: rest };
  });
}

/** A part of the API described in its own file (openapi-people.ts), merged into the document. */
export interface OpenApiSection {
  tags: Array<{ name: string; description: string }>;
  paths: Record<string, unknown>;
  /** Its component schemas, by name (names must not collide with the posts' own). */
  schemas(): Record<string, JsonSchema>;
}

/** The OpenAPI 3.1 document for the API served at `${siteUrl}/api`, with the sections described apart. */
export function buildOpenApiDocument(siteUrl: string, sections: readonly OpenApiSection[] = []): Record<string, unknown> {
  const listParameters = queryParameters(apiListQuerySchema);

  return {
    openapi: '3.1.1',
    info: {
      title: 'Kumbaya API',
      version: '1.0.0',
      summary: 'Read published posts; with a personal access token, write, publish and schedule them, and (owner and moderators) look after the people who write to the site.',
      description:
        'Errors are JSON: `{ "error": { "code", "message", "fields"? } }`; branch on `code`. ' +
        'Reading published posts needs no token. Everything else needs `Authorization: Bearer kby_…`, a personal access token ' +
        '(create one in the admin, or with `npx kumbaya token create --email you@example.com --name "my script"`). ' +
        'Writes are limited per token (120 a minute); past that the API answers 429 with Retry-After.',
      license: { name: 'AGPL-3.0-or-later', identifier: 'AGPL-3.0-or-later' },
    },
    servers: [{ url: siteUrl }],
    security: tokenOptional,
    tags: [{ name: 'posts', description: 'Posts and pages.' }, ...sections.flatMap((x) => x.tags), { name: 'meta', description: 'This document.' }],
    paths: {
      '/api/openapi.json': {
        get: {
          operationId: 'getOpenApiDocument',
          tags: ['meta'],
          summary: 'This OpenAPI document',
          security: [{}],
          responses: { '200': { description: 'The OpenAPI 3.1 document.', content: json({ type: 'object' }) } },
        },
      },
      '/api/posts': {
        get: {
          operationId: 'listPosts',
          tags: ['posts'],
          summary: 'List posts',
          description:
            'Without `status`: published, public posts and pages, newest first (no token needed). ' +
            'With `status` (token needed): the posts the token’s user may edit, including drafts and scheduled ones.',
          security: tokenOptional,
          parameters: listParameters,
          responses: {
            '200': { description: 'A page of posts.', content: json(ref('PostList')) },
            '401': response('Unauthenticated'),
            '403': response('Forbidden'),
            '422': response('ValidationFailed'),
          },
        },
        post: {
          operationId: 'createPost',
          tags: ['posts'],
          summary: 'Create a draft',
          security: tokenRequired,
          requestBody: { required: true, content: json(ref('PostInput')) },
          responses: {
            '201': {
              description: 'The new draft.',
              headers: { Location: { description: 'Address of the new post in the API.', schema: { type: 'string', format: 'uri' } } },
              content: json(ref('Post')),
            },
            '400': response('InvalidJson'),
            ...writeErrors,
            '409': response('Conflict'),
            '413': response('PayloadTooLarge'),
            '415': response('UnsupportedMediaType'),
            '422': response('ValidationFailed'),
          },
        },
      },
      '/api/posts/{id}': {
        get: {
          operationId: 'getPost',
          tags: ['posts'],
          summary: 'Read a post or page',
          description:
            'By id or slug. Without a token only published posts are found; with one, also any post the token’s user may edit (with its Markdown). ' +
            'A slug the post has since left redirects to its new address.',
          security: tokenOptional,
          parameters: [
            {
              name: 'id',
              in: 'path',
              required: true,
              description: 'The post’s numeric id, or its slug.',
              schema: { type: 'string', pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$' },
            },
          ],
          responses: {
            '200': { description: 'The post.', content: json(ref('Post')) },
            '301': { description: 'The slug moved; Location gives the post’s current address.', headers: { Location: { schema: { type: 'string', format: 'uri' } } } },
            '401': response('Unauthenticated'),
            '404': response('NotFound'),
          },
        },
        patch: {
          operationId: 'updatePost',
          tags: ['posts'],
          summary: 'Change a post',
          description: 'Changes only the fields sent; the status stays as it is. Send `excerpt: ""` to go back to the automatic excerpt.',
          security: tokenRequired,
          parameters: [postIdParameter],
          requestBody: { required: true, content: json(ref('PostPatch')) },
          responses: {
            '200': { description: 'The post as saved.', content: json(ref('Post')) },
            '400': response('InvalidJson'),
            ...writeErrors,
            '404': response('NotFound'),
            '409': response('Conflict'),
            '413': response('PayloadTooLarge'),
            '415': response('UnsupportedMediaType'),
            '422': response('ValidationFailed'),
          },
        },
        delete: {
          operationId: 'trashPost',
          tags: ['posts'],
          summary: 'Move a post to the trash',
          description: 'It disappears from the site and the API; the owner can restore it from the admin.',
          security: tokenRequired,
          parameters: [postIdParameter],
          responses: { '204': { description: 'Moved to the trash.' }, ...writeErrors, '404': response('NotFound') },
        },
      },
      '/api/posts/{id}/publish': {
        post: {
          operationId: 'publishPost',
          tags: ['posts'],
          summary: 'Publish or schedule a post',
          description: 'Publishes now, or schedules when `published_at` lies in the future; a past `published_at` backdates.',
          security: tokenRequired,
          parameters: [postIdParameter],
          requestBody: { required: false, content: json(ref('PublishInput')) },
          responses: {
            '200': { description: 'The post and whether it is live or scheduled.', content: json(ref('PublishResult')) },
            '400': response('InvalidJson'),
            ...writeErrors,
            '404': response('NotFound'),
            '415': response('UnsupportedMediaType'),
            '422': response('ValidationFailed'),
          },
        },
      },
      '/api/posts/{id}/unpublish': {
        post: {
          operationId: 'unpublishPost',
          tags: ['posts'],
          summary: 'Turn a post back into a draft',
          security: tokenRequired,
          parameters: [postIdParameter],
          responses: { '200': { description: 'The post, now a draft.', content: json(ref('Post')) }, ...writeErrors, '404': response('NotFound') },
        },
      },
      ...Object.assign({}, ...sections.map((x) => x.paths)),
    },
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'kby_…',
          description: 'A personal access token, starting kby_. It acts as the user who created it.',
        },
      },
      schemas: Object.assign(componentSchemas(), ...sections.map((x) => x.schemas())),
      responses: {
        Unauthenticated: errorResponse('No token, or the token is not valid (revoked, mistyped).', {
          'WWW-Authenticate': { description: 'Bearer realm="Kumbaya"', schema: { type: 'string' } },
        }),
        Forbidden: errorResponse('The token’s user may not do this (e.g. an author changing another author’s post, a moderator writing, or an author opening People).'),
        NotFound: errorResponse('No such post, person, note or merge, or not one this request may see.'),
        Conflict: errorResponse('The change conflicts with the current state (e.g. the slug is taken, or a merge was undone already or is past its 30 days).'),
        InvalidJson: errorResponse('The body is not valid JSON.'),
        UnsupportedMediaType: errorResponse('The body must be sent as application/json.'),
        PayloadTooLarge: errorResponse('The body is too large.'),
        ValidationFailed: errorResponse('Some fields are not valid; `fields` names each with its problem.'),
        RateLimited: errorResponse('Too many writes with this token; wait and retry.', {
          'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } },
        }),
      },
    },
  };
}
