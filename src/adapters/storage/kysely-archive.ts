import type { EmbedSite, EmbedThread } from '../../core/embeds.ts';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { ArchiveKey, ArchiveRecords, ArchiveRepository, ArchiveTable, ArchivedPerson, ArchivedPost, ImportKeyRecord, PersonLabelLinkRecord, PersonLabelRecord } from '../../core/archive.ts';
import type { PersonEvent, PersonIdentity, PersonNote } from '../../core/people.ts';
import type { FediverseBlock, Follower } from '../../core/federation-store.ts';
import { toFollower } from './kysely-followers.ts';
import { toLink, toMention } from './kysely-fediverse-replies.ts';
import { toQuote, toReaction } from './kysely-reactions.ts';
import type { QuoteAuthorizationRecord, Reaction } from '../../core/reactions.ts';
import type { FediverseComment, PrivateMention } from '../../core/fediverse-reply-store.ts';
import type { Comment, ImportKind, Tag, User } from '../../core/store.ts';
import { isProtected } from '../../core/store.ts';
import type { ReceivedMention, SentMention } from '../../core/webmention-store.ts';
import { plainText } from '../../core/text.ts';
import { toReceived, toSent } from './kysely-webmentions.ts';
import { toRevision } from './kysely-revisions.ts';
import { recordUploadUses } from './kysely-uploads.ts';
import type { PostRevision } from '../../core/revisions.ts';
import { transact } from './transact.ts';
import { readingOnly } from './node-sqlite-database.ts';
import { toPostSource } from './kysely-post-sources.ts';
import { toAuditEntry } from './kysely-audit.ts';
import type { PostSource } from '../../core/post-ideas.ts';
import type { AuditEntry } from '../../core/audit.ts';
import type { Database, Engine } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;
type AnyDb = Kysely<any> | Transaction<any>;

const num = (value: unknown): number => Number(value);
const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/** A table of the archive as SQL sees it: its name, key column, and the mapping both ways. */
interface TableMap {
  name: keyof Database;
  key: string;
  /** Has a serial id whose sequence must move past restored ids (PostgreSQL). */
  serial?: boolean;
  /** A key that is a number but not called `id` (compared as a number, not as text). */
  numericKey?: boolean;
  toRecord(row: any): unknown;
  toRow(record: any): Record<string, unknown>;
}

const tables: Record<Exclude<ArchiveTable, 'posts'>, TableMap> = {
  importKeys: {
    name: 'import_keys',
    key: 'source', // paged by (source, kind, external_id): see readImportKeys
    toRecord: (r): ImportKeyRecord => ({ source: r.source, kind: r.kind as ImportKind, externalId: r.external_id, localId: r.local_id }),
    toRow: (k: ImportKeyRecord) => ({ source: k.source, kind: k.kind, external_id: k.externalId, local_id: k.localId }),
  },
  postRevisions: {
    name: 'post_revisions',
    key: 'id',
    serial: true,
    toRecord: toRevision,
    toRow: (r: PostRevision) => ({ id: r.id, post_id: r.postId, author_id: r.authorId, kind: r.kind, title: r.title, markdown: r.markdown, excerpt: r.excerpt, created_at: r.createdAt }),
  },
  legacyPaths: { name: 'legacy_paths', key: 'path', toRecord: (r) => ({ path: r.path, postId: r.post_id }), toRow: (l) => ({ path: l.path, post_id: l.postId }) },
  webmentions: {
    name: 'webmentions',
    key: 'id',
    serial: true,
    toRecord: toReceived,
    toRow: (m: ReceivedMention) => ({
      id: m.id, source: m.source, target: m.target, post_id: m.postId, via: m.via, status: m.status, reason: m.reason, type: m.type, author_name: m.authorName,
      author_url: m.authorUrl, author_photo: m.authorPhoto, content: m.content, url: m.url, published_at: m.publishedAt, comment_id: m.commentId, person_id: m.personId,
      received_at: m.receivedAt, updated_at: m.updatedAt, verified_at: m.verifiedAt,
    }),
  },
  webmentionsSent: {
    name: 'webmentions_sent',
    key: 'id',
    serial: true,
    toRecord: toSent,
    toRow: (s: SentMention) => ({
      id: s.id, post_id: s.postId, target: s.target, endpoint: s.endpoint, protocol: s.protocol, status: s.status, http_status: s.httpStatus, error: s.error,
      attempts: s.attempts, updated_at: s.updatedAt,
    }),
  },
  settings: { name: 'settings', key: 'key', toRecord: (r) => ({ key: r.key, value: r.value }), toRow: (r) => ({ key: r.key, value: r.value }) },
  users: {
    name: 'users',
    key: 'id',
    serial: true,
    toRecord: (r): User => ({ id: r.id, email: r.email, name: r.name, slug: r.slug, bio: r.bio, role: r.role, passwordHash: r.password_hash, createdAt: num(r.created_at) }),
    toRow: (u: User) => ({ id: u.id, email: u.email, name: u.name, slug: u.slug, bio: u.bio, role: u.role, password_hash: u.passwordHash, created_at: u.createdAt }),
  },
  apiTokens: {
    name: 'api_tokens',
    key: 'id',
    serial: true,
    toRecord: (r) => ({ id: r.id, userId: r.user_id, name: r.name, prefix: r.prefix, tokenHash: r.token_hash, scopes: r.scopes, expiresAt: numOrNull(r.expires_at), createdAt: num(r.created_at), lastUsedAt: numOrNull(r.last_used_at) }),
    toRow: (t) => ({ id: t.id, user_id: t.userId, name: t.name, prefix: t.prefix, token_hash: t.tokenHash, scopes: t.scopes, expires_at: t.expiresAt, created_at: t.createdAt, last_used_at: t.lastUsedAt }),
  },
  tags: { name: 'tags', key: 'id', serial: true, toRecord: (r): Tag => ({ id: r.id, slug: r.slug, name: r.name }), toRow: (t: Tag) => ({ id: t.id, slug: t.slug, name: t.name }) },
  people: {
    name: 'people',
    key: 'id',
    serial: true,
    toRecord: (r): ArchivedPerson => ({
      id: r.id, name: r.name, email: r.email, website: r.website, createdAt: num(r.created_at),
      trust: r.trust, trustReason: r.trust_reason, mutedUntil: numOrNull(r.muted_until), lastSeenAt: num(r.last_seen_at),
    }),
    toRow: (p: ArchivedPerson) => ({
      id: p.id, name: p.name, email: p.email, website: p.website, created_at: p.createdAt,
      trust: p.trust, trust_reason: p.trustReason, muted_until: p.mutedUntil, last_seen_at: p.lastSeenAt,
    }),
  },
  // People's identities, labels, notes and events (migration 010).
  personIdentities: {
    name: 'person_identities',
    key: 'id',
    serial: true,
    toRecord: (r): PersonIdentity => ({ id: r.id, personId: r.person_id, kind: r.kind, value: r.value, verified: Number(r.verified) === 1, firstSeen: num(r.first_seen), lastSeen: num(r.last_seen) }),
    toRow: (i: PersonIdentity) => ({ id: i.id, person_id: i.personId, kind: i.kind, value: i.value, verified: i.verified ? 1 : 0, first_seen: i.firstSeen, last_seen: i.lastSeen }),
  },
  personLabels: {
    name: 'person_labels',
    key: 'id',
    serial: true,
    toRecord: (r): PersonLabelRecord => ({ id: r.id, name: r.name, createdAt: num(r.created_at) }),
    toRow: (l: PersonLabelRecord) => ({ id: l.id, name: l.name, created_at: l.createdAt }),
  },
  personLabelLinks: {
    name: 'person_label_links',
    key: 'id',
    serial: true,
    toRecord: (r): PersonLabelLinkRecord => ({ id: r.id, personId: r.person_id, labelId: r.label_id }),
    toRow: (l: PersonLabelLinkRecord) => ({ id: l.id, person_id: l.personId, label_id: l.labelId }),
  },
  personNotes: {
    name: 'person_notes',
    key: 'id',
    serial: true,
    toRecord: (r): PersonNote => ({ id: r.id, personId: r.person_id, markdown: r.markdown, html: r.html, authorId: r.author_id, createdAt: num(r.created_at), updatedAt: num(r.updated_at) }),
    toRow: (n: PersonNote) => ({ id: n.id, person_id: n.personId, markdown: n.markdown, html: n.html, author_id: n.authorId, created_at: n.createdAt, updated_at: n.updatedAt }),
  },
  personEvents: {
    name: 'person_events',
    key: 'id',
    serial: true,
    toRecord: (r): PersonEvent => ({ id: r.id, personId: r.person_id, kind: r.kind, detail: JSON.parse(r.detail), actorId: r.actor_id, createdAt: num(r.created_at) }),
    toRow: (e: PersonEvent) => ({ id: e.id, person_id: e.personId, kind: e.kind, detail: JSON.stringify(e.detail), actor_id: e.actorId, created_at: e.createdAt }),
  },
  // Where posts came from, and the audit log (migration 015).
  postSources: {
    name: 'post_sources',
    key: 'post_id',
    numericKey: true,
    toRecord: toPostSource,
    toRow: (s: PostSource) => ({ post_id: s.postId, comment_id: s.commentId, person_id: s.personId, created_by: s.createdBy, created_at: s.createdAt, tell_requested_at: s.tellRequestedAt, told_at: s.toldAt }),
  },
  // Comments on other sites (migration 024).
  embedSites: {
    name: 'embed_sites',
    key: 'id',
    serial: true,
    toRecord: (r): EmbedSite => ({ id: r.id, origin: r.origin, createdBy: r.created_by, createdAt: num(r.created_at) }),
    toRow: (s: EmbedSite) => ({ id: s.id, origin: s.origin, created_by: s.createdBy, created_at: s.createdAt }),
  },
  embedThreads: {
    name: 'embed_threads',
    key: 'post_id',
    numericKey: true,
    toRecord: (r): EmbedThread => ({ postId: r.post_id, pageUrl: r.page_url, origin: r.origin, createdAt: num(r.created_at) }),
    toRow: (t: EmbedThread) => ({ post_id: t.postId, page_url: t.pageUrl, origin: t.origin, created_at: t.createdAt }),
  },
  auditLog: {
    name: 'audit_log',
    key: 'id',
    serial: true,
    toRecord: toAuditEntry,
    toRow: (e: AuditEntry) => ({ id: e.id, action: e.action, detail: JSON.stringify(e.detail), actor_id: e.actorId, created_at: e.createdAt }),
  },
  // The fediverse (migrations 011 and 013).
  fediverseFollowers: {
    name: 'federation_followers',
    key: 'id',
    serial: true,
    toRecord: toFollower,
    toRow: (f: Follower) => ({
      id: f.id, actor_uri: f.actorUri, handle: f.handle, inbox: f.inbox, shared_inbox: f.sharedInbox, status: f.status, follow_id: f.followId, created_at: f.createdAt, updated_at: f.updatedAt,
    }),
  },
  fediverseBlocks: {
    name: 'federation_blocks',
    key: 'id',
    serial: true,
    toRecord: (r): FediverseBlock => ({ id: r.id, kind: r.kind, value: r.value, createdAt: num(r.created_at) }),
    toRow: (b: FediverseBlock) => ({ id: b.id, kind: b.kind, value: b.value, created_at: b.createdAt }),
  },
  fediverseComments: {
    name: 'federation_comments',
    key: 'comment_id',
    toRecord: toLink,
    toRow: (l: FediverseComment) => ({
      comment_id: l.commentId, note_id: l.noteId, actor_uri: l.actorUri, handle: l.handle, url: l.url, inbox: l.inbox, shared_inbox: l.sharedInbox, created_at: l.createdAt,
    }),
  },
  fediversePrivateMentions: {
    name: 'federation_private_mentions',
    key: 'id',
    serial: true,
    toRecord: toMention,
    toRow: (m: PrivateMention) => ({
      id: m.id, note_id: m.noteId, actor_uri: m.actorUri, name: m.name, handle: m.handle, profile_url: m.profileUrl, url: m.url, visibility: m.visibility,
      in_reply_to: m.inReplyTo, post_id: m.postId, html: m.html, created_at: m.createdAt, updated_at: m.updatedAt,
    }),
  },
  fediverseReactions: {
    name: 'federation_reactions',
    key: 'id',
    serial: true,
    toRecord: toReaction,
    toRow: (r: Reaction) => ({
      id: r.id, post_id: r.postId, kind: r.kind, actor_uri: r.actorUri, activity_id: r.activityId, name: r.name, handle: r.handle, profile_url: r.profileUrl, icon_url: r.iconUrl,
      created_at: r.createdAt,
    }),
  },
  fediverseQuoteAuthorizations: {
    name: 'federation_quote_authorizations',
    key: 'id',
    serial: true,
    toRecord: toQuote,
    toRow: (q: QuoteAuthorizationRecord) => ({ id: q.id, post_id: q.postId, actor_uri: q.actorUri, quote_uri: q.quoteUri, request_id: q.requestId, created_at: q.createdAt }),
  },
  comments: {
    name: 'comments',
    key: 'id',
    serial: true,
    toRecord: (r): Comment => ({
      id: r.id,
      postId: r.post_id,
      parentId: r.parent_id,
      rootId: r.root_id ?? r.id,
      depth: num(r.depth),
      personId: r.person_id,
      userId: r.user_id,
      authorName: r.author_name,
      authorEmail: r.author_email,
      authorUrl: r.author_url,
      markdown: r.markdown,
      html: r.html,
      status: r.status,
      moderationReasons: JSON.parse(r.moderation_reasons) as string[],
      spamScore: numOrNull(r.spam_score),
      source: r.source,
      createdAt: num(r.created_at),
      updatedAt: num(r.updated_at),
      editedAt: numOrNull(r.edited_at),
      statusChangedAt: num(r.status_changed_at),
      editTokenHash: r.edit_token_hash,
      ip: r.ip,
      userAgent: r.user_agent,
      learnedAs: r.learned_as,
    }),
    toRow: (c: Comment) => ({
      id: c.id,
      post_id: c.postId,
      parent_id: c.parentId,
      root_id: c.rootId,
      depth: c.depth,
      person_id: c.personId,
      user_id: c.userId,
      author_name: c.authorName,
      author_email: c.authorEmail,
      author_url: c.authorUrl,
      markdown: c.markdown,
      html: c.html,
      status: c.status,
      moderation_reasons: JSON.stringify(c.moderationReasons),
      spam_score: c.spamScore,
      source: c.source,
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      edited_at: c.editedAt,
      status_changed_at: c.statusChangedAt,
      edit_token_hash: c.editTokenHash,
      ip: c.ip,
      user_agent: c.userAgent,
      learned_as: c.learnedAs,
    }),
  },
  commentRevisions: {
    name: 'comment_revisions',
    key: 'id',
    serial: true,
    toRecord: (r) => ({
      id: r.id, commentId: r.comment_id, markdown: r.markdown, html: r.html, parentId: r.parent_id, editedBy: r.edited_by, editorName: r.editor_name, createdAt: num(r.created_at),
    }),
    toRow: (v) => ({
      id: v.id, comment_id: v.commentId, markdown: v.markdown, html: v.html, parent_id: v.parentId, edited_by: v.editedBy, editor_name: v.editorName, created_at: v.createdAt,
    }),
  },
  emailAddresses: {
    name: 'email_addresses',
    key: 'email',
    toRecord: (r) => ({ email: r.email, confirmToken: r.confirm_token, confirmedAt: numOrNull(r.confirmed_at), createdAt: num(r.created_at) }),
    toRow: (a) => ({ email: a.email, confirm_token: a.confirmToken, confirmed_at: a.confirmedAt, created_at: a.createdAt }),
  },
  subscriptions: {
    name: 'subscriptions',
    key: 'id',
    serial: true,
    toRecord: (r) => ({
      id: r.id,
      kind: r.kind,
      email: r.email,
      postId: r.post_id,
      commentId: r.comment_id,
      token: r.token,
      createdAt: num(r.created_at),
      unsubscribedAt: numOrNull(r.unsubscribed_at),
    }),
    toRow: (s) => ({ id: s.id, kind: s.kind, email: s.email, post_id: s.postId, comment_id: s.commentId, token: s.token, created_at: s.createdAt, unsubscribed_at: s.unsubscribedAt }),
  },
  uploads: {
    name: 'uploads',
    key: 'hash',
    toRecord: (r) => ({
      hash: r.hash,
      mime: r.mime,
      size: num(r.size),
      originalName: r.original_name,
      data: new Uint8Array(r.data),
      uploaderId: r.uploader_id,
      createdAt: num(r.created_at),
      width: numOrNull(r.width),
      height: numOrNull(r.height),
      alt: r.alt,
      caption: r.caption,
    }),
    // Variants are not part of the archive: variants_at stays null, so the job queue makes them again.
    toRow: (u) => ({
      hash: u.hash, mime: u.mime, size: u.size, original_name: u.originalName, data: u.data, uploader_id: u.uploaderId, created_at: u.createdAt,
      width: u.width, height: u.height, alt: u.alt, caption: u.caption,
    }),
  },
  spamTotals: { name: 'spam_totals', key: 'label', toRecord: (r) => ({ label: r.label, documents: num(r.documents) }), toRow: (t) => ({ label: t.label, documents: t.documents }) },
  spamTokens: {
    name: 'spam_tokens',
    key: 'token',
    toRecord: (r) => ({ token: r.token, spam: num(r.spam), ham: num(r.ham) }),
    toRow: (t) => ({ token: t.token, spam: t.spam, ham: t.ham }),
  },
};

/** Tables with a natural key whose value a restore replaces (the target may already hold them). */
const upserted = new Set<ArchiveTable>(['settings', 'spamTotals', 'spamTokens']);

/** ArchiveRepository on SQL (SQLite and PostgreSQL). */
export class KyselyArchiveRepository implements ArchiveRepository {
  private readonly db: Db;
  private readonly engine: Engine;

  constructor(db: Db, engine: Engine) {
    this.db = db;
    this.engine = engine;
  }

  private get any(): AnyDb {
    return this.db as AnyDb;
  }

  /** String keys compared bytewise on both engines (SQLite's default; PostgreSQL's collation "C"). */
  private keyRef(column: string) {
    return this.engine === 'postgres' ? sql`${sql.ref(column)} collate "C"` : sql`${sql.ref(column)}`;
  }

  async read<T extends ArchiveTable>(table: T, after: ArchiveKey | null, limit: number): Promise<Array<ArchiveRecords[T]>> {
    if (table === 'posts') return (await this.readPosts(after as number | null, limit)) as Array<ArchiveRecords[T]>;
    if (table === 'spamTotals') return (await this.readSpamTotals(after as string | null)) as Array<ArchiveRecords[T]>;
    if (table === 'importKeys') return (await this.readImportKeys(after as string | null, limit)) as Array<ArchiveRecords[T]>;
    const map = tables[table as Exclude<ArchiveTable, 'posts'>];
    // Integer keys order as numbers; text keys bytewise (collation "C") on every engine.
    const key = map.key === 'id' || map.key === 'comment_id' || map.numericKey ? sql.ref(map.key) : this.keyRef(map.key);
    let query = this.any.selectFrom(map.name).selectAll();
    if (after !== null) query = query.where(sql<boolean>`${key} > ${after}`);
    const rows = await query.orderBy(key).limit(limit).execute();
    return rows.map((row) => map.toRecord(row)) as Array<ArchiveRecords[T]>;
  }

  /** Both labels, zero when never counted, so every engine exports the same two records. */
  private async readSpamTotals(after: string | null): Promise<ArchiveRecords['spamTotals'][]> {
    const rows = await this.db.selectFrom('spam_totals').selectAll().execute();
    return (['ham', 'spam'] as const)
      .filter((label) => after === null || label > after)
      .map((label) => ({ label, documents: Number(rows.find((r) => r.label === label)?.documents ?? 0) }));
  }

  /** Import keys in (source, kind, external_id) order, bytewise, after the key `after` (importKeyOf). */
  private async readImportKeys(after: string | null, limit: number): Promise<ImportKeyRecord[]> {
    const columns = sql`(${this.keyRef('source')}, ${this.keyRef('kind')}, ${this.keyRef('external_id')})`;
    let query = this.db.selectFrom('import_keys').selectAll();
    if (after !== null) {
      const [source, kind, externalId] = after.split('\u0000');
      query = query.where(sql<boolean>`${columns} > (${source}, ${kind}, ${externalId})`);
    }
    const rows = await query.orderBy(this.keyRef('source')).orderBy(this.keyRef('kind')).orderBy(this.keyRef('external_id')).limit(limit).execute();
    return rows.map((row) => tables.importKeys.toRecord(row) as ImportKeyRecord);
  }

  private async readPosts(after: number | null, limit: number): Promise<ArchivedPost[]> {
    let query = this.db.selectFrom('posts').selectAll();
    if (after !== null) query = query.where('id', '>', after);
    const rows = await query.orderBy('id').limit(limit).execute();
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [tagRows, slugRows] = await Promise.all([
      this.db.selectFrom('post_tags').select(['post_id', 'tag_id']).where('post_id', 'in', ids).orderBy('post_id').orderBy('position').execute(),
      this.db.selectFrom('post_old_slugs').select(['post_id', 'slug']).where('post_id', 'in', ids).orderBy(this.keyRef('slug')).execute(),
    ]);
    return rows.map((r) => ({
      id: r.id,
      type: r.type as ArchivedPost['type'],
      slug: r.slug,
      title: r.title,
      markdown: r.markdown,
      html: r.html,
      excerpt: r.excerpt,
      status: r.status as ArchivedPost['status'],
      visibility: r.visibility as ArchivedPost['visibility'],
      publishedAt: numOrNull(r.published_at),
      authorId: r.author_id,
      coverImage: r.cover_image,
      createdAt: num(r.created_at),
      updatedAt: num(r.updated_at),
      deletedAt: numOrNull(r.deleted_at),
      commentsMode: r.comments_mode as ArchivedPost['commentsMode'],
      commentsCloseDays: r.comments_close_days,
      password: r.password ?? null,
      metaDescription: r.meta_description ?? null,
      socialImage: r.social_image ?? null,
      canonicalUrl: r.canonical_url ?? null,
      tagIds: tagRows.filter((t) => t.post_id === r.id).map((t) => t.tag_id),
      oldSlugs: slugRows.filter((s) => s.post_id === r.id).map((s) => s.slug),
    }));
  }

  async write<T extends ArchiveTable>(table: T, records: Array<ArchiveRecords[T]>): Promise<void> {
    if (records.length === 0) return;
    if (table === 'posts') return this.writePosts(records as ArchivedPost[]);
    const map = tables[table as Exclude<ArchiveTable, 'posts'>];
    // Small batches: PostgreSQL allows 65,535 parameters in a statement, SQLite 32,766.
    const batch = Math.max(1, Math.floor(4000 / Object.keys(map.toRow(records[0])).length));
    for (let i = 0; i < records.length; i += batch) {
      const rows = records.slice(i, i + batch).map((r) => map.toRow(r));
      let insert = this.any.insertInto(map.name).values(rows);
      if (upserted.has(table)) {
        const columns = Object.keys(rows[0]).filter((c) => c !== map.key);
        insert = insert.onConflict((oc) => oc.column(map.key).doUpdateSet(Object.fromEntries(columns.map((c) => [c, (eb: any) => eb.ref(`excluded.${c}`)]))));
      }
      await insert.execute();
    }
  }

  private async writePosts(posts: ArchivedPost[]): Promise<void> {
    for (const p of posts) {
      const searchText = isProtected(p) ? '' : plainText(p.html);
      await this.db
        .insertInto('posts')
        .values({
          id: p.id,
          type: p.type,
          slug: p.slug,
          title: p.title,
          markdown: p.markdown,
          html: p.html,
          excerpt: p.excerpt,
          search_text: searchText,
          status: p.status,
          visibility: p.visibility,
          published_at: p.publishedAt,
          author_id: p.authorId,
          cover_image: p.coverImage,
          created_at: p.createdAt,
          updated_at: p.updatedAt,
          deleted_at: p.deletedAt,
          comments_mode: p.commentsMode,
          comments_close_days: p.commentsCloseDays,
          password: p.password,
          meta_description: p.metaDescription ?? null,
          social_image: p.socialImage ?? null,
          canonical_url: p.canonicalUrl ?? null,
        })
        .execute();
      if (p.tagIds.length > 0) await this.db.insertInto('post_tags').values(p.tagIds.map((tagId, position) => ({ post_id: p.id, tag_id: tagId, position }))).execute();
      if (p.oldSlugs.length > 0) await this.db.insertInto('post_old_slugs').values(p.oldSlugs.map((slug) => ({ slug, post_id: p.id }))).execute();
      if (this.engine === 'sqlite') await sql`insert into posts_fts (rowid, title, body) values (${p.id}, ${p.title}, ${searchText})`.execute(this.db);
      await recordUploadUses(this.db, p.id, [p.markdown, p.html, p.coverImage]);
    }
  }

  async count(table: ArchiveTable): Promise<number> {
    const name = table === 'posts' ? 'posts' : tables[table].name;
    const row = await this.any.selectFrom(name).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async clear(): Promise<void> {
    if (this.engine === 'sqlite') await sql`delete from posts_fts`.execute(this.db);
    // Children before parents; replies first so no comment is deleted while another points at it.
    await this.db.updateTable('comments').set({ parent_id: null }).execute();
    for (const name of [
      'embed_threads', 'embed_sites', 'audit_log', 'post_sources', 'person_events', 'person_notes', 'person_label_links', 'person_labels', 'person_identities', 'public_profile_links', 'public_profiles', 'federation_followers', 'federation_blocks',
      'federation_comments', 'federation_private_mentions', 'federation_reactions', 'federation_quote_authorizations',
      'post_revisions', 'webmentions', 'webmentions_sent', 'legacy_paths', 'import_keys', 'jobs', 'subscriptions', 'comment_revisions', 'comments', 'post_tags', 'post_old_slugs', 'upload_uses', 'posts', 'tags', 'people', 'email_addresses', 'upload_variants', 'uploads',
      'sessions', 'api_tokens', 'users', 'spam_tokens', 'spam_totals', 'outbox',
    ] as const) {
      await this.db.deleteFrom(name).execute();
    }
  }

  async finish(): Promise<void> {
    if (this.engine !== 'postgres') return; // SQLite's autoincrement already counts from the largest id.
    for (const map of Object.values(tables).concat([{ name: 'posts', key: 'id', serial: true } as TableMap])) {
      if (!map.serial) continue;
      await sql`select setval(pg_get_serial_sequence(${map.name}, 'id'), coalesce((select max(id) from ${sql.table(map.name)}), 0) + 1, false)`.execute(this.db);
    }
  }

  snapshot<T>(work: (archive: ArchiveRepository) => Promise<T>): Promise<T> {
    const run = (trx: Transaction<Database>) => work(new KyselyArchiveRepository(trx, this.engine));
    if (this.db.isTransaction) return work(this);
    const db = this.db as Kysely<Database>;
    // PostgreSQL: one REPEATABLE READ, READ ONLY transaction sees one snapshot of every table.
    // SQLite (WAL): a read transaction sees the database as of its first read, writers carry on.
    return this.engine === 'postgres' ? db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(run) : readingOnly(() => transact(db, run));
  }
}
