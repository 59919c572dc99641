import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signLink, verifyLink } from './signed-link.ts';

const SECRET = 'a-secret-of-at-least-thirty-two-characters';
const NOW = Date.UTC(2024, 0, 15, 12);

describe('signed links', () => {
  it('carry their payload until they expire', () => {
    const token = signLink(SECRET, 'moderate', { c: 42, a: 'approve' }, NOW + 1000);
    assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/, 'URL-safe as it is');
    assert.deepEqual(verifyLink(SECRET, 'moderate', token, NOW), { ok: true, payload: { c: 42, a: 'approve' }, expiresAt: NOW + 1000 });
    assert.deepEqual(verifyLink(SECRET, 'moderate', token, NOW + 999).ok, true);
    assert.deepEqual(verifyLink(SECRET, 'moderate', token, NOW + 1000), { ok: false, reason: 'expired' });
  });

  it('refuse another secret, another purpose, and any change to the payload or expiry', () => {
    const token = signLink(SECRET, 'moderate', { c: 42, a: 'approve' }, NOW + 1000);
    assert.deepEqual(verifyLink(`${SECRET}x`, 'moderate', token, NOW), { ok: false, reason: 'bad-signature' });
    assert.deepEqual(verifyLink(SECRET, 'unsubscribe', token, NOW), { ok: false, reason: 'bad-signature' });
    const [, signature] = token.split('.');
    for (const forged of [{ p: { c: 42, a: 'spam' }, e: NOW + 1000 }, { p: { c: 43, a: 'approve' }, e: NOW + 1000 }, { p: { c: 42, a: 'approve' }, e: NOW + 10 ** 9 }]) {
      const body = Buffer.from(JSON.stringify(forged)).toString('base64url');
      assert.deepEqual(verifyLink(SECRET, 'moderate', `${body}.${signature}`, NOW), { ok: false, reason: 'bad-signature' });
    }
  });

  it('say "malformed" for anything that is not a token', () => {
    const valid = signLink(SECRET, 'moderate', { c: 1 }, NOW + 1000);
    for (const junk of ['', 'abc', `${valid}.x`, `${valid.split('.')[0]}.short`, 'a b.c', `<script>.${'x'.repeat(43)}`]) {
      assert.deepEqual(verifyLink(SECRET, 'moderate', junk, NOW), { ok: false, reason: 'malformed' }, junk);
    }
  });
});
