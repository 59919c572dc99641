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

    test('assigns a Disqus import’s unmatched threads to posts, as the report does: their comments come in, nothing twice', async () => {
      const summer = await k.deps.posts.create(owner.user, { title: 'Summer notes', slug: 'summer-notes', markdown: 'Hi.' });
      await k.deps.posts.publish(owner.user, summer.id);
      const thread = (id: string, link: string, title: string) => `<thread dsq:id="${id}"><link>${link}</link><title>${title}</title></thread>`;
      const post = (id: string, threadId: string, message: string) =>
        `<post dsq:id="${id}"><message><![CDATA[<p>${message}</p>]]></message><createdAt>2020-01-02T10:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam><author><email>reader@example.com</email><name>Reader</name></author><thread dsq:id="${threadId}"/></post>`;
      const file = `<?xml version="1.0" encoding="utf-8"?><disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">${thread('t-lost', 'https://old.example/gone', 'A page never imported')}${thread('t-other', 'https://old.example/other', 'Another')}${post('l1', 't-lost', 'Waiting for its post')}${post('l2', 't-lost', 'Also waiting')}${post('o1', 't-other', 'Elsewhere')}</disqus>`;
      const first = await finished((await api.expect('POST', '/api/imports', 202, { token: owner.secret, form: form(file, { source: 'disqus' }) })).id);
      assert.equal(first.state, 'done');
      assert.deepEqual(first.report.unmatched_threads.map((t: any) => [t.id, t.comments]), [['t-lost', 2], ['t-other', 1]]);

      const id = first.id;
      assert.equal((await api.refused('POST', `/api/imports/${id}/assign`, 422, { token: owner.secret, body: { threads: { 't-lost': '' } } })).message, 'Choose a post for at least one thread.');
      assert.equal((await api.refused('POST', `/api/imports/${id}/assign`, 422, { token: owner.secret, body: { threads: 't-lost' } })).fields?.threads, 'Send {"threads": {"<thread id>": "<post slug>"}}.');
      assert.equal((await api.refused('POST', `/api/imports/${id}/assign`, 422, { token: owner.secret, body: { threads: { 't-lost': 5 } } })).code, 'validation_failed');
      assert.equal((await api.refused('POST', `/api/imports/${id}/assign`, 422, { token: owner.secret, body: { map: {} } })).code, 'validation_failed');
      assert.equal((await api.refused('POST', `/api/imports/${id}/assign`, 400, { token: owner.secret, body: '{"threads":' })).code, 'invalid_json');
      assert.equal((await api.refused('POST', `/api/imports/${id}/assign`, 403, { token: author.secret, body: { threads: { 't-lost': 'summer-notes' } } })).message, 'Only the owner can import content.');
      const noAdmin = (await k.deps.auth.createApiToken(owner.user, 'no admin', { scopes: ['read', 'write', 'moderate'] })).secret;
      assert.equal((await api.refused('POST', `/api/imports/${id}/assign`, 403, { token: noAdmin, body: { threads: { 't-lost': 'summer-notes' } } })).code, 'insufficient_scope');
      assert.equal((await api.refused('POST', `/api/imports/${id}/assign`, 401, { body: { threads: { 't-lost': 'summer-notes' } } })).code, 'unauthenticated');
      assert.equal((await api.refused('POST', '/api/imports/nope/assign', 404, { token: owner.secret, body: { threads: { 't-lost': 'summer-notes' } } })).code, 'not_found');
      assert.equal((await k.deps.store.comments.listApproved(summer.id)).length, 0, 'nothing imported by the refusals');

      const started = await api.expect('POST', `/api/imports/${id}/assign`, 202, { token: owner.secret, body: { threads: { 't-lost': 'summer-notes', 't-other': '' } }, schema: apiImportSchema });
      assert.notEqual(started.id, id, 'a new import');
      const second = await finished(started.id);
      assert.equal(second.state, 'done');
      assert.deepEqual(second.report.unmatched_threads.map((t: any) => t.id), ['t-other'], 'the thread left out is still offered');
      assert.deepEqual((await k.deps.store.comments.listApproved(summer.id)).map((c) => c.authorName), ['Reader', 'Reader']);
      // The file moved to the new import: assigning from the first again is refused, not done twice.
      assert.equal((await api.refused('POST', `/api/imports/${id}/assign`, 404, { token: owner.secret, body: { threads: { 't-lost': 'summer-notes' } } })).code, 'not_found');
      await finished((await api.expect('POST', `/api/imports/${second.id}/assign`, 202, { token: owner.secret, body: { threads: { 't-other': 'summer-notes' } } })).id);
      assert.equal((await k.deps.store.comments.listApproved(summer.id)).length, 3, 'the earlier thread’s comments are not imported again');
    });

    test('only the owner, with the admin scope', async () => {
      assert.equal((await api.refused('POST', '/api/imports', 403, { token: author.secret, form: form(blog('1.2')) })).message, 'Only the owner can import content.');
      const noAdmin = (await k.deps.auth.createApiToken(owner.user, 'no admin', { scopes: ['read', 'write', 'moderate'] })).secret;
      assert.equal((await api.refused('POST', '/api/imports', 403, { token: noAdmin, form: form(blog('1.2')) })).code, 'insufficient_scope');
      assert.equal((await api.refused('POST', '/api/imports', 401, { form: form(blog('1.2')) })).code, 'unauthenticated');
    });
  });
}
