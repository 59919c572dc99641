import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { Kysely } from 'kysely';
import { openDatabase } from './database.ts';
import { KyselyApiTokenRepository } from './kysely-sessions.ts';
import type { Engine } from './schema.ts';
import { itOnBothDatabases } from './test-engines.ts';
import * as foundation from './migrations/001-foundation.ts';
import * as tokenScopes from './migrations/023-token-scopes.ts';

/** Tokens made before migration 023 keep working as before: every scope their user's role allows, no expiry. */
async function migrateOldTokens(db: Kysely<any>, engine: Engine): Promise<void> {
  await foundation.up(db, engine);
  const user = (id: number, role: string) => ({ id, email: `${role}@example.com`, name: role, slug: role, bio: '', role, password_hash: null, created_at: 1 });
  await db.insertInto('users').values([user(1, 'owner'), user(2, 'author'), user(3, 'moderator')]).execute();
  const token = (id: number, userId: number) => ({ user_id: userId, name: `t${id}`, prefix: `kby_${id}`, token_hash: `hash-${id}`, created_at: 5, last_used_at: null });
  await db.insertInto('api_tokens').values([token(1, 1), token(2, 2), token(3, 3)]).execute();
  await tokenScopes.up(db, engine);
  const tokens = new KyselyApiTokenRepository(db);
  const found = async (hash: string) => {
    const t = await tokens.findByHash(hash);
    return t && { scopes: t.scopes, expiresAt: t.expiresAt, createdAt: t.createdAt };
  };
  assert.deepEqual(await found('hash-1'), { scopes: 'read write moderate admin', expiresAt: null, createdAt: 5 }, 'an owner’s token may do everything');
  assert.deepEqual(await found('hash-2'), { scopes: 'read write moderate', expiresAt: null, createdAt: 5 });
  assert.deepEqual(await found('hash-3'), { scopes: 'read write moderate', expiresAt: null, createdAt: 5 });
  const later = await tokens.create({ userId: 2, name: 'new', prefix: 'kby_n', tokenHash: 'hash-new', scopes: 'read', expiresAt: 9_000_000_000_000, createdAt: 6 });
  assert.equal(later.expiresAt, 9_000_000_000_000, 'a time past 2^31 seconds fits');
}

describe('migration 023 gives tokens scopes and an expiry', () => {
  itOnBothDatabases(migrateOldTokens);
});
