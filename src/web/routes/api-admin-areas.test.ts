import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startTestKumbaya, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';

type Operation = { security?: unknown; responses: Record<string, unknown>; operationId?: string };

const AREAS = [
  '/api/tags',
  '/api/uploads',
  '/api/subscriptions',
  '/api/settings',
  '/api/webmentions',
  '/api/fediverse',
  '/api/jobs',
  '/api/trash',
  '/api/posts/bulk',
  '/api/posts/{id}/restore',
  '/api/posts/{id}/duplicate',
  '/api/posts/{id}/revisions',
  '/api/users',
  '/api/invitations',
  '/api/tokens',
  '/api/comment-settings',
  '/api/mail',
  '/api/sites',
  '/api/imports',
  '/api/preview',
  '/api/dashboard',
  '/api/me',
  '/api/comments/{id}/post-idea',
];
/** Reads that only the owner's admin scope allows, as their admin pages are the owner's alone. */
const ADMIN_READS = ['/api/settings', '/api/users', '/api/invitations', '/api/fediverse/settings', '/api/sites', '/api/sites/{id}/threads', '/api/sites/threads/{id}', '/api/imports/{id}'];

// The document does not depend on the database: one engine is enough.
describe('/api/openapi.json: the admin areas (tags, uploads, subscriptions, settings, webmentions, fediverse, jobs, posts’ trash and revisions, users, tokens, comment settings, mail, sites)', () => {
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
      'DELETE /api/fediverse/mentions/{id}',
      'DELETE /api/invitations/{id}',
      'DELETE /api/sites/threads/{id}',
      'DELETE /api/sites/{id}',
      'DELETE /api/subscriptions/{id}',
      'DELETE /api/tags/{id}',
      'DELETE /api/tokens/{id}',
      'DELETE /api/trash/{id}',
      'DELETE /api/uploads/{hash}',
      'DELETE /api/users/{id}',
      'GET /api/comment-settings',
      'GET /api/dashboard',
      'GET /api/fediverse/blocks',
      'GET /api/fediverse/deliveries',
      'GET /api/fediverse/followers',
      'GET /api/fediverse/mentions',
      'GET /api/fediverse/settings',
      'GET /api/imports/{id}',
      'GET /api/invitations',
      'GET /api/jobs',
      'GET /api/mail',
      'GET /api/mail/messages',
      'GET /api/mail/preference',
      'GET /api/me',
      'GET /api/posts/{id}/revisions',
      'GET /api/posts/{id}/revisions/{revision}',
      'GET /api/settings',
      'GET /api/sites',
      'GET /api/sites/threads/{id}',
      'GET /api/sites/{id}/threads',
      'GET /api/subscriptions',
      'GET /api/tags',
      'GET /api/tokens',
      'GET /api/trash',
      'GET /api/uploads',
      'GET /api/uploads/{hash}',
      'GET /api/users',
      'GET /api/webmentions/received',
      'GET /api/webmentions/sent',
      'PATCH /api/comment-settings',
      'PATCH /api/fediverse/settings',
      'PATCH /api/me',
      'PATCH /api/settings',
      'PATCH /api/sites/threads/{id}',
      'PATCH /api/tags/{id}',
      'PATCH /api/uploads/{hash}',
      'PATCH /api/users/{id}',
      'POST /api/comments/{id}/post-idea',
      'POST /api/fediverse/blocks/domain',
      'POST /api/fediverse/blocks/import',
      'POST /api/fediverse/deliveries/{id}/retry',
      'POST /api/fediverse/followers/accept',
      'POST /api/fediverse/followers/block',
      'POST /api/fediverse/followers/remove',
      'POST /api/imports',
      'POST /api/imports/{id}/assign',
      'POST /api/invitations',
      'POST /api/invitations/{id}/resend',
      'POST /api/jobs/{id}/retry',
      'POST /api/mail/messages/{id}/retry',
      'POST /api/mail/retry-failed',
      'POST /api/posts/bulk',
      'POST /api/posts/{id}/duplicate',
      'POST /api/posts/{id}/restore',
      'POST /api/posts/{id}/revisions/{revision}/restore',
      'POST /api/preview',
      'POST /api/sites',
      'POST /api/subscriptions/{id}/unsubscribe',
      'POST /api/tags',
      'POST /api/uploads',
      'POST /api/webmentions/resend',
      'POST /api/webmentions/{id}/moderate',
      'PUT /api/mail/preference',
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
        if (method === 'get') assert.equal(security[0].bearerAuth![0], ADMIN_READS.includes(path) ? 'admin' : 'read', `${method} ${path} reads`);
        for (const status of ['401', '403']) assert.ok(operation.responses[status], `${method} ${path} documents ${status}`);
      }
    }
    for (const name of ['Tag', 'Upload', 'Subscription', 'Settings', 'ReceivedMention', 'SentMention', 'Follower', 'Delivery', 'Job', 'BulkResult', 'Revision', 'User', 'Invitation', 'Token', 'CommentSettings', 'MailStatus', 'FediverseSettings', 'PrivateMention', 'Site', 'SiteThread', 'Import', 'Preview', 'Dashboard', 'Me', 'DuplicateList', 'ForgottenList']) assert.ok(doc.components.schemas[name], `schema ${name}`);
  });
});
