import { z } from 'zod';
import { json, ref, response, writeErrors, type OpenApiSection } from './openapi.ts';
import { pageShape, pagingShape, pathId, queryParameters, readErrors, scoped, sectionSchemas } from './openapi-shared.ts';

/** The background job queue in the JSON API (routes/api-jobs.ts): what Admin → Jobs shows, the owner's alone. */

export const jobStates = ['pending', 'done', 'dead'] as const;

export const apiJobQuerySchema = z.object({
  status: z.enum(jobStates, { message: 'Use pending, done or dead.' }).optional().describe('pending: waiting or being retried; done: finished; dead: gave up (retry it). Left out: every job.'),
  kind: z.string().max(100, 'Kinds have at most 100 characters.').optional().describe('Only jobs of this kind (e.g. webmention-send, upload-variants).'),
  ...pagingShape,
});

export const apiJobSchema = z.object({
  id: z.int(),
  kind: z.string(),
  status: z.enum(jobStates),
  attempts: z.int(),
  run_at: z.iso.datetime().describe('When it runs (next).'),
  last_error: z.string().nullable(),
  created_at: z.iso.datetime(),
  finished_at: z.iso.datetime().nullable(),
  payload: z.record(z.string(), z.unknown()).describe('What the job works on (e.g. a post or an upload).'),
});
export type ApiJob = z.output<typeof apiJobSchema>;

export const apiJobListSchema = z.object({
  jobs: z.array(apiJobSchema).describe('Newest first.'),
  counts: z.object({ pending: z.int(), done: z.int(), dead: z.int() }).describe('Jobs in each state, over the whole queue.'),
  ...pageShape,
});

const common = { tags: ['jobs'] };

export const jobsOpenApi: OpenApiSection = {
  tags: [{ name: 'jobs', description: 'The background job queue (webmentions, image variants, imports…): what waits, what gave up and why, and Retry. The owner’s token only.' }],
  schemas: () => sectionSchemas({ Job: apiJobSchema, JobList: apiJobListSchema }),
  paths: {
    '/api/jobs': {
      get: {
        ...common,
        operationId: 'listJobs',
        security: scoped('read'),
        summary: 'List background jobs',
        parameters: queryParameters(apiJobQuerySchema),
        responses: { '200': { description: 'A page of jobs.', content: json(ref('JobList')) }, ...readErrors, '422': response('ValidationFailed') },
      },
    },
    '/api/jobs/{id}/retry': {
      post: {
        ...common,
        operationId: 'retryJob',
        security: scoped('admin'),
        summary: 'Retry a job that gave up',
        description: 'A dead job goes back in the queue with its attempts reset and runs at once. 404 when no dead job has this id.',
        parameters: [pathId('id', 'The job’s numeric id.')],
        responses: { '204': { description: 'Back in the queue.' }, ...writeErrors, '404': response('NotFound') },
      },
    },
  },
};
