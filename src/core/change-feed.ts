/**
 * One change, as the change log (migration 020) numbered it. Ids grow in the order the
 * changes were recorded, on every instance sharing the database.
 */
export interface ChangeEvent {
  id: number;
  topic: string;
  /** When it was recorded (epoch ms). */
  at: number;
}

/**
 * What a subscriber hears when this instance cannot tell what it missed (the change log was
 * unreadable, or pruned past the last change it saw): drop everything cached.
 */
export const CHANGES_MISSED = 'changes-missed';

/** The first entry of every change log, so that its newest id always names an entry. */
export const CHANGE_LOG_STARTED = 'change-log-started';

/**
 * The durable change log (table `change_events`): live streams resume from it (a browser's
 * Last-Event-ID), and instances catch up from it after their listening connection dropped.
 */
export interface ChangeLogRepository {
  /**
   * Records the topics in order and returns them numbered. On PostgreSQL the appends of all
   * instances take turns, so an id is never committed after a larger one (a reader that
   * has seen id N has seen everything up to N).
   */
  append(topics: string[], at: number): Promise<ChangeEvent[]>;
  /**
   * Events after `id`, oldest first, at most `limit`; with `prefix`, only topics starting with
   * it. Null when no entry `id` is kept (pruned, or never written): what came after it cannot
   * be told; null too when more than `within` entries came after it (so a stream resuming
   * from far behind costs a bounded read, whatever id a client sends).
   */
  after(id: number, options: { limit: number; prefix?: string; within?: number }): Promise<ChangeEvent[] | null>;
  /** The newest entry's id (the log is never empty). */
  head(): Promise<number>;
  /** Deletes entries recorded before `before`, always keeping the newest; returns how many went. */
  prune(before: number): Promise<number>;
}

/** Whether this instance hears every change as it happens (see ChangeFeed.status). */
export type LiveStatus =
  | { state: 'up' }
  | {
      state: 'down';
      /** Since when (epoch ms). */
      since: number;
      /** Why, in words (the database's own message). */
      reason: string;
      /** Failed attempts to listen again so far (it keeps trying). */
      attempts: number;
      /** Reading the change log works, so this instance still catches up, a little late. */
      catchingUp: boolean;
    };

/**
 * Tells every running instance that something changed (content, settings), so that caches
 * are cleared everywhere, and numbers each change in the change log so that live streams
 * can resume. The in-process feed serves a single instance; the PostgreSQL feed
 * (LISTEN/NOTIFY, carrying ids only) reaches every instance sharing the database.
 */
export interface ChangeFeed {
  /** Records the change. This instance's subscribers hear it at once, other instances' soon after. */
  publish(topic: string): void;
  /**
   * Hears every change's topic (this instance's at once, others' as they arrive), and
   * CHANGES_MISSED when some may have been missed. For caches.
   */
  subscribe(listener: (topic: string) => void): () => void;
  /**
   * Hears every change once it has its id, in id order, whichever instance made it; a
   * CHANGES_MISSED event (carrying the id to resume after) when some may have been missed.
   * For live streams.
   */
  follow(listener: (event: ChangeEvent) => void): () => void;
  /** The id of the last change `follow` listeners have heard. */
  readonly head: number;
  /** The log's events after `id` whose topic starts with `prefix` (at most 500); null when they cannot be told, or `id` is too far behind. */
  after(id: number, prefix: string): Promise<ChangeEvent[] | null>;
  status(): LiveStatus;
  close(): Promise<void>;
}

/** Events read from the log per query when catching up or resuming. */
export const CATCH_UP_BATCH = 500;

/** A stream further behind than this many changes (of every post) is told to reload instead. */
export const RESUME_WITHIN = 10_000;

/**
 * Appends published topics to the change log in order, one batch at a time (what was
 * published while a batch was being written goes in the next one). A batch that fails is
 * tried again a second later, still first in line, so a short database outage loses nothing;
 * past `maxWaiting` topics the oldest are dropped: other instances then learn of those
 * changes only with the next one they hear (any change clears every cache), and live
 * streams never hear of them.
 */
export class ChangeAppender {
  private waiting: string[] = [];
  private writing: Promise<void> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private readonly log: ChangeLogRepository;
  private readonly now: () => number;
  private readonly appended: (events: ChangeEvent[]) => void | Promise<void>;
  private readonly onError: (error: unknown) => void;
  private readonly maxWaiting: number;

  constructor(deps: { log: ChangeLogRepository; now: () => number; appended: (events: ChangeEvent[]) => void | Promise<void>; onError: (error: unknown) => void; maxWaiting?: number }) {
    this.log = deps.log;
    this.now = deps.now;
    this.appended = deps.appended;
    this.onError = deps.onError;
    this.maxWaiting = deps.maxWaiting ?? 10_000;
  }

  push(topic: string): void {
    if (this.closed) return;
    this.waiting.push(topic);
    if (this.waiting.length > this.maxWaiting) this.waiting.splice(0, this.waiting.length - this.maxWaiting);
    if (!this.writing && !this.retryTimer) this.writing = this.drain();
  }

  private async drain(): Promise<void> {
    // Let the rest of this turn of the event loop publish too: one batch for all of it.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, 200);
        let events: ChangeEvent[];
        try {
          events = await this.log.append(batch, this.now());
        } catch (error) {
          this.waiting.unshift(...batch);
          throw error;
        }
        // Written: whatever the callback meets, the batch is not written again.
        try {
          await this.appended(events);
        } catch (error) {
          this.onError(error);
        }
      }
    } catch (error) {
      this.onError(error);
      if (!this.closed) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          if (!this.writing && this.waiting.length > 0) this.writing = this.drain();
        }, 1000);
        this.retryTimer.unref?.();
      }
    } finally {
      this.writing = null;
    }
  }

  /** Waits for what was published to be written (or to fail once). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }
}

/**
 * The change feed of a single instance (SQLite, or the memory store): subscribers hear a
 * change at once; followers hear it once the log has numbered it.
 */
export class LocalChangeFeed implements ChangeFeed {
  private readonly listeners = new Set<(topic: string) => void>();
  private readonly followers = new Set<(event: ChangeEvent) => void>();
  private readonly log: ChangeLogRepository;
  private readonly appender: ChangeAppender;
  private lastId: number;

  private constructor(log: ChangeLogRepository, head: number, now: () => number, onError: (error: unknown) => void) {
    this.log = log;
    this.lastId = head;
    this.appender = new ChangeAppender({
      log,
      now,
      onError,
      appended: (events) => {
        for (const event of events) {
          this.lastId = Math.max(this.lastId, event.id);
          for (const follower of this.followers) follower(event);
        }
      },
    });
  }

  static async open(log: ChangeLogRepository, options: { now?: () => number; onError?: (error: unknown) => void } = {}): Promise<LocalChangeFeed> {
    return new LocalChangeFeed(log, await log.head(), options.now ?? Date.now, options.onError ?? (() => {}));
  }

  publish(topic: string): void {
    for (const listener of this.listeners) listener(topic);
    this.appender.push(topic);
  }

  subscribe(listener: (topic: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  follow(listener: (event: ChangeEvent) => void): () => void {
    this.followers.add(listener);
    return () => this.followers.delete(listener);
  }

  get head(): number {
    return this.lastId;
  }

  after(id: number, prefix: string): Promise<ChangeEvent[] | null> {
    return this.log.after(id, { limit: CATCH_UP_BATCH, prefix, within: RESUME_WITHIN });
  }

  status(): LiveStatus {
    return { state: 'up' };
  }

  /** Waits until everything published so far is in the log (tests). */
  flush(): Promise<void> {
    return this.appender.flush();
  }

  async close(): Promise<void> {
    await this.appender.close();
    this.listeners.clear();
    this.followers.clear();
  }
}
