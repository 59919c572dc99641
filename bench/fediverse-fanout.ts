/**
 * Workload (i), `npm run bench:fanout`: publishing a post to 10,000 fediverse followers on
 * 1,000 servers, each server with one shared inbox, all served by a local sink. Kumbaya runs as
 * `npm start` runs it (a child process, SQLite, page cache on); the sink answers every inbox
 * on its own loopback address (127.1.x.y), so each server is a host of its own, as on the
 * fediverse (Fedify keeps one post's deliveries to one host in order, and parallel across hosts).
 *
 * Measured: the time from the publish request until the sink has the last delivery (the
 * first publish also loads Fedify; the second is measured with it loaded), deliveries per
 * second, Kumbaya's peak RSS, and the cached post page's p99 while nothing happens and
 * while the second fan-out runs. Every inbox must receive each post exactly once, signed.
 *
 * Environment: BENCH_FOLLOWERS (10000), BENCH_SERVERS (1000), BENCH_CONNECTIONS (8: readers
 * of the post page), BENCH_LOADGEN=wrk|node, BENCH_KEEP=1 keeps the temp dir, BENCH_CPU_PROF=<dir>,
 * BENCH_NODE_FLAGS (more flags for Kumbaya's node, after `npm start`'s, so they win).
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pickLoadGenerator, type LoadResult } from './load.ts';
import { cpuTimeMsOf, freePort, get, installCleanupHandlers, mainThreadSchedOf, projectNode, type Sched, sampleMemory, startCommand, startChild, stopChild, trackTempDir, waitFor200, warmCompileCache } from './procs.ts';
import { seedBenchData } from './seed.ts';
import { loadConfig } from '../src/config/config.ts';
import { openStore } from '../src/compose.ts';
import { AuthService } from '../src/core/auth-service.ts';
import { systemClock } from '../src/core/clock.ts';
import { PostService } from '../src/core/post-service.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const FOLLOWERS = positive('BENCH_FOLLOWERS', 10_000);
const SERVERS = positive('BENCH_SERVERS', 1_000);
const READERS = positive('BENCH_CONNECTIONS', 8);

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number of at least 1 (got "${raw}")`);
  return n;
}

const log = (line: string) => process.stdout.write(`${line}\n`);
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
/** Time run and time waited for a CPU as shares of a window of `ms`. */
const shareOf = (runMs: number, waitMs: number, ms: number) => ({ run: round(runMs / ms, 2), wait: round(waitMs / ms, 2) });

/** Server n's loopback address: 127.1.1.1, 127.1.1.2 … (Linux answers all of 127.0.0.0/8 on lo). */
const serverHost = (n: number) => `127.1.${Math.floor(n / 250) + 1}.${(n % 250) + 1}`;

/** The fediverse's side: every POST to /inbox on any 127.1.x.y is counted per host and post. */
class Sink {
  readonly perInbox = new Map<string, number>();
  received = 0;
  unsigned = 0;
  lastAt = 0;
  private waiting: Array<{ count: number; resolve: () => void }> = [];
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/inbox') {
        res.writeHead(404).end();
        return;
      }
      const activity = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string; object?: { id?: string } };
      if (!req.headers.signature && !req.headers['signature-input']) this.unsigned++;
      const key = `${req.headers.host} ${activity.type} ${activity.object?.id ?? ''}`;
      this.perInbox.set(key, (this.perInbox.get(key) ?? 0) + 1);
      this.received++;
      this.lastAt = performance.now();
      res.writeHead(202).end();
      for (const w of this.waiting.filter((w) => this.received >= w.count)) w.resolve();
      this.waiting = this.waiting.filter((w) => this.received < w.count);
    });
  });

  listen(port: number): Promise<void> {
    // Every loopback address: the servers are 127.1.x.y.
    return new Promise((resolve) => this.server.listen(port, '0.0.0.0', resolve));
  }

  /** Resolves once `count` deliveries have arrived in all (or rejects after `ms`). */
  until(count: number, ms = 600_000): Promise<void> {
    if (this.received >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the sink has ${this.received} of ${count} deliveries after ${ms / 1000} s`)), ms);
      this.waiting.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  /** How many hosts got `type` of `objectId` exactly once, and how many some other number of times. */
  exactlyOnce(type: string, objectId: string): { once: number; other: number } {
    let once = 0;
    let other = 0;
    for (let n = 0; n < SERVERS; n++) {
      const count = this.perInbox.get(`${serverHost(n)}:${this.port} ${type} ${objectId}`) ?? 0;
      if (count === 1) once++;
      else other++;
    }
    return { once, other };
  }

  port = 0;

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function main(): Promise<void> {
  installCleanupHandlers();
  const node = projectNode();
  const gen = pickLoadGenerator();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kumbaya-bench-fanout-'));
  if (process.env.BENCH_KEEP !== '1') trackTempDir(dataDir);
  log(`Kumbaya bench (i): publishing to ${FOLLOWERS.toLocaleString('en-US')} followers on ${SERVERS.toLocaleString('en-US')} servers (one shared inbox each); load: ${gen.name}`);

  // The compile cache warm, as `npm ci` leaves it (procs.ts).
  log(await warmCompileCache(node));
  const seeded = await seedBenchData({ dataDir });
  const port = await freePort();
  const sink = new Sink();
  sink.port = await freePort();
  const base = `http://127.0.0.1:${port}`;

  // Followers, an API token for the owner, and the two posts to publish.
  const store = await openStore(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', KUMBAYA_DEMO: 'false' }));
  let token: string;
  const posts: Array<{ id: number; url: string }> = [];
  try {
    const started = performance.now();
    await store.transaction(async (tx) => {
      for (let i = 0; i < FOLLOWERS; i++) {
        const host = `http://${serverHost(i % SERVERS)}:${sink.port}`;
        const actorUri = `${host}/users/u${i}`;
        await tx.followers.upsert({ actorUri, handle: `@u${i}@${serverHost(i % SERVERS)}`, inbox: `${actorUri}/inbox`, sharedInbox: `${host}/inbox`, status: 'accepted', followId: `${actorUri}#follow` }, Date.now());
      }
    });
    log(`  ${FOLLOWERS} followers stored in ${round(performance.now() - started, 0)} ms`);
    const owner = (await store.users.findBySlug('marta-kowalska'))!;
    token = (await new AuthService({ store, clock: systemClock }).createApiToken(owner, 'bench')).secret;
    const service = new PostService({ store, clock: systemClock, onContentChanged: () => {} });
    for (const title of ['A first post for ten thousand followers', 'A second post for ten thousand followers']) {
      const post = await service.create(owner, { title, markdown: 'Hello, fediverse. '.repeat(40), tags: ['fediverse'] });
      posts.push({ id: post.id, url: `${base}/${post.slug}` });
    }
  } finally {
    await store.close();
  }

  await sink.listen(sink.port);
  const env = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    SITE_URL: base,
    LOG_LEVEL: 'warn',
    KUMBAYA_DEMO: 'false',
    PAGE_CACHE: 'true',
    FEDIVERSE_ALLOW_PRIVATE: 'true',
  };
  const since = performance.now();
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`] : [];
  const start = startCommand();
  const child = startChild(node, [...profile, ...start.args], { cwd: ROOT, env: { ...env, ...start.env } });
  const memory = sampleMemory(child.pid);
  await waitFor200(child, `${base}/healthz`, since);
  const pageUrl = `${base}/${seeded.bigPostSlug}`;

  /** Publishes through the API; resolves with the time until the sink has every delivery of it. */
  const publish = async (post: { id: number; url: string }, expected: number) => {
    const t0 = performance.now();
    const res = await fetch(`${base}/api/posts/${post.id}/publish`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`publishing answered ${res.status}: ${await res.text()}`);
    const answeredMs = performance.now() - t0;
    await sink.until(expected);
    const { once, other } = sink.exactlyOnce('Create', `${base}/${post.url.split('/').pop()}`);
    if (once !== SERVERS || other !== 0) throw new Error(`${once} servers got the Create once, ${other} did not`);
    return { answeredMs, lastMs: sink.lastAt - t0 };
  };

  let idle: LoadResult;
  let during: LoadResult;
  let cold: { answeredMs: number; lastMs: number };
  let warm: { answeredMs: number; lastMs: number };
  let windowS: number;
  let peakRss: number;
  /** Peak RSS (VmHWM) by the end of each phase: what set the peak. */
  const peaks: Array<[string, number]> = [];
  /** Kumbaya's CPU time (user + system) from the second publish to its last delivery, readers' share included. */
  let fanoutCpuMs = 0;
  /** Kumbaya's CPU time during the first fan-out (no readers; loading Fedify and making the keys included). */
  let coldCpuMs = 0;
  /** Kumbaya's CPU time per reader request while idle (readers only): what the readers cost during the fan-out. */
  let readerCpuMs = 0;
  /** The share of each readers' window Kumbaya's main thread ran, and waited for a CPU (null without schedstat). */
  const sched = (from: Sched, ms: number) => {
    const to = mainThreadSchedOf(child.pid);
    return from && to ? shareOf(to.runMs - from.runMs, to.waitMs - from.waitMs, ms) : null;
  };
  let idleSched: ReturnType<typeof sched> = null;
  // Set in a callback (as the readers finish), which narrowing does not follow.
  let duringSched = null as ReturnType<typeof sched>;
  try {
    const page = await get(pageUrl);
    if (page.status !== 200) throw new Error(`GET ${pageUrl} answered ${page.status}`);
    peaks.push(['started', memory.peak()]);

    log('\n  first publish (loads Fedify, makes the keys) …');
    const coldBefore = cpuTimeMsOf(child.pid) ?? 0;
    cold = await publish(posts[0], SERVERS);
    coldCpuMs = (cpuTimeMsOf(child.pid) ?? 0) - coldBefore;
    log(`    answered in ${round(cold.answeredMs)} ms; last of ${SERVERS} deliveries after ${round(cold.lastMs, 0)} ms`);
    peaks.push(['first fan-out', memory.peak()]);

    // The readers' window: as long as a fan-out took, and at least 3 s.
    windowS = Math.max(3, Math.ceil(cold.lastMs / 1000));
    await get(pageUrl);
    const hit = await get(pageUrl);
    if (hit.headers['x-cache'] !== 'hit') throw new Error(`the post page is not served from the page cache (X-Cache: ${hit.headers['x-cache']})`);
    log(`\n  idle: ${READERS} readers on the cached post page for ${windowS} s …`);
    const idleBefore = cpuTimeMsOf(child.pid) ?? 0;
    const idleSchedBefore = mainThreadSchedOf(child.pid);
    const idleStart = performance.now();
    idle = await gen.run({ url: pageUrl, connections: READERS, seconds: windowS });
    idleSched = sched(idleSchedBefore, performance.now() - idleStart);
    readerCpuMs = ((cpuTimeMsOf(child.pid) ?? 0) - idleBefore) / Math.max(1, idle.requests);
    peaks.push(['idle readers', memory.peak()]);

    log(`  second publish, with ${READERS} readers on the cached post page for ${windowS} s …`);
    const schedBefore = mainThreadSchedOf(child.pid);
    const readingStart = performance.now();
    // Over the readers' window (what the p99 covers), read as the readers finish: the fan-out
    // may go on after them (it usually does), or end before.
    const reading = gen.run({ url: pageUrl, connections: READERS, seconds: windowS }).then((result) => {
      duringSched = sched(schedBefore, performance.now() - readingStart);
      return result;
    });
    const cpuBefore = cpuTimeMsOf(child.pid) ?? 0;
    warm = await publish(posts[1], 2 * SERVERS);
    fanoutCpuMs = (cpuTimeMsOf(child.pid) ?? 0) - cpuBefore;
    during = await reading;
    log(`    answered in ${round(warm.answeredMs)} ms; last of ${SERVERS} deliveries after ${round(warm.lastMs, 0)} ms`);
  } finally {
    peakRss = memory.stop();
    peaks.push(['second fan-out', peakRss]);
    await stopChild(child);
    await sink.close();
  }

  const rate = (ms: number) => round(SERVERS / (ms / 1000), 0);
  log('\n  result');
  log(`    load average of this machine at the end: ${os.loadavg().map((n) => n.toFixed(1)).join(', ')} (${os.cpus().length} CPUs): other work on the machine shares the CPU with Kumbaya`);
  log(`    deliveries: ${SERVERS} per post (${FOLLOWERS} followers, one per shared inbox), each exactly once, ${sink.unsigned === 0 ? 'all signed' : `${sink.unsigned} UNSIGNED`}`);
  log(`    first publish (Fedify loaded on it):  last delivery after ${round(cold.lastMs / 1000, 2)} s, ${rate(cold.lastMs)} deliveries/s; the publish request answered in ${round(cold.answeredMs)} ms`);
  log(`    second publish:                       last delivery after ${round(warm.lastMs / 1000, 2)} s, ${rate(warm.lastMs)} deliveries/s; the publish request answered in ${round(warm.answeredMs)} ms`);
  // The readers' requests answered while the fan-out ran, each at what a request cost when idle.
  const readersDuringMs = during.rps * Math.min(windowS, warm.lastMs / 1000) * readerCpuMs;
  const deliveryCpuMs = Math.max(0, fanoutCpuMs - readersDuringMs);
  log(`    Kumbaya's CPU time during the second fan-out: ${round(fanoutCpuMs / 1000, 2)} s, ${round((fanoutCpuMs * 1000) / SERVERS, 0)} µs per delivery (the readers' requests included)`);
  log(`      less the readers' requests (${round(readerCpuMs * 1000, 0)} µs each when idle): ~${round((deliveryCpuMs * 1000) / SERVERS, 0)} µs per delivery`);
  log(`    Kumbaya's CPU time during the first fan-out (no readers; loading Fedify included): ${round(coldCpuMs / 1000, 2)} s, ${round((coldCpuMs * 1000) / SERVERS, 0)} µs per delivery`);
  log(`    peak RSS: ${round(peakRss)} MB (by the end of: ${peaks.map(([phase, mb]) => `${phase} ${round(mb)}`).join(', ')})`);
  log(`    cached post page, ${READERS} connections, ${windowS} s: idle p99 ${round(idle.p99Ms, 2)} ms (${round(idle.rps, 0)} req/s); during the fan-out p99 ${round(during.p99Ms, 2)} ms (${round(during.rps, 0)} req/s): ${round(during.p99Ms / idle.p99Ms, 2)}× idle`);
  const pct = (n: number) => `${round(n * 100, 0)}%`;
  if (idleSched && duringSched) log(`    Kumbaya's main thread ran ${pct(idleSched.run)} of the idle readers' window and waited for a CPU ${pct(idleSched.wait)} of it; of the readers' window during the fan-out, ran ${pct(duringSched.run)}, waited ${pct(duringSched.wait)} (waiting: the machine's other threads and processes, Kumbaya's own included, held both CPUs)`);
  // The load generator's own threads: a generator kept from its CPU counts its own wait as the page's latency.
  const generatorShare = ({ generator: g }: typeof idle) => (g ? shareOf(g.runMs, g.waitMs, g.ms) : null);
  const [idleGen, duringGen] = [generatorShare(idle), generatorShare(during)];
  if (idleGen && duringGen) log(`    the readers' load generator (${gen.name.split(' ')[0]}) ran ${pct(idleGen.run)} of a CPU and waited for one ${pct(idleGen.wait)} of the idle window; during the fan-out, ran ${pct(duringGen.run)}, waited ${pct(duringGen.wait)} (its waits are counted in its latencies)`);
  if (warm.lastMs / 1000 < windowS) log(`    (the fan-out took ${round(warm.lastMs / 1000, 1)} s of the ${windowS} s window; the rest of the window was idle)`);
  const errors = idle.errors + during.errors;
  if (errors > 0) log(`    !! readers saw ${errors} errors: ${idle.errorText} ${during.errorText}`);

  const out = path.join(ROOT, 'bench', 'results', 'fanout-latest.json');
  fs.writeFileSync(
    out,
    `${JSON.stringify(
      {
        followers: FOLLOWERS,
        servers: SERVERS,
        firstPublish: { lastDeliveryMs: round(cold.lastMs, 0), deliveriesPerSecond: rate(cold.lastMs), answeredMs: round(cold.answeredMs) },
        secondPublish: { lastDeliveryMs: round(warm.lastMs, 0), deliveriesPerSecond: rate(warm.lastMs), answeredMs: round(warm.answeredMs), cpuMs: round(fanoutCpuMs, 0), deliveryCpuUsEstimate: round((deliveryCpuMs * 1000) / SERVERS, 0) },
        firstPublishCpuUsPerDelivery: round((coldCpuMs * 1000) / SERVERS, 0),
        readerCpuUsPerRequest: round(readerCpuMs * 1000, 0),
        peakRssMb: round(peakRss),
        loadAverage: os.loadavg().map((n) => round(n, 1)),
        cpus: os.cpus().length,
        mainThread: { idle: idleSched, duringFanout: duringSched },
        loadGenerator: { idle: idleGen, duringFanout: duringGen },
        peakRssByPhaseMb: Object.fromEntries(peaks.map(([phase, mb]) => [phase, round(mb)])),
        page: { readers: READERS, seconds: windowS, idleP99Ms: round(idle.p99Ms, 2), duringP99Ms: round(during.p99Ms, 2), ratio: round(during.p99Ms / idle.p99Ms, 2), idleRps: round(idle.rps, 0), duringRps: round(during.rps, 0) },
      },
      null,
      2,
    )}\n`,
  );
  log(`\n  written to ${path.relative(ROOT, out)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`\nbench (i) failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
