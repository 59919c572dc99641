import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { Config } from './config/config.ts';
import { openDatabase, migrateToLatest, type DatabaseTarget } from './adapters/storage/database.ts';
import { KyselyStore } from './adapters/storage/kysely-store.ts';
import { AuthService } from './core/auth-service.ts';
import { LocalChangeFeed, type ChangeFeed } from './core/change-feed.ts';
import { systemClock, type Clock } from './core/clock.ts';
import { PostService } from './core/post-service.ts';
import { readSiteSettings, type SiteSettings } from './core/site-settings.ts';
import type { Store } from './core/store.ts';
import { randomToken } from './core/tokens.ts';
import { Scheduler } from './jobs/scheduler.ts';
import { createApp } from './web/app.ts';
import { Assets } from './web/assets.ts';
import type { WebDeps } from './web/context.ts';
import { ConversationCache } from './web/conversation-cache.ts';
import { PageCache } from './web/page-cache.ts';

export interface Kumbaya {
  deps: WebDeps;
  app: ReturnType<typeof createApp>;
  scheduler: Scheduler;
  close(): Promise<void>;
}

export interface ComposeOptions {
  clock?: Clock;
  logger?: Logger;
  /** Use this store instead of opening one from the config (tests, the memory store). */
  store?: Store;
  /** PostgreSQL schema (tests isolate themselves this way). */
  pgSchema?: string;
}

/** The database the config names: PostgreSQL at DATABASE_URL, or SQLite under DATA_DIR. */
export function databaseTarget(config: Config, pgSchema?: string): DatabaseTarget {
  return { databaseUrl: config.databaseUrl, sqliteFile: path.join(config.dataDir, 'kumbaya.db'), pgSchema };
}

/** Opens the store named by the config and applies migrations. */
export async function openStore(config: Config, pgSchema?: string): Promise<Store> {
  const { db, engine } = openDatabase(databaseTarget(config, pgSchema));
  await migrateToLatest(db, engine);
  return new KyselyStore(db, engine);
}

/**
 * The composition root's body: builds every adapter and service from the config and
 * hands them to the web app. main.ts, the CLI and the tests all start Kumbaya here.
 */
export async function composeKumbaya(config: Config, options: ComposeOptions = {}): Promise<Kumbaya> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: { app: 'kumbaya' } });
  const clock = options.clock ?? systemClock;
  const store = options.store ?? (await openStore(config, options.pgSchema));
  const changes: ChangeFeed = config.databaseUrl && store.kind === 'postgres' ? await (await import('./adapters/storage/postgres-change-feed.ts')).PostgresChangeFeed.connect(config.databaseUrl) : new LocalChangeFeed();
  const pageCache = new PageCache({ enabled: config.pageCache });
  const conversationCache = new ConversationCache({ enabled: config.conversationCache });

  let siteCache: Promise<SiteSettings> | null = null;
  const site = () => {
    siteCache ??= store.settings.getAll().then(readSiteSettings);
    siteCache.catch(() => {
      siteCache = null;
    });
    return siteCache;
  };

  let scheduler: Scheduler | null = null;
  changes.subscribe((topic) => {
    pageCache.clear();
    conversationCache.clear();
    siteCache = null;
    if (topic === 'post-scheduled') scheduler?.wake();
  });

  const posts = new PostService({ store, clock, onContentChanged: (reason) => changes.publish(reason) });
  const auth = new AuthService({ store, clock });
  const secret = config.secretKey ?? (await store.settings.setIfAbsent('secret_key', randomToken(32)));

  const deps: WebDeps = { config, store, clock, posts, auth, logger, pageCache, conversationCache, changes, assets: new Assets(), secret, site };
  scheduler = new Scheduler({ posts, store, clock, logger, intervalMs: config.schedulerIntervalMs });
  const app = createApp(deps);

  return {
    deps,
    app,
    scheduler,
    async close() {
      await scheduler!.stop();
      await changes.close();
      await store.close();
    },
  };
}
