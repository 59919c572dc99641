import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database, Engine } from './schema.ts';

/**
 * Takes up to `limit` pending rows of a work table (the mail outbox, the job queue) whose
 * time in `dueColumn` has come and that no worker holds, and locks them for `lockMs`.
 *
 * One conditional UPDATE takes them: it re-checks status and lock on each row it changes,
 * so two workers racing for the same row cannot both get it (SQLite has a single writer;
 * on PostgreSQL the second UPDATE re-reads the locked row after the first commits and
 * finds it taken). PostgreSQL's `skip locked` lets the second worker take other rows
 * instead of waiting. The choice sits in a CTE, evaluated once: as a plain
 * `in (subquery)` PostgreSQL may re-run it and go past the limit. Rows come back in the
 * order they fell due.
 */
export async function claimDue<T extends 'outbox' | 'jobs'>(
  db: Kysely<Database> | Transaction<Database>,
  engine: Engine,
  table: T,
  dueColumn: 'next_attempt_at' | 'run_at',
  work: { now: number; limit: number; lockMs: number },
): Promise<Array<Selectable<Database[T]>>> {
  const { now, limit, lockMs } = work;
  if (limit <= 0) return [];
  const skipLocked = engine === 'postgres' ? sql` for update skip locked` : sql``;
  const due = sql.ref(dueColumn);
  const result = await sql<Selectable<Database[T]>>`
    with due as (
      select id from ${sql.table(table)}
      where status = 'pending' and ${due} <= ${now} and locked_until <= ${now}
      order by ${due}, id
      limit ${limit}${skipLocked}
    )
    update ${sql.table(table)} set locked_until = ${now + lockMs}
    where id in (select id from due) and status = 'pending' and locked_until <= ${now}
    returning *`.execute(db);
  const field = (row: Selectable<Database[T]>, name: string) => Number((row as Record<string, unknown>)[name]);
  return result.rows.sort((a, b) => field(a, dueColumn) - field(b, dueColumn) || field(a, 'id') - field(b, 'id'));
}
