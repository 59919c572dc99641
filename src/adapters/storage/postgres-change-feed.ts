import { createHash } from 'node:crypto';
import pg from 'pg';
import type { ChangeFeed } from '../../core/change-feed.ts';
import { LocalChangeFeed } from '../../core/change-feed.ts';

const CHANNEL = 'kumbaya_changes';

/**
 * The channel of one site. Notifications are per database, not per schema: sites (or test
 * runs) that share a database in schemas of their own each get a channel of their own, so
 * one site's changes never empty another's caches.
 */
export function channelFor(schema?: string): string {
  return schema ? `${CHANNEL}_${createHash('sha256').update(schema).digest('hex').slice(0, 16)}` : CHANNEL;
}

/**
 * Change feed over PostgreSQL LISTEN/NOTIFY: a change published by any instance reaches
 * the listeners of every instance.
 * If the listening connection drops it reconnects, and tells listeners "reconnected"
 * so that they drop anything they may have missed.
 */
export class PostgresChangeFeed implements ChangeFeed {
  private readonly local = new LocalChangeFeed();
  private readonly url: string;
  private readonly channel: string;
  private readonly pool: pg.Pool;
  private client: pg.Client | null = null;
  private closed = false;

  private constructor(url: string, channel: string) {
    this.url = url;
    this.channel = channel;
    this.pool = new pg.Pool({ connectionString: url, max: 2 });
  }

  /** `schema`: the site's PostgreSQL schema when it is not the default one (see channelFor). */
  static async connect(url: string, schema?: string): Promise<PostgresChangeFeed> {
    const feed = new PostgresChangeFeed(url, channelFor(schema));
    await feed.listen();
    return feed;
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (msg) => {
      if (msg.channel === this.channel) this.local.publish(msg.payload ?? 'change');
    });
    client.on('error', () => this.reconnect());
    client.on('end', () => this.reconnect());
    await client.connect();
    // The name is ours (letters, digits, underscores), never a visitor's.
    await client.query(`listen ${this.channel}`);
    this.client = client;
  }

  private reconnect(): void {
    if (this.closed || !this.client) return;
    this.client = null;
    setTimeout(() => {
      this.listen()
        .then(() => this.local.publish('reconnected'))
        .catch(() => this.reconnect());
    }, 1000).unref();
  }

  /** Tells this instance at once (so its own next request sees the change) and the others through the database. */
  publish(topic: string): void {
    this.local.publish(topic);
    this.pool.query('select pg_notify($1, $2)', [this.channel, topic]).catch(() => {
      // Unreachable database: other instances miss this one; their "reconnected" clears cover it.
    });
  }

  subscribe(listener: (topic: string) => void): () => void {
    return this.local.subscribe(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => {});
    await this.pool.end();
    await this.local.close();
  }
}
