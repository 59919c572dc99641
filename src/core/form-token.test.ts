import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { issueFormToken, verifyFormToken } from './form-token.ts';

const secret = 's'.repeat(32);
const issuedAt = Date.UTC(2024, 0, 15, 12);
const token = issueFormToken({ secret, postId: 42, issuedAt });

describe('comment form token', () => {
  it('is compact and URL-safe', () => {
    assert.match(token, /^[0-9a-z]+\.[0-9a-z]+\.[A-Za-z0-9_-]{43}$/);
    assert.ok(token.length < 70);
  });

  it('accepts a form submitted by a person, after a few seconds', () => {
    assert.deepEqual(verifyFormToken(token, { secret, postId: 42, now: issuedAt + 3_000 }), { ok: true });
    assert.deepEqual(verifyFormToken(token, { secret, postId: 42, now: issuedAt + 23 * 3_600_000 }), { ok: true });
  });

  it('refuses a form submitted faster than a person types (too-fast)', () => {
    assert.deepEqual(verifyFormToken(token, { secret, postId: 42, now: issuedAt }), { ok: false, reason: 'too-fast' });
    assert.deepEqual(verifyFormToken(token, { secret, postId: 42, now: issuedAt + 2_999 }), { ok: false, reason: 'too-fast' });
    assert.deepEqual(verifyFormToken(token, { secret, postId: 42, now: issuedAt + 9_000, minSeconds: 10 }), { ok: false, reason: 'too-fast' });
    assert.deepEqual(verifyFormToken(token, { secret, postId: 42, now: issuedAt, minSeconds: 0 }), { ok: true });
  });

  it('refuses an old form (expired)', () => {
    assert.deepEqual(verifyFormToken(token, { secret, postId: 42, now: issuedAt + 24 * 3_600_000 + 1 }), { ok: false, reason: 'expired' });
    assert.deepEqual(verifyFormToken(token, { secret, postId: 42, now: issuedAt + 61_000, maxAgeSeconds: 60 }), { ok: false, reason: 'expired' });
  });

  it('refuses a token fetched for another post (wrong-post)', () => {
    assert.deepEqual(verifyFormToken(token, { secret, postId: 43, now: issuedAt + 5_000 }), { ok: false, reason: 'wrong-post' });
  });

  it('refuses anything not signed with the secret (invalid)', () => {
    const check = { secret, postId: 42, now: issuedAt + 5_000 };
    const [post, time, signature] = token.split('.');
    const forged = [
      issueFormToken({ secret: 'another secret of thirty-two chars', postId: 42, issuedAt }),
      `${post}.${(issuedAt - 60_000).toString(36)}.${signature}`, // backdated to skip the wait
      `${(43).toString(36)}.${time}.${signature}`,
      `${post}.${time}.${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`,
      `${post}.${time}`,
      '',
      'garbage',
      `${token}.extra`,
      undefined,
      null,
      42,
      ['a', 'b'],
      'x'.repeat(10_000),
    ];
    for (const candidate of forged) assert.deepEqual(verifyFormToken(candidate, check), { ok: false, reason: 'invalid' }, String(candidate).slice(0, 60));
  });

  it('tolerates a little clock skew between instances, but not a token from the future', () => {
    assert.deepEqual(verifyFormToken(token, { secret, postId: 42, now: issuedAt - 30_000, minSeconds: 0 }), { ok: true });
    assert.deepEqual(verifyFormToken(token, { secret, postId: 42, now: issuedAt - 30_000 }), { ok: false, reason: 'too-fast' });
    assert.deepEqual(verifyFormToken(token, { secret, postId: 42, now: issuedAt - 3_600_000 }), { ok: false, reason: 'invalid' });
  });

  it('refuses to issue a token for a nonsensical post or time', () => {
    assert.throws(() => issueFormToken({ secret, postId: -1, issuedAt }), RangeError);
    assert.throws(() => issueFormToken({ secret, postId: 1.5, issuedAt }), RangeError);
    assert.throws(() => issueFormToken({ secret, postId: 1, issuedAt: Number.NaN }), RangeError);
  });
});
