import { Hono, type Context } from 'hono';
import { DomainError } from '../../../core/errors.ts';
import { ImportJobs, type ImportJob } from '../../../migration/import-jobs.ts';
import type { AppEnv, WebDeps } from '../../context.ts';
import { wantsJson } from '../../errors.ts';
import { importFormView, importJobView } from '../../views/admin/import-view.ts';
import { allowRoles } from './admin-request.ts';

// The importers (and their XML parser) load with the first import, not with the server.
const importers = {
  wordpress: async () => (await import('../../../migration/wordpress-import.ts')).importWordpress,
  disqus: async () => (await import('../../../migration/disqus-import.ts')).importDisqus,
};

export function tooLarge(max: number): DomainError {
  return new DomainError('payload_too_large', `That file is larger than the ${Math.round((max / 1024 / 1024) * 10) / 10} MB import limit (IMPORT_MAX_BYTES). Import it with \`npx kumbaya import\` on the server, which has no limit.`);
}

/** One registry of running and recent imports per app (the status route is mounted apart from the rest; the JSON API's imports share it). */
const registries = new WeakMap<WebDeps, ImportJobs>();
export function jobsOf(deps: WebDeps): ImportJobs {
  let jobs = registries.get(deps);
  if (!jobs) {
    jobs = new ImportJobs((job, error) => deps.logger.error({ err: error, file: job.fileName }, 'import failed'));
    registries.set(deps, jobs);
  }
  return jobs;
}

/**
 * GET /admin/import/<id>/status: an import's progress, for the page's script. Mounted
 * before the session middleware because on SQLite the import's transaction holds the
 * only connection until it ends, and a session lookup would wait for it; the job's random
 * id (given only to the owner who started it) is what grants access.
 */
export function importStatus(c: Context<AppEnv>, deps: WebDeps): Response {
  const job = jobsOf(deps).get(c.req.param('id') ?? '');
  if (!job) return c.json({ error: { code: 'not_found', message: 'No such import on this server.' } }, 404);
  return c.json({ state: job.state, bytesRead: job.bytesRead, totalBytes: job.totalBytes }, 200, { 'Cache-Control': 'no-store' });
}

/**
 * The upload that starts an import, checked as Admin → Import and POST /api/imports both
 * check it: declared and real size (IMPORT_MAX_BYTES), multipart, the source, the file, and
 * that no other import is running.
 */
export async function readImportUpload(c: Context<AppEnv>, jobs: ImportJobs): Promise<{ source: 'wordpress' | 'disqus'; file: File; dryRun: boolean }> {
  const max = c.get('deps').config.importMaxBytes;
  const declared = Number(c.req.header('content-length'));
  if (Number.isFinite(declared) && declared > max + 64 * 1024) throw tooLarge(max);
  if (!(c.req.header('content-type') ?? '').startsWith('multipart/form-data')) {
    throw new DomainError('validation_failed', 'Send the export as multipart/form-data in the field "file".', { file: 'Required.' });
  }
  const body = await c.req.parseBody();
  const source = body.source === 'disqus' ? 'disqus' : body.source === 'wordpress' ? 'wordpress' : null;
  if (!source) throw new DomainError('validation_failed', 'Choose what the file is: a WordPress export or a Disqus export.', { source: 'Choose one.' });
  const file = body.file;
  if (!(file instanceof File) || file.size === 0) throw new DomainError('validation_failed', 'Choose the export file (.xml) to import.', { file: 'Choose a file.' });
  if (file.size > max) throw tooLarge(max);
  const running = jobs.running();
  if (running) throw new DomainError('conflict', `An import of ${running.fileName} is running; wait for it to finish, then start the next one.`);
  return { source, file, dryRun: body.dry_run === '1' || body.dry_run === 'true' };
}

/** Starts an import in the background; a Disqus file stays with its job while threads are left to assign. */
export function startImport(c: Context<AppEnv>, jobs: ImportJobs, o: { source: 'wordpress' | 'disqus'; file: Blob; fileName: string; dryRun: boolean; threadMap?: Record<string, string> }) {
  const { store, changes } = c.get('deps');
  const job = jobs.start({ source: o.source, fileName: o.fileName, dryRun: o.dryRun, totalBytes: o.file.size }, async (onProgress) => {
    const report = await (await importers[o.source]())(store, o.file.stream() as unknown as AsyncIterable<Uint8Array>, { dryRun: o.dryRun, onProgress, threadMap: o.threadMap });
    if (!o.dryRun) changes.publish('content-imported');
    if (o.source === 'disqus' && !o.dryRun && report.unmatchedThreads?.length) job.upload = o.file;
    return report;
  });
  return job;
}

/**
 * The report's choices of post for a Disqus import's unmatched threads (thread id → post
 * slug; Admin → Import's report and `POST /api/imports/{id}/assign`): the same file imported
 * again with them, as a new job — nothing is imported twice. The file moves to the new job.
 */
export function assignThreads(c: Context<AppEnv>, jobs: ImportJobs, previousId: string, threadMap: Record<string, string>): ImportJob {
  const previous = jobs.get(previousId);
  if (!previous || !previous.upload || previous.source !== 'disqus') throw new DomainError('not_found', 'This import’s file is no longer here: upload it again.');
  if (Object.keys(threadMap).length === 0) throw new DomainError('validation_failed', 'Choose a post for at least one thread.');
  const running = jobs.running();
  if (running) throw new DomainError('conflict', `An import of ${running.fileName} is running; wait for it to finish, then start the next one.`);
  const job = startImport(c, jobs, { source: 'disqus', file: previous.upload, fileName: previous.fileName, dryRun: false, threadMap });
  // The earlier report's file now lives with the new job (if it still has unmatched threads).
  previous.upload = undefined;
  return job;
}

/** /admin/import: upload a WordPress or Disqus export, watch it import, read the report. Owner only. */
export function importRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  let jobs: ImportJobs | null = null;
  app.use('*', allowRoles(['owner'], 'Only the owner can import content.'));
  app.use('*', async (c, next) => {
    jobs ??= jobsOf(c.get('deps'));
    return next();
  });

  app.get('/', (c) => c.html(importFormView(c, { running: jobs!.running(), error: null }).value));

  app.post('/', async (c) => {
    const { source, file, dryRun } = await readImportUpload(c, jobs!);
    const job = startImport(c, jobs!, { source, file, fileName: file.name || 'export.xml', dryRun });
    if (wantsJson(c)) return c.json({ id: job.id, status: `/admin/import/${job.id}/status`, page: `/admin/import/${job.id}` }, 202);
    // Without JavaScript the form waits for the import and then shows its report.
    await job.finished;
    if (job.state === 'failed' && job.badFile) return c.html(importFormView(c, { running: null, error: job.error }).value, 422);
    return c.redirect(`/admin/import/${job.id}`, 303);
  });

  app.get('/:id', async (c) => {
    const job = jobs!.get(c.req.param('id'));
    if (!job) throw new DomainError('not_found', 'No such import on this server (results are kept for the last 20 imports until it restarts).');
    // The posts to choose from for Disqus threads matched to none.
    const posts = job.upload && job.report?.unmatchedThreads?.length ? (await c.get('deps').store.posts.listAdmin({ limit: 1000, offset: 0 })).items : [];
    return c.html(importJobView(c, job, posts).value);
  });

  // The report's choices of post for unmatched Disqus threads: the same file imported again with them (nothing twice).
  app.post('/:id/assign', async (c) => {
    const body = await c.req.parseBody();
    const threadMap: Record<string, string> = {};
    for (const [name, value] of Object.entries(body)) if (name.startsWith('thread:') && typeof value === 'string' && value !== '') threadMap[name.slice('thread:'.length)] = value;
    const job = assignThreads(c, jobs!, c.req.param('id'), threadMap);
    await job.finished;
    return c.redirect(`/admin/import/${job.id}`, 303);
  });

  return app;
}
