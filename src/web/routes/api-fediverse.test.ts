import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { User } from '../../core/store.ts';
import { ApiClient } from '../../../test/helpers/api-client.ts';
import { until } from '../../../test/helpers/fediverse-peers.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';
import { apiBlockListSchema, apiDeliveryListSchema, apiFollowerListSchema, apiFollowerSchema } from '../openapi-fediverse.ts';

for (const { engine, skip } of testEngines()) {
  // A generous bound only so that a queue that never delivers fails instead of waiting forever.
  describe(`JSON API: fediverse followers and deliveries (${engine})`, { skip, timeout: 30_000 }, () => {
    let k: TestKumbaya;
    let api: ApiClient;
    let owner: { user: User; secret: string };
    /** The followers' server: it answers every delivery with `answer`. */
    let answer = 500;
    const received: string[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push(body);
        res.writeHead(answer).end();
      });
    });
    let base = '';
    const actor = (name: string) => `${base}/users/${name}`;

    before(async () => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      k = await startTestKumbaya({ engine, env: { SITE_URL: 'https://blog.example', FEDIVERSE_ALLOW_PRIVATE: 'true' } });
      api = new ApiClient(k);
      owner = await api.token('owner');
      const now = k.deps.clock.now();
      for (const [name, status] of [['ana', 'accepted'], ['bo', 'accepted'], ['cy', 'pending']] as const) {
        await k.deps.store.followers.upsert({ actorUri: actor(name), handle: `@${name}@social.example`, inbox: `${base}/users/${name}/inbox`, sharedInbox: null, status, followId: `${actor(name)}#follow-1` }, now);
      }
    });
    after(async () => {
      await k?.cleanup();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    test('lists followers and follow requests', async () => {
      const followers = await api.expect('GET', '/api/fediverse/followers', 200, { token: owner.secret, schema: apiFollowerListSchema });
      assert.deepEqual(followers.followers.map((f: any) => f.handle).sort(), ['@ana@social.example', '@bo@social.example']);
      const pending = await api.expect('GET', '/api/fediverse/followers?status=pending', 200, { token: owner.secret });
      assert.deepEqual(pending.followers.map((f: any) => [f.actor_uri, f.status]), [[actor('cy'), 'pending']]);
      assert.equal((await api.refused('GET', '/api/fediverse/followers?status=blocked', 422, { token: owner.secret })).fields?.status, 'Use accepted or pending.');
    });

    test('accepting a request sends an Accept; a failed delivery is listed with its error and retried', async () => {
      const accepted = await api.expect('POST', '/api/fediverse/followers/accept', 200, { token: owner.secret, body: { actor: actor('cy') }, schema: apiFollowerSchema });
      assert.equal(accepted.status, 'accepted');
      const failed = await until(
        () => api.expect('GET', '/api/fediverse/deliveries', 200, { token: owner.secret, schema: apiDeliveryListSchema }),
        (list) => list.deliveries.length > 0 && list.deliveries[0].last_error !== null,
      );
      const delivery = failed.deliveries[0];
      assert.equal(delivery.inbox, `${base}/users/cy/inbox`);
      assert.equal(delivery.activity_type, 'Accept');
      assert.deepEqual(delivery.subject, { kind: 'follow' });
      assert.ok(delivery.attempts >= 1);
      assert.equal(failed.summary.failing, 1);
      assert.ok(received.some((body) => body.includes('"Accept"')), 'the server was tried');

      answer = 202;
      await api.expect('POST', `/api/fediverse/deliveries/${delivery.id}/retry`, 204, { token: owner.secret });
      await until(
        () => api.expect('GET', '/api/fediverse/deliveries', 200, { token: owner.secret }),
        (list) => list.summary.deliveries === 0,
      );
      const gone = await api.refused('POST', `/api/fediverse/deliveries/${delivery.id}/retry`, 404, { token: owner.secret });
      assert.equal(gone.message, 'That delivery is no longer waiting: it was delivered, given up, or is being sent right now.');
      assert.equal((await api.refused('GET', '/api/fediverse/deliveries?failed=maybe', 422, { token: owner.secret })).fields?.failed, 'Use failed=true or failed=false.');
    });

    test('removes a follower and blocks an account, as Admin → Fediverse does; refusals say why', async () => {
      await api.expect('POST', '/api/fediverse/followers/remove', 204, { token: owner.secret, body: { actor: actor('ana') } });
      assert.equal(await k.deps.store.followers.findByActor(actor('ana')), null);
      const again = await api.refused('POST', '/api/fediverse/followers/remove', 404, { token: owner.secret, body: { actor: actor('ana') } });
      assert.equal(again.message, 'That account does not follow the blog.');
      await api.expect('POST', '/api/fediverse/followers/block', 204, { token: owner.secret, body: { actor: actor('bo') } });
      assert.equal(await k.deps.store.followers.findByActor(actor('bo')), null, 'a blocked account no longer follows');
      assert.ok((await k.deps.store.fediverseBlocks.list()).some((b) => b.value === actor('bo')));
      const bad = await api.refused('POST', '/api/fediverse/followers/block', 422, { token: owner.secret, body: { actor: 'not an address' } });
      assert.equal(bad.fields?.actor, 'An account to block is its address (https://…).');
      assert.equal((await api.refused('POST', '/api/fediverse/followers/accept', 404, { token: owner.secret, body: { actor: actor('zed') } })).message, 'That follow request is no longer waiting.');
      assert.equal((await api.refused('POST', '/api/fediverse/followers/block', 422, { token: owner.secret, body: {} })).fields?.actor, 'Give the account’s address (its actor URI, https://…).');
    });

    test('blocks a whole domain, lists the blocks and lifts one', async () => {
      const first = await api.expect('POST', '/api/fediverse/blocks/domain', 200, { token: owner.secret, body: { domain: 'Spam.Example' } });
      assert.equal(first.added, true);
      assert.equal((await api.expect('POST', '/api/fediverse/blocks/domain', 200, { token: owner.secret, body: { domain: 'spam.example' } })).added, false, 'blocked already');
      const bad = await api.refused('POST', '/api/fediverse/blocks/domain', 422, { token: owner.secret, body: { domain: 'not a domain' } });
      assert.equal(bad.fields?.domain, '“not a domain” is not a domain name (like spam.example).');
      const blocks = await api.expect('GET', '/api/fediverse/blocks', 200, { token: owner.secret, schema: apiBlockListSchema });
      assert.deepEqual(blocks.blocks.map((b: any) => [b.kind, b.value]).sort(), [['actor', actor('bo')], ['domain', 'spam.example']]);
      const domain = blocks.blocks.find((b: any) => b.kind === 'domain');
      await api.expect('DELETE', `/api/fediverse/blocks/${domain.id}`, 204, { token: owner.secret });
      assert.equal((await api.refused('DELETE', `/api/fediverse/blocks/${domain.id}`, 404, { token: owner.secret })).message, 'That block is already gone.');
      assert.deepEqual((await api.expect('GET', '/api/fediverse/blocks', 200, { token: owner.secret })).blocks.map((b: any) => b.kind), ['actor']);
    });

    test('only the owner: authors and moderators get 403, no token 401', async () => {
      for (const role of ['author', 'moderator'] as const) {
        const { secret } = await api.token(role);
        assert.equal((await api.refused('GET', '/api/fediverse/followers', 403, { token: secret })).message, 'Only the owner manages the blog’s fediverse account.');
        assert.equal((await api.refused('POST', '/api/fediverse/followers/block', 403, { token: secret, body: { actor: actor('cy') } })).code, 'forbidden');
        assert.equal((await api.refused('POST', '/api/fediverse/deliveries/1/retry', 403, { token: secret })).code, 'forbidden');
        assert.equal((await api.refused('POST', '/api/fediverse/blocks/domain', 403, { token: secret, body: { domain: 'x.example' } })).code, 'forbidden');
      }
      assert.equal((await api.refused('GET', '/api/fediverse/deliveries', 401)).code, 'unauthenticated');
      assert.equal((await k.deps.store.followers.findByActor(actor('cy')))?.status, 'accepted', 'nothing refused changed anything');
    });
  });
}
