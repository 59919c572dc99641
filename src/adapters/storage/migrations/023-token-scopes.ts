import type { Kysely } from 'kysely';
import type { Engine } from '../schema.ts';

/**
 * Personal access tokens carry scopes and an expiry (issue 13, point 1): `scopes` is a
 * space-separated list of read, write, moderate and admin (core/api-scopes.ts);
 * `expires_at` is when the token stops working, null for never. Tokens made before keep
 * working as they did: they get every scope their user's role allows (admin only for an
 * owner) and no expiry.
 */
export async function up(db: Kysely<any>, _engine: Engine): Promise<void> {
  await db.schema.alterTable('api_tokens').addColumn('scopes', 'text', (c: any) => c.notNull().defaultTo('read')).execute();
  await db.schema.alterTable('api_tokens').addColumn('expires_at', 'bigint').execute();
  const owners = db.selectFrom('users').select('id').where('role', '=', 'owner');
  await db.updateTable('api_tokens').set({ scopes: 'read write moderate admin' }).where('user_id', 'in', owners).execute();
  await db.updateTable('api_tokens').set({ scopes: 'read write moderate' }).where('user_id', 'not in', owners).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const column of ['expires_at', 'scopes']) await db.schema.alterTable('api_tokens').dropColumn(column).execute();
}
