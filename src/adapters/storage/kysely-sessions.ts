import type { Kysely, Selectable, Transaction } from 'kysely';
import type { ApiToken, ApiTokenRepository, Session, SessionRepository } from '../../core/store.ts';
import type { Database, Engine } from './schema.ts';
import { runCompiledOnce } from './compiled-once.ts';

type Db = Kysely<Database> | Transaction<Database>;

function toToken(row: Selectable<Database['api_tokens']>): ApiToken {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    prefix: row.prefix,
    tokenHash: row.token_hash,
    scopes: row.scopes,
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
  };
}

/** SessionRepository on SQL (SQLite and PostgreSQL): signed-in staff, by the hash of their cookie. */
export class KyselySessionRepository implements SessionRepository {
  private readonly db: Db;
  private readonly engine: Engine;

  constructor(db: Db, engine: Engine) {
    this.db = db;
    this.engine = engine;
  }

  async create(s: Session): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({ id_hash: s.idHash, user_id: s.userId, csrf_token: s.csrfToken, created_at: s.createdAt, expires_at: s.expiresAt })
      .execute();
  }

  async find(idHash: string, now: number): Promise<Session | null> {
    // Every signed-in request asks: compiled once.
    const [row] = await runCompiledOnce(this.db, this.engine, 'session-find', [idHash, now], ([hash, at]) =>
      this.db.selectFrom('sessions').select(['id_hash', 'user_id', 'csrf_token', 'created_at', 'expires_at']).where('id_hash', '=', hash as string).where('expires_at', '>', at as number),
    );
    return row
      ? { idHash: row.id_hash, userId: row.user_id, csrfToken: row.csrf_token, createdAt: Number(row.created_at), expiresAt: Number(row.expires_at) }
      : null;
  }

  async delete(idHash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
  }

  async deleteForUser(userId: number): Promise<void> {
    await this.db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  }

  async deleteExpired(now: number): Promise<number> {
    const result = await this.db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

/** ApiTokenRepository on SQL (SQLite and PostgreSQL): staff's tokens for the API, by hash. */
export class KyselyApiTokenRepository implements ApiTokenRepository {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  async create(t: Omit<ApiToken, 'id' | 'lastUsedAt'>): Promise<ApiToken> {
    return toToken(
      await this.db
        .insertInto('api_tokens')
        .values({ user_id: t.userId, name: t.name, prefix: t.prefix, token_hash: t.tokenHash, scopes: t.scopes, expires_at: t.expiresAt, created_at: t.createdAt, last_used_at: null })
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
  }

  async findByHash(tokenHash: string): Promise<ApiToken | null> {
    const row = await this.db.selectFrom('api_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return row ? toToken(row) : null;
  }

  async listForUser(userId: number): Promise<ApiToken[]> {
    return (await this.db.selectFrom('api_tokens').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').orderBy('id', 'desc').execute()).map(toToken);
  }

  async revoke(id: number, userId: number): Promise<boolean> {
    const result = await this.db.deleteFrom('api_tokens').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async touch(id: number, now: number): Promise<void> {
    await this.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
  }
}
