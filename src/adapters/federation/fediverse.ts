import type { Logger } from 'pino';
import type { Follower } from '../../core/federation-store.ts';
import { activitiesForChange } from '../../core/fediverse-publishing.ts';
import type { Comment, Post } from '../../core/store.ts';
import { logQueueErrors, POST_CHANGE_MESSAGE, type KyselyKvStore, type KyselyMessageQueue } from '../storage/kysely-federation.ts';
import { KyselyStore } from '../storage/kysely-store.ts';
import type { Config } from '../../config/config.ts';
import type { FederationDeps, KumbayaFederation } from './federation.ts';
import { DeliveryThread } from './delivery-thread.ts';
import { postOrderingKey, type PostChange } from './post-change.ts';
import { rememberImportedKeys } from './key-import-cache.ts';

/** What the federation needs, less the key–value store and queue this class builds on the store. */
export interface FediverseOptions extends Omit<FederationDeps, 'kv' | 'queue'> {
  logger: Logger;
  /** Where the delivery thread opens the database (delivery-thread.ts): the configuration, and the PostgreSQL schema tests give. */
  database: { config: Config; pgSchema?: string };
}

/**
 * The fediverse, loaded on first use. Fedify's module graph (jsonld, OpenTelemetry, the
 * Temporal polyfill) is several megabytes that pages never need, so it is imported when
 * the first federation request arrives (or work is waiting in the queue at start-up),
 * and its queue listener starts then. Nothing here imports Fedify at load time.
 */
export class Fediverse {
  readonly handle: string;
  private readonly options: FediverseOptions;
  private loading: Promise<KumbayaFederation> | null = null;
  private readonly stopping = new AbortController();
  private listening: Promise<void> | null = null;
  /**
   * On the database (null on the memory store, which uses Fedify's own): the key–value
   * store, the queue of received activities this thread listens to, and the deliveries'
   * queue, which this thread only fills; the delivery thread listens to it.
   */
  private readonly backends: { kv: KyselyKvStore; received: KyselyMessageQueue; deliveries: KyselyMessageQueue; thread: DeliveryThread } | null;

  constructor(options: FediverseOptions) {
    this.options = options;
    this.handle = options.handle;
    const { store, logger } = options;
    if (store instanceof KyselyStore) {
      const onError = logQueueErrors(logger);
      const { config, pgSchema } = options.database;
      const thread = new DeliveryThread({ config, pgSchema, iconUrl: options.iconUrl, version: options.version }, logger);
      const { kv, queue: received } = store.federationBackends({ claims: 'received', onError });
      // Whatever this thread enqueues (a post's change, an Accept, the author's answer) or
      // makes due again (Retry) wakes the delivery thread, starting it the first time.
      const deliveries = store.federationQueue({ claims: 'deliveries', onError, wakeElsewhere: () => thread.wake() });
      this.backends = { kv, received, deliveries, thread };
    } else this.backends = null;
  }

  /** Whether Fedify has been loaded on this thread, the main one (start-up measurements, tests). */
  get loaded(): boolean {
    return this.loading !== null;
  }

  /** Whether the delivery thread is running (tests). */
  get delivering(): boolean {
    return this.backends?.thread.running ?? false;
  }

  federation(): Promise<KumbayaFederation> {
    this.loading ??= this.load();
    this.loading.catch(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async load(): Promise<KumbayaFederation> {
    const { logger } = this.options;
    // Before any module of Fedify's: the Temporal polyfill they import is evaluated there first.
    await import('./temporal-without-icu.ts');
    const { createKumbayaFederation } = await import('./federation.ts');
    rememberImportedKeys();
    if (this.backends) {
      // Deliveries are the delivery thread's (delivery-thread.ts): this thread listens to what is received.
      const { kv, received, deliveries } = this.backends;
      const federation = createKumbayaFederation({ ...this.options, kv, queue: { inbox: received, outbox: deliveries, fanout: deliveries } });
      this.listening = federation.startQueue(undefined, { signal: this.stopping.signal, queue: 'inbox' }).catch((error: unknown) => logger.error({ err: error }, 'fediverse queue stopped'));
      return federation;
    }
    const [{ federationBackends }, { pruneGoneFollowers }] = await Promise.all([import('./backends.ts'), import('./publishing.ts')]);
    const { kv, queue } = await federationBackends(this.options.store);
    const federation = createKumbayaFederation({ ...this.options, kv, queue });
    pruneGoneFollowers(federation, this.options);
    this.listening = federation.startQueue(undefined, { signal: this.stopping.signal }).catch((error: unknown) => logger.error({ err: error }, 'fediverse queue stopped'));
    return federation;
  }

  /** Sends the author's Accept or Reject of a follow request (Admin → Fediverse). */
  async answerFollow(follower: Follower, answer: 'accept' | 'reject'): Promise<void> {
    const federation = await this.federation();
    const { answerFollow } = await import('./federation.ts');
    await answerFollow(federation, this.options.siteUrl, this.handle, follower, answer);
  }

  /**
   * Staff answered `parent` (committed): when it came from the fediverse, the answer is
   * queued for its author as a Note. Nothing is loaded for a comment written here.
   */
  async staffReplied(reply: Comment, parent: Comment): Promise<boolean> {
    if (!(await this.options.store.fediverseReplies.findByComment(parent.id))) return false;
    const federation = await this.federation();
    const { deliverAnswer } = await import('./comment-notes.ts');
    return deliverAnswer(federation, this.options, reply);
  }

  /**
   * Whether a POSTed activity is signed (HTTP Signatures) with a key of the actor it names.
   * For what Fedify could not read (a type it does not know, an extension): signed by its
   * actor, it is acknowledged and ignored like any activity the blog has no use for.
   */
  async signedByItsActor(request: Request): Promise<boolean> {
    let activity: { actor?: unknown } | null;
    try {
      activity = JSON.parse(await request.clone().text()) as { actor?: unknown } | null;
    } catch {
      return false;
    }
    const actor = activity?.actor;
    const actorUri = typeof actor === 'string' ? actor : (actor as { id?: unknown } | null)?.id;
    if (typeof actorUri !== 'string') return false;
    const federation = await this.federation();
    const { verifyRequest } = await import('@fedify/fedify');
    const ctx = federation.createContext(new URL(`${this.options.siteUrl}/`), undefined);
    const key = await verifyRequest(request, { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader });
    return key?.ownerId?.href === actorUri;
  }

  /**
   * Tells followers about a post's change (after its transaction committed): Create,
   * Update or Delete. Only a row is written here, in the queue, with the post as it is now
   * and the post as its ordering key; the author's request does not wait for Fedify, the
   * followers or the fan-out. Whichever instance's delivery thread takes the row (this one's
   * starts with the enqueue) makes Fedify's fan-out from it, in order per post.
   */
  async postChanged(before: Post, after: Post): Promise<void> {
    const { store, clock } = this.options;
    const at = clock.now();
    const activities = activitiesForChange(before, after, at);
    if (activities.length === 0 || (await store.followers.countAccepted()) === 0) return;
    const changes: PostChange[] = activities.map(({ type, post }) => ({ type: POST_CHANGE_MESSAGE, activity: type, post, at }));
    if (!this.backends) {
      // The memory store's queue is Fedify's own: send through it directly.
      const [federation, { sendPostChange }] = await Promise.all([this.federation(), import('./publishing.ts')]);
      for (const change of changes) await sendPostChange(federation, this.options, change);
      return;
    }
    for (const change of changes) await this.backends.deliveries.enqueue(change, { orderingKey: postOrderingKey(change.post.id) });
  }

  /**
   * The deliveries queue as Admin → Fediverse reads it (waiting and failed deliveries,
   * Retry), without loading Fedify; null on the memory store, whose queue is Fedify's own.
   */
  deliveries(): KyselyMessageQueue | null {
    return this.backends?.deliveries ?? null;
  }

  /** At start-up: the delivery thread starts if deliveries wait from before, and Fedify loads here if received activities do. */
  async resumeIfPending(): Promise<void> {
    if (!this.backends) return;
    const { received, deliveries, thread } = this.backends;
    if ((await deliveries.getDepth()).queued > 0) thread.wake();
    if ((await received.getDepth()).queued > 0) await this.federation();
  }

  /**
   * Hourly: expired cache entries (remote documents, keys) leave the key–value table, and
   * the stored activities and keys no waiting delivery names any more leave theirs.
   */
  async housekeeping(): Promise<number> {
    const { store, clock } = this.options;
    if (!(store instanceof KyselyStore)) return 0;
    const { kv, queue } = store.federationBackends({ now: () => clock.now() });
    return (await kv.deleteExpired()) + (await queue.deleteUnusedParts());
  }

  /** Stops the queue listeners (this thread's and the delivery thread's) after the messages in hand. */
  async close(): Promise<void> {
    this.stopping.abort();
    await Promise.all([this.listening, this.backends?.thread.stop()]);
  }
}
