import { z } from 'zod';
import { json, ref, response, writeErrors, type OpenApiSection } from './openapi.ts';
import { pathId, queryParameters, readErrors, scoped, sectionSchemas } from './openapi-shared.ts';

/**
 * The rest of Admin → People in the JSON API (routes/api-people-extras.ts): the possible
 * duplicates, "look again", the log of who was forgotten, and a comment made a post idea.
 */

const personRefSchema = z.object({ id: z.int(), name: z.string(), email: z.string().nullable(), website: z.string().nullable() });

export const apiDuplicateListSchema = z.object({
  duplicates: z
    .array(z.object({ a: personRefSchema, b: personRefSchema, reasons: z.array(z.string()).describe('Why they may be one person, in words (same website, same name and a similar address…).') }))
    .describe('Pairs that may be one person, at most 100 (merge them with POST /api/people/{id}/merge).'),
});

export const apiLookAgainSchema = z.object({ website: z.string().describe('The website that will be read again, in the background job queue.') });

const cursorMessage = 'Use the next_cursor of the previous page, as it was given.';
export const apiForgottenQuerySchema = z.object({
  before: z
    .string()
    .regex(/^\d{1,15}\.\d{1,10}$/, cursorMessage)
    .optional()
    .describe('The `next_cursor` of the previous page; left out: the newest.'),
});

export const apiForgottenListSchema = z.object({
  entries: z
    .array(
      z.object({
        id: z.int(),
        at: z.iso.datetime(),
        person_id: z.int().nullable().describe('The number the person had; nothing that named them is kept.'),
        by: z.object({ id: z.int(), name: z.string() }).nullable().describe('The team member who did it; null from the command line or once their account is gone.'),
        summary: z.string().describe('The line Admin → People → Forgotten shows.'),
        detail: z.record(z.string(), z.unknown()).describe('What was done, as ids and counts (comments, identities, notes, …).'),
      }),
    )
    .describe('Newest first, 50 a page.'),
  next_cursor: z.string().nullable().describe('Send as `before` for the earlier entries; null at the end.'),
});

const common = { tags: ['people'] };

export const peopleExtrasOpenApi: OpenApiSection = {
  tags: [],
  schemas: () => sectionSchemas({ DuplicateList: apiDuplicateListSchema, LookAgain: apiLookAgainSchema, ForgottenList: apiForgottenListSchema }),
  paths: {
    '/api/people/duplicates': {
      get: {
        ...common,
        operationId: 'listPossibleDuplicates',
        security: scoped('read'),
        summary: 'People who may be one person',
        description: 'As Admin → People → Possible duplicates (owner and moderators).',
        responses: { '200': { description: 'The pairs.', content: json(ref('DuplicateList')) }, ...readErrors },
      },
    },
    '/api/people/forgotten': {
      get: {
        ...common,
        operationId: 'listForgottenPeople',
        security: scoped('read'),
        summary: 'The log of who was forgotten',
        description: 'When, by whom and what was done, by number only (owner and moderators).',
        parameters: queryParameters(apiForgottenQuerySchema),
        responses: { '200': { description: 'One page of the log.', content: json(ref('ForgottenList')) }, ...readErrors, '422': response('ValidationFailed') },
      },
    },
    '/api/people/{id}/look-again': {
      post: {
        ...common,
        operationId: 'lookAgainAtPerson',
        security: scoped('moderate'),
        summary: 'Read their website again (“Who is this?”)',
        description: 'Queues a look-up of the website they gave, now (owner and moderators); the profile appears on the person once the job has run. 422 when they gave no website.',
        parameters: [pathId('id', 'The person’s numeric id.')],
        responses: { '202': { description: 'Queued.', content: json(ref('LookAgain')) }, ...writeErrors, '404': response('NotFound'), '422': response('ValidationFailed') },
      },
    },
    '/api/comments/{id}/post-idea': {
      post: {
        ...common,
        operationId: 'makePostOfComment',
        security: scoped('write'),
        summary: 'Make a post of this comment',
        description:
          'Writes a draft that quotes a reader’s comment (published or held) and remembers where it came from, as Admin’s “Make a post of this” (owner and authors, on comments of posts they may moderate). 409 for a comment in spam or the trash.',
        parameters: [pathId('id', 'The comment’s numeric id.')],
        responses: {
          '201': { description: 'The draft.', headers: { Location: { schema: { type: 'string', format: 'uri' } } }, content: json(ref('Post')) },
          ...writeErrors,
          '404': response('NotFound'),
          '409': response('Conflict'),
        },
      },
    },
  },
};
