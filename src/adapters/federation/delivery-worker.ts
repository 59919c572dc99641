/**
 * The delivery thread's own code (started by delivery-thread.ts through delivery-worker.js;
 * read delivery-thread.ts first). It opens the database, builds a federation that only
 * sends, and takes deliveries from the queue until the main thread says stop: Kumbaya's
 * post changes become Fedify's fan-out, the fan-out is split per server, each delivery is
 * signed and sent, and an inbox that answers 404 or 410 loses its followers. Importing this
 * module starts nothing (the compile cache's warm-up imports every module).
 */
import fs from 'node:fs';
import os from 'node:os';
import type { MessagePort } from 'node:worker_threads';
import pino from 'pino';
import { systemClock } from '../../core/clock.ts';
import { readSiteSettings } from '../../core/site-settings.ts';
import { safeFetch } from '../safe-fetch.ts';
import { openDatabase } from '../storage/database.ts';
import { databaseTarget } from '../storage/open-store.ts';
import { logQueueErrors, POST_CHANGE_MESSAGE } from '../storage/kysely-federation.ts';
import { KyselyStore } from '../storage/kysely-store.ts';
import { DELIVERY_CONNECTIONS, DELIVERY_NICE, LOOP_BUSY, READERS_BUSY, type DeliveryThreadData, type ToDeliveryThread } from './delivery-thread.ts';
import type { PostChange } from './post-change.ts';

/** On Linux a thread has a priority of its own: this one yields the CPUs to the main thread's pages when both are wanted. */
function lowerPriority(): void {
  try {
    // `/proc/thread-self` is `<pid>/task/<tid>` for the calling thread.
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid)) os.setPriority(tid, DELIVERY_NICE);
  } catch {
    // Another system, or not allowed: the thread runs at the process's priority.
  }
}

/** Runs the thread until the main thread says stop (`port` is the thread's `parentPort`). */
export async function runDeliveryThread({ config, pgSchema, iconUrl, version, busy }: DeliveryThreadData, port: MessagePort): Promise<void> {
  lowerPriority();
  const logger = pino({ level: config.logLevel }).child({ thread: 'fediverse deliveries' });
  const stopping = new AbortController();
  /** Wakes the queue's listener once there is one (a wake that comes sooner finds it looking anyway). */
  let wake = () => {};
  port.on('message', (message: ToDeliveryThread) => {
    if (message === 'stop') stopping.abort();
    else if (message === 'wake') wake();
  });

  // Migrated already (by the main thread, before it composed the fediverse). On SQLite each
  // transaction commits as it ends: the main thread waits for this connection's write lock
  // asleep, so it is held no longer than a statement needs. On PostgreSQL a few connections.
  const { db, engine } = openDatabase({ ...databaseTarget(config, pgSchema), sqliteGroupCommit: false, pgPoolSize: DELIVERY_CONNECTIONS });
  const store = new KyselyStore(db, engine);
  const flags = new Int32Array(busy);
  const queue = store.federationQueue({
    claims: 'deliveries',
    pauseBetweenChunks: false,
    loopBusy: () => Atomics.load(flags, LOOP_BUSY) === 1,
    readersBusy: () => Atomics.load(flags, READERS_BUSY) === 1,
    onError: logQueueErrors(logger),
  });
  // Before any module of Fedify's: the Temporal polyfill they import is evaluated there first.
  await import('./temporal-without-icu.ts');
  const [{ createSendingFederation }, { pruneGoneFollowers, sendPostChange }, { rememberImportedKeys }] = await Promise.all([import('./federation.ts'), import('./publishing.ts'), import('./key-import-cache.ts')]);
  rememberImportedKeys();
  const deps = {
    store,
    clock: systemClock,
    site: async () => readSiteSettings(await store.settings.getAll()),
    siteUrl: config.siteUrl,
    handle: config.fediverseHandle,
    allowPrivate: config.fediverseAllowPrivate,
    fetch: safeFetch,
    kv: store.federationKv(),
    queue: { outbox: queue, fanout: queue },
    iconUrl,
    version,
    logger,
  };
  wake = () => queue.wake();
  const federation = createSendingFederation(deps);
  pruneGoneFollowers(federation, deps);
  queue.handleOwn(POST_CHANGE_MESSAGE, (message: PostChange) => sendPostChange(federation, deps, message));
  try {
    // The outbox queue is the fan-out's too (one object): one listener takes both.
    await federation.startQueue(undefined, { signal: stopping.signal, queue: 'outbox' });
  } finally {
    await store.close();
    port.close();
  }
}
