import type { ApiToken, Comment, CommentRevision, EmailAddress, OutboxMessage, Person, Session, Store, Subscription, Tag, Upload, UploadVariant, User } from '../../core/store.ts';
import { MemoryPostRepository, type PostRecord } from './memory-posts.ts';
import { MemoryTagRepository } from './memory-tags.ts';
import { MemoryUserRepository } from './memory-users.ts';
import { MemoryCommentRepository } from './memory-comments.ts';
import { MemoryApiTokenRepository, MemorySessionRepository } from './memory-sessions.ts';
import { MemoryUploadRepository } from './memory-uploads.ts';
import { MemorySettingRepository } from './memory-settings.ts';
import { MemoryRateLimitRepository } from './memory-rate-limits.ts';
import { MemoryArchiveRepository } from './memory-archive.ts';
import { MemoryOutboxRepository } from './memory-outbox.ts';
import { MemoryJobRepository, emptyJobTable, type MemoryJobTable } from './memory-jobs.ts';
import { MemoryFediverseBlockRepository, MemoryFollowerRepository, emptyBlockTable, emptyFollowerTable, type MemoryBlockTable, type MemoryFollowerTable } from './memory-followers.ts';
import { MemoryFediverseReplyRepository, emptyFediverseReplyTables, type MemoryFediverseReplyTables } from './memory-fediverse-replies.ts';
import { MemoryReactionRepository, emptyReactionTables, type MemoryReactionTables } from './memory-reactions.ts';
import { MemoryWebmentionRepository, emptyWebmentionTables, type MemoryWebmentionTables } from './memory-webmentions.ts';
import { MemorySpamModelRepository } from './memory-spam-model.ts';
import { MemorySubscriptionRepository } from './memory-subscriptions.ts';
import { MemoryImportRepository } from './memory-imports.ts';
import { MemoryPeopleRepository, emptyPeopleTables, type MemoryPeopleTables } from './memory-people.ts';
import { MemoryEmbedRepository, emptyEmbedTables, type MemoryEmbedTables } from './memory-embeds.ts';
import { MemoryAuditRepository, MemoryPostSourceRepository, emptyPersonRightsTables, type MemoryPersonRightsTables } from './memory-post-sources.ts';
import { MemoryAccountTokenRepository, MemoryLoginFailureRepository, emptyAccountTables, type MemoryAccountTables } from './memory-accounts.ts';
import { MemoryRevisionRepository, emptyRevisionTable, type MemoryRevisionTable } from './memory-revisions.ts';
import { MemoryWhoIsRepository, type MemoryProfileTable } from './memory-who-is.ts';
import { MemoryChangeLog, emptyChangeLogTable, type MemoryChangeLogTable } from './memory-change-log.ts';

/** Everything the store holds; one plain object so a transaction can snapshot it whole. */
export interface Tables {
  lastId: { users: number; posts: number; tags: number; comments: number; people: number; apiTokens: number; subscriptions: number; outbox: number; commentRevisions: number };
  users: Map<number, User>;
  posts: Map<number, PostRecord>;
  /** Old slug → the post that used to answer there. */
  oldSlugs: Map<string, number>;
  tags: Map<number, Tag>;
  comments: Map<number, Comment>;
  commentRevisions: Map<number, CommentRevision>;
  people: Map<number, Person>;
  sessions: Map<string, Session>;
  apiTokens: Map<number, ApiToken>;
  uploads: Map<string, Upload>;
  /** Each processed upload's variants and when they were made (memory-uploads.ts). */
  uploadVariants: Map<string, { at: number; variants: UploadVariant[] }>;
  settings: Map<string, string>;
  rateLimits: Map<string, { windowStart: number; hits: number }>;
  emailAddresses: Map<string, EmailAddress>;
  subscriptions: Map<number, Subscription>;
  outbox: Map<number, OutboxMessage & { lockedUntil: number }>;
  spamTokens: Map<string, { spam: number; ham: number }>;
  spamTotals: { spam: number; ham: number };
  jobs: MemoryJobTable;
  webmentions: MemoryWebmentionTables;
  importKeys: Map<string, number>;
  legacyPaths: Map<string, number>;
  /** Password-reset and invitation links, failed sign-ins (memory-accounts.ts). */
  accounts: MemoryAccountTables;
  revisions: MemoryRevisionTable;
  /** The blog actor's fediverse followers (memory-followers.ts). */
  followers: MemoryFollowerTable;
  /** Blocked fediverse accounts and domains. */
  fediverseBlocks: MemoryBlockTable;
  /** Where fediverse comments came from, and private mentions (memory-fediverse-replies.ts). */
  fediverseReplies: MemoryFediverseReplyTables;
  /** Fediverse likes, boosts and authorized quotes (memory-reactions.ts). */
  reactions: MemoryReactionTables;
  /** People's identities, trust, notes, labels and events (memory-people.ts). */
  peopleBook: MemoryPeopleTables;
  /** Post sources and the audit log (memory-post-sources.ts). */
  personRights: MemoryPersonRightsTables;
  /** Websites' cached h-cards ("who is this?", memory-who-is.ts). */
  publicProfiles: MemoryProfileTable;
  /** Every published change, numbered (memory-change-log.ts). */
  changeLog: MemoryChangeLogTable;
  /** Sites whose pages carry comments, and their threads (memory-embeds.ts). */
  embeds: MemoryEmbedTables;
}

function emptyTables(): Tables {
  return {
    lastId: { users: 0, posts: 0, tags: 0, comments: 0, people: 0, apiTokens: 0, subscriptions: 0, outbox: 0, commentRevisions: 0 },
    users: new Map(),
    posts: new Map(),
    oldSlugs: new Map(),
    tags: new Map(),
    comments: new Map(),
    commentRevisions: new Map(),
    people: new Map(),
    sessions: new Map(),
    apiTokens: new Map(),
    uploads: new Map(),
    uploadVariants: new Map(),
    settings: new Map(),
    rateLimits: new Map(),
    emailAddresses: new Map(),
    subscriptions: new Map(),
    outbox: new Map(),
    spamTokens: new Map(),
    spamTotals: { spam: 0, ham: 0 },
    jobs: emptyJobTable(),
    webmentions: emptyWebmentionTables(),
    importKeys: new Map(),
    legacyPaths: new Map(),
    peopleBook: emptyPeopleTables(),
    personRights: emptyPersonRightsTables(),
    accounts: emptyAccountTables(),
    revisions: emptyRevisionTable(),
    followers: emptyFollowerTable(),
    fediverseBlocks: emptyBlockTable(),
    fediverseReplies: emptyFediverseReplyTables(),
    publicProfiles: new Map(),
    reactions: emptyReactionTables(),
    changeLog: emptyChangeLogTable(),
    embeds: emptyEmbedTables(),
  };
}

/**
 * The Store in plain JavaScript objects: for tests and demos. It behaves like the SQL
 * store (same constraints, error codes, filters and ordering); the contract suite in
 * store-contract.ts holds both to that.
 */
export class MemoryStore implements Store {
  readonly kind = 'memory' as const;
  private tables: Tables = emptyTables();
  private inTransaction = false;
  /**
   * Transactions run one at a time, so a rollback never undoes another transaction's
   * writes. As with SQLite's single connection, work must use the store it is handed:
   * opening a transaction on the outer store from inside one waits forever.
   */
  private queue: Promise<unknown> = Promise.resolve();

  // One repository per aggregate, each in its own file; they read the tables through this
  // store, so transactions snapshot and restore their data too.
  readonly posts = new MemoryPostRepository(() => this.tables, (t: keyof Tables['lastId']) => this.nextId(t));
  readonly tags = new MemoryTagRepository(() => this.tables, (t: keyof Tables['lastId']) => this.nextId(t));
  readonly users = new MemoryUserRepository(() => this.tables, (t: keyof Tables['lastId']) => this.nextId(t));
  readonly comments = new MemoryCommentRepository(() => this.tables, (t: keyof Tables['lastId']) => this.nextId(t), () => this.people);
  readonly sessions = new MemorySessionRepository(() => this.tables);
  readonly apiTokens = new MemoryApiTokenRepository(() => this.tables, (t: keyof Tables['lastId']) => this.nextId(t));
  readonly uploads = new MemoryUploadRepository(() => this.tables);
  readonly settings = new MemorySettingRepository(() => this.tables);
  readonly rateLimits = new MemoryRateLimitRepository(() => this.tables);
  readonly subscriptions = new MemorySubscriptionRepository(() => this.tables, (t: keyof Tables['lastId']) => this.nextId(t));
  readonly outbox = new MemoryOutboxRepository(() => this.tables, (t: keyof Tables['lastId']) => this.nextId(t));
  readonly spamModel = new MemorySpamModelRepository(() => this.tables);
  readonly archive = new MemoryArchiveRepository(() => this.tables);
  readonly jobs = new MemoryJobRepository(() => this.tables);
  readonly webmentions = new MemoryWebmentionRepository(() => this.tables, () => this.nextId('people'));
  readonly imports = new MemoryImportRepository(() => this.tables);
  readonly accountTokens = new MemoryAccountTokenRepository(() => this.tables);
  readonly loginFailures = new MemoryLoginFailureRepository(() => this.tables);
  readonly revisions = new MemoryRevisionRepository(() => this.tables);
  readonly followers = new MemoryFollowerRepository(() => this.tables);
  readonly fediverseBlocks = new MemoryFediverseBlockRepository(() => this.tables);
  readonly fediverseReplies = new MemoryFediverseReplyRepository(() => this.tables);
  readonly reactions = new MemoryReactionRepository(() => this.tables);
  readonly people = new MemoryPeopleRepository(() => this.tables, () => this.nextId('people'));
  readonly postSources = new MemoryPostSourceRepository(() => this.tables);
  readonly audit = new MemoryAuditRepository(() => this.tables);
  readonly whoIs = new MemoryWhoIsRepository(() => this.tables);
  readonly changeLog = new MemoryChangeLog(() => this.tables);
  readonly embeds = new MemoryEmbedRepository(() => this.tables);

  async transaction<T>(work: (store: Store) => Promise<T>): Promise<T> {
    if (this.inTransaction) return work(this);
    const run = async () => {
      const snapshot = structuredClone(this.tables);
      try {
        return await work(this.transactionView());
      } catch (error) {
        Object.assign(this.tables, snapshot);
        throw error;
      }
    };
    const result = this.queue.then(run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  async ping(): Promise<void> {}

  async checkWrites(): Promise<void> {}

  async close(): Promise<void> {}

  /** The same tables, seen from inside a transaction: nested transactions join the outer one. */
  private transactionView(): MemoryStore {
    const view = new MemoryStore();
    view.tables = this.tables;
    view.inTransaction = true;
    return view;
  }

  private nextId(table: keyof Tables['lastId']): number {
    return ++this.tables.lastId[table];
  }
}
