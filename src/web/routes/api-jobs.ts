import { Hono } from 'hono';
import { DomainError } from '../../core/errors.ts';
import type { Job } from '../../core/jobs.ts';
import type { AppEnv } from '../context.ts';
import { apiJobQuerySchema, type ApiJob } from '../openapi-jobs.ts';
import { isoOrNull, limitWrites, parseWith } from './api-request.ts';
import { iso, pathIdOr404, requireRole } from './api-staff.ts';

const REFUSAL = 'Only the owner can manage background jobs.';

function jobOut(job: Job): ApiJob {
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    attempts: job.attempts,
    run_at: iso(job.runAt),
    last_error: job.lastError,
    created_at: iso(job.createdAt),
    finished_at: isoOrNull(job.finishedAt),
    payload: job.payload,
  };
}

/** The job queue in the JSON API, mounted at /api/jobs: Admin → Jobs' list and Retry, through the store. */
export function apiJobRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/', async (c) => {
    requireRole(c, 'read', ['owner'], REFUSAL);
    const { store } = c.get('deps');
    const query = parseWith(apiJobQuerySchema, c.req.query(), 'query parameters');
    const [counts, page] = await Promise.all([
      store.jobs.countByStatus(),
      store.jobs.list({ status: query.status, kind: query.kind, limit: query.per_page, offset: (query.page - 1) * query.per_page }),
    ]);
    return c.json({ jobs: page.items.map(jobOut), counts, page: query.page, per_page: query.per_page, total: page.total });
  });

  app.post('/:id{[0-9]+}/retry', limitWrites, async (c) => {
    requireRole(c, 'admin', ['owner'], REFUSAL);
    const { store, clock, jobs } = c.get('deps');
    const id = pathIdOr404(c, 'id', 'That job');
    if (!(await store.jobs.retry(id, clock.now()))) throw new DomainError('not_found', 'No job that gave up has this id: only a dead job can be retried.');
    jobs.wake();
    return c.body(null, 204);
  });

  return app;
}
