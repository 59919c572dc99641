import { sql, type Kysely, type Transaction } from 'kysely';
import type { RateLimitRepository, RateLimitResult } from '../../core/store.ts';
import { runCompiledOnce } from './compiled-once.ts';
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
}
