import type { Job, JobRepository, JobStatus, JobWrite } from '../../core/jobs.ts';
import type { Page } from '../../core/store.ts';
import type { Tables } from './memory-store.ts';

export interface MemoryJobTable {
  lastId: number;
  rows: Map<number, Job & { lockedUntil: number }>;
}

export const emptyJobTable = (): MemoryJobTable => ({ lastId: 0, rows: new Map() });

function toJob(row: Job & { lockedUntil: number }): Job {
  const { lockedUntil: _lockedUntil, ...job } = row;
  return structuredClone(job);
}

/** JobRepository in memory; its rows live in the MemoryStore's tables so transactions cover them. */
export class MemoryJobRepository implements JobRepository {
  private readonly tables: () => Tables;

  constructor(tables: () => Tables) {
    this.tables = tables;
  }

  private get table(): MemoryJobTable {
    return this.tables().jobs;
  }

  async enqueue(job: JobWrite, now: number): Promise<boolean> {
    if ([...this.table.rows.values()].some((j) => j.key === job.key)) return false;
    const id = ++this.table.lastId;
    this.table.rows.set(id, {
      id, kind: job.kind, key: job.key, payload: structuredClone(job.payload), status: 'pending', attempts: 0, runAt: job.runAt ?? now, lastError: null, createdAt: now, finishedAt: null, lockedUntil: 0,
    });
    return true;
  }

  async claimDue(now: number, limit: number, lockMs: number): Promise<Job[]> {
    const due = [...this.table.rows.values()]
      .filter((j) => j.status === 'pending' && j.runAt <= now && j.lockedUntil <= now)
      .sort((a, b) => a.runAt - b.runAt || a.id - b.id)
      .slice(0, Math.max(0, limit));
    for (const row of due) row.lockedUntil = now + lockMs;
    return due.map(toJob);
  }

  async complete(id: number, now: number): Promise<void> {
    const row = this.table.rows.get(id);
    if (!row || row.status !== 'pending') return;
    Object.assign(row, { status: 'done', finishedAt: now, attempts: row.attempts + 1, lockedUntil: 0 });
  }

  async fail(id: number, error: string, retryAt: number | null, now: number): Promise<void> {
    const row = this.table.rows.get(id);
    if (!row || row.status !== 'pending') return;
    Object.assign(row, {
      attempts: row.attempts + 1,
      lastError: error.slice(0, 2000),
      lockedUntil: 0,
      ...(retryAt === null ? { status: 'dead', finishedAt: now } : { runAt: retryAt }),
    });
  }

  async retry(id: number, now: number): Promise<boolean> {
    const row = this.table.rows.get(id);
    if (!row || row.status !== 'dead') return false;
    Object.assign(row, { status: 'pending', attempts: 0, runAt: now, lockedUntil: 0, finishedAt: null });
    return true;
  }

  async list(query: { status?: JobStatus; kind?: string; limit: number; offset: number }): Promise<Page<Job>> {
    const all = [...this.table.rows.values()].filter((j) => (!query.status || j.status === query.status) && (!query.kind || j.kind === query.kind)).sort((a, b) => b.id - a.id);
    return { items: all.slice(query.offset, query.offset + query.limit).map(toJob), total: all.length };
  }

  async deleteDone(before: number): Promise<number> {
    let n = 0;
    for (const [id, j] of this.table.rows) {
      if (j.status === 'done' && (j.finishedAt ?? 0) < before) {
        this.table.rows.delete(id);
        n++;
      }
    }
    return n;
  }

  async countByStatus(): Promise<Record<JobStatus, number>> {
    const counts: Record<JobStatus, number> = { pending: 0, done: 0, dead: 0 };
    for (const j of this.table.rows.values()) counts[j.status]++;
    return counts;
  }
}
