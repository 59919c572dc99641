import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Person } from '../../core/store.ts';
import { normaliseUrl } from '../../core/people.ts';
import type { ImportedMention, MentionStatus, MentionType, MentionVia, ReceivedMention, ReceivedVia, SentMention, SentPatch, SentStatus, VerificationPatch, WebmentionRepository } from '../../core/webmention-store.ts';
import type { Database, Engine } from './schema.ts';
import { runCompiledOnce } from './compiled-once.ts';

const num = (v: number | null) => (v === null ? null : Number(v));

/** The columns a received mention is read from, named (not `*`) so that the post page's query can be a prepared statement (compiled-once.ts). */
const RECEIVED_COLUMNS = [
  'id', 'source', 'target', 'post_id', 'via', 'status', 'reason', 'type', 'author_name', 'author_url', 'author_photo', 'content', 'url', 'published_at',
  'comment_id', 'person_id', 'received_at', 'updated_at', 'verified_at',
] as const;

export function toReceived(row: Pick<Selectable<Database['webmentions']>, (typeof RECEIVED_COLUMNS)[number]>): ReceivedMention {
  return {
    id: row.id,
    source: row.source,
    target: row.target,
    postId: row.post_id,
    via: row.via as ReceivedVia,
    status: row.status as MentionStatus,
    reason: row.reason,
    type: row.type as MentionType | null,
    authorName: row.author_name,
    authorUrl: row.author_url,
    authorPhoto: row.author_photo,
    content: row.content,
    url: row.url,
    publishedAt: num(row.published_at),
    commentId: row.comment_id,
    personId: row.person_id,
    receivedAt: Number(row.received_at),
    updatedAt: Number(row.updated_at),
    verifiedAt: num(row.verified_at),
  };
}

export function toSent(row: Selectable<Database['webmentions_sent']>): SentMention {
  return {
    id: row.id,
    postId: row.post_id,
    target: row.target,
    endpoint: row.endpoint,
    protocol: row.protocol as MentionVia,
    status: row.status as SentStatus,
    httpStatus: num(row.http_status),
    error: row.error,
    attempts: Number(row.attempts),
    updatedAt: Number(row.updated_at),
  };
}

const receivedColumns: Record<keyof VerificationPatch, keyof Database['webmentions']> = {
  status: 'status',
  reason: 'reason',
  type: 'type',
  authorName: 'author_name',
  authorUrl: 'author_url',
  authorPhoto: 'author_photo',
  content: 'content',
  url: 'url',
  publishedAt: 'published_at',
  commentId: 'comment_id',
  personId: 'person_id',
  verifiedAt: 'verified_at',
};

/** WebmentionRepository on SQL (SQLite and PostgreSQL). */
export class KyselyWebmentionRepository implements WebmentionRepository {
  private readonly db: Kysely<Database> | Transaction<Database>;
  private readonly engine: Engine;

  constructor(db: Kysely<Database> | Transaction<Database>, engine: Engine) {
    this.db = db;
    this.engine = engine;
  }

  async receive(input: { source: string; target: string; postId: number; via: MentionVia }, now: number): Promise<ReceivedMention> {
    const row = await this.db
      .insertInto('webmentions')
      .values({ source: input.source, target: input.target, post_id: input.postId, via: input.via, status: 'queued', received_at: now, updated_at: now })
      .onConflict((oc) => oc.columns(['source', 'target']).doUpdateSet({ received_at: now, updated_at: now, via: input.via }))
      .returningAll()
      .executeTakeFirstOrThrow();
    return toReceived(row);
  }

  async findReceived(id: number): Promise<ReceivedMention | null> {
    const row = await this.db.selectFrom('webmentions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toReceived(row) : null;
  }

  async updateReceived(id: number, patch: VerificationPatch, now: number): Promise<ReceivedMention> {
    const values: Record<string, unknown> = { updated_at: now };
    for (const [key, value] of Object.entries(patch)) values[receivedColumns[key as keyof VerificationPatch]] = value;
    const row = await this.db.updateTable('webmentions').set(values).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    return toReceived(row);
  }

  async listReceived(postId: number): Promise<ReceivedMention[]> {
    const rows = await this.db.selectFrom('webmentions').selectAll().where('post_id', '=', postId).orderBy('received_at', 'desc').orderBy('id', 'desc').execute();
    return rows.map(toReceived);
  }

  async listVerified(postId: number): Promise<ReceivedMention[]> {
    // Every post page asks: compiled once.
    const rows = await runCompiledOnce(this.db, this.engine, 'mentions-verified', [postId], ([id]) =>
      this.db.selectFrom('webmentions').select(RECEIVED_COLUMNS).where('post_id', '=', id as number).where('status', '=', 'verified').orderBy('verified_at').orderBy('id'),
    );
    return rows.map(toReceived);
  }

  async importReceived(input: ImportedMention, now: number): Promise<{ mention: ReceivedMention; created: boolean }> {
    const inserted = await this.db
      .insertInto('webmentions')
      .values({
        source: input.source, target: input.target, post_id: input.postId, via: input.via, status: input.status, reason: input.reason, type: input.type,
        author_name: input.authorName, author_url: input.authorUrl, content: input.content, url: input.url, published_at: input.publishedAt,
        received_at: input.receivedAt, updated_at: now, verified_at: input.verifiedAt,
      })
      .onConflict((oc) => oc.columns(['source', 'target']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) return { mention: toReceived(inserted), created: true };
    const existing = await this.db.selectFrom('webmentions').selectAll().where('source', '=', input.source).where('target', '=', input.target).executeTakeFirstOrThrow();
    return { mention: toReceived(existing), created: false };
  }

  async replySources(postId: number): Promise<Array<{ commentId: number; source: string; url: string | null }>> {
    const rows = await this.db.selectFrom('webmentions').select(['comment_id', 'url', 'source']).where('post_id', '=', postId).where('comment_id', 'is not', null).orderBy('id').execute();
    return rows.map((r) => ({ commentId: r.comment_id!, source: r.source, url: r.url }));
  }

  /** The person an author URL belongs to (by identity: core/people.ts), else a new one; the URL is recorded as their claimed webmention identity. */
  async personForWebsite(input: { name: string; website: string }, now: number): Promise<Person> {
    const value = normaliseUrl(input.website) ?? input.website;
    const byIdentity = await this.db
      .selectFrom('person_identities as i')
      .innerJoin('people as p', 'p.id', 'i.person_id')
      .selectAll('p')
      .where('i.value', '=', value)
      .where('i.kind', 'in', ['webmention', 'website'])
      .orderBy('i.verified', 'desc')
      .orderBy('i.person_id')
      .limit(1)
      .executeTakeFirst();
    const found = byIdentity ?? (await this.db.selectFrom('people').selectAll().where('website', '=', input.website).orderBy('id').executeTakeFirst());
    const row =
      found ??
      (await this.db.insertInto('people').values({ name: input.name, email: null, website: input.website, created_at: now, last_seen_at: now }).returningAll().executeTakeFirstOrThrow());
    await this.db.updateTable('people').set({ last_seen_at: now }).where('id', '=', row.id).where('last_seen_at', '<', now).execute();
    await this.db
      .insertInto('person_identities')
      .values({ person_id: row.id, kind: 'webmention', value, verified: 0, first_seen: now, last_seen: now })
      .onConflict((oc) => oc.columns(['person_id', 'kind', 'value']).doUpdateSet({ last_seen: now }))
      .execute();
    return { id: row.id, name: row.name, email: row.email, website: row.website, createdAt: Number(row.created_at) };
  }

  async recordSent(postId: number, target: string, patch: SentPatch, now: number): Promise<SentMention> {
    const { attempted, ...fields } = patch;
    const values = {
      ...(fields.endpoint !== undefined ? { endpoint: fields.endpoint } : {}),
      ...(fields.protocol !== undefined ? { protocol: fields.protocol } : {}),
      ...(fields.status !== undefined ? { status: fields.status } : {}),
      ...(fields.httpStatus !== undefined ? { http_status: fields.httpStatus } : {}),
      ...(fields.error !== undefined ? { error: fields.error } : {}),
      updated_at: now,
    };
    const row = await this.db
      .insertInto('webmentions_sent')
      .values({ post_id: postId, target, status: 'queued', endpoint: null, http_status: null, error: null, attempts: attempted ? 1 : 0, ...values })
      .onConflict((oc) => oc.columns(['post_id', 'target']).doUpdateSet((eb) => ({ ...values, ...(attempted ? { attempts: eb('webmentions_sent.attempts', '+', 1) } : {}) })))
      .returningAll()
      .executeTakeFirstOrThrow();
    return toSent(row);
  }

  async listSent(postId: number): Promise<SentMention[]> {
    const rows = await this.db.selectFrom('webmentions_sent').selectAll().where('post_id', '=', postId).orderBy('target').execute();
    return rows.map(toSent);
  }
}
