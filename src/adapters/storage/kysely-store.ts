import { KyselyPeopleRepository } from './kysely-people.ts';
import { KyselyAccountTokenRepository, KyselyLoginFailureRepository } from './kysely-accounts.ts';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type {
  AdminPostQuery,
  ApiToken,
  Comment,
  CommentRevision,
  CommentRevisionWrite,
  CommentStatus,
  CommentWrite,
  ModerationQuery,
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
  ThreadCursor,
  ThreadPage,
  Upload,
  UploadInfo,
  User,
} from '../../core/store.ts';
import { countByMonth, isProtected } from '../../core/store.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import { descendantIds, placeMove } from '../../core/comment-move.ts';
import { firstFreeSlug, plainText, slugify } from '../../core/text.ts';
import { randomToken } from '../../core/tokens.ts';
import { KyselyArchiveRepository } from './kysely-archive.ts';
import { KyselyOutboxRepository } from './kysely-outbox.ts';
import { KyselyJobRepository } from './kysely-jobs.ts';
import { KyselyFediverseBlockRepository, KyselyFollowerRepository } from './kysely-followers.ts';
import { KyselyKvStore, KyselyMessageQueue, type MessageQueueOptions } from './kysely-federation.ts';
import { KyselyWebmentionRepository } from './kysely-webmentions.ts';
import { KyselySpamModelRepository } from './kysely-spam-model.ts';
import { KyselySubscriptionRepository } from './kysely-subscriptions.ts';
import { KyselyImportRepository } from './kysely-imports.ts';
import { KyselyRevisionRepository } from './kysely-revisions.ts';
import { transact } from './transact.ts';
import { runCompiledOnce } from './compiled-once.ts';
import type { Database, Engine } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;
type PostRow = Omit<Selectable<Database['posts']>, 'search_text'>;

const postColumns = [
  'posts.id',
  'posts.type',
  'posts.slug',
  'posts.title',
  'posts.markdown',
  'posts.html',
  'posts.excerpt',
  'posts.status',
  'posts.visibility',
  'posts.published_at',
  'posts.author_id',
  'posts.cover_image',
  'posts.created_at',
  'posts.updated_at',
  'posts.deleted_at',
  'posts.comments_mode',
  'posts.comments_close_days',
  'posts.password',
] as const;

function toUser(row: Selectable<Database['users']>): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    slug: row.slug,
    bio: row.bio,
    role: row.role as User['role'],
    passwordHash: row.password_hash,
    createdAt: Number(row.created_at),
  };
}

/** A plain object: node:sqlite hands back rows without a prototype. */
function toTag(row: Tag): Tag {
  return { id: row.id, slug: row.slug, name: row.name };
}

export function toComment(row: Selectable<Database['comments']>): Comment {
  return {
    id: row.id,
    postId: row.post_id,
    parentId: row.parent_id,
    rootId: row.root_id ?? row.id,
    depth: Number(row.depth),
    personId: row.person_id,
    userId: row.user_id,
    authorName: row.author_name,
    authorEmail: row.author_email,
    authorUrl: row.author_url,
    markdown: row.markdown,
    html: row.html,
    status: row.status as Comment['status'],
    moderationReasons: JSON.parse(row.moderation_reasons) as string[],
    spamScore: row.spam_score === null ? null : Number(row.spam_score),
    source: row.source as Comment['source'],
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    editedAt: row.edited_at === null ? null : Number(row.edited_at),
    statusChangedAt: Number(row.status_changed_at),
    editTokenHash: row.edit_token_hash,
    ip: row.ip,
    userAgent: row.user_agent,
    learnedAs: row.learned_as as Comment['learnedAs'],
  };
}

function toRevision(row: Selectable<Database['comment_revisions']>): CommentRevision {
  return {
    id: row.id,
    commentId: row.comment_id,
    markdown: row.markdown,
    html: row.html,
    parentId: row.parent_id,
    editedBy: row.edited_by,
    editorName: row.editor_name,
    createdAt: Number(row.created_at),
  };
}


function toToken(row: Selectable<Database['api_tokens']>): ApiToken {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    prefix: row.prefix,
    tokenHash: row.token_hash,
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
  };
}

/** The words of a search box (at most 12), or null when it holds none. */
function searchWords(text: string): string[] | null {
  const words = text.match(/[\p{L}\p{N}_]+/gu);
  return words ? words.slice(0, 12) : null;
}

/** As an FTS5 query: every word must match, the last as a prefix. */
function fts5Query(text: string): string | null {
  return searchWords(text)?.map((w, i, all) => `"${w}"${i === all.length - 1 ? '*' : ''}`).join(' ') ?? null;
}

/** As a PostgreSQL tsquery with the same meaning as fts5Query. */
function tsPrefixQuery(text: string): string | null {
  return searchWords(text)?.map((w, i, all) => `'${w}'${i === all.length - 1 ? ':*' : ''}`).join(' & ') ?? null;
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === '23505' || /UNIQUE constraint failed/.test(e?.message ?? '');
}

/**
 * The Store on a SQL database through Kysely. SQLite and PostgreSQL share every query;
 * the engine only decides how full-text search is written.
 */
export class KyselyStore implements Store {
  readonly kind: Engine;
  private readonly db: Db;
  private readonly inTransaction: boolean;

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
  readonly people: KyselyPeopleRepository;

  constructor(db: Db, engine: Engine, inTransaction = false) {
    this.db = db;
    this.kind = engine;
    this.inTransaction = inTransaction;
    this.subscriptions = new KyselySubscriptionRepository(db, engine);
    this.outbox = new KyselyOutboxRepository(db, engine);
    this.spamModel = new KyselySpamModelRepository(db);
    this.archive = new KyselyArchiveRepository(db, engine);
    this.jobs = new KyselyJobRepository(db, engine);
    this.webmentions = new KyselyWebmentionRepository(db, engine);
    this.imports = new KyselyImportRepository(db);
    this.accountTokens = new KyselyAccountTokenRepository(db);
    this.loginFailures = new KyselyLoginFailureRepository(db);
    this.revisions = new KyselyRevisionRepository(db);
    this.followers = new KyselyFollowerRepository(db);
    this.fediverseBlocks = new KyselyFediverseBlockRepository(db);
    this.people = new KyselyPeopleRepository(db, engine);
  }

  /** Fedify's key–value store and message queue on this database (kysely-federation.ts). */
  federationBackends(options: MessageQueueOptions = {}): { kv: KyselyKvStore; queue: KyselyMessageQueue } {
    const db = this.db as Kysely<Database>;
    return { kv: new KyselyKvStore(db, this.kind, options.now), queue: new KyselyMessageQueue(db, this.kind, options) };
  }

  async transaction<T>(work: (store: Store) => Promise<T>): Promise<T> {
    if (this.inTransaction) return work(this);
    return transact(this.db, (trx) => work(new KyselyStore(trx, this.kind, true)));
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

  // ---------------------------------------------------------------- posts

  private async withTags(rows: PostRow[]): Promise<Post[]> {
    if (rows.length === 0) return [];
    const query = (ids: number[]) =>
      this.db
        .selectFrom('post_tags')
        .innerJoin('tags', 'tags.id', 'post_tags.tag_id')
        .select(['post_tags.post_id', 'tags.id', 'tags.slug', 'tags.name'])
        .where('post_tags.post_id', 'in', ids)
        .orderBy('post_tags.position');
    // One post (a post page, a comment's post) is the common case: its SQL never changes.
    const tagRows = rows.length === 1 ? await runCompiledOnce(this.db, this.kind, 'tags-of-post', [rows[0].id], (ids) => query(ids as number[])) : await query(rows.map((r) => r.id)).execute();
    const byPost = new Map<number, Tag[]>();
    for (const t of tagRows) {
      const list = byPost.get(t.post_id) ?? [];
      list.push({ id: t.id, slug: t.slug, name: t.name });
      byPost.set(t.post_id, list);
    }
    return rows.map((row) => ({
      id: row.id,
      type: row.type as Post['type'],
      slug: row.slug,
      title: row.title,
      markdown: row.markdown,
      html: row.html,
      excerpt: row.excerpt,
      status: row.status as PostStatus,
      visibility: row.visibility as Post['visibility'],
      publishedAt: row.published_at === null ? null : Number(row.published_at),
      authorId: row.author_id,
      coverImage: row.cover_image,
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
      deletedAt: row.deleted_at === null ? null : Number(row.deleted_at),
      tags: byPost.get(row.id) ?? [],
      commentsMode: row.comments_mode as Post['commentsMode'],
      commentsCloseDays: row.comments_close_days,
      password: row.password,
    }));
  }

  private async one(row: PostRow | undefined): Promise<Post | null> {
    if (!row) return null;
    return (await this.withTags([row]))[0];
  }

  private async setTags(postId: number, names: string[]): Promise<void> {
    await this.db.deleteFrom('post_tags').where('post_id', '=', postId).execute();
    const seen = new Set<string>();
    let position = 0;
    for (const raw of names) {
      const name = raw.trim();
      const slug = slugify(name);
      if (!slug || seen.has(slug)) continue;
      seen.add(slug);
      let tag = await this.db.selectFrom('tags').select(['id']).where('slug', '=', slug).executeTakeFirst();
      if (!tag) {
        tag = await this.db
          .insertInto('tags')
          .values({ slug, name })
          .onConflict((oc) => oc.column('slug').doUpdateSet({ slug }))
          .returning(['id'])
          .executeTakeFirstOrThrow();
      }
      await this.db.insertInto('post_tags').values({ post_id: postId, tag_id: tag.id, position: position++ }).execute();
    }
  }

  private async indexForSearch(postId: number, title: string, text: string): Promise<void> {
    if (this.kind !== 'sqlite') return; // PostgreSQL keeps a generated tsvector column.
    await sql`delete from posts_fts where rowid = ${postId}`.execute(this.db);
    await sql`insert into posts_fts (rowid, title, body) values (${postId}, ${title}, ${text})`.execute(this.db);
  }

  /** `password` is the post's password after this write (the write's, else the one it had). */
  private rowValues(write: PostWrite, now: number, password: string | null) {
    return {
      type: write.type,
      slug: write.slug,
      title: write.title,
      markdown: write.markdown,
      html: write.html,
      excerpt: write.excerpt,
      // A protected post's body is not searchable: search would show it (snippets) to anyone.
      search_text: isProtected({ password }) ? '' : plainText(write.html),
      password,
      status: write.status,
      visibility: write.visibility,
      published_at: write.publishedAt,
      author_id: write.authorId,
      cover_image: write.coverImage,
      updated_at: now,
      comments_mode: write.commentsMode,
      comments_close_days: write.commentsCloseDays,
    };
  }

  posts = {
    create: (write: PostWrite, now: number): Promise<Post> =>
      this.transaction(async (store) => {
        const self = store as unknown as KyselyStore;
        if (await self.posts.slugInUse(write.slug)) {
          throw new DomainError('slug_taken', `The address "${write.slug}" is already used by another post or page.`, { slug: 'This address is taken.' });
        }
        const values = self.rowValues(write, now, write.password ?? null);
        const { id } = await self.db
          .insertInto('posts')
          .values({ ...values, created_at: now, deleted_at: null })
          .returning(['id'])
          .executeTakeFirstOrThrow();
        await self.setTags(id, write.tags);
        await self.indexForSearch(id, write.title, values.search_text);
        return (await self.posts.findById(id))!;
      }),

    update: (id: number, write: PostWrite, now: number): Promise<Post> =>
      this.transaction(async (store) => {
        const self = store as unknown as KyselyStore;
        const before = await self.db.selectFrom('posts').select(['slug', 'password']).where('id', '=', id).executeTakeFirst();
        if (!before) throw notFound('The post');
        if (before.slug !== write.slug) {
          if (await self.posts.slugInUse(write.slug, id)) {
            throw new DomainError('slug_taken', `The address "${write.slug}" is already used by another post or page.`, { slug: 'This address is taken.' });
          }
          await self.db.deleteFrom('post_old_slugs').where('slug', '=', write.slug).where('post_id', '=', id).execute();
          await self.db
            .insertInto('post_old_slugs')
            .values({ slug: before.slug, post_id: id })
            .onConflict((oc) => oc.column('slug').doNothing())
            .execute();
        }
        const values = self.rowValues(write, now, write.password === undefined ? before.password : write.password);
        await self.db.updateTable('posts').set(values).where('id', '=', id).execute();
        await self.setTags(id, write.tags);
        await self.indexForSearch(id, write.title, values.search_text);
        return (await self.posts.findById(id))!;
      }),

    findById: async (id: number): Promise<Post | null> => {
      const [row] = await runCompiledOnce(this.db, this.kind, 'post-by-id', [id], ([v]) => this.db.selectFrom('posts').select(postColumns).where('id', '=', v as number));
      return this.one(row);
    },

    findBySlug: async (slug: string): Promise<Post | null> => {
      const [row] = await runCompiledOnce(this.db, this.kind, 'post-by-slug', [slug], ([v]) => this.db.selectFrom('posts').select(postColumns).where('slug', '=', v as string).where('deleted_at', 'is', null));
      return this.one(row);
    },

    findByOldSlug: async (slug: string): Promise<Post | null> =>
      this.one(
        await this.db
          .selectFrom('post_old_slugs')
          .innerJoin('posts', 'posts.id', 'post_old_slugs.post_id')
          .select(postColumns)
          .where('post_old_slugs.slug', '=', slug)
          .where('posts.deleted_at', 'is', null)
          .executeTakeFirst(),
      ),

    slugInUse: async (slug: string, exceptPostId?: number): Promise<boolean> => {
      let current = this.db.selectFrom('posts').select('id').where('slug', '=', slug);
      let old = this.db.selectFrom('post_old_slugs').select('post_id as id').where('slug', '=', slug);
      if (exceptPostId !== undefined) {
        current = current.where('id', '!=', exceptPostId);
        old = old.where('post_id', '!=', exceptPostId);
      }
      return Boolean((await current.executeTakeFirst()) ?? (await old.executeTakeFirst()));
    },

    freeSlug: async (root: string, exceptPostId?: number): Promise<string> => {
      // Every current and old slug that could be root or root-N, in one query; the numbers are read here.
      const like = `${root.replace(/[%_\\]/g, (m) => `\\${m}`)}-%`;
      const copy = sql<boolean>`(slug = ${root} or (slug like ${like} escape '\\' and length(slug) <= ${root.length + 10}))`;
      let current = this.db.selectFrom('posts').select('slug').where(copy);
      let old = this.db.selectFrom('post_old_slugs').select('slug').where(copy);
      if (exceptPostId !== undefined) {
        current = current.where('id', '!=', exceptPostId);
        old = old.where('post_id', '!=', exceptPostId);
      }
      const rows = await current.unionAll(old).execute();
      return firstFreeSlug(root, rows.map((r) => r.slug));
    },

    listPublished: async (q: PublishedQuery, now: number): Promise<Page<Post>> => {
      let base = this.db
        .selectFrom('posts')
        .where('status', '=', 'published')
        .where('visibility', '=', 'public')
        .where('deleted_at', 'is', null)
        .where('published_at', '<=', now);
      if (q.type) base = base.where('type', '=', q.type);
      if (q.authorId !== undefined) base = base.where('author_id', '=', q.authorId);
      if (q.from !== undefined) base = base.where('published_at', '>=', q.from);
      if (q.to !== undefined) base = base.where('published_at', '<', q.to);
      if (q.tagSlug) {
        const tagSlug = q.tagSlug;
        base = base.where((eb) =>
          eb.exists(
            eb
              .selectFrom('post_tags')
              .innerJoin('tags', 'tags.id', 'post_tags.tag_id')
              .select('post_tags.post_id')
              .whereRef('post_tags.post_id', '=', 'posts.id')
              .where('tags.slug', '=', tagSlug),
          ),
        );
      }
      const [rows, count] = await Promise.all([
        base.select(postColumns).orderBy('published_at', 'desc').orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute(),
        base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { items: await this.withTags(rows), total: Number(count.n) };
    },

    listAdmin: async (q: AdminPostQuery): Promise<Page<Post>> => {
      let base = this.db.selectFrom('posts');
      base = q.trashed ? base.where('deleted_at', 'is not', null) : base.where('deleted_at', 'is', null);
      if (q.type) base = base.where('type', '=', q.type);
      if (q.status) base = base.where('status', '=', q.status);
      if (q.authorId !== undefined) base = base.where('author_id', '=', q.authorId);
      const unpublishedBy = q.unpublishedBy;
      if (unpublishedBy === null) base = base.where('status', '=', 'published');
      else if (unpublishedBy !== undefined) base = base.where((eb) => eb.or([eb('status', '=', 'published'), eb('author_id', '=', unpublishedBy)]));
      if (q.text) base = base.where(sql<boolean>`lower(title) like ${`%${q.text.toLowerCase().replace(/[%_\\]/g, (m) => `\\${m}`)}%`} escape '\\'`);
      if (q.tagSlug) {
        const tagSlug = q.tagSlug;
        base = base.where((eb) =>
          eb.exists(
            eb
              .selectFrom('post_tags')
              .innerJoin('tags', 'tags.id', 'post_tags.tag_id')
              .select('post_tags.post_id')
              .whereRef('post_tags.post_id', '=', 'posts.id')
              .where('tags.slug', '=', tagSlug),
          ),
        );
      }
      const [rows, count] = await Promise.all([
        base.select(postColumns).orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute(),
        base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { items: await this.withTags(rows), total: Number(count.n) };
    },

    setStatus: async (id: number, status: PostStatus, publishedAt: number | null, now: number): Promise<Post> => {
      const result = await this.db
        .updateTable('posts')
        .set({ status, published_at: publishedAt, updated_at: now })
        .where('id', '=', id)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw notFound('The post');
      return (await this.posts.findById(id))!;
    },

    trash: async (id: number, now: number): Promise<void> => {
      const result = await this.db.updateTable('posts').set({ deleted_at: now }).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw notFound('The post');
    },

    restore: async (id: number, now: number): Promise<void> => {
      const result = await this.db
        .updateTable('posts')
        .set({ deleted_at: null, updated_at: now })
        .where('id', '=', id)
        .where('deleted_at', 'is not', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw notFound('The post in the trash');
    },

    purge: (id: number): Promise<void> =>
      this.transaction(async (store) => {
        const self = store as unknown as KyselyStore;
        const row = await self.db.selectFrom('posts').select(['deleted_at']).where('id', '=', id).executeTakeFirst();
        if (!row || row.deleted_at === null) throw notFound('The post in the trash');
        if (self.kind === 'sqlite') await sql`delete from posts_fts where rowid = ${id}`.execute(self.db);
        // SQLite does not enforce the cascade: the comments' history goes first, explicitly.
        await self.db.deleteFrom('comment_revisions').where('comment_id', 'in', self.db.selectFrom('comments').select('id').where('post_id', '=', id)).execute();
        await self.db.deleteFrom('comments').where('post_id', '=', id).execute();
        await self.db.deleteFrom('posts').where('id', '=', id).execute();
      }),

    publishDue: (now: number): Promise<Post[]> =>
      this.transaction(async (store) => {
        const self = store as unknown as KyselyStore;
        const due = await self.db
          .updateTable('posts')
          .set({ status: 'published' })
          .where('status', '=', 'scheduled')
          .where('deleted_at', 'is', null)
          .where('published_at', '<=', now)
          .returning(['id'])
          .execute();
        const posts: Post[] = [];
        for (const { id } of due) posts.push((await self.posts.findById(id))!);
        return posts;
      }),

    nextScheduledAt: async (): Promise<number | null> => {
      const row = await this.db
        .selectFrom('posts')
        .select((eb) => eb.fn.min('published_at').as('next'))
        .where('status', '=', 'scheduled')
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      return row?.next == null ? null : Number(row.next);
    },

    search: async (text: string, limit: number, now: number): Promise<SearchHit[]> => {
      if (this.kind === 'sqlite') {
        const query = fts5Query(text);
        if (!query) return [];
        const result = await sql<PostRow & { snippet: string }>`
          select posts.*, snippet(posts_fts, 1, '', '', '…', 24) as snippet
          from posts_fts join posts on posts.id = posts_fts.rowid
          where posts_fts match ${query}
            and posts.status = 'published' and posts.visibility = 'public'
            and posts.deleted_at is null and posts.published_at <= ${now}
          order by bm25(posts_fts, 5.0, 1.0)
          limit ${limit}`.execute(this.db);
        const posts = await this.withTags(result.rows);
        return posts.map((post, i) => ({ post, snippet: result.rows[i].snippet }));
      }
      const tsQuery = tsPrefixQuery(text);
      if (!tsQuery) return [];
      const result = await sql<PostRow & { snippet: string }>`
        select posts.*, ts_headline('english', posts.search_text, q, 'MaxWords=40, MinWords=15, StartSel="", StopSel=""') as snippet
        from posts, to_tsquery('english', ${tsQuery}) q
        where posts.search_vector @@ q
          and posts.status = 'published' and posts.visibility = 'public'
          and posts.deleted_at is null and posts.published_at <= ${now}
        order by ts_rank(posts.search_vector, q) desc, posts.published_at desc
        limit ${limit}`.execute(this.db);
      const posts = await this.withTags(result.rows);
      return posts.map((post, i) => ({ post, snippet: result.rows[i].snippet }));
    },

    archiveMonths: async (now: number): Promise<MonthCount[]> => {
      const rows = await this.db
        .selectFrom('posts')
        .select(['published_at'])
        .where('type', '=', 'post')
        .where('status', '=', 'published')
        .where('visibility', '=', 'public')
        .where('deleted_at', 'is', null)
        .where('published_at', '<=', now)
        .orderBy('published_at', 'desc')
        .execute();
      return countByMonth(rows.map((r) => Number(r.published_at)));
    },
  };

  // ----------------------------------------------------------------- tags

  tags = {
    listWithCounts: async (now: number): Promise<TagWithCount[]> => {
      const rows = await this.db
        .selectFrom('tags')
        .leftJoin('post_tags', 'post_tags.tag_id', 'tags.id')
        .leftJoin('posts', (join) =>
          join
            .onRef('posts.id', '=', 'post_tags.post_id')
            .on('posts.status', '=', 'published')
            .on('posts.visibility', '=', 'public')
            .on('posts.deleted_at', 'is', null)
            .on('posts.published_at', '<=', now),
        )
        .select(['tags.id', 'tags.slug', 'tags.name', (eb) => eb.fn.count<number>('posts.id').as('post_count')])
        .groupBy(['tags.id', 'tags.slug', 'tags.name'])
        .orderBy('tags.name')
        .execute();
      return rows.map((r) => ({ id: r.id, slug: r.slug, name: r.name, postCount: Number(r.post_count) }));
    },

    findBySlug: async (slug: string): Promise<Tag | null> => {
      const row = await this.db.selectFrom('tags').select(['id', 'slug', 'name']).where('slug', '=', slug).executeTakeFirst();
      return row ? toTag(row) : null;
    },

    rename: async (id: number, name: string, slug: string): Promise<Tag> => {
      try {
        const row = await this.db.updateTable('tags').set({ name, slug }).where('id', '=', id).returning(['id', 'slug', 'name']).executeTakeFirst();
        if (!row) throw notFound('The tag');
        return toTag(row);
      } catch (error) {
        if (isUniqueViolation(error)) throw new DomainError('slug_taken', `Another tag already uses the address "${slug}".`, { slug: 'This address is taken.' });
        throw error;
      }
    },

    delete: async (id: number): Promise<void> => {
      const result = await this.db.deleteFrom('tags').where('id', '=', id).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw notFound('The tag');
    },
  };

  // ---------------------------------------------------------------- users

  users = {
    create: async (user: Omit<User, 'id'>): Promise<User> => {
      try {
        const row = await this.db
          .insertInto('users')
          .values({
            email: user.email.trim().toLowerCase(),
            name: user.name,
            slug: user.slug,
            bio: user.bio,
            role: user.role,
            password_hash: user.passwordHash,
            created_at: user.createdAt,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toUser(row);
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new DomainError('conflict', 'A user with this email or profile address already exists.', { email: 'Already in use.' });
        }
        throw error;
      }
    },
    findById: async (id: number): Promise<User | null> => {
      const [row] = await runCompiledOnce(this.db, this.kind, 'user-by-id', [id], ([v]) => this.db.selectFrom('users').selectAll().where('id', '=', v as number));
      return row ? toUser(row) : null;
    },
    findByEmail: async (email: string): Promise<User | null> => {
      const row = await this.db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
      return row ? toUser(row) : null;
    },
    findBySlug: async (slug: string): Promise<User | null> => {
      const row = await this.db.selectFrom('users').selectAll().where('slug', '=', slug).executeTakeFirst();
      return row ? toUser(row) : null;
    },
    list: async (): Promise<User[]> => (await runCompiledOnce(this.db, this.kind, 'users', [], () => this.db.selectFrom('users').selectAll().orderBy('id'))).map(toUser),
    count: async (): Promise<number> => {
      const row = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },
    update: async (id: number, patch: Partial<Pick<User, 'email' | 'name' | 'slug' | 'bio' | 'role' | 'passwordHash'>>): Promise<User> => {
      const set: { email?: string; name?: string; slug?: string; bio?: string; role?: string; password_hash?: string | null } = {};
      if (patch.email !== undefined) set.email = patch.email.trim().toLowerCase();
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.slug !== undefined) set.slug = patch.slug;
      if (patch.bio !== undefined) set.bio = patch.bio;
      if (patch.role !== undefined) set.role = patch.role;
      if (patch.passwordHash !== undefined) set.password_hash = patch.passwordHash;
      try {
        if (Object.keys(set).length > 0) await this.db.updateTable('users').set(set).where('id', '=', id).execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new DomainError('conflict', 'Another user already has this email or profile address.', { email: 'Already in use.' });
        throw error;
      }
      const user = await this.users.findById(id);
      if (!user) throw notFound('The user');
      return user;
    },
    delete: (id: number, heirId: number): Promise<void> =>
      this.transaction(async (store) => {
        const self = store as unknown as KyselyStore;
        await self.db.updateTable('posts').set({ author_id: heirId }).where('author_id', '=', id).execute();
        // Their autosaves were theirs alone; the revisions they saved pass to the heir with the posts.
        await self.db.deleteFrom('post_revisions').where('author_id', '=', id).where('kind', '=', 'autosave').execute();
        await self.db.updateTable('post_revisions').set({ author_id: heirId }).where('author_id', '=', id).execute();
        const result = await self.db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
        if (Number(result.numDeletedRows) === 0) throw notFound('The user');
      }),
  };

  // ------------------------------------------------------------- comments

  /** A post's conversations: top-level comments (as `r`) with at least one approved comment in them. */
  private conversations(postId: number) {
    return this.db
      .selectFrom('comments as r')
      .where('r.post_id', '=', postId)
      .where('r.depth', '=', 0)
      .where((eb) => eb.exists(eb.selectFrom('comments as a').select('a.id').whereRef('a.root_id', '=', 'r.id').where('a.status', '=', 'approved')));
  }

  comments = {
    create: (write: CommentWrite): Promise<Comment> =>
      this.transaction(async (store) => {
        const self = store as unknown as KyselyStore;
        let rootId: number | null = null;
        let depth = 0;
        if (write.parentId !== null) {
          const parent = await self.db.selectFrom('comments').select(['id', 'root_id', 'depth', 'post_id']).where('id', '=', write.parentId).executeTakeFirst();
          if (!parent || parent.post_id !== write.postId) throw notFound('The comment being answered');
          rootId = parent.root_id ?? parent.id;
          depth = Number(parent.depth) + 1;
        }
        const values = {
            post_id: write.postId,
            parent_id: write.parentId,
            root_id: rootId,
            depth,
            person_id: write.personId,
            user_id: write.userId,
            author_name: write.authorName,
            author_email: write.authorEmail,
            author_url: write.authorUrl,
            markdown: write.markdown,
            html: write.html,
            status: write.status,
            moderation_reasons: JSON.stringify(write.moderationReasons ?? []),
            spam_score: write.spamScore ?? null,
            source: write.source ?? 'form',
            edit_token_hash: write.editTokenHash ?? null,
            ip: write.ip ?? null,
            user_agent: write.userAgent ?? null,
            learned_as: null,
            created_at: write.createdAt,
            updated_at: write.createdAt,
            edited_at: null,
            status_changed_at: write.createdAt,
          };
        const columns = Object.keys(values) as Array<keyof typeof values>;
        const [row] = await runCompiledOnce(self.db, self.kind, 'comment-insert', Object.values(values), (v) =>
          self.db
            .insertInto('comments')
            .values(Object.fromEntries(columns.map((c, i) => [c, v[i]])) as typeof values)
            .returningAll(),
        );
        if (!row) throw new Error('the comment was not stored');
        if (rootId === null) {
          await runCompiledOnce(self.db, self.kind, 'comment-root', [row.id], ([v]) => self.db.updateTable('comments').set({ root_id: v as number }).where('id', '=', v as number));
          row.root_id = row.id;
        }
        return toComment(row);
      }),

    findById: async (id: number): Promise<Comment | null> => {
      const row = await this.db.selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toComment(row) : null;
    },

    findMany: async (ids: number[]): Promise<Comment[]> => {
      if (ids.length === 0) return [];
      return (await this.db.selectFrom('comments').selectAll().where('id', 'in', ids).orderBy('created_at').orderBy('id').execute()).map(toComment);
    },

    listApproved: async (postId: number): Promise<Comment[]> =>
      (
        await this.db
          .selectFrom('comments')
          .selectAll()
          .where('post_id', '=', postId)
          .where('status', '=', 'approved')
          .orderBy('created_at')
          .orderBy('id')
          .execute()
      ).map(toComment),

    countApproved: async (postIds: number[]): Promise<Map<number, number>> => {
      const counts = new Map<number, number>();
      if (postIds.length === 0) return counts;
      const rows = await this.db
        .selectFrom('comments')
        .select(['post_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('post_id', 'in', postIds)
        .where('status', '=', 'approved')
        .groupBy('post_id')
        .execute();
      for (const r of rows) counts.set(r.post_id, Number(r.n));
      return counts;
    },

    threadPage: async (postId: number, after: ThreadCursor | null, limit: number): Promise<ThreadPage> => {
      // Conversations (top-level comments) holding at least one approved comment, in keyset
      // order: a range scan of comments_roots from the cursor, however deep the page.
      let roots = this.conversations(postId).select(['r.id', 'r.created_at']);
      if (after) roots = roots.where(sql<boolean>`(r.created_at, r.id) > (${after.createdAt}, ${after.id})`);
      const page = await roots.orderBy('r.created_at').orderBy('r.id').limit(limit + 1).execute();
      const more = page.length > limit;
      const shown = page.slice(0, limit);
      if (shown.length === 0) return { comments: [], next: null };
      // By conversation only (comments_by_root), the status filtered here: a status
      // condition in SQL tempts the planner into the site-wide status index.
      const rows = await this.db
        .selectFrom('comments')
        .selectAll()
        .where(
          'root_id',
          'in',
          shown.map((r) => r.id),
        )
        .execute();
      const comments = rows
        .filter((row) => row.status === 'approved')
        .map(toComment)
        .sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);
      const last = shown[shown.length - 1];
      return { comments, next: more ? { createdAt: Number(last.created_at), id: last.id } : null };
    },

    conversationsBefore: async (commentId: number): Promise<number> => {
      const comment = await this.db.selectFrom('comments').select(['root_id', 'id', 'post_id']).where('id', '=', commentId).executeTakeFirst();
      if (!comment) throw notFound('The comment');
      const root = await this.db.selectFrom('comments').select(['id', 'created_at']).where('id', '=', comment.root_id ?? comment.id).executeTakeFirstOrThrow();
      const row = await this.conversations(comment.post_id)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where(sql<boolean>`(r.created_at, r.id) < (${root.created_at}, ${root.id})`)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    cursorAt: async (postId: number, offset: number): Promise<ThreadCursor | null> => {
      if (offset <= 0) return null;
      const row = await this.conversations(postId)
        .select(['r.id', 'r.created_at'])
        .orderBy('r.created_at')
        .orderBy('r.id')
        .offset(offset - 1)
        .limit(1)
        .executeTakeFirst();
      return row ? { createdAt: Number(row.created_at), id: row.id } : null;
    },

    updateBody: async (id: number, markdown: string, html: string, now: number): Promise<Comment> => {
      const row = await this.db
        .updateTable('comments')
        .set({ markdown, html, edited_at: now, updated_at: now })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw notFound('The comment');
      return toComment(row);
    },

    setStatus: (ids: number[], status: CommentStatus, reasons: string[] | null, now: number): Promise<Comment[]> =>
      this.transaction(async (store) => {
        const self = store as unknown as KyselyStore;
        if (ids.length === 0) return [];
        const set: { status: string; status_changed_at: number; updated_at: number; moderation_reasons?: string } = { status, status_changed_at: now, updated_at: now };
        if (reasons !== null) set.moderation_reasons = JSON.stringify(reasons);
        const rows = await self.db.updateTable('comments').set(set).where('id', 'in', ids).where('status', '!=', status).returningAll().execute();
        return rows.map(toComment);
      }),

    setLearnedAs: async (id: number, label: 'spam' | 'ham' | null): Promise<void> => {
      await this.db.updateTable('comments').set({ learned_as: label }).where('id', '=', id).execute();
    },

    move: (id: number, parentId: number | null, now: number): Promise<Comment> =>
      this.transaction(async (store) => {
        const self = store as unknown as KyselyStore;
        const row = await self.db.selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirst();
        if (!row) throw notFound('The comment');
        const comment = toComment(row);
        if (comment.parentId === parentId) return comment;
        // Every reply under it is in its conversation: one read of that thread finds them all.
        const conversation = await self.db.selectFrom('comments').select(['id', 'parent_id as parentId']).where('root_id', '=', comment.rootId).execute();
        const below = descendantIds(id, conversation);
        const parentRow = parentId === null ? null : await self.db.selectFrom('comments').selectAll().where('id', '=', parentId).executeTakeFirst();
        const place = placeMove(comment, parentRow ? toComment(parentRow) : undefined, parentId, below);
        const shift = place.depth - comment.depth;
        if (below.size > 0) {
          await self.db
            .updateTable('comments')
            .set((eb) => ({ root_id: place.rootId, depth: eb('depth', '+', shift), updated_at: now }))
            .where('id', 'in', [...below])
            .execute();
        }
        const moved = await self.db
          .updateTable('comments')
          .set({ parent_id: parentId, root_id: place.rootId, depth: place.depth, updated_at: now })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
        return toComment(moved);
      }),

    addRevision: async (write: CommentRevisionWrite): Promise<CommentRevision> => {
      const row = await this.db
        .insertInto('comment_revisions')
        .values({
          comment_id: write.commentId,
          markdown: write.markdown,
          html: write.html,
          parent_id: write.parentId,
          edited_by: write.editedBy,
          editor_name: write.editorName,
          created_at: write.createdAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRevision(row);
    },

    revisions: async (commentId: number): Promise<CommentRevision[]> =>
      (await this.db.selectFrom('comment_revisions').selectAll().where('comment_id', '=', commentId).orderBy('id').execute()).map(toRevision),

    listForModeration: async (q: ModerationQuery): Promise<Page<Comment>> => {
      let base = this.db.selectFrom('comments');
      if (q.status) base = base.where('status', '=', q.status);
      if (q.postId !== undefined) base = base.where('post_id', '=', q.postId);
      if (q.authorId !== undefined) base = base.where('post_id', 'in', this.postsOf(q.authorId));
      if (q.personId !== undefined) base = base.where('person_id', '=', q.personId);
      if (q.text) {
        const like = `%${q.text.toLowerCase().replace(/[%_\\]/g, (m) => `\\${m}`)}%`;
        base = base.where(
          sql<boolean>`(lower(markdown) like ${like} escape '\\' or lower(author_name) like ${like} escape '\\' or lower(author_email) like ${like} escape '\\')`,
        );
      }
      const [rows, count] = await Promise.all([
        base.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute(),
        base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(toComment), total: Number(count.n) };
    },

    countByStatus: async (authorId?: number): Promise<Record<CommentStatus, number>> => {
      const counts: Record<CommentStatus, number> = { pending: 0, approved: 0, spam: 0, trash: 0 };
      let base = this.db.selectFrom('comments');
      if (authorId !== undefined) base = base.where('post_id', 'in', this.postsOf(authorId));
      const rows = await base.select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
      for (const r of rows) counts[r.status as CommentStatus] = Number(r.n);
      return counts;
    },

    hasApproved: async (personId: number): Promise<boolean> =>
      (await runCompiledOnce(this.db, this.kind, 'person-has-approved', [personId], ([id]) => this.db.selectFrom('comments').select('id').where('person_id', '=', id as number).where('status', '=', 'approved').limit(1))).length > 0,

    waitingForReply: async (limit: number, authorId?: number): Promise<Page<Comment>> => {
      // The newest approved comment of each conversation, when a reader wrote it.
      let base = this.db.selectFrom('comments as c');
      if (authorId !== undefined) base = base.where('c.post_id', 'in', this.postsOf(authorId));
      const latest = base
        .where('c.status', '=', 'approved')
        .where('c.user_id', 'is', null)
        .where('c.source', '!=', 'import')
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('comments as later')
                .select('later.id')
                .whereRef('later.root_id', '=', 'c.root_id')
                .where('later.status', '=', 'approved')
                .where((l) => l.or([l('later.created_at', '>', l.ref('c.created_at')), l.and([l('later.created_at', '=', l.ref('c.created_at')), l('later.id', '>', l.ref('c.id'))])])),
            ),
          ),
        );
      const [rows, count] = await Promise.all([
        latest.selectAll('c').orderBy('c.created_at').orderBy('c.id').limit(limit).execute(),
        latest.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(toComment), total: Number(count.n) };
    },

    purgeTrash: (before: number): Promise<number> =>
      this.transaction(async (store) => {
        const self = store as unknown as KyselyStore;
        const due = await self.db
          .selectFrom('comments as c')
          .select('c.id')
          .where('c.status', '=', 'trash')
          .where('c.status_changed_at', '<', before)
          .where((eb) =>
            eb.not(eb.exists(eb.selectFrom('comments as child').select('child.id').whereRef('child.parent_id', '=', 'c.id').where('child.status', '!=', 'trash'))),
          )
          .execute();
        if (due.length === 0) return 0;
        const ids = due.map((d) => d.id);
        // Replies that are themselves in the trash go with their parent; none kept is orphaned.
        await self.db.updateTable('comments').set({ parent_id: null }).where('parent_id', 'in', ids).execute();
        await self.db.deleteFrom('comment_revisions').where('comment_id', 'in', ids).execute();
        const result = await self.db.deleteFrom('comments').where('id', 'in', ids).executeTakeFirst();
        return Number(result.numDeletedRows);
      }),

    deleteForever: (ids: number[]): Promise<number[]> =>
      this.transaction(async (store) => {
        const self = store as unknown as KyselyStore;
        if (ids.length === 0) return [];
        const due = (
          await self.db
            .selectFrom('comments as c')
            .select('c.id')
            .where('c.id', 'in', ids)
            .where('c.status', 'in', ['spam', 'trash'])
            .where((eb) =>
              eb.not(eb.exists(eb.selectFrom('comments as child').select('child.id').whereRef('child.parent_id', '=', 'c.id').where('child.status', 'in', ['approved', 'pending']))),
            )
            .orderBy('c.id')
            .execute()
        ).map((d) => d.id);
        if (due.length === 0) return [];
        // What the foreign keys would do on PostgreSQL, written out so SQLite does the same.
        await self.db.updateTable('comments').set({ parent_id: null }).where('parent_id', 'in', due).execute();
        await self.db.updateTable('webmentions').set({ comment_id: null }).where('comment_id', 'in', due).execute();
        await self.db.deleteFrom('subscriptions').where('comment_id', 'in', due).execute();
        await self.db.deleteFrom('comment_revisions').where('comment_id', 'in', due).execute();
        await self.db.deleteFrom('comments').where('id', 'in', due).execute();
        return due;
      }),
  };

  // ------------------------------------------------------------- sessions

  sessions = {
    create: async (s: Session): Promise<void> => {
      await this.db
        .insertInto('sessions')
        .values({ id_hash: s.idHash, user_id: s.userId, csrf_token: s.csrfToken, created_at: s.createdAt, expires_at: s.expiresAt })
        .execute();
    },
    find: async (idHash: string, now: number): Promise<Session | null> => {
      const row = await this.db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).where('expires_at', '>', now).executeTakeFirst();
      return row
        ? { idHash: row.id_hash, userId: row.user_id, csrfToken: row.csrf_token, createdAt: Number(row.created_at), expiresAt: Number(row.expires_at) }
        : null;
    },
    delete: async (idHash: string): Promise<void> => {
      await this.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    },
    deleteForUser: async (userId: number): Promise<void> => {
      await this.db.deleteFrom('sessions').where('user_id', '=', userId).execute();
    },
    deleteExpired: async (now: number): Promise<number> => {
      const result = await this.db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };

  // ----------------------------------------------------------- api tokens

  apiTokens = {
    create: async (t: Omit<ApiToken, 'id' | 'lastUsedAt'>): Promise<ApiToken> =>
      toToken(
        await this.db
          .insertInto('api_tokens')
          .values({ user_id: t.userId, name: t.name, prefix: t.prefix, token_hash: t.tokenHash, created_at: t.createdAt, last_used_at: null })
          .returningAll()
          .executeTakeFirstOrThrow(),
      ),
    findByHash: async (tokenHash: string): Promise<ApiToken | null> => {
      const row = await this.db.selectFrom('api_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return row ? toToken(row) : null;
    },
    listForUser: async (userId: number): Promise<ApiToken[]> =>
      (await this.db.selectFrom('api_tokens').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').orderBy('id', 'desc').execute()).map(toToken),
    revoke: async (id: number, userId: number): Promise<boolean> => {
      const result = await this.db.deleteFrom('api_tokens').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    touch: async (id: number, now: number): Promise<void> => {
      await this.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
    },
  };

  // -------------------------------------------------------------- uploads

  uploads = {
    save: async (u: Upload): Promise<UploadInfo> => {
      await this.db
        .insertInto('uploads')
        .values({
          hash: u.hash,
          mime: u.mime,
          size: u.size,
          original_name: u.originalName,
          data: u.data,
          uploader_id: u.uploaderId,
          created_at: u.createdAt,
        })
        .onConflict((oc) => oc.column('hash').doNothing())
        .execute();
      const row = await this.db
        .selectFrom('uploads')
        .select(['hash', 'mime', 'size', 'original_name', 'uploader_id', 'created_at'])
        .where('hash', '=', u.hash)
        .executeTakeFirstOrThrow();
      return { hash: row.hash, mime: row.mime, size: Number(row.size), originalName: row.original_name, uploaderId: row.uploader_id, createdAt: Number(row.created_at) };
    },
    find: async (hash: string): Promise<Upload | null> => {
      const row = await this.db.selectFrom('uploads').selectAll().where('hash', '=', hash).executeTakeFirst();
      if (!row) return null;
      return {
        hash: row.hash,
        mime: row.mime,
        size: Number(row.size),
        originalName: row.original_name,
        data: new Uint8Array(row.data),
        uploaderId: row.uploader_id,
        createdAt: Number(row.created_at),
      };
    },
    list: async (limit: number): Promise<UploadInfo[]> =>
      (
        await this.db
          .selectFrom('uploads')
          .select(['hash', 'mime', 'size', 'original_name', 'uploader_id', 'created_at'])
          .orderBy('created_at', 'desc')
          .limit(limit)
          .execute()
      ).map((row) => ({ hash: row.hash, mime: row.mime, size: Number(row.size), originalName: row.original_name, uploaderId: row.uploader_id, createdAt: Number(row.created_at) })),
  };

  // ------------------------------------------------------------- settings

  settings = {
    getAll: async (): Promise<Record<string, string>> => {
      const rows = await this.db.selectFrom('settings').selectAll().execute();
      return Object.fromEntries(rows.map((r) => [r.key, r.value]));
    },
    set: async (values: Record<string, string>): Promise<void> => {
      await this.transaction(async (store) => {
        const self = store as unknown as KyselyStore;
        for (const [key, value] of Object.entries(values)) {
          await self.db
            .insertInto('settings')
            .values({ key, value })
            .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
            .execute();
        }
      });
    },
    setIfAbsent: async (key: string, value: string): Promise<string> => {
      await this.db
        .insertInto('settings')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
      const row = await this.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirstOrThrow();
      return row.value;
    },
    takeIfEquals: async (key: string, expected: string): Promise<boolean> => {
      const result = await this.db.deleteFrom('settings').where('key', '=', key).where('value', '=', expected).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };

  /** The ids of a user's posts outside the trash, as a subquery. */
  private postsOf(authorId: number) {
    return this.db.selectFrom('posts').select('id').where('author_id', '=', authorId).where('deleted_at', 'is', null);
  }

  // ---------------------------------------------------------- rate limits

  rateLimits = {
    hit: async (key: string, windowMs: number, max: number, now: number): Promise<RateLimitResult> => {
      const expired = now - windowMs;
      const [row] = await runCompiledOnce(this.db, this.kind, 'rate-limit-hit', [key, now, expired], ([k, at, before]) => sql<{ window_start: number; hits: number }>`
        insert into rate_limits (key, window_start, hits) values (${k}, ${at}, 1)
        on conflict (key) do update set
          hits = case when rate_limits.window_start <= ${before} then 1 else rate_limits.hits + 1 end,
          window_start = case when rate_limits.window_start <= ${before} then ${at} else rate_limits.window_start end
        returning window_start, hits`);
      const hits = Number(row.hits);
      if (hits <= max) return { allowed: true, retryAfterMs: 0 };
      return { allowed: false, retryAfterMs: Math.max(1, Number(row.window_start) + windowMs - now) };
    },
  };
}
