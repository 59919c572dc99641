import { generateKeyPairSync, webcrypto } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import { signRequest, verifyRequest } from '@fedify/fedify';
import { Multikey } from '@fedify/fedify/vocab';
import { blogLoader, type Received } from './fediverse-peers.ts';
import type { TestKumbaya } from './test-kumbaya.ts';

// The queue helpers are fediverse-peers.ts's (FediversePeer speaks six servers' note shapes; these servers add keys for integrity proofs and hostile accounts).
export { blogLoader, settled, until, type Received } from './fediverse-peers.ts';

export const ACTIVITY_JSON = 'application/activity+json';

/**
 * Holds the answers of inbox POSTs (on any number of servers) until `releaseAt` of them
 * are waiting at once, or `timeoutMs` has passed: how a test sees how many deliveries were
 * in flight side by side (one instance's listener sends at most 4 at a time).
 */
export class InboxGate {
  maxInFlight = 0;
  private held: Array<() => void> = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly releaseAt: number;
  private readonly timeoutMs: number;

  constructor(releaseAt: number, timeoutMs = 10_000) {
    this.releaseAt = releaseAt;
    this.timeoutMs = timeoutMs;
  }

  pass(): Promise<void> {
    return new Promise((resolve) => {
      this.held.push(resolve);
      this.maxInFlight = Math.max(this.maxInFlight, this.held.length);
      this.timer ??= setTimeout(() => this.release(), this.timeoutMs);
      if (this.held.length >= this.releaseAt) this.release();
    });
  }

  private release(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const resolve of this.held.splice(0)) resolve();
  }
}

/** An inbox's answer to a POST: what a server that refuses a kind of signature says. */
export type InboxAnswer = (received: Received) => number;

/**
 * Remote servers on one local port (reachable because FEDIVERSE_ALLOW_PRIVATE is on): a
 * Mastodon-shaped and a Misskey-shaped account with their inboxes, Ana's new account after
 * a Move, and a few more accounts for reactions. Every POST to an inbox is recorded. All
 * actors publish the same RSA key (HTTP Signatures) under their own key id, and the same
 * Ed25519 key (object integrity proofs) as their `assertionMethod`.
 */
export class RemoteServers {
  base = '';
  readonly keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  readonly ed25519 = generateKeyPairSync('ed25519');
  readonly received: Received[] = [];
  /** Documents other than actors (notes), by path. */
  readonly documents = new Map<string, unknown>();
  /** How inboxes answer a POST (202 unless a test says otherwise). */
  answer: InboxAnswer = () => 202;
  /** When set, inbox POSTs wait at this gate before they are recorded and answered. */
  gate: InboxGate | null = null;
  private readonly server: http.Server;
  private waiting: Array<() => void> = [];
  private multibase = '';

  constructor() {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', async () => {
        if (req.method === 'POST') {
          await this.gate?.pass();
          const received = { path: req.url ?? '', headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])), body };
          const status = this.answer(received);
          if (status < 300) {
            this.received.push(received);
            for (const wake of this.waiting.splice(0)) wake();
          }
          res.writeHead(status).end();
          return;
        }
        const document = this.actors()[req.url ?? ''] ?? this.documents.get(req.url ?? '');
        res.writeHead(document ? 200 : 404, { 'content-type': ACTIVITY_JSON });
        res.end(document ? JSON.stringify(document) : '{}');
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    const publicKey = await webcrypto.subtle.importKey('spki', this.ed25519.publicKey.export({ type: 'spki', format: 'der' }), 'Ed25519', true, ['verify']);
    const multikey = (await new Multikey({ id: new URL(`${this.base}/k`), controller: new URL(this.base), publicKey: publicKey as CryptoKey }).toJsonLd({ format: 'compact' })) as { publicKeyMultibase: string };
    this.multibase = multikey.publicKeyMultibase;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** The host (with its port) of this server: each server started is a host of its own. */
  get host(): string {
    return new URL(this.base).host;
  }

  /** The RSA private key as WebCrypto takes it (for Fedify's signRequest). */
  rsaPrivateKey(): Promise<CryptoKey> {
    return webcrypto.subtle.importKey('pkcs8', this.keys.privateKey.export({ type: 'pkcs8', format: 'der' }), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, true, ['sign']) as Promise<CryptoKey>;
  }

  /** The Ed25519 private key as WebCrypto takes it (for object integrity proofs). */
  ed25519PrivateKey(): Promise<CryptoKey> {
    return webcrypto.subtle.importKey('pkcs8', this.ed25519.privateKey.export({ type: 'pkcs8', format: 'der' }), 'Ed25519', true, ['sign']) as Promise<CryptoKey>;
  }

  private publicKey(id: string) {
    return { id: `${id}#main-key`, owner: id, publicKeyPem: this.keys.publicKey.export({ type: 'spki', format: 'pem' }) };
  }

  private assertionMethod(id: string) {
    return [{ id: `${id}#ed25519-key`, type: 'Multikey', controller: id, publicKeyMultibase: this.multibase }];
  }

  /** Actor documents by path, in the shapes each server publishes. */
  private actors(): Record<string, unknown> {
    const mastodon = (path: string, username: string, extra: Record<string, unknown> = {}) => {
      const id = `${this.base}${path}`;
      return {
        '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1', 'https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1', { manuallyApprovesFollowers: 'as:manuallyApprovesFollowers', alsoKnownAs: { '@id': 'as:alsoKnownAs', '@type': '@id' } }],
        id,
        type: 'Person',
        preferredUsername: username,
        name: 'Ana Lima',
        inbox: `${id}/inbox`,
        outbox: `${id}/outbox`,
        followers: `${id}/followers`,
        endpoints: { sharedInbox: `${this.base}/mastodon/inbox` },
        publicKey: this.publicKey(id),
        assertionMethod: this.assertionMethod(id),
        ...extra,
      };
    };
    const misskeyId = `${this.base}/misskey/users/9abc`;
    return {
      '/mastodon/users/ana': mastodon('/mastodon/users/ana', 'ana'),
      '/mastodon/users/ana-new': mastodon('/mastodon/users/ana-new', 'ana2', { alsoKnownAs: [`${this.base}/mastodon/users/ana`] }),
      '/mastodon/users/impostor': mastodon('/mastodon/users/impostor', 'impostor'),
      '/mastodon/users/lou': mastodon('/mastodon/users/lou', 'lou', {
        name: 'Lou Reyes',
        url: `${this.base}/@lou`,
        icon: { type: 'Image', mediaType: 'image/png', url: 'https://files.social.example/lou.png' },
      }),
      // What a hostile server might publish: markup in the name, a script address as profile.
      '/mastodon/users/mallory': mastodon('/mastodon/users/mallory', 'mallory', {
        name: '<img src=x onerror=alert(1)>Mallory',
        url: 'javascript:alert(1)',
        icon: { type: 'Image', url: 'http://files.social.example/not-https.png' },
      }),
      // A small server without a shared inbox: deliveries go to the account's own inbox.
      '/solo/users/sol': mastodon('/solo/users/sol', 'sol', { endpoints: {} }),
      '/misskey/users/9abc': {
        '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1', { misskey: 'https://misskey-hub.net/ns#', _misskey_summary: 'misskey:_misskey_summary', isCat: 'misskey:isCat' }],
        type: 'Person',
        id: misskeyId,
        inbox: `${misskeyId}/inbox`,
        outbox: `${misskeyId}/outbox`,
        followers: `${misskeyId}/followers`,
        sharedInbox: `${this.base}/misskey/inbox`,
        endpoints: { sharedInbox: `${this.base}/misskey/inbox` },
        preferredUsername: 'kumo',
        name: 'Kumo',
        _misskey_summary: 'hi',
        isCat: true,
        publicKey: this.publicKey(misskeyId),
      },
    };
  }

  /** Waits until an inbox has received a POST matching `test` (the blog delivers through its queue). */
  async delivery(test: (r: Received) => boolean): Promise<Received> {
    for (;;) {
      const found = this.received.find(test);
      if (found) return found;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  /** A request to the blog's inbox, signed (draft-cavage) with the key of the actor the activity names. */
  async signed(blogUrl: string, activity: Record<string, unknown>, inbox = '/@blog/inbox'): Promise<Request> {
    const actor = typeof activity.actor === 'string' ? activity.actor : '';
    const request = new Request(`${blogUrl}${inbox}`, { method: 'POST', headers: { 'content-type': ACTIVITY_JSON, accept: ACTIVITY_JSON }, body: JSON.stringify(activity) });
    return signRequest(request, await this.rsaPrivateKey(), new URL(`${actor}#main-key`));
  }

  /** A Follow of the blog by one of this server's accounts (its path), as Mastodon sends it. */
  follow(account: string, blogActor: string, id = `${this.base}${account}#follows/${Math.random().toString(16).slice(2)}`) {
    return { '@context': 'https://www.w3.org/ns/activitystreams', id, type: 'Follow', actor: `${this.base}${account}`, object: blogActor };
  }
}

/** The database under a Kumbaya (its store's Kysely), for looking at the queue table. */
export const databaseOf = (k: TestKumbaya) => (k.deps.store as unknown as { db: Kysely<any> }).db;

/** Messages in the blog's queue: deliveries, fan-outs and received activities not yet handled. */
export async function queued(k: TestKumbaya): Promise<number> {
  return Number((await databaseOf(k).selectFrom('federation_messages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
}

/** The key owner whose signature a delivery carries, checked with Fedify's verifyRequest against the blog's published key; null if it does not verify. */
export async function signedBy(k: TestKumbaya, remote: RemoteServers, delivered: Received): Promise<string | null> {
  const request = new Request(`${remote.base}${delivered.path}`, { method: 'POST', headers: delivered.headers, body: delivered.body });
  const loader = blogLoader(k);
  const key = await verifyRequest(request, { documentLoader: loader, contextLoader: loader });
  return key?.ownerId?.href ?? null;
}
