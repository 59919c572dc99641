import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { User } from '../../core/store.ts';
import { ApiClient } from '../../../test/helpers/api-client.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';
import { apiSettingsSchema } from '../openapi-settings.ts';

for (const { engine, skip } of testEngines()) {
  describe(`JSON API: settings (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let api: ApiClient;
    let owner: { user: User; secret: string };

    before(async () => {
      k = await startTestKumbaya({ engine });
      api = new ApiClient(k);
      owner = await api.token('owner');
    });
    after(() => k.cleanup());

    test('the owner reads the settings Admin → Settings shows', async () => {
      const settings = await api.expect('GET', '/api/settings', 200, { token: owner.secret, schema: apiSettingsSchema });
      assert.equal(settings.title, 'Kumbaya');
      assert.deepEqual(settings.navigation, [
        { label: 'Home', url: '/' },
        { label: 'Archive', url: '/archive' },
      ]);
      assert.equal(settings.posts_per_page, 10);
      assert.equal(settings.load_remote_images, false);
    });

    test('PATCH changes what is sent and the site shows it; the rest stays', async () => {
      const saved = await api.expect('PATCH', '/api/settings', 200, {
        token: owner.secret,
        body: { title: 'Porch Talk', navigation: [{ label: 'Home', url: '/' }, { label: 'Mastodon', url: 'https://social.example/@me' }], posts_per_page: 5, load_remote_images: true },
        schema: apiSettingsSchema,
      });
      assert.equal(saved.title, 'Porch Talk');
      assert.equal(saved.description, 'A blog built for conversation.', 'what was not sent stays');
      assert.equal(saved.posts_per_page, 5);
      assert.equal(saved.load_remote_images, true);
      const home = await (await k.request('/')).text();
      assert.match(home, /<title>Porch Talk/);
      assert.match(home, /href="https:\/\/social\.example\/@me"[^>]*>Mastodon</);
      assert.deepEqual(await api.expect('GET', '/api/settings', 200, { token: owner.secret }), saved);
    });

    test('a field the form would refuse is refused with its reason, and nothing is saved', async () => {
      const before = await api.expect('GET', '/api/settings', 200, { token: owner.secret });
      const cases: Array<[unknown, string, string]> = [
        [{ title: ' ' }, 'title', 'Give the site a title.'],
        [{ posts_per_page: 51 }, 'posts_per_page', 'Show at most 50 posts per page.'],
        [{ feed_items: 0 }, 'feed_items', 'Put at least 1 item in each feed.'],
        [{ custom_css: '@import url(https://evil.example/x.css);' }, 'custom_css', 'Custom CSS may not load files from other sites (@import or external url()) or contain HTML tags.'],
        [{ navigation: [{ label: 'Bad | label', url: '/x' }] }, 'navigation', 'Each label has 1 to 60 characters, on one line, without “|”.'],
        [{ navigation: [{ label: 'Spaces', url: 'not a url' }] }, 'navigation', 'Each address is a path on the site (/about) or an http(s) address, without spaces.'],
        [{ navigation: Array.from({ length: 13 }, (_, i) => ({ label: `L${i}`, url: `/p${i}` })) }, 'navigation', 'Keep the navigation to 12 items or fewer.'],
        [{ posts_per_page: '5' }, 'posts_per_page', 'Posts per page must be a whole number.'],
        [{ theme: 'dark' }, 'theme', 'Unknown field.'],
      ];
      for (const [body, field, message] of cases) {
        const refused = await api.refused('PATCH', '/api/settings', 422, { token: owner.secret, body: { description: 'Changed', ...(body as object) } });
        assert.equal(refused.code, 'validation_failed');
        assert.equal(refused.fields?.[field], message, JSON.stringify(body));
      }
      assert.deepEqual(await api.expect('GET', '/api/settings', 200, { token: owner.secret }), before, 'nothing of a refused change was saved');
      assert.equal((await api.refused('PATCH', '/api/settings', 415, { token: owner.secret, body: 'title=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).code, 'unsupported_media_type');
    });

    test('only the owner: authors and moderators get 403, no token 401', async () => {
      for (const role of ['author', 'moderator'] as const) {
        const { secret } = await api.token(role);
        assert.equal((await api.refused('GET', '/api/settings', 403, { token: secret })).message, 'Only the owner can change the site’s settings.');
        assert.equal((await api.refused('PATCH', '/api/settings', 403, { token: secret, body: { title: 'Mine now' } })).code, 'forbidden');
      }
      assert.equal((await api.refused('GET', '/api/settings', 401)).code, 'unauthenticated');
      assert.notEqual((await api.expect('GET', '/api/settings', 200, { token: owner.secret })).title, 'Mine now');
    });
  });
}
