import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { startTestKumbaya, testEngines, type TestKumbaya } from '../../test/helpers/test-kumbaya.ts';
import { parseExpiry, tokenCreateCommand } from './token-create.ts';

const DAY = 24 * 3600 * 1000;

/** `token create` with --scopes and --expires, on each engine (cli.test.ts runs the real process on SQLite). */
for (const { engine, skip } of testEngines()) {
  describe(`token create --scopes --expires (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    before(async () => {
      k = await startTestKumbaya({ engine });
      await k.deps.auth.createUser({ name: 'Mo', email: 'mo@example.com', password: 'correct horse battery' }, 'moderator');
    });
    after(() => k.cleanup());

    async function create(options: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
      let stdout = '';
      let stderr = '';
      const out = new PassThrough().on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const err = new PassThrough().on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await tokenCreateCommand.run({ options, args: [], io: { stdout: out, stderr: err, stdin: new PassThrough(), env: {} }, config: () => k.config, open: async () => k, openStore: async () => k.deps.store, publish: async (topic) => k.deps.changes.publish(topic) });
      return { stdout, stderr };
    }

    test('the token carries the scopes and expiry given, and the API holds it to them', async () => {
      const before = Date.now();
      const { stdout, stderr } = await create({ email: 'mo@example.com', name: 'inbox bot', scopes: 'read,moderate', expires: '2w' });
      assert.match(stderr, /may read, moderate; expires /);
      const secret = stdout.trim();
      const resolved = await k.deps.auth.authenticateApiToken(secret);
      assert.equal(resolved.status, 'ok');
      if (resolved.status !== 'ok') return;
      assert.deepEqual(resolved.scopes, ['read', 'moderate']);
      assert.ok(resolved.token.expiresAt! >= before + 14 * DAY && resolved.token.expiresAt! <= Date.now() + 14 * DAY);
      const headers = { authorization: `Bearer ${secret}` };
      assert.equal((await k.request('/api/people', { headers })).status, 200);
      const write = await k.request('/api/posts', { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{"title":"x"}' });
      assert.equal(write.status, 403);
      assert.equal(((await write.json()) as { code: string }).code, 'insufficient_scope');
    });

    test('refuses a scope beyond the role and names the ones it may have', async () => {
      await assert.rejects(create({ email: 'mo@example.com', name: 'x', scopes: 'admin' }), /a moderator may give a token read, write, moderate, not admin/);
      await assert.rejects(create({ email: 'mo@example.com', name: 'x', expires: 'soon' }), /--expires must be never/);
    });
  });
}

describe('--expires', () => {
  const now = Date.parse('2031-01-01T12:00:00Z');
  test('reads never, spans, dates and times with a zone; nothing else', () => {
    assert.equal(parseExpiry('never', now), null);
    assert.equal(parseExpiry('90d', now), now + 90 * DAY);
    assert.equal(parseExpiry('2w', now), now + 14 * DAY);
    assert.equal(parseExpiry('1y', now), now + 365 * DAY);
    assert.equal(parseExpiry('2031-12-31', now), Date.parse('2031-12-31T00:00:00Z'));
    assert.equal(parseExpiry('2031-12-31T08:30:00+02:00', now), Date.parse('2031-12-31T06:30:00Z'));
    for (const bad of ['', 'tomorrow', '90', '2031-12-31T08:30', '2031-13-45', 'd']) assert.equal(parseExpiry(bad, now), undefined, bad);
  });
});
