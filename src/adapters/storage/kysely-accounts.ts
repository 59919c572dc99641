import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { AccountToken, AccountTokenRepository, LoginFailureRepository, LoginFailures, Role } from '../../core/store.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

function toAccountToken(row: Selectable<Database['account_tokens']>): AccountToken {
  return {
    id: row.id,
    kind: row.kind as AccountToken['kind'],
    tokenHash: row.token_hash,
    email: row.email,
    userId: row.user_id,
    role: row.role as Role | null,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    usedAt: row.used_at === null ? null : Number(row.used_at),
  };
}

/** AccountTokenRepository on SQL (SQLite and PostgreSQL). */
export class KyselyAccountTokenRepository implements AccountTokenRepository {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  async create(t: Omit<AccountToken, 'id' | 'usedAt'>): Promise<AccountToken> {
    const row = await this.db
      .insertInto('account_tokens')
      .values({ kind: t.kind, token_hash: t.tokenHash, email: t.email, user_id: t.userId, role: t.role, created_by: t.createdBy, created_at: t.createdAt, expires_at: t.expiresAt, used_at: null })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toAccountToken(row);
  }

  async findByHash(tokenHash: string): Promise<AccountToken | null> {
    const row = await this.db.selectFrom('account_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return row ? toAccountToken(row) : null;
  }

  async findById(id: number): Promise<AccountToken | null> {
    const row = await this.db.selectFrom('account_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toAccountToken(row) : null;
  }

  async use(id: number, now: number): Promise<boolean> {
    // One conditional UPDATE: of two requests racing with the same link, only one changes the row.
    const result = await this.db.updateTable('account_tokens').set({ used_at: now }).where('id', '=', id).where('used_at', 'is', null).where('expires_at', '>', now).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async renew(id: number, tokenHash: string, expiresAt: number): Promise<AccountToken | null> {
    const row = await this.db
      .updateTable('account_tokens')
      .set({ token_hash: tokenHash, expires_at: expiresAt })
      .where('id', '=', id)
      .where('used_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    return row ? toAccountToken(row) : null;
  }

  async pendingInvites(): Promise<AccountToken[]> {
    const rows = await this.db.selectFrom('account_tokens').selectAll().where('kind', '=', 'invite').where('used_at', 'is', null).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
    return rows.map(toAccountToken);
  }

  async revoke(id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('account_tokens').where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async revokeResets(userId: number): Promise<void> {
    await this.db.deleteFrom('account_tokens').where('kind', '=', 'reset').where('user_id', '=', userId).where('used_at', 'is', null).execute();
  }

  async deleteSpent(before: number): Promise<number> {
    const result = await this.db
      .deleteFrom('account_tokens')
      .where((eb) => eb.or([eb('used_at', '<', before), eb('expires_at', '<', before)]))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

/** LoginFailureRepository on SQL (SQLite and PostgreSQL). */
export class KyselyLoginFailureRepository implements LoginFailureRepository {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  async get(key: string): Promise<LoginFailures | null> {
    const row = await this.db.selectFrom('login_failures').select(['failures', 'last_failure_at']).where('key', '=', key).executeTakeFirst();
    return row ? { failures: Number(row.failures), lastFailureAt: Number(row.last_failure_at) } : null;
  }

  async add(key: string, now: number, forgetBefore: number): Promise<number> {
    // One upsert, so attempts arriving together each get their own count.
    const { rows } = await sql<{ failures: number }>`
      insert into login_failures (key, failures, last_failure_at) values (${key}, 1, ${now})
      on conflict (key) do update set
        failures = case when login_failures.last_failure_at < ${forgetBefore} then 1 else login_failures.failures + 1 end,
        last_failure_at = ${now}
      returning failures`.execute(this.db);
    return Number(rows[0].failures);
  }

  async forgive(key: string): Promise<void> {
    await this.db.updateTable('login_failures').set((eb) => ({ failures: eb('failures', '-', 1) })).where('key', '=', key).where('failures', '>', 0).execute();
  }

  async clear(key: string): Promise<void> {
    await this.db.deleteFrom('login_failures').where('key', '=', key).execute();
  }

  async deleteStale(before: number): Promise<number> {
    const result = await this.db.deleteFrom('login_failures').where('last_failure_at', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
