import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SubmitContext } from '../../core/comment-service.ts';
import type { Post, Subscription, User } from '../../core/store.ts';
import { ApiClient } from '../../../test/helpers/api-client.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';
import { apiSubscriptionListSchema, apiSubscriptionSchema } from '../openapi-subscriptions.ts';

for (const { engine, skip } of testEngines()) {
  describe(`JSON API: subscriptions (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let api: ApiClient;
    let owner: { user: User; secret: string };
    let moderator: { user: User; secret: string };
    let porch: Post;
    let garden: Post;
    const subs: Record<string, Subscription> = {};

    async function subscribe(name: string, email: string, post: Post, confirm: boolean): Promise<Subscription> {
      const { store, clock } = k.deps;
      await store.subscriptions.ensureAddress(email, `confirm-${name}`, clock.now());
      if (confirm) await store.subscriptions.confirmAddress(email, clock.now());
      return store.subscriptions.subscribe({ kind: 'post', email, postId: post.id, commentId: null, token: `token-${name}-${post.id}`, createdAt: clock.now() });
    }

    before(async () => {
      k = await startTestKumbaya({ engine });
      api = new ApiClient(k);
      owner = await api.token('owner');
      moderator = await api.token('moderator');
      const publish = async (title: string) => (await k.deps.posts.publish(owner.user, (await k.deps.posts.create(owner.user, { title, markdown: 'Text.' })).id)).post;
      porch = await publish('Porch evenings');
      garden = await publish('Garden notes');
      // Ada writes a comment (she becomes a person with her address), and follows both conversations.
      const ctx: SubmitContext = { ip: '203.0.113.9', userAgent: 'test', referrer: '', user: null };
      const formToken = k.deps.spam.issueFormToken(porch.id, k.deps.clock.now() - 60_000);
      await k.deps.comments.submit({ postId: porch.id, name: 'Ada', email: 'ada@example.com', website: '', body: 'Lovely.', formToken }, ctx, `http://localhost:3000/${porch.slug}`);
      subs.adaPorch = await subscribe('ada', 'ada@example.com', porch, true);
      subs.adaGarden = await subscribe('ada', 'ada@example.com', garden, true);
      subs.bea = await subscribe('bea', 'bea@example.com', porch, false);
      subs.cal = await subscribe('cal', 'cal@example.com', garden, true);
      await k.deps.store.subscriptions.unsubscribe(subs.cal.token, k.deps.clock.now());
    });
    after(() => k.cleanup());

    test('lists subscriptions filtered by post, person and status', async () => {
      const all = await api.expect('GET', '/api/subscriptions', 200, { token: moderator.secret, schema: apiSubscriptionListSchema });
      assert.equal(all.total, 4);
      const states = Object.fromEntries(all.subscriptions.map((s: any) => [s.id, s.status]));
      assert.deepEqual([states[subs.adaPorch.id], states[subs.bea.id], states[subs.cal.id]], ['active', 'unconfirmed', 'unsubscribed']);
      const onPorch = await api.expect('GET', `/api/subscriptions?post_id=${porch.id}`, 200, { token: owner.secret });
      assert.deepEqual(onPorch.subscriptions.map((s: any) => s.email).sort(), ['ada@example.com', 'bea@example.com']);
      const ada = await k.deps.store.people.findByEmail('ada@example.com');
      assert.ok(ada);
      const hers = await api.expect('GET', `/api/subscriptions?person_id=${ada.id}`, 200, { token: owner.secret });
      assert.deepEqual(hers.subscriptions.map((s: any) => s.post_id).sort(), [porch.id, garden.id].sort());
      const active = await api.expect('GET', '/api/subscriptions?status=active&per_page=1', 200, { token: owner.secret });
      assert.equal(active.total, 2);
      assert.equal(active.subscriptions.length, 1);
      assert.equal((await api.refused('GET', '/api/subscriptions?status=paused', 422, { token: owner.secret })).fields?.status, 'Use active, unconfirmed or unsubscribed.');
      assert.equal((await api.refused('GET', '/api/subscriptions?post_id=abc', 422, { token: owner.secret })).fields?.post_id, 'Use a post’s numeric id.');
      assert.equal((await api.refused('GET', '/api/subscriptions?person_id=999999', 404, { token: owner.secret })).message, 'That person was not found.');
    });

    test('unsubscribes someone as their mail link would, and deletes a subscription for good', async () => {
      const done = await api.expect('POST', `/api/subscriptions/${subs.adaGarden.id}/unsubscribe`, 200, { token: moderator.secret, schema: apiSubscriptionSchema });
      assert.equal(done.status, 'unsubscribed');
      assert.ok(done.unsubscribed_at);
      assert.deepEqual((await k.deps.store.subscriptions.activeForPost(garden.id)).map((s) => s.email), [], 'no more mail about that post');
      const again = await api.expect('POST', `/api/subscriptions/${subs.adaGarden.id}/unsubscribe`, 200, { token: moderator.secret });
      assert.equal(again.unsubscribed_at, done.unsubscribed_at, 'unsubscribing twice changes nothing');
      await api.expect('DELETE', `/api/subscriptions/${subs.bea.id}`, 204, { token: owner.secret });
      assert.equal(await k.deps.store.subscriptions.findById(subs.bea.id), null);
      assert.equal((await api.refused('DELETE', `/api/subscriptions/${subs.bea.id}`, 404, { token: owner.secret })).message, 'The subscription was not found.');
      assert.equal((await api.refused('POST', '/api/subscriptions/999999/unsubscribe', 404, { token: owner.secret })).code, 'not_found');
    });

    test('authors and anonymous callers are refused; nothing changes', async () => {
      const author = await api.token('author');
      const refused = await api.refused('GET', '/api/subscriptions', 403, { token: author.secret });
      assert.equal(refused.message, 'Only the owner and moderators can see who subscribed (it names readers’ addresses).');
      assert.equal((await api.refused('DELETE', `/api/subscriptions/${subs.adaPorch.id}`, 403, { token: author.secret })).code, 'forbidden');
      assert.equal((await api.refused('POST', `/api/subscriptions/${subs.adaPorch.id}/unsubscribe`, 401)).code, 'unauthenticated');
      assert.equal((await k.deps.store.subscriptions.findById(subs.adaPorch.id))?.unsubscribedAt, null);
    });
  });
}
