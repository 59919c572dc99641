import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kysely, Transaction } from 'kysely';
import type { NodeSqliteDatabase } from './node-sqlite-database.ts';

/** Set while `work` of a transaction runs (see `insideTransaction`). */
const open = new AsyncLocalStorage<true>();

/**
 * Whether the caller runs inside a store transaction, which has not committed yet. The
 * PostgreSQL change feed asks: a change published from inside one was announced before
 * readers on other connections can see it (postgres-change-feed.ts).
 */
export function insideTransaction(): boolean {
  return open.getStore() === true;
}

/** SQLite databases commit transactions in groups (node-sqlite-database.ts): who to ask when one is on disk. */
const groups = new WeakMap<Kysely<any>, NodeSqliteDatabase>();

/**
 * Runs `work` in a transaction and returns once it is committed: on SQLite, once the
 * group of transactions it committed with is on disk. Inside a transaction, `work` joins
 * it. Every transaction the stores open goes through here.
 */
export async function transact<DB, T>(db: Kysely<DB> | Transaction<DB>, work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db as Transaction<DB>);
  const sqlite = groups.get(db);
  let onDisk: Promise<void> | null = null;
  const result = await db.transaction().execute((trx) => {
    onDisk = sqlite?.onDiskAfter() ?? null;
    return open.run(true, work, trx);
  });
  if (onDisk) await onDisk;
  return result;
}

/** Registers an SQLite database whose transactions commit in groups. */
export function commitsInGroups(db: Kysely<any>, sqlite: NodeSqliteDatabase): void {
  groups.set(db, sqlite);
}
