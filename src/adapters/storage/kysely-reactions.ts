import type { Kysely, Selectable, Transaction } from 'kysely';
import type { PostReactions, QuoteAuthorizationRecord, Reaction, ReactionKind, ReactionRepository, ReactionWrite } from '../../core/reactions.ts';
import { runCompiledOnce } from './compiled-once.ts';
import type { Database, Engine } from './schema.ts';

export function toReaction(row: Selectable<Database['federation_reactions']>): Reaction {
  return {
    id: Number(row.id),
    postId: Number(row.post_id),
    kind: row.kind as ReactionKind,
    actorUri: row.actor_uri,
    activityId: row.activity_id,
    name: row.name,
    handle: row.handle,
    profileUrl: row.profile_url,
    iconUrl: row.icon_url,
    createdAt: Number(row.created_at),
  };
}

export function toQuote(row: Selectable<Database['federation_quote_authorizations']>): QuoteAuthorizationRecord {
  return { id: Number(row.id), postId: Number(row.post_id), actorUri: row.actor_uri, quoteUri: row.quote_uri, requestId: row.request_id, createdAt: Number(row.created_at) };
}

/** ReactionRepository on SQL (SQLite and PostgreSQL). */
export class KyselyReactionRepository implements ReactionRepository {
  private readonly db: Kysely<Database> | Transaction<Database>;
  private readonly engine: Engine;

  constructor(db: Kysely<Database> | Transaction<Database>, engine: Engine) {
    this.db = db;
    this.engine = engine;
  }

  async record(r: ReactionWrite, now: number): Promise<Reaction> {
    // Every received Like or boost: compiled once.
    const values = [r.postId, r.kind, r.actorUri, r.activityId, r.name, r.handle, r.profileUrl, r.iconUrl, now];
    const [row] = await runCompiledOnce(this.db, this.engine, 'reaction-record', values, ([postId, kind, actorUri, activityId, name, handle, profileUrl, iconUrl, at]) => {
      const details = { activity_id: activityId as string, name: name as string | null, handle: handle as string | null, profile_url: profileUrl as string | null, icon_url: iconUrl as string | null };
      return this.db
        .insertInto('federation_reactions')
        .values({ post_id: postId as number, kind: kind as string, actor_uri: actorUri as string, ...details, created_at: at as number })
        .onConflict((oc) => oc.columns(['post_id', 'kind', 'actor_uri']).doUpdateSet(details))
        .returningAll();
    });
    if (!row) throw new Error('the reaction was not stored');
    return toReaction(row);
  }

  async removeByActivity(activityId: string, actorUri: string): Promise<Reaction | null> {
    const row = await this.db.deleteFrom('federation_reactions').where('activity_id', '=', activityId).where('actor_uri', '=', actorUri).returningAll().executeTakeFirst();
    return row ? toReaction(row) : null;
  }

  async removeByActor(actorUri: string): Promise<number> {
    const result = await this.db.deleteFrom('federation_reactions').where('actor_uri', '=', actorUri).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async forPost(postId: number, limit: number): Promise<PostReactions> {
    // The counts first: most posts have no reactions, and then the page asks nothing more
    // (one query per page rendered without the cache, not three; one round trip on PostgreSQL).
    const counts = await runCompiledOnce(this.db, this.engine, 'reactions-count', [postId], ([id]) =>
      this.db.selectFrom('federation_reactions').select(['kind', (eb) => eb.fn.countAll<number>().as('n')]).where('post_id', '=', id as number).groupBy('kind'),
    );
    const count = (kind: ReactionKind) => Number(counts.find((c) => c.kind === kind)?.n ?? 0);
    const newest = async (kind: ReactionKind) =>
      count(kind) === 0 ? [] : (await this.db.selectFrom('federation_reactions').selectAll().where('post_id', '=', postId).where('kind', '=', kind).orderBy('id', 'desc').limit(limit).execute()).map(toReaction);
    const [likes, announces] = await Promise.all([newest('like'), newest('announce')]);
    return { likes, announces, likeCount: count('like'), announceCount: count('announce') };
  }

  async authorizeQuote(q: Omit<QuoteAuthorizationRecord, 'id' | 'createdAt'>, now: number): Promise<QuoteAuthorizationRecord> {
    const inserted = await this.db
      .insertInto('federation_quote_authorizations')
      .values({ post_id: q.postId, actor_uri: q.actorUri, quote_uri: q.quoteUri, request_id: q.requestId, created_at: now })
      .onConflict((oc) => oc.column('quote_uri').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) return toQuote(inserted);
    return toQuote(await this.db.selectFrom('federation_quote_authorizations').selectAll().where('quote_uri', '=', q.quoteUri).executeTakeFirstOrThrow());
  }

  async findQuoteAuthorization(id: number): Promise<QuoteAuthorizationRecord | null> {
    const row = await this.db.selectFrom('federation_quote_authorizations').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toQuote(row) : null;
  }
}
