import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

/**
 * Parts of a queued delivery stored once (migration 032). Fedify splits an activity into
 * one `outbox` message per inbox, and every one of them carries the same activity (a few
 * kilobytes of JSON-LD with its signatures) and the same private keys as JWK (about as
 * much again). Stored whole, a post to 1,000 servers wrote, and then read and parsed,
 * ~8.5 MB. Here each message keeps only what is its own (the inbox, the ids) and names the
 * shared parts by the SHA-256 of their JSON text; a part is written once per enqueue turn
 * (an upsert that only refreshes `used_at`) and put back when the message is taken.
 */

/** The fields of an `outbox` message that every delivery of one activity shares. */
const SHARED_FIELDS = ['activity', 'keys'] as const;

/** Where a stored message names its parts: `{ activity: id, keys: id }`. */
export const PARTS_FIELD = 'kumbaya:parts';

type Parts = Partial<Record<(typeof SHARED_FIELDS)[number], string>>;

/** Turns messages into stored text, collecting the parts they share (`parts`: id → JSON text). */
export class PartsWriter {
  /** The same object (Fedify hands every message the same activity) is serialized once. */
  private readonly seen = new Map<object, string>();
  readonly parts = new Map<string, string>();

  text(message: unknown): string {
    if (!isOutbox(message)) return JSON.stringify(message);
    const own: Record<string, unknown> = { ...message };
    const named: Parts = {};
    for (const field of SHARED_FIELDS) {
      const value = own[field];
      if (value === null || typeof value !== 'object') continue;
      let id = this.seen.get(value);
      if (id === undefined) {
        const body = JSON.stringify(value);
        id = createHash('sha256').update(body).digest('base64url');
        this.seen.set(value, id);
        this.parts.set(id, body);
      }
      named[field] = id;
      delete own[field];
    }
    own[PARTS_FIELD] = named;
    return JSON.stringify(own);
  }

  /** Writes the parts collected (new ones inserted, known ones marked used at `now`). */
  async write(db: Kysely<Database> | Transaction<Database>, now: number): Promise<void> {
    if (this.parts.size === 0) return;
    await db
      .insertInto('federation_message_parts')
      .values([...this.parts].map(([id, body]) => ({ id, body, used_at: now })))
      .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ used_at: eb.ref('excluded.used_at') })))
      .execute();
  }
}

const isOutbox = (message: unknown): message is Record<string, unknown> =>
  typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'outbox';

/** Part texts read lately (a fan-out reads the same two parts a thousand times). */
const CACHED_PARTS = 32;

/** Puts the parts back into messages read from the table, reading the ones not in memory in one query. */
export class PartsReader {
  private readonly cache = new Map<string, string>();
  private readonly db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.db = db;
  }

  /**
   * The messages, parsed, each with its parts in place (parsed for each message, so no two
   * messages share an object). A part that is missing makes that message's entry an Error.
   */
  async parse(texts: readonly string[]): Promise<Array<unknown | Error>> {
    const parsed: unknown[] = [];
    const missing = new Set<string>();
    for (const text of texts) {
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch (error) {
        parsed.push(error);
        continue;
      }
      parsed.push(message);
      for (const id of Object.values(partsOf(message) ?? {})) if (!this.cache.has(id)) missing.add(id);
    }
    if (missing.size > 0) {
      const rows = await this.db.selectFrom('federation_message_parts').select(['id', 'body']).where('id', 'in', [...missing]).execute();
      for (const row of rows) this.remember(row.id, row.body);
    }
    return parsed.map((message) => {
      if (message instanceof Error) return message;
      const parts = partsOf(message);
      if (!parts) return message;
      const whole = { ...(message as Record<string, unknown>) };
      delete whole[PARTS_FIELD];
      for (const [field, id] of Object.entries(parts)) {
        const body = this.cache.get(id);
        if (body === undefined) return new Error(`a queued message names a stored part (${field}) that is gone`);
        whole[field] = JSON.parse(body);
      }
      return whole;
    });
  }

  private remember(id: string, body: string): void {
    this.cache.delete(id);
    this.cache.set(id, body);
    if (this.cache.size > CACHED_PARTS) this.cache.delete(this.cache.keys().next().value!);
  }
}

function partsOf(message: unknown): Parts | null {
  const parts = typeof message === 'object' && message !== null ? (message as Record<string, unknown>)[PARTS_FIELD] : undefined;
  return typeof parts === 'object' && parts !== null ? (parts as Parts) : null;
}

/**
 * Deletes the parts no waiting message names: those last used before the oldest waiting
 * message was created, and more than `marginMs` ago (an enqueue may be committing on
 * another instance). Returns how many.
 */
export async function deleteUnusedParts(db: Kysely<Database>, now: number, marginMs = 3_600_000): Promise<number> {
  const oldest = await db
    .selectFrom('federation_messages')
    .select((eb) => eb.fn.min<number | null>('created_at').as('at'))
    .executeTakeFirst();
  const before = Math.min(now - marginMs, oldest?.at == null ? Number.POSITIVE_INFINITY : Number(oldest.at));
  const result = await db.deleteFrom('federation_message_parts').where('used_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
