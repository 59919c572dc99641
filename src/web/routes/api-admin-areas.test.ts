import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startTestKumbaya, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';

type Operation = { security?: unknown; responses: Record<string, unknown>; operationId?: string };

const AREAS = ['/api/tags', '/api/uploads', '/api/subscriptions', '/api/settings', '/api/webmentions', '/api/fediverse', '/api/jobs'];

// The document does not depend on the database: one engine is enough.
describe('/api/openapi.json: the admin areas (tags, uploads, subscriptions, settings, webmentions, fediverse, jobs)', () => {
  let k: TestKumbaya;
  let doc: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

  before(async () => {
    k = await startTestKumbaya();
    doc = (await (await k.request('/api/openapi.json')).json()) as typeof doc;
  });
  after(() => k.cleanup());

  test('the document still validates as OpenAPI 3.1, with every $ref resolved', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    assert.deepEqual(result.errors ?? [], []);
    assert.equal(result.valid, true);
    validator.resolveRefs();
  });

  test('describes every address of these areas, each needing a token with one scope and documenting 401 and 403', () => {
    const documented = Object.entries(doc.paths)
      .filter(([path]) => AREAS.some((area) => path === area || path.startsWith(`${area}/`)))
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    assert.deepEqual(documented, [
      'DELETE /api/fediverse/blocks/{id}',
      'DELETE /api/subscriptions/{id}',
      'DELETE /api/tags/{id}',
      'DELETE /api/uploads/{hash}',
      'GET /api/fediverse/blocks',
      'GET /api/fediverse/deliveries',
      'GET /api/fediverse/followers',
      'GET /api/jobs',
      'GET /api/settings',
      'GET /api/subscriptions',
      'GET /api/tags',
      'GET /api/uploads',
      'GET /api/uploads/{hash}',
      'GET /api/webmentions/received',
      'GET /api/webmentions/sent',
      'PATCH /api/settings',
      'PATCH /api/tags/{id}',
      'PATCH /api/uploads/{hash}',
      'POST /api/fediverse/blocks/domain',
      'POST /api/fediverse/deliveries/{id}/retry',
      'POST /api/fediverse/followers/accept',
      'POST /api/fediverse/followers/block',
      'POST /api/fediverse/followers/remove',
      'POST /api/jobs/{id}/retry',
      'POST /api/subscriptions/{id}/unsubscribe',
      'POST /api/tags',
      'POST /api/uploads',
      'POST /api/webmentions/resend',
      'POST /api/webmentions/{id}/moderate',
    ]);
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        assert.ok(operation.operationId && !ids.has(operation.operationId), `${method} ${path}: a unique operationId`);
        ids.add(operation.operationId);
        if (!AREAS.some((area) => path.startsWith(area))) continue;
        const security = operation.security as Array<{ bearerAuth?: string[] }>;
        assert.equal(security.length, 1, `${method} ${path} needs a token`);
        assert.equal(security[0].bearerAuth?.length, 1, `${method} ${path} names the one scope it needs`);
        assert.ok(['read', 'write', 'moderate', 'admin'].includes(security[0].bearerAuth![0]), `${method} ${path}: a scope`);
        if (method === 'get') assert.equal(security[0].bearerAuth![0], path === '/api/settings' ? 'admin' : 'read', `${method} ${path} reads`);
        for (const status of ['401', '403']) assert.ok(operation.responses[status], `${method} ${path} documents ${status}`);
      }
    }
    for (const name of ['Tag', 'Upload', 'Subscription', 'Settings', 'ReceivedMention', 'SentMention', 'Follower', 'Delivery', 'Job']) assert.ok(doc.components.schemas[name], `schema ${name}`);
  });
});
