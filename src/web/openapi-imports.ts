import { z } from 'zod';
import { errorResponse, json, ref, response, writeErrors, type OpenApiSection } from './openapi.ts';
import { bodyErrors, readErrors, scoped, sectionSchemas } from './openapi-shared.ts';

/**
 * Admin → Import in the JSON API (routes/api-imports.ts): start a WordPress or Disqus import
 * from an uploaded export, then read its progress and report. The owner's.
 */

const counts = z.object({ created: z.int(), updated: z.int(), unchanged: z.int(), skipped: z.int() });
const item = z.object({ kind: z.string(), id: z.string().describe('The item’s id in the file.'), label: z.string(), reason: z.string() });

export const apiImportReportSchema = z.object({
  format: z.string().describe('The WXR version, or disqus.'),
  dry_run: z.boolean(),
  counts: z.record(z.string(), counts).describe('Per kind: post, page, comment, mention, user, person, attachment, thread, other.'),
  skipped: z.array(item).describe('Every item not imported, with why.'),
  warnings: z.array(item).describe('Imported, but not exactly as in the file.'),
  attachments: z.array(z.object({ id: z.string(), title: z.string(), url: z.string() })).describe('Media are not copied: they stay at their addresses.'),
  unmatched_threads: z.array(z.object({ id: z.string(), link: z.string(), title: z.string(), comments: z.int() })).describe('Disqus threads matched to no post (assign them in Admin → Import or with the CLI’s --map).'),
  bytes: z.int(),
  duration_ms: z.int(),
});

/** POST /api/imports/{id}/assign: a post for each unmatched Disqus thread. */
export const apiAssignThreadsSchema = z.strictObject({
  threads: z
    .record(
      z.string().min(1, 'Name each thread by its id.').max(200, 'Thread ids have at most 200 characters.'),
      z.string({ message: 'Give each thread a post’s address (its slug), or "" to leave it out.' }).max(200, 'Post addresses have at most 200 characters.'),
      { message: 'Send {"threads": {"<thread id>": "<post slug>"}}.' },
    )
    .describe('Thread id (from `unmatched_threads`) → the slug of the post it belongs to; "" leaves it out. A slug no post has is reported as a warning.'),
});

export const apiImportSchema = z.object({
  id: z.string(),
  source: z.enum(['wordpress', 'disqus']),
  file_name: z.string(),
  dry_run: z.boolean(),
  state: z.enum(['running', 'done', 'failed']),
  bytes_read: z.int(),
  total_bytes: z.int(),
  error: z.string().nullable().describe('Why it failed (nothing was imported then).'),
  report: apiImportReportSchema.nullable().describe('Once done.'),
});

export const importsOpenApi: OpenApiSection = {
  tags: [{ name: 'imports', description: 'Importing a WordPress (WXR) or Disqus export: the owner’s, as Admin → Import.' }],
  schemas: () => sectionSchemas({ Import: apiImportSchema }, { AssignThreads: apiAssignThreadsSchema }),
  paths: {
    '/api/imports': {
      post: {
        tags: ['imports'],
        operationId: 'startImport',
        security: scoped('admin'),
        summary: 'Start an import from an uploaded export',
        description:
          'multipart/form-data with `source` (wordpress or disqus), `file` (the .xml export, at most IMPORT_MAX_BYTES) and optionally `dry_run` (1 or true: report what would happen, change nothing). ' +
          'Answers 202 at once; read the progress and report at the Location. One import runs at a time (409). On SQLite the import holds the database, so other requests (reading the status too) wait until it ends.',
        requestBody: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: {
                type: 'object',
                required: ['source', 'file'],
                properties: { source: { type: 'string', enum: ['wordpress', 'disqus'] }, file: { type: 'string', format: 'binary' }, dry_run: { type: 'string', enum: ['1', 'true'] } },
              },
            },
          },
        },
        responses: {
          '202': { description: 'Started.', headers: { Location: { schema: { type: 'string', format: 'uri' } } }, content: json(ref('Import')) },
          ...writeErrors,
          '409': response('Conflict'),
          '413': errorResponse('The file is larger than IMPORT_MAX_BYTES; import it with `npx kumbaya import` on the server.'),
          '422': response('ValidationFailed'),
        },
      },
    },
    '/api/imports/{id}/assign': {
      post: {
        tags: ['imports'],
        operationId: 'assignImportThreads',
        security: scoped('admin'),
        summary: 'Choose the posts of a Disqus import’s unmatched threads',
        description:
          'As the choices in Admin → Import’s report: the same file is imported again as a new import with the threads put on the posts chosen (nothing is imported twice), answered 202 with the new import at the Location. ' +
          'The file moves to the new import, so assigning from the earlier one again is 404 (as is an import whose file is gone, or a WordPress one); 409 while another import runs; 422 when no thread is given a post.',
        parameters: [{ name: 'id', in: 'path', required: true, description: 'The finished Disqus import whose report lists the threads.', schema: { type: 'string' } }],
        requestBody: { required: true, content: json(ref('AssignThreads')) },
        responses: {
          '202': { description: 'Started.', headers: { Location: { schema: { type: 'string', format: 'uri' } } }, content: json(ref('Import')) },
          ...writeErrors,
          ...bodyErrors,
          '404': response('NotFound'),
          '409': response('Conflict'),
        },
      },
    },
    '/api/imports/{id}': {
      get: {
        tags: ['imports'],
        operationId: 'getImport',
        security: scoped('admin'),
        summary: 'An import’s progress and, once done, its report',
        description: 'Kept for the last 20 imports until the server restarts.',
        parameters: [{ name: 'id', in: 'path', required: true, description: 'The id POST /api/imports answered.', schema: { type: 'string' } }],
        responses: { '200': { description: 'The import.', content: json(ref('Import')) }, ...readErrors, '404': response('NotFound') },
      },
    },
  },
};
