import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signRequest, verifyRequest } from '@fedify/fedify';
import { APPROVE_FOLLOWERS_SETTING } from '../src/core/following.ts';
import { ACTIVITY_JSON, blogLoader as loaderOf, RemoteServers, settled as settledOf, until } from './helpers/fediverse-remote.ts';
import { startTestKumbaya, type TestKumbaya } from './helpers/test-kumbaya.ts';

const BLOG_ACTOR = 'https://blog.example/@blog';

// A generous bound only so that a missing listener fails instead of waiting forever.
describe('following the blog from the fediverse (SQLite)', { timeout: 120_000 }, () => {
  let k: TestKumbaya;
  const remote = new RemoteServers();
  let privateKey: CryptoKey;

  before(async () => {
    await remote.start();
    privateKey = await remote.rsaPrivateKey();
    k = await startTestKumbaya({ env: { SITE_URL: 'https://blog.example', FEDIVERSE_ALLOW_PRIVATE: 'true' } });
  });
  after(async () => {
    await k.cleanup();
    await remote.stop();
  });

  /** POSTs an activity to the blog's inbox, signed (draft-cavage) with the key of the actor it names. */
  async function post(activity: Record<string, unknown>, inbox = '/@blog/inbox') {
    const actor = typeof activity.actor === 'string' ? activity.actor : '';
    const request = new Request(`https://blog.example${inbox}`, { method: 'POST', headers: { 'content-type': ACTIVITY_JSON, accept: ACTIVITY_JSON }, body: JSON.stringify(activity) });
    return k.app.request(await signRequest(request, privateKey, new URL(`${actor}#main-key`)));
  }

  const host = () => new URL(remote.base).host;

  const settled = () => settledOf(k);

  const mastodonFollow = (actor: string, n: string) => ({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${remote.base}/${n}`, type: 'Follow', actor, object: BLOG_ACTOR });

  /** The blog's key, read from its actor, for checking its signatures. */
  const blogLoader = (url: string) => loaderOf(k)(url);

  it('a Mastodon Follow is recorded with its handle and Person, and a signed Accept reaches the follower’s inbox', async () => {
    const ana = `${remote.base}/mastodon/users/ana`;
    const follow = mastodonFollow(ana, 'f3b2c1d0-mastodon-follow');
    const res = await post(follow);
    assert.equal(res.status, 202, await res.clone().text());
    const follower = await until(() => k.deps.store.followers.findByActor(ana), (f) => f !== null);
    assert.equal(follower?.status, 'accepted');
    assert.equal(follower?.handle, `@ana@${host()}`);
    assert.equal(follower?.inbox, `${ana}/inbox`);
    assert.equal(follower?.sharedInbox, `${remote.base}/mastodon/inbox`);
    assert.equal(follower?.followId, follow.id);
    const person = await k.deps.store.people.findByIdentity('fediverse', ana);
    assert.equal(person?.name, 'Ana Lima');
    const identities = await k.deps.store.people.identities(person!.id);
    assert.deepEqual(identities.filter((i) => i.kind === 'fediverse' || i.kind === 'handle').map((i) => [i.kind, i.value, i.verified]).sort(), [['fediverse', ana, true], ['handle', `@ana@${host()}`, true]]);

    const delivered = await remote.delivery((r) => r.body.includes('"Accept"') && r.body.includes(follow.id));
    const accept = JSON.parse(delivered.body);
    assert.equal(accept.type, 'Accept');
    assert.equal(accept.actor, BLOG_ACTOR);
    assert.equal(accept.object.id ?? accept.object, follow.id);
    // Its HTTP signature verifies against the key the blog's actor publishes.
    const request = new Request(`${remote.base}${delivered.path}`, { method: 'POST', headers: delivered.headers, body: delivered.body });
    const key = await verifyRequest(request, { documentLoader: blogLoader, contextLoader: blogLoader });
    assert.equal(key?.ownerId?.href, BLOG_ACTOR);
  });

  it('a Misskey Follow through the shared inbox, then its Undo(Follow), removes the follower', async () => {
    const kumo = `${remote.base}/misskey/users/9abc`;
    const follow = { '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'], id: `${remote.base}/misskey/follows/9abc/9def`, type: 'Follow', actor: kumo, object: BLOG_ACTOR };
    assert.equal((await post(follow, '/ap/inbox')).status, 202);
    assert.equal((await until(() => k.deps.store.followers.findByActor(kumo), (f) => f !== null))?.handle, `@kumo@${host()}`);
    const undo = { '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'], id: `${remote.base}/misskey/undo/1`, type: 'Undo', actor: kumo, object: follow };
    assert.equal((await post(undo)).status, 202);
    assert.equal(await until(() => k.deps.store.followers.findByActor(kumo), (f) => f === null), null);
  });

  it('an Undo(Follow) naming someone else’s follow removes nothing', async () => {
    const ana = `${remote.base}/mastodon/users/ana`;
    await post(mastodonFollow(ana, 'ana-follow-again'));
    await until(() => k.deps.store.followers.findByActor(ana), (f) => f?.followId === `${remote.base}/ana-follow-again`);
    const impostor = `${remote.base}/mastodon/users/impostor`;
    const undo = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${impostor}#undo/1`, type: 'Undo', actor: impostor, object: { id: `${remote.base}/ana-follow-again`, type: 'Follow', actor: ana, object: BLOG_ACTOR } };
    assert.equal((await post(undo)).status, 202);
    await settled();
    assert.equal((await k.deps.store.followers.findByActor(ana))?.status, 'accepted');
  });

  it('a Mastodon Move carries the follow to the new account that names the old one', async () => {
    const ana = `${remote.base}/mastodon/users/ana`;
    const anaNew = `${remote.base}/mastodon/users/ana-new`;
    await post(mastodonFollow(ana, 'ana-before-move'));
    const since = await until(() => k.deps.store.followers.findByActor(ana), (f) => f?.followId === `${remote.base}/ana-before-move`);
    const move = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${ana}#moves/1`, type: 'Move', actor: ana, object: ana, target: anaNew };
    assert.equal((await post(move)).status, 202);
    const moved = await until(() => k.deps.store.followers.findByActor(anaNew), (f) => f !== null);
    assert.equal(await k.deps.store.followers.findByActor(ana), null);
    assert.equal(moved?.status, since!.status);
    assert.equal(moved?.handle, `@ana2@${host()}`);
    assert.equal(moved?.inbox, `${anaNew}/inbox`);
    // The new account is the same Person's too.
    assert.equal((await k.deps.store.people.findByIdentity('fediverse', anaNew))?.name, 'Ana Lima');
  });

  it('a Move to an account that does not name the old one changes nothing', async () => {
    const kumo = `${remote.base}/misskey/users/9abc`;
    await post({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${remote.base}/misskey/follows/2`, type: 'Follow', actor: kumo, object: BLOG_ACTOR });
    await until(() => k.deps.store.followers.findByActor(kumo), (f) => f !== null);
    const move = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${kumo}#moves/1`, type: 'Move', actor: kumo, object: kumo, target: `${remote.base}/mastodon/users/impostor` };
    assert.equal((await post(move)).status, 202);
    await settled();
    assert.equal((await k.deps.store.followers.findByActor(kumo))?.status, 'accepted');
    assert.equal(await k.deps.store.followers.findByActor(`${remote.base}/mastodon/users/impostor`), null);
  });

  it('with "approve followers" on, a Follow waits and the actor says it approves followers manually', async () => {
    await k.deps.store.settings.set({ [APPROVE_FOLLOWERS_SETTING]: 'true' });
    try {
      const actor = (await (await k.request('/@blog', { headers: { accept: ACTIVITY_JSON } })).json()) as { manuallyApprovesFollowers?: boolean };
      assert.equal(actor.manuallyApprovesFollowers, true);
      const impostor = `${remote.base}/mastodon/users/impostor`;
      const follow = mastodonFollow(impostor, 'impostor-follow');
      assert.equal((await post(follow)).status, 202);
      assert.equal((await until(() => k.deps.store.followers.findByActor(impostor), (f) => f !== null))?.status, 'pending');
      await settled();
      assert.ok(!remote.received.some((r) => r.body.includes(follow.id)), 'no Accept for a held follow');
    } finally {
      await k.deps.store.settings.set({ [APPROVE_FOLLOWERS_SETTING]: 'false' });
    }
  });

  it('the author accepts a held follower in Admin → Fediverse and the signed Accept reaches them; a rejected one gets Reject', async () => {
    const impostor = `${remote.base}/mastodon/users/impostor`;
    assert.equal((await k.deps.store.followers.findByActor(impostor))?.status, 'pending', 'held by the test before');
    const owner = await k.signIn('owner');
    assert.equal((await owner.form('/admin/fediverse/accept', { actor: impostor })).status, 303);
    assert.equal((await k.deps.store.followers.findByActor(impostor))?.status, 'accepted');
    const delivered = await remote.delivery((r) => r.path === '/mastodon/users/impostor/inbox' || (r.path === '/mastodon/inbox' && r.body.includes('impostor-follow')));
    const accept = JSON.parse(delivered.body);
    assert.equal(accept.type, 'Accept');
    assert.equal(accept.object.id ?? accept.object, `${remote.base}/impostor-follow`);
    const request = new Request(`${remote.base}${delivered.path}`, { method: 'POST', headers: delivered.headers, body: delivered.body });
    assert.equal((await verifyRequest(request, { documentLoader: blogLoader, contextLoader: blogLoader }))?.ownerId?.href, BLOG_ACTOR);
    // Accepting again: the request is no longer waiting.
    assert.equal((await owner.form('/admin/fediverse/accept', { actor: impostor })).status, 404);

    await k.deps.store.settings.set({ [APPROVE_FOLLOWERS_SETTING]: 'true' });
    const kumo = `${remote.base}/misskey/users/9abc`;
    await k.deps.store.followers.remove(kumo);
    await post({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${remote.base}/misskey/follows/to-reject`, type: 'Follow', actor: kumo, object: BLOG_ACTOR });
    await until(() => k.deps.store.followers.findByActor(kumo), (f) => f?.status === 'pending');
    await k.deps.store.settings.set({ [APPROVE_FOLLOWERS_SETTING]: 'false' });
    assert.equal((await owner.form('/admin/fediverse/reject', { actor: kumo })).status, 303);
    assert.equal(await k.deps.store.followers.findByActor(kumo), null);
    const rejected = JSON.parse((await remote.delivery((r) => r.body.includes('"Reject"') && r.body.includes('follows/to-reject'))).body);
    assert.equal(rejected.actor, BLOG_ACTOR);
  });

  it('a blocked account, and any account on a blocked domain, is refused with 403', async () => {
    const kumo = `${remote.base}/misskey/users/9abc`;
    await k.deps.store.fediverseBlocks.add('actor', kumo, k.deps.clock.now());
    const res = await post({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${remote.base}/misskey/follows/3`, type: 'Follow', actor: kumo, object: BLOG_ACTOR });
    assert.equal(res.status, 403);
    await k.deps.store.fediverseBlocks.add('domain', 'blocked.example', k.deps.clock.now());
    const fromDomain = await post({ '@context': 'https://www.w3.org/ns/activitystreams', id: 'https://eu.blocked.example/f/1', type: 'Follow', actor: 'https://eu.blocked.example/users/x', object: BLOG_ACTOR });
    assert.equal(fromDomain.status, 403);
    assert.equal(await k.deps.store.followers.findByActor('https://eu.blocked.example/users/x'), null);
  });
});
