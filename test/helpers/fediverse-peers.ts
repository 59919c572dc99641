import { generateKeyPairSync, webcrypto } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import { preloadedContexts, signRequest } from '@fedify/fedify';
import type { TestKumbaya } from './test-kumbaya.ts';

const ACTIVITY_JSON = 'application/activity+json';

export interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** Mastodon accounts the peer serves besides Ana: user name → display name. */
export const MASTODON_ACCOUNTS: Record<string, string> = { ana: 'Ana Lima', gone: 'Soon Gone', vanished: 'Vanished Vic', mallory: 'Mallory' };

/** The servers whose shapes the peer speaks, and the account each test uses on it. */
export type PeerKind = 'mastodon' | 'misskey' | 'pleroma' | 'friendica' | 'lemmy' | 'wordpress';

/**
 * A fediverse server on a local port (reachable because FEDIVERSE_ALLOW_PRIVATE is on),
 * speaking the shapes of six servers at once: each account's actor document is written as
 * that server writes it (paths, profile URL, context), all signing with one RSA key. It
 * serves Pleroma's LitePub context (Pleroma's activities name it), answers 410 Gone for
 * accounts marked `gone`, and records every POST to an inbox.
 */
export class FediversePeer {
  base = '';
  readonly keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  readonly received: Received[] = [];
  /** Paths that answer 410 Gone: deleted accounts. */
  readonly gone = new Set<string>();
  private readonly server: http.Server;
  private waiting: Array<() => void> = [];
  private privateKey: CryptoKey | null = null;

  constructor() {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        const path = req.url ?? '';
        if (req.method === 'POST') {
          this.received.push({ path, headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])), body });
          for (const wake of this.waiting.splice(0)) wake();
          res.writeHead(202).end();
          return;
        }
        if (this.gone.has(path)) {
          res.writeHead(410, { 'content-type': ACTIVITY_JSON }).end(JSON.stringify({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${this.base}${path}`, type: 'Tombstone' }));
          return;
        }
        const doc = this.documents()[path];
        res.writeHead(doc ? 200 : 404, { 'content-type': path.endsWith('.jsonld') ? 'application/ld+json' : ACTIVITY_JSON });
        res.end(doc ? JSON.stringify(doc) : '{}');
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.privateKey = (await webcrypto.subtle.importKey('pkcs8', this.keys.privateKey.export({ type: 'pkcs8', format: 'der' }), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, true, ['sign'])) as CryptoKey;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  get host(): string {
    return new URL(this.base).host;
  }

  /** The actor URI of the test's account on each server. */
  actor(kind: PeerKind): string {
    const paths: Record<PeerKind, string> = {
      mastodon: '/mastodon/users/ana',
      misskey: '/misskey/users/9abc',
      pleroma: '/pleroma/users/lain',
      friendica: '/friendica/profile/mike',
      lemmy: '/lemmy/u/alice',
      wordpress: '/wordpress/author/nadia/',
    };
    return `${this.base}${paths[kind]}`;
  }

  private publicKey(id: string) {
    return { id: `${id}#main-key`, owner: id, publicKeyPem: this.keys.publicKey.export({ type: 'spki', format: 'pem' }) };
  }

  /** More Mastodon accounts, by user name (`MASTODON_ACCOUNTS`). */
  mastodon(username: string): string {
    return `${this.base}/mastodon/users/${username}`;
  }

  /** Documents by path: each server's actor, and Pleroma's context. */
  private documents(): Record<string, unknown> {
    const path = (kind: PeerKind) => new URL(this.actor(kind)).pathname;
    const mastodon = (username: string, name: string) => {
      const id = this.mastodon(username);
      return {
        '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1', { manuallyApprovesFollowers: 'as:manuallyApprovesFollowers', toot: 'http://joinmastodon.org/ns#', discoverable: 'toot:discoverable' }],
        id,
        type: 'Person',
        preferredUsername: username,
        name,
        url: `${this.base}/mastodon/@${username}`,
        inbox: `${id}/inbox`,
        outbox: `${id}/outbox`,
        followers: `${id}/followers`,
        endpoints: { sharedInbox: `${this.base}/mastodon/inbox` },
        discoverable: true,
        publicKey: this.publicKey(id),
      };
    };
    const misskey = this.actor('misskey');
    const pleroma = this.actor('pleroma');
    const friendica = this.actor('friendica');
    const lemmy = this.actor('lemmy');
    const wordpress = this.actor('wordpress');
    return {
      ...Object.fromEntries(Object.entries(MASTODON_ACCOUNTS).map(([username, name]) => [`/mastodon/users/${username}`, mastodon(username, name)])),
      [path('misskey')]: {
        '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1', { Key: 'sec:Key', misskey: 'https://misskey-hub.net/ns#', _misskey_summary: 'misskey:_misskey_summary', isCat: 'misskey:isCat' }],
        type: 'Person',
        id: misskey,
        inbox: `${misskey}/inbox`,
        outbox: `${misskey}/outbox`,
        followers: `${misskey}/followers`,
        sharedInbox: `${this.base}/misskey/inbox`,
        endpoints: { sharedInbox: `${this.base}/misskey/inbox` },
        url: `${this.base}/misskey/@kumo`,
        preferredUsername: 'kumo',
        name: 'Kumo',
        _misskey_summary: 'clouds',
        isCat: true,
        publicKey: this.publicKey(misskey),
      },
      [path('pleroma')]: {
        '@context': ['https://www.w3.org/ns/activitystreams', `${this.base}/pleroma/schemas/litepub-0.1.jsonld`, { '@language': 'und' }],
        id: pleroma,
        type: 'Person',
        preferredUsername: 'lain',
        name: 'Lain',
        url: pleroma,
        inbox: `${pleroma}/inbox`,
        outbox: `${pleroma}/outbox`,
        followers: `${pleroma}/followers`,
        endpoints: { sharedInbox: `${this.base}/pleroma/inbox`, oauthTokenEndpoint: `${this.base}/pleroma/oauth/token` },
        capabilities: { acceptsChatMessages: true },
        publicKey: this.publicKey(pleroma),
      },
      '/pleroma/schemas/litepub-0.1.jsonld': {
        '@context': [
          'https://www.w3.org/ns/activitystreams',
          'https://w3id.org/security/v1',
          { Emoji: 'toot:Emoji', Hashtag: 'as:Hashtag', PropertyValue: 'schema:PropertyValue', capabilities: 'litepub:capabilities', directMessage: 'litepub:directMessage', litepub: 'http://litepub.social/ns#', ostatus: 'http://ostatus.org#', sensitive: 'as:sensitive', schema: 'http://schema.org#', toot: 'http://joinmastodon.org/ns#', value: 'schema:value', conversation: { '@id': 'ostatus:conversation', '@type': '@id' } },
        ],
      },
      [path('friendica')]: {
        '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1', { vcard: 'http://www.w3.org/2006/vcard/ns#', dfrn: 'http://purl.org/macgirvin/dfrn/1.0/', diaspora: 'https://diasporafoundation.org/ns/', litepub: 'http://litepub.social/ns#', toot: 'http://joinmastodon.org/ns#', schema: 'http://schema.org#', manuallyApprovesFollowers: 'as:manuallyApprovesFollowers', sensitive: 'as:sensitive', Hashtag: 'as:Hashtag', directMessage: 'litepub:directMessage', discoverable: 'toot:discoverable' }],
        id: friendica,
        'diaspora:guid': '0a2b3c4d-5e6f',
        type: 'Person',
        following: `${this.base}/friendica/following/mike`,
        followers: `${this.base}/friendica/followers/mike`,
        inbox: `${this.base}/friendica/inbox/mike`,
        outbox: `${this.base}/friendica/outbox/mike`,
        preferredUsername: 'mike',
        name: 'Mike Macgirvin',
        'vcard:hasAddress': { '@type': 'vcard:Home', 'vcard:country-name': '' },
        url: friendica,
        manuallyApprovesFollowers: false,
        discoverable: true,
        publicKey: this.publicKey(friendica),
        endpoints: { sharedInbox: `${this.base}/friendica/inbox` },
      },
      [path('lemmy')]: {
        '@context': ['https://join-lemmy.org/context.json', 'https://www.w3.org/ns/activitystreams'],
        type: 'Person',
        id: lemmy,
        preferredUsername: 'alice',
        name: 'Alice',
        inbox: `${lemmy}/inbox`,
        outbox: `${lemmy}/outbox`,
        publicKey: this.publicKey(lemmy),
        endpoints: { sharedInbox: `${this.base}/lemmy/inbox` },
        published: '2024-01-01T00:00:00Z',
      },
      [path('wordpress')]: {
        '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1', { schema: 'http://schema.org#', toot: 'http://joinmastodon.org/ns#', webfinger: 'https://webfinger.net/#', manuallyApprovesFollowers: 'as:manuallyApprovesFollowers' }],
        id: wordpress,
        type: 'Person',
        name: 'Nadia Osei',
        summary: '<p>Writes about gardens.</p>',
        url: wordpress,
        preferredUsername: 'nadia',
        inbox: `${this.base}/wordpress/wp-json/activitypub/1.0/actors/2/inbox`,
        outbox: `${this.base}/wordpress/wp-json/activitypub/1.0/actors/2/outbox`,
        followers: `${this.base}/wordpress/wp-json/activitypub/1.0/actors/2/followers`,
        endpoints: { sharedInbox: `${this.base}/wordpress/wp-json/activitypub/1.0/inbox` },
        manuallyApprovesFollowers: false,
        publicKey: this.publicKey(wordpress),
        webfinger: 'nadia@127.0.0.1',
      },
    };
  }

  /**
   * An activity POSTed to the blog's inbox as its sender's server would: signed
   * (draft-cavage) with the key of the actor it names, through the app in-process.
   */
  async send(k: TestKumbaya, activity: Record<string, unknown>, inbox = '/@blog/inbox'): Promise<Response> {
    return k.app.request(await this.signed(`https://blog.example${inbox}`, activity));
  }

  /** The same, over HTTP to a blog running as its own process. */
  async post(inboxUrl: string, activity: Record<string, unknown>): Promise<Response> {
    return fetch(await this.signed(inboxUrl, activity));
  }

  private async signed(inboxUrl: string, activity: Record<string, unknown>): Promise<Request> {
    const actor = typeof activity.actor === 'string' ? activity.actor : '';
    const request = new Request(inboxUrl, { method: 'POST', headers: { 'content-type': 'application/activity+json', accept: 'application/activity+json' }, body: JSON.stringify(activity) });
    return signRequest(request, this.privateKey!, new URL(`${actor}#main-key`));
  }

  /** Waits until an inbox has received a POST matching `test` (the blog delivers through its queue). */
  async delivery(test: (r: Received) => boolean): Promise<Received> {
    for (;;) {
      const found = this.received.find(test);
      if (found) return found;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }
}

/** An inbox fixture from test/fixtures/fediverse/, with `{{name}}` placeholders filled in. */
export function fixture(name: string, values: Record<string, string>): Record<string, any> {
  const text = fs.readFileSync(new URL(`../fixtures/fediverse/${name}.json`, import.meta.url), 'utf8');
  const filled = text.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => {
    if (!(key in values)) throw new Error(`fixture ${name}: no value for ${whole}`);
    return values[key];
  });
  return JSON.parse(filled) as Record<string, any>;
}

/** The blog takes activities through its queue (202 at once): waits until their effect shows. */
export async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until the blog's queue has handled everything received so far (a message leaves the table once handled). */
export async function settled(k: TestKumbaya): Promise<void> {
  const db = (k.deps.store as unknown as { db: Kysely<any> }).db;
  await until(async () => Number((await db.selectFrom('federation_messages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n), (n) => n === 0);
}

/** A document loader that reads the blog's own documents in-process (to check its signatures). */
export function blogLoader(k: TestKumbaya) {
  return async (url: string) => {
    const preloaded = (preloadedContexts as Record<string, unknown>)[url];
    if (preloaded) return { contextUrl: null, documentUrl: url, document: preloaded };
    const res = await k.app.request(url, { headers: { accept: ACTIVITY_JSON } });
    return { contextUrl: null, documentUrl: url, document: await res.json() };
  };
}
