import assert from 'node:assert/strict';
import { generateKeyPairSync, webcrypto } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import jsonld from 'jsonld';
import { preloadedContexts, signRequest } from '@fedify/fedify';
import { writeJsonExport } from '../src/migration/export-json.ts';
import { importJsonExport } from '../src/migration/json-import.ts';
import { KEYS_SETTING } from '../src/adapters/federation/keys.ts';
import { MemoryStore } from '../src/adapters/storage/memory-store.ts';
import { closeGracefully, createServer, listen } from '../src/web/server.ts';
import { eventually } from './helpers/eventually.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from './helpers/test-kumbaya.ts';

const AS = 'https://www.w3.org/ns/activitystreams#';
const SEC = 'https://w3id.org/security#';
const ACTIVITY_JSON = 'application/activity+json';
const LD_JSON = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"';
const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/** The JSON-LD contexts, from the corpus: expansion never touches the network. */
const contextDir = path.join(process.env.KUMBAYA_SHARED_DIR ?? '../shared', 'corpora/activitypub/jsonld-contexts');
const contexts = new Map(
  fs.readdirSync(contextDir).map((file) => [`https://${file.replace(/\.json$/, '').replaceAll('_', '/')}`, JSON.parse(fs.readFileSync(path.join(contextDir, file), 'utf8'))]),
);
// The DID context (Multikey's) is not in the corpus: Fedify's bundled copy fills that one gap.
const offlineLoader = async (url: string) => {
  const document = contexts.get(url.replace(/^http:/, 'https:')) ?? (preloadedContexts as Record<string, unknown>)[url];
  if (!document) throw new Error(`context not available offline: ${url}`);
  return { contextUrl: undefined, documentUrl: url, document };
};

async function* chunks(text: string): AsyncIterable<string> {
  yield text;
}

/** A JSON-LD document expanded by the `jsonld` processor (terms as full IRIs). */
async function expand(doc: unknown): Promise<Record<string, any>> {
  const [node] = await jsonld.expand(doc, { documentLoader: offlineLoader });
  return node as Record<string, any>;
}
const value = (node: Record<string, any>, term: string) => node[term]?.[0]?.['@value'] ?? node[term]?.[0]?.['@id'];

for (const { engine, skip } of testEngines()) {
  describe(`the blog as a fediverse actor (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    before(async () => {
      k = await startTestKumbaya({ engine, env: { SITE_URL: 'https://blog.example' } });
      await k.deps.store.settings.set({ 'site.title': 'Field Notes', 'site.description': 'Small <essays> & notes' });
      k.deps.changes.publish('settings-changed');
    });
    after(() => k.cleanup());

    async function publish(slug: string, extra: { draft?: boolean; password?: string; visibility?: 'unlisted' } = {}) {
      const owner = (await k.deps.store.users.list())[0] ?? (await k.deps.auth.createUser({ name: 'Ann', email: 'ann@example.com', password: 'correct horse battery' }, 'owner'));
      const { draft, ...input } = extra;
      const post = await k.deps.posts.create(owner, { type: 'post', slug, title: `Title of ${slug}`, markdown: `Body of **${slug}** with [a link](/about).`, tags: ['fediverse'], ...input });
      if (draft) return post;
      return (await k.deps.posts.publish(owner, post.id)).post;
    }

    it('pages are served without loading Fedify; the first federation request loads it', async () => {
      assert.equal((await k.request('/')).status, 200);
      assert.equal(k.fediverse?.loaded, false, 'a page request must not load Fedify');
      const res = await k.request('/.well-known/webfinger?resource=acct:blog@blog.example');
      assert.equal(res.status, 200);
      assert.equal(k.fediverse?.loaded, true);
    });

    it('WebFinger finds @blog@host and points to the actor', async () => {
      const res = await k.request('/.well-known/webfinger?resource=acct:blog@blog.example');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /application\/jrd\+json/);
      const body = (await res.json()) as { subject: string; links: Array<{ rel: string; type?: string; href?: string }> };
      assert.equal(body.subject, 'acct:blog@blog.example');
      const self = body.links.find((l) => l.rel === 'self');
      assert.equal(self?.type, ACTIVITY_JSON);
      assert.equal(self?.href, 'https://blog.example/@blog');
      const profile = body.links.find((l) => l.rel === 'http://webfinger.net/rel/profile-page');
      assert.equal(profile?.href, 'https://blog.example/');
      // The actor's URL as a resource works too; other names do not.
      assert.equal((await k.request('/.well-known/webfinger?resource=https://blog.example/@blog')).status, 200);
      assert.equal((await k.request('/.well-known/webfinger?resource=acct:someone@blog.example')).status, 404);
    });

    it('NodeInfo 2.1 says what software this is and counts posts', async () => {
      await publish('nodeinfo-counted');
      const wellKnown = (await (await k.request('/.well-known/nodeinfo')).json()) as { links: Array<{ rel: string; href: string }> };
      const link = wellKnown.links.find((l) => l.rel === 'http://nodeinfo.diaspora.software/ns/schema/2.1');
      assert.equal(link?.href, 'https://blog.example/nodeinfo/2.1');
      const res = await k.request('/nodeinfo/2.1');
      assert.equal(res.status, 200);
      const info = (await res.json()) as any;
      assert.equal(info.version, '2.1');
      assert.equal(info.software.name, 'kumbaya');
      assert.deepEqual(info.protocols, ['activitypub']);
      assert.equal(info.openRegistrations, false);
      const published = await k.deps.store.posts.listPublished({ type: 'post', limit: 1, offset: 0 }, k.deps.clock.now());
      assert.equal(info.usage.localPosts, published.total);
      assert.ok(info.usage.localPosts >= 1);
    });

    it('the actor: name and summary from the site settings, profile, inbox, followers, both keys', async () => {
      const res = await k.request('/@blog', { headers: { accept: ACTIVITY_JSON } });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /application\/activity\+json/);
      const actor = await expand(await res.json());
      assert.equal(actor['@id'], 'https://blog.example/@blog');
      assert.deepEqual(actor['@type'], [`${AS}Person`]);
      assert.equal(value(actor, `${AS}preferredUsername`), 'blog');
      assert.equal(value(actor, `${AS}name`), 'Field Notes');
      assert.equal(value(actor, `${AS}summary`), '<p>Small &lt;essays&gt; &amp; notes</p>');
      assert.equal(value(actor, `${AS}url`), 'https://blog.example/');
      assert.equal(value(actor, 'http://www.w3.org/ns/ldp#inbox'), 'https://blog.example/@blog/inbox');
      assert.equal(value(actor, `${AS}followers`), 'https://blog.example/@blog/followers');
      assert.equal(value(actor[`${AS}endpoints`][0], `${AS}sharedInbox`), 'https://blog.example/ap/inbox');
      assert.ok(value(actor[`${AS}icon`][0], `${AS}url`).startsWith('https://blog.example/assets/favicon'));
      const key = actor[`${SEC}publicKey`][0];
      assert.equal(value(key, `${SEC}owner`), 'https://blog.example/@blog');
      const pem = value(key, `${SEC}publicKeyPem`) as string;
      assert.match(pem, /^-----BEGIN PUBLIC KEY-----/);
      assert.equal((await import('node:crypto')).createPublicKey(pem).asymmetricKeyType, 'rsa');
      const multikeys = actor[`${SEC}assertionMethod`] as Array<Record<string, any>>;
      const ed25519 = multikeys.map((m) => value(m, `${SEC}publicKeyMultibase`) as string).find((m) => m.startsWith('z6Mk'));
      assert.ok(ed25519, 'an Ed25519 multikey (z6Mk…) for integrity proofs');
      // Browsers opening the actor are sent to the blog's home page, its profile.
      const browser = await k.request('/@blog', { headers: { accept: BROWSER } });
      assert.equal(browser.status, 303);
      assert.equal(browser.headers.get('location'), '/');
    });

    it('the followers collection counts accepted followers only', async () => {
      const empty = (await (await k.request('/@blog/followers', { headers: { accept: ACTIVITY_JSON } })).json()) as any;
      assert.equal(empty.totalItems, 0);
      await k.deps.store.followers.upsert({ actorUri: 'https://social.example/users/ana', handle: '@ana@social.example', inbox: 'https://social.example/users/ana/inbox', sharedInbox: 'https://social.example/inbox', status: 'accepted', followId: 'https://social.example/f/1' }, k.deps.clock.now());
      await k.deps.store.followers.upsert({ actorUri: 'https://other.example/u/bo', handle: null, inbox: 'https://other.example/u/bo/inbox', sharedInbox: null, status: 'pending', followId: null }, k.deps.clock.now());
      const counted = (await (await k.request('/@blog/followers', { headers: { accept: ACTIVITY_JSON } })).json()) as any;
      assert.equal(counted.totalItems, 1);
      const first = typeof counted.first === 'string' ? counted.first : counted.first.id;
      const page = (await (await k.request(new URL(first).pathname + new URL(first).search, { headers: { accept: ACTIVITY_JSON } })).json()) as any;
      assert.deepEqual(page.orderedItems, ['https://social.example/users/ana']);
    });

    it('a post answers servers with its Article and browsers with its page', async () => {
      await publish('hello-fediverse');
      for (const accept of [ACTIVITY_JSON, LD_JSON]) {
        const res = await k.request('/hello-fediverse', { headers: { accept } });
        assert.equal(res.status, 200, accept);
        const article = await expand(await res.json());
        assert.deepEqual(article['@type'], [`${AS}Article`]);
        assert.equal(article['@id'], 'https://blog.example/hello-fediverse');
        assert.equal(value(article, `${AS}attributedTo`), 'https://blog.example/@blog');
        assert.equal(value(article, `${AS}name`), 'Title of hello-fediverse');
        const content = value(article, `${AS}content`) as string;
        assert.match(content, /<strong>hello-fediverse<\/strong>/);
        assert.match(content, /href="https:\/\/blog\.example\/about"/, 'links are absolute');
        assert.equal(value(article, `${AS}to`), `${AS}Public`);
        assert.equal(value(article, `${AS}cc`), 'https://blog.example/@blog/followers');
        assert.ok(value(article, `${AS}published`));
        assert.equal(value(article[`${AS}tag`][0], `${AS}name`), '#fediverse');
      }
      const page = await k.request('/hello-fediverse', { headers: { accept: BROWSER } });
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await page.text(), /Title of hello-fediverse/);
    });

    it('drafts, trashed and password-protected posts are no Articles (404 / 410 as their pages)', async () => {
      await publish('still-a-draft', { draft: true });
      const trashed = await publish('gone-now');
      const owner = (await k.deps.store.users.list())[0];
      await k.deps.posts.trash(owner, trashed.id);
      await publish('locked-away', { password: 'sesame' });
      const draft = await k.request('/still-a-draft', { headers: { accept: ACTIVITY_JSON } });
      assert.equal(draft.status, 404);
      assert.doesNotMatch(draft.headers.get('content-type') ?? '', /json/);
      assert.equal((await k.request('/gone-now', { headers: { accept: ACTIVITY_JSON } })).status, 410);
      const locked = await k.request('/locked-away', { headers: { accept: ACTIVITY_JSON } });
      assert.doesNotMatch(locked.headers.get('content-type') ?? '', /activity\+json|ld\+json/);
      assert.doesNotMatch(await locked.text(), /sesame|Body of/);
      const unlisted = await publish('quiet-one', { visibility: 'unlisted' });
      const quiet = (await (await k.request(`/${unlisted.slug}`, { headers: { accept: ACTIVITY_JSON } })).json()) as any;
      assert.equal(quiet.to, 'https://blog.example/@blog/followers', 'unlisted: not addressed to the public timeline');
      assert.equal(quiet.cc, 'as:Public');
    });

    it('the page cache never gives a server HTML or a browser JSON', async () => {
      const heard = k.deps.changes.head;
      await publish('cached-post');
      // The publish empties the page cache when this instance hears of it, which on PostgreSQL
      // is when its NOTIFY comes back: wait for that, so it cannot empty what is cached below.
      assert.ok(await eventually(async () => k.deps.changes.head > heard && (await k.deps.changes.after(k.deps.changes.head, ''))?.length === 0), 'this instance heard the publish');
      const server = createServer(k.app, k.deps.pageCache, k.config.siteUrl);
      const address: AddressInfo = await listen(server, 0, '127.0.0.1');
      try {
        const url = `http://127.0.0.1:${address.port}/cached-post`;
        const first = await fetch(url, { headers: { accept: BROWSER } });
        assert.equal(first.headers.get('x-cache'), 'miss');
        // Vary names Accept (HTML or ActivityPub by it); Accept-Encoding too, as the page is compressed.
        const varies = (res: Response) => (res.headers.get('vary') ?? '').split(/,\s*/);
        assert.deepEqual(varies(first), ['Accept', 'Accept-Encoding']);
        await first.text();
        const hit = await fetch(url, { headers: { accept: BROWSER } });
        assert.equal(hit.headers.get('x-cache'), 'hit', 'the page is cached for browsers');
        assert.deepEqual(varies(hit), ['Accept', 'Accept-Encoding']);
        await hit.text();
        const json = await fetch(url, { headers: { accept: ACTIVITY_JSON } });
        assert.match(json.headers.get('content-type') ?? '', /application\/activity\+json/);
        assert.equal(((await json.json()) as { type: string }).type, 'Article');
        const again = await fetch(url, { headers: { accept: BROWSER } });
        assert.match(again.headers.get('content-type') ?? '', /text\/html/);
        assert.equal(again.headers.get('x-cache'), 'hit');
        assert.match(await again.text(), /Title of cached-post/);
      } finally {
        await closeGracefully(server, 1000);
      }
    });

    it('the keys are made once and kept in the database: a second instance (a restart) serves the same', async () => {
      const actorKeys = async (instance: TestKumbaya) => {
        const actor = (await (await instance.request('/@blog', { headers: { accept: ACTIVITY_JSON } })).json()) as any;
        return { rsa: actor.publicKey.publicKeyPem as string, ed25519: (actor.assertionMethod as Array<{ publicKeyMultibase: string }>).map((m) => m.publicKeyMultibase).sort() };
      };
      const before = await actorKeys(k);
      const second = await startTestKumbaya({ engine, pgSchema: k.pgSchema, env: { SITE_URL: 'https://blog.example', DATA_DIR: k.config.dataDir } });
      try {
        assert.deepEqual(await actorKeys(second), before);
      } finally {
        await second.close();
      }
      assert.ok((await k.deps.store.settings.getAll())[KEYS_SETTING]);
    });

    it('the export carries the keys only with secrets, and a restore keeps the actor’s key', async () => {
      const exported = async (withSecrets: boolean) => {
        let text = '';
        await writeJsonExport(k.deps.store.archive, async (chunk) => void (text += chunk), { withSecrets, now: k.deps.clock.now(), generator: 'test' });
        return text;
      };
      const without = await exported(false);
      assert.doesNotMatch(without, new RegExp(KEYS_SETTING.replace('.', '\\.')));
      assert.doesNotMatch(without, /"d"\s*:/, 'no private key material');
      const withSecrets = await exported(true);
      assert.match(withSecrets, new RegExp(KEYS_SETTING.replace('.', '\\.')));
      const restored = new MemoryStore();
      await importJsonExport(restored, chunks(withSecrets), { replace: false });
      assert.equal((await restored.settings.getAll())[KEYS_SETTING], (await k.deps.store.settings.getAll())[KEYS_SETTING]);
      const fresh = new MemoryStore();
      await importJsonExport(fresh, chunks(without), { replace: false });
      assert.equal((await fresh.settings.getAll())[KEYS_SETTING], undefined, 'a site moved without secrets makes its own keys');
    });
  });
}

describe('the inbox (SQLite)', () => {
  let k: TestKumbaya;
  let remote: http.Server;
  let remoteBase = '';
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  before(async () => {
    // A remote server's actor, on a local port: reachable because FEDIVERSE_ALLOW_PRIVATE is on.
    remote = http.createServer((req, res) => {
      const actor = `${remoteBase}/users/ana`;
      res.writeHead(req.url === '/users/ana' ? 200 : 404, { 'content-type': 'application/activity+json' });
      res.end(
        JSON.stringify({
          '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
          id: actor,
          type: 'Person',
          preferredUsername: 'ana',
          inbox: `${actor}/inbox`,
          publicKey: { id: `${actor}#main-key`, owner: actor, publicKeyPem: keys.publicKey.export({ type: 'spki', format: 'pem' }) },
        }),
      );
    });
    await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', resolve));
    remoteBase = `http://127.0.0.1:${(remote.address() as AddressInfo).port}`;
    k = await startTestKumbaya({ env: { SITE_URL: 'https://blog.example', FEDIVERSE_ALLOW_PRIVATE: 'true' } });
  });
  after(async () => {
    await k.cleanup();
    await new Promise<void>((resolve) => remote.close(() => resolve()));
  });

  const activity = () => ({
    '@context': 'https://www.w3.org/ns/activitystreams',
    id: `${remoteBase}/activities/${Math.random().toString(16).slice(2)}`,
    type: 'Like',
    actor: `${remoteBase}/users/ana`,
    object: 'https://blog.example/',
  });
  const inboxRequest = (body: string) => new Request('https://blog.example/@blog/inbox', { method: 'POST', headers: { 'content-type': 'application/activity+json', accept: ACTIVITY_JSON }, body });

  it('acknowledges a signed activity it has no use for yet (no CSRF token, no session)', async () => {
    const privateKey = await webcrypto.subtle.importKey('pkcs8', keys.privateKey.export({ type: 'pkcs8', format: 'der' }), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, true, ['sign']);
    const signed = await signRequest(inboxRequest(JSON.stringify(activity())), privateKey as CryptoKey, new URL(`${remoteBase}/users/ana#main-key`));
    const res = await k.app.request(signed);
    assert.equal(res.status, 202, await res.clone().text());
  });

  it('refuses an unsigned activity, and one signed with a key that is not its actor’s', async () => {
    const unsigned = await k.app.request(inboxRequest(JSON.stringify(activity())));
    assert.equal(unsigned.status, 401);
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const wrongKey = await webcrypto.subtle.importKey('pkcs8', stranger.privateKey.export({ type: 'pkcs8', format: 'der' }), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, true, ['sign']);
    const forged = await signRequest(inboxRequest(JSON.stringify(activity())), wrongKey as CryptoKey, new URL(`${remoteBase}/users/ana#main-key`));
    assert.equal((await k.app.request(forged)).status, 401);
  });

  it('refuses an activity larger than 256 KB before reading it', async () => {
    const huge = JSON.stringify({ ...activity(), content: 'x'.repeat(300 * 1024) });
    const res = await k.app.request(inboxRequest(huge));
    assert.equal(res.status, 413);
  });
});

describe('FEDIVERSE=false', () => {
  it('leaves every address to the normal routes', async (t) => {
    const k = await startTestKumbaya({ env: { FEDIVERSE: 'false' } });
    t.after(() => k.cleanup());
    assert.equal(k.fediverse, null);
    assert.equal((await k.request('/.well-known/webfinger?resource=acct:blog@localhost:3000')).status, 404);
    const home = await k.request('/', { headers: { accept: ACTIVITY_JSON } });
    assert.doesNotMatch(home.headers.get('content-type') ?? '', /activity\+json/);
  });
});
