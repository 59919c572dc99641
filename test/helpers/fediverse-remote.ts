import { generateKeyPairSync, webcrypto } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import { preloadedContexts, signRequest, verifyRequest } from '@fedify/fedify';
import type { Kumbaya } from '../../src/compose.ts';

export const ACTIVITY_JSON = 'application/activity+json';

export interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
  /** When it arrived (performance.now()). */
  at: number;
}

/**
 * Holds the answers of inbox POSTs (on any number of servers) until `releaseAt` of them
 * are waiting at once, or `timeoutMs` has passed: how a test sees how many deliveries were
 * in flight side by side (one instance's listener sends at most its batch at a time).
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

/**
 * Remote fediverse servers on one local port (reachable because FEDIVERSE_ALLOW_PRIVATE is
 * on): a Mastodon-shaped and a Misskey-shaped account with their inboxes, and Ana's new
 * account after a Move. Every POST to an inbox is recorded; `inboxStatus` makes an inbox
 * answer something other than 202 (a 410 for a gone account, a 500 for a broken server).
 * Start several for several servers: each has its own port, so its own host.
 */
export class RemoteServers {
  base = '';
  readonly keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  readonly received: Received[] = [];
  /** Status an inbox path answers POSTs with (default 202). */
  readonly inboxStatus = new Map<string, number>();
  /** When set, inbox POSTs wait at this gate before they are recorded and answered. */
  gate: InboxGate | null = null;
  private readonly server: http.Server;
  private waiting: Array<() => void> = [];
  private signingKey: Promise<CryptoKey> | null = null;

  constructor() {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', async () => {
        if (req.method === 'POST') {
          await this.gate?.pass();
          const status = this.inboxStatus.get(req.url ?? '') ?? 202;
          if (status < 300) {
            this.received.push({ path: req.url ?? '', headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])), body, at: performance.now() });
            for (const wake of this.waiting.splice(0)) wake();
          }
          res.writeHead(status).end();
          return;
        }
        const actor = this.actors()[req.url ?? ''];
        res.writeHead(actor ? 200 : 404, { 'content-type': ACTIVITY_JSON });
        res.end(actor ? JSON.stringify(actor) : '{}');
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  get host(): string {
    return new URL(this.base).host;
  }

  private publicKey(id: string) {
    return { id: `${id}#main-key`, owner: id, publicKeyPem: this.keys.publicKey.export({ type: 'spki', format: 'pem' }) };
  }

  /** Actor documents by path, in the shapes each server publishes. */
  private actors(): Record<string, unknown> {
    const mastodon = (path: string, username: string, extra: Record<string, unknown> = {}) => {
      const id = `${this.base}${path}`;
      return {
        '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1', { manuallyApprovesFollowers: 'as:manuallyApprovesFollowers', alsoKnownAs: { '@id': 'as:alsoKnownAs', '@type': '@id' } }],
        id,
        type: 'Person',
        preferredUsername: username,
        name: 'Ana Lima',
        inbox: `${id}/inbox`,
        outbox: `${id}/outbox`,
        followers: `${id}/followers`,
        endpoints: { sharedInbox: `${this.base}/mastodon/inbox` },
        publicKey: this.publicKey(id),
        ...extra,
      };
    };
    const misskeyId = `${this.base}/misskey/users/9abc`;
    return {
      '/mastodon/users/ana': mastodon('/mastodon/users/ana', 'ana'),
      '/mastodon/users/ana-new': mastodon('/mastodon/users/ana-new', 'ana2', { alsoKnownAs: [`${this.base}/mastodon/users/ana`] }),
      '/mastodon/users/impostor': mastodon('/mastodon/users/impostor', 'impostor'),
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

  /** The activities received so far, parsed, with the inbox path each came to. */
  activities(): Array<{ path: string; activity: { id: string; type: string; actor: string; object: any; to?: unknown; cc?: unknown } }> {
    return this.received.map((r) => ({ path: r.path, activity: JSON.parse(r.body) }));
  }

  /** This server's RSA key, to sign what its accounts send. */
  private key(): Promise<CryptoKey> {
    this.signingKey ??= webcrypto.subtle.importKey('pkcs8', this.keys.privateKey.export({ type: 'pkcs8', format: 'der' }), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, true, ['sign']) as Promise<CryptoKey>;
    return this.signingKey;
  }

  /** A request to the blog's inbox, signed (draft-cavage) with the key of the actor the activity names. */
  async signed(blogUrl: string, activity: Record<string, unknown>, inbox = '/@blog/inbox'): Promise<Request> {
    const actor = typeof activity.actor === 'string' ? activity.actor : '';
    const request = new Request(`${blogUrl}${inbox}`, { method: 'POST', headers: { 'content-type': ACTIVITY_JSON, accept: ACTIVITY_JSON }, body: JSON.stringify(activity) });
    return signRequest(request, await this.key(), new URL(`${actor}#main-key`));
  }

  /** A Follow of the blog, as Mastodon sends it. */
  follow(account: string, blogActor: string, id = `${this.base}${account}#follows/${Math.random().toString(16).slice(2)}`) {
    return { '@context': 'https://www.w3.org/ns/activitystreams', id, type: 'Follow', actor: `${this.base}${account}`, object: blogActor };
  }
}

/** The blog takes activities through its queue (202 at once): waits until their effect shows. */
export async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The database under a Kumbaya (its store's Kysely), for looking at the queue table. */
export const databaseOf = (k: Pick<Kumbaya, 'deps'>) => (k.deps.store as unknown as { db: Kysely<any> }).db;

/** Messages in the blog's queue: deliveries, fan-outs and received activities not yet handled. */
export async function queued(k: Pick<Kumbaya, 'deps'>): Promise<number> {
  return Number((await databaseOf(k).selectFrom('federation_messages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
}

/** Waits until the blog's queue has handled everything so far (a message leaves the table once handled). */
export async function settled(k: Pick<Kumbaya, 'deps'>): Promise<void> {
  await until(() => queued(k), (n) => n === 0);
}

/** A document loader that reads the blog's own documents in-process (its actor and key), for checking its signatures. */
export function blogLoader(k: Pick<Kumbaya, 'app'>) {
  return async (url: string) => {
    const preloaded = (preloadedContexts as Record<string, unknown>)[url];
    if (preloaded) return { contextUrl: null, documentUrl: url, document: preloaded };
    const res = await k.app.request(url, { headers: { accept: ACTIVITY_JSON } });
    return { contextUrl: null, documentUrl: url, document: await res.json() };
  };
}

/** The key owner whose signature a delivery carries, checked with Fedify's verifyRequest against the blog's published key; null if it does not verify. */
export async function signedBy(k: Pick<Kumbaya, 'app'>, remote: RemoteServers, delivered: Received): Promise<string | null> {
  const request = new Request(`${remote.base}${delivered.path}`, { method: 'POST', headers: delivered.headers, body: delivered.body });
  const loader = blogLoader(k);
  const key = await verifyRequest(request, { documentLoader: loader, contextLoader: loader });
  return key?.ownerId?.href ?? null;
}
