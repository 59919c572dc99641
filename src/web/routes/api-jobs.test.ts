import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { User } from '../../core/store.ts';
import { ApiClient } from '../../../test/helpers/api-client.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';
import { apiJobListSchema } from '../openapi-jobs.ts';

for (const { engine, skip } of testEngines()) {
  describe(`JSON API: jobs (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let api: ApiClient;
    let owner: { user: User; secret: string };
    let deadId: number;

    before(async () => {
      k = await startTestKumbaya({ engine });
      api = new ApiClient(k);
      owner = await api.token('owner');
      const now = k.deps.clock.now();
      await k.deps.store.jobs.enqueue({ kind: 'test-gives-up', key: 'api-jobs:dead', payload: { post: 7 }, runAt: now + 3_600_000 }, now);
      await k.deps.store.jobs.enqueue({ kind: 'test-waits', key: 'api-jobs:pending', payload: {}, runAt: now + 3_600_000 }, now);
      deadId = (await k.deps.store.jobs.list({ kind: 'test-gives-up', limit: 1, offset: 0 })).items[0].id;
      await k.deps.store.jobs.fail(deadId, 'the endpoint answered 500', null, now);
    });
    after(() => k.cleanup());

    test('lists jobs by status with their last error, and the counts', async () => {
      const dead = await api.expect('GET', '/api/jobs?status=dead', 200, { token: owner.secret, schema: apiJobListSchema });
      assert.deepEqual(dead.jobs.map((j: any) => [j.id, j.kind, j.status, j.last_error, j.payload]), [[deadId, 'test-gives-up', 'dead', 'the endpoint answered 500', { post: 7 }]]);
      assert.equal(dead.total, 1);
      assert.equal(dead.counts.dead, 1);
      const pending = await api.expect('GET', '/api/jobs?status=pending&kind=test-waits', 200, { token: owner.secret });
      assert.deepEqual(pending.jobs.map((j: any) => j.kind), ['test-waits']);
      const bad = await api.refused('GET', '/api/jobs?status=failed', 422, { token: owner.secret });
      assert.equal(bad.fields?.status, 'Use pending, done or dead.');
      assert.equal((await api.refused('GET', '/api/jobs?per_page=500', 422, { token: owner.secret })).fields?.per_page, 'Use a whole number from 1 to 50.');
    });

    test('retries a job that gave up; a job that did not is 404', async () => {
      await api.expect('POST', `/api/jobs/${deadId}/retry`, 204, { token: owner.secret });
      const pending = await api.expect('GET', '/api/jobs?status=pending&kind=test-gives-up', 200, { token: owner.secret });
      assert.deepEqual(pending.jobs.map((j: any) => [j.id, j.attempts]), [[deadId, 0]], 'back in the queue, attempts reset');
      const again = await api.refused('POST', `/api/jobs/${deadId}/retry`, 404, { token: owner.secret });
      assert.equal(again.message, 'No job that gave up has this id: only a dead job can be retried.');
      assert.equal((await api.refused('POST', '/api/jobs/999999/retry', 404, { token: owner.secret })).code, 'not_found');
    });

    test('only the owner: authors and moderators get 403, no token 401', async () => {
      for (const role of ['author', 'moderator'] as const) {
        const { secret } = await api.token(role);
        assert.equal((await api.refused('GET', '/api/jobs', 403, { token: secret })).message, 'Only the owner can manage background jobs.');
        assert.equal((await api.refused('POST', `/api/jobs/${deadId}/retry`, 403, { token: secret })).code, 'forbidden');
      }
      assert.equal((await api.refused('GET', '/api/jobs', 401)).code, 'unauthenticated');
    });
  });
}
