import { AsyncLocalStorage } from 'node:async_hooks';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

type Param = null | number | bigint | string | NodeJS.ArrayBufferView;

/** node:sqlite cannot bind booleans or Dates; Kysely may hand us either. */
function toParam(value: unknown): Param {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.getTime();
  return value as Param;
}

/**
 * `all` for a statement that returns rows: it reads them as arrays and makes each an
 * object with the columns as properties in order (a later column of the same name wins,
 * as with node:sqlite's objects), from a function compiled once for the statement.
 */
function rowsAs(stmt: StatementSync, names: string[]): { all(params: Param[]): unknown[]; row(values: unknown[]): unknown } {
  stmt.setReturnArrays(true);
  const last = new Map(names.map((name, i) => [name, i]));
  const body = [...last].map(([name, i]) => `${JSON.stringify(name)}: v[${i}]`).join(', ');
  const row = new Function('v', `return { ${body} };`) as (values: unknown[]) => unknown;
  return {
    all: (params) => {
      const arrays = stmt.all(...params) as unknown as unknown[][];
      const rows = new Array<unknown>(arrays.length);
      for (let i = 0; i < arrays.length; i++) rows[i] = row(arrays[i]);
      return rows;
    },
    row,
  };
}

function* rowsOf(arrays: IterableIterator<unknown>, row: (values: unknown[]) => unknown): IterableIterator<unknown> {
  for (const values of arrays) yield row(values as unknown[]);
}

/** Transactions that share one COMMIT, and the promise their writers wait on. */
interface CommitGroup {
  readonly onDisk: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function commitGroup(): CommitGroup {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const onDisk = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Whoever waits hears of a failure; nobody waiting is not an unhandled rejection.
  onDisk.catch(() => {});
  return { onDisk, resolve, reject };
}

/** Set while a transaction that only reads is being opened (see `readingOnly`). */
const readOnly = new AsyncLocalStorage<true>();

/**
 * Runs `work`, whose transaction only reads (an export's snapshot), so that it opens as a
 * deferred transaction: it never takes the write lock, and writers on other connections
 * carry on while it reads. Every other transaction takes the write lock as it opens
 * (`begin immediate`, see `begin`).
 */
export function readingOnly<T>(work: () => Promise<T>): Promise<T> {
  return readOnly.run(true, work);
}

/** The statements Kysely's SQLite driver sends to open and close a transaction, verbatim. */
const CONTROL = new Set(['begin', 'commit', 'rollback']);
const SAVEPOINT = 'kumbaya_tx';
/** Statements that only read: they never end a group early. */
const READ_ONLY = /^\s*select\b/i;

/**
 * Presents Node's built-in `node:sqlite` as the small database interface Kysely's
 * SqliteDialect expects, keeping prepared statements for reuse (preparing is the
 * expensive part of a small query).
 *
 * **Group commit.** A COMMIT is the dearest statement a small transaction runs: it
 * writes every page the transaction touched to the WAL, and pages that many
 * transactions touch (the comments table's last leaf, its indexes) are written once per
 * transaction. So transactions are committed in groups: the first one opens a real
 * transaction (`BEGIN`), each runs inside its own savepoint, and one COMMIT
 * ends the group once the event loop has run every transaction that was ready (a
 * `setImmediate` after the last release). A transaction that fails rolls back to its
 * savepoint and leaves the others alone. Kysely's `begin`/`commit`/`rollback` become
 * savepoint statements here, so every Kysely transaction takes part; `onDiskAfter`
 * tells its caller when its group is on disk (`transact` in transact.ts waits for it),
 * and a COMMIT that fails fails every transaction of the group.
 *
 * A write outside any transaction first commits the open group, so it is on disk when
 * it returns, as before; reads between transactions see the group's writes, as the same
 * connection always did. `close()` commits what is open.
 */
export class NodeSqliteDatabase implements SqliteDatabase {
  readonly raw: DatabaseSync;
  private readonly statements = new Map<string, SqliteStatement>();
  /** The group waiting for its COMMIT, or null when no real transaction is open. */
  private group: CommitGroup | null = null;
  /** A Kysely transaction runs now, inside its savepoint (Kysely runs one at a time). */
  private inTransaction = false;
  private commitQueued = false;
  private commitWhenTransactionEnds = false;
  private readonly control: Record<string, SqliteStatement>;
  /** The last error a statement threw (a full disk makes SQLite roll back the whole group). */
  private lastError: unknown = null;
  private readonly groupCommit: boolean;
  /** The open group began deferred (`readingOnly`): it holds a snapshot, not the write lock. */
  private groupReadsOnly = false;

  /**
   * `groupCommit: false` commits each transaction as it ends instead: for a connection that
   * shares the file with another in this process (the delivery thread's), whose waits for
   * the write lock block a thread (SQLite's busy handler sleeps): a group would hold the
   * lock through the rest of its turn of the event loop.
   */
  constructor(filename: string, options: { groupCommit?: boolean } = {}) {
    this.groupCommit = options.groupCommit ?? true;
    this.raw = new DatabaseSync(filename, { enableForeignKeyConstraints: true });
    this.raw.exec('pragma journal_mode = wal; pragma synchronous = normal; pragma busy_timeout = 5000;');
    const done = { changes: 0, lastInsertRowid: 0 };
    const statement = (action: () => void): SqliteStatement => ({
      reader: false,
      all: () => [],
      run: () => {
        action();
        return done;
      },
      iterate: () => [][Symbol.iterator](),
    });
    this.control = {
      begin: statement(() => this.begin()),
      commit: statement(() => this.release()),
      rollback: statement(() => this.rollback()),
    };
  }

  close(): void {
    this.commitGroup();
    this.statements.clear();
    this.raw.close();
  }

  /**
   * When the transaction running now will be on disk: call it inside a Kysely transaction
   * and wait on the answer after that transaction returns. Null outside a transaction.
   */
  onDiskAfter(): Promise<void> | null {
    return this.inTransaction ? (this.group?.onDisk ?? null) : null;
  }

  prepare(sql: string): SqliteStatement {
    const control = CONTROL.has(sql) ? this.control[sql] : undefined;
    if (control) return control;
    const cached = this.statements.get(sql);
    if (cached) return cached;
    const stmt: StatementSync = this.raw.prepare(sql);
    const columns = stmt.columns();
    const reader = columns.length > 0;
    const writes = !READ_ONLY.test(sql);
    // Rows come back as arrays and become objects of one shape here: node:sqlite's own row
    // objects are dictionaries, slower to make and to read (a thread page reads 200 rows).
    const rows = reader ? rowsAs(stmt, columns.map((c) => c.name)) : null;
    const all = rows ? rows.all : (params: Param[]) => stmt.all(...params) as unknown[];
    const wrapped: SqliteStatement = {
      reader,
      all: (params) => {
        if (writes) this.beforeWrite();
        try {
          return all(params.map(toParam));
        } catch (error) {
          throw this.failed(error);
        }
      },
      run: (params) => {
        if (writes) this.beforeWrite();
        try {
          return stmt.run(...params.map(toParam));
        } catch (error) {
          throw this.failed(error);
        }
      },
      iterate: (params) => {
        const values = stmt.iterate(...params.map(toParam)) as IterableIterator<unknown>;
        return rows ? rowsOf(values, rows.row) : values;
      },
    };
    if (this.statements.size > 500) this.statements.clear();
    this.statements.set(sql, wrapped);
    return wrapped;
  }

  /** Remembers a statement's error: if SQLite rolled the whole group back for it, the group fails with it as the cause. */
  private failed(error: unknown): unknown {
    this.lastError = error;
    return error;
  }

  /** A write outside a transaction is its own commit: the group before it goes to disk first. */
  private beforeWrite(): void {
    if (this.group && !this.inTransaction) this.commitGroup();
  }

  private begin(): void {
    if (this.inTransaction) throw new Error('a transaction is already open on this connection');
    const readsOnly = readOnly.getStore() === true;
    // A group that only read is committed (it wrote nothing) before a transaction that may
    // write: joined, that one would write in the readers' old snapshot, refused at once.
    if (this.group && this.groupReadsOnly && !readsOnly) this.commitGroup();
    if (!this.group) {
      // Immediate: the write lock is taken now, waiting up to busy_timeout for another
      // connection's (the delivery thread's, another process's). A deferred transaction that
      // read first could not write once another connection had committed meanwhile: SQLite
      // answers "database is locked" at once, without waiting. A transaction that only reads
      // (`readingOnly`: an export's snapshot) is deferred and never takes the lock.
      this.raw.exec(readsOnly ? 'begin' : 'begin immediate');
      this.group = commitGroup();
      this.groupReadsOnly = readsOnly;
    }
    this.raw.exec(`savepoint ${SAVEPOINT}`);
    this.inTransaction = true;
  }

  private release(): void {
    this.raw.exec(`release ${SAVEPOINT}`);
    this.transactionEnded();
  }

  private rollback(): void {
    try {
      // SQLite rolls the whole transaction back by itself after some errors (a full disk, I/O).
      if (this.raw.isTransaction) this.raw.exec(`rollback to ${SAVEPOINT}; release ${SAVEPOINT}`);
      else this.failGroup(new Error('the database rolled back the transactions committing together', { cause: this.lastError }));
    } finally {
      this.transactionEnded();
    }
  }

  private transactionEnded(): void {
    this.inTransaction = false;
    if (this.commitWhenTransactionEnds || !this.groupCommit) {
      this.commitWhenTransactionEnds = false;
      this.commitGroup();
    } else if (this.group && !this.commitQueued) {
      this.commitQueued = true;
      setImmediate(() => {
        this.commitQueued = false;
        if (this.inTransaction) this.commitWhenTransactionEnds = true;
        else this.commitGroup();
      });
    }
  }

  private commitGroup(): void {
    const group = this.group;
    if (!group) return;
    try {
      this.raw.exec('commit');
    } catch (error) {
      this.failGroup(error);
      return;
    }
    this.group = null;
    group.resolve();
  }

  /** Every transaction of the open group fails with `error`, and nothing of it stays. */
  private failGroup(error: unknown): void {
    const group = this.group;
    this.group = null;
    try {
      if (this.raw.isTransaction) this.raw.exec('rollback');
    } catch {
      // The connection is closing or broken; the error below is what matters.
    }
    group?.reject(error);
  }
}
