import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import pg from 'pg';
import type { Store } from '../../core/store.ts';
import { openDatabase, migrateToLatest } from './database.ts';
import { KyselyStore } from './kysely-store.ts';
import { MemoryStore } from './memory-store.ts';

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
async function administer(url: string, statement: string): Promise<void> {
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
