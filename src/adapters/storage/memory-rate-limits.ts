import type { RateLimitCheck, RateLimitRepository, RateLimitResult } from '../../core/store.ts';
import type { Tables } from './memory-store.ts';

/** RateLimitRepository in memory: fixed windows, as on SQL. */
export class MemoryRateLimitRepository implements RateLimitRepository {
  private readonly tablesOf: () => Tables;

  constructor(tables: () => Tables) {
    this.tablesOf = tables;
  }

  /** The store's tables as they are now: a transaction works on a view of them. */
  private get tables(): Tables {
    return this.tablesOf();
  }

  /** A window opens at the first hit and lasts `windowMs`; every hit counts, denied ones too. */
  async hit(key: string, windowMs: number, max: number, now: number): Promise<RateLimitResult> {
    const current = this.tables.rateLimits.get(key);
    const counter = !current || current.windowStart <= now - windowMs ? { windowStart: now, hits: 1 } : { windowStart: current.windowStart, hits: current.hits + 1 };
    this.tables.rateLimits.set(key, counter);
    if (counter.hits <= max) return { allowed: true, retryAfterMs: 0 };
    return { allowed: false, retryAfterMs: Math.max(1, counter.windowStart + windowMs - now) };
  }

  async hitAll(checks: RateLimitCheck[], now: number): Promise<RateLimitResult[]> {
    const results: RateLimitResult[] = [];
    for (const { key, windowMs, max } of checks) results.push(await this.hit(key, windowMs, max, now));
    return results;
  }

  async hitAllOrNone(checks: RateLimitCheck[], now: number): Promise<RateLimitResult[]> {
    const before = checks.map(({ key }) => this.tables.rateLimits.get(key));
    const results = await this.hitAll(checks, now);
    if (results.some((r) => !r.allowed)) {
      checks.forEach(({ key }, i) => (before[i] ? this.tables.rateLimits.set(key, before[i]) : this.tables.rateLimits.delete(key)));
    }
    return results;
  }
}
