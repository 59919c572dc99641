import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signRequest, verifyRequest } from '@fedify/fedify';
import { QUOTE_POLICY_SETTING } from '../src/core/reactions.ts';
import { ACTIVITY_JSON, blogLoader, RemoteServers, settled, until } from './helpers/fediverse-remote.ts';
import { startTestKumbaya, type TestKumbaya } from './helpers/test-kumbaya.ts';

const SITE = 'https://blog.example';
const BLOG_ACTOR = `${SITE}/@blog`;
const AS_CONTEXT = 'https://www.w3.org/ns/activitystreams';
const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';

/** The rows of faces on a post page, as a reader sees them: each row's title and its faces' names. */
function faceRows(page: string): Record<string, { title: string; names: string[]; images: string[] }> {
  const rows: Record<string, { title: string; names: string[]; images: string[] }> = {};
  for (const [, title, list] of page.matchAll(/<h3 class="mention-row-title">([^<]*)<\/h3>\s*<ul class="faces">([\s\S]*?)<\/ul>/g)) {
    const names = [...list.matchAll(/<span class="p-name face-name">([^<]*)<\/span>/g)].map((m) => m[1]);
    const images = [...list.matchAll(/<img class="avatar" src="([^"]*)"/g)].map((m) => m[1]);
    rows[title.replace(/^\d+ /, '').replace(/s$/, '')] = { title, names, images };
  }
  return rows;
}

// A generous bound only so that a missing listener fails instead of waiting forever.
describe('likes, boosts and quote requests from the fediverse (SQLite)', { timeout: 120_000 }, () => {
  let k: TestKumbaya;
  const remote = new RemoteServers();
  let privateKey: CryptoKey;
  let postId = 0;
  const POST = `${SITE}/field-notes`;

  before(async () => {
    await remote.start();
    privateKey = await remote.rsaPrivateKey();
    k = await startTestKumbaya({ env: { SITE_URL: SITE, FEDIVERSE_ALLOW_PRIVATE: 'true' } });
    const owner = await k.deps.auth.createUser({ name: 'Ann', email: 'ann@example.com', password: 'correct horse battery' }, 'owner');
    const draft = await k.deps.posts.create(owner, { type: 'post', slug: 'field-notes', title: 'Field notes', markdown: 'What the river said.' });
    postId = (await k.deps.posts.publish(owner, draft.id)).post.id;
    await k.deps.posts.create(owner, { type: 'post', slug: 'not-yet', title: 'Not yet', markdown: 'A draft.' });
    // A webmention like from a website: fediverse likes join its row.
    const mention = await k.deps.store.webmentions.receive({ source: 'https://wen.example/likes/1', target: POST, postId, via: 'webmention' }, k.deps.clock.now());
    await k.deps.store.webmentions.updateReceived(mention.id, { status: 'verified', type: 'like', authorName: 'Wen Okafor', authorUrl: 'https://wen.example/', verifiedAt: k.deps.clock.now() }, k.deps.clock.now());
  });
  after(async () => {
    await k.cleanup();
    await remote.stop();
  });

  /** POSTs an activity to the blog's inbox, signed (draft-cavage) with the key of the actor it names. */
  async function post(activity: Record<string, unknown>, inbox = '/@blog/inbox') {
    const request = new Request(`${SITE}${inbox}`, { method: 'POST', headers: { 'content-type': ACTIVITY_JSON, accept: ACTIVITY_JSON }, body: JSON.stringify(activity) });
    return k.app.request(await signRequest(request, privateKey, new URL(`${String(activity.actor)}#main-key`)));
  }
  const actor = (path: string) => `${remote.base}${path}`;
  const page = async () => (await k.request('/field-notes')).text();
  const reactions = () => k.deps.store.reactions.forPost(postId, 100);

  it('a Mastodon Like and a Misskey Like are counted and shown as initials beside the webmention like; a resent Like counts once', async () => {
    assert.deepEqual(faceRows(await page()).like?.names, ['Wen Okafor'], 'the page, cached before any like');
    const ana = actor('/mastodon/users/ana');
    const mastodonLike = { '@context': AS_CONTEXT, id: `${ana}#likes/1`, type: 'Like', actor: ana, object: POST };
    assert.equal((await post(mastodonLike)).status, 202);
    // Misskey: an emoji reaction is a Like with content, through the shared inbox.
    const kumo = actor('/misskey/users/9abc');
    const misskeyLike = { '@context': [AS_CONTEXT, 'https://w3id.org/security/v1', { misskey: 'https://misskey-hub.net/ns#', _misskey_reaction: 'misskey:_misskey_reaction' }], type: 'Like', id: `${remote.base}/misskey/likes/9xyz`, actor: kumo, object: POST, content: '👍', _misskey_reaction: '👍' };
    assert.equal((await post(misskeyLike, '/ap/inbox')).status, 202);
    await until(reactions, (r) => r.likeCount === 2);
    // Mastodon repeats a Like whose delivery it thinks failed.
    assert.equal((await post({ ...mastodonLike, id: `${ana}#likes/1-again` })).status, 202);
    await settled(k);
    assert.equal((await reactions()).likeCount, 2);

    const html = await page();
    const likes = faceRows(html).like;
    assert.equal(likes.title, '3 likes');
    assert.deepEqual(likes.names.sort(), ['Ana Lima', 'Kumo', 'Wen Okafor']);
    assert.deepEqual(likes.images, [], 'initials only: remote images are off by default');
    assert.match(html, /title="Ana Lima \(@ana@127\.0\.0\.1:\d+\) liked this"/);

    // Each account is a Person, found by its verified fediverse identity and handle.
    const person = await k.deps.store.people.findByIdentity('fediverse', kumo);
    assert.equal(person?.name, 'Kumo');
    const identities = await k.deps.store.people.identities(person!.id);
    assert.deepEqual(identities.filter((i) => i.kind === 'fediverse' || i.kind === 'handle').map((i) => [i.kind, i.verified]).sort(), [['fediverse', true], ['handle', true]]);
  });

  it('a boost (Announce) is shown as a repost; Undo(Like) and a Pleroma-style Undo(Announce) by id take them away', async () => {
    const lou = actor('/mastodon/users/lou');
    const announce = { '@context': AS_CONTEXT, id: `${lou}/statuses/77/activity`, type: 'Announce', actor: lou, object: POST, to: [PUBLIC], cc: [BLOG_ACTOR, `${lou}/followers`], published: new Date().toISOString() };
    assert.equal((await post(announce)).status, 202);
    await until(reactions, (r) => r.announceCount === 1);
    const boosted = faceRows(await page()).repost;
    assert.equal(boosted.title, '1 repost');
    assert.deepEqual(boosted.names, ['Lou Reyes']);
    assert.match(await page(), new RegExp(`href="${remote.base}/@lou"[^>]*title="Lou Reyes`), 'the face links to their profile page');

    // Someone else cannot undo Ana's like.
    const ana = actor('/mastodon/users/ana');
    const impostor = actor('/mastodon/users/impostor');
    assert.equal((await post({ '@context': AS_CONTEXT, id: `${impostor}#undo/1`, type: 'Undo', actor: impostor, object: { id: `${ana}#likes/1-again`, type: 'Like', actor: ana, object: POST } })).status, 202);
    await settled(k);
    assert.equal((await reactions()).likeCount, 2);
    // Mastodon embeds the Like it undoes.
    assert.equal((await post({ '@context': AS_CONTEXT, id: `${ana}#likes/1-again/undo`, type: 'Undo', actor: ana, object: { id: `${ana}#likes/1-again`, type: 'Like', actor: ana, object: POST } })).status, 202);
    await until(reactions, (r) => r.likeCount === 1);
    // Pleroma may name the activity by its id alone.
    assert.equal((await post({ '@context': AS_CONTEXT, id: `${lou}/undo/1`, type: 'Undo', actor: lou, object: announce.id })).status, 202);
    await until(reactions, (r) => r.announceCount === 0);
    const rows = faceRows(await page());
    assert.equal(rows.repost, undefined, 'no boosts left');
    assert.deepEqual(rows.like.names.sort(), ['Kumo', 'Wen Okafor']);
  });

  it('likes of a draft or of the actor itself are acknowledged and ignored', async () => {
    const ana = actor('/mastodon/users/ana');
    for (const object of [`${SITE}/not-yet`, BLOG_ACTOR, `${SITE}/no-such-post`]) assert.equal((await post({ '@context': AS_CONTEXT, id: `${ana}#likes/${object}`, type: 'Like', actor: ana, object })).status, 202);
    await settled(k);
    assert.equal((await k.deps.store.reactions.forPost((await k.deps.store.posts.findBySlug('not-yet'))!.id, 10)).likeCount, 0);
    assert.equal((await reactions()).likeCount, 1);
  });

  it('with remote images allowed, https avatars are shown; what a hostile server sends stays text', async () => {
    const lou = actor('/mastodon/users/lou');
    const mallory = actor('/mastodon/users/mallory');
    await post({ '@context': AS_CONTEXT, id: `${lou}#likes/2`, type: 'Like', actor: lou, object: POST });
    await post({ '@context': AS_CONTEXT, id: `${mallory}#likes/1`, type: 'Like', actor: mallory, object: POST });
    await until(reactions, (r) => r.likeCount === 3);
    const owner = await k.signIn('owner', 'owner2@example.com');
    const settings = { title: 'Kumbaya', description: '', navigation: 'Home | /', customCss: '', postsPerPage: '10', feedItems: '20' };
    assert.equal((await owner.form('/admin/settings', { ...settings, loadRemoteImages: '1' })).status, 303);
    const html = await page();
    const likes = faceRows(html).like;
    assert.deepEqual(likes.images, ['https://files.social.example/lou.png'], 'Lou’s https avatar; Mallory’s http one is not loaded');
    assert.match(html, /referrerpolicy="no-referrer"/);
    assert.ok(likes.names.includes('&lt;img src=x onerror=alert(1)&gt;Mallory'), 'markup in a name is shown as text');
    assert.doesNotMatch(html, /href="javascript:/i);
    assert.match(html, new RegExp(`href="${mallory}"[^>]*title="&lt;img`), 'a script address as profile falls back to the actor’s own address');
    assert.equal((await owner.form('/admin/settings', settings)).status, 303);
    assert.deepEqual(faceRows(await page()).like.images, [], 'unticked: initials again');
  });

  it('a quote request is accepted with a QuoteAuthorization anyone can fetch, and refused once the author says so', async () => {
    const ana = actor('/mastodon/users/ana');
    const quote = { id: `${ana}/statuses/101`, type: 'Note', attributedTo: ana, content: '<p>Worth reading</p>', quote: POST, to: [PUBLIC] };
    const request = { '@context': [AS_CONTEXT, { QuoteRequest: 'https://w3id.org/fep/044f#QuoteRequest' }], id: `${ana}/statuses/101/quote`, type: 'QuoteRequest', actor: ana, object: POST, instrument: quote };
    const article = async () => (await (await k.request('/field-notes', { headers: { accept: ACTIVITY_JSON } })).json()) as any;
    assert.equal((await article()).interactionPolicy.canQuote.automaticApproval, 'as:Public', 'the Article says anyone may quote it');

    assert.equal((await post(request)).status, 202);
    const delivered = await remote.delivery((r) => r.body.includes('"Accept"') && r.body.includes(request.id));
    assert.equal(delivered.path, '/mastodon/users/ana/inbox');
    const accept = JSON.parse(delivered.body);
    assert.equal(accept.actor, BLOG_ACTOR);
    assert.equal(accept.object.id ?? accept.object, request.id);
    assert.equal(accept.object.instrument, quote.id);
    assert.match(accept.result, /^https:\/\/blog\.example\/ap\/quote-authorizations\/\d+$/);
    const signed = new Request(`${remote.base}${delivered.path}`, { method: 'POST', headers: delivered.headers, body: delivered.body });
    assert.equal((await verifyRequest(signed, { documentLoader: blogLoader(k), contextLoader: blogLoader(k) }))?.ownerId?.href, BLOG_ACTOR);

    const authorization = (await (await k.request(new URL(accept.result).pathname, { headers: { accept: ACTIVITY_JSON } })).json()) as any;
    assert.equal(authorization.type, 'QuoteAuthorization');
    assert.equal(authorization.id, accept.result);
    assert.equal(authorization.attributedTo, BLOG_ACTOR);
    assert.equal(authorization.interactingObject, quote.id);
    assert.equal(authorization.interactionTarget, POST);
    assert.equal((await k.request('/ap/quote-authorizations/999999', { headers: { accept: ACTIVITY_JSON } })).status, 404);

    // The author refuses quotes in Admin → Fediverse.
    const owner = await k.signIn('owner', 'owner3@example.com');
    assert.equal((await owner.form('/admin/fediverse/quotes', { quotes: 'sometimes' })).status, 422);
    assert.equal((await owner.form('/admin/fediverse/quotes', { quotes: 'refuse' })).status, 303);
    assert.equal((await k.deps.store.settings.getAll())[QUOTE_POLICY_SETTING], 'refuse');
    assert.match(await (await owner.request('/admin/fediverse')).text(), /value="refuse" checked/);
    assert.equal((await article()).interactionPolicy.canQuote.automaticApproval, BLOG_ACTOR, 'only the blog itself may quote it now');
    const lou = actor('/mastodon/users/lou');
    const second = { ...request, id: `${lou}/statuses/5/quote`, actor: lou, instrument: { ...quote, id: `${lou}/statuses/5`, attributedTo: lou } };
    assert.equal((await post(second)).status, 202);
    const rejected = JSON.parse((await remote.delivery((r) => r.body.includes('"Reject"') && r.body.includes(second.id))).body);
    assert.equal(rejected.actor, BLOG_ACTOR);
    assert.equal(rejected.object.id ?? rejected.object, second.id);
    // A request whose quoting post is someone else's is not answered at all.
    const third = { ...request, id: `${lou}/statuses/6/quote`, actor: lou, instrument: { ...quote, id: `${lou}/statuses/6` } };
    assert.equal((await post(third)).status, 202);
    await settled(k);
    assert.ok(!remote.received.some((r) => r.body.includes(third.id)));
  });
});
