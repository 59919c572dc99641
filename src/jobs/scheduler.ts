import type { Logger } from 'pino';
import type { PostService } from '../core/post-service.ts';
import type { Store } from '../core/store.ts';
import type { Clock } from '../core/clock.ts';

export interface SchedulerDeps {
  posts: PostService;
  store: Store;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  /** Housekeeping run about once an hour (purging old trash, expired sessions…). */
  hourly?: Array<{ name: string; run: () => Promise<number> }>;
}

/**
 * Publishes scheduled posts when their time comes. State lives in the database, so a
 * restart loses nothing: the first tick after start publishes whatever fell due while
 * the server was down. Between polls a timer is armed for the next due post, so it goes
 * live on the second. Several instances may run it: publishing is one conditional UPDATE.
 */
export class Scheduler {
  private readonly deps: SchedulerDeps;
  private poll: NodeJS.Timeout | null = null;
  private exact: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private lastSweep = 0;

  constructor(deps: SchedulerDeps) {
    this.deps = deps;
  }

  start(): void {
    void this.tick();
    this.poll = setInterval(() => void this.tick(), this.deps.intervalMs);
    this.poll.unref();
  }

  /** Re-arms the exact timer (call after a post is scheduled). */
  wake(): void {
    void this.tick();
  }

  tick(): Promise<void> {
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(): Promise<void> {
    const { posts, store, clock, logger } = this.deps;
    try {
      const published = await posts.publishDue();
      for (const post of published) logger.info({ postId: post.id, slug: post.slug }, 'scheduled post published');
      const next = await store.posts.nextScheduledAt();
      if (this.exact) clearTimeout(this.exact);
      this.exact = null;
      if (next !== null) {
        const delay = Math.max(0, next - clock.now());
        if (delay < this.deps.intervalMs) {
          this.exact = setTimeout(() => void this.tick(), delay + 5);
          this.exact.unref();
        }
      }
      if (clock.now() - this.lastSweep > 3600_000) {
        this.lastSweep = clock.now();
        const removed = await store.sessions.deleteExpired(clock.now());
        if (removed > 0) logger.info({ removed }, 'expired sessions removed');
        for (const task of this.deps.hourly ?? []) {
          const count = await task.run();
          if (count > 0) logger.info({ task: task.name, count }, 'housekeeping');
        }
      }
    } catch (error) {
      logger.error({ err: error }, 'scheduler tick failed; will retry');
    }
  }

  async stop(): Promise<void> {
    if (this.poll) clearInterval(this.poll);
    if (this.exact) clearTimeout(this.exact);
    await this.running;
  }
}
