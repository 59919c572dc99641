import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { messageIdFor } from './mailer.ts';

describe('Message-ID from the idempotency key', () => {
  it('is <key@site host>, the same every time', () => {
    assert.equal(messageIdFor('digest-7-2024-01-15', 'https://blog.example.com'), '<digest-7-2024-01-15@blog.example.com>');
    assert.equal(messageIdFor('held:12:3', 'http://localhost:3000'), messageIdFor('held:12:3', 'http://localhost:3000'));
  });

  it('writes characters a Message-ID may not hold as =XX, keeping distinct keys distinct', () => {
    assert.equal(messageIdFor('reply:12:bob@example.com', 'https://blog.example.com'), '<reply=3A12=3Abob=40example.com@blog.example.com>');
    assert.equal(messageIdFor('a b', 'https://x.org'), '<a=20b@x.org>');
    assert.equal(messageIdFor('é', 'https://x.org'), '<=C3=A9@x.org>');
    assert.notEqual(messageIdFor('a=3A', 'https://x.org'), messageIdFor('a:', 'https://x.org'));
    // Dots only where dot-atom allows them.
    assert.equal(messageIdFor('.a..b.', 'https://x.org'), '<=2Ea.=2Eb=2E@x.org>');
    for (const key of ['reply:1:x@y.z', 'confirm:a.b@c.d', '<>()[]\\,;"', '\r\nBcc: evil@example.com']) {
      assert.match(messageIdFor(key, 'https://blog.example.com'), /^<[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@blog\.example\.com>$/, key);
    }
  });
});
