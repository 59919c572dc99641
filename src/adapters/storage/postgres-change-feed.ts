import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import { CATCH_UP_BATCH, CHANGES_MISSED, RESUME_WITHIN, ChangeAppender, type ChangeEvent, type ChangeFeed, type ChangeLogRepository, type LiveStatus } from '../../core/change-feed.ts';
import { insideTransaction } from './transact.ts';

const CHANNEL = 'kumbaya_changes';

/**
 * The channel of one site. Notifications are per database, not per schema: sites (or test
 * runs) that share a database in schemas of their own each get a channel of their own, so
 * one site's changes never empty another's caches.
 */
export function channelFor(schema?: string): string {
  return schema && schema !== 'public' ? `${CHANNEL}_${createHash('sha256').update(schema).digest('hex').slice(0, 16)}` : CHANNEL;
}

export interface PostgresChangeFeedOptions {
  /** Where the listening connection goes (DATABASE_LISTEN_URL, else DATABASE_URL). */
  listenUrl: string;
  /** The site's PostgreSQL schema when it is not the default one (see channelFor). */
  schema?: string;
  /** The change log, read and written through the store's own connections. */
  log: ChangeLogRepository;
  /** Sends a NOTIFY through the store's connections (KyselyStore.notify). */
  notify: (channel: string, payload: string) => Promise<void>;
  logger?: Pick<Logger, 'warn' | 'info'>;
  now?: () => number;
  /** The wait before the first attempt to listen again, doubled per failure up to `maxMs`. */
  retry?: { firstMs: number; maxMs: number };
  /** While not listening: how often the change log is read instead. */
  pollMs?: number;
}

const quiet = { warn: () => {}, info: () => {} };

/**
 * Change feed over PostgreSQL: every change is numbered in the change log, and a NOTIFY
 * carrying only the newest id (payloads are limited to 8,000 bytes) tells the one listening
 * connection each instance keeps; on a notification an instance reads the log after the
 * last id it saw, so its followers (live streams) hear every change once, in order, its own
 * included. Its subscribers (caches) heard its own changes at publish: read back, those are
 * not told again (a second clear would throw away the pages rendered since, and the page
 * cache refuses a render that a clear overtook), except a change published from inside a
 * transaction: that one was announced before other connections could see it, so a page
 * rendered in between may hold the old content, and the read-back clears it.
 *
 * When that connection drops, the instance tries to listen again with a growing wait
 * (1 s … 15 s) for as long as it runs, and reads the log every second meanwhile, so its
 * caches stay in step. When the log cannot be read either, or was pruned past the last id
 * it saw, subscribers hear CHANGES_MISSED (caches are emptied). `status()` says which.
 */
export class PostgresChangeFeed implements ChangeFeed {
  private readonly listeners = new Set<(topic: string) => void>();
  private readonly followers = new Set<(event: ChangeEvent) => void>();
  private readonly options: PostgresChangeFeedOptions;
  private readonly channel: string;
  private readonly logger: Pick<Logger, 'warn' | 'info'>;
  private readonly now: () => number;
  private readonly appender: ChangeAppender;
  private lastId: number;
  private client: pg.Client | null = null;
  private closed = false;
  private down: Extract<LiveStatus, { state: 'down' }> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pollTimer: ReturnType<typeof setInterval> | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private reading: Promise<void> | null = null;
  private readAgain = false;
  private logUnreadable = false;
  /** Own changes whose subscribers were told at publish, after their commit: their read-back tells followers only. */
  private readonly toldAtPublish = new Set<number>();
  /** Topics published here from inside a transaction and not yet numbered, by how many times. */
  private readonly publishedUncommitted = new Map<string, number>();

  private constructor(options: PostgresChangeFeedOptions, head: number) {
    this.options = options;
    this.channel = channelFor(options.schema);
    this.logger = options.logger ?? quiet;
    this.now = options.now ?? Date.now;
    this.lastId = head;
    this.appender = new ChangeAppender({
      log: options.log,
      now: this.now,
      onError: (error) => this.logger.warn({ err: error }, 'a change could not be written to the change log yet; trying again'),
      appended: async (events) => {
        for (const event of events) {
          const uncommitted = this.publishedUncommitted.get(event.topic) ?? 0;
          if (uncommitted > 1) this.publishedUncommitted.set(event.topic, uncommitted - 1);
          else if (uncommitted === 1) this.publishedUncommitted.delete(event.topic);
          // Not when a read (another instance's notification) already passed it: it was told then.
          else if (event.id > this.lastId) this.toldAtPublish.add(event.id);
        }
        // This instance reads its own changes back like everyone else's, so live streams hear one order.
        this.pull();
        await options.notify(this.channel, String(events[events.length - 1].id));
      },
    });
  }

  /**
   * Starts listening. A listening connection that cannot be made now is not fatal: the feed
   * starts down and keeps trying (see status()).
   */
  static async connect(options: PostgresChangeFeedOptions): Promise<PostgresChangeFeed> {
    const feed = new PostgresChangeFeed(options, await options.log.head());
    try {
      await feed.listen();
    } catch (error) {
      feed.wentDown(error);
    }
    return feed;
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.listenUrl, keepAlive: true, connectionTimeoutMillis: 10_000, query_timeout: 10_000 });
    client.on('notification', (message) => {
      if (message.channel !== this.channel) return;
      const id = Number(message.payload);
      if (!(Number.isSafeInteger(id) && id <= this.lastId)) this.pull();
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('the listening connection was closed')));
    try {
      await client.connect();
      // The name is ours (letters, digits, underscores), never a visitor's.
      await client.query(`listen ${this.channel}`);
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    // A connection can die without a word (a firewall dropping it): ask now and then.
    this.heartbeat = setInterval(() => void client.query('select 1').catch((error: unknown) => this.lost(client, error)), 30_000);
    this.heartbeat.unref();
    const was = this.down;
    this.down = null;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
    if (was) this.logger.info({ downForMs: this.now() - was.since, attempts: was.attempts }, 'listening for changes again; catching up from the change log');
    // Listening first, then reading: nothing can fall between the two.
    this.pull();
  }

  private lost(client: pg.Client, error: unknown): void {
    if (this.closed || client !== this.client) return;
    this.client = null;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    client.end().catch(() => {});
    this.wentDown(error);
  }

  private wentDown(error: unknown): void {
    if (this.closed) return;
    this.down = { state: 'down', since: this.now(), reason: messageOf(error), attempts: 0, catchingUp: !this.logUnreadable };
    this.logger.warn({ err: error }, 'not listening for changes: trying again, and reading the change log every second meanwhile');
    this.pollTimer = setInterval(() => this.pull(), this.options.pollMs ?? 1000);
    this.pollTimer.unref();
    this.pull();
    this.retryLater();
  }

  private retryLater(): void {
    const down = this.down;
    if (this.closed || !down) return;
    const { firstMs, maxMs } = this.options.retry ?? { firstMs: 1000, maxMs: 15_000 };
    const wait = Math.min(maxMs, firstMs * 2 ** Math.min(down.attempts, 16)) * (0.8 + Math.random() * 0.4);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.listen().catch((error: unknown) => {
        down.attempts++;
        down.reason = messageOf(error);
        this.retryLater();
      });
    }, wait);
    this.retryTimer.unref();
  }

  /** Reads the log after the last id heard; one read at a time, again if asked meanwhile. */
  private pull(): void {
    if (this.closed) return;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = this.readNew().finally(() => {
      this.reading = null;
      if (this.readAgain) {
        this.readAgain = false;
        this.pull();
      }
    });
  }

  private async readNew(): Promise<void> {
    try {
      for (;;) {
        const events = await this.options.log.after(this.lastId, { limit: CATCH_UP_BATCH });
        if (events === null) {
          // Pruned past what this instance saw: it cannot tell what changed.
          this.lastId = await this.options.log.head();
          for (const id of this.toldAtPublish) if (id <= this.lastId) this.toldAtPublish.delete(id);
          this.logger.warn({ resumeAfter: this.lastId }, 'the change log no longer holds the last change this instance saw: caches emptied');
          this.tell({ id: this.lastId, topic: CHANGES_MISSED, at: this.now() });
          break;
        }
        for (const event of events) {
          this.lastId = event.id;
          this.tell(event);
        }
        if (events.length < CATCH_UP_BATCH) break;
      }
      if (this.logUnreadable) this.logger.info({}, 'the change log can be read again');
      this.logUnreadable = false;
      if (this.down) this.down.catchingUp = true;
    } catch (error) {
      // Other instances may be changing things this one cannot hear of: drop every cache
      // (again on each failed read, since pages rendered meanwhile may be stale too).
      if (!this.logUnreadable) this.logger.warn({ err: error }, 'the change log cannot be read: caches emptied until it can');
      this.logUnreadable = true;
      if (this.down) this.down.catchingUp = false;
      for (const listener of this.listeners) listener(CHANGES_MISSED);
      if (!this.down && !this.closed) setTimeout(() => this.pull(), this.options.pollMs ?? 1000).unref();
    }
  }

  private tell(event: ChangeEvent): void {
    if (!this.toldAtPublish.delete(event.id)) for (const listener of this.listeners) listener(event.topic);
    for (const follower of this.followers) follower(event);
  }

  /** Tells this instance's subscribers at once (so its own next request sees the change), then records it for everyone. */
  publish(topic: string): void {
    if (insideTransaction()) this.publishedUncommitted.set(topic, (this.publishedUncommitted.get(topic) ?? 0) + 1);
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
    return this.options.log.after(id, { limit: CATCH_UP_BATCH, prefix, within: RESUME_WITHIN });
  }

  status(): LiveStatus {
    return this.down ? { ...this.down } : { state: 'up' };
  }

  /** Waits until what was published is in the log and what was notified has been read (tests). */
  async settle(): Promise<void> {
    await this.appender.flush();
    while (this.reading) await this.reading;
  }

  async close(): Promise<void> {
    await this.appender.close();
    this.closed = true;
    for (const timer of [this.retryTimer, this.pollTimer, this.heartbeat]) if (timer) clearTimeout(timer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
    while (this.reading) await this.reading;
    this.listeners.clear();
    this.followers.clear();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
