import { isDeepStrictEqual } from 'node:util';
import { sql, type Kysely, type RawBuilder, type Selectable, type Transaction } from 'kysely';
import type { KvKey, KvStore, KvStoreListEntry, KvStoreSetOptions, MessageQueue, MessageQueueEnqueueOptions, MessageQueueListenOptions } from '@fedify/fedify';
import { runCompiledOnce } from './compiled-once.ts';
import { readingOnly } from './node-sqlite-database.ts';
import { deleteUnusedParts, PartsReader, PartsWriter } from './federation-message-parts.ts';
import type { Database, Engine } from './schema.ts';
import { isWriteConflict } from './storage-errors.ts';
import { loopBusy, readersBusy } from '../process-load.ts';

/**
 * Fedify's key–value store and message queue on Kumbaya's own database (migration 011),
 * the same SQL on SQLite and PostgreSQL. Only Fedify's types are imported here, so
 * opening the store never loads Fedify itself.
 */

interface DurationLike {
  total(options: { unit: 'millisecond' }): number;
  years?: number;
  months?: number;
  weeks?: number;
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
  milliseconds?: number;
  microseconds?: number;
  nanoseconds?: number;
}

/**
 * A Temporal.Duration (Fedify's polyfill or the built-in one) in milliseconds. Durations
 * of days and less are added up from their fields: the polyfill's `total()` costs a
 * fifth of a millisecond, and Fedify passes a TTL with every activity it marks handled.
 */
function durationMs(duration: DurationLike | undefined): number {
  if (!duration) return 0;
  if (duration.years || duration.months || duration.weeks) return Math.max(0, duration.total({ unit: 'millisecond' }));
  const ms = ((((duration.days ?? 0) * 24 + (duration.hours ?? 0)) * 60 + (duration.minutes ?? 0)) * 60 + (duration.seconds ?? 0)) * 1000 + (duration.milliseconds ?? 0) + (duration.microseconds ?? 0) / 1e3 + (duration.nanoseconds ?? 0) / 1e6;
  return Math.max(0, ms);
}

/** The stored form of a key: its JSON text, so a prefix of the array is a prefix of the text. */
const keyText = (key: KvKey): string => JSON.stringify(key);

/** The JSON text of a key prefix as it starts every longer key: `["a","b"` (no closing bracket). */
const prefixText = (prefix: KvKey): string => keyText(prefix).slice(0, -1);

export class KyselyKvStore implements KvStore {
  private readonly db: Kysely<Database>;
  private readonly engine: Engine;
  private readonly now: () => number;

  constructor(db: Kysely<Database>, engine: Engine, now: () => number = Date.now) {
    this.db = db;
    this.engine = engine;
    this.now = now;
  }

  private live() {
    const now = this.now();
    return this.db.selectFrom('federation_kv').where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
  }

  async get<T = unknown>(key: KvKey): Promise<T | undefined> {
    // Fedify reads several keys per delivery: the query is built once.
    const [row] = await runCompiledOnce(this.db, this.engine, 'federation-kv-get', [keyText(key), this.now()], ([text, now]) =>
      this.db
        .selectFrom('federation_kv')
        .select('value')
        .where('key', '=', text as string)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now as number)])),
    );
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  private expiry(options?: KvStoreSetOptions): number | null {
    return options?.ttl ? this.now() + durationMs(options.ttl) : null;
  }

  async set(key: KvKey, value: unknown, options?: KvStoreSetOptions): Promise<void> {
    const row = { key: keyText(key), value: JSON.stringify(value), expires_at: this.expiry(options) };
    // Fedify sets some keys to what they hold after every delivery (the signature spec a
    // server takes): an unchanged value is not written again. Two shapes (with and without
    // an expiry), each compiled once: Fedify writes a key or two per received activity.
    const forever = row.expires_at === null;
    await runCompiledOnce(this.db, this.engine, forever ? 'federation-kv-set' : 'federation-kv-set-ttl', [row.key, row.value, row.expires_at], ([k, value, expires]) =>
      this.db
        .insertInto('federation_kv')
        .values({ key: k as string, value: value as string, expires_at: expires as number | null })
        .onConflict((oc) =>
          oc
            .column('key')
            .doUpdateSet({ value: value as string, expires_at: expires as number | null })
            .where((eb) => eb.or([eb('federation_kv.value', '<>', value as string), forever ? eb('federation_kv.expires_at', 'is not', null) : eb.or([eb('federation_kv.expires_at', 'is', null), eb('federation_kv.expires_at', '<>', expires as number)])])),
        ),
    );
  }

  async delete(key: KvKey): Promise<void> {
    await this.db.deleteFrom('federation_kv').where('key', '=', keyText(key)).execute();
  }

  /**
   * Sets `newValue` only if the key holds `expectedValue` (undefined: absent or expired).
   * The write is conditional on the exact row that was compared, so when two callers race
   * with the same expectation exactly one of them succeeds, on either engine.
   */
  async cas(key: KvKey, expectedValue: unknown, newValue: unknown, options?: KvStoreSetOptions): Promise<boolean> {
    const text = keyText(key);
    const now = this.now();
    const row = await this.db.selectFrom('federation_kv').selectAll().where('key', '=', text).executeTakeFirst();
    const live = row !== undefined && (row.expires_at === null || Number(row.expires_at) > now);
    const current = live ? JSON.parse(row.value) : undefined;
    if (!isDeepStrictEqual(current, expectedValue)) return false;
    const values = { value: JSON.stringify(newValue), expires_at: this.expiry(options) };
    if (!row) {
      const inserted = await this.db
        .insertInto('federation_kv')
        .values({ key: text, ...values })
        .onConflict((oc) => oc.column('key').doNothing())
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
    }
    const updated = await this.db
      .updateTable('federation_kv')
      .set(values)
      .where('key', '=', text)
      .where('value', '=', row.value)
      .where((eb) => (row.expires_at === null ? eb('expires_at', 'is', null) : eb('expires_at', '=', row.expires_at)))
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1;
  }

  /** Every live entry whose key starts with `prefix` (all of them without one), in key order. */
  async *list(prefix?: KvKey): AsyncIterable<KvStoreListEntry> {
    let query = this.live().select(['key', 'value']);
    if (prefix) {
      const exact = keyText(prefix);
      const start = `${prefixText(prefix)},`;
      // substr counts characters on both engines; a JavaScript length counts UTF-16 units.
      const length = [...start].length;
      query = query.where((eb) => eb.or([eb('key', '=', exact), eb(sql<string>`substr(${sql.ref('key')}, 1, ${length})`, '=', start)]));
    }
    const rows = await query.execute();
    rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const row of rows) yield { key: JSON.parse(row.key) as KvKey, value: JSON.parse(row.value) };
  }

  /** Removes expired entries (hourly housekeeping); returns how many. */
  async deleteExpired(): Promise<number> {
    const result = await this.db.deleteFrom('federation_kv').where('expires_at', '<=', this.now()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

export interface MessageQueueOptions {
  /** How often an idle listener looks for work (other instances enqueue too). Default 1 s. */
  pollMs?: number;
  /** How long a claimed message is held before another worker may take it again. Default 5 min. */
  leaseMs?: number;
  /** Messages handled at once by one listener. Default 4. */
  batch?: number;
  /** A handler that throws is retried this many times with backoff, then dropped. Default 10. */
  maxAttempts?: number;
  now?: () => number;
  /** Whether the event loop is busy (`loopBusy` in process-load.ts: its utilization); tests name it. */
  loopBusy?: () => boolean;
  /** Whether readers' requests arrive fast (`readersBusy` in process-load.ts); tests name it. */
  readersBusy?: () => boolean;
  /** How long a delivery keeps its slot while readers are busy. Default `READERS_PAUSE_MS`; tests shorten it. */
  readersPauseMs?: number;
  /** Errors of the queue itself (the database unreachable) and dropped messages; listening goes on. */
  onError?: (error: unknown, message?: unknown) => void;
  /**
   * Which messages `listen` takes: every one (`all`, the default), only deliveries (`outbox`
   * and `fanout`, a post's change among them: the delivery thread's), or everything else
   * (`received`: activities received, which the main thread handles). Enqueueing is not affected.
   */
  claims?: MessageClaims;
  /**
   * Whether an enqueue of many rows pauses for the event loop between its INSERTs (default
   * true: pages are served meanwhile). The delivery thread serves no pages, and a pause
   * there would only hold its write lock longer, which the main thread waits for asleep.
   */
  pauseBetweenChunks?: boolean;
  /**
   * Called whenever this queue wakes its own sleeping listeners (an enqueue, a retry made
   * due now): for a listener that sleeps elsewhere (the delivery thread, delivery-thread.ts).
   */
  wakeElsewhere?: () => void;
}

/** `onError` for a queue: what it says in the log. */
export function logQueueErrors(logger: { error(fields: object, message: string): void }): NonNullable<MessageQueueOptions['onError']> {
  return (error, message) => logger.error({ err: error, message }, message === undefined ? 'fediverse queue: database error' : 'fediverse queue: message dropped after its last retry');
}

/** Which messages a queue's `listen` takes (see `MessageQueueOptions.claims`). */
export type MessageClaims = 'all' | 'deliveries' | 'received';

/** The kinds (migration 016) a delivery is stored as: one inbox, or a fan-out still to be split (a post's change included). */
const DELIVERY_KINDS = ['outbox', 'fanout'] as const;
const deliveryKinds = sql.join(DELIVERY_KINDS.map((kind) => sql.lit(kind)));

/** The condition on a row's `kind` (the column `kind`, as named in the query) for the messages a queue takes. */
function takenBy(claims: MessageClaims, kind: RawBuilder<unknown>): RawBuilder<boolean> {
  if (claims === 'deliveries') return sql<boolean>`${kind} in (${deliveryKinds})`;
  if (claims === 'received') return sql<boolean>`(${kind} is null or ${kind} not in (${deliveryKinds}))`;
  return sql<boolean>`true`;
}

type MessageRow = Selectable<Database['federation_messages']>;

/**
 * Kumbaya's own message in Fedify's queue: a post's change, waiting to be turned into
 * Fedify's fan-out by whichever instance takes it (Fedify ignores types it does not know;
 * `KyselyMessageQueue.handleOwn` gives it to its handler).
 */
export const POST_CHANGE_MESSAGE = 'kumbaya:post-change';

/** What a queued message is, for Admin → Fediverse (columns of migration 016). */
export interface MessageDescription {
  kind: 'outbox' | 'fanout' | 'inbox' | null;
  inbox: string | null;
  activity_type: string | null;
  activity_id: string | null;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** `https://www.w3.org/ns/activitystreams#Create` → `Create`. */
const shortType = (type: string | null): string | null => (type === null ? null : type.slice(type.lastIndexOf('#') + 1) || type);

/**
 * Reads Fedify's message shapes: `outbox` (one activity to one inbox), `fanout` (one
 * activity and every inbox it goes to) and `inbox` (an activity received). Anything else
 * is described as unknown.
 */
export function describeMessage(message: unknown): MessageDescription {
  const m = (message ?? {}) as { type?: unknown; inbox?: unknown; activityType?: unknown; activityId?: unknown; activity?: { id?: unknown; type?: unknown } | string };
  // A post's change is a fan-out still to be made: the admin counts and lists it as one.
  if (m.type === POST_CHANGE_MESSAGE) return { kind: 'fanout', inbox: null, activity_type: text(m.activity), activity_id: null };
  const kind = m.type === 'outbox' || m.type === 'fanout' || m.type === 'inbox' ? m.type : null;
  const received = typeof m.activity === 'object' ? m.activity : undefined;
  if (kind === 'inbox') return { kind, inbox: null, activity_type: text(received?.type), activity_id: text(received?.id) };
  return { kind, inbox: kind === 'outbox' ? text(m.inbox) : null, activity_type: shortType(text(m.activityType)), activity_id: text(m.activityId) };
}

/** A delivery waiting in the queue, as Admin → Fediverse lists it. */
export interface QueuedDelivery {
  id: number;
  /** `outbox`: one inbox; `fanout`: the activity is still to be split per inbox. */
  kind: 'outbox' | 'fanout';
  inbox: string | null;
  activityType: string | null;
  activityId: string | null;
  /** Publishing's key (`post:<id>` and the server's origin), or whatever key Fedify was given. */
  orderingKey: string | null;
  /** An earlier message with its ordering key is still waiting: it goes after that one. */
  behind: boolean;
  /** Attempts started so far (a message being sent counts its current attempt). */
  attempts: number;
  lastError: string | null;
  /** When it is (next) tried. */
  runAt: number;
  /** Held by a worker: being sent right now. */
  sending: boolean;
  createdAt: number;
}

/** Counts of the queue by what waits, for the summary above the lists. */
export interface DeliverySummary {
  /** Deliveries to one inbox each, not yet done. */
  deliveries: number;
  /** Of those, how many failed at least once and wait for a retry. */
  failing: number;
  /** Of those, how many are being sent right now. */
  sending: number;
  /** Activities still to be split into deliveries (one per published change). */
  fanouts: number;
  /** Activities received from other servers, waiting to be handled. */
  received: number;
}

/**
 * A received activity's ordering key: its id. Two instances (or the shared and the
 * personal inbox) may each receive the same activity; Fedify marks an activity processed
 * in the KvStore only after its listener ran, so copies handled side by side would both
 * run. One key makes them run one after another, and the later copy finds the mark.
 */
function receivedKey(description: MessageDescription): string | null {
  return description.kind === 'inbox' && description.activity_id !== null ? `received\n${description.activity_id}` : null;
}

/** How soon a listener held back by a busy process looks again. */
const BUSY_RECHECK_MS = 25;
/**
 * How long a delivery (an `outbox` message) keeps its slot once done, while the process is
 * busy. Deliveries to fast servers are all CPU (signing, JSON, the database): with a busy
 * loop, a short pause lets the requests that came in meanwhile go first. With readers
 * arriving fast (`readersBusy`), deliveries slow to about ten a second, one at a time, and
 * go back to full speed once the readers thin out: on two cores, under readers that keep
 * the cached post page busy, the page's p99 during a fan-out to 1,000 servers went from
 * 9–60× its idle p99 to 1.8–5.7× with this and the fan-out reading one follower per server
 * (`followers.listDeliveryTargets`); bench/README.md, "(i)".
 */
export const LOOP_BUSY_PAUSE_MS = 10;
export const READERS_PAUSE_MS = 100;

/** Rows per INSERT when enqueues are written together (12 values a row, far inside SQLite's and PostgreSQL's limits). */
const ENQUEUE_CHUNK = 100;

/**
 * When a message that failed its `attempts`-th time runs again: 1 min, 2, 4 … up to 1 h.
 * A write conflict (`isWriteConflict`: two replies from a new account, each creating its
 * Person at the same moment) is tried again within seconds instead, its first three times
 * (1–1.5 s, 2–3, 4–6: spread, so the two writers do not meet again), since the other write
 * has committed by then; a reader's reply should not wait a minute for it.
 */
export function retryDelayMs(attempts: number, error?: unknown): number {
  if (attempts <= CONFLICT_RETRIES && isWriteConflict(error)) return Math.round(1000 * 2 ** Math.max(0, attempts - 1) * (1 + Math.random() / 2));
  return Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}
const CONFLICT_RETRIES = 3;

/**
 * Fedify's message queue on the `federation_messages` table. Any number of listeners, in
 * this process or on other instances sharing PostgreSQL, take messages with one
 * conditional UPDATE (`skip locked` on PostgreSQL), so each message is handled by one of
 * them. A message with an ordering key is not taken while an earlier message with the
 * same key is still in the table (waiting, delayed or being handled): those run one at a
 * time, in order. A handled message is deleted.
 *
 * Retries happen here, in place (nativeRetrial): a failed message keeps its row, and so its
 * place before later messages of its key, with its attempts and last error for the admin.
 * (Fedify's own retries would enqueue a new message behind them, and an Update could
 * overtake the Create it follows.) Fedify still answers 404/410, Retry-After and open
 * circuit breakers itself.
 */
export class KyselyMessageQueue implements MessageQueue {
  readonly nativeRetrial = true;
  private readonly db: Kysely<Database>;
  private readonly engine: Engine;
  private readonly options: Required<Omit<MessageQueueOptions, 'onError' | 'wakeElsewhere'>> & Pick<MessageQueueOptions, 'onError' | 'wakeElsewhere'>;
  /** Listeners of this process sleeping until the next poll: an enqueue here wakes them at once. */
  private readonly sleepers = new Set<() => void>();
  /** Puts the stored parts back into the messages taken (migration 032). */
  private readonly parts: PartsReader;
  /** Handlers of Kumbaya's own message types (see `handleOwn`). */
  private readonly own = new Map<string, (message: any) => Promise<void>>();
  /** Enqueued in this turn of the event loop, written together (see `write`). */
  private readonly unwritten: Array<{ messages: readonly unknown[]; orderingKey: string | null; runAt: number; now: number; resolve: () => void; reject: (error: unknown) => void }> = [];

  constructor(db: Kysely<Database>, engine: Engine, options: MessageQueueOptions = {}) {
    this.db = db;
    this.engine = engine;
    this.options = { pollMs: 1000, leaseMs: 300_000, batch: 4, maxAttempts: 10, now: Date.now, loopBusy, readersBusy, readersPauseMs: READERS_PAUSE_MS, claims: 'all', pauseBetweenChunks: true, ...options };
    this.parts = new PartsReader(db);
  }

  /**
   * Messages whose `type` is `type` go to `handler` instead of Fedify's listener: Kumbaya's
   * own work rides the same queue, with the same ordering keys, retries and instances.
   */
  handleOwn(type: string, handler: (message: any) => Promise<void>): void {
    this.own.set(type, handler);
  }

  async enqueue(message: unknown, options?: MessageQueueEnqueueOptions): Promise<void> {
    await this.enqueueMany([message], options);
  }

  async enqueueMany(messages: readonly unknown[], options?: MessageQueueEnqueueOptions): Promise<void> {
    if (messages.length === 0) return;
    const now = this.options.now();
    await new Promise<void>((resolve, reject) => {
      this.unwritten.push({ messages, orderingKey: options?.orderingKey ?? null, runAt: now + durationMs(options?.delay), now, resolve, reject });
      if (this.unwritten.length === 1) queueMicrotask(() => void this.write());
    });
    this.wake();
  }

  /** Wakes this queue's sleeping listeners (and the one elsewhere, `wakeElsewhere`): there is work, or work made due now. */
  wake(): void {
    for (const wake of this.sleepers) wake();
    this.options.wakeElsewhere?.();
  }

  /**
   * Writes every enqueue made in the same turn of the event loop in one transaction.
   * Fedify splits a post into one `enqueue` per inbox (each with its ordering key), all
   * called at once: a thousand single-row commits become a few multi-row INSERTs, and the
   * work (a message is several kilobytes of JSON) is cut into chunks with a pause for the
   * event loop between them, so pages are served meanwhile. Ids follow the order of the
   * calls, so the order holds within a key. All or nothing: a failure rejects every
   * enqueue of the turn.
   */
  private async write(): Promise<void> {
    const batch = this.unwritten.splice(0);
    const rows = batch.flatMap((entry) => entry.messages.map((message) => ({ message, entry })));
    // The activity and keys every delivery of one activity shares are stored once (migration 032).
    const parts = new PartsWriter();
    const chunk = (from: number) =>
      rows.slice(from, from + ENQUEUE_CHUNK).map(({ message, entry }) => {
        const description = describeMessage(message);
        return { message: parts.text(message), ordering_key: entry.orderingKey ?? receivedKey(description), run_at: entry.runAt, locked_until: 0, attempts: 0, last_error: null, created_at: entry.now, ...description };
      });
    const usedAt = Math.max(...batch.map((entry) => entry.now));
    try {
      const first = chunk(0);
      if (rows.length <= ENQUEUE_CHUNK && parts.parts.size === 0) await this.db.insertInto('federation_messages').values(first).execute();
      else
        await this.db.transaction().execute(async (trx) => {
          let values = first;
          for (let from = 0; from < rows.length; from += ENQUEUE_CHUNK) {
            if (from > 0) {
              if (this.options.pauseBetweenChunks) await new Promise((resolve) => setImmediate(resolve));
              values = chunk(from);
            }
            await trx.insertInto('federation_messages').values(values).execute();
          }
          // After the messages, so that every part the chunks named is written.
          await parts.write(trx, usedAt);
        });
      for (const entry of batch) entry.resolve();
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }

  /** Hourly: the stored parts no waiting message names any more (see federation-message-parts.ts). */
  deleteUnusedParts(): Promise<number> {
    return deleteUnusedParts(this.db, this.options.now());
  }

  /** Messages waiting (not held by a worker) of those this queue takes (`claims`): how far behind it is. */
  async getDepth(): Promise<{ queued: number; ready: number; delayed: number }> {
    const now = this.options.now();
    const { claims } = this.options;
    const row = await this.db
      .selectFrom('federation_messages')
      .select([
        (eb) => eb.fn.countAll<number>().as('queued'),
        (eb) => eb.fn.sum<number>(eb.case().when('run_at', '<=', now).then(1).else(0).end()).as('ready'),
      ])
      .where('locked_until', '<=', now)
      .where(takenBy(claims, sql.ref('kind')))
      .executeTakeFirstOrThrow();
    const queued = Number(row.queued);
    const ready = Number(row.ready ?? 0);
    return { queued, ready, delayed: queued - ready };
  }

  /**
   * Takes up to `limit` messages that are due, held by no worker and first of their
   * ordering key, holding them for the lease. The choice is a CTE (evaluated once, as in
   * claim-due.ts); the UPDATE re-checks the lock, so two workers never get one message.
   */
  async claim(limit: number): Promise<MessageRow[]> {
    const now = this.options.now();
    const skipLocked = this.engine === 'postgres' ? sql` for update skip locked` : sql``;
    const result = await this.grouped((db) => sql<MessageRow>`
      with due as (
        select m.id from federation_messages m
        where m.run_at <= ${now} and m.locked_until <= ${now} and ${takenBy(this.options.claims, sql.ref('m.kind'))}
          and (m.ordering_key is null or not exists (
            select 1 from federation_messages e where e.ordering_key = m.ordering_key and e.id < m.id))
        order by m.run_at, m.id
        limit ${limit}${skipLocked}
      )
      update federation_messages set locked_until = ${now + this.options.leaseMs}, attempts = attempts + 1
      where id in (select id from due) and locked_until <= ${now}
      returning *`.execute(db));
    return result.rows.sort((a, b) => Number(a.run_at) - Number(b.run_at) || Number(a.id) - Number(b.id));
  }

  /**
   * A claim or a removal. On SQLite it is a transaction of the group that commits at the end
   * of this turn of the event loop (group commit, node-sqlite-database.ts) rather than a
   * COMMIT of its own: every received activity is claimed and removed, and each COMMIT
   * writes the table's and its indexes' pages again. It does not wait for that COMMIT: a
   * lease or a removal lost with its group (a crash, a full disk) only means the message is
   * taken again, as after any interrupted attempt, and what its handler wrote in the same
   * group is gone with it. On PostgreSQL it runs on its own, as before.
   */
  private grouped<T>(work: (db: Kysely<Database> | Transaction<Database>) => Promise<T>): Promise<T> {
    return this.engine === 'sqlite' ? this.db.transaction().execute(work) : work(this.db);
  }

  /** `parsed`: the row's message with its parts in place (`PartsReader`), or why it could not be read. */
  private async handle(row: MessageRow, parsed: unknown, handler: (message: any) => Promise<void> | void): Promise<void> {
    const message = parsed instanceof Error ? undefined : parsed;
    try {
      if (parsed instanceof Error) throw parsed;
      await handler(message);
    } catch (error) {
      const attempts = Number(row.attempts);
      if (attempts >= this.options.maxAttempts) {
        this.options.onError?.(error, message);
        await this.remove(row.id);
        return;
      }
      await this.db
        .updateTable('federation_messages')
        .set({ locked_until: 0, run_at: this.options.now() + retryDelayMs(attempts, error), last_error: String(error instanceof Error ? error.message : error).slice(0, 2000) })
        .where('id', '=', row.id)
        .execute();
      return;
    }
    await this.remove(row.id);
  }

  /** Handled (or dropped) messages waiting to leave the table: removed together, in one statement (see `remove`). */
  private readonly removing: Array<{ id: number; resolve: () => void; reject: (error: unknown) => void }> = [];

  /**
   * A handled (or dropped) message leaves the table. The messages finished in one turn of
   * the event loop (side by side, a fan-out's deliveries finish close together) are
   * deleted by one statement.
   */
  private remove(id: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.removing.push({ id, resolve, reject });
      if (this.removing.length === 1) setImmediate(() => void this.flushRemovals());
    });
  }

  private async flushRemovals(): Promise<void> {
    const batch = this.removing.splice(0);
    try {
      await this.grouped((db) =>
        batch.length === 1
          ? runCompiledOnce(db, this.engine, 'federation-message-delete', [batch[0].id], ([v]) => db.deleteFrom('federation_messages').where('id', '=', v as number))
          : db.deleteFrom('federation_messages').where('id', 'in', batch.map((entry) => entry.id)).execute(),
      );
      for (const entry of batch) entry.resolve();
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }

  /**
   * `read` against the queue as it is at one moment (one snapshot), for what shows a
   * summary beside lists (Admin → Fediverse, the API): the delivery thread removes what it
   * delivered meanwhile, and separate reads could count a delivery that a list, read a
   * moment later, no longer shows. On SQLite a reading-only transaction (`readingOnly`)
   * sees one snapshot without taking the write lock.
   */
  atOneMoment<T>(read: (queue: KyselyMessageQueue) => Promise<T>): Promise<T> {
    const run = (trx: Transaction<Database>) => read(new KyselyMessageQueue(trx, this.engine, this.options));
    return this.engine === 'postgres' ? this.db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(run) : readingOnly(() => this.db.transaction().execute(run));
  }

  /**
   * Deliveries waiting (outbox and fan-out messages) for Admin → Fediverse: those that
   * failed at least once, soonest retry first, or those that have not failed yet, oldest first.
   */
  async deliveries(query: { failed: boolean; limit: number }): Promise<QueuedDelivery[]> {
    const now = this.options.now();
    const rows = await this.db
      .selectFrom('federation_messages as m')
      .select(['m.id', 'm.kind', 'm.inbox', 'm.activity_type', 'm.activity_id', 'm.ordering_key', 'm.attempts', 'm.last_error', 'm.run_at', 'm.locked_until', 'm.created_at'])
      .select((eb) =>
        eb
          .exists(eb.selectFrom('federation_messages as e').select('e.id').whereRef('e.ordering_key', '=', 'm.ordering_key').whereRef('e.id', '<', 'm.id'))
          .as('behind'),
      )
      .where('kind', 'in', DELIVERY_KINDS)
      .where('last_error', query.failed ? 'is not' : 'is', null)
      .orderBy(query.failed ? 'run_at' : 'id')
      .orderBy('id')
      .limit(query.limit)
      .execute();
    return rows.map((row) => ({
      id: Number(row.id),
      kind: row.kind as 'outbox' | 'fanout',
      inbox: row.inbox,
      activityType: row.activity_type,
      activityId: row.activity_id,
      orderingKey: row.ordering_key,
      behind: Boolean(row.behind),
      attempts: Number(row.attempts),
      lastError: row.last_error,
      runAt: Number(row.run_at),
      sending: Number(row.locked_until) > now,
      createdAt: Number(row.created_at),
    }));
  }

  async deliverySummary(): Promise<DeliverySummary> {
    const now = this.options.now();
    const rows = await this.db
      .selectFrom('federation_messages')
      .select((eb) => [
        'kind',
        eb.fn.countAll<number>().as('n'),
        eb.fn.sum<number>(eb.case().when('last_error', 'is not', null).then(1).else(0).end()).as('failing'),
        eb.fn.sum<number>(eb.case().when('locked_until', '>', now).then(1).else(0).end()).as('sending'),
      ])
      .groupBy('kind')
      .execute();
    const of = (kind: string) => rows.find((row) => row.kind === kind);
    const outbox = of('outbox');
    return {
      deliveries: Number(outbox?.n ?? 0),
      failing: Number(outbox?.failing ?? 0),
      sending: Number(outbox?.sending ?? 0),
      fanouts: Number(of('fanout')?.n ?? 0),
      received: Number(of('inbox')?.n ?? 0),
    };
  }

  /**
   * Makes a waiting delivery due now (the author's Retry). False when it is no longer
   * waiting: delivered, given up, or being sent right now. Its ordering still holds: it
   * goes only once the messages before it with its key are done.
   */
  async retryNow(id: number): Promise<boolean> {
    const now = this.options.now();
    const result = await this.db
      .updateTable('federation_messages')
      .set({ run_at: now })
      .where('id', '=', id)
      .where('kind', 'in', DELIVERY_KINDS)
      .where('locked_until', '<=', now)
      .executeTakeFirst();
    this.wake();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Makes every delivery that failed and waits for its retry due now; returns how many. */
  async retryFailedNow(): Promise<number> {
    const now = this.options.now();
    const result = await this.db
      .updateTable('federation_messages')
      .set({ run_at: now })
      .where('kind', 'in', DELIVERY_KINDS)
      .where('last_error', 'is not', null)
      .where('run_at', '>', now)
      .where('locked_until', '<=', now)
      .executeTakeFirst();
    this.wake();
    return Number(result.numUpdatedRows);
  }

  /**
   * Handles messages until `signal` aborts; resolves then, once the messages in hand are
   * finished (never rejects). Up to `batch` messages run side by side (they have different
   * ordering keys by construction), and a free slot is filled as soon as one finishes, so a
   * slow server holds up one slot, not the others. Idle, it looks for work every `pollMs`
   * (other instances enqueue too), or at once when this process enqueues.
   */
  async listen(fedify: (message: any) => Promise<void> | void, options: MessageQueueListenOptions = {}): Promise<void> {
    const { signal } = options;
    const handler = (message: { type?: unknown } | null) => {
      const own = typeof message?.type === 'string' ? this.own.get(message.type) : undefined;
      return own ? own(message) : fedify(message);
    };
    const { batch, pollMs } = this.options;
    // Both signals are measured on every look (each keeps its own stretch going).
    const busy = () => {
      const readers = this.options.readersBusy();
      return this.options.loopBusy() || readers;
    };
    const pauseAfterDelivery = () => (this.options.readersBusy() ? this.options.readersPauseMs : this.options.loopBusy() ? LOOP_BUSY_PAUSE_MS : 0);
    const running = new Set<Promise<void>>();
    let wake: (() => void) | null = null;
    // A message finished while this listener was claiming: look again before waiting (its slot is free, and its key's next may go).
    let finished = false;
    while (!signal?.aborted) {
      finished = false;
      // While the process is busy (readers, or deliveries that are all CPU), one message at a time.
      const limit = busy() ? 1 : batch;
      let rows: MessageRow[] = [];
      if (running.size < limit) {
        // Requests that arrived meanwhile (readers) are answered before the next message starts.
        await new Promise((resolve) => setImmediate(resolve));
        try {
          rows = await this.claim(limit - running.size);
        } catch (error) {
          this.options.onError?.(error);
        }
      }
      let messages: unknown[] = [];
      if (rows.length > 0) {
        try {
          messages = await this.parts.parse(rows.map((row) => row.message));
        } catch (error) {
          // The parts could not be read (the database): the rows go back, as after a failed attempt.
          messages = rows.map(() => error instanceof Error ? error : new Error(String(error)));
        }
      }
      for (const [i, row] of rows.entries()) {
        const task: Promise<void> = this.handle(row, messages[i], handler)
          .catch((error: unknown) => this.options.onError?.(error))
          // A delivery done while the process is busy keeps its slot a while (see READERS_PAUSE_MS).
          .then(() => {
            const pause = row.kind === 'outbox' ? pauseAfterDelivery() : 0;
            return pause > 0 ? new Promise<void>((resolve) => setTimeout(resolve, pause)) : undefined;
          })
          .finally(() => {
            running.delete(task);
            finished = true;
            wake?.();
          });
        running.add(task);
      }
      if (finished || (rows.length > 0 && running.size < limit)) continue;
      await new Promise<void>((resolve) => {
        const idle = running.size < limit;
        const done = () => {
          clearTimeout(timer);
          this.sleepers.delete(done);
          signal?.removeEventListener('abort', done);
          wake = null;
          resolve();
        };
        // Nothing to take: the next poll or an enqueue. Held back by a busy loop: look again
        // shortly. Every slot taken: only a finished message (or the abort) makes room.
        const timer = idle ? setTimeout(done, pollMs) : running.size < batch ? setTimeout(done, BUSY_RECHECK_MS) : undefined;
        if (idle) this.sleepers.add(done);
        wake = done;
        signal?.addEventListener('abort', done, { once: true });
      });
    }
    await Promise.all(running);
  }
}
