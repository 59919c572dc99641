import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EmbedService } from '../../core/embeds.ts';
import type { User } from '../../core/store.ts';
import { ApiClient } from '../../../test/helpers/api-client.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';
import { apiSiteListSchema, apiSiteSchema, apiSiteThreadListSchema, apiSiteThreadSchema } from '../openapi-sites.ts';

for (const { engine, skip } of testEngines()) {
  describe(`JSON API: sites and their conversations (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let api: ApiClient;
    let owner: { user: User; secret: string };
    let author: { user: User; secret: string };
    let moderator: { user: User; secret: string };

    before(async () => {
      k = await startTestKumbaya({ engine });
      api = new ApiClient(k);
      owner = await api.token('owner');
      author = await api.token('author');
      moderator = await api.token('moderator');
    });
    after(() => k.cleanup());

    test('adds a site (scheme and host), lists it, refuses a bad or repeated one, removes it', async () => {
      const site = await api.expect('POST', '/api/sites', 201, { token: owner.secret, body: { origin: 'https://Docs.Example.com' }, schema: apiSiteSchema });
      assert.equal(site.origin, 'https://docs.example.com');
      const list = await api.expect('GET', '/api/sites', 200, { token: owner.secret, schema: apiSiteListSchema });
      assert.deepEqual(list.sites.map((s: any) => [s.origin, s.threads]), [['https://docs.example.com', 0]]);
      assert.equal((await api.refused('POST', '/api/sites', 409, { token: owner.secret, body: { origin: 'https://docs.example.com' } })).message, 'https://docs.example.com is on the list already.');
      assert.equal((await api.refused('POST', '/api/sites', 422, { token: owner.secret, body: { origin: 'https://docs.example.com/guide/' } })).fields?.origin, 'Give the site only, without a path: https://docs.example.com.');
      assert.equal((await api.refused('POST', '/api/sites', 422, { token: owner.secret, body: { origin: 'not a site' } })).code, 'validation_failed');
      assert.equal((await api.refused('POST', '/api/sites', 422, { token: owner.secret, body: {} })).fields?.origin, 'Write the address as text.');
      await api.expect('DELETE', `/api/sites/${site.id}`, 204, { token: owner.secret });
      assert.deepEqual((await api.expect('GET', '/api/sites', 200, { token: owner.secret })).sites, []);
      assert.equal((await api.refused('DELETE', `/api/sites/${site.id}`, 404, { token: owner.secret })).message, 'The site was not found.');
    });

    test('lists a site’s conversations, retitles one, closes it and moves it to the trash', async () => {
      const site = await api.expect('POST', '/api/sites', 201, { token: owner.secret, body: { origin: 'https://blog.example' } });
      const embeds = new EmbedService({ store: k.deps.store, clock: k.deps.clock, onChanged: () => {} });
      const { post } = await embeds.threadFor('https://blog.example/install', 'Install', '203.0.113.9');
      const threads = await api.expect('GET', `/api/sites/${site.id}/threads`, 200, { token: owner.secret, schema: apiSiteThreadListSchema });
      assert.deepEqual(threads.threads.map((t: any) => [t.id, t.page_url, t.title, t.comments_mode]), [[post.id, 'https://blog.example/install', 'Install', 'inherit']]);

      const saved = await api.expect('PATCH', `/api/sites/threads/${post.id}`, 200, { token: owner.secret, body: { title: '  Install   guide ', comments_mode: 'closed' }, schema: apiSiteThreadSchema });
      assert.deepEqual([saved.title, saved.comments_mode], ['Install guide', 'closed']);
      assert.equal((await k.deps.store.posts.findById(post.id))!.commentsMode, 'closed');
      assert.equal((await api.refused('PATCH', `/api/sites/threads/${post.id}`, 422, { token: owner.secret, body: { title: '   ' } })).message, 'Give the conversation a title.');
      assert.equal((await api.refused('PATCH', `/api/sites/threads/${post.id}`, 422, { token: owner.secret, body: { comments_mode: 'ajar' } })).fields?.comments_mode, 'Use inherit, open or closed.');

      const plain = await k.deps.posts.create(owner.user, { title: 'Not a thread', markdown: 'x' });
      assert.equal((await api.refused('GET', `/api/sites/threads/${plain.id}`, 404, { token: owner.secret })).message, 'The conversation was not found.');

      await api.expect('DELETE', `/api/sites/threads/${post.id}`, 204, { token: owner.secret });
      assert.equal((await api.expect('GET', `/api/sites/threads/${post.id}`, 200, { token: owner.secret })).trashed, true);
      assert.equal((await api.refused('PATCH', `/api/sites/threads/${post.id}`, 409, { token: owner.secret, body: { title: 'Again' } })).message, 'Restore the conversation from the trash before changing it.');
      const trash = await api.expect('GET', '/api/trash', 200, { token: owner.secret });
      assert.ok(trash.posts.some((p: any) => p.id === post.id), 'it is in the trash');
      assert.equal((await api.refused('GET', '/api/sites/999999/threads', 404, { token: owner.secret })).code, 'not_found');
    });

    test('only the owner, with the admin scope', async () => {
      for (const who of [author, moderator]) assert.equal((await api.refused('GET', '/api/sites', 403, { token: who.secret })).message, 'Only the owner chooses which sites carry the blog’s comments.');
      const noAdmin = (await k.deps.auth.createApiToken(owner.user, 'no admin', { scopes: ['read', 'write', 'moderate'] })).secret;
      assert.equal((await api.refused('POST', '/api/sites', 403, { token: noAdmin, body: { origin: 'https://x.example' } })).code, 'insufficient_scope');
      assert.equal((await api.refused('GET', '/api/sites', 401)).code, 'unauthenticated');
      assert.ok(!(await k.deps.store.embeds.listSites()).some((s) => s.origin === 'https://x.example'));
    });
  });
}
