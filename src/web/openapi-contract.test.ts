import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiScopes } from '../core/api-scopes.ts';
import { OpenApiChecker } from '../../test/helpers/openapi-check.ts';
import { startTestKumbaya, type TestKumbaya } from '../../test/helpers/test-kumbaya.ts';
import { statusFor } from './errors.ts';
import { problemTitles } from './problem.ts';
import { apiRoutes } from './routes/api.ts';

type Json = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

/**
 * /api/openapi.json against the router and itself (issue 13, point 1): the same addresses
 * and methods both ways; every token operation names one scope; errors are problems; reads
 * answer 304. And the checker test-kumbaya.ts runs on every API answer catches what it should.
 */
describe('the OpenAPI document and the router', () => {
  let k: TestKumbaya;
  let doc: Json;

  before(async () => {
    k = await startTestKumbaya();
    doc = (await (await k.request('/api/openapi.json')).json()) as Json;
  });
  after(() => k.cleanup());

  const operations = () =>
    Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => METHODS.includes(method))
        .map(([method, operation]) => ({ path, method, operation: operation as Json })),
    );

  test('describes exactly what apiRoutes() serves, both ways', () => {
    const served = new Set(
      apiRoutes()
        .routes.filter((r) => r.method !== 'ALL')
        .map((r) => `${r.method} /api${r.path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}')}`),
    );
    const documented = new Set(operations().map((o) => `${o.method.toUpperCase()} ${o.path}`));
    assert.deepEqual([...served].filter((r) => !documented.has(r)).sort(), [], 'served but not documented');
    assert.deepEqual([...documented].filter((r) => !served.has(r)).sort(), [], 'documented but not served');
    assert.ok(served.size >= 20);
  });

  test('every operation that takes a token names one scope per alternative, and documents 401 and 403', () => {
    const schemes = doc.components.securitySchemes as Json;
    assert.equal(schemes.bearerAuth.scheme, 'bearer');
    for (const scope of apiScopes) assert.match(schemes.bearerAuth.description, new RegExp(`\`${scope}\`: `), `the ${scope} scope is described`);
    for (const { path, method, operation } of operations()) {
      const where = `${method} ${path}`;
      const security = (operation.security ?? doc.security) as Array<Record<string, string[]>>;
      const withToken = security.filter((s) => 'bearerAuth' in s);
      if (path === '/api/openapi.json') {
        assert.deepEqual(security, [{}], where);
        continue;
      }
      if (security.length === 1 && Object.keys(security[0]).length === 0) {
        // Open to anyone (a reader's comment from another site): no scope to name, but a
        // token sent anyway must be valid, so 401 is documented.
        assert.ok(operation.responses['401'], `${where} documents 401`);
        continue;
      }
      // Mostly one; an operation whose scope depends on whose thing it changes lists each
      // alternative as a requirement of its own (one's own reply: write; another's: moderate).
      assert.ok(withToken.length >= 1, `${where} takes a token`);
      for (const requirement of withToken) {
        const scopes = requirement.bearerAuth;
        assert.equal(scopes.length, 1, `${where} names the one scope each alternative needs (not ${JSON.stringify(scopes)})`);
        assert.ok((apiScopes as readonly string[]).includes(scopes[0]), `${where}: ${scopes[0]} is a scope`);
      }
      assert.ok(operation.responses['401'], `${where} documents 401`);
      assert.ok(operation.responses['403'], `${where} documents 403`);
    }
  });

  test('every error is an application/problem+json Problem; every read may answer 304', () => {
    const problem = doc.components.schemas.Problem as Json;
    assert.deepEqual([...problem.required].sort(), ['code', 'detail', 'status', 'title', 'type']);
    const resolve = (r: Json): Json => (r.$ref ? doc.components.responses[r.$ref.split('/').pop()] : r);
    for (const { path, method, operation } of operations()) {
      for (const [status, response] of Object.entries(operation.responses as Record<string, Json>)) {
        if (Number(status) < 400) continue;
        assert.deepEqual(resolve(response).content, { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } }, `${method} ${path} ${status}`);
      }
      if (method === 'get') {
        assert.ok(operation.responses['304'], `${method} ${path} documents 304`);
        assert.ok(operation.parameters.some((p: Json) => p.$ref === '#/components/parameters/IfNoneMatch'), `${method} ${path} takes If-None-Match`);
      }
    }
  });

  test('every error code has a title, and the document lists every code', () => {
    for (const code of Object.keys(statusFor)) assert.ok(problemTitles[code], `${code} has a title`);
    for (const code of Object.keys(problemTitles)) assert.match(doc.info.description, new RegExp(`\`${code}\``), `${code} is documented`);
  });

  describe('the checker every API test runs', () => {
    let checker: OpenApiChecker;
    before(() => {
      checker = new OpenApiChecker(doc);
    });
    const url = (path: string) => new URL(path, 'http://localhost:3000');
    const problem = (status: number, code: string, headers: Record<string, string> = {}) =>
      new Response(JSON.stringify({ type: `urn:kumbaya:problem:${code}`, title: 'T', status, detail: 'D', code }), { status, headers: { 'content-type': 'application/problem+json', ...headers } });
    const check = async (method: string, path: string, res: Response) => checker.check(method, url(path), res, res.body === null ? null : await res.clone().text());

    test('passes what the document describes', async () => {
      await check('GET', '/api/posts', Response.json({ posts: [], page: 1, per_page: 20, total: 0 }));
      await check('GET', '/api/people/labels', Response.json({ labels: ['a'] }));
      await check('DELETE', '/api/posts/3', new Response(null, { status: 204 }));
      await check('GET', '/api/posts', new Response(null, { status: 304 }));
      await check('GET', '/api/nothing', problem(404, 'not_found'));
      await check('POST', '/api/posts', problem(403, 'insufficient_scope', { 'www-authenticate': 'Bearer realm="Kumbaya", error="insufficient_scope", scope="write"' }));
    });

    test('fails an undocumented path, method or status, a wrong content type or body, or a scope the operation does not name', async () => {
      const fails = async (what: string, method: string, path: string, res: Response, message: RegExp) => {
        await assert.rejects(check(method, path, res), message, what);
      };
      await fails('path', 'GET', '/api/secret', Response.json({}), /the path is not documented/);
      await fails('method', 'PUT', '/api/posts', Response.json({}), /the method PUT is not documented for \/api\/posts/);
      await fails('status', 'GET', '/api/people/labels', problem(409, 'conflict'), /the status 409 is not documented/);
      await fails('content type', 'GET', '/api/people/labels', new Response('<p>hi</p>', { headers: { 'content-type': 'text/html' } }), /the content type text\/html is not documented/);
      await fails('body', 'GET', '/api/posts', Response.json({ posts: [{ id: 'one' }], page: 1, per_page: 20, total: 1 }), /does not match the documented schema: \/posts\/0/);
      await fails('problem as plain JSON', 'GET', '/api/posts/9', Response.json({ error: { code: 'not_found' } }, { status: 404 }), /the content type application\/json is not documented/);
      await fails('an incomplete problem', 'GET', '/api/posts/9', new Response('{"code":"not_found"}', { status: 404, headers: { 'content-type': 'application/problem+json' } }), /must have required property 'type'/);
      await fails('body where none is documented', 'GET', '/api/posts/old-slug', Response.json({ ok: true }, { status: 301 }), /has no body/);
      await fails(
        'scope',
        'POST',
        '/api/posts',
        problem(403, 'insufficient_scope', { 'www-authenticate': 'Bearer realm="Kumbaya", error="insufficient_scope", scope="admin"' }),
        /want of the scope "admin", but the operation documents \["write"\]/,
      );
    });
  });
});
