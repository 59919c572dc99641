import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Follower, FollowerRepository, FollowerStatus, FollowerWrite } from '../../core/federation-store.ts';
import type { Database } from './schema.ts';

function toFollower(row: Selectable<Database['federation_followers']>): Follower {
  return {
    id: Number(row.id),
    actorUri: row.actor_uri,
    handle: row.handle,
    inbox: row.inbox,
    sharedInbox: row.shared_inbox,
    status: row.status as FollowerStatus,
    followId: row.follow_id,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** FollowerRepository on SQL (SQLite and PostgreSQL). */
export class KyselyFollowerRepository implements FollowerRepository {
  private readonly db: Kysely<Database> | Transaction<Database>;

  constructor(db: Kysely<Database> | Transaction<Database>) {
    this.db = db;
  }

  async upsert(f: FollowerWrite, now: number): Promise<Follower> {
    const fields = { handle: f.handle, inbox: f.inbox, shared_inbox: f.sharedInbox, status: f.status, follow_id: f.followId, updated_at: now };
    const row = await this.db
      .insertInto('federation_followers')
      .values({ actor_uri: f.actorUri, ...fields, created_at: now })
      .onConflict((oc) => oc.column('actor_uri').doUpdateSet(fields))
      .returningAll()
      .executeTakeFirstOrThrow();
    return toFollower(row);
  }

  async listAccepted(query: { after?: number; limit: number }): Promise<Follower[]> {
    const rows = await this.db
      .selectFrom('federation_followers')
      .selectAll()
      .where('status', '=', 'accepted')
      .where('id', '>', query.after ?? 0)
      .orderBy('id')
      .limit(query.limit)
      .execute();
    return rows.map(toFollower);
  }

  async countAccepted(): Promise<number> {
    const row = await this.db.selectFrom('federation_followers').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'accepted').executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
