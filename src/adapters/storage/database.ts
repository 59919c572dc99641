import fs from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { createRequire } from 'node:module';
import type { Database, Engine } from './schema.ts';
import { NodeSqliteDatabase } from './node-sqlite-database.ts';
import { commitsInGroups, transact } from './transact.ts';
import { compiledOnceNames } from './compiled-once.ts';
import * as foundation from './migrations/001-foundation.ts';
import * as conversations from './migrations/002-conversations.ts';
import * as reach from './migrations/003-reach.ts';
import * as imports from './migrations/004-import.ts';
import * as revisions from './migrations/005-revisions.ts';
import * as commentHistory from './migrations/006-comment-history.ts';
import * as accounts from './migrations/007-accounts.ts';
import * as postPassword from './migrations/008-post-password.ts';
import * as people from './migrations/010-people.ts';
import * as federation from './migrations/011-federation.ts';
import * as fediverseBlocks from './migrations/013-fediverse-blocks.ts';
import * as publicProfiles from './migrations/014-public-profiles.ts';
import * as personRights from './migrations/015-person-rights.ts';
import * as federationDeliveries from './migrations/016-federation-deliveries.ts';
import * as peopleSpeed from './migrations/017-people-speed.ts';
import * as fediverseReplies from './migrations/018-fediverse-replies.ts';
import * as federationReactions from './migrations/019-federation-reactions.ts';
import * as changeLog from './migrations/020-change-log.ts';
import * as mediaLibrary from './migrations/022-media-library.ts';
import * as tokenScopes from './migrations/023-token-scopes.ts';
import * as embeds from './migrations/024-embeds.ts';
import * as postSeo from './migrations/025-post-seo.ts';
import * as peopleSearch from './migrations/031-people-search.ts';
import * as federationMessageParts from './migrations/032-federation-message-parts.ts';
import * as replyPerson from './migrations/035-reply-person.ts';
import * as rateLimitsAllOrNone from './migrations/037-rate-limits-all-or-none.ts';

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
  /** PostgreSQL only: send the queries compiled once as named statements (DATABASE_PREPARED_STATEMENTS; true unless false). */
  pgPreparedStatements?: boolean;
  /** SQLite only: commit transactions in groups (true unless false; node-sqlite-database.ts). */
  sqliteGroupCommit?: boolean;
}

/**
 * A pg Client that sends each query compiled once (compiled-once.ts) by its name: the
 * server parses it on its first use on the connection, and after five runs settles on one
 * generic plan for it (plan_cache_mode auto) if that costs no more than the plans made for
 * the values, which saves it about a third of its CPU per comment (forcing a plan per run
 * took all of that back). Every other query goes unnamed, as before, and so does one with a
 * `*` (compiledOnceNames): its prepared rows would no longer match once a migration (another
 * instance's, during an upgrade) added a column to its table. A migration that changes the
 * type of a column a named statement answers still makes it fail ("cached plan must not
 * change result type"): the query fails that once, and the connection is dropped when
 * released, so the next one prepares it afresh. The rows of a named statement take the shape
 * pg made of its first answer (`keepRowShape`).
 */
function preparingClient(pg: typeof import('pg')): typeof import('pg').Client {
  const shapes = new Map<string, RowShape>();
  class PreparingClient extends pg.Client {
    override query(...args: any[]): any {
      const [text, values, callback] = args;
      const name = typeof text === 'string' && Array.isArray(values) && callback === undefined ? compiledOnceNames.get(text) : undefined;
      if (!name) return (super.query as (...a: any[]) => any)(...args);
      // pg's Query for the text, named once made (pg copies a config object property by
      // property, which costs more than the rest of making the query), answered through its callback.
      const query = new pg.Query(text, values) as import('pg').Query & { name: string; callback: (error: Error | undefined, result: unknown) => void; _result: PgResult };
      query.name = name;
      keepRowShape(query._result, name, shapes);
      const answered = new Promise((resolve, reject) => {
        query.callback = (error, result) => (error ? reject(error) : resolve(result));
      });
      super.query(query);
      return answered.catch((error: { code?: string }) => {
        // pg-pool removes a client used as often as it allows (maxUses) when it is released.
        if (error?.code === '0A000') (this as unknown as { _poolUseCount: number })._poolUseCount = Infinity;
        throw error;
      });
    }
  }
  return PreparingClient;
}

/** What pg's Result makes of a row description: the fields, a parser per field, and an empty row that each row copies. */
interface RowShape {
  fields: import('pg').FieldDef[];
  _parsers: unknown[];
  _prebuiltEmptyResultObject: object;
}
type PgResult = RowShape & { addFields(fields: import('pg').FieldDef[]): void };

/**
 * Has `result` take the shape of a named statement's rows from its earlier answers (any
 * connection's: the name stands for the same SQL) while their description is the same.
 * pg builds it again for every answer (a null-prototype row with a key per column, then
 * copied), which costs more than parsing the row itself: ~20–50 µs for a comment's 24
 * columns. A description that differs (a migration changed a column's type) is built afresh.
 */
function keepRowShape(result: PgResult, name: string, shapes: Map<string, RowShape>): void {
  const addFields = result.addFields;
  result.addFields = (fields) => {
    const known = shapes.get(name);
    if (known && sameFields(known.fields, fields)) {
      result.fields = fields;
      result._parsers = known._parsers;
      result._prebuiltEmptyResultObject = known._prebuiltEmptyResultObject;
      return;
    }
    addFields.call(result, fields);
    shapes.set(name, { fields, _parsers: result._parsers, _prebuiltEmptyResultObject: result._prebuiltEmptyResultObject });
  };
}

function sameFields(a: import('pg').FieldDef[], b: import('pg').FieldDef[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].name !== b[i].name || a[i].dataTypeID !== b[i].dataTypeID || a[i].format !== b[i].format) return false;
  }
  return true;
}

export function openDatabase(target: DatabaseTarget): OpenDatabase {
  if (target.databaseUrl) {
    const options = target.pgSchema ? `-c search_path=${target.pgSchema}` : undefined;
    const pg = loadPg();
    const Client = target.pgPreparedStatements === false ? pg.Client : preparingClient(pg);
    const pool = new pg.Pool({ connectionString: target.databaseUrl, max: target.pgPoolSize ?? 20, options, Client });
    // A connection ended by the server (a restart, pg_terminate_backend) emits 'error': when
    // idle, the pool drops it and opens another when next asked; when in use, its query fails
    // with the same error, which is what the caller hears. Unhandled, either would end the process.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), engine: 'postgres', sqlite: null };
  }
  const file = target.sqliteFile ?? ':memory:';
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new NodeSqliteDatabase(file, { groupCommit: target.sqliteGroupCommit });
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  commitsInGroups(db, sqlite);
  return { db, engine: 'sqlite', sqlite };
}

/** Versioned migrations, in order. Each runs on both engines. */
function migrations(engine: Engine): Array<{ name: string; up: (db: Kysely<any>) => Promise<void> }> {
  return [
    { name: '001-foundation', up: (db) => foundation.up(db, engine) },
    { name: '002-conversations', up: (db) => conversations.up(db, engine) },
    { name: '003-reach', up: (db) => reach.up(db, engine) },
    { name: '004-import', up: (db) => imports.up(db, engine) },
    { name: '005-revisions', up: (db) => revisions.up(db, engine) },
    { name: '006-comment-history', up: (db) => commentHistory.up(db, engine) },
    { name: '007-accounts', up: (db) => accounts.up(db, engine) },
    { name: '008-post-password', up: (db) => postPassword.up(db, engine) },
    { name: '010-people', up: (db) => people.up(db, engine) },
    { name: '011-federation', up: (db) => federation.up(db, engine) },
    { name: '013-fediverse-blocks', up: (db) => fediverseBlocks.up(db, engine) },
    { name: '014-public-profiles', up: (db) => publicProfiles.up(db, engine) },
    { name: '015-person-rights', up: (db) => personRights.up(db, engine) },
    { name: '016-federation-deliveries', up: (db) => federationDeliveries.up(db) },
    { name: '017-people-speed', up: (db) => peopleSpeed.up(db) },
    { name: '018-fediverse-replies', up: (db) => fediverseReplies.up(db, engine) },
    { name: '019-federation-reactions', up: (db) => federationReactions.up(db, engine) },
    { name: '020-change-log', up: (db) => changeLog.up(db, engine) },
    { name: '022-media-library', up: (db) => mediaLibrary.up(db, engine) },
    { name: '023-token-scopes', up: (db) => tokenScopes.up(db, engine) },
    { name: '024-embeds', up: (db) => embeds.up(db, engine) },
    { name: '025-post-seo', up: (db) => postSeo.up(db, engine) },
    { name: '031-people-search', up: (db) => peopleSearch.up(db, engine) },
    { name: '032-federation-message-parts', up: (db) => federationMessageParts.up(db) },
    { name: '035-reply-person', up: (db) => replyPerson.up(db, engine) },
    { name: '037-rate-limits-all-or-none', up: (db) => rateLimitsAllOrNone.up(db, engine) },
  ];
}

// Any fixed number: PostgreSQL advisory locks are keyed by integers.
const MIGRATION_LOCK = 7_242_024;

/**
 * Applies pending migrations, each in its own transaction with its record in
 * `kumbaya_migrations`, so a failed migration leaves nothing half-done. On PostgreSQL an
 * advisory lock makes instances starting together take turns. (Kysely's own Migrator
 * looks its table up by introspecting every schema, which breaks when other schemas
 * come and go, as they do when test runs share a database.)
 */
export async function migrateToLatest(db: Kysely<Database>, engine: Engine): Promise<{ applied: string[] }> {
  const applied: string[] = [];
  for (const migration of migrations(engine)) {
    await transact(db as Kysely<any>, async (trx) => {
      if (engine === 'postgres') await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx);
      await sql`create table if not exists kumbaya_migrations (name text primary key, applied_at bigint not null)`.execute(trx);
      const done = await trx.selectFrom('kumbaya_migrations').select('name').where('name', '=', migration.name).executeTakeFirst();
      if (done) return;
      await migration.up(trx);
      await trx.insertInto('kumbaya_migrations').values({ name: migration.name, applied_at: Date.now() }).execute();
      applied.push(migration.name);
    });
  }
  return { applied };
}
