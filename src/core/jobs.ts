import type { Page } from './store.ts';

/**
 * The durable background job queue, as the core sees it. A job is a kind (which handler
 * runs it), a JSON payload and an idempotency key: enqueuing the same key twice records
 * one job. Jobs are retried with backoff and end `done`, or `dead` (visible, retryable).
 */
export type JobStatus = 'pending' | 'done' | 'dead';

export interface Job {
  id: number;
  kind: string;
  /** Unique per logical job: a second enqueue with the same key is ignored. */
  key: string;
  payload: Record<string, unknown>;
  status: JobStatus;
  attempts: number;
  /** When it may run (next). */
  runAt: number;
  lastError: string | null;
  createdAt: number;
  finishedAt: number | null;
}

export interface JobWrite {
  kind: string;
  key: string;
  payload: Record<string, unknown>;
  /** Defaults to now. */
  runAt?: number;
}

export interface JobRepository {
  /** Records a job; false when a job with the same key exists already. */
  enqueue(job: JobWrite, now: number): Promise<boolean>;
  /** Takes up to `limit` due jobs and locks them for `lockMs`, so no other worker runs them meanwhile. */
  claimDue(now: number, limit: number, lockMs: number): Promise<Job[]>;
  complete(id: number, now: number): Promise<void>;
  /** Records a failed attempt; `retryAt` null gives up (status dead). */
  fail(id: number, error: string, retryAt: number | null, now: number): Promise<void>;
  /** Puts a dead job back in the queue; false when there is no dead job with this id. */
  retry(id: number, now: number): Promise<boolean>;
  list(query: { status?: JobStatus; kind?: string; limit: number; offset: number }): Promise<Page<Job>>;
  countByStatus(): Promise<Record<JobStatus, number>>;
  /** Deletes jobs that finished successfully before `before`; returns how many. Dead jobs stay until retried. */
  deleteDone(before: number): Promise<number>;
}
