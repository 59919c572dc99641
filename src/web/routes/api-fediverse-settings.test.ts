import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { approvesFollowers } from '../../core/following.ts';
import { quotePolicy } from '../../core/reactions.ts';
import type { User } from '../../core/store.ts';
import { ApiClient } from '../../../test/helpers/api-client.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';
import { apiBlockImportSchema, apiFediverseSettingsSchema, apiMentionListSchema } from '../openapi-fediverse-settings.ts';

for (const { engine, skip } of testEngines()) {
  describe(`JSON API: fediverse settings, private mentions, block list import (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let api: ApiClient;
    let owner: { user: User; secret: string };
    let moderator: { user: User; secret: string };
    let author: { user: User; secret: string };

    before(async () => {
      k = await startTestKumbaya({ engine });
      api = new ApiClient(k);
      owner = await api.token('owner');
      moderator = await api.token('moderator');
      author = await api.token('author');
    });
    after(() => k.cleanup());

    test('reads and changes follower approval, mail on private mentions and the quote policy; the rest stays', async () => {
      const first = await api.expect('GET', '/api/fediverse/settings', 200, { token: owner.secret, schema: apiFediverseSettingsSchema });
      assert.deepEqual([first.approve_followers, first.mail_private_mentions, first.quote_policy], [false, false, 'accept']);
      assert.match(first.handle, /^@.+@localhost:3000$/);
      const saved = await api.expect('PATCH', '/api/fediverse/settings', 200, { token: owner.secret, body: { approve_followers: true, quote_policy: 'refuse' }, schema: apiFediverseSettingsSchema });
      assert.deepEqual([saved.approve_followers, saved.mail_private_mentions, saved.quote_policy], [true, false, 'refuse']);
      assert.equal(await quotePolicy(k.deps.store), 'refuse', 'quote requests are refused now');
      assert.equal(await approvesFollowers(k.deps.store), true);
      const bad = await api.refused('PATCH', '/api/fediverse/settings', 422, { token: owner.secret, body: { quote_policy: 'maybe', approve_followers: false } });
      assert.equal(bad.fields?.quote_policy, 'Choose whether quote requests are accepted or refused.');
      assert.equal((await api.refused('PATCH', '/api/fediverse/settings', 422, { token: owner.secret, body: { approve_followers: 'yes' } })).fields?.approve_followers, 'Use true or false.');
      assert.equal((await api.expect('GET', '/api/fediverse/settings', 200, { token: owner.secret })).approve_followers, true, 'nothing refused was saved');
    });

    test('lists private mentions newest first and deletes one', async () => {
      const base = { actorUri: 'https://social.example/users/ana', name: 'Ana', handle: '@ana@social.example', profileUrl: null, url: null, inReplyTo: null, postId: null };
      const one = await k.deps.store.fediverseReplies.saveMention({ ...base, noteId: 'https://social.example/notes/1', visibility: 'direct', html: '<p>Psst</p>' }, 1_000);
      await k.deps.store.fediverseReplies.saveMention({ ...base, noteId: 'https://social.example/notes/2', visibility: 'followers', html: '<p>Later</p>' }, 2_000);
      const list = await api.expect('GET', '/api/fediverse/mentions', 200, { token: owner.secret, schema: apiMentionListSchema });
      assert.deepEqual(list.mentions.map((m: any) => [m.html, m.visibility]), [
        ['<p>Later</p>', 'followers'],
        ['<p>Psst</p>', 'direct'],
      ]);
      assert.equal(list.total, 2);
      await api.expect('DELETE', `/api/fediverse/mentions/${one.id}`, 204, { token: owner.secret });
      assert.equal((await api.expect('GET', '/api/fediverse/mentions', 200, { token: owner.secret })).total, 1);
      assert.equal((await api.refused('DELETE', `/api/fediverse/mentions/${one.id}`, 404, { token: owner.secret })).message, 'That private mention was not found.');
      assert.equal((await api.refused('GET', '/api/fediverse/mentions?page=0', 422, { token: owner.secret })).code, 'validation_failed');
    });

    test('imports a domain-block list: blocks the domains, counts what it skipped and names bad lines', async () => {
      const csv = '#domain,#severity,#reject_media\nspam.example,suspend,false\nquiet.example,silence,false\nbad.example,suspend,true\n';
      const result = await api.expect('POST', '/api/fediverse/blocks/import', 200, { token: owner.secret, body: { list: csv }, schema: apiBlockImportSchema });
      assert.deepEqual([result.added, result.skipped], [2, 1]);
      const blocked = (await k.deps.store.fediverseBlocks.list()).map((b) => b.value).sort();
      assert.deepEqual(blocked, ['bad.example', 'spam.example']);
      const again = await api.expect('POST', '/api/fediverse/blocks/import', 200, { token: owner.secret, body: { list: 'spam.example\nnot a domain!\nnew.example' } });
      assert.equal(again.added, 1);
      assert.deepEqual(again.invalid, [2]);
      assert.equal((await api.refused('POST', '/api/fediverse/blocks/import', 422, { token: owner.secret, body: { list: '' } })).code, 'validation_failed');
      assert.equal((await api.refused('POST', '/api/fediverse/blocks/import', 422, { token: owner.secret, body: { list: 'x'.repeat(1024 * 1024 + 1) } })).fields?.list, 'The list is larger than 1 MB: a domain-block list is much smaller.');
    });

    test('moderators, authors, anonymous callers and tokens without the scope are refused', async () => {
      for (const who of [moderator, author]) assert.equal((await api.refused('GET', '/api/fediverse/settings', 403, { token: who.secret })).message, 'Only the owner manages the blog’s fediverse account.');
      assert.equal((await api.refused('POST', '/api/fediverse/blocks/import', 403, { token: moderator.secret, body: { list: 'x.example' } })).code, 'forbidden');
      const noAdmin = (await k.deps.auth.createApiToken(owner.user, 'no admin', { scopes: ['read', 'write', 'moderate'] })).secret;
      assert.equal((await api.refused('PATCH', '/api/fediverse/settings', 403, { token: noAdmin, body: { approve_followers: false } })).code, 'insufficient_scope');
      const readOnly = (await k.deps.auth.createApiToken(owner.user, 'reader', { scopes: ['read'] })).secret;
      assert.equal((await api.refused('POST', '/api/fediverse/blocks/import', 403, { token: readOnly, body: { list: 'x.example' } })).code, 'insufficient_scope');
      assert.equal((await api.refused('GET', '/api/fediverse/mentions', 401)).code, 'unauthenticated');
      assert.equal((await api.expect('GET', '/api/fediverse/settings', 200, { token: owner.secret })).approve_followers, true);
    });
  });
}
