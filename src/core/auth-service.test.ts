import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { MemoryStore } from '../adapters/storage/memory-store.ts';
import { AuthService } from './auth-service.ts';
import { LOGIN_THROTTLE } from './login-throttle.ts';
import { argon2idHasher, type PasswordHasher } from './password.ts';

const START = Date.UTC(2026, 0, 5, 9);
const RIGHT = 'correct horse battery';

/** argon2id, with every check written down. */
function watchedHasher(): PasswordHasher & { checks: string[] } {
  const checks: string[] = [];
  return {
    checks,
    hash: argon2idHasher.hash,
    async verify(password, phc) {
      checks.push(phc);
      return argon2idHasher.verify(password, phc);
    },
  };
}

const costOf = (phc: string) => /^\$argon2id\$v=19\$(m=\d+,t=\d+,p=\d+)\$/.exec(phc)?.[1];

describe('signing in', () => {
  let now: number;
  let passwords: ReturnType<typeof watchedHasher>;
  let auth: AuthService;
  let ownerHash: string;

  beforeEach(async () => {
    now = START;
    passwords = watchedHasher();
    const store = new MemoryStore();
    auth = new AuthService({ store, clock: { now: () => now }, passwords });
    const owner = await auth.createUser({ name: 'Olive', email: 'olive@example.com', password: RIGHT }, 'owner');
    ownerHash = owner.passwordHash!;
  });

  const refusal = async (email: string, password: string, address: string) => {
    try {
      await auth.login(email, password, address);
    } catch (error) {
      return error as { code: string; context: { retryAfterSeconds?: number } };
    }
    assert.fail('expected the sign-in to be refused');
  };

  it('checks an unknown email’s password with argon2id at the same cost as a known account’s', async () => {
    assert.equal((await refusal('nobody@example.com', 'a guess', '192.0.2.1')).code, 'unauthenticated');
    assert.equal(passwords.checks.length, 1, 'the hash function runs for an unknown email');
    assert.equal((await refusal('olive@example.com', 'a guess', '192.0.2.1')).code, 'unauthenticated');
    assert.equal(passwords.checks.length, 2);
    assert.equal(passwords.checks[1], ownerHash);
    assert.notEqual(passwords.checks[0], ownerHash);
    assert.equal(costOf(passwords.checks[0]), costOf(ownerHash), 'same memory, passes and lanes');
  });

  it('lets the right password in from an address with no failures while another address hammers the account', async () => {
    const fromA = [];
    for (let i = 0; i < 20; i++) fromA.push((await refusal('olive@example.com', `guess ${i}`, '192.0.2.1')).code);
    assert.deepEqual(fromA.slice(0, LOGIN_THROTTLE.freePerAccount), Array(LOGIN_THROTTLE.freePerAccount).fill('unauthenticated'));
    assert.ok(fromA.slice(LOGIN_THROTTLE.freePerAccount).every((code) => code === 'rate_limited'), 'A is slowed down');
    assert.equal(passwords.checks.length, LOGIN_THROTTLE.freePerAccount, 'refused attempts cost no hashing');

    const { user } = await auth.login('olive@example.com', RIGHT, '198.51.100.7');
    assert.equal(user.email, 'olive@example.com');

    // A, even with the right password, waits: the wait doubles with each failure past the free ones.
    const slowed = await refusal('olive@example.com', RIGHT, '192.0.2.1');
    assert.equal(slowed.code, 'rate_limited');
    assert.equal(slowed.context.retryAfterSeconds, 1);
    now += 1000;
    await refusal('olive@example.com', 'guess again', '192.0.2.1');
    const longer = await refusal('olive@example.com', RIGHT, '192.0.2.1');
    assert.equal(longer.context.retryAfterSeconds, 2, 'each further failure doubles the wait');
    now += 2000;
    assert.ok(await auth.login('olive@example.com', RIGHT, '192.0.2.1'), 'after the wait, A gets in too');
    // Its count for this account is cleared by the right password.
    assert.equal((await refusal('olive@example.com', 'typo', '192.0.2.1')).code, 'unauthenticated');
  });

  it('slows an address that tries many accounts', async () => {
    for (let i = 0; i < LOGIN_THROTTLE.freePerAddress; i++) {
      assert.equal((await refusal(`user${i}@example.com`, 'guess', '192.0.2.9')).code, 'unauthenticated');
    }
    assert.equal((await refusal('olive@example.com', RIGHT, '192.0.2.9')).code, 'rate_limited');
    assert.ok(await auth.login('olive@example.com', RIGHT, '192.0.2.10'));
  });

  it('lets no more guesses through when they are sent all at once', async () => {
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => auth.login('olive@example.com', `guess ${i}`, '192.0.2.3')));
    const codes = results.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'signed-in'));
    assert.equal(codes.filter((c) => c === 'unauthenticated').length, LOGIN_THROTTLE.freePerAccount);
    assert.equal(codes.filter((c) => c === 'rate_limited').length, 12 - LOGIN_THROTTLE.freePerAccount);
  });

  it('forgets failures after a day', async () => {
    for (let i = 0; i < 8; i++) await refusal('olive@example.com', `guess ${i}`, '192.0.2.4');
    now += LOGIN_THROTTLE.forgetAfterMs + 1;
    assert.equal((await refusal('olive@example.com', 'guess', '192.0.2.4')).code, 'unauthenticated');
  });
});
