import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { Kysely } from 'kysely';
import { openDatabase } from './database.ts';
import type { Engine } from './schema.ts';
import { itOnBothDatabases } from './test-engines.ts';
import * as foundation from './migrations/001-foundation.ts';
import * as conversations from './migrations/002-conversations.ts';
import * as reach from './migrations/003-reach.ts';
import * as imports from './migrations/004-import.ts';
import * as commentHistory from './migrations/006-comment-history.ts';
import * as accounts from './migrations/007-accounts.ts';
import * as postPassword from './migrations/008-post-password.ts';
import * as people from './migrations/010-people.ts';

const T = Date.UTC(2024, 0, 15, 12);
const before010 = [foundation, conversations, reach, imports, commentHistory, accounts, postPassword];

/** A site as it was before migration 010: a staff member who also commented, a subscriber who confirmed, one who did not, a webmention author. */
async function seedOldSite(db: Kysely<any>): Promise<void> {
  await db.insertInto('users').values({ id: 1, email: 'Owner@Example.com', name: 'Owner', slug: 'owner', bio: '', role: 'owner', password_hash: null, created_at: T }).execute();
  await db
    .insertInto('posts')
    .values({ id: 1, type: 'post', slug: 'p', title: 'P', markdown: '', html: '', excerpt: '', search_text: '', status: 'published', visibility: 'public', published_at: T, author_id: 1, cover_image: null, created_at: T, updated_at: T, deleted_at: null })
    .execute();
  await db
    .insertInto('people')
    .values([
      { id: 1, name: 'Owner', email: 'owner@example.com', website: null, created_at: T },
      { id: 2, name: 'Confirmed', email: 'confirmed@example.com', website: 'HTTPS://Confirmed.Example/#top', created_at: T + 1 },
      { id: 3, name: 'Typed', email: 'typed@example.com', website: null, created_at: T + 2 },
      { id: 4, name: 'Friend', email: null, website: 'https://friend.example/', created_at: T + 3 },
    ])
    .execute();
  const comment = (id: number, personId: number, at: number) => ({
    id, post_id: 1, parent_id: null, person_id: personId, user_id: null, author_name: 'x', author_email: 'x@example.com', author_url: null, markdown: 'x', html: 'x', status: 'approved',
    created_at: at, root_id: id, depth: 0, updated_at: at, status_changed_at: at, moderation_reasons: '[]', source: 'form',
  });
  await db.insertInto('comments').values([comment(1, 2, T + 50), comment(2, 3, T + 60)]).execute();
  await db
    .insertInto('email_addresses')
    .values([
      { email: 'confirmed@example.com', confirm_token: 'a', confirmed_at: T + 10, created_at: T },
      { email: 'typed@example.com', confirm_token: 'b', confirmed_at: null, created_at: T },
    ])
    .execute();
  await db.insertInto('subscriptions').values({ id: 1, kind: 'post', email: 'confirmed@example.com', post_id: 1, comment_id: null, token: 't', created_at: T + 11, unsubscribed_at: null }).execute();
  await db
    .insertInto('outbox')
    .values({ id: 1, idempotency_key: 'k', kind: 'reply', to_address: 'Typed@example.com', subject: 's', text_body: '', html_body: '', headers: '{}', status: 'sent', attempts: 1, next_attempt_at: T, locked_until: 0, last_error: null, created_at: T + 70, sent_at: T + 71 })
    .execute();
}

async function checkMoved(db: Kysely<any>): Promise<void> {
  const ids = await db.selectFrom('person_identities').select(['person_id', 'kind', 'value', 'verified', 'first_seen', 'last_seen']).orderBy('person_id').orderBy('kind').execute();
  assert.deepEqual(
    ids.map((i) => [i.person_id, i.kind, i.value, Number(i.verified)]),
    [
      [1, 'email', 'owner@example.com', 1], // a staff member's address
      [2, 'email', 'confirmed@example.com', 1], // confirmed through a subscription
      [2, 'website', 'https://confirmed.example', 0], // websites are only claimed
      [3, 'email', 'typed@example.com', 0], // typed, never confirmed
      [4, 'website', 'https://friend.example', 0],
    ],
  );
  const confirmed = ids.find((i) => i.person_id === 2 && i.kind === 'email')!;
  assert.equal(Number(confirmed.first_seen), T + 1);
  assert.equal(Number(confirmed.last_seen), T + 50, 'last seen when they last commented');
  const seen = await db.selectFrom('people').select(['id', 'last_seen_at', 'trust']).orderBy('id').execute();
  assert.deepEqual(seen.map((p) => [p.id, Number(p.last_seen_at), p.trust]), [[1, T, 'normal'], [2, T + 50, 'normal'], [3, T + 60, 'normal'], [4, T + 3, 'normal']]);
  assert.equal((await db.selectFrom('subscriptions').select('person_id').executeTakeFirstOrThrow()).person_id, 2);
  assert.equal((await db.selectFrom('outbox').select('person_id').executeTakeFirstOrThrow()).person_id, 3, 'matched whatever the case of the address');
}

async function migrateOldSite(db: Kysely<any>, engine: Engine): Promise<void> {
  for (const m of before010) await m.up(db, engine);
  await seedOldSite(db);
  await people.up(db, engine);
  await checkMoved(db);
  // A value can be verified for one person only.
  await assert.rejects(db.insertInto('person_identities').values({ person_id: 3, kind: 'email', value: 'confirmed@example.com', verified: 1, first_seen: T, last_seen: T }).execute());
  await db.insertInto('person_identities').values({ person_id: 3, kind: 'email', value: 'confirmed@example.com', verified: 0, first_seen: T, last_seen: T }).execute();
}

describe('migration 010 moves today\'s people into identities', () => {
  itOnBothDatabases(migrateOldSite);
});
