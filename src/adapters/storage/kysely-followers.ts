import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { hostOf, type BlockKind, type FediverseBlock, type FediverseBlockRepository, type Follower, type FollowerRepository, type FollowerStatus, type FollowerWrite } from '../../core/federation-store.ts';
import { runCompiledOnce } from './compiled-once.ts';
import type { Database, Engine } from './schema.ts';

export function toFollower(row: Selectable<Database['federation_followers']>): Follower {
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

/** A follower's `deliveryAddress` in SQL: their server's shared inbox, else their own inbox. */
const deliveryAddressSql = sql<string>`coalesce(shared_inbox, inbox)`;

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

  async listDeliveryTargets(): Promise<Follower[]> {
    // The first accepted follower of each address.
    const rows = await this.db
      .selectFrom('federation_followers')
      .selectAll()
      .where('id', 'in', (eb) => eb.selectFrom('federation_followers').select((e) => e.fn.min('id').as('id')).where('status', '=', 'accepted').groupBy(deliveryAddressSql))
      .orderBy('id')
      .execute();
    return rows.map(toFollower);
  }

  async removeByDeliveryAddress(address: string): Promise<number> {
    const result = await this.db.deleteFrom('federation_followers').where(deliveryAddressSql, '=', address).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async countAccepted(): Promise<number> {
    const row = await this.db.selectFrom('federation_followers').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'accepted').executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async findByActor(actorUri: string): Promise<Follower | null> {
    const row = await this.db.selectFrom('federation_followers').selectAll().where('actor_uri', '=', actorUri).executeTakeFirst();
    return row ? toFollower(row) : null;
  }

  async listByStatus(status: FollowerStatus): Promise<Follower[]> {
    const rows = await this.db.selectFrom('federation_followers').selectAll().where('status', '=', status).orderBy('id', 'desc').execute();
    return rows.map(toFollower);
  }

  async setStatus(actorUri: string, status: FollowerStatus, now: number): Promise<Follower | null> {
    const row = await this.db.updateTable('federation_followers').set({ status, updated_at: now }).where('actor_uri', '=', actorUri).returningAll().executeTakeFirst();
    return row ? toFollower(row) : null;
  }

  async remove(actorUri: string): Promise<boolean> {
    const result = await this.db.deleteFrom('federation_followers').where('actor_uri', '=', actorUri).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async removeOnHost(host: string): Promise<number> {
    // The host is matched in code, not with LIKE: a URI's host is what URL parsing says it is.
    const rows = await this.db.selectFrom('federation_followers').select(['id', 'actor_uri']).execute();
    const ids = rows.filter((row) => matchesDomain(row.actor_uri, host)).map((row) => row.id);
    if (ids.length === 0) return 0;
    const result = await this.db.deleteFrom('federation_followers').where('id', 'in', ids).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function matchesDomain(actorUri: string, domain: string): boolean {
  const host = hostOf(actorUri);
  return host !== null && (host === domain || host.endsWith(`.${domain}`));
}

/** FediverseBlockRepository on SQL (SQLite and PostgreSQL). */
export class KyselyFediverseBlockRepository implements FediverseBlockRepository {
  private readonly db: Kysely<Database> | Transaction<Database>;
  private readonly engine: Engine;

  constructor(db: Kysely<Database> | Transaction<Database>, engine: Engine) {
    this.db = db;
    this.engine = engine;
  }

  async add(kind: BlockKind, value: string, now: number): Promise<boolean> {
    const row = await this.db
      .insertInto('federation_blocks')
      .values({ kind, value, created_at: now })
      .onConflict((oc) => oc.columns(['kind', 'value']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }

  async remove(id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('federation_blocks').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async list(): Promise<FediverseBlock[]> {
    const rows = await this.db.selectFrom('federation_blocks').selectAll().orderBy('id', 'desc').execute();
    return rows.map((row) => ({ id: Number(row.id), kind: row.kind as BlockKind, value: row.value, createdAt: Number(row.created_at) }));
  }

  async isBlocked(actorUri: string): Promise<boolean> {
    const host = hostOf(actorUri);
    // The domain and each parent domain: a block of example.com covers social.example.com.
    const domains = host ? host.split('.').map((_, i, parts) => parts.slice(i).join('.')) : [];
    // Asked twice for every received activity (the middleware, the listener): compiled once per number of domains.
    const [row] = await runCompiledOnce(this.db, this.engine, `federation-blocked-${domains.length}`, [actorUri, ...domains], ([actor, ...within]) =>
      this.db
        .selectFrom('federation_blocks')
        .select('id')
        .where((eb) => eb.or([eb.and([eb('kind', '=', 'actor'), eb('value', '=', actor as string)]), ...(within.length ? [eb.and([eb('kind', '=', 'domain'), eb('value', 'in', within as string[])])] : [])]))
        .limit(1),
    );
    return row !== undefined;
  }
}
