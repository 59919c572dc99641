import fs from 'node:fs';
import path from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration, type MigrationResultSet } from 'kysely';
import { createRequire } from 'node:module';
import type { Database, Engine } from './schema.ts';
import { NodeSqliteDatabase } from './node-sqlite-database.ts';
import * as foundation from './migrations/001-foundation.ts';

// BIGINT columns hold epoch milliseconds, well inside Number's safe range.
const require = createRequire(import.meta.url);
let pgLoaded: typeof import('pg') | null = null;
function loadPg(): typeof import('pg') {
  if (!pgLoaded) {
    pgLoaded = require('pg') as typeof import('pg');
    pgLoaded.types.setTypeParser(20, (value) => Number.parseInt(value, 10));
  }
  return pgLoaded;
}

export interface OpenDatabase {
  db: Kysely<Database>;
  engine: Engine;
  /** The raw SQLite handle, for the few statements Kysely cannot express (FTS5). */
  sqlite: NodeSqliteDatabase | null;
}

export interface DatabaseTarget {
  /** postgres://… or null for SQLite. */
  databaseUrl: string | null;
  /** SQLite file path, or ':memory:'. */
  sqliteFile?: string;
  /** PostgreSQL schema to use (tests isolate themselves this way). */
  pgSchema?: string;
  pgPoolSize?: number;
}

export function openDatabase(target: DatabaseTarget): OpenDatabase {
  if (target.databaseUrl) {
    const options = target.pgSchema ? `-c search_path=${target.pgSchema}` : undefined;
    const pg = loadPg();
    const pool = new pg.Pool({ connectionString: target.databaseUrl, max: target.pgPoolSize ?? 10, options });
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), engine: 'postgres', sqlite: null };
  }
  const file = target.sqliteFile ?? ':memory:';
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new NodeSqliteDatabase(file);
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) }), engine: 'sqlite', sqlite };
}

/** Versioned migrations, in order. Each runs on both engines. */
function migrations(engine: Engine): Record<string, Migration> {
  return {
    '001-foundation': { up: (db) => foundation.up(db, engine), down: (db) => foundation.down(db, engine) },
  };
}

export async function migrateToLatest(db: Kysely<Database>, engine: Engine): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations(engine) },
  });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
}
