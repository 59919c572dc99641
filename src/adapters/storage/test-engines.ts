import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import pg from 'pg';
import type { Store } from '../../core/store.ts';
import { openDatabase, migrateToLatest } from './database.ts';
import { KyselyStore } from './kysely-store.ts';
import { MemoryStore } from './memory-store.ts';
import type { Engine } from './schema.ts';

export type OpenStore = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;

/**
 * Registers `suite` once per engine: memory, SQLite, and PostgreSQL when
 * KUMBAYA_TEST_PG_URL is set. Under CI=true a missing PostgreSQL fails instead of skipping.
 */
export function forEachEngine(title: string, suite: (name: string, open: OpenStore) => void): void {
  suite(`${title} (memory)`, async () => ({ store: new MemoryStore(), cleanup: async () => {} }));
  suite(`${title} (SQLite)`, async () => {
    const { db, engine } = openDatabase({ databaseUrl: null, sqliteFile: ':memory:' });
    await migrateToLatest(db, engine);
    const store = new KyselyStore(db, engine);
    return { store, cleanup: () => store.close() };
  });
  const pgUrl = process.env.KUMBAYA_TEST_PG_URL;
  const missingPg = 'KUMBAYA_TEST_PG_URL is not set; CI must test PostgreSQL';
  if (pgUrl) {
    suite(`${title} (PostgreSQL)`, () => openPostgres(pgUrl));
  } else {
    describe(`${title} (PostgreSQL)`, () => {
      if (process.env.CI === 'true') {
        it('runs against a real PostgreSQL', () => {
          throw new Error(missingPg);
        });
      } else {
        it('runs against a real PostgreSQL', { skip: missingPg }, () => {});
      }
    });
  }
}

/** Runs `statement` on its own connection (schema setup outside the store's pool). */
export async function administer(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A migrated store in a fresh schema of its own, dropped again by `cleanup`. */
export async function openPostgres(url: string) {
  const pgSchema = `t_${randomBytes(8).toString('hex')}`;
  await administer(url, `create schema ${pgSchema}`);
  const dropSchema = () => administer(url, `drop schema ${pgSchema} cascade`);
  const { db, engine } = openDatabase({ databaseUrl: url, pgSchema, pgPoolSize: 4 });
  try {
    await migrateToLatest(db, engine);
  } catch (error) {
    await db.destroy();
    await dropSchema();
    throw error;
  }
  const store = new KyselyStore(db, engine);
  return {
    store,
    cleanup: async () => {
      await store.close();
      await dropSchema();
    },
  };
}

export type EngineName = 'memory' | 'sqlite' | 'postgres';

/** A migrated, empty store on `engine` (PostgreSQL at KUMBAYA_TEST_PG_URL, in a schema of its own). */
export async function openEngine(engine: EngineName): Promise<{ store: Store; cleanup: () => Promise<void> }> {
  if (engine === 'memory') return { store: new MemoryStore(), cleanup: async () => {} };
  if (engine === 'postgres') {
    const url = process.env.KUMBAYA_TEST_PG_URL;
    if (!url) throw new Error('KUMBAYA_TEST_PG_URL is not set; CI must test PostgreSQL');
    return openPostgres(url);
  }
  const { db } = openDatabase({ databaseUrl: null, sqliteFile: ':memory:' });
  await migrateToLatest(db, 'sqlite');
  const store = new KyselyStore(db, 'sqlite');
  return { store, cleanup: () => store.close() };
}

/**
 * Options for a describe() that needs PostgreSQL for some of its engines: skipped without
 * KUMBAYA_TEST_PG_URL, except under CI=true, where the missing database fails the test.
 */
export function needsEngines(...engines: EngineName[]): { skip: string | false } {
  const missing = engines.includes('postgres') && !process.env.KUMBAYA_TEST_PG_URL;
  return { skip: missing && process.env.CI !== 'true' ? 'KUMBAYA_TEST_PG_URL is not set' : false };
}

/** Where round-trip tests move a site: each engine to itself, and across engines both ways. */
export const movePairs: ReadonlyArray<[EngineName, EngineName]> = [
  ['memory', 'memory'],
  ['sqlite', 'sqlite'],
  ['postgres', 'postgres'],
  ['sqlite', 'postgres'],
  ['postgres', 'sqlite'],
  ['memory', 'sqlite'],
];

/** Opens stores for a test file; they are closed (PostgreSQL schemas dropped) once its tests are done. */
export function storeOpener(): (engine: EngineName) => Promise<Store> {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
  });
  return async (engine) => {
    const { store, cleanup } = await openEngine(engine);
    cleanups.push(cleanup);
    return store;
  };
}

/**
 * Registers `it('on SQLite')` and `it('on PostgreSQL')`, each handing `check` an empty,
 * unmigrated database (in-memory SQLite; a fresh PostgreSQL schema, dropped afterwards):
 * for tests that run migrations one by one over data of an older schema. PostgreSQL is
 * skipped without KUMBAYA_TEST_PG_URL, except under CI=true, where it fails.
 */
export function itOnBothDatabases(check: (db: Kysely<any>, engine: Engine) => Promise<void>): void {
  it('on SQLite', async () => {
    const { db } = openDatabase({ databaseUrl: null, sqliteFile: ':memory:' });
    try {
      await check(db as Kysely<any>, 'sqlite');
    } finally {
      await db.destroy();
    }
  });
  const url = process.env.KUMBAYA_TEST_PG_URL;
  it('on PostgreSQL', needsEngines('postgres'), async () => {
    assert.ok(url, 'KUMBAYA_TEST_PG_URL is not set; CI must test PostgreSQL');
    const pgSchema = `t_${randomBytes(8).toString('hex')}`;
    await administer(url, `create schema ${pgSchema}`);
    const { db } = openDatabase({ databaseUrl: url, pgSchema, pgPoolSize: 1 });
    try {
      await check(db as Kysely<any>, 'postgres');
    } finally {
      await db.destroy();
      await administer(url, `drop schema ${pgSchema} cascade`);
    }
  });
}
