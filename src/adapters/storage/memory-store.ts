import type {
  AdminPostQuery,
  ApiToken,
  Comment,
  CommentRevision,
  CommentRevisionWrite,
  CommentStatus,
  CommentWrite,
  EmailAddress,
  ModerationQuery,
  OutboxMessage,
  Subscription,
  ThreadCursor,
  ThreadPage,
  MonthCount,
  Page,
  Person,
  Post,
  PostStatus,
  PostWrite,
  PublishedQuery,
  RateLimitResult,
  SearchHit,
  Session,
  Store,
  Tag,
  TagWithCount,
  Upload,
  UploadInfo,
  User,
} from '../../core/store.ts';
import { countByMonth, isProtected } from '../../core/store.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import { descendantIds, placeMove } from '../../core/comment-move.ts';
import { firstFreeSlug, plainText, slugify } from '../../core/text.ts';
import { MemoryArchiveRepository } from './memory-archive.ts';
import { MemoryOutboxRepository } from './memory-outbox.ts';
import { MemoryJobRepository, emptyJobTable, type MemoryJobTable } from './memory-jobs.ts';
import { MemoryFediverseBlockRepository, MemoryFollowerRepository, emptyBlockTable, emptyFollowerTable, type MemoryBlockTable, type MemoryFollowerTable } from './memory-followers.ts';
import { MemoryWebmentionRepository, emptyWebmentionTables, type MemoryWebmentionTables } from './memory-webmentions.ts';
import { MemorySpamModelRepository } from './memory-spam-model.ts';
import { MemorySubscriptionRepository } from './memory-subscriptions.ts';
import { MemoryImportRepository } from './memory-imports.ts';
import { MemoryPeopleRepository, emptyPeopleTables, type MemoryPeopleTables } from './memory-people.ts';
import { MemoryAuditRepository, MemoryPostSourceRepository, emptyPersonRightsTables, type MemoryPersonRightsTables } from './memory-post-sources.ts';
import { MemoryAccountTokenRepository, MemoryLoginFailureRepository, emptyAccountTables, type MemoryAccountTables } from './memory-accounts.ts';
import { MemoryRevisionRepository, emptyRevisionTable, type MemoryRevisionTable } from './memory-revisions.ts';

/** A post as stored: tags by id in position order, plus the text search reads. */
type PostRecord = Omit<Post, 'tags'> & { tagIds: number[]; searchText: string };

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
  /** People's identities, trust, notes, labels and events (memory-people.ts). */
  peopleBook: MemoryPeopleTables;
  /** Post sources and the audit log (memory-post-sources.ts). */
  personRights: MemoryPersonRightsTables;
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
  };
}

/** Callers get copies, so mutating a result never changes the store. */
const copy = <T>(value: T): T => structuredClone(value);

const slugTaken = (slug: string) =>
  new DomainError('slug_taken', `The address "${slug}" is already used by another post or page.`, { slug: 'This address is taken.' });

const wordPattern = /[\p{L}\p{N}_]+/gu;

/** Lower case without accents, as the SQL search indexes compare words. */
function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

function wordsOf(text: string): string[] {
  return fold(text).match(wordPattern) ?? [];
}

/** Every query word must appear as a word; the last may be the start of one (search as you type). */
function queryMatcher(query: string[]): (word: string, queryIndex: number) => boolean {
  const last = query.length - 1;
  return (word, i) => (i === last ? word.startsWith(query[i]) : word === query[i]);
}

/** About two dozen words of `text` around the first word that matches. */
function snippetAround(text: string, matches: (word: string) => boolean): string {
  const words = text.split(' ');
  const hit = Math.max(0, words.findIndex((w) => wordsOf(w).some(matches)));
  const start = Math.max(0, hit - 8);
  const end = Math.min(words.length, start + 24);
  return `${start > 0 ? '…' : ''}${words.slice(start, end).join(' ')}${end < words.length ? '…' : ''}`;
}

const oldestFirst = (a: Comment, b: Comment) => a.createdAt - b.createdAt || a.id - b.id;

const newestFirst = (a: PostRecord, b: PostRecord) => (b.publishedAt ?? 0) - (a.publishedAt ?? 0) || b.id - a.id;

function toInfo(upload: Upload): UploadInfo {
  const { data: _data, ...info } = upload;
  return copy(info);
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

  // Repositories kept in their own files; they read the tables through this store, so
  // transactions snapshot and restore their data too.
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
  readonly people = new MemoryPeopleRepository(() => this.tables, () => this.nextId('people'));
  readonly postSources = new MemoryPostSourceRepository(() => this.tables);
  readonly audit = new MemoryAuditRepository(() => this.tables);

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

  // ---------------------------------------------------------------- posts

  private toPost(record: PostRecord): Post {
    const { tagIds, searchText: _searchText, ...post } = record;
    return copy({ ...post, tags: tagIds.map((id) => this.tables.tags.get(id)!) });
  }

  private postRecord(id: number): PostRecord {
    const record = this.tables.posts.get(id);
    if (!record) throw notFound('The post');
    return record;
  }

  /** Tags by name in order, created as needed, matched by slug; repeats and blanks dropped. */
  private tagIdsFor(names: string[]): number[] {
    const ids: number[] = [];
    for (const raw of names) {
      const name = raw.trim();
      const slug = slugify(name);
      if (!slug) continue;
      let tag = this.findTag(slug);
      if (!tag) {
        tag = { id: this.nextId('tags'), slug, name };
        this.tables.tags.set(tag.id, tag);
      }
      if (!ids.includes(tag.id)) ids.push(tag.id);
    }
    return ids;
  }

  private findTag(slug: string): Tag | undefined {
    return [...this.tables.tags.values()].find((t) => t.slug === slug);
  }

  private hasTag(record: PostRecord, slug: string): boolean {
    const tag = this.findTag(slug);
    return tag !== undefined && record.tagIds.includes(tag.id);
  }

  /** `password` is the post's password after this write (the write's, else the one it had). */
  private writtenFields(write: PostWrite, now: number, password: string | null) {
    return {
      type: write.type,
      slug: write.slug,
      title: write.title,
      markdown: write.markdown,
      html: write.html,
      excerpt: write.excerpt,
      // A protected post's body is not searchable: search would show it (snippets) to anyone.
      searchText: isProtected({ password }) ? '' : plainText(write.html),
      password,
      status: write.status,
      visibility: write.visibility,
      publishedAt: write.publishedAt,
      authorId: write.authorId,
      coverImage: write.coverImage,
      tagIds: this.tagIdsFor(write.tags),
      updatedAt: now,
      commentsMode: write.commentsMode,
      commentsCloseDays: write.commentsCloseDays,
    };
  }

  private slugInUse(slug: string, exceptPostId?: number): boolean {
    const current = [...this.tables.posts.values()].some((p) => p.slug === slug && p.id !== exceptPostId);
    const old = this.tables.oldSlugs.get(slug);
    return current || (old !== undefined && old !== exceptPostId);
  }

  /** Live on the site: published, public, not trashed, and its time has come. */
  private isLive(record: PostRecord, now: number): boolean {
    return (
      record.status === 'published' &&
      record.visibility === 'public' &&
      record.deletedAt === null &&
      record.publishedAt !== null &&
      record.publishedAt <= now
    );
  }

  private livePosts(now: number): PostRecord[] {
    return [...this.tables.posts.values()].filter((p) => this.isLive(p, now));
  }

  private page(records: PostRecord[], limit: number, offset: number): Page<Post> {
    return { items: records.slice(offset, offset + limit).map((r) => this.toPost(r)), total: records.length };
  }

  posts = {
    create: async (write: PostWrite, now: number): Promise<Post> => {
      if (this.slugInUse(write.slug)) throw slugTaken(write.slug);
      const record: PostRecord = { id: this.nextId('posts'), ...this.writtenFields(write, now, write.password ?? null), createdAt: now, deletedAt: null };
      this.tables.posts.set(record.id, record);
      return this.toPost(record);
    },

    update: async (id: number, write: PostWrite, now: number): Promise<Post> => {
      const before = this.postRecord(id);
      if (before.slug !== write.slug) {
        if (this.slugInUse(write.slug, id)) throw slugTaken(write.slug);
        // Free now, or one of this post's own old slugs: moving back takes it out of the redirects.
        this.tables.oldSlugs.delete(write.slug);
        if (!this.tables.oldSlugs.has(before.slug)) this.tables.oldSlugs.set(before.slug, id);
      }
      const record: PostRecord = { ...before, ...this.writtenFields(write, now, write.password === undefined ? before.password : write.password) };
      this.tables.posts.set(id, record);
      return this.toPost(record);
    },

    findById: async (id: number): Promise<Post | null> => {
      const record = this.tables.posts.get(id);
      return record ? this.toPost(record) : null;
    },

    findBySlug: async (slug: string): Promise<Post | null> => {
      const record = [...this.tables.posts.values()].find((p) => p.slug === slug && p.deletedAt === null);
      return record ? this.toPost(record) : null;
    },

    findByOldSlug: async (slug: string): Promise<Post | null> => {
      const id = this.tables.oldSlugs.get(slug);
      const record = id === undefined ? undefined : this.tables.posts.get(id);
      return record && record.deletedAt === null ? this.toPost(record) : null;
    },

    slugInUse: async (slug: string, exceptPostId?: number): Promise<boolean> => this.slugInUse(slug, exceptPostId),

    freeSlug: async (root: string, exceptPostId?: number): Promise<string> => {
      const current = [...this.tables.posts.values()].filter((p) => p.id !== exceptPostId).map((p) => p.slug);
      const old = [...this.tables.oldSlugs].filter(([, id]) => id !== exceptPostId).map(([slug]) => slug);
      return firstFreeSlug(root, [...current, ...old]);
    },

    listPublished: async (q: PublishedQuery, now: number): Promise<Page<Post>> => {
      const matches = this.livePosts(now).filter(
        (p) =>
          (!q.type || p.type === q.type) &&
          (q.authorId === undefined || p.authorId === q.authorId) &&
          (q.from === undefined || p.publishedAt! >= q.from) &&
          (q.to === undefined || p.publishedAt! < q.to) &&
          (!q.tagSlug || this.hasTag(p, q.tagSlug)),
      );
      return this.page(matches.sort(newestFirst), q.limit, q.offset);
    },

    listAdmin: async (q: AdminPostQuery): Promise<Page<Post>> => {
      const text = q.text?.toLowerCase();
      const matches = [...this.tables.posts.values()].filter(
        (p) =>
          (p.deletedAt !== null) === Boolean(q.trashed) &&
          (!q.type || p.type === q.type) &&
          (!q.status || p.status === q.status) &&
          (q.authorId === undefined || p.authorId === q.authorId) &&
          (q.unpublishedBy === undefined || p.status === 'published' || p.authorId === q.unpublishedBy) &&
          (!text || p.title.toLowerCase().includes(text)) &&
          (!q.tagSlug || this.hasTag(p, q.tagSlug)),
      );
      return this.page(
        matches.sort((a, b) => b.updatedAt - a.updatedAt || b.id - a.id),
        q.limit,
        q.offset,
      );
    },

    setStatus: async (id: number, status: PostStatus, publishedAt: number | null, now: number): Promise<Post> => {
      const record = this.postRecord(id);
      Object.assign(record, { status, publishedAt, updatedAt: now });
      return this.toPost(record);
    },

    trash: async (id: number, now: number): Promise<void> => {
      const record = this.tables.posts.get(id);
      if (!record || record.deletedAt !== null) throw notFound('The post');
      record.deletedAt = now;
    },

    restore: async (id: number, now: number): Promise<void> => {
      const record = this.tables.posts.get(id);
      if (!record || record.deletedAt === null) throw notFound('The post in the trash');
      Object.assign(record, { deletedAt: null, updatedAt: now });
    },

    purge: async (id: number): Promise<void> => {
      const record = this.tables.posts.get(id);
      if (!record || record.deletedAt === null) throw notFound('The post in the trash');
      this.tables.posts.delete(id);
      for (const [slug, postId] of this.tables.oldSlugs) if (postId === id) this.tables.oldSlugs.delete(slug);
      for (const comment of this.tables.comments.values()) if (comment.postId === id) this.tables.comments.delete(comment.id);
      this.dropOrphanRevisions();
      // As the foreign keys cascade on SQL: the post's subscriptions go with it.
      for (const sub of this.tables.subscriptions.values()) if (sub.postId === id) this.tables.subscriptions.delete(sub.id);
      for (const revision of this.tables.revisions.rows.values()) if (revision.postId === id) this.tables.revisions.rows.delete(revision.id);
    },

    publishDue: async (now: number): Promise<Post[]> => {
      const due = [...this.tables.posts.values()].filter(
        (p) => p.status === 'scheduled' && p.deletedAt === null && p.publishedAt !== null && p.publishedAt <= now,
      );
      for (const record of due) record.status = 'published';
      return due.map((r) => this.toPost(r));
    },

    nextScheduledAt: async (): Promise<number | null> => {
      const times = [...this.tables.posts.values()]
        .filter((p) => p.status === 'scheduled' && p.deletedAt === null && p.publishedAt !== null)
        .map((p) => p.publishedAt!);
      return times.length > 0 ? Math.min(...times) : null;
    },

    search: async (text: string, limit: number, now: number): Promise<SearchHit[]> => {
      const query = wordsOf(text).slice(0, 12);
      if (query.length === 0) return [];
      const matches = queryMatcher(query);
      const hits: { record: PostRecord; inTitle: boolean }[] = [];
      for (const record of this.livePosts(now)) {
        const title = wordsOf(record.title);
        const body = wordsOf(record.searchText);
        const found = query.map((_, i) => title.some((w) => matches(w, i)) || body.some((w) => matches(w, i)));
        if (found.every(Boolean)) hits.push({ record, inTitle: query.some((_, i) => title.some((w) => matches(w, i))) });
      }
      hits.sort((a, b) => Number(b.inTitle) - Number(a.inTitle) || newestFirst(a.record, b.record));
      return hits.slice(0, limit).map(({ record }) => ({
        post: this.toPost(record),
        snippet: snippetAround(record.searchText, (w) => query.some((_, i) => matches(w, i))),
      }));
    },

    archiveMonths: async (now: number): Promise<MonthCount[]> => {
      return countByMonth(this.livePosts(now).filter((p) => p.type === 'post').sort(newestFirst).map((p) => p.publishedAt!));
    },
  };

  // ----------------------------------------------------------------- tags

  tags = {
    listWithCounts: async (now: number): Promise<TagWithCount[]> => {
      const live = this.livePosts(now);
      return [...this.tables.tags.values()]
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id))
        .map((tag) => ({ ...tag, postCount: live.filter((p) => p.tagIds.includes(tag.id)).length }));
    },

    findBySlug: async (slug: string): Promise<Tag | null> => {
      const tag = this.findTag(slug);
      return tag ? copy(tag) : null;
    },

    rename: async (id: number, name: string, slug: string): Promise<Tag> => {
      const tag = this.tables.tags.get(id);
      if (!tag) throw notFound('The tag');
      const other = this.findTag(slug);
      if (other && other.id !== id) {
        throw new DomainError('slug_taken', `Another tag already uses the address "${slug}".`, { slug: 'This address is taken.' });
      }
      Object.assign(tag, { name, slug });
      return copy(tag);
    },

    delete: async (id: number): Promise<void> => {
      if (!this.tables.tags.delete(id)) throw notFound('The tag');
      for (const record of this.tables.posts.values()) record.tagIds = record.tagIds.filter((t) => t !== id);
    },
  };

  // ---------------------------------------------------------------- users

  /** Email and profile address are unique, as in the SQL schema. */
  private assertUserUnique(email: string, slug: string, exceptId: number | null, message: string): void {
    for (const user of this.tables.users.values()) {
      if (user.id !== exceptId && (user.email === email || user.slug === slug)) {
        throw new DomainError('conflict', message, { email: 'Already in use.' });
      }
    }
  }

  private findUser(predicate: (user: User) => boolean): User | null {
    const user = [...this.tables.users.values()].find(predicate);
    return user ? copy(user) : null;
  }

  users = {
    create: async (given: Omit<User, 'id'>): Promise<User> => {
      const input = { ...given, email: given.email.trim().toLowerCase() };
      this.assertUserUnique(input.email, input.slug, null, 'A user with this email or profile address already exists.');
      const user: User = {
        id: this.nextId('users'),
        email: input.email,
        name: input.name,
        slug: input.slug,
        bio: input.bio,
        role: input.role,
        passwordHash: input.passwordHash,
        createdAt: input.createdAt,
      };
      this.tables.users.set(user.id, user);
      return copy(user);
    },

    findById: async (id: number): Promise<User | null> => this.findUser((u) => u.id === id),

    findByEmail: async (email: string): Promise<User | null> => {
      const normalised = email.trim().toLowerCase();
      return this.findUser((u) => u.email === normalised);
    },

    findBySlug: async (slug: string): Promise<User | null> => this.findUser((u) => u.slug === slug),

    list: async (): Promise<User[]> => [...this.tables.users.values()].sort((a, b) => a.id - b.id).map(copy),

    count: async (): Promise<number> => this.tables.users.size,

    update: async (id: number, patch: Partial<Pick<User, 'email' | 'name' | 'slug' | 'bio' | 'role' | 'passwordHash'>>): Promise<User> => {
      if (patch.email !== undefined) patch = { ...patch, email: patch.email.trim().toLowerCase() };
      const user = this.tables.users.get(id);
      if (!user) throw notFound('The user');
      const changes = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
      const next = { ...user, ...changes };
      this.assertUserUnique(next.email, next.slug, id, 'Another user already has this email or profile address.');
      this.tables.users.set(id, next);
      return copy(next);
    },

    delete: async (id: number, heirId: number): Promise<void> => {
      if (!this.tables.users.has(id)) throw notFound('The user');
      const owned = [...this.tables.posts.values()].filter((p) => p.authorId === id);
      if (owned.length > 0 && (heirId === id || !this.tables.users.has(heirId))) {
        // The SQL foreign key refuses to leave posts without an author.
        throw new DomainError('conflict', 'The posts of a removed user need another author.');
      }
      for (const record of owned) record.authorId = heirId;
      for (const revision of this.tables.revisions.rows.values()) {
        if (revision.authorId !== id) continue;
        if (revision.kind === 'autosave') this.tables.revisions.rows.delete(revision.id);
        else revision.authorId = heirId;
      }
      this.tables.users.delete(id);
      for (const session of this.tables.sessions.values()) if (session.userId === id) this.tables.sessions.delete(session.idHash);
      for (const token of this.tables.apiTokens.values()) if (token.userId === id) this.tables.apiTokens.delete(token.id);
      for (const comment of this.tables.comments.values()) if (comment.userId === id) comment.userId = null;
    },
  };

  // ------------------------------------------------------------- comments

  /** As the foreign key cascades on SQL: a deleted comment's history goes with it. */
  private dropOrphanRevisions(): void {
    for (const revision of this.tables.commentRevisions.values()) if (!this.tables.comments.has(revision.commentId)) this.tables.commentRevisions.delete(revision.id);
  }

  private commentRecord(id: number): Comment {
    const comment = this.tables.comments.get(id);
    if (!comment) throw notFound('The comment');
    return comment;
  }

  /** Top-level comments of a post with at least one approved comment in their conversation, oldest first. */
  private conversations(postId: number): Comment[] {
    const live = new Set<number>();
    for (const c of this.tables.comments.values()) if (c.postId === postId && c.status === 'approved') live.add(c.rootId);
    return [...this.tables.comments.values()].filter((c) => c.postId === postId && c.depth === 0 && live.has(c.id)).sort(oldestFirst);
  }

  comments = {
    create: async (write: CommentWrite): Promise<Comment> => {
      let rootId: number | null = null;
      let depth = 0;
      if (write.parentId !== null) {
        const parent = this.tables.comments.get(write.parentId);
        if (!parent || parent.postId !== write.postId) throw notFound('The comment being answered');
        rootId = parent.rootId;
        depth = parent.depth + 1;
      }
      const id = this.nextId('comments');
      const comment: Comment = {
        id,
        postId: write.postId,
        parentId: write.parentId,
        rootId: rootId ?? id,
        depth,
        personId: write.personId,
        userId: write.userId,
        authorName: write.authorName,
        authorEmail: write.authorEmail,
        authorUrl: write.authorUrl,
        markdown: write.markdown,
        html: write.html,
        status: write.status,
        moderationReasons: [...(write.moderationReasons ?? [])],
        spamScore: write.spamScore ?? null,
        source: write.source ?? 'form',
        createdAt: write.createdAt,
        updatedAt: write.createdAt,
        editedAt: null,
        statusChangedAt: write.createdAt,
        editTokenHash: write.editTokenHash ?? null,
        ip: write.ip ?? null,
        userAgent: write.userAgent ?? null,
        learnedAs: null,
      };
      this.tables.comments.set(comment.id, comment);
      return copy(comment);
    },

    findById: async (id: number): Promise<Comment | null> => {
      const comment = this.tables.comments.get(id);
      return comment ? copy(comment) : null;
    },

    findMany: async (ids: number[]): Promise<Comment[]> =>
      ids
        .map((id) => this.tables.comments.get(id))
        .filter((c): c is Comment => c !== undefined)
        .sort(oldestFirst)
        .map(copy),

    listApproved: async (postId: number): Promise<Comment[]> =>
      [...this.tables.comments.values()].filter((c) => c.postId === postId && c.status === 'approved').sort(oldestFirst).map(copy),

    countApproved: async (postIds: number[]): Promise<Map<number, number>> => {
      const counts = new Map<number, number>();
      for (const c of this.tables.comments.values()) {
        if (c.status === 'approved' && postIds.includes(c.postId)) counts.set(c.postId, (counts.get(c.postId) ?? 0) + 1);
      }
      return counts;
    },

    threadPage: async (postId: number, after: ThreadCursor | null, limit: number): Promise<ThreadPage> => {
      const roots = this.conversations(postId).filter((r) => !after || r.createdAt > after.createdAt || (r.createdAt === after.createdAt && r.id > after.id));
      const shown = roots.slice(0, limit);
      const ids = new Set(shown.map((r) => r.id));
      const comments = [...this.tables.comments.values()].filter((c) => ids.has(c.rootId) && c.status === 'approved').sort(oldestFirst).map(copy);
      const last = shown[shown.length - 1];
      return { comments, next: roots.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null };
    },

    conversationsBefore: async (commentId: number): Promise<number> => {
      const comment = this.commentRecord(commentId);
      const root = this.commentRecord(comment.rootId);
      return this.conversations(comment.postId).filter((r) => r.createdAt < root.createdAt || (r.createdAt === root.createdAt && r.id < root.id)).length;
    },

    cursorAt: async (postId: number, offset: number): Promise<ThreadCursor | null> => {
      if (offset <= 0) return null;
      const root = this.conversations(postId)[offset - 1];
      return root ? { createdAt: root.createdAt, id: root.id } : null;
    },

    updateBody: async (id: number, markdown: string, html: string, now: number): Promise<Comment> => {
      const comment = this.commentRecord(id);
      Object.assign(comment, { markdown, html, editedAt: now, updatedAt: now });
      return copy(comment);
    },

    setStatus: async (ids: number[], status: CommentStatus, reasons: string[] | null, now: number): Promise<Comment[]> => {
      const changed: Comment[] = [];
      for (const id of ids) {
        const comment = this.tables.comments.get(id);
        if (!comment || comment.status === status) continue;
        Object.assign(comment, { status, statusChangedAt: now, updatedAt: now });
        if (reasons !== null) comment.moderationReasons = [...reasons];
        changed.push(copy(comment));
      }
      return changed;
    },

    setLearnedAs: async (id: number, label: 'spam' | 'ham' | null): Promise<void> => {
      this.commentRecord(id).learnedAs = label;
    },

    move: async (id: number, parentId: number | null, now: number): Promise<Comment> => {
      const comment = this.commentRecord(id);
      if (comment.parentId === parentId) return copy(comment);
      const conversation = [...this.tables.comments.values()].filter((c) => c.rootId === comment.rootId);
      const below = descendantIds(id, conversation);
      const place = placeMove(comment, parentId === null ? null : this.tables.comments.get(parentId), parentId, below);
      const shift = place.depth - comment.depth;
      for (const replyId of below) Object.assign(this.commentRecord(replyId), { rootId: place.rootId, depth: this.commentRecord(replyId).depth + shift, updatedAt: now });
      Object.assign(comment, { parentId, rootId: place.rootId, depth: place.depth, updatedAt: now });
      return copy(comment);
    },

    addRevision: async (write: CommentRevisionWrite): Promise<CommentRevision> => {
      this.commentRecord(write.commentId);
      const id = this.tables.lastId.commentRevisions + 1;
      this.tables.lastId.commentRevisions = id;
      const revision: CommentRevision = { id, ...write };
      this.tables.commentRevisions.set(id, revision);
      return copy(revision);
    },

    revisions: async (commentId: number): Promise<CommentRevision[]> =>
      [...this.tables.commentRevisions.values()].filter((r) => r.commentId === commentId).sort((a, b) => a.id - b.id).map(copy),

    listForModeration: async (q: ModerationQuery): Promise<Page<Comment>> => {
      const text = q.text?.toLowerCase();
      const all = [...this.tables.comments.values()]
        .filter(
          (c) =>
            (!q.status || c.status === q.status) &&
            (q.postId === undefined || c.postId === q.postId) &&
            (q.authorId === undefined || this.authoredBy(c.postId, q.authorId)) &&
            (q.personId === undefined || c.personId === q.personId) &&
            (!text || [c.markdown, c.authorName, c.authorEmail].some((f) => f.toLowerCase().includes(text))),
        )
        .sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
      return { items: all.slice(q.offset, q.offset + q.limit).map(copy), total: all.length };
    },

    countByStatus: async (authorId?: number): Promise<Record<CommentStatus, number>> => {
      const counts: Record<CommentStatus, number> = { pending: 0, approved: 0, spam: 0, trash: 0 };
      for (const c of this.tables.comments.values()) if (authorId === undefined || this.authoredBy(c.postId, authorId)) counts[c.status]++;
      return counts;
    },

    hasApproved: async (personId: number): Promise<boolean> =>
      [...this.tables.comments.values()].some((c) => c.personId === personId && c.status === 'approved'),

    waitingForReply: async (limit: number, authorId?: number): Promise<Page<Comment>> => {
      const latest = new Map<number, Comment>();
      const inReach = (c: Comment) => c.status === 'approved' && (authorId === undefined || this.authoredBy(c.postId, authorId));
      for (const c of [...this.tables.comments.values()].filter(inReach).sort(oldestFirst)) latest.set(c.rootId, c);
      const waiting = [...latest.values()].filter((c) => c.userId === null && c.source !== 'import').sort(oldestFirst);
      return { items: waiting.slice(0, limit).map(copy), total: waiting.length };
    },

    purgeTrash: async (before: number): Promise<number> => {
      const all = [...this.tables.comments.values()];
      const due = all.filter(
        (c) => c.status === 'trash' && c.statusChangedAt < before && !all.some((child) => child.parentId === c.id && child.status !== 'trash'),
      );
      const ids = new Set(due.map((c) => c.id));
      for (const c of all) if (c.parentId !== null && ids.has(c.parentId)) c.parentId = null;
      for (const id of ids) this.tables.comments.delete(id);
      this.dropOrphanRevisions();
      for (const sub of this.tables.subscriptions.values()) if (sub.commentId !== null && ids.has(sub.commentId)) this.tables.subscriptions.delete(sub.id);
      return ids.size;
    },

    deleteForever: async (ids: number[]): Promise<number[]> => {
      const all = [...this.tables.comments.values()];
      const kept = (c: Comment) => c.status === 'approved' || c.status === 'pending';
      const due = new Set(
        ids.filter((id) => {
          const c = this.tables.comments.get(id);
          return c !== undefined && (c.status === 'spam' || c.status === 'trash') && !all.some((child) => child.parentId === id && kept(child));
        }),
      );
      for (const c of all) if (c.parentId !== null && due.has(c.parentId)) c.parentId = null;
      for (const id of due) this.tables.comments.delete(id);
      this.dropOrphanRevisions();
      for (const sub of this.tables.subscriptions.values()) if (sub.commentId !== null && due.has(sub.commentId)) this.tables.subscriptions.delete(sub.id);
      for (const mention of this.tables.webmentions.received.values()) if (mention.commentId !== null && due.has(mention.commentId)) mention.commentId = null;
      return [...due].sort((a, b) => a - b);
    },
  };

  /** Whether the post is the user's and outside the trash. */
  private authoredBy(postId: number, authorId: number): boolean {
    const post = this.tables.posts.get(postId);
    return post !== undefined && post.authorId === authorId && post.deletedAt === null;
  }

  // ------------------------------------------------------------- sessions

  sessions = {
    create: async (s: Session): Promise<void> => {
      if (this.tables.sessions.has(s.idHash)) throw new DomainError('conflict', 'A session with this id already exists.');
      this.tables.sessions.set(s.idHash, { idHash: s.idHash, userId: s.userId, csrfToken: s.csrfToken, createdAt: s.createdAt, expiresAt: s.expiresAt });
    },

    find: async (idHash: string, now: number): Promise<Session | null> => {
      const session = this.tables.sessions.get(idHash);
      return session && session.expiresAt > now ? copy(session) : null;
    },

    delete: async (idHash: string): Promise<void> => {
      this.tables.sessions.delete(idHash);
    },

    deleteForUser: async (userId: number): Promise<void> => {
      for (const session of this.tables.sessions.values()) if (session.userId === userId) this.tables.sessions.delete(session.idHash);
    },

    deleteExpired: async (now: number): Promise<number> => {
      let deleted = 0;
      for (const session of this.tables.sessions.values()) {
        if (session.expiresAt <= now) {
          this.tables.sessions.delete(session.idHash);
          deleted++;
        }
      }
      return deleted;
    },
  };

  // ----------------------------------------------------------- api tokens

  apiTokens = {
    create: async (t: Omit<ApiToken, 'id' | 'lastUsedAt'>): Promise<ApiToken> => {
      if ([...this.tables.apiTokens.values()].some((other) => other.tokenHash === t.tokenHash)) {
        throw new DomainError('conflict', 'A token with this hash already exists.');
      }
      const token: ApiToken = { id: this.nextId('apiTokens'), userId: t.userId, name: t.name, prefix: t.prefix, tokenHash: t.tokenHash, createdAt: t.createdAt, lastUsedAt: null };
      this.tables.apiTokens.set(token.id, token);
      return copy(token);
    },

    findByHash: async (tokenHash: string): Promise<ApiToken | null> => {
      const token = [...this.tables.apiTokens.values()].find((t) => t.tokenHash === tokenHash);
      return token ? copy(token) : null;
    },

    listForUser: async (userId: number): Promise<ApiToken[]> =>
      [...this.tables.apiTokens.values()]
        .filter((t) => t.userId === userId)
        .sort((a, b) => b.createdAt - a.createdAt || b.id - a.id)
        .map(copy),

    revoke: async (id: number, userId: number): Promise<boolean> => {
      if (this.tables.apiTokens.get(id)?.userId !== userId) return false;
      return this.tables.apiTokens.delete(id);
    },

    touch: async (id: number, now: number): Promise<void> => {
      const token = this.tables.apiTokens.get(id);
      if (token) token.lastUsedAt = now;
    },
  };

  // -------------------------------------------------------------- uploads

  uploads = {
    save: async (u: Upload): Promise<UploadInfo> => {
      if (!this.tables.uploads.has(u.hash)) {
        this.tables.uploads.set(u.hash, {
          hash: u.hash,
          mime: u.mime,
          size: u.size,
          originalName: u.originalName,
          data: new Uint8Array(u.data),
          uploaderId: u.uploaderId,
          createdAt: u.createdAt,
        });
      }
      return toInfo(this.tables.uploads.get(u.hash)!);
    },

    find: async (hash: string): Promise<Upload | null> => {
      const upload = this.tables.uploads.get(hash);
      return upload ? copy(upload) : null;
    },

    list: async (limit: number): Promise<UploadInfo[]> =>
      [...this.tables.uploads.values()]
        .sort((a, b) => b.createdAt - a.createdAt)
        .slice(0, limit)
        .map(toInfo),
  };

  // ------------------------------------------------------------- settings

  settings = {
    getAll: async (): Promise<Record<string, string>> => Object.fromEntries(this.tables.settings),

    set: async (values: Record<string, string>): Promise<void> => {
      for (const [key, value] of Object.entries(values)) this.tables.settings.set(key, value);
    },

    setIfAbsent: async (key: string, value: string): Promise<string> => {
      if (!this.tables.settings.has(key)) this.tables.settings.set(key, value);
      return this.tables.settings.get(key)!;
    },

    takeIfEquals: async (key: string, expected: string): Promise<boolean> => {
      if (this.tables.settings.get(key) !== expected) return false;
      return this.tables.settings.delete(key);
    },
  };

  // ---------------------------------------------------------- rate limits

  rateLimits = {
    /** A window opens at the first hit and lasts `windowMs`; every hit counts, denied ones too. */
    hit: async (key: string, windowMs: number, max: number, now: number): Promise<RateLimitResult> => {
      const current = this.tables.rateLimits.get(key);
      const counter = !current || current.windowStart <= now - windowMs ? { windowStart: now, hits: 1 } : { windowStart: current.windowStart, hits: current.hits + 1 };
      this.tables.rateLimits.set(key, counter);
      if (counter.hits <= max) return { allowed: true, retryAfterMs: 0 };
      return { allowed: false, retryAfterMs: Math.max(1, counter.windowStart + windowMs - now) };
    },
  };
}
