import { Poller } from './poller.ts';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { Job, JobWrite } from '../core/jobs.ts';
import type { Store } from '../core/store.ts';

/** Waits before attempts 2, 3, … 7 (1 min … 12 h); after the 7th failed attempt the job is dead. */
export const JOB_RETRY_DELAYS_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000];
export const JOB_MAX_ATTEMPTS = JOB_RETRY_DELAYS_MS.length + 1;

/** A failure that trying again cannot fix (refused address, 4xx): the job dies at once. */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

/** Runs one job. Throwing retries it later (or kills it, for a PermanentJobError); returning completes it. */
export type JobHandler = (job: Job) => Promise<void>;

export interface JobQueueDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** How often to look for due jobs. */
  intervalMs: number;
  batchSize?: number;
  /** How long a claimed job stays reserved; longer than one run can take. */
  lockMs?: number;
  /** Delays between attempts (tests shorten them). */
  retryDelaysMs?: number[];
}

/**
 * The durable background job queue. Jobs live in the database (table `jobs`), so a
 * restart loses nothing and several instances share the work: a job is claimed with a
 * conditional UPDATE that locks it (`skip locked` on PostgreSQL), as the mail outbox does.
 * Handlers are registered by kind; a failing job is retried with exponential backoff and
 * ends `dead`, with its last error, when attempts run out.
 */
export class JobQueue {
  private readonly deps: JobQueueDeps;
  private readonly handlers = new Map<string, JobHandler>();
  private readonly poller: Poller<number>;

  constructor(deps: JobQueueDeps) {
    this.deps = deps;
    this.poller = new Poller(() => this.run(), deps.intervalMs, { idleUntilStarted: true });
  }

  /** Registers the handler for `kind`; one per kind. */
  register(kind: string, handler: JobHandler): void {
    if (this.handlers.has(kind)) throw new Error(`a handler for job kind "${kind}" is registered already`);
    this.handlers.set(kind, handler);
  }

  /** Records a job (ignored when its key exists) and runs it soon. Pass a transaction's store to enqueue with other writes. */
  async enqueue(job: JobWrite, store: Store = this.deps.store): Promise<boolean> {
    const added = await store.jobs.enqueue(job, this.deps.clock.now());
    if (added && store === this.deps.store) this.wake();
    return added;
  }

  start(): void {
    this.poller.start();
  }

  /** Something was enqueued: run now rather than at the next poll (only once started). */
  wake(): void {
    this.poller.wake();
  }

  /** One round over every due job; concurrent calls share the round in progress. Returns how many jobs ran. */
  tick(): Promise<number> {
    return this.poller.tick();
  }

  stop(): Promise<void> {
    return this.poller.stop();
  }

  /** When to try again after the `attempts`-th attempt failed at `now`, or null to give up. */
  nextRunAt(attempts: number, now: number): number | null {
    const delays = this.deps.retryDelaysMs ?? JOB_RETRY_DELAYS_MS;
    return attempts > delays.length ? null : now + delays[attempts - 1];
  }

  private async run(): Promise<number> {
    const { store, clock, logger } = this.deps;
    const batchSize = this.deps.batchSize ?? 10;
    const lockMs = this.deps.lockMs ?? 120_000;
    let ran = 0;
    try {
      for (let round = 0; round < 50; round++) {
        const claimed = await store.jobs.claimDue(clock.now(), batchSize, lockMs);
        await Promise.all(claimed.map((job) => this.runOne(job)));
        ran += claimed.length;
        if (claimed.length < batchSize) break;
      }
    } catch (error) {
      logger.error({ err: error }, 'job queue round failed; will retry');
    }
    return ran;
  }

  private async runOne(job: Job): Promise<void> {
    const { store, clock, logger } = this.deps;
    const handler = this.handlers.get(job.kind);
    try {
      if (!handler) throw new PermanentJobError(`no handler for job kind "${job.kind}"`);
      await handler(job);
    } catch (error) {
      const attempts = job.attempts + 1;
      const text = error instanceof Error ? error.message : String(error);
      const retryAt = error instanceof PermanentJobError ? null : this.nextRunAt(attempts, clock.now());
      try {
        await store.jobs.fail(job.id, text, retryAt, clock.now());
      } catch (writeError) {
        logger.error({ err: writeError, jobId: job.id }, 'job failure could not be recorded; it runs again when its lock expires');
      }
      const fields = { jobId: job.id, kind: job.kind, attempts, error: text };
      if (retryAt === null) logger.warn(fields, 'job gave up (dead)');
      else logger.info({ ...fields, retryAt: new Date(retryAt).toISOString() }, 'job failed; will retry');
      return;
    }
    try {
      await store.jobs.complete(job.id, clock.now());
    } catch (error) {
      logger.error({ err: error, jobId: job.id }, 'job completion could not be recorded; it runs again when its lock expires');
    }
  }
}
