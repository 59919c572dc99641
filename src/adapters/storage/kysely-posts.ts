import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { AdminPostQuery, MonthCount, Page, Post, PostLink, PostRepository, PostStatus, PostWrite, PublishedQuery, SearchHit, Tag } from '../../core/store.ts';
import { countByMonth, isProtected } from '../../core/store.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import { firstFreeSlug, plainText, slugify } from '../../core/text.ts';
import { transact } from './transact.ts';
import { runCompiledOnce } from './compiled-once.ts';
import type { Database, Engine } from './schema.ts';
import { recordUploadUses } from './kysely-uploads.ts';
import { isUniqueViolation } from './storage-errors.ts';
import { creationKeyTaken, keptFields, type KeptFields } from './post-fields.ts';

type Db = Kysely<Database> | Transaction<Database>;
type PostRow = Omit<Selectable<Database['posts']>, 'search_text' | 'creation_key'>;

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
  'posts.meta_description',
  'posts.social_image',
  'posts.canonical_url',
] as const;

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

/** A post from its row and its tags, in order. */
function toPost(row: PostRow, tags: Tag[]): Post {
  return {
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
    tags,
    commentsMode: row.comments_mode as Post['commentsMode'],
    commentsCloseDays: row.comments_close_days,
    password: row.password,
    metaDescription: row.meta_description ?? null,
    socialImage: row.social_image ?? null,
    canonicalUrl: row.canonical_url ?? null,
  };
}

/**
 * PostRepository on SQL (SQLite and PostgreSQL): posts and pages with their tags, old
 * addresses and full-text search. The engine only decides how search is written.
 */
export class KyselyPostRepository implements PostRepository {
  private readonly db: Db;
  private readonly kind: Engine;

  constructor(db: Db, kind: Engine) {
    this.db = db;
    this.kind = kind;
  }

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
    return rows.map((row) => toPost(row, byPost.get(row.id) ?? []));
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

  /** `kept` holds the post's password and SEO fields after this write (the write's, else the ones it had). */
  private rowValues(write: PostWrite, now: number, kept: KeptFields) {
    const { password } = kept;
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
      meta_description: kept.metaDescription,
      social_image: kept.socialImage,
      canonical_url: kept.canonicalUrl,
    };
  }

  create(write: PostWrite, now: number): Promise<Post> {
    return transact(this.db, async (trx) => {
      const self = new KyselyPostRepository(trx, this.kind);
      if (await self.slugInUse(write.slug)) {
        // The post this editor page's racing save made took the address: that is the key's post, not a clash.
        if (write.creationKey && (await self.findByCreationKey(write.authorId, write.creationKey))) throw creationKeyTaken();
        throw new DomainError('slug_taken', `The address "${write.slug}" is already used by another post or page.`, { slug: 'This address is taken.' });
      }
      const values = self.rowValues(write, now, keptFields(write, null));
      let id: number;
      try {
        ({ id } = await self.db
          .insertInto('posts')
          .values({ ...values, created_at: now, deleted_at: null, creation_key: write.creationKey ?? null })
          .returning(['id'])
          .executeTakeFirstOrThrow());
      } catch (error) {
        if (write.creationKey && isUniqueViolation(error)) throw creationKeyTaken();
        throw error;
      }
      await self.setTags(id, write.tags);
      await self.indexForSearch(id, write.title, values.search_text);
      await recordUploadUses(self.db, id, [write.markdown, write.html, write.coverImage]);
      return (await self.findById(id))!;
    });
  }

  update(id: number, write: PostWrite, now: number): Promise<Post> {
    return transact(this.db, async (trx) => {
      const self = new KyselyPostRepository(trx, this.kind);
      const before = await self.db.selectFrom('posts').select(['slug', 'password', 'meta_description', 'social_image', 'canonical_url']).where('id', '=', id).executeTakeFirst();
      if (!before) throw notFound('The post');
      if (before.slug !== write.slug) {
        if (await self.slugInUse(write.slug, id)) {
          throw new DomainError('slug_taken', `The address "${write.slug}" is already used by another post or page.`, { slug: 'This address is taken.' });
        }
        await self.db.deleteFrom('post_old_slugs').where('slug', '=', write.slug).where('post_id', '=', id).execute();
        await self.db
          .insertInto('post_old_slugs')
          .values({ slug: before.slug, post_id: id })
          .onConflict((oc) => oc.column('slug').doNothing())
          .execute();
      }
      const values = self.rowValues(
        write,
        now,
        keptFields(write, { password: before.password, metaDescription: before.meta_description ?? null, socialImage: before.social_image ?? null, canonicalUrl: before.canonical_url ?? null }),
      );
      await self.db.updateTable('posts').set(values).where('id', '=', id).execute();
      await self.setTags(id, write.tags);
      await self.indexForSearch(id, write.title, values.search_text);
      await recordUploadUses(self.db, id, [write.markdown, write.html, write.coverImage]);
      return (await self.findById(id))!;
    });
  }

  async findById(id: number): Promise<Post | null> {
    if (this.kind === 'postgres') {
      // Its tags in the same statement (a JSON list in order): one round trip, not two. A
      // comment's POST reads its post by id (issue 13, point 4).
      const [row] = await runCompiledOnce(this.db, this.kind, 'post-by-id-with-tags', [id], ([v]) =>
        this.db
          .selectFrom('posts')
          .select(postColumns)
          .select(sql<Tag[] | null>`(select json_agg(json_build_object('id', t.id, 'slug', t.slug, 'name', t.name) order by pt.position) from post_tags pt join tags t on t.id = pt.tag_id where pt.post_id = posts.id)`.as('tag_list'))
          .where('id', '=', v as number),
      );
      return row ? toPost(row, row.tag_list ?? []) : null;
    }
    const [row] = await runCompiledOnce(this.db, this.kind, 'post-by-id', [id], ([v]) => this.db.selectFrom('posts').select(postColumns).where('id', '=', v as number));
    return this.one(row);
  }

  async findByCreationKey(authorId: number, key: string): Promise<Post | null> {
    const row = await this.db.selectFrom('posts').select(postColumns).where('author_id', '=', authorId).where('creation_key', '=', key).executeTakeFirst();
    return this.one(row);
  }

  async findMany(ids: readonly number[]): Promise<Post[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    return this.withTags(await this.db.selectFrom('posts').select(postColumns).where('id', 'in', unique).execute());
  }

  async links(ids: readonly number[]): Promise<PostLink[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    // Compiled once per number of posts (a person page names up to ~31).
    if (unique.length > 100) return this.db.selectFrom('posts').select(['id', 'slug', 'title']).where('id', 'in', unique).execute();
    return runCompiledOnce(this.db, this.kind, `post-links-${unique.length}`, unique, (v) => this.db.selectFrom('posts').select(['id', 'slug', 'title']).where('id', 'in', v as number[]));
  }

  async findBySlug(slug: string): Promise<Post | null> {
    const [row] = await runCompiledOnce(this.db, this.kind, 'post-by-slug', [slug], ([v]) => this.db.selectFrom('posts').select(postColumns).where('slug', '=', v as string).where('deleted_at', 'is', null));
    return this.one(row);
  }

  async findByOldSlug(slug: string): Promise<Post | null> {
    return this.one(
      await this.db
        .selectFrom('post_old_slugs')
        .innerJoin('posts', 'posts.id', 'post_old_slugs.post_id')
        .select(postColumns)
        .where('post_old_slugs.slug', '=', slug)
        .where('posts.deleted_at', 'is', null)
        .executeTakeFirst(),
    );
  }

  async slugInUse(slug: string, exceptPostId?: number): Promise<boolean> {
    let current = this.db.selectFrom('posts').select('id').where('slug', '=', slug);
    let old = this.db.selectFrom('post_old_slugs').select('post_id as id').where('slug', '=', slug);
    if (exceptPostId !== undefined) {
      current = current.where('id', '!=', exceptPostId);
      old = old.where('post_id', '!=', exceptPostId);
    }
    return Boolean((await current.executeTakeFirst()) ?? (await old.executeTakeFirst()));
  }

  async freeSlug(root: string, exceptPostId?: number): Promise<string> {
    // Every current and old slug that could be root or root-N, in one query; the numbers are read here.
    const like = `${root.replace(/[%_\\]/g, (m) => `\\${m}`)}-%`;
    // SQLite's LIKE is case-insensitive, so it cannot use the slug index: a bytewise range
    // (`root-` up to `root.`, the next character) does, instead of a scan of every post per
    // slug (an import of 10,000 posts made that quadratic). PostgreSQL keeps LIKE alone: its
    // collation does not order bytewise.
    const range = this.kind === 'sqlite' ? sql`slug >= ${`${root}-`} and slug < ${`${root}.`} and ` : sql``;
    const copy = sql<boolean>`(slug = ${root} or (${range}slug like ${like} escape '\\' and length(slug) <= ${root.length + 10}))`;
    let current = this.db.selectFrom('posts').select('slug').where(copy);
    let old = this.db.selectFrom('post_old_slugs').select('slug').where(copy);
    if (exceptPostId !== undefined) {
      current = current.where('id', '!=', exceptPostId);
      old = old.where('post_id', '!=', exceptPostId);
    }
    const rows = await current.unionAll(old).execute();
    return firstFreeSlug(root, rows.map((r) => r.slug));
  }

  async listPublished(q: PublishedQuery, now: number): Promise<Page<Post>> {
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
  }

  async listAdmin(q: AdminPostQuery): Promise<Page<Post>> {
    let base = this.db.selectFrom('posts');
    base = q.trashed ? base.where('deleted_at', 'is not', null) : base.where('deleted_at', 'is', null);
    if (q.type) base = base.where('type', '=', q.type);
    if (q.status) base = base.where('status', '=', q.status);
    if (q.authorId !== undefined) base = base.where('author_id', '=', q.authorId);
    const unpublishedBy = q.unpublishedBy;
    if (unpublishedBy === null) base = base.where('status', '=', 'published');
    else if (unpublishedBy !== undefined) base = base.where((eb) => eb.or([eb('status', '=', 'published'), eb('author_id', '=', unpublishedBy)]));
    if (q.text) {
      const pattern = `%${q.text.toLowerCase().replace(/[%_\\]/g, (m) => `\\${m}`)}%`;
      base = base.where(sql<boolean>`(lower(title) like ${pattern} escape '\\' or lower(markdown) like ${pattern} escape '\\')`);
    }
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
  }

  async setStatus(id: number, status: PostStatus, publishedAt: number | null, now: number): Promise<Post> {
    const result = await this.db
      .updateTable('posts')
      .set({ status, published_at: publishedAt, updated_at: now })
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw notFound('The post');
    return (await this.findById(id))!;
  }

  async trash(id: number, now: number): Promise<void> {
    const result = await this.db.updateTable('posts').set({ deleted_at: now }).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw notFound('The post');
  }

  async restore(id: number, now: number): Promise<void> {
    const result = await this.db
      .updateTable('posts')
      .set({ deleted_at: null, updated_at: now })
      .where('id', '=', id)
      .where('deleted_at', 'is not', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw notFound('The post in the trash');
  }

  purge(id: number): Promise<void> {
    return transact(this.db, async (trx) => {
      const self = new KyselyPostRepository(trx, this.kind);
      const row = await self.db.selectFrom('posts').select(['deleted_at']).where('id', '=', id).executeTakeFirst();
      if (!row || row.deleted_at === null) throw notFound('The post in the trash');
      if (self.kind === 'sqlite') await sql`delete from posts_fts where rowid = ${id}`.execute(self.db);
      // SQLite does not enforce the cascade: the comments' history goes first, explicitly.
      await self.db.deleteFrom('comment_revisions').where('comment_id', 'in', self.db.selectFrom('comments').select('id').where('post_id', '=', id)).execute();
      await self.db.deleteFrom('comments').where('post_id', '=', id).execute();
      await self.db.deleteFrom('upload_uses').where('post_id', '=', id).execute();
      await self.db.deleteFrom('posts').where('id', '=', id).execute();
    });
  }

  publishDue(now: number): Promise<Post[]> {
    return transact(this.db, async (trx) => {
      const self = new KyselyPostRepository(trx, this.kind);
      const due = await self.db
        .updateTable('posts')
        .set({ status: 'published' })
        .where('status', '=', 'scheduled')
        .where('deleted_at', 'is', null)
        .where('published_at', '<=', now)
        .returning(['id'])
        .execute();
      const posts: Post[] = [];
      for (const { id } of due) posts.push((await self.findById(id))!);
      return posts;
    });
  }

  async nextScheduledAt(): Promise<number | null> {
    const row = await this.db
      .selectFrom('posts')
      .select((eb) => eb.fn.min('published_at').as('next'))
      .where('status', '=', 'scheduled')
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return row?.next == null ? null : Number(row.next);
  }

  async search(text: string, limit: number, now: number): Promise<SearchHit[]> {
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
  }

  async archiveMonths(now: number, offsetAt?: (ms: number) => number): Promise<MonthCount[]> {
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
    return countByMonth(rows.map((r) => Number(r.published_at)), offsetAt);
  }
}
