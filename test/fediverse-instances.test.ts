import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Post } from '../src/core/store.ts';
import { InboxGate, RemoteServers, settled, signedBy, until, type Received } from './helpers/fediverse-remote.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from './helpers/test-kumbaya.ts';

const SITE = 'https://blog.example';
const BLOG_ACTOR = `${SITE}/@blog`;
const SERVERS = 8;

const typeOf = (r: Received) => (JSON.parse(r.body) as { type: string }).type;
const pg = testEngines().find((e) => e.engine === 'postgres')!;

// Issue 12 point 8: several Kumbaya instances on one PostgreSQL database. Two instances in
// this process, each with its own pool, page cache and queue listener, share one schema.
describe('two Kumbaya instances sharing PostgreSQL, on the fediverse', { skip: pg.skip, timeout: 120_000 }, () => {
  let a: TestKumbaya;
  let b: TestKumbaya;
  /** Eight servers (eight hosts), each with Ana's account and its shared inbox. */
  const servers = Array.from({ length: SERVERS }, () => new RemoteServers());
  let post: Post;

  before(async () => {
    for (const server of servers) await server.start();
    const env = { SITE_URL: SITE, FEDIVERSE_ALLOW_PRIVATE: 'true' };
    a = await startTestKumbaya({ engine: 'postgres', env });
    b = await startTestKumbaya({ engine: 'postgres', pgSchema: a.pgSchema, env });
    // Both listen to the queue (an instance starts listening once it has loaded Fedify).
    await Promise.all([a.fediverse!.federation(), b.fediverse!.federation()]);
  });
  after(async () => {
    await b?.cleanup();
    await a?.cleanup();
    for (const server of servers) await server.stop();
  });

  const accepts = (server: RemoteServers) => server.received.filter((r) => typeOf(r) === 'Accept');

  it('either instance receives: Follows sent to both are each accepted, with one Accept each', async () => {
    for (const [i, server] of servers.entries()) {
      const to = i % 2 === 0 ? a : b;
      assert.equal((await to.app.request(await server.signed(SITE, server.follow('/mastodon/users/ana', BLOG_ACTOR)))).status, 202);
    }
    await until(() => a.deps.store.followers.countAccepted(), (n) => n === SERVERS);
    await settled(a);
    assert.deepEqual(servers.map((server) => accepts(server).length), Array(SERVERS).fill(1));
  });

  it('a post published on one instance reaches each server once, delivered by both instances side by side', async () => {
    const gate = new InboxGate(SERVERS);
    for (const server of servers) server.gate = gate;
    const owner = await a.signIn('owner');
    const draft = await a.deps.posts.create(owner.user!, { title: 'One post, eight servers', markdown: 'Hello to all of you.' });
    post = (await a.deps.posts.publish(owner.user!, draft.id)).post;
    for (const server of servers) await server.delivery((r) => typeOf(r) === 'Create');
    // One listener sends at most 4 at a time: all 8 waiting at once means both instances were sending.
    assert.equal(gate.maxInFlight, SERVERS);
    for (const server of servers) server.gate = null;
    await settled(a);
    assert.deepEqual(servers.map((server) => server.received.filter((r) => typeOf(r) === 'Create').length), Array(SERVERS).fill(1), 'each server got the Create once');
    assert.equal(await signedBy(a, servers[3], servers[3].received.find((r) => typeOf(r) === 'Create')!), BLOG_ACTOR);

    // Edited on the other instance: the Update, once each, after the Create.
    const editor = await b.signIn('owner', 'editor@example.com');
    await b.deps.posts.update(editor.user!, post.id, { slug: post.slug, title: 'One post, eight servers (edited)', markdown: 'Hello again.' });
    for (const server of servers) await server.delivery((r) => typeOf(r) === 'Update');
    await settled(a);
    assert.deepEqual(
      servers.map((server) => server.received.map(typeOf).filter((type) => type !== 'Accept')),
      Array(SERVERS).fill(['Create', 'Update']),
    );
  });

  it('the same signed activity sent to both instances is handled once (Fedify’s idempotency, in the shared KvStore)', async () => {
    const server = servers[0];
    const follow = server.follow('/mastodon/users/impostor', BLOG_ACTOR);
    const request = await server.signed(SITE, follow);
    const [toA, toB] = await Promise.all([a.app.request(request.clone()), b.app.request(request)]);
    assert.deepEqual([toA.status, toB.status], [202, 202]);
    await until(() => a.deps.store.followers.findByActor(`${server.base}/mastodon/users/impostor`), (f) => f !== null);
    await settled(a);
    const answered = server.received.filter((r) => typeOf(r) === 'Accept' && r.body.includes(encodeURIComponent(follow.id)));
    assert.equal(answered.length, 1, 'one Accept: the Follow was handled once');
    // A copy arriving later is recognised too.
    assert.equal((await b.app.request(await server.signed(SITE, follow))).status, 202);
    await settled(a);
    assert.equal(server.received.filter((r) => typeOf(r) === 'Accept' && r.body.includes(encodeURIComponent(follow.id))).length, 1);
  });
});
