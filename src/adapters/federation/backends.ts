import type { KvStore, MessageQueue } from '@fedify/fedify';
import type { Store } from '../../core/store.ts';
import { KyselyStore } from '../storage/kysely-store.ts';
import type { MessageQueueOptions } from '../storage/kysely-federation.ts';

/**
 * Fedify's key–value store and message queue for a store: on SQLite and PostgreSQL the
 * database's own (kysely-federation.ts); on the memory store Fedify's in-memory ones.
 */
export async function federationBackends(store: Store, options: MessageQueueOptions = {}): Promise<{ kv: KvStore; queue: MessageQueue }> {
  if (store instanceof KyselyStore) return store.federationBackends(options);
  const { MemoryKvStore, InProcessMessageQueue } = await import('@fedify/fedify');
  return { kv: new MemoryKvStore(), queue: new InProcessMessageQueue({ pollInterval: { milliseconds: options.pollMs ?? 1000 } }) };
}
