import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import pino from 'pino';
import { MemoryStore } from '../storage/memory-store.ts';
import { JobQueue } from '../../jobs/job-queue.ts';
import { nothingFoundWords, WhoIs, type ProfileReading } from '../../core/who-is.ts';
import { safeFetch } from '../safe-fetch.ts';
import { lookUpWebsite, registerWhoIsJob } from './who-is-job.ts';

/** A stand-in for commenters' websites, each path a kind of site. */
let server: http.Server;
let BASE = '';
const held: http.ServerResponse[] = [];
const hCard = (path: string, name: string) => `<!doctype html><html><head><link rel="me" href="https://social.example/@ada"></head><body><div class="h-card"><a class="p-name u-url u-uid" href="${path}">${name}</a><p class="p-note">Writes about engines.</p></div></body></html>`;

before(async () => {
  server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    if (path === '/ada') return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(hCard('/ada', 'Ada Lovelace'));
    if (path === '/hostile') return res.writeHead(200, { 'content-type': 'text/html' }).end(hCard('/hostile', `<script>alert(1)</script>${'N'.repeat(10_000)}`));
    if (path === '/plain') return res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><p>No microformats here.</p>');
    if (path === '/image') return res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(64));
    if (path === '/missing') return res.writeHead(404, { 'content-type': 'text/html' }).end('gone');
    if (path === '/loop') return res.writeHead(302, { location: '/loop' }).end();
    if (path === '/to-private') return res.writeHead(302, { location: 'http://10.0.0.1/' }).end();
    if (path === '/slow') return void held.push(res); // never answers
    if (path === '/huge' || path === '/huge-chunked') {
      // 5 MB of page: once with its length declared, once streamed without one.
      const chunk = Buffer.alloc(64 * 1024, 'a');
      res.writeHead(200, path === '/huge' ? { 'content-type': 'text/html', 'content-length': String(80 * chunk.length) } : { 'content-type': 'text/html' });
      let sent = 0;
      const write = () => {
        while (sent < 80 && !res.destroyed) {
          sent++;
          if (!res.write(chunk)) return void res.once('drain', write);
        }
        res.end();
      };
      res.on('error', () => {});
      return write();
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  BASE = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  for (const res of held) res.destroy();
  server.closeAllConnections();
  server.close();
});

const deps = { fetch: safeFetch, allowPrivate: true, siteUrl: () => 'http://blog.example', timeoutMs: 400 };
const nothing = (reading: ProfileReading) => (reading.found ? 'found' : `${reading.reason}${reading.reasonDetail ? `:${reading.reasonDetail}` : ''}`);

describe('looking a website up', () => {
  it('reads the representative h-card of a page', async () => {
    const reading = await lookUpWebsite(`${BASE}/ada`, deps);
    assert.deepEqual(reading, { found: true, name: 'Ada Lovelace', note: 'Writes about engines.', url: `${BASE}/ada`, photo: null, relMe: ['https://social.example/@ada'] });
  });

  it('says "nothing found" with a clean reason for every page that is not one, and never names an address', async () => {
    const cases: Array<[string, string, Partial<typeof deps>?]> = [
      ['/plain', 'no-h-card'],
      ['/image', 'not-html:image/png'],
      ['/missing', 'http-error:404'],
      ['/loop', 'redirect-loop'],
      ['/huge', 'too-large'],
      ['/huge-chunked', 'too-large'],
      ['/slow', 'timeout'],
      ['/ada', 'private-address', { allowPrivate: false }],
      ['/to-private', 'private-address', { allowPrivate: false }],
    ];
    for (const [path, expected, options] of cases) {
      const reading = await lookUpWebsite(`${BASE}${path}`, { ...deps, ...options });
      assert.equal(nothing(reading), expected, path);
      assert.ok(!reading.found);
      assert.doesNotMatch(nothingFoundWords(reading.reason, reading.reasonDetail ?? null), /127\.0\.0\.1|10\.0\.0\.1/, `${path}: no address in the words`);
    }
    // A name that resolves to a loopback address is refused the same way, still without saying what it resolved to.
    const local = await lookUpWebsite(`http://localhost:${new URL(BASE).port}/ada`, { ...deps, allowPrivate: false });
    assert.equal(nothing(local), 'private-address');
    assert.equal(nothing(await lookUpWebsite('ftp://ada.example/', deps)), 'not-a-web-address');
  });

  it('keeps a hostile h-card\'s name as short plain text', async () => {
    const reading = await lookUpWebsite(`${BASE}/hostile`, deps);
    assert.ok(reading.found);
    assert.equal(Array.from(reading.name!).length, 200);
    assert.doesNotMatch(reading.name!, /script|alert|</);
  });
});

describe('the look-up job', () => {
  let store: MemoryStore;
  let queue: JobQueue;
  let whoIs: WhoIs;
  let now: number;
  beforeEach(() => {
    store = new MemoryStore();
    now = Date.UTC(2024, 4, 1);
    const clock = { now: () => now };
    queue = new JobQueue({ store, clock, logger: pino({ level: 'silent' }), intervalMs: 60_000, retryDelaysMs: [0, 0, 0] });
    whoIs = new WhoIs({ store, clock, enqueue: (job) => queue.enqueue(job) });
    registerWhoIsJob(queue, { ...deps, store, clock, logger: pino({ level: 'silent' }) });
  });

  const personWith = (website: string) => store.people.upsertByEmail({ name: 'Ada', email: `ada${Math.random()}@example.com`, website }, now);
  const lastError = async () => (await store.jobs.list({ limit: 10, offset: 0 })).items[0]?.lastError;

  it('stores what the website says, dated, for the card to read', async () => {
    const ada = await personWith(`${BASE}/ada`);
    await whoIs.newcomer(ada.id);
    assert.equal(await store.whoIs.profile(`${BASE}/ada`), null, 'queued, not fetched');
    assert.equal(await queue.tick(), 1);
    const profile = await store.whoIs.profile(`${BASE}/ada`);
    assert.deepEqual({ ...profile, fetchedAt: profile!.fetchedAt }, {
      website: `${BASE}/ada`, found: true, reason: null, reasonDetail: null, name: 'Ada Lovelace', note: 'Writes about engines.', url: `${BASE}/ada`, photo: null, relMe: ['https://social.example/@ada'], fetchedAt: now,
    });
  });

  it('stores "nothing found" and why, and tries a timeout again (twice more) before it settles', async () => {
    const slow = await personWith(`${BASE}/slow`);
    await whoIs.newcomer(slow.id);
    await queue.tick();
    assert.equal((await store.whoIs.profile(`${BASE}/slow`))?.reason, 'timeout', 'the card can say why at once');
    assert.match((await lastError())!, /tried again: timeout/);
    await queue.tick();
    await queue.tick();
    const [job] = (await store.jobs.list({ limit: 10, offset: 0 })).items;
    assert.equal(job.status, 'done', 'the third attempt settles it');
    assert.equal(job.attempts, 3);
  });

  it('keeps an earlier finding when a look again only times out', async () => {
    await personWith(`${BASE}/slow`);
    await store.whoIs.saveProfile({ website: `${BASE}/slow`, found: true, reason: null, reasonDetail: null, name: 'Ada', note: null, url: null, photo: null, relMe: [], fetchedAt: now - 1 });
    await whoIs.lookAgain(`${BASE}/slow`);
    await queue.tick();
    assert.equal((await store.whoIs.profile(`${BASE}/slow`))?.name, 'Ada');
  });

  it('looks nothing up for a website nobody holds any more', async () => {
    await whoIs.lookAgain(`${BASE}/ada`);
    await queue.tick();
    assert.equal(await store.whoIs.profile(`${BASE}/ada`), null);
  });
});
