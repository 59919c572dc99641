import type { Kysely, Transaction } from 'kysely';
import type { NodeSqliteDatabase } from './node-sqlite-database.ts';

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
    return work(trx);
  });
  if (onDisk) await onDisk;
  return result;
}

/** Registers an SQLite database whose transactions commit in groups. */
export function commitsInGroups(db: Kysely<any>, sqlite: NodeSqliteDatabase): void {
  groups.set(db, sqlite);
}
