import { sql, type Kysely, type Transaction } from 'kysely';
import type { Store } from '../../core/store.ts';
import { randomToken } from '../../core/tokens.ts';
import { KyselyPostRepository } from './kysely-posts.ts';
import { KyselyTagRepository } from './kysely-tags.ts';
import { KyselyUserRepository } from './kysely-users.ts';
import { KyselyCommentRepository } from './kysely-comments.ts';
import { KyselyApiTokenRepository, KyselySessionRepository } from './kysely-sessions.ts';
import { KyselyUploadRepository } from './kysely-uploads.ts';
import { KyselySettingRepository } from './kysely-settings.ts';
import { KyselyRateLimitRepository } from './kysely-rate-limits.ts';
import { KyselyPeopleRepository } from './kysely-people.ts';
import { KyselyWhoIsRepository } from './kysely-who-is.ts';
import { KyselyAccountTokenRepository, KyselyLoginFailureRepository } from './kysely-accounts.ts';
import { KyselyArchiveRepository } from './kysely-archive.ts';
import { KyselyOutboxRepository } from './kysely-outbox.ts';
import { KyselyJobRepository } from './kysely-jobs.ts';
import { KyselyFediverseBlockRepository, KyselyFollowerRepository } from './kysely-followers.ts';
import { KyselyPostSourceRepository } from './kysely-post-sources.ts';
import { KyselyAuditRepository } from './kysely-audit.ts';
import { KyselyEmbedRepository } from './kysely-embeds.ts';
import { KyselyFediverseReplyRepository } from './kysely-fediverse-replies.ts';
import { KyselyReactionRepository } from './kysely-reactions.ts';
import { KyselyKvStore, KyselyMessageQueue, type MessageQueueOptions } from './kysely-federation.ts';
import { KyselyWebmentionRepository } from './kysely-webmentions.ts';
import { KyselySpamModelRepository } from './kysely-spam-model.ts';
import { KyselySubscriptionRepository } from './kysely-subscriptions.ts';
import { KyselyImportRepository } from './kysely-imports.ts';
import { KyselyRevisionRepository } from './kysely-revisions.ts';
import { KyselyChangeLog } from './kysely-change-log.ts';
import { transact } from './transact.ts';
import type { Database, Engine } from './schema.ts';

/** Reading a comment row lives in kysely-comments.ts; re-exported for modules that imported it from here. */
export { toComment } from './kysely-comments.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * The Store on a SQL database through Kysely: wires one repository per aggregate
 * (kysely-posts.ts, kysely-comments.ts, …) to one database, or to one transaction on it.
 * SQLite and PostgreSQL share every query; the engine only decides how full-text search is written.
 */
export class KyselyStore implements Store {
  readonly kind: Engine;
  private readonly db: Db;
  private readonly inTransaction: boolean;

  readonly posts: KyselyPostRepository;
  readonly tags: KyselyTagRepository;
  readonly users: KyselyUserRepository;
  readonly comments: KyselyCommentRepository;
  readonly sessions: KyselySessionRepository;
  readonly apiTokens: KyselyApiTokenRepository;
  readonly uploads: KyselyUploadRepository;
  readonly settings: KyselySettingRepository;
  readonly rateLimits: KyselyRateLimitRepository;
  readonly subscriptions: KyselySubscriptionRepository;
  readonly outbox: KyselyOutboxRepository;
  readonly spamModel: KyselySpamModelRepository;
  readonly archive: KyselyArchiveRepository;
  readonly jobs: KyselyJobRepository;
  readonly webmentions: KyselyWebmentionRepository;
  readonly imports: KyselyImportRepository;
  readonly accountTokens: KyselyAccountTokenRepository;
  readonly loginFailures: KyselyLoginFailureRepository;
  readonly revisions: KyselyRevisionRepository;
  readonly followers: KyselyFollowerRepository;
  readonly fediverseBlocks: KyselyFediverseBlockRepository;
  readonly reactions: KyselyReactionRepository;
  readonly people: KyselyPeopleRepository;
  readonly postSources: KyselyPostSourceRepository;
  readonly audit: KyselyAuditRepository;
  readonly whoIs: KyselyWhoIsRepository;
  readonly fediverseReplies: KyselyFediverseReplyRepository;
  readonly changeLog: KyselyChangeLog;
  readonly embeds: KyselyEmbedRepository;

  constructor(db: Db, engine: Engine, inTransaction = false) {
    this.db = db;
    this.kind = engine;
    this.inTransaction = inTransaction;
    this.posts = new KyselyPostRepository(db, engine);
    this.tags = new KyselyTagRepository(db);
    this.users = new KyselyUserRepository(db, engine);
    this.comments = new KyselyCommentRepository(db, engine);
    this.sessions = new KyselySessionRepository(db, engine);
    this.apiTokens = new KyselyApiTokenRepository(db);
    this.uploads = new KyselyUploadRepository(db);
    this.settings = new KyselySettingRepository(db);
    this.rateLimits = new KyselyRateLimitRepository(db, engine);
    this.subscriptions = new KyselySubscriptionRepository(db, engine);
    this.outbox = new KyselyOutboxRepository(db, engine);
    this.spamModel = new KyselySpamModelRepository(db);
    this.archive = new KyselyArchiveRepository(db, engine);
    this.jobs = new KyselyJobRepository(db, engine);
    this.webmentions = new KyselyWebmentionRepository(db, engine);
    this.imports = new KyselyImportRepository(db, engine);
    this.accountTokens = new KyselyAccountTokenRepository(db);
    this.loginFailures = new KyselyLoginFailureRepository(db);
    this.revisions = new KyselyRevisionRepository(db);
    this.followers = new KyselyFollowerRepository(db);
    this.fediverseBlocks = new KyselyFediverseBlockRepository(db, engine);
    this.reactions = new KyselyReactionRepository(db, engine);
    this.people = new KyselyPeopleRepository(db, engine);
    this.postSources = new KyselyPostSourceRepository(db);
    this.audit = new KyselyAuditRepository(db);
    this.whoIs = new KyselyWhoIsRepository(db, engine);
    this.fediverseReplies = new KyselyFediverseReplyRepository(db);
    this.changeLog = new KyselyChangeLog(db, engine);
    this.embeds = new KyselyEmbedRepository(db);
  }

  /** Fedify's key–value store and message queue on this database (kysely-federation.ts). */
  federationBackends(options: MessageQueueOptions = {}): { kv: KyselyKvStore; queue: KyselyMessageQueue } {
    return { kv: this.federationKv(options.now), queue: this.federationQueue(options) };
  }

  /** Fedify's key–value store alone (the delivery thread's: its queue is a `federationQueue`). */
  federationKv(now?: () => number): KyselyKvStore {
    return new KyselyKvStore(this.db as Kysely<Database>, this.kind, now);
  }

  /** A view of the message queue (`claims`: which messages its `listen` takes). */
  federationQueue(options: MessageQueueOptions = {}): KyselyMessageQueue {
    return new KyselyMessageQueue(this.db as Kysely<Database>, this.kind, options);
  }

  async transaction<T>(work: (store: Store) => Promise<T>): Promise<T> {
    if (this.inTransaction) return work(this);
    return transact(this.db, (trx) => work(new KyselyStore(trx, this.kind, true)));
  }

  /** PostgreSQL's NOTIFY through this store's connections (the change feed's; postgres-change-feed.ts). */
  async notify(channel: string, payload: string): Promise<void> {
    if (this.kind !== 'postgres') throw new Error('NOTIFY needs PostgreSQL');
    await sql`select pg_notify(${channel}, ${payload})`.execute(this.db);
  }

  /** The schema unqualified names resolve to on PostgreSQL (`search_path`): the site's change channel is named after it. */
  async currentSchema(): Promise<string> {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(this.db);
    return rows[0].schema;
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async checkWrites(): Promise<void> {
    // Large enough to need pages of its own; a random key, so instances never collide.
    const key = `_write_check_${randomToken(8)}`;
    await transact(this.db, async (trx) => {
      await trx.insertInto('settings').values({ key, value: 'x'.repeat(8192) }).execute();
      await trx.deleteFrom('settings').where('key', '=', key).execute();
    });
  }

  async close(): Promise<void> {
    if (!this.inTransaction) await (this.db as Kysely<Database>).destroy();
  }
}
