import { Hono } from 'hono';
import { notFound } from '../../core/errors.ts';
import type { ImportJob } from '../../migration/import-jobs.ts';
import type { AppEnv } from '../context.ts';
import { apiAssignThreadsSchema, type apiImportSchema } from '../openapi-imports.ts';
import { assignThreads, jobsOf, readImportUpload, startImport } from './admin/import.ts';
import { limitBody, limitWrites, parseWith, readJson } from './api-request.ts';
import { requireRole } from './api-staff.ts';
import type { z } from 'zod';

const OWNER = ['owner'] as const;
const REFUSAL = 'Only the owner can import content.';

function importOut(job: ImportJob): z.output<typeof apiImportSchema> {
  const r = job.report;
  return {
    id: job.id,
    source: job.source,
    file_name: job.fileName,
    dry_run: job.dryRun,
    state: job.state,
    bytes_read: job.bytesRead,
    total_bytes: job.totalBytes,
    error: job.error,
    report: r
      ? {
          format: r.format,
          dry_run: r.dryRun,
          counts: r.counts as Record<string, { created: number; updated: number; unchanged: number; skipped: number }>,
          skipped: r.skipped,
          warnings: r.warnings,
          attachments: r.attachments,
          unmatched_threads: r.unmatchedThreads ?? [],
          bytes: r.bytes,
          duration_ms: Math.round(r.durationMs),
        }
      : null,
  };
}

/** Admin → Import in the JSON API, mounted at /api/imports; the same jobs and checks as the admin's. */
export function apiImportRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/', limitWrites, async (c) => {
    requireRole(c, 'admin', OWNER, REFUSAL);
    const jobs = jobsOf(c.get('deps'));
    const { source, file, dryRun } = await readImportUpload(c, jobs);
    const job = startImport(c, jobs, { source, file, fileName: file.name || 'export.xml', dryRun });
    c.header('Location', `${c.get('deps').config.siteUrl}/api/imports/${job.id}`);
    return c.json(importOut(job), 202);
  });

  app.get('/:id{[A-Za-z0-9_-]+}', (c) => {
    requireRole(c, 'admin', OWNER, REFUSAL);
    const job = jobsOf(c.get('deps')).get(c.req.param('id'));
    if (!job) throw notFound('The import (results are kept for the last 20 imports until the server restarts)');
    return c.json(importOut(job));
  });

  app.post('/:id{[A-Za-z0-9_-]+}/assign', limitWrites, limitBody, async (c) => {
    requireRole(c, 'admin', OWNER, REFUSAL);
    const { threads } = parseWith(apiAssignThreadsSchema, await readJson(c, { optional: false }), 'a JSON object, e.g. {"threads": {"<thread id>": "<post slug>"}}');
    // An empty choice leaves the thread out, as the report's "Leave it out" does.
    const threadMap = Object.fromEntries(Object.entries(threads).filter(([, slug]) => slug !== ''));
    const job = assignThreads(c, jobsOf(c.get('deps')), c.req.param('id'), threadMap);
    c.header('Location', `${c.get('deps').config.siteUrl}/api/imports/${job.id}`);
    return c.json(importOut(job), 202);
  });

  return app;
}
