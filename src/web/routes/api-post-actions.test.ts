import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { User } from '../../core/store.ts';
import { ApiClient } from '../../../test/helpers/api-client.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';
import { apiPostListSchema, apiPostSchema } from '../openapi.ts';
import { apiBulkResultSchema, apiRevisionListSchema, apiRevisionSchema } from '../openapi-post-actions.ts';

for (const { engine, skip } of testEngines()) {
  describe(`JSON API: trash, duplicate, bulk actions, revisions (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let api: ApiClient;
    let owner: { user: User; secret: string };
    let author: { user: User; secret: string };
    let other: { user: User; secret: string };
    let moderator: { user: User; secret: string };
    let readOnly: string;

    before(async () => {
      k = await startTestKumbaya({ engine });
      api = new ApiClient(k);
      owner = await api.token('owner');
      author = await api.token('author');
      other = await api.token('author');
      moderator = await api.token('moderator');
      readOnly = (await k.deps.auth.createApiToken(author.user, 'reader', { scopes: ['read'] })).secret;
    });
    after(() => k.cleanup());

    test('lists the trash (an author sees their own), restores a post with its status and deletes one forever', async () => {
      const mine = await k.deps.posts.create(author.user, { title: 'Mine to trash', markdown: 'Text.' });
      await k.deps.posts.publish(author.user, mine.id);
      const theirs = await k.deps.posts.create(other.user, { title: 'Theirs to trash', markdown: 'Text.' });
      await api.expect('DELETE', `/api/posts/${mine.id}`, 204, { token: author.secret });
      await k.deps.posts.trash(other.user, theirs.id);

      const own = await api.expect('GET', '/api/trash', 200, { token: author.secret, schema: apiPostListSchema });
      assert.deepEqual(own.posts.map((p: any) => p.title), ['Mine to trash']);
      const all = await api.expect('GET', '/api/trash?per_page=10', 200, { token: owner.secret });
      assert.deepEqual(all.posts.map((p: any) => p.title).sort(), ['Mine to trash', 'Theirs to trash']);
      assert.equal(all.total, 2);
      assert.equal((await api.expect('GET', '/api/trash?type=page', 200, { token: owner.secret })).total, 0);
      assert.equal((await api.refused('GET', '/api/trash?per_page=500', 422, { token: owner.secret })).fields?.per_page, 'Use a whole number from 1 to 50.');

      assert.equal((await api.refused('POST', `/api/posts/${theirs.id}/restore`, 404, { token: author.secret })).code, 'not_found', 'another author’s trashed post is not there for an author');
      const back = await api.expect('POST', `/api/posts/${mine.id}/restore`, 200, { token: author.secret, schema: apiPostSchema });
      assert.equal(back.status, 'published');
      assert.equal((await k.request('/mine-to-trash')).status, 200, 'live on the site again');
      assert.equal((await api.refused('POST', `/api/posts/${mine.id}/restore`, 409, { token: author.secret })).message, 'The post is not in the trash.');

      assert.equal((await api.refused('DELETE', `/api/trash/${mine.id}`, 409, { token: author.secret })).message, 'Move it to the trash before deleting it forever.');
      await api.expect('DELETE', `/api/trash/${theirs.id}`, 204, { token: owner.secret });
      assert.equal(await k.deps.store.posts.findById(theirs.id), null, 'gone for good');
      assert.equal((await api.refused('DELETE', `/api/trash/${theirs.id}`, 404, { token: owner.secret })).code, 'not_found');
    });

    test('duplicates a post into a new draft of the caller’s', async () => {
      const original = await k.deps.posts.create(author.user, { title: 'Bees in spring', markdown: 'All about **bees**.', tags: ['Bees'] });
      await k.deps.posts.publish(author.user, original.id);
      const copy = await api.expect('POST', `/api/posts/${original.id}/duplicate`, 201, { token: author.secret, schema: apiPostSchema });
      assert.equal(copy.title, 'Copy of Bees in spring');
      assert.equal(copy.status, 'draft');
      assert.equal(copy.markdown, 'All about **bees**.');
      assert.deepEqual(copy.tags.map((t: any) => t.name), ['Bees']);
      assert.notEqual(copy.slug, 'bees-in-spring');
      assert.equal((await api.refused('POST', `/api/posts/${original.id}/duplicate`, 403, { token: other.secret })).message, 'Only the owner can change another author’s post.');
      assert.equal((await api.refused('POST', '/api/posts/999999/duplicate', 404, { token: owner.secret })).code, 'not_found');
    });

    test('bulk actions publish, unpublish, tag and trash each post on its own, refusing what is not the caller’s', async () => {
      const a = await k.deps.posts.create(author.user, { title: 'Bulk A', markdown: 'x' });
      const b = await k.deps.posts.create(author.user, { title: 'Bulk B', markdown: 'x' });
      const theirs = await k.deps.posts.create(other.user, { title: 'Bulk theirs', markdown: 'x' });
      const published = await api.expect('POST', '/api/posts/bulk', 200, { token: author.secret, body: { action: 'publish', ids: [a.id, b.id, theirs.id, 999999] }, schema: apiBulkResultSchema });
      assert.deepEqual([published.done, published.unchanged, published.refused], [2, 0, 2]);
      assert.deepEqual(published.results.slice(2), [
        { id: theirs.id, outcome: 'refused', reason: 'not-yours' },
        { id: 999999, outcome: 'refused', reason: 'missing' },
      ]);
      assert.equal((await k.deps.store.posts.findById(a.id))!.status, 'published');
      assert.equal((await k.deps.store.posts.findById(theirs.id))!.status, 'draft', 'another author’s post is left alone');
      const again = await api.expect('POST', '/api/posts/bulk', 200, { token: author.secret, body: { action: 'publish', ids: [a.id] } });
      assert.deepEqual(again.results, [{ id: a.id, outcome: 'unchanged' }]);

      const tagged = await api.expect('POST', '/api/posts/bulk', 200, { token: owner.secret, body: { action: 'tag', ids: [a.id, theirs.id], tag: ' Honey ' } });
      assert.equal(tagged.done, 2);
      assert.deepEqual((await k.deps.store.posts.findById(theirs.id))!.tags.map((t) => t.name), ['Honey']);

      await api.expect('POST', '/api/posts/bulk', 200, { token: author.secret, body: { action: 'unpublish', ids: [b.id] } });
      assert.equal((await k.deps.store.posts.findById(b.id))!.status, 'draft');
      const trashed = await api.expect('POST', '/api/posts/bulk', 200, { token: author.secret, body: { action: 'trash', ids: [b.id] } });
      assert.equal(trashed.done, 1);
      assert.notEqual((await k.deps.store.posts.findById(b.id))!.deletedAt, null);
      const onTrashed = await api.expect('POST', '/api/posts/bulk', 200, { token: author.secret, body: { action: 'publish', ids: [b.id] } });
      assert.deepEqual(onTrashed.results, [{ id: b.id, outcome: 'refused', reason: 'trashed' }]);

      // A bad request changes nothing, and says why.
      assert.equal((await api.refused('POST', '/api/posts/bulk', 422, { token: author.secret, body: { action: 'burn', ids: [a.id] } })).fields?.action, 'Unknown action.');
      assert.equal((await api.refused('POST', '/api/posts/bulk', 422, { token: author.secret, body: { action: 'publish', ids: [] } })).message, 'Select at least one post first.');
      const many = Array.from({ length: 501 }, (_, i) => i + 1);
      assert.equal((await api.refused('POST', '/api/posts/bulk', 422, { token: author.secret, body: { action: 'trash', ids: many } })).message, 'Select at most 500 posts at once.');
      assert.equal((await api.refused('POST', '/api/posts/bulk', 422, { token: author.secret, body: { action: 'tag', ids: [a.id] } })).fields?.tag, 'Required.');
      assert.equal((await api.refused('POST', '/api/posts/bulk', 422, { token: author.secret, body: { action: 'trash', ids: ['one'] } })).code, 'validation_failed');
      assert.equal((await api.refused('POST', '/api/posts/bulk', 422, { token: author.secret, body: { action: 'trash', ids: [2 ** 40] } })).code, 'validation_failed', 'an id no post can have');
      assert.equal((await api.refused('POST', '/api/posts/bulk', 400, { token: author.secret, body: '{"action":' })).code, 'invalid_json');
      assert.equal((await k.deps.store.posts.findById(a.id))!.deletedAt, null, 'nothing refused was done');
    });

    test('lists a post’s revisions, reads one and restores it as a new save', async () => {
      const post = await k.deps.posts.create(author.user, { title: 'History', markdown: 'First words.' });
      await k.deps.posts.publish(author.user, post.id);
      await k.deps.posts.update(author.user, post.id, { title: 'History', markdown: 'Second words.' });
      await k.deps.posts.update(owner.user, post.id, { title: 'History, again', markdown: 'Third words.' });

      const list = await api.expect('GET', `/api/posts/${post.id}/revisions`, 200, { token: author.secret, schema: apiRevisionListSchema });
      assert.deepEqual(list.revisions.map((r: any) => [r.title, r.size, r.author?.name]), [
        ['History, again', 'Third words.'.length, owner.user.name],
        ['History', 'Second words.'.length, author.user.name],
        ['History', 'First words.'.length, author.user.name],
      ]);
      const first = list.revisions[2];
      const read = await api.expect('GET', `/api/posts/${post.id}/revisions/${first.id}`, 200, { token: author.secret, schema: apiRevisionSchema });
      assert.equal(read.markdown, 'First words.');
      assert.equal(read.post_id, post.id);

      const restored = await api.expect('POST', `/api/posts/${post.id}/revisions/${first.id}/restore`, 200, { token: author.secret, schema: apiPostSchema });
      assert.deepEqual([restored.title, restored.markdown, restored.status], ['History', 'First words.', 'published']);
      assert.equal((await api.expect('GET', `/api/posts/${post.id}/revisions`, 200, { token: author.secret })).revisions.length, 4, 'the restore is a new revision; the later ones stay');

      const elsewhere = await k.deps.posts.create(author.user, { title: 'Elsewhere', markdown: 'x' });
      assert.equal((await api.refused('GET', `/api/posts/${elsewhere.id}/revisions/${first.id}`, 404, { token: author.secret })).message, 'That revision was not found.');
      assert.equal((await api.refused('POST', `/api/posts/${post.id}/revisions/999999/restore`, 404, { token: author.secret })).code, 'not_found');
      assert.equal((await api.refused('GET', `/api/posts/${post.id}/revisions`, 403, { token: other.secret })).code, 'forbidden', 'a live post of another author');
      assert.equal((await api.refused('GET', `/api/posts/${elsewhere.id}/revisions`, 404, { token: other.secret })).code, 'not_found', 'another author’s draft is not told');
      await k.deps.posts.trash(author.user, post.id);
      assert.equal((await api.refused('POST', `/api/posts/${post.id}/revisions/${first.id}/restore`, 409, { token: author.secret })).code, 'conflict');
    });

    test('moderators, anonymous callers and tokens without the scope are refused', async () => {
      const post = await k.deps.posts.create(author.user, { title: 'Guarded', markdown: 'x' });
      const mod = await api.refused('GET', '/api/trash', 403, { token: moderator.secret });
      assert.equal(mod.message, 'Moderators look after the conversation; writing posts and pages is for the owner and authors.');
      assert.equal((await api.refused('POST', '/api/posts/bulk', 403, { token: moderator.secret, body: { action: 'trash', ids: [post.id] } })).code, 'forbidden');
      assert.equal((await api.refused('GET', `/api/posts/${post.id}/revisions`, 403, { token: moderator.secret })).code, 'forbidden');
      assert.equal((await api.refused('GET', '/api/trash', 401)).code, 'unauthenticated');
      assert.equal((await api.refused('POST', `/api/posts/${post.id}/duplicate`, 401)).code, 'unauthenticated');
      assert.equal((await api.refused('POST', '/api/posts/bulk', 403, { token: readOnly, body: { action: 'trash', ids: [post.id] } })).code, 'insufficient_scope');
      assert.equal((await api.refused('POST', `/api/posts/${post.id}/duplicate`, 403, { token: readOnly })).code, 'insufficient_scope');
      assert.equal((await api.refused('DELETE', `/api/trash/${post.id}`, 403, { token: readOnly })).code, 'insufficient_scope');
      assert.deepEqual((await api.expect('GET', `/api/posts/${post.id}/revisions`, 200, { token: readOnly })).revisions.map((r: any) => r.title), ['Guarded'], 'reading needs only read');
      assert.equal((await k.deps.store.posts.findById(post.id))!.deletedAt, null, 'nothing was done');
    });
  });
}
