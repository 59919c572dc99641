import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Role, User } from '../../core/store.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  fields?: Record<string, string>;
}

/**
 * Issue 13, point 1, the API's infrastructure: tokens carry scopes and may expire; every
 * error under /api is an RFC 9457 problem; reads carry a weak ETag and answer 304.
 * (Every answer here is also checked against /api/openapi.json by test-kumbaya's request.)
 */
for (const { engine, skip } of testEngines()) {
  describe(`API tokens, problems and ETags (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let now = Date.parse('2031-03-01T09:00:00Z');
    const clock = { now: () => now };
    let users = 0;

    async function user(role: Role): Promise<User> {
      users++;
      return k.deps.auth.createUser({ name: `${role} ${users}`, email: `tokens-${role}-${users}@example.com`, password: 'correct horse battery' }, role);
    }

    async function token(owner: User, scopes?: string[], expiresAt?: number | null): Promise<string> {
      return (await k.deps.auth.createApiToken(owner, 'test', { scopes, expiresAt })).secret;
    }

    function call(method: string, path: string, secret?: string, body?: unknown, headers: Record<string, string> = {}) {
      const all: Record<string, string> = { ...headers };
      if (secret) all.authorization = `Bearer ${secret}`;
      if (body !== undefined) all['content-type'] = 'application/json';
      return k.request(path, { method, headers: all, body: body === undefined ? undefined : JSON.stringify(body) });
    }

    async function problemOf(res: Response, status: number): Promise<Problem> {
      const text = await res.text();
      assert.equal(res.status, status, text);
      assert.equal(res.headers.get('content-type'), 'application/problem+json');
      const problem = JSON.parse(text) as Problem;
      assert.equal(problem.status, status);
      assert.equal(problem.type, `urn:kumbaya:problem:${problem.code}`);
      assert.ok(problem.title.length > 0 && problem.detail.length > 0);
      return problem;
    }

    before(async () => {
      k = await startTestKumbaya({ engine, clock });
    });
    after(() => k.cleanup());

    test('a token without the scope an operation needs is refused with 403 insufficient_scope, naming the scope', async () => {
      const author = await user('author');
      const readOnly = await token(author, ['read']);
      const refused = await problemOf(await call('POST', '/api/posts', readOnly, { title: 'Not with this token' }), 403);
      assert.equal(refused.code, 'insufficient_scope');
      assert.match(refused.detail, /“write” scope; it has read\./);
      assert.equal((await k.deps.store.posts.listAdmin({ authorId: author.id, limit: 10, offset: 0 })).total, 0, 'nothing was created');

      const res = await call('POST', '/api/posts', readOnly, { title: 'Again' });
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="Kumbaya", error="insufficient_scope", scope="write"');
      assert.match(res.headers.get('cache-control') ?? '', /no-store/);

      const writeOnly = await token(author, ['write']);
      assert.equal((await call('POST', '/api/posts', writeOnly, { title: 'With write' })).status, 201);
      const cannotRead = await problemOf(await call('GET', '/api/posts?status=all', writeOnly), 403);
      assert.equal(cannotRead.code, 'insufficient_scope');
      assert.equal((await call('GET', '/api/posts', readOnly)).status, 200);
      assert.equal((await call('GET', '/api/posts')).status, 200, 'public reads need no token at all');
    });

    test('people: read for reading, moderate for changes; the role checks still apply', async () => {
      const moderator = await user('moderator');
      const reader = await token(moderator, ['read']);
      assert.equal((await call('GET', '/api/people', reader)).status, 200);
      const someone = await k.deps.store.people.upsertByEmail({ name: 'Rita', email: 'rita@example.com', website: null }, now);
      const refused = await call('PUT', `/api/people/${someone.id}/trust`, reader, { trust: 'hold' });
      assert.equal((await problemOf(refused, 403)).code, 'insufficient_scope');
      assert.match(refused.headers.get('www-authenticate') ?? '', /scope="moderate"/);
      assert.equal((await k.deps.store.people.summary(someone.id))?.trust.trust, 'normal', 'nothing changed');

      const moderating = await token(moderator, ['read', 'moderate']);
      assert.equal((await call('PUT', `/api/people/${someone.id}/trust`, moderating, { trust: 'hold' })).status, 200);
      // An author's token with every scope still cannot open People: that is the role's answer.
      const author = await token(await user('author'));
      assert.equal((await problemOf(await call('GET', '/api/people', author), 403)).code, 'forbidden');
    });

    test('a token never carries a scope beyond its user’s role, and loses it when the role does', async () => {
      const author = await user('author');
      await assert.rejects(k.deps.auth.createApiToken(author, 'too much', { scopes: ['read', 'admin'] }), /an author may give a token read, write, moderate, not admin/);
      await assert.rejects(k.deps.auth.createApiToken(author, 'nothing', { scopes: [] }), /at least one scope/);
      await assert.rejects(k.deps.auth.createApiToken(author, 'odd', { scopes: ['delete'] }), /Unknown scope “delete”/);
      await assert.rejects(k.deps.auth.createApiToken(author, 'past', { expiresAt: now - 1 }), /in the future/);

      const owner = await user('owner');
      const { secret, token: created } = await k.deps.auth.createApiToken(owner, 'everything');
      assert.equal(created.scopes, 'read write moderate admin', 'left out: all the role allows');
      assert.equal(created.expiresAt, null);
      await k.deps.auth.createUser({ name: 'Other owner', email: `second-owner-${users}@example.com`, password: 'correct horse battery' }, 'owner');
      await k.deps.store.users.update(owner.id, { role: 'author' });
      const resolved = await k.deps.auth.authenticateApiToken(secret);
      assert.equal(resolved.status, 'ok');
      assert.deepEqual(resolved.status === 'ok' && resolved.scopes, ['read', 'write', 'moderate']);
    });

    test('an expired token is refused with 401 invalid_token saying when it expired, and is not marked used', async () => {
      const author = await user('author');
      const expiresAt = now + 2 * HOUR;
      const secret = await token(author, ['read', 'write'], expiresAt);
      assert.equal((await call('GET', '/api/posts?status=all', secret)).status, 200);
      const usedAt = now;
      now += 3 * HOUR;
      const res = await call('GET', '/api/posts?status=all', secret);
      const problem = await problemOf(res, 401);
      assert.equal(problem.code, 'invalid_token');
      assert.equal(problem.detail, `The token expired at ${new Date(expiresAt).toISOString()}. Create a new one in Admin → Tokens.`);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="Kumbaya", error="invalid_token", error_description="The token expired at /);
      const [stored] = await k.deps.store.apiTokens.listForUser(author.id);
      assert.equal(stored.lastUsedAt, usedAt, 'a refused token is not marked used');
      assert.equal(await k.deps.auth.resolveApiToken(secret), null);
    });

    test('errors are problems with a stable type per code, also for bodies and addresses the API does not know', async () => {
      const invalid = await problemOf(await call('GET', '/api/posts?per_page=0'), 422);
      assert.deepEqual(
        { type: invalid.type, title: invalid.title, code: invalid.code, fields: invalid.fields },
        { type: 'urn:kumbaya:problem:validation_failed', title: 'Some fields are not valid', code: 'validation_failed', fields: { per_page: 'Use a whole number from 1 to 50.' } },
      );
      const missing = await problemOf(await call('GET', '/api/no-such-thing'), 404);
      assert.equal(missing.type, 'urn:kumbaya:problem:not_found');
      const secret = await token(await user('author'));
      const bad = await problemOf(await call('POST', '/api/posts', secret, undefined, { 'content-type': 'application/json' }), 400);
      assert.equal(bad.code, 'invalid_json');
      const noToken = await problemOf(await call('POST', '/api/posts', undefined, { title: 'x' }), 401);
      assert.equal(noToken.code, 'unauthenticated');
    });

    test('reads carry a weak ETag; sending it back answers 304 until the list changes', async () => {
      const owner = await user('owner');
      const post = await k.deps.posts.create(owner, { title: 'First for the etag' });
      await k.deps.posts.publish(owner, post.id);
      const first = await call('GET', '/api/posts');
      const etag = first.headers.get('etag');
      assert.match(etag ?? '', /^W\/"[^"]+"$/);
      const again = await call('GET', '/api/posts', undefined, undefined, { 'if-none-match': etag! });
      assert.equal(again.status, 304);
      assert.equal(await again.text(), '');
      assert.equal(again.headers.get('etag'), etag);
      assert.match(again.headers.get('vary') ?? '', /Authorization/);
      assert.match(again.headers.get('cache-control') ?? '', /^public, max-age=\d+$/);

      const other = await call('GET', '/api/posts?per_page=1', undefined, undefined, { 'if-none-match': etag! });
      assert.equal(other.status, 200, 'another query is another answer');

      now += DAY;
      const second = await k.deps.posts.create(owner, { title: 'Second for the etag' });
      await k.deps.posts.publish(owner, second.id);
      const changed = await call('GET', '/api/posts', undefined, undefined, { 'if-none-match': etag! });
      assert.equal(changed.status, 200);
      assert.notEqual(changed.headers.get('etag'), etag);

      // With a token: never cached by others, but revalidated all the same (here People's list).
      const secret = await token(owner, ['read']);
      const people = await call('GET', '/api/people', secret);
      const peopleTag = people.headers.get('etag')!;
      const unchanged = await call('GET', '/api/people', secret, undefined, { 'if-none-match': peopleTag });
      assert.equal(unchanged.status, 304);
      assert.match(unchanged.headers.get('cache-control') ?? '', /no-store/);
      assert.match(unchanged.headers.get('vary') ?? '', /Authorization/);
    });
  });
}
