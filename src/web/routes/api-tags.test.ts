import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { User } from '../../core/store.ts';
import { ApiClient } from '../../../test/helpers/api-client.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';
import { apiTagListSchema, apiTagSchema } from '../openapi-tags.ts';

for (const { engine, skip } of testEngines()) {
  describe(`JSON API: tags (${engine})`, { skip }, () => {
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
      for (const [title, tags] of [['One', ['Gardening', 'Bees']], ['Two', ['Gardening']]] as const) {
        const post = await k.deps.posts.create(owner.user, { title, markdown: 'Text.', tags: [...tags] });
        await k.deps.posts.publish(owner.user, post.id);
      }
      await k.deps.posts.create(owner.user, { title: 'Draft', markdown: 'Text.', tags: ['Bees'] });
    });
    after(() => k.cleanup());

    test('lists every tag by name with the published posts that carry it', async () => {
      const list = await api.expect('GET', '/api/tags', 200, { token: author.secret, schema: apiTagListSchema });
      assert.deepEqual(
        list.tags.map((t: any) => [t.name, t.slug, t.post_count]),
        [
          ['Bees', 'bees', 1],
          ['Gardening', 'gardening', 2],
        ],
        'a draft does not count',
      );
      assert.equal(list.tags[0].url, 'http://localhost:3000/tag/bees');
    });

    test('creates a tag (the address made from the name unless given) and refuses a taken address or a bad field with its reason', async () => {
      const made = await api.expect('POST', '/api/tags', 201, { token: author.secret, body: { name: 'Social Media' }, schema: apiTagSchema });
      assert.equal(made.slug, 'social-media');
      assert.equal(made.post_count, 0);
      const own = await api.expect('POST', '/api/tags', 201, { token: owner.secret, body: { name: 'Urban bees', slug: 'city-bees' } });
      assert.equal(own.slug, 'city-bees');
      // Writing the name on a post now uses that tag.
      const post = await k.deps.posts.create(owner.user, { title: 'Three', markdown: 'x', tags: ['Social Media'] });
      assert.deepEqual(post.tags.map((t) => t.id), [made.id]);

      const taken = await api.refused('POST', '/api/tags', 409, { token: owner.secret, body: { name: 'Bees again', slug: 'bees' } });
      assert.equal(taken.code, 'slug_taken');
      assert.match(taken.message, /Another tag already uses the address "bees"/);
      const empty = await api.refused('POST', '/api/tags', 422, { token: owner.secret, body: { name: '   ' } });
      assert.equal(empty.message, 'name: Give the tag a name.');
      const badSlug = await api.refused('POST', '/api/tags', 422, { token: owner.secret, body: { name: 'Fine', slug: 'Not OK' } });
      assert.equal(badSlug.fields?.slug, 'Use lower-case letters, digits and single hyphens (e.g. social-media).');
      const unknown = await api.refused('POST', '/api/tags', 422, { token: owner.secret, body: { name: 'Fine', colour: 'red' } });
      assert.equal(unknown.fields?.colour, 'Unknown field.');
      assert.equal((await api.refused('POST', '/api/tags', 400, { token: owner.secret, body: '{"name":' })).code, 'invalid_json');
      const names = (await api.expect('GET', '/api/tags', 200, { token: owner.secret })).tags.map((t: any) => t.name);
      assert.ok(!names.includes('Fine') && !names.includes('Bees again'), 'nothing refused was saved');
    });

    test('renames a tag keeping its address, or changes the address too, as Admin → Tags does', async () => {
      const bees = (await api.expect('GET', '/api/tags', 200, { token: owner.secret })).tags.find((t: any) => t.slug === 'bees');
      const renamed = await api.expect('PATCH', `/api/tags/${bees.id}`, 200, { token: author.secret, body: { name: 'Honey bees' }, schema: apiTagSchema });
      assert.deepEqual([renamed.name, renamed.slug, renamed.post_count], ['Honey bees', 'bees', 1], 'the address stays when only the name changes');
      const moved = await api.expect('PATCH', `/api/tags/${bees.id}`, 200, { token: owner.secret, body: { slug: '' } });
      assert.equal(moved.slug, 'honey-bees', 'an empty address is made from the name');
      assert.equal((await k.request('/tag/honey-bees')).status, 200, 'the tag page answers at its new address');
      const clash = await api.refused('PATCH', `/api/tags/${bees.id}`, 409, { token: owner.secret, body: { slug: 'gardening' } });
      assert.equal(clash.fields?.slug, 'This address is taken.');
      const long = await api.refused('PATCH', `/api/tags/${bees.id}`, 422, { token: owner.secret, body: { name: 'x'.repeat(61) } });
      assert.equal(long.fields?.name, 'Keep the name under 60 characters.');
      assert.equal((await api.refused('PATCH', '/api/tags/999999', 404, { token: owner.secret, body: { name: 'Ghost' } })).code, 'not_found');
    });

    test('deletes a tag: it leaves every post, the posts stay', async () => {
      const gardening = (await api.expect('GET', '/api/tags', 200, { token: owner.secret })).tags.find((t: any) => t.slug === 'gardening');
      await api.expect('DELETE', `/api/tags/${gardening.id}`, 204, { token: owner.secret });
      const after = (await api.expect('GET', '/api/tags', 200, { token: owner.secret })).tags.map((t: any) => t.slug);
      assert.ok(!after.includes('gardening'));
      const one = await k.deps.store.posts.findBySlug('one');
      assert.ok(one, 'the post stays');
      assert.deepEqual(one.tags.map((t) => t.slug), ['honey-bees']);
      assert.equal((await api.refused('DELETE', `/api/tags/${gardening.id}`, 404, { token: owner.secret })).message, 'The tag was not found.');
    });

    test('moderators and anonymous callers are refused, with the reason', async () => {
      const refused = await api.refused('GET', '/api/tags', 403, { token: moderator.secret });
      assert.equal(refused.message, 'Managing tags is for the owner and authors.');
      assert.equal((await api.refused('POST', '/api/tags', 403, { token: moderator.secret, body: { name: 'Nope' } })).code, 'forbidden');
      assert.equal((await api.refused('GET', '/api/tags', 401)).code, 'unauthenticated');
      assert.equal((await api.refused('DELETE', '/api/tags/1', 401)).code, 'unauthenticated');
    });
  });
}
