/**
 * Workload (j)'s fediverse sender, in its own process: a remote server on a local port
 * publishing `actors` Mastodon-shaped accounts, and `connections` keep-alive connections
 * POSTing Likes of the blog's posts to its shared inbox, each signed (draft-cavage,
 * rsa-sha256, Digest signed) by the account it names, as Mastodon signs. Every Like is
 * a new (account, post) pair, so each one must become a stored reaction. The requests are
 * signed before the clock starts (signing is the sender's cost, not the blog's): enough
 * for `maxPerSecond` during the warm-up and the measured run. Each run sends for its
 * seconds, waits for the answers in flight, then for the queue to store everything.
 *
 * The blog answers 202 once it has verified the signature and queued the activity; its
 * queue then stores the reaction (and links the account to a Person). So the figure that
 * matters is "verified and stored per second": the measured Likes divided by the time from
 * the first request until the last of them is in the database (read here, read-only).
 *
 * Usage: node bench/inbox-load.ts '<json options>' (see InboxLoadOptions). Prints JSON (InboxLoadResult).
 */
import { generateKeyPairSync, webcrypto } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DatabaseSync } from 'node:sqlite';
import { signRequest } from '@fedify/fedify';
import { cpuTimeMsOf } from './procs.ts';

export interface InboxLoadOptions {
  /** The blog, http://host:port (no path). */
  base: string;
  /** Its SQLite file, read to see when the reactions are stored. */
  sqliteFile: string;
  /** Slugs of published posts to like or answer. */
  slugs: string[];
  /**
   * What is sent: `like` (a Like, stored as a reaction) or `reply` (a Create of a public
   * Note answering the post, stored as a comment). Default `like`.
   */
  kind?: InboxKind;
  actors: number;
  connections: number;
  warmupSeconds: number;
  seconds: number;
  /** How many requests to sign in advance, per second of sending. */
  maxPerSecond: number;
  /** Give up waiting for the queue after this long. */
  drainTimeoutSeconds: number;
  /** Kumbaya's process: its CPU time is read around the measured run. */
  serverPid: number;
}

export interface InboxLoadResult {
  /** Measured requests answered (every status). */
  requests: number;
  statuses: Record<string, number>;
  /** 202 answers per second of the sending (verification and queueing). */
  acceptedPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Measured Likes stored per second, from the first request to the last one stored. */
  storedPerSecond: number;
  sendSeconds: number;
  storedSeconds: number;
  /** Whether every 202 of the measured run was stored before the timeout. */
  drained: boolean;
  /** Activity ids the blog answered 202 to (warm-up and measured). */
  acceptedIds: string[];
  socketErrors: number;
  samples: string[];
  signSeconds: number;
  signed: number;
  /** CPU time Kumbaya used from the measured run's first request to its last Like stored (null without /proc). */
  serverCpuMs: number | null;
}

export type InboxKind = 'like' | 'reply';

/** The table each kind is stored in, and the column holding what identifies it. */
export const STORED: Record<InboxKind, { table: string; column: string }> = {
  like: { table: 'federation_reactions', column: 'activity_id' },
  reply: { table: 'federation_comments', column: 'note_id' },
};

/**
 * A reply as Mastodon sends it: a Create of a public Note (the Note inline) answering the
 * post, addressed to Public and the author's followers; its id is what is stored.
 */
export function replyActivity(actor: string, i: number, postUrl: string): { id: string; body: Record<string, unknown> } {
  const noteId = `${actor}/statuses/${i}`;
  const published = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
  const to = ['https://www.w3.org/ns/activitystreams#Public'];
  const cc = [`${actor}/followers`];
  return {
    id: noteId,
    body: {
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: `${noteId}/activity`,
      type: 'Create',
      actor,
      published,
      to,
      cc,
      object: { id: noteId, type: 'Note', attributedTo: actor, inReplyTo: postUrl, url: noteId, published, to, cc, content: `<p>Reply number ${i}: thank you for writing this, it made me think about my own garden.</p>` },
    },
  };
}

interface Signed {
  id: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2] ?? '{}') as InboxLoadOptions;
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKeyPem = keys.publicKey.export({ type: 'spki', format: 'pem' });

  // The remote server: one Mastodon-shaped actor document per account.
  const remote = http.createServer((req, res) => {
    const match = /^\/users\/u(\d+)$/.exec(req.url ?? '');
    if (!match || Number(match[1]) >= o.actors) return res.writeHead(404).end();
    const id = `${remoteBase}/users/u${match[1]}`;
    res.writeHead(200, { 'content-type': 'application/activity+json' });
    res.end(
      JSON.stringify({
        '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
        id,
        type: 'Person',
        preferredUsername: `u${match[1]}`,
        followers: `${id}/followers`,
        name: `Reader ${match[1]}`,
        inbox: `${id}/inbox`,
        endpoints: { sharedInbox: `${remoteBase}/inbox` },
        publicKey: { id: `${id}#main-key`, owner: id, publicKeyPem },
      }),
    );
  });
  await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', resolve));
  const remoteBase = `http://127.0.0.1:${(remote.address() as AddressInfo).port}`;

  // Every Like a new (account, post) pair: account i % actors, post ⌊i / actors⌋. Every reply is a new Note.
  const wanted = (o.warmupSeconds + o.seconds) * o.maxPerSecond;
  const total = o.kind === 'reply' ? wanted : Math.min(wanted, o.actors * o.slugs.length);
  const privateKey = (await webcrypto.subtle.importKey('pkcs8', keys.privateKey.export({ type: 'pkcs8', format: 'der' }), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, true, ['sign'])) as CryptoKey;
  const signStarted = performance.now();
  const signed: Signed[] = [];
  for (let i = 0; i < total; i++) {
    const actor = `${remoteBase}/users/u${i % o.actors}`;
    const postUrl = `${o.base}/${o.slugs[Math.floor(i / o.actors) % o.slugs.length]}`;
    const reply = o.kind === 'reply' ? replyActivity(actor, i, postUrl) : null;
    const id = reply ? reply.id : `${actor}/likes/${i}`;
    const body = JSON.stringify(reply ? reply.body : { '@context': 'https://www.w3.org/ns/activitystreams', id, type: 'Like', actor, object: postUrl });
    const request = await signRequest(new Request(`${o.base}/ap/inbox`, { method: 'POST', headers: { 'content-type': 'application/activity+json', 'user-agent': 'kumbaya-bench/inbox-load' }, body }), privateKey, new URL(`${actor}#main-key`));
    signed.push({ id, path: '/ap/inbox', headers: Object.fromEntries(request.headers), body });
  }
  const signSeconds = (performance.now() - signStarted) / 1000;

  const db = new DatabaseSync(o.sqliteFile, { readOnly: true });
  const stored = STORED[o.kind ?? 'like'];
  const storedCount = () => Number((db.prepare(`select count(*) as n from ${stored.table}`).get() as { n: number }).n);
  const baseline = storedCount();
  const target = new URL(o.base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.connections });
  const acceptedIds: string[] = [];
  const samples: string[] = [];
  let socketErrors = 0;

  function send(s: Signed, latencies: number[] | null, statuses: Record<string, number>): Promise<void> {
    return new Promise((resolve) => {
      const started = performance.now();
      const req = http.request({ host: target.hostname, port: target.port, path: s.path, method: 'POST', agent, headers: { ...s.headers, 'content-length': String(Buffer.byteLength(s.body)) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          latencies?.push(performance.now() - started);
          const status = res.statusCode ?? 0;
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (status === 202) acceptedIds.push(s.id);
          else if (samples.length < 5) samples.push(`${status}: ${Buffer.concat(chunks).toString('utf8').slice(0, 200)}`);
          resolve();
        });
      });
      req.on('error', (error) => {
        socketErrors++;
        if (samples.length < 5) samples.push(`socket: ${error.message}`);
        resolve();
      });
      req.end(s.body);
    });
  }

  let next = 0;
  /** Sends the next signed Likes for `seconds`; then waits for the answers in flight. */
  async function sendFor(seconds: number, latencies: number[] | null, statuses: Record<string, number>): Promise<void> {
    const deadline = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: o.connections }, async () => {
        while (next < signed.length && performance.now() < deadline) await send(signed[next++], latencies, statuses);
      }),
    );
    if (next === signed.length) samples.push(`all ${signed.length} signed Likes were sent before the time was up: raise maxPerSecond`);
  }

  async function drained(expected: number, deadline: number): Promise<boolean> {
    while (storedCount() - baseline < expected) {
      if (performance.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return true;
  }

  // Warm-up: loads Fedify, fetches and caches the accounts' keys.
  const warmStatuses: Record<string, number> = {};
  await sendFor(o.warmupSeconds, null, warmStatuses);
  const warmAccepted = warmStatuses['202'] ?? 0;
  await drained(warmAccepted, performance.now() + o.drainTimeoutSeconds * 1000);

  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const cpuBefore = cpuTimeMsOf(o.serverPid);
  const started = performance.now();
  await sendFor(o.seconds, latencies, statuses);
  const sendSeconds = (performance.now() - started) / 1000;
  const accepted = statuses['202'] ?? 0;
  const allStored = await drained(warmAccepted + accepted, performance.now() + o.drainTimeoutSeconds * 1000);
  const storedSeconds = (performance.now() - started) / 1000;
  const cpuAfter = cpuTimeMsOf(o.serverPid);
  agent.destroy();
  db.close();
  await new Promise<void>((resolve) => remote.close(() => resolve()));

  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const result: InboxLoadResult = {
    requests: latencies.length,
    statuses,
    acceptedPerSecond: accepted / sendSeconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    storedPerSecond: allStored ? accepted / storedSeconds : 0,
    sendSeconds,
    storedSeconds,
    drained: allStored,
    acceptedIds,
    socketErrors,
    samples,
    signSeconds,
    signed: signed.length,
    serverCpuMs: cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null,
  };
  process.stdout.write(JSON.stringify(result));
}

if (import.meta.main) await main();
