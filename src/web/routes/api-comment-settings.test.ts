import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { User } from '../../core/store.ts';
import { ApiClient } from '../../../test/helpers/api-client.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';
import { apiCommentSettingsSchema } from '../openapi-comment-settings.ts';

for (const { engine, skip } of testEngines()) {
  describe(`JSON API: comment settings (${engine})`, { skip }, () => {
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

    test('moderators read the policy; the owner changes what is sent and the rest stays', async () => {
      const read = await api.expect('GET', '/api/comment-settings', 200, { token: moderator.secret, schema: apiCommentSettingsSchema });
      assert.deepEqual([read.open, read.hold_first_comment, read.max_links, read.avatars], [true, true, 2, 'local']);
      const saved = await api.expect('PATCH', '/api/comment-settings', 200, {
        token: owner.secret,
        body: { hold_all: true, close_after_days: 30, disallowed_words: ['Casino', 'casino', 'pills'], disallowed_action: 'spam' },
        schema: apiCommentSettingsSchema,
      });
      assert.deepEqual([saved.hold_all, saved.close_after_days, saved.disallowed_words, saved.disallowed_action, saved.max_links], [true, 30, ['casino', 'pills'], 'spam', 2]);
      const settings = await k.deps.commentSettings();
      assert.equal(settings.holdAll, true, 'the site holds every comment now');
      assert.equal(settings.closeAfterDays, 30);
      await api.expect('PATCH', '/api/comment-settings', 200, { token: owner.secret, body: { close_after_days: null } });
      assert.equal((await k.deps.commentSettings()).closeAfterDays, null);
      assert.equal((await k.deps.commentSettings()).holdAll, true, 'what was not sent stays');
    });

    test('refuses a value out of range or of the wrong kind, naming the field, and saves nothing', async () => {
      const before = await api.expect('GET', '/api/comment-settings', 200, { token: owner.secret });
      const range = await api.refused('PATCH', '/api/comment-settings', 422, { token: owner.secret, body: { max_links: 1000, hold_all: false } });
      assert.equal(range.fields?.max_links, 'At most 100.');
      assert.equal(range.message, 'max_links: At most 100.');
      assert.equal((await api.refused('PATCH', '/api/comment-settings', 422, { token: owner.secret, body: { conversations_per_page: 2.5 } })).fields?.conversations_per_page, 'Use a whole number.');
      assert.equal((await api.refused('PATCH', '/api/comment-settings', 422, { token: owner.secret, body: { avatars: 'robots' } })).code, 'validation_failed');
      assert.equal((await api.refused('PATCH', '/api/comment-settings', 422, { token: owner.secret, body: { open: 'yes' } })).fields?.open, 'Use true or false.');
      assert.equal((await api.refused('PATCH', '/api/comment-settings', 422, { token: owner.secret, body: { colour: 'red' } })).fields?.colour, 'Unknown field.');
      assert.equal((await api.refused('PATCH', '/api/comment-settings', 400, { token: owner.secret, body: '{"open":' })).code, 'invalid_json');
      assert.deepEqual(await api.expect('GET', '/api/comment-settings', 200, { token: owner.secret }), before, 'nothing was saved');
    });

    test('authors, moderators writing, anonymous callers and tokens without the scope are refused', async () => {
      assert.equal((await api.refused('GET', '/api/comment-settings', 403, { token: author.secret })).message, 'The comment settings are for the owner (and moderators may read them).');
      assert.equal((await api.refused('PATCH', '/api/comment-settings', 403, { token: moderator.secret, body: { open: false } })).message, 'Only the owner can change the comment settings.');
      const noAdmin = (await k.deps.auth.createApiToken(owner.user, 'no admin', { scopes: ['read', 'write', 'moderate'] })).secret;
      assert.equal((await api.refused('PATCH', '/api/comment-settings', 403, { token: noAdmin, body: { open: false } })).code, 'insufficient_scope');
      assert.equal((await api.refused('GET', '/api/comment-settings', 401)).code, 'unauthenticated');
      assert.equal((await k.deps.commentSettings()).open, true, 'comments stay open');
    });
  });
}
