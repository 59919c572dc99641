import { creationKeyTaken, keptFields, type KeptFields } from './post-fields.ts';
import type { AdminPostQuery, MonthCount, Page, Post, PostLink, PostRepository, PostStatus, PostWrite, PublishedQuery, SearchHit, Tag } from '../../core/store.ts';
import { countByMonth, isProtected } from '../../core/store.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import { firstFreeSlug, plainText, slugify } from '../../core/text.ts';
import { dropOrphanRevisions } from './memory-comments.ts';
import type { Tables } from './memory-store.ts';

/** A post as stored: tags by id in position order, plus the text search reads. */
export type PostRecord = Omit<Post, 'tags'> & { tagIds: number[]; searchText: string; creationKey?: string | null };

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

const newestFirst = (a: PostRecord, b: PostRecord) => (b.publishedAt ?? 0) - (a.publishedAt ?? 0) || b.id - a.id;

/** Live on the site: published, public, not trashed, and its time has come. */
export function isLive(record: PostRecord, now: number): boolean {
  return (
    record.status === 'published' &&
    record.visibility === 'public' &&
    record.deletedAt === null &&
    record.publishedAt !== null &&
    record.publishedAt <= now
  );
}

/** The tag with this slug, if there is one. */
export function findTag(tables: Tables, slug: string): Tag | undefined {
  return [...tables.tags.values()].find((t) => t.slug === slug);
}

/** PostRepository in memory: posts and pages with their tags, old addresses and word search. */
export class MemoryPostRepository implements PostRepository {
  private readonly tablesOf: () => Tables;
  private readonly nextId: (table: keyof Tables['lastId']) => number;

  constructor(tables: () => Tables, nextId: (table: keyof Tables['lastId']) => number) {
    this.tablesOf = tables;
    this.nextId = nextId;
  }

  /** The store's tables as they are now: a transaction works on a view of them. */
  private get tables(): Tables {
    return this.tablesOf();
  }

  private toPost(record: PostRecord): Post {
    const { tagIds, searchText: _searchText, creationKey: _creationKey, ...post } = record;
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
      let tag = findTag(this.tables, slug);
      if (!tag) {
        tag = { id: this.nextId('tags'), slug, name };
        this.tables.tags.set(tag.id, tag);
      }
      if (!ids.includes(tag.id)) ids.push(tag.id);
    }
    return ids;
  }

  private hasTag(record: PostRecord, slug: string): boolean {
    const tag = findTag(this.tables, slug);
    return tag !== undefined && record.tagIds.includes(tag.id);
  }

  /** `kept` holds the post's password and SEO fields after this write (the write's, else the ones it had). */
  private writtenFields(write: PostWrite, now: number, kept: KeptFields) {
    const { password } = kept;
    return {
      ...kept,
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

  private isSlugUsed(slug: string, exceptPostId?: number): boolean {
    const current = [...this.tables.posts.values()].some((p) => p.slug === slug && p.id !== exceptPostId);
    const old = this.tables.oldSlugs.get(slug);
    return current || (old !== undefined && old !== exceptPostId);
  }

  private livePosts(now: number): PostRecord[] {
    return [...this.tables.posts.values()].filter((p) => isLive(p, now));
  }

  private page(records: PostRecord[], limit: number, offset: number): Page<Post> {
    return { items: records.slice(offset, offset + limit).map((r) => this.toPost(r)), total: records.length };
  }

  async create(write: PostWrite, now: number): Promise<Post> {
    if (this.isSlugUsed(write.slug)) throw slugTaken(write.slug);
    // Checked and taken in one synchronous step, as a unique index would.
    if (write.creationKey && this.keyedRecord(write.authorId, write.creationKey)) throw creationKeyTaken();
    const record: PostRecord = { id: this.nextId('posts'), ...this.writtenFields(write, now, keptFields(write, null)), createdAt: now, deletedAt: null, creationKey: write.creationKey ?? null };
    this.tables.posts.set(record.id, record);
    return this.toPost(record);
  }

  async update(id: number, write: PostWrite, now: number): Promise<Post> {
    const before = this.postRecord(id);
    if (before.slug !== write.slug) {
      if (this.isSlugUsed(write.slug, id)) throw slugTaken(write.slug);
      // Free now, or one of this post's own old slugs: moving back takes it out of the redirects.
      this.tables.oldSlugs.delete(write.slug);
      if (!this.tables.oldSlugs.has(before.slug)) this.tables.oldSlugs.set(before.slug, id);
    }
    const record: PostRecord = { ...before, ...this.writtenFields(write, now, keptFields(write, before)) };
    this.tables.posts.set(id, record);
    return this.toPost(record);
  }

  private keyedRecord(authorId: number, key: string): PostRecord | undefined {
    return [...this.tables.posts.values()].find((p) => p.authorId === authorId && p.creationKey === key);
  }

  async findByCreationKey(authorId: number, key: string): Promise<Post | null> {
    const record = this.keyedRecord(authorId, key);
    return record ? this.toPost(record) : null;
  }

  async findById(id: number): Promise<Post | null> {
    const record = this.tables.posts.get(id);
    return record ? this.toPost(record) : null;
  }

  async findMany(ids: readonly number[]): Promise<Post[]> {
    const posts: Post[] = [];
    for (const id of new Set(ids)) {
      const record = this.tables.posts.get(id);
      if (record) posts.push(this.toPost(record));
    }
    return posts;
  }

  async links(ids: readonly number[]): Promise<PostLink[]> {
    return (await this.findMany(ids)).map((p) => ({ id: p.id, slug: p.slug, title: p.title }));
  }

  async findBySlug(slug: string): Promise<Post | null> {
    const record = [...this.tables.posts.values()].find((p) => p.slug === slug && p.deletedAt === null);
    return record ? this.toPost(record) : null;
  }

  async findByOldSlug(slug: string): Promise<Post | null> {
    const id = this.tables.oldSlugs.get(slug);
    const record = id === undefined ? undefined : this.tables.posts.get(id);
    return record && record.deletedAt === null ? this.toPost(record) : null;
  }

  async slugInUse(slug: string, exceptPostId?: number): Promise<boolean> {
    return this.isSlugUsed(slug, exceptPostId);
  }

  async freeSlug(root: string, exceptPostId?: number): Promise<string> {
    const current = [...this.tables.posts.values()].filter((p) => p.id !== exceptPostId).map((p) => p.slug);
    const old = [...this.tables.oldSlugs].filter(([, id]) => id !== exceptPostId).map(([slug]) => slug);
    return firstFreeSlug(root, [...current, ...old]);
  }

  async listPublished(q: PublishedQuery, now: number): Promise<Page<Post>> {
    const matches = this.livePosts(now).filter(
      (p) =>
        (!q.type || p.type === q.type) &&
        (q.authorId === undefined || p.authorId === q.authorId) &&
        (q.from === undefined || p.publishedAt! >= q.from) &&
        (q.to === undefined || p.publishedAt! < q.to) &&
        (!q.tagSlug || this.hasTag(p, q.tagSlug)),
    );
    return this.page(matches.sort(newestFirst), q.limit, q.offset);
  }

  async listAdmin(q: AdminPostQuery): Promise<Page<Post>> {
    const text = q.text?.toLowerCase();
    const matches = [...this.tables.posts.values()].filter(
      (p) =>
        (p.deletedAt !== null) === Boolean(q.trashed) &&
        (!q.type || p.type === q.type) &&
        (!q.status || p.status === q.status) &&
        (q.authorId === undefined || p.authorId === q.authorId) &&
        (q.unpublishedBy === undefined || p.status === 'published' || p.authorId === q.unpublishedBy) &&
        (!text || p.title.toLowerCase().includes(text) || p.markdown.toLowerCase().includes(text)) &&
        (!q.tagSlug || this.hasTag(p, q.tagSlug)),
    );
    return this.page(
      matches.sort((a, b) => b.updatedAt - a.updatedAt || b.id - a.id),
      q.limit,
      q.offset,
    );
  }

  async setStatus(id: number, status: PostStatus, publishedAt: number | null, now: number): Promise<Post> {
    const record = this.postRecord(id);
    Object.assign(record, { status, publishedAt, updatedAt: now });
    return this.toPost(record);
  }

  async trash(id: number, now: number): Promise<void> {
    const record = this.tables.posts.get(id);
    if (!record || record.deletedAt !== null) throw notFound('The post');
    record.deletedAt = now;
  }

  async restore(id: number, now: number): Promise<void> {
    const record = this.tables.posts.get(id);
    if (!record || record.deletedAt === null) throw notFound('The post in the trash');
    Object.assign(record, { deletedAt: null, updatedAt: now });
  }

  async purge(id: number): Promise<void> {
    const record = this.tables.posts.get(id);
    if (!record || record.deletedAt === null) throw notFound('The post in the trash');
    this.tables.posts.delete(id);
    for (const [slug, postId] of this.tables.oldSlugs) if (postId === id) this.tables.oldSlugs.delete(slug);
    for (const comment of this.tables.comments.values()) if (comment.postId === id) this.tables.comments.delete(comment.id);
    dropOrphanRevisions(this.tables);
    // As the foreign keys cascade on SQL: the post's subscriptions go with it.
    for (const sub of this.tables.subscriptions.values()) if (sub.postId === id) this.tables.subscriptions.delete(sub.id);
    for (const revision of this.tables.revisions.rows.values()) if (revision.postId === id) this.tables.revisions.rows.delete(revision.id);
  }

  async publishDue(now: number): Promise<Post[]> {
    const due = [...this.tables.posts.values()].filter(
      (p) => p.status === 'scheduled' && p.deletedAt === null && p.publishedAt !== null && p.publishedAt <= now,
    );
    for (const record of due) record.status = 'published';
    return due.map((r) => this.toPost(r));
  }

  async nextScheduledAt(): Promise<number | null> {
    const times = [...this.tables.posts.values()]
      .filter((p) => p.status === 'scheduled' && p.deletedAt === null && p.publishedAt !== null)
      .map((p) => p.publishedAt!);
    return times.length > 0 ? Math.min(...times) : null;
  }

  async search(text: string, limit: number, now: number): Promise<SearchHit[]> {
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
  }

  async archiveMonths(now: number, offsetAt?: (ms: number) => number): Promise<MonthCount[]> {
    return countByMonth(this.livePosts(now).filter((p) => p.type === 'post').sort(newestFirst).map((p) => p.publishedAt!), offsetAt);
  }
}
