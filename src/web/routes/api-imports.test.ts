import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { User } from '../../core/store.ts';
import { ApiClient } from '../../../test/helpers/api-client.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';
import { blog } from '../../../test/helpers/wxr-builder.ts';
import { apiImportSchema } from '../openapi-imports.ts';

function form(file: string, fields: Record<string, string> = { source: 'wordpress' }): FormData {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.set(k, v);
  data.set('file', new File([file], 'old-blog.xml', { type: 'text/xml' }));
  return data;
}

for (const { engine, skip } of testEngines()) {
  describe(`JSON API: imports (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let api: ApiClient;
    let owner: { user: User; secret: string };
    let author: { user: User; secret: string };

    before(async () => {
      k = await startTestKumbaya({ engine });
      api = new ApiClient(k);
      owner = await api.token('owner');
      author = await api.token('author');
    });
    after(() => k.cleanup());

    const finished = async (id: string) => {
      for (;;) {
        const job = await api.expect('GET', `/api/imports/${id}`, 200, { token: owner.secret, schema: apiImportSchema });
        if (job.state !== 'running') return job;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };

    test('a dry run reports what would be imported and changes nothing; then the import brings the posts in', async () => {
      const dry = await api.expect('POST', '/api/imports', 202, { token: owner.secret, form: form(blog('1.2'), { source: 'wordpress', dry_run: 'true' }), schema: apiImportSchema });
      assert.equal(dry.dry_run, true);
      const report = await finished(dry.id);
      assert.equal(report.state, 'done');
      assert.equal(report.report.counts.post.created, 5);
      assert.equal((await k.deps.store.posts.listAdmin({ limit: 1, offset: 0 })).total, 0, 'a dry run changes nothing');

      const real = await api.expect('POST', '/api/imports', 202, { token: owner.secret, form: form(blog('1.2')) });
      const done = await finished(real.id);
      assert.equal(done.state, 'done');
      assert.equal(done.bytes_read, done.total_bytes);
      assert.ok((await k.deps.store.posts.listAdmin({ type: 'post', limit: 1, offset: 0 })).total >= 5, 'the posts are here');
    });

    test('refuses a malformed file (nothing imported), a missing source or file, and an unknown import', async () => {
      const before = (await k.deps.store.posts.listAdmin({ limit: 1, offset: 0 })).total;
      const bad = await api.expect('POST', '/api/imports', 202, { token: owner.secret, form: form(blog('1.2').replace('<wp:post_type>page</wp:post_type>', '<wp:post_type>page</wp:post_typ>')) });
      const failed = await finished(bad.id);
      assert.equal(failed.state, 'failed');
      assert.match(failed.error, /not well-formed XML, so nothing was imported/);
      assert.equal((await k.deps.store.posts.listAdmin({ limit: 1, offset: 0 })).total, before);

      assert.equal((await api.refused('POST', '/api/imports', 422, { token: owner.secret, form: form(blog('1.2'), {}) })).fields?.source, 'Choose one.');
      const noFile = new FormData();
      noFile.set('source', 'wordpress');
      assert.equal((await api.refused('POST', '/api/imports', 422, { token: owner.secret, form: noFile })).fields?.file, 'Choose a file.');
      assert.equal((await api.refused('POST', '/api/imports', 422, { token: owner.secret, body: { source: 'wordpress' } })).message, 'Send the export as multipart/form-data in the field "file".');
      assert.equal((await api.refused('GET', '/api/imports/nope', 404, { token: owner.secret })).code, 'not_found');
    });

    test('only the owner, with the admin scope', async () => {
      assert.equal((await api.refused('POST', '/api/imports', 403, { token: author.secret, form: form(blog('1.2')) })).message, 'Only the owner can import content.');
      const noAdmin = (await k.deps.auth.createApiToken(owner.user, 'no admin', { scopes: ['read', 'write', 'moderate'] })).secret;
      assert.equal((await api.refused('POST', '/api/imports', 403, { token: noAdmin, form: form(blog('1.2')) })).code, 'insufficient_scope');
      assert.equal((await api.refused('POST', '/api/imports', 401, { form: form(blog('1.2')) })).code, 'unauthenticated');
    });
  });
}
