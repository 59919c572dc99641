import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import jsonld from 'jsonld';
import { preloadedContexts, verifyRequest } from '@fedify/fedify';
import { Temporal } from '@js-temporal/polyfill';
import {
  genDigestHeaderBothRFC3230AndRFC9530,
  parseRequestSignature,
  RFC9421SignatureBaseFactory,
  signAsDraftToRequest,
  verifyDigestHeader,
  verifyDraftSignature,
  verifyRFC9530DigestHeader,
  type RequestLike,
} from '@misskey-dev/node-http-message-signatures';
import { ACTIVITY_JSON, RemoteServers, settled, until, type Received } from './helpers/fediverse-remote.ts';
import { startTestKumbaya, type TestKumbaya } from './helpers/test-kumbaya.ts';

/**
 * Kumbaya against code nobody here wrote: Misskey's HTTP-signature library
 * (@misskey-dev/node-http-message-signatures) signs what the inbox receives and checks what
 * the blog sends; the `jsonld` processor expands the blog's actor and Article with the
 * JSON-LD contexts from the corpus, offline; a real request signed by oeee.cafe (from the
 * corpus) is checked by Misskey's verifier and by Fedify, the one Kumbaya's inbox uses.
 */

const SITE = 'https://blog.example';
const BLOG_ACTOR = `${SITE}/@blog`;
const AS = 'https://www.w3.org/ns/activitystreams#';
const SEC = 'https://w3id.org/security#';
const corpus = path.join(process.env.KUMBAYA_SHARED_DIR ?? '../shared', 'corpora/activitypub');

/** The JSON-LD contexts, from the corpus: expansion never touches the network. */
const contexts = new Map(
  fs.readdirSync(path.join(corpus, 'jsonld-contexts')).map((file) => [`https://${file.replace(/\.json$/, '').replaceAll('_', '/')}`, JSON.parse(fs.readFileSync(path.join(corpus, 'jsonld-contexts', file), 'utf8'))]),
);
/** Contexts the corpus lacks (the DID context Multikey needs, GoToSocial's for interaction policies): Fedify's bundled copies. */
const notInCorpus = new Set(['https://www.w3.org/ns/did/v1', 'https://gotosocial.org/ns']);
async function expand(doc: unknown): Promise<Record<string, any>> {
  const documentLoader = async (url: string) => {
    const document = contexts.get(url.replace(/^http:/, 'https:')) ?? (notInCorpus.has(url) ? (preloadedContexts as Record<string, unknown>)[url] : undefined);
    if (!document) throw new Error(`context not available offline: ${url}`);
    return { contextUrl: undefined, documentUrl: url, document };
  };
  const [node] = await jsonld.expand(doc as Parameters<typeof jsonld.expand>[0], { documentLoader: documentLoader as never });
  return node as Record<string, any>;
}
const first = (node: Record<string, any>, term: string) => node[term]?.[0]?.['@value'] ?? node[term]?.[0]?.['@id'];

/** The RSA key's PEM (as Misskey's signer takes it). */
const pemOf = (remote: RemoteServers) => remote.keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

/** A received delivery as Misskey's library reads a request. */
const asRequestLike = (r: Received, base: string): RequestLike => ({ url: `${base}${r.path}`, method: 'POST', headers: r.headers, body: r.body });

/** The blog's public key, as its actor publishes it. */
async function blogKeyPem(k: TestKumbaya): Promise<string> {
  const actor = (await (await k.request('/@blog', { headers: { accept: ACTIVITY_JSON } })).json()) as { publicKey: { id: string; publicKeyPem: string } };
  return actor.publicKey.publicKeyPem;
}

/**
 * Verifies an RFC 9421 signature with Misskey's signature base (its version signs and
 * parses only draft signatures; its `RFC9421SignatureBaseFactory` rebuilds the base from
 * the request and its Signature-Input), and the key with WebCrypto.
 */
async function verifyRfc9421(request: RequestLike, publicKeyPem: string): Promise<{ label: string; components: string }> {
  const input = String(request.headers['signature-input']);
  const [, label, components] = /^([\w-]+)=\(([^)]*)\)/.exec(input)!;
  const base = new RFC9421SignatureBaseFactory(request).generate(label);
  const signature = new RegExp(`${label}=:([^:]+):`).exec(String(request.headers.signature))![1];
  const key = await crypto.subtle.importKey('spki', Buffer.from(publicKeyPem.replace(/-----[^-]+-----|\s/g, ''), 'base64'), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
  assert.ok(await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, Buffer.from(signature, 'base64'), new TextEncoder().encode(base)), `RFC 9421 signature verifies:\n${base}`);
  return { label, components };
}

describe('interop: Misskey’s HTTP signatures and the jsonld processor (SQLite)', { timeout: 120_000 }, () => {
  let k: TestKumbaya;
  const remote = new RemoteServers();
  let postId = 0;
  const POST = `${SITE}/interop`;
  let n = 0;

  before(async () => {
    await remote.start();
    k = await startTestKumbaya({ env: { SITE_URL: SITE, FEDIVERSE_ALLOW_PRIVATE: 'true' } });
    const owner = await k.deps.auth.createUser({ name: 'Ann', email: 'ann@example.com', password: 'correct horse battery' }, 'owner');
    const draft = await k.deps.posts.create(owner, { type: 'post', slug: 'interop', title: 'Interop', markdown: 'Written *here*, read **there**.' });
    postId = (await k.deps.posts.publish(owner, draft.id)).post.id;
  });
  after(async () => {
    await k.cleanup();
    await remote.stop();
  });

  const actor = (name: string) => `${remote.base}/mastodon/users/${name}`;
  const like = (by: string) => ({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${actor(by)}#likes/interop-${++n}`, type: 'Like', actor: actor(by), object: POST });
  const likes = async () => (await k.deps.store.reactions.forPost(postId, 100)).likes.map((r) => r.activityId);

  /** A POST to the blog's inbox as Misskey builds one: Date, Host, Digest and Content-Digest. */
  async function misskeyRequest(activity: unknown): Promise<RequestLike & { headers: Record<string, string>; body: string }> {
    const body = JSON.stringify(activity);
    const request = { url: `${SITE}/@blog/inbox`, method: 'POST', headers: { Date: new Date().toUTCString(), Host: new URL(SITE).host, 'Content-Type': ACTIVITY_JSON, Accept: ACTIVITY_JSON } as Record<string, string>, body };
    await genDigestHeaderBothRFC3230AndRFC9530(request, body, 'SHA-256');
    return request;
  }
  const send = (request: RequestLike & { headers: Record<string, string>; body: string }) => k.app.request(new Request(request.url, { method: 'POST', headers: request.headers, body: request.body }));

  /** Signs RFC 9421 with Misskey's signature base: `components` as Signature-Input lists them. */
  async function signRfc9421<R extends RequestLike & { headers: Record<string, string> }>(request: R, keyId: string, components: string[]): Promise<R> {
    const created = Math.floor(Date.now() / 1000);
    request.headers['Signature-Input'] = `sig1=(${components.map((c) => `"${c}"`).join(' ')});created=${created};keyid="${keyId}";alg="rsa-v1_5-sha256"`;
    const base = new RFC9421SignatureBaseFactory(request).generate('sig1');
    const key = await crypto.subtle.importKey('pkcs8', remote.keys.privateKey.export({ type: 'pkcs8', format: 'der' }), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
    const signature = Buffer.from(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key, new TextEncoder().encode(base))).toString('base64');
    request.headers.Signature = `sig1=:${signature}:`;
    return request;
  }

  it('accepts a Like signed by Misskey’s library, draft-cavage (rsa-sha256, Digest signed)', async () => {
    const activity = like('ana');
    const request = await misskeyRequest(activity);
    await signAsDraftToRequest(request, { keyId: `${actor('ana')}#main-key`, privateKeyPem: pemOf(remote) }, ['(request-target)', 'date', 'host', 'digest']);
    assert.match(request.headers.Signature, /algorithm="rsa-sha256"/);
    assert.equal((await send(request)).status, 202);
    await until(likes, (ids) => ids.includes(activity.id));
  });

  it('accepts a Like signed RFC 9421 style over Misskey’s signature base (Content-Digest covered)', async () => {
    const activity = like('lou');
    const request = await signRfc9421(await misskeyRequest(activity), `${actor('lou')}#main-key`, ['@method', '@target-uri', '@authority', 'content-digest', 'date']);
    const res = await send(request);
    assert.equal(res.status, 202, await res.clone().text());
    await until(likes, (ids) => ids.includes(activity.id));
  });

  it('refuses (401) signatures, of either kind, that leave the body’s digest out', async () => {
    const draft = await misskeyRequest(like('ana'));
    await signAsDraftToRequest(draft, { keyId: `${actor('ana')}#main-key`, privateKeyPem: pemOf(remote) }, ['(request-target)', 'date', 'host']);
    const refused = await send(draft);
    assert.equal(refused.status, 401);
    assert.match(await refused.text(), /digest/);
    const rfc = await signRfc9421(await misskeyRequest(like('ana')), `${actor('ana')}#main-key`, ['@method', '@target-uri', '@authority', 'date']);
    assert.equal((await send(rfc)).status, 401);
    // Signed right, then the body swapped for another activity: the digests no longer match.
    const swapped = await misskeyRequest(like('ana'));
    await signAsDraftToRequest(swapped, { keyId: `${actor('ana')}#main-key`, privateKeyPem: pemOf(remote) }, ['(request-target)', 'date', 'host', 'digest']);
    assert.equal((await send({ ...swapped, body: JSON.stringify(like('ana')) })).status, 401);
    await settled(k);
    assert.equal((await likes()).length, 2, 'only the two good likes were recorded');
  });

  it('the Accept of a Follow verifies with Misskey’s library: RFC 9421 first, draft-cavage for a server that refuses it', async () => {
    const publicKeyPem = await blogKeyPem(k);
    // A server that takes RFC 9421 (Fedify tries it first).
    const follow = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${remote.base}/follows/interop-1`, type: 'Follow', actor: actor('ana'), object: BLOG_ACTOR };
    const followRequest = await misskeyRequest(follow);
    await signAsDraftToRequest(followRequest, { keyId: `${actor('ana')}#main-key`, privateKeyPem: pemOf(remote) }, ['(request-target)', 'date', 'host', 'digest']);
    assert.equal((await send(followRequest)).status, 202);
    const rfc = await remote.delivery((r) => r.body.includes('"Accept"') && r.body.includes(follow.id));
    const rfcRequest = asRequestLike(rfc, remote.base);
    const { components } = await verifyRfc9421(rfcRequest, publicKeyPem);
    assert.match(components, /"content-digest"/, 'the body is covered');
    assert.match(String(rfc.headers['signature-input']), new RegExp(`keyid="${BLOG_ACTOR}#main-key"`));
    assert.equal(await verifyRFC9530DigestHeader(rfcRequest, rfc.body), true, 'Content-Digest matches the body');

    // An older server answers 401 to RFC 9421: the blog knocks again with draft-cavage.
    remote.answer = (r) => (r.headers['signature-input'] ? 401 : 202);
    try {
      const again = { ...follow, id: `${remote.base}/follows/interop-2`, actor: actor('lou') };
      const againRequest = await misskeyRequest(again);
      await signAsDraftToRequest(againRequest, { keyId: `${actor('lou')}#main-key`, privateKeyPem: pemOf(remote) }, ['(request-target)', 'date', 'host', 'digest']);
      assert.equal((await send(againRequest)).status, 202);
      const draft = await remote.delivery((r) => r.body.includes('"Accept"') && r.body.includes(again.id));
      const draftRequest = asRequestLike(draft, remote.base);
      const parsed = parseRequestSignature(draftRequest, { requiredComponents: { draft: ['(request-target)', 'host', 'date', 'digest'] } });
      assert.equal(parsed.version, 'draft');
      if (parsed.version !== 'draft') return;
      assert.equal(parsed.value.keyId, `${BLOG_ACTOR}#main-key`);
      assert.equal(await verifyDraftSignature(parsed.value, publicKeyPem), true, 'draft-cavage signature verifies');
      assert.equal(await verifyDigestHeader(draftRequest, draft.body), true, 'Digest matches the body');
      // And a changed body does not pass Misskey's digest check.
      assert.equal(await verifyDigestHeader(draftRequest, draft.body.replace('Accept', 'Reject')), false);
    } finally {
      remote.answer = () => 202;
    }
  });

  it('the jsonld processor expands the blog’s actor: inbox, shared inbox, followers, RSA publicKey, Ed25519 assertionMethod', async () => {
    const doc = (await (await k.request('/@blog', { headers: { accept: ACTIVITY_JSON } })).json()) as { '@context': unknown };
    const actor = await expand(doc);
    assert.equal(actor['@id'], BLOG_ACTOR);
    assert.deepEqual(actor['@type'], [`${AS}Person`]);
    assert.equal(first(actor, 'http://www.w3.org/ns/ldp#inbox'), `${BLOG_ACTOR}/inbox`);
    assert.equal(first(actor[`${AS}endpoints`][0], `${AS}sharedInbox`), `${SITE}/ap/inbox`);
    assert.equal(first(actor, `${AS}followers`), `${BLOG_ACTOR}/followers`);
    const key = actor[`${SEC}publicKey`][0];
    assert.equal(key['@id'], `${BLOG_ACTOR}#main-key`);
    assert.equal(first(key, `${SEC}owner`), BLOG_ACTOR);
    assert.match(first(key, `${SEC}publicKeyPem`), /^-----BEGIN PUBLIC KEY-----/);
    const methods = actor[`${SEC}assertionMethod`] as Array<Record<string, any>>;
    assert.ok(methods.every((m) => (m['@type'] ?? []).includes(`${SEC}Multikey`) && first(m, `${SEC}controller`) === BLOG_ACTOR), 'Multikeys the blog controls');
    // Ed25519 public keys are multicodec 0xed01, base58btc: z6Mk…
    assert.ok(methods.some((m) => /^z6Mk/.test(first(m, `${SEC}publicKeyMultibase`))), 'an Ed25519 key for integrity proofs');
  });

  it('the jsonld processor expands a post’s Article: name, content, attributedTo, audience, quote policy', async () => {
    const article = await expand(await (await k.request('/interop', { headers: { accept: ACTIVITY_JSON } })).json());
    assert.equal(article['@id'], POST);
    assert.deepEqual(article['@type'], [`${AS}Article`]);
    assert.equal(first(article, `${AS}name`), 'Interop');
    assert.match(first(article, `${AS}content`), /Written <em>here<\/em>, read <strong>there<\/strong>\./);
    assert.equal(first(article, `${AS}attributedTo`), BLOG_ACTOR);
    assert.equal(first(article, `${AS}to`), `${AS}Public`);
    assert.equal(first(article, `${AS}url`), POST);
    // GoToSocial's interaction policy (what FEP-044f quote requests go by): anyone, approved automatically.
    const policy = article['https://gotosocial.org/ns#interactionPolicy']?.[0];
    assert.ok(policy, 'an interactionPolicy');
    assert.equal(first(policy['https://gotosocial.org/ns#canQuote'][0], 'https://gotosocial.org/ns#automaticApproval'), `${AS}Public`);
  });
});

describe('interop: a real signed request from oeee.cafe (the corpus)', () => {
  const described = JSON.parse(fs.readFileSync(path.join(corpus, 'oeee-accept-request.json'), 'utf8')) as { method: string; url: string; headers: Record<string, string>; body_file: string };
  const body = fs.readFileSync(path.join(corpus, described.body_file), 'utf8').replace(/\n$/, '');
  const actorDocument = JSON.parse(fs.readFileSync(path.join(corpus, 'oeee-cafe-actor.json'), 'utf8')) as { id: string; publicKey: { id: string; publicKeyPem: string } };
  const signedAt = Temporal.Instant.from(new Date(described.headers.Date).toISOString()) as unknown as globalThis.Temporal.Instant;
  const loader = async (url: string) => {
    if (url.split('#')[0] === actorDocument.id) return { contextUrl: null, documentUrl: url, document: actorDocument };
    const document = contexts.get(url);
    if (!document) throw new Error(`offline: ${url}`);
    return { contextUrl: null, documentUrl: url, document };
  };

  it('verifies with Misskey’s library and with Fedify (hs2019, created/expires, Digest)', async () => {
    const request: RequestLike = { url: described.url, method: described.method, headers: described.headers, body };
    assert.equal(await verifyDigestHeader(request, body), true);
    const parsed = parseRequestSignature(request, { clockSkew: { now: new Date(described.headers.Date) } });
    assert.equal(parsed.version, 'draft');
    if (parsed.version !== 'draft') return;
    assert.equal(parsed.value.keyId, actorDocument.publicKey.id);
    assert.equal(parsed.value.signingString, fs.readFileSync(path.join(corpus, 'oeee-accept-signing-string.txt'), 'utf8').replace(/\n$/, ''));
    assert.equal(await verifyDraftSignature(parsed.value, actorDocument.publicKey.publicKeyPem), true);
    const key = await verifyRequest(new Request(described.url, { method: 'POST', headers: described.headers, body }), { documentLoader: loader, contextLoader: loader, currentTime: signedAt });
    assert.equal(key?.ownerId?.href, actorDocument.id);
  });

  it('a changed body fails both', async () => {
    const changed = body.replace('"Accept"', '"Reject"');
    assert.equal(await verifyDigestHeader({ url: described.url, method: described.method, headers: described.headers, body: changed }, changed), false);
    const key = await verifyRequest(new Request(described.url, { method: 'POST', headers: described.headers, body: changed }), { documentLoader: loader, contextLoader: loader, currentTime: signedAt });
    assert.equal(key, null);
  });
});
