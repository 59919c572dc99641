import { z } from 'zod';
import { postInputSchema } from '../core/post-service.ts';
import { statusFor } from './errors.ts';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_PREFIX, problemTitles } from './problem.ts';
import { apiScopes, scopeDescriptions, type ApiScope } from '../core/api-scopes.ts';

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
  meta_description: postFields.metaDescription.describe('The page head’s description. Empty or null: the excerpt. Left out: kept.'),
  social_image: postFields.socialImage.describe('The link card’s image (/uploads/… or https://). Empty or null: the cover image. Left out: kept.'),
  canonical_url: postFields.canonicalUrl.describe('Canonical address when the text first appeared elsewhere (https://…). Empty or null: the post’s own. Left out: kept.'),
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
  q: z.string().trim().max(200, 'Search with at most 200 characters.').optional().describe('With `status`: only posts whose title or Markdown contains this text (any case), as Admin → Posts searches.'),
  author: z.coerce
    .number({ message: 'Use the author’s numeric user id.' })
    .int('Use the author’s numeric user id.')
    .min(1, 'Use the author’s numeric user id.')
    .max(2 ** 31 - 1, 'Use the author’s numeric user id.')
    .optional()
    .describe('With `status`: only this author’s posts (their user id), as Admin → Posts filters. An author may name only themself.'),
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
  meta_description: z.string().nullable().describe('Set by the author; null: the excerpt is used.'),
  social_image: z.string().nullable().describe('Set by the author; null: the cover image is used.'),
  canonical_url: z.string().nullable().describe('Set by the author; null: the post’s own address is canonical.'),
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

/** Codes the API answers with: every domain error code, and the API's own. */
export const apiErrorCodes = [...new Set([...(Object.keys(statusFor) as string[]), ...Object.keys(problemTitles)])];

/** An error, as `application/problem+json` (RFC 9457; see problem.ts). */
export const apiProblemSchema = z.object({
  type: z.string().describe(`A URN naming the kind of problem, ${PROBLEM_TYPE_PREFIX}{code}; stable.`),
  title: z.string().describe('A short summary of that kind of problem; the same for every problem of the type.'),
  status: z.int().min(400).max(599).describe('The HTTP status, repeated.'),
  detail: z.string().describe('For people: what went wrong this time and how to fix it.'),
  code: z
    .string()
    .regex(/^[a-z][a-z_]*$/)
    .describe(`Stable; branch on this (or on type), not on the wording. One of: ${apiErrorCodes.join(', ')}.`),
  fields: z.record(z.string(), z.string()).optional().describe('Field name → problem, for validation errors.'),
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
  responses.add(apiProblemSchema, { id: 'Problem' });
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

/** An error answer of an operation's own wording, with the shared Problem body. */
export function errorResponse(description: string, headers?: Record<string, unknown>) {
  return { description, ...(headers ? { headers } : {}), content: { [PROBLEM_CONTENT_TYPE]: { schema: ref('Problem') } } };
}

/**
 * Who may call an operation: a token with `scope` (the operation's `security`). The scope
 * is checked by requireScope (routes/api-request.ts); `tokenOptionalWith` is for reads that
 * need no token, where a token, if sent, must carry the scope.
 */
export const tokenWith = (scope: ApiScope) => [{ bearerAuth: [scope] }];
export const tokenOptionalWith = (scope: ApiScope) => [{}, { bearerAuth: [scope] }];
/** @deprecated Name the scope: tokenWith('read' | 'write' | 'moderate' | 'admin'). */
export const tokenRequired = [{ bearerAuth: [] }];
const tokenOptional = tokenOptionalWith('read');

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

  return withCommonAnswers({
    openapi: '3.1.1',
    info: {
      title: 'Kumbaya API',
      version: '1.0.0',
      summary: 'Read published posts; with a personal access token, write, publish and schedule them, and (owner and moderators) look after the people who write to the site.',
      description:
        'Errors are `application/problem+json` (RFC 9457): `{ "type", "title", "status", "detail", "code", "fields"? }`; branch on `code` ' +
        `(or \`type\`, which is \`${PROBLEM_TYPE_PREFIX}{code}\`). The codes: ${apiErrorCodes.map((code) => `\`${code}\` (${problemTitles[code] ?? code})`).join(', ')}. ` +
        'Reading published posts needs no token. Everything else needs `Authorization: Bearer kby_…`, a personal access token ' +
        '(create one in Admin → Tokens, or with `npx kumbaya token create --email you@example.com --name "my script" --scopes read,write --expires 90d`). ' +
        'A token carries scopes (read, write, moderate, admin; each operation names the one it needs) and may expire. ' +
        'Successful reads carry a weak `ETag`; send it back in `If-None-Match` to get 304 Not Modified when nothing changed. ' +
        'Writes are limited per token (120 a minute); past that the API answers 429 with Retry-After. ' +
        'Any address or method under /api that this document does not describe answers 404 `not_found`.',
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
          security: tokenWith('write'),
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
          security: tokenWith('write'),
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
          security: tokenWith('write'),
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
          security: tokenWith('write'),
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
          security: tokenWith('write'),
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
          description:
            'A personal access token, starting kby_. It acts as the user who created it, with the scopes it was given, and never does more than that user’s role allows. ' +
            'Each operation names the scope it needs in its `security`. The scopes: ' +
            apiScopes.map((scope) => `\`${scope}\`: ${scopeDescriptions[scope]}`).join(' ') +
            ' A token without the scope gets 403 `insufficient_scope` (WWW-Authenticate names the scope); an expired token gets 401 `invalid_token`.',
        },
      },
      schemas: Object.assign(componentSchemas(), ...sections.map((x) => x.schemas())),
      parameters: {
        IfNoneMatch: {
          name: 'If-None-Match',
          in: 'header',
          required: false,
          description: 'The `ETag` of an answer you have: if nothing changed, the answer is 304 without a body.',
          schema: { type: 'string' },
        },
      },
      responses: {
        Unauthenticated: errorResponse(
          'No token (`unauthenticated`), a token that is not valid: revoked or mistyped (`unauthenticated`), or a token that has expired (`invalid_token`, saying when).',
          { 'WWW-Authenticate': { description: 'Bearer realm="Kumbaya", with error="invalid_token" for a token that is not valid.', schema: { type: 'string' } } },
        ),
        Forbidden: errorResponse(
          'The token lacks the scope the operation needs (`insufficient_scope`), or the token’s user may not do this (`forbidden`: e.g. an author changing another author’s post, a moderator writing, or an author opening People).',
          { 'WWW-Authenticate': { description: 'For insufficient_scope: Bearer realm="Kumbaya", error="insufficient_scope", scope="…" naming the scope needed.', schema: { type: 'string' } } },
        ),
        NotModified: {
          description: 'Nothing changed since the `ETag` sent in `If-None-Match`; no body.',
          headers: { ETag: { description: 'The weak ETag of the unchanged answer.', schema: { type: 'string' } } },
        },
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
  });
}

const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

/**
 * What every operation shares, added to each (so the sections of other files get it too):
 * a GET that answers 200 takes `If-None-Match` and may answer 304 with its `ETag`; any
 * request may send a token that is not valid (401); an operation that names a scope may
 * be refused for the lack of it (403).
 */
function withCommonAnswers(document: Record<string, unknown>): Record<string, unknown> {
  for (const item of Object.values(document.paths as Record<string, Record<string, JsonSchema>>)) {
    for (const method of methods) {
      const operation = item[method];
      if (!operation) continue;
      const responses = operation.responses as Record<string, JsonSchema>;
      if (method === 'get' && responses['200']) {
        responses['304'] ??= response('NotModified');
        const ok = responses['200'];
        if (!ok.$ref) ok.headers = { ...(ok.headers as object), ETag: { description: 'A weak ETag of this answer, for If-None-Match.', schema: { type: 'string' } } };
        const parameters = (operation.parameters as JsonSchema[] | undefined) ?? [];
        const ifNoneMatch = '#/components/parameters/IfNoneMatch';
        if (!parameters.some((p) => p.$ref === ifNoneMatch)) operation.parameters = [...parameters, { $ref: ifNoneMatch }];
      }
      responses['401'] ??= response('Unauthenticated');
      const security = (operation.security ?? document.security) as Array<Record<string, string[]>>;
      if (security.some((requirement) => (requirement.bearerAuth ?? []).length > 0)) responses['403'] ??= response('Forbidden');
      operation.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
    }
  }
  return document;
}
