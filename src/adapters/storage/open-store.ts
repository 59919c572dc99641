import path from 'node:path';
import type { Config } from '../../config/config.ts';
import { LocalChangeFeed, type ChangeFeed } from '../../core/change-feed.ts';
import type { Clock } from '../../core/clock.ts';
import type { Store } from '../../core/store.ts';
import type { Logger } from 'pino';
import { openDatabase, migrateToLatest, type DatabaseTarget } from './database.ts';
import { KyselyStore } from './kysely-store.ts';

// The store alone, without the rest of the application: compose.ts builds on these, and a
// command that needs only the store (an import) loads them without loading the whole app.

/** The database the config names: PostgreSQL at DATABASE_URL, or SQLite under DATA_DIR. */
export function databaseTarget(config: Config, pgSchema?: string): DatabaseTarget {
  return { databaseUrl: config.databaseUrl, sqliteFile: path.join(config.dataDir, 'kumbaya.db'), pgSchema, pgPoolSize: config.databasePoolSize, pgPreparedStatements: config.databasePreparedStatements };
}

/** Opens the store named by the config and applies migrations. */
export async function openStore(config: Config, pgSchema?: string): Promise<Store> {
  const { db, engine } = openDatabase(databaseTarget(config, pgSchema));
  await migrateToLatest(db, engine);
  return new KyselyStore(db, engine);
}

/**
 * The change feed for `store`: on PostgreSQL (DATABASE_URL) one that reaches every instance
 * sharing the database, otherwise this instance's own.
 */
export async function openChangeFeed(config: Config, store: Store, options: { logger: Logger; clock: Clock; pgSchema?: string }): Promise<ChangeFeed> {
  const { logger, clock } = options;
  if (config.databaseUrl && store instanceof KyselyStore && store.kind === 'postgres') {
    const { PostgresChangeFeed } = await import('./postgres-change-feed.ts');
    return PostgresChangeFeed.connect({
      listenUrl: config.databaseListenUrl ?? config.databaseUrl,
      schema: options.pgSchema ?? (await store.currentSchema()),
      log: store.changeLog,
      notify: (channel, payload) => store.notify(channel, payload),
      logger,
      now: () => clock.now(),
    });
  }
  return LocalChangeFeed.open(store.changeLog, { now: () => clock.now(), onError: (error) => logger.warn({ err: error }, 'a change could not be written to the change log yet; trying again') });
}
