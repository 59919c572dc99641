import { type Kysely, type Selectable, type Transaction } from 'kysely';
import { claimDue } from './claim-due.ts';
import type { Job, JobRepository, JobStatus, JobWrite } from '../../core/jobs.ts';
import type { Page } from '../../core/store.ts';
import type { Database, Engine } from './schema.ts';

function toJob(row: Selectable<Database['jobs']>): Job {
  return {
    id: row.id,
    kind: row.kind,
    key: row.job_key,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    status: row.status as JobStatus,
    attempts: Number(row.attempts),
    runAt: Number(row.run_at),
    lastError: row.last_error,
    createdAt: Number(row.created_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
}

/** JobRepository on SQL (SQLite and PostgreSQL). */
export class KyselyJobRepository implements JobRepository {
  private readonly db: Kysely<Database> | Transaction<Database>;
  private readonly engine: Engine;

  constructor(db: Kysely<Database> | Transaction<Database>, engine: Engine) {
    this.db = db;
    this.engine = engine;
  }

  async enqueue(job: JobWrite, now: number): Promise<boolean> {
    const result = await this.db
      .insertInto('jobs')
      .values({ kind: job.kind, job_key: job.key, payload: JSON.stringify(job.payload), status: 'pending', attempts: 0, run_at: job.runAt ?? now, locked_until: 0, last_error: null, created_at: now, finished_at: null })
      .onConflict((oc) => oc.column('job_key').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Takes due jobs for one worker (claim-due.ts: never the same job twice). */
  async claimDue(now: number, limit: number, lockMs: number): Promise<Job[]> {
    return (await claimDue(this.db, this.engine, 'jobs', 'run_at', { now, limit, lockMs })).map(toJob);
  }

  async complete(id: number, now: number): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set((eb) => ({ status: 'done', finished_at: now, attempts: eb('attempts', '+', 1), locked_until: 0 }))
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  }

  async fail(id: number, error: string, retryAt: number | null, now: number): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set((eb) => ({
        attempts: eb('attempts', '+', 1),
        last_error: error.slice(0, 2000),
        locked_until: 0,
        ...(retryAt === null ? { status: 'dead', finished_at: now } : { run_at: retryAt }),
      }))
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  }

  async retry(id: number, now: number): Promise<boolean> {
    const result = await this.db.updateTable('jobs').set({ status: 'pending', attempts: 0, run_at: now, locked_until: 0, finished_at: null }).where('id', '=', id).where('status', '=', 'dead').executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async list(query: { status?: JobStatus; kind?: string; limit: number; offset: number }): Promise<Page<Job>> {
    let base = this.db.selectFrom('jobs');
    if (query.status) base = base.where('status', '=', query.status);
    if (query.kind) base = base.where('kind', '=', query.kind);
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('id', 'desc').limit(query.limit).offset(query.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toJob), total: Number(count.n) };
  }

  async deleteDone(before: number): Promise<number> {
    const result = await this.db.deleteFrom('jobs').where('status', '=', 'done').where('finished_at', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async countByStatus(): Promise<Record<JobStatus, number>> {
    const counts: Record<JobStatus, number> = { pending: 0, done: 0, dead: 0 };
    const rows = await this.db.selectFrom('jobs').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
    for (const r of rows) counts[r.status as JobStatus] = Number(r.n);
    return counts;
  }
}
