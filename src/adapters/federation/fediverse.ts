import type { Logger } from 'pino';
import type { Follower } from '../../core/federation-store.ts';
import type { Comment } from '../../core/store.ts';
import { KyselyStore } from '../storage/kysely-store.ts';
import type { FederationDeps, KumbayaFederation } from './federation.ts';

/** What the federation needs, less the key–value store and queue this class builds on the store. */
export interface FediverseOptions extends Omit<FederationDeps, 'kv' | 'queue'> {
  logger: Logger;
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

  constructor(options: FediverseOptions) {
    this.options = options;
    this.handle = options.handle;
  }

  /** Whether Fedify has been loaded in this process (start-up measurements, tests). */
  get loaded(): boolean {
    return this.loading !== null;
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
    const [{ createKumbayaFederation }, { federationBackends }] = await Promise.all([import('./federation.ts'), import('./backends.ts')]);
    const { kv, queue } = await federationBackends(this.options.store, {
      onError: (error, message) => logger.error({ err: error, message }, message === undefined ? 'fediverse queue: database error' : 'fediverse queue: message dropped after its last retry'),
    });
    const federation = createKumbayaFederation({ ...this.options, kv, queue });
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

  /** At start-up: load only if deliveries or received activities are waiting from before. */
  async resumeIfPending(): Promise<void> {
    const { store } = this.options;
    if (!(store instanceof KyselyStore)) return;
    const depth = await store.federationBackends().queue.getDepth();
    if (depth.queued > 0) await this.federation();
  }

  /** Hourly: expired cache entries (remote documents, keys) leave the key–value table. */
  async housekeeping(): Promise<number> {
    const { store, clock } = this.options;
    return store instanceof KyselyStore ? store.federationBackends({ now: () => clock.now() }).kv.deleteExpired() : 0;
  }

  /** Stops the queue listener after the message in hand. */
  async close(): Promise<void> {
    this.stopping.abort();
    await this.listening;
  }
}
