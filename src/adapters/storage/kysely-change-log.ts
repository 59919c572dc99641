import { sql, type Kysely, type Transaction } from 'kysely';
import type { ChangeEvent, ChangeLogRepository } from '../../core/change-feed.ts';
import type { Database, Engine } from './schema.ts';
import { transact } from './transact.ts';

/** The change log (migration 020) on SQL. */
export class KyselyChangeLog implements ChangeLogRepository {
  private readonly db: Kysely<Database> | Transaction<Database>;
  private readonly engine: Engine;

  constructor(db: Kysely<Database> | Transaction<Database>, engine: Engine) {
    this.db = db;
    this.engine = engine;
  }

  async append(topics: string[], at: number): Promise<ChangeEvent[]> {
    if (topics.length === 0) return [];
    return transact(this.db, async (trx) => {
      // Appends take turns (other instances' too), so ids commit in order: a reader that saw
      // id N can never meet a smaller id later. Reads are not blocked by this lock.
      if (this.engine === 'postgres') await sql`lock table change_events in exclusive mode`.execute(trx);
      const rows = await trx
        .insertInto('change_events')
        .values(topics.map((topic) => ({ topic, created_at: at })))
        .returning(['id', 'topic'])
        .execute();
      return rows.map((row) => ({ id: Number(row.id), topic: row.topic, at })).sort((a, b) => a.id - b.id);
    });
  }

  async after(id: number, options: { limit: number; prefix?: string; within?: number }): Promise<ChangeEvent[] | null> {
    const known = await this.db.selectFrom('change_events').select('id').where('id', '=', id).executeTakeFirst();
    if (!known) return null;
    if (options.within !== undefined) {
      const beyond = await this.db.selectFrom('change_events').select('id').where('id', '>', id).orderBy('id').offset(options.within).limit(1).executeTakeFirst();
      if (beyond) return null;
    }
    let query = this.db.selectFrom('change_events').select(['id', 'topic', 'created_at']).where('id', '>', id);
    // substr, not LIKE: exact on both engines, whatever characters the prefix holds.
    if (options.prefix) query = query.where(sql<string>`substr(topic, 1, ${options.prefix.length})`, '=', options.prefix);
    const rows = await query.orderBy('id').limit(options.limit).execute();
    return rows.map((row) => ({ id: Number(row.id), topic: row.topic, at: Number(row.created_at) }));
  }

  async head(): Promise<number> {
    const row = await this.db.selectFrom('change_events').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
    return Number(row?.id ?? 0);
  }

  async prune(before: number): Promise<number> {
    const result = await this.db
      .deleteFrom('change_events')
      .where('created_at', '<', before)
      .where('id', '<', (eb) => eb.selectFrom('change_events as newest').select((e) => e.fn.max('newest.id').as('id')))
      .executeTakeFirst();
    return Number(result.numDeletedRows ?? 0);
  }
}
