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
 * Presents Node's built-in `node:sqlite` as the small database interface Kysely's
 * SqliteDialect expects, keeping prepared statements for reuse (preparing is the
 * expensive part of a small query).
 */
export class NodeSqliteDatabase implements SqliteDatabase {
  readonly raw: DatabaseSync;
  private readonly statements = new Map<string, SqliteStatement>();

  constructor(filename: string) {
    this.raw = new DatabaseSync(filename, { enableForeignKeyConstraints: true });
    this.raw.exec('pragma journal_mode = wal; pragma synchronous = normal; pragma busy_timeout = 5000;');
  }

  close(): void {
    this.statements.clear();
    this.raw.close();
  }

  prepare(sql: string): SqliteStatement {
    const cached = this.statements.get(sql);
    if (cached) return cached;
    const stmt: StatementSync = this.raw.prepare(sql);
    const reader = stmt.columns().length > 0;
    const wrapped: SqliteStatement = {
      reader,
      all: (params) => stmt.all(...params.map(toParam)) as unknown[],
      run: (params) => stmt.run(...params.map(toParam)),
      iterate: (params) => stmt.iterate(...params.map(toParam)) as IterableIterator<unknown>,
    };
    if (this.statements.size > 500) this.statements.clear();
    this.statements.set(sql, wrapped);
    return wrapped;
  }
}
