import type { Kysely } from 'kysely';
import type { Engine } from '../schema.ts';

/**
 * Accounts: single-use links sent by email (password resets and staff invitations, only
 * the hash of each secret stored), and failed sign-ins counted per address and per
 * (address, account), so wrong passwords slow their sender down without locking anyone out.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  const pg = engine === 'postgres';
  const id = (t: any) => (pg ? t.addColumn('id', 'serial', (c: any) => c.primaryKey()) : t.addColumn('id', 'integer', (c: any) => c.primaryKey().autoIncrement()));

  await id(db.schema.createTable('account_tokens'))
    .addColumn('kind', 'text', (c: any) => c.notNull()) // 'reset', 'invite'
    .addColumn('token_hash', 'text', (c: any) => c.notNull().unique())
    .addColumn('email', 'text', (c: any) => c.notNull())
    .addColumn('user_id', 'integer', (c: any) => c.references('users.id').onDelete('cascade'))
    .addColumn('role', 'text')
    .addColumn('created_by', 'integer', (c: any) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (c: any) => c.notNull())
    .addColumn('expires_at', 'bigint', (c: any) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('account_tokens_user').on('account_tokens').column('user_id').execute();
  await db.schema.createIndex('account_tokens_kind').on('account_tokens').columns(['kind', 'used_at']).execute();

  await db.schema
    .createTable('login_failures')
    .addColumn('key', 'text', (c: any) => c.primaryKey())
    .addColumn('failures', 'integer', (c: any) => c.notNull())
    .addColumn('last_failure_at', 'bigint', (c: any) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('login_failures').ifExists().execute();
  await db.schema.dropTable('account_tokens').ifExists().execute();
}
