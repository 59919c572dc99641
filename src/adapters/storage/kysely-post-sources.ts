import type { Kysely, Selectable, Transaction } from 'kysely';
import type { PostSource, PostSourceRepository, PostSourceWrite } from '../../core/post-ideas.ts';
import type { Database } from './schema.ts';

const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

export function toPostSource(row: Selectable<Database['post_sources']>): PostSource {
  return {
    postId: row.post_id,
    commentId: row.comment_id,
    personId: row.person_id,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    tellRequestedAt: numOrNull(row.tell_requested_at),
    toldAt: numOrNull(row.told_at),
  };
}

/** Where posts came from, on SQL (migration 015): the store's `postSources`. */
export class KyselyPostSourceRepository implements PostSourceRepository {
  private readonly db: Kysely<Database> | Transaction<Database>;

  constructor(db: Kysely<Database> | Transaction<Database>) {
    this.db = db;
  }

  async create(s: PostSourceWrite): Promise<PostSource> {
    const row = await this.db
      .insertInto('post_sources')
      .values({ post_id: s.postId, comment_id: s.commentId, person_id: s.personId, created_by: s.createdBy, created_at: s.createdAt, tell_requested_at: null, told_at: null })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toPostSource(row);
  }

  async find(postId: number): Promise<PostSource | null> {
    const row = await this.db.selectFrom('post_sources').selectAll().where('post_id', '=', postId).executeTakeFirst();
    return row ? toPostSource(row) : null;
  }

  async ofComments(commentIds: readonly number[]): Promise<PostSource[]> {
    if (commentIds.length === 0) return [];
    const rows = await this.db.selectFrom('post_sources').selectAll().where('comment_id', 'in', [...new Set(commentIds)]).orderBy('created_at').orderBy('post_id').execute();
    return rows.map(toPostSource);
  }

  async setTellRequested(postId: number, at: number | null): Promise<void> {
    await this.db.updateTable('post_sources').set({ tell_requested_at: at }).where('post_id', '=', postId).where('told_at', 'is', null).execute();
  }

  async markTold(postId: number, now: number): Promise<boolean> {
    const result = await this.db.updateTable('post_sources').set({ told_at: now }).where('post_id', '=', postId).where('told_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
