import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inboxesArePublic } from './inbox-address.ts';

describe('inboxesArePublic: where the blog may deliver', () => {
  it('refuses inboxes on private, loopback, link-local and reserved addresses', async () => {
    for (const inbox of ['https://127.0.0.1/inbox', 'https://10.0.0.8/inbox', 'https://169.254.169.254/latest/meta-data', 'https://[::1]/inbox', 'https://[fd00::1]/inbox', 'https://0.0.0.0/inbox', 'https://localhost/inbox']) {
      assert.equal(await inboxesArePublic([inbox], false), false, inbox);
    }
  });

  it('refuses what is not https, a malformed address, and a name that resolves to nothing', async () => {
    for (const inbox of ['http://93.184.215.14/inbox', 'ftp://93.184.215.14/inbox', 'not a url', 'https://no-such-host.invalid/inbox']) {
      assert.equal(await inboxesArePublic([inbox], false), false, inbox);
    }
  });

  it('accepts public https inboxes, judges every inbox given (a shared inbox too), and skips absent ones', async () => {
    assert.equal(await inboxesArePublic(['https://93.184.215.14/users/a/inbox', null], false), true);
    assert.equal(await inboxesArePublic(['https://93.184.215.14/users/a/inbox', 'https://192.168.1.1/inbox'], false), false);
  });

  it('lets tests use local servers over http when FEDIVERSE_ALLOW_PRIVATE is set', async () => {
    assert.equal(await inboxesArePublic(['http://127.0.0.1:8080/inbox'], true), true);
    assert.equal(await inboxesArePublic(['file:///etc/passwd'], true), false);
  });
});
