import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { OutboxWrite, User } from '../../core/store.ts';
import { ApiClient } from '../../../test/helpers/api-client.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';
import { apiMailListSchema, apiMailPreferenceSchema, apiMailStatusSchema, apiRetriedSchema } from '../openapi-mail.ts';

const message = (key: string, to: string): OutboxWrite => ({ idempotencyKey: key, kind: 'reply', to, subject: `About ${key}`, text: 'secret link', html: '<p>x</p>', headers: {} });

for (const { engine, skip } of testEngines()) {
  describe(`JSON API: mail outbox and notification choice (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let api: ApiClient;
    let owner: { user: User; secret: string };
    let author: { user: User; secret: string };
    let moderator: { user: User; secret: string };
    const ids: Record<string, number> = {};

    before(async () => {
      k = await startTestKumbaya({ engine });
      api = new ApiClient(k);
      owner = await api.token('owner');
      author = await api.token('author');
      moderator = await api.token('moderator');
      const now = k.deps.clock.now();
      for (const [key, to] of [['a', 'ann@example.com'], ['b', 'bo@example.com'], ['c', 'cy@example.com']]) await k.deps.store.outbox.enqueue(message(key, to), now);
      for (const m of (await k.deps.store.outbox.list({ limit: 50, offset: 0 })).items) ids[m.subject.slice(-1)] = m.id;
      await k.deps.store.outbox.markFailed(ids.a, 'Connection refused', null, now);
      await k.deps.store.outbox.markFailed(ids.b, 'Mailbox full', null, now);
      await k.deps.store.outbox.markSent(ids.c, now);
    });
    after(() => k.cleanup());

    test('the status says how mail is sent and counts the outbox; the list filters by status and never shows the text', async () => {
      const status = await api.expect('GET', '/api/mail', 200, { token: moderator.secret, schema: apiMailStatusSchema });
      assert.equal(status.transport, k.deps.mail.transport);
      assert.deepEqual(status.counts, { pending: 0, sent: 1, failed: 2 });
      const failed = await api.expect('GET', '/api/mail/messages?status=failed', 200, { token: owner.secret, schema: apiMailListSchema });
      assert.deepEqual(failed.messages.map((m: any) => [m.to, m.last_error]).sort(), [
        ['ann@example.com', 'Connection refused'],
        ['bo@example.com', 'Mailbox full'],
      ]);
      assert.equal(failed.total, 2);
      const all = await api.expect('GET', '/api/mail/messages?per_page=1', 200, { token: owner.secret });
      assert.deepEqual([all.messages.length, all.total], [1, 3]);
      assert.ok(!JSON.stringify(all).includes('secret link'));
      assert.equal((await api.refused('GET', '/api/mail/messages?status=lost', 422, { token: owner.secret })).fields?.status, 'Use pending, sent or failed.');
    });

    test('retries one failed mail, then every failed one; a sent mail is not retried', async () => {
      assert.deepEqual(await api.expect('POST', `/api/mail/messages/${ids.a}/retry`, 200, { token: moderator.secret, schema: apiRetriedSchema }), { retried: 1 });
      assert.equal((await api.expect('GET', '/api/mail', 200, { token: owner.secret })).counts.failed, 1);
      assert.equal((await api.refused('POST', `/api/mail/messages/${ids.c}/retry`, 404, { token: owner.secret })).message, 'The failed mail was not found.');
      assert.equal((await api.refused('POST', '/api/mail/messages/999999/retry', 404, { token: owner.secret })).code, 'not_found');
      assert.deepEqual(await api.expect('POST', '/api/mail/retry-failed', 200, { token: owner.secret }), { retried: 1 });
      const counts = (await api.expect('GET', '/api/mail', 200, { token: owner.secret })).counts;
      assert.deepEqual([counts.failed, counts.sent], [0, 1]);
    });

    test('the owner and authors choose one email per comment or a daily digest', async () => {
      assert.deepEqual(await api.expect('GET', '/api/mail/preference', 200, { token: author.secret, schema: apiMailPreferenceSchema }), { mode: 'each' });
      assert.deepEqual(await api.expect('PUT', '/api/mail/preference', 200, { token: author.secret, body: { mode: 'digest' } }), { mode: 'digest' });
      assert.deepEqual(await api.expect('GET', '/api/mail/preference', 200, { token: author.secret }), { mode: 'digest' });
      assert.deepEqual(await api.expect('GET', '/api/mail/preference', 200, { token: owner.secret }), { mode: 'each' }, 'each person’s own');
      assert.equal((await api.refused('PUT', '/api/mail/preference', 422, { token: author.secret, body: { mode: 'weekly' } })).message, 'Choose one email per comment or a daily digest.');
      assert.equal((await api.refused('PUT', '/api/mail/preference', 400, { token: author.secret, body: '{' })).code, 'invalid_json');
      assert.equal((await api.refused('GET', '/api/mail/preference', 403, { token: moderator.secret })).message, 'Only the owner and authors are emailed about comments.');
    });

    test('authors, anonymous callers and tokens without the scope are refused the outbox', async () => {
      assert.equal((await api.refused('GET', '/api/mail/messages', 403, { token: author.secret })).message, 'Only the owner and moderators can manage the mail outbox.');
      assert.equal((await api.refused('POST', '/api/mail/retry-failed', 403, { token: author.secret })).code, 'forbidden');
      const readOnly = (await k.deps.auth.createApiToken(moderator.user, 'reader', { scopes: ['read'] })).secret;
      assert.equal((await api.refused('POST', `/api/mail/messages/${ids.a}/retry`, 403, { token: readOnly })).code, 'insufficient_scope');
      assert.equal((await api.refused('GET', '/api/mail', 401)).code, 'unauthenticated');
    });
  });
}
