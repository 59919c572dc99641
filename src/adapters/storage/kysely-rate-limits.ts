import { sql, type Kysely, type Transaction } from 'kysely';
import type { RateLimitCheck, RateLimitRepository, RateLimitResult } from '../../core/store.ts';
import { runCompiledOnce } from './compiled-once.ts';
import { transact } from './transact.ts';
import type { Database, Engine } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** RateLimitRepository on SQL (SQLite and PostgreSQL): fixed windows, counted in one statement. */
export class KyselyRateLimitRepository implements RateLimitRepository {
  private readonly db: Db;
  private readonly kind: Engine;

  constructor(db: Db, kind: Engine) {
    this.db = db;
    this.kind = kind;
  }

  async hit(key: string, windowMs: number, max: number, now: number): Promise<RateLimitResult> {
    const expired = now - windowMs;
    const [row] = await runCompiledOnce(this.db, this.kind, 'rate-limit-hit', [key, now, expired], ([k, at, before]) => sql<{ window_start: number; hits: number }>`
      insert into rate_limits (key, window_start, hits) values (${k}, ${at}, 1)
      on conflict (key) do update set
        hits = case when rate_limits.window_start <= ${before} then 1 else rate_limits.hits + 1 end,
        window_start = case when rate_limits.window_start <= ${before} then ${at} else rate_limits.window_start end
      returning window_start, hits`);
    const hits = Number(row.hits);
    if (hits <= max) return { allowed: true, retryAfterMs: 0 };
    return { allowed: false, retryAfterMs: Math.max(1, Number(row.window_start) + windowMs - now) };
  }

  /**
   * Every check in one upsert: one round trip to PostgreSQL instead of one per key. Each
   * row's window start is compared with its own window's expiry (`before`, chosen by key).
   */
  async hitAll(checks: RateLimitCheck[], now: number): Promise<RateLimitResult[]> {
    assertDistinctKeys(checks);
    if (checks.length === 0) return [];
    const values = checks.flatMap((c) => [c.key, now - c.windowMs]);
    const rows = await runCompiledOnce(this.db, this.kind, `rate-limit-hit-all-${checks.length}`, [now, ...values], ([at, ...v]) => {
      const keys = checks.map((_, i) => v[2 * i]);
      const before = sql`case excluded.key ${sql.join(checks.map((_, i) => sql`when ${v[2 * i]} then cast(${v[2 * i + 1]} as bigint)`), sql` `)} end`;
      return sql<{ key: string; window_start: number; hits: number }>`
        insert into rate_limits (key, window_start, hits) values ${sql.join(keys.map((k) => sql`(${k}, cast(${at} as bigint), 1)`))}
        on conflict (key) do update set
          hits = case when rate_limits.window_start <= ${before} then 1 else rate_limits.hits + 1 end,
          window_start = case when rate_limits.window_start <= ${before} then excluded.window_start else rate_limits.window_start end
        returning key, window_start, hits`;
    });
    return verdicts(checks, rows, now);
  }

  /**
   * On PostgreSQL one call of `kumbaya_rate_limits_all_or_none` (migration 037), which
   * undoes its counts when any is refused: one round trip where a transaction around
   * `hitAll` took three. On SQLite the same in a transaction, rolled back when any is refused.
   */
  async hitAllOrNone(checks: RateLimitCheck[], now: number): Promise<RateLimitResult[]> {
    // Keys are checked distinct by allOrNoneValues (PostgreSQL) or hitAll (SQLite).
    if (checks.length === 0) return [];
    if (this.kind === 'postgres') {
      const rows = await runCompiledOnce(this.db, this.kind, 'rate-limit-all-or-none', allOrNoneValues(checks, now), ([k, e, m, at]) =>
        sql<CountedRow>`select counted_key as key, counted_window_start as window_start, counted_hits as hits from ${allOrNoneSql(k, e, m, at)}`,
      );
      return verdicts(checks, rows, now);
    }
    let results: RateLimitResult[] = [];
    try {
      await transact(this.db, async (trx) => {
        results = await new KyselyRateLimitRepository(trx, this.kind).hitAll(checks, now);
        if (results.some((r) => !r.allowed)) throw refusal;
      });
    } catch (error) {
      if (error !== refusal) throw error;
    }
    return results;
  }
}

/** Each key is counted once per call: a repeated key would have two verdicts and one row. */
function assertDistinctKeys(checks: RateLimitCheck[]): void {
  if (new Set(checks.map((c) => c.key)).size !== checks.length) throw new Error('rate limit checks must have distinct keys');
}

/** A key's window start and hits as counted. */
export type CountedRow = { key: string; window_start: number; hits: number };

/** The four values `allOrNoneSql` takes, for `checks` counted at `now`: keys, their windows' expiry, their maxima, now. */
export function allOrNoneValues(checks: RateLimitCheck[], now: number): [string[], number[], number[], number] {
  assertDistinctKeys(checks);
  return [checks.map((c) => c.key), checks.map((c) => now - c.windowMs), checks.map((c) => c.max), now];
}

/**
 * PostgreSQL: the call of `kumbaya_rate_limits_all_or_none` (migration 037) on the
 * placeholders of `allOrNoneValues`, as a row source of (counted_key, counted_window_start,
 * counted_hits): in `hitAllOrNone` alone, or inside another statement (a reader's comment's
 * start, kysely-comments.ts).
 */
export function allOrNoneSql(keys: unknown, expired: unknown, maxes: unknown, now: unknown) {
  return sql`kumbaya_rate_limits_all_or_none(cast(${keys} as text[]), cast(${expired} as bigint[]), cast(${maxes} as integer[]), cast(${now} as bigint))`;
}

/** Thrown to roll back a refused hitAllOrNone's counts. */
const refusal = new Error('rate limited: nothing counted');

/** Each check's result from its counted row (window start and hits after the hit). */
export function verdicts(checks: RateLimitCheck[], rows: CountedRow[], now: number): RateLimitResult[] {
  const byKey = new Map(rows.map((r) => [r.key, r]));
  return checks.map(({ key, windowMs, max }) => {
    const row = byKey.get(key);
    if (!row) throw new Error(`rate limit ${key} was not counted`);
    const hits = Number(row.hits);
    if (hits <= max) return { allowed: true, retryAfterMs: 0 };
    return { allowed: false, retryAfterMs: Math.max(1, Number(row.window_start) + windowMs - now) };
  });
}
