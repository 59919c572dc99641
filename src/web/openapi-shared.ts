import { z } from 'zod';
import { MAX_ID } from '../core/ids.ts';
import { API_PER_PAGE_MAX, response, tidy, type JsonSchema } from './openapi.ts';

export { queryParameters } from './openapi.ts';

/**
 * Pieces the admin areas of the JSON API (tags, uploads, subscriptions, settings,
 * webmentions, fediverse, jobs) describe themselves with: paging, path ids, the usual
 * error responses, and their component schemas.
 */

const wholeNumber = (max: number) => `Use a whole number from 1 to ${max}.`;

/** `page` and `per_page`, as the posts list has them. */
export const pagingShape = {
  page: z.coerce.number({ message: 'Use a whole number from 1.' }).int('Use a whole number from 1.').min(1, 'Use a whole number from 1.').max(100_000, 'Use a whole number from 1 to 100000.').default(1).describe('Page number, from 1.'),
  per_page: z.coerce
    .number({ message: wholeNumber(API_PER_PAGE_MAX) })
    .int(wholeNumber(API_PER_PAGE_MAX))
    .min(1, wholeNumber(API_PER_PAGE_MAX))
    .max(API_PER_PAGE_MAX, wholeNumber(API_PER_PAGE_MAX))
    .default(20)
    .describe(`Items per page, at most ${API_PER_PAGE_MAX}.`),
};

/** What every paged list answers besides its items. */
export const pageShape = { page: z.int(), per_page: z.int(), total: z.int().describe('Items matching the query, over all pages.') };

/** An id in a query: a whole number from 1. */
export const queryId = (what: string) =>
  z.coerce.number({ message: `Use ${what}’s numeric id.` }).int(`Use ${what}’s numeric id.`).min(1, `Use ${what}’s numeric id.`).max(MAX_ID, `Use ${what}’s numeric id.`);

/**
 * Who may call an operation: a token carrying `scope`, which the route checks with
 * requireScope (after the role of the matching admin page).
 */
export const scoped = (scope: 'read' | 'write' | 'moderate' | 'admin') => [{ bearerAuth: [scope] }];

export const pathId = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'integer', minimum: 1 } });

export const readErrors = { '401': response('Unauthenticated'), '403': response('Forbidden') };
export const bodyErrors = { '400': response('InvalidJson'), '413': response('PayloadTooLarge'), '415': response('UnsupportedMediaType'), '422': response('ValidationFailed') };

/** Component schemas of one section: responses as output, requests as input; nested registered schemas become $refs. */
export function sectionSchemas(responses: Record<string, z.ZodType>, requests: Record<string, z.ZodType> = {}): Record<string, JsonSchema> {
  const uri = (id: string) => `#/components/schemas/${id}`;
  const out = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(responses)) out.add(schema, { id });
  const inp = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(requests)) inp.add(schema, { id });
  const output = tidy(z.toJSONSchema(out, { target: 'draft-2020-12', io: 'output', uri }).schemas, true) as Record<string, JsonSchema>;
  const input = Object.keys(requests).length > 0 ? (tidy(z.toJSONSchema(inp, { target: 'draft-2020-12', io: 'input', uri }).schemas, false) as Record<string, JsonSchema>) : {};
  return { ...output, ...input };
}
