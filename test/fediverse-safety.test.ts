import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { preloadedContexts, signObject, signRequest } from '@fedify/fedify';
import { Like } from '@fedify/fedify/vocab';
import { ACTIVITY_JSON, RemoteServers, settled } from './helpers/fediverse-remote.ts';
import { startTestKumbaya, type TestKumbaya } from './helpers/test-kumbaya.ts';

const SITE = 'https://blog.example';
const AS_CONTEXT = 'https://www.w3.org/ns/activitystreams';

/** Only the contexts Fedify ships: signing a proof needs no network. */
const contextLoader = async (url: string) => {
  const document = (preloadedContexts as Record<string, unknown>)[url];
  if (!document) throw new Error(`no offline copy of ${url}`);
  return { contextUrl: null, documentUrl: url, document };
};

// A generous bound only so that a missing listener fails instead of waiting forever.
describe('what the inbox refuses and what it lets through (SQLite)', { timeout: 120_000 }, () => {
  let k: TestKumbaya;
  const remote = new RemoteServers();
  let rsa: CryptoKey;
  let ed25519: CryptoKey;
  let postId = 0;
  const POST = `${SITE}/a-post`;
  let n = 0;

  before(async () => {
    await remote.start();
    [rsa, ed25519] = await Promise.all([remote.rsaPrivateKey(), remote.ed25519PrivateKey()]);
    k = await startTestKumbaya({ env: { SITE_URL: SITE, FEDIVERSE_ALLOW_PRIVATE: 'true', FEDIVERSE_INBOX_LIMIT: '40' } });
    const owner = await k.deps.auth.createUser({ name: 'Ann', email: 'ann@example.com', password: 'correct horse battery' }, 'owner');
    const draft = await k.deps.posts.create(owner, { type: 'post', slug: 'a-post', title: 'A post', markdown: 'Words.' });
    postId = (await k.deps.posts.publish(owner, draft.id)).post.id;
  });
  after(async () => {
    await k.cleanup();
    await remote.stop();
  });

  const actor = (name: string) => `${remote.base}/mastodon/users/${name}`;
  const like = (by: string) => ({ '@context': AS_CONTEXT, id: `${actor(by)}#likes/${++n}`, type: 'Like', actor: actor(by), object: POST });
  const inboxRequest = (body: string) => new Request(`${SITE}/@blog/inbox`, { method: 'POST', headers: { 'content-type': ACTIVITY_JSON, accept: ACTIVITY_JSON }, body });
  const likers = async () => (await k.deps.store.reactions.forPost(postId, 100)).likes.map((r) => r.activityId);

  it('accepts a request signed RFC 9421 style (Signature-Input, Content-Digest) as well as draft-cavage', async () => {
    const rfc = like('ana');
    const signed = await signRequest(inboxRequest(JSON.stringify(rfc)), rsa, new URL(`${actor('ana')}#main-key`), { spec: 'rfc9421' });
    assert.match(signed.headers.get('signature-input') ?? '', /keyid="[^"]+#main-key"/);
    assert.match(signed.headers.get('content-digest') ?? '', /^sha-256=:/);
    assert.equal((await k.app.request(signed)).status, 202);
    const cavage = like('lou');
    assert.equal((await k.app.request(await signRequest(inboxRequest(JSON.stringify(cavage)), rsa, new URL(`${actor('lou')}#main-key`)))).status, 202);
    await settled(k);
    assert.deepEqual((await likers()).sort(), [cavage.id, rfc.id].sort());
  });

  it('refuses (401) a body changed after signing, whichever the signature format', async () => {
    for (const spec of ['draft-cavage-http-signatures-12', 'rfc9421'] as const) {
      const original = like('ana');
      const signed = await signRequest(inboxRequest(JSON.stringify(original)), rsa, new URL(`${actor('ana')}#main-key`), { spec });
      // The same headers (signature, digest) with another activity in the body.
      const tampered = new Request(signed.url, { method: 'POST', headers: signed.headers, body: JSON.stringify({ ...original, object: `${SITE}/another-post` }) });
      assert.equal((await k.app.request(tampered)).status, 401, spec);
      // A digest that matches the new body does not help: the signature covers the digest.
      const redigested = new Headers(signed.headers);
      const body = JSON.stringify({ ...original, id: `${original.id}-forged` });
      const sha = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body))).toString('base64');
      if (spec === 'rfc9421') redigested.set('content-digest', `sha-256=:${sha}:`);
      else redigested.set('digest', `SHA-256=${sha}`);
      assert.equal((await k.app.request(new Request(signed.url, { method: 'POST', headers: redigested, body }))).status, 401, `${spec}, digest redone`);
    }
    await settled(k);
    assert.equal((await likers()).length, 2, 'nothing new was recorded');
  });

  it('refuses (401) an activity signed with another account’s key, and records nothing', async () => {
    // The impostor signs, with its own key id, a Like that says Ana made it.
    const forged = like('ana');
    const res = await k.app.request(await signRequest(inboxRequest(JSON.stringify(forged)), rsa, new URL(`${actor('impostor')}#main-key`)));
    assert.equal(res.status, 401);
    assert.match(await res.text(), /signer and the actor do not match/);
    const unsigned = await k.app.request(inboxRequest(JSON.stringify(like('ana'))));
    assert.equal(unsigned.status, 401);
    await settled(k);
    assert.ok(!(await likers()).includes(forged.id));
  });

  it('accepts an unsigned request whose activity carries a valid integrity proof by its actor; not one by someone else', async () => {
    const proven = new Like({ id: new URL(`${actor('ana')}#likes/proven`), actor: new URL(actor('ana')), object: new URL(POST) });
    const signed = await signObject(proven, ed25519, new URL(`${actor('ana')}#ed25519-key`), { contextLoader });
    const body = JSON.stringify(await signed.toJsonLd({ format: 'compact', contextLoader }));
    assert.match(body, /"proof"/);
    assert.equal((await k.app.request(inboxRequest(body))).status, 202, 'no HTTP signature: the proof is enough');
    // The impostor's key proves a Like that claims to be Ana's.
    const claimed = new Like({ id: new URL(`${actor('ana')}#likes/claimed`), actor: new URL(actor('ana')), object: new URL(POST) });
    const wrong = await signObject(claimed, ed25519, new URL(`${actor('impostor')}#ed25519-key`), { contextLoader });
    assert.equal((await k.app.request(inboxRequest(JSON.stringify(await wrong.toJsonLd({ format: 'compact', contextLoader }))))).status, 401);
    // A proof over different content: the object changed after signing.
    const altered = { ...(JSON.parse(body) as Record<string, unknown>), object: `${SITE}/another-post` };
    assert.equal((await k.app.request(inboxRequest(JSON.stringify(altered)))).status, 401);
    await settled(k);
    const ids = await likers();
    assert.ok(ids.includes(`${actor('ana')}#likes/proven`));
    assert.ok(!ids.includes(`${actor('ana')}#likes/claimed`));
  });

  it('acknowledges (202) and ignores activity types it has no use for', async () => {
    const before = await k.deps.store.reactions.forPost(postId, 100);
    const kinds = [
      { type: 'Read', object: POST },
      { type: 'Flag', object: POST },
      // An extension type with its own context (as Misskey and Pleroma send).
      { '@context': [AS_CONTEXT, { Wave: 'https://fedi.example/ns#Wave' }], type: 'Wave', object: POST },
    ];
    for (const kind of kinds) {
      const activity = { '@context': AS_CONTEXT, id: `${actor('ana')}#other/${++n}`, actor: actor('ana'), ...kind };
      const res = await k.app.request(await signRequest(inboxRequest(JSON.stringify(activity)), rsa, new URL(`${actor('ana')}#main-key`)));
      assert.equal(res.status, 202, `${kind.type}: ${await res.text()}`);
    }
    // Unsigned, or signed by someone other than its actor, it is not acknowledged (Fedify's 400 stands).
    const wave = { '@context': [AS_CONTEXT, { Wave: 'https://fedi.example/ns#Wave' }], id: `${actor('ana')}#other/${++n}`, type: 'Wave', actor: actor('ana'), object: POST };
    assert.equal((await k.app.request(inboxRequest(JSON.stringify(wave)))).status, 400);
    assert.equal((await k.app.request(await signRequest(inboxRequest(JSON.stringify(wave)), rsa, new URL(`${actor('impostor')}#main-key`)))).status, 400);
    await settled(k);
    assert.deepEqual(await k.deps.store.reactions.forPost(postId, 100), before);
  });

  it('limits each server to FEDIVERSE_INBOX_LIMIT activities a minute: 429 with Retry-After, other servers unaffected', async () => {
    let last: Response | null = null;
    // Whatever this suite sent before counts too; the limit is 40 a minute.
    for (let i = 0; i < 41 && last?.status !== 429; i++) {
      last = await k.app.request(await signRequest(inboxRequest(JSON.stringify(like('lou'))), rsa, new URL(`${actor('lou')}#main-key`)));
    }
    assert.equal(last?.status, 429);
    const retryAfter = Number(last!.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${retryAfter}`);
    // The same server, another account, RFC 9421: the budget is the server's.
    const other = await k.app.request(await signRequest(inboxRequest(JSON.stringify(like('ana'))), rsa, new URL(`${actor('ana')}#main-key`), { spec: 'rfc9421' }));
    assert.equal(other.status, 429);
    // Another server (here: a key id on another host name) still gets through to the signature check.
    const elsewhere = await k.app.request(await signRequest(inboxRequest(JSON.stringify(like('ana'))), rsa, new URL('http://other.invalid/users/x#main-key')));
    assert.notEqual(elsewhere.status, 429);
  });
});

describe('without FEDIVERSE_ALLOW_PRIVATE (SQLite)', () => {
  it('the inbox does not fetch a key from a private address: the activity is refused', async (t) => {
    const remote = new RemoteServers();
    await remote.start();
    const k = await startTestKumbaya({ env: { SITE_URL: SITE } });
    t.after(async () => {
      await k.cleanup();
      await remote.stop();
    });
    const actor = `${remote.base}/mastodon/users/ana`;
    const activity = { '@context': AS_CONTEXT, id: `${actor}#likes/1`, type: 'Like', actor, object: `${SITE}/` };
    const request = new Request(`${SITE}/@blog/inbox`, { method: 'POST', headers: { 'content-type': ACTIVITY_JSON }, body: JSON.stringify(activity) });
    const res = await k.app.request(await signRequest(request, await remote.rsaPrivateKey(), new URL(`${actor}#main-key`)));
    assert.equal(res.status, 401);
  });
});
