import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { AccountToken, Store } from '../../core/store.ts';
import { forEachEngine, type OpenStore } from './test-engines.ts';

const NOW = Date.UTC(2024, 0, 15, 12);
const HOUR = 3_600_000;

function accountsContract(name: string, open: OpenStore): void {
  describe(name, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeEach(async () => ({ store, cleanup } = await open()));
    afterEach(() => cleanup());

    const user = (email: string, role: 'owner' | 'author' = 'owner') =>
      store.users.create({ email, name: email.split('@')[0], slug: email.split('@')[0], bio: '', role, passwordHash: null, createdAt: NOW });
    const reset = (userId: number, hash: string, expiresAt = NOW + HOUR): Omit<AccountToken, 'id' | 'usedAt'> => ({
      kind: 'reset', tokenHash: hash, email: 'x@example.com', userId, role: null, createdBy: null, createdAt: NOW, expiresAt,
    });
    const invite = (hash: string, createdBy: number, at = NOW, email = 'new@example.com'): Omit<AccountToken, 'id' | 'usedAt'> => ({
      kind: 'invite', tokenHash: hash, email, userId: null, role: 'author', createdBy, createdAt: at, expiresAt: at + 72 * HOUR,
    });

    it('keeps a link by the hash of its secret and lets it be used once, before it expires', async () => {
      const owner = await user('owner@example.com');
      const created = await store.accountTokens.create(reset(owner.id, 'h1'));
      assert.deepEqual(await store.accountTokens.findByHash('h1'), { ...created, usedAt: null });
      assert.equal(created.kind, 'reset');
      assert.equal(created.userId, owner.id);
      assert.equal(await store.accountTokens.findByHash('other'), null);
      assert.equal(await store.accountTokens.use(created.id, NOW + 10), true);
      assert.equal(await store.accountTokens.use(created.id, NOW + 20), false, 'a second use is refused');
      assert.equal((await store.accountTokens.findById(created.id))!.usedAt, NOW + 10);
      const late = await store.accountTokens.create(reset(owner.id, 'h2', NOW + HOUR));
      assert.equal(await store.accountTokens.use(late.id, NOW + HOUR), false, 'an expired link is refused');
      await assert.rejects(store.accountTokens.create(reset(owner.id, 'h2')), 'token hashes are unique');
    });

    it('of two uses at once, exactly one wins', async () => {
      const owner = await user('owner@example.com');
      const created = await store.accountTokens.create(reset(owner.id, 'race'));
      const results = await Promise.all([store.accountTokens.use(created.id, NOW), store.accountTokens.use(created.id, NOW)]);
      assert.deepEqual(results.sort(), [false, true]);
    });

    it('lists pending invitations newest first; resend gives a new secret; revoke and acceptance take them off', async () => {
      const owner = await user('owner@example.com');
      const first = await store.accountTokens.create(invite('i1', owner.id, NOW, 'a@example.com'));
      const second = await store.accountTokens.create(invite('i2', owner.id, NOW + 1, 'b@example.com'));
      await store.accountTokens.create(reset(owner.id, 'r1'));
      assert.deepEqual((await store.accountTokens.pendingInvites()).map((t) => t.email), ['b@example.com', 'a@example.com']);
      const renewed = await store.accountTokens.renew(first.id, 'i1-new', NOW + 100 * HOUR);
      assert.equal(renewed!.tokenHash, 'i1-new');
      assert.equal(renewed!.expiresAt, NOW + 100 * HOUR);
      assert.equal(await store.accountTokens.findByHash('i1'), null, 'the old link stops working');
      assert.equal(await store.accountTokens.revoke(second.id), true);
      assert.equal(await store.accountTokens.revoke(second.id), false);
      assert.equal(await store.accountTokens.use(first.id, NOW + 2), true);
      assert.equal(await store.accountTokens.renew(first.id, 'again', NOW + 200 * HOUR), null, 'a used invitation cannot be resent');
      assert.equal(await store.accountTokens.revoke(first.id), false, 'nor revoked');
      assert.deepEqual(await store.accountTokens.pendingInvites(), []);
    });

    it('ends an account’s unused reset links, and goes with a removed user', async () => {
      const owner = await user('owner@example.com');
      const author = await user('author@example.com', 'author');
      await store.accountTokens.create(reset(owner.id, 'o1'));
      await store.accountTokens.create(reset(author.id, 'a1'));
      await store.accountTokens.create(reset(author.id, 'a2'));
      const sent = await store.accountTokens.create(invite('inv', author.id));
      await store.accountTokens.revokeResets(author.id);
      assert.equal(await store.accountTokens.findByHash('a1'), null);
      assert.equal(await store.accountTokens.findByHash('a2'), null);
      assert.ok(await store.accountTokens.findByHash('o1'));
      await store.accountTokens.create(reset(author.id, 'a3'));
      await store.users.delete(author.id, owner.id);
      assert.equal(await store.accountTokens.findByHash('a3'), null, 'a removed user’s reset links go with them');
      assert.equal((await store.accountTokens.findById(sent.id))!.createdBy, null, 'an invitation outlives its sender');
      await store.accountTokens.create(reset(owner.id, 'o2'));
      await store.users.update(owner.id, { role: 'owner' });
      assert.ok(await store.accountTokens.findByHash('o2'));
    });

    it('housekeeping deletes used and expired links only', async () => {
      const owner = await user('owner@example.com');
      const used = await store.accountTokens.create(reset(owner.id, 'used'));
      await store.accountTokens.use(used.id, NOW);
      await store.accountTokens.create(reset(owner.id, 'expired', NOW + 1));
      await store.accountTokens.create(reset(owner.id, 'fresh', NOW + 2 * HOUR));
      assert.equal(await store.accountTokens.deleteSpent(NOW + HOUR), 2);
      assert.ok(await store.accountTokens.findByHash('fresh'));
    });

    it('counts failed sign-ins per key, forgets old ones, forgives and clears', async () => {
      assert.equal(await store.loginFailures.get('login:ip:a'), null);
      assert.equal(await store.loginFailures.add('login:ip:a', NOW, NOW - HOUR), 1);
      assert.equal(await store.loginFailures.add('login:ip:a', NOW + 5, NOW - HOUR), 2);
      assert.deepEqual(await store.loginFailures.get('login:ip:a'), { failures: 2, lastFailureAt: NOW + 5 });
      assert.equal(await store.loginFailures.add('login:ip:b', NOW, NOW - HOUR), 1, 'keys are separate');
      await store.loginFailures.forgive('login:ip:a');
      assert.deepEqual(await store.loginFailures.get('login:ip:a'), { failures: 1, lastFailureAt: NOW + 5 });
      assert.equal(await store.loginFailures.add('login:ip:a', NOW + 2 * HOUR, NOW + HOUR), 1, 'failures before the window start again');
      await store.loginFailures.clear('login:ip:a');
      assert.equal(await store.loginFailures.get('login:ip:a'), null);
      assert.equal(await store.loginFailures.deleteStale(NOW + 1), 1);
      assert.equal(await store.loginFailures.get('login:ip:b'), null);
    });

    it('gives each of many failures at once its own count', async () => {
      const counts = await Promise.all(Array.from({ length: 8 }, () => store.loginFailures.add('burst', NOW, NOW - HOUR)));
      assert.deepEqual(counts.sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8]);
    });
  });
}

forEachEngine('account links and sign-in failures', accountsContract);
