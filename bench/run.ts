/**
 * `npm run bench`: seeds a fresh database, starts Kumbaya as a child process (every cache
 * off, page cache off, page cache on, posting comments, signed fediverse Likes, People
 * on a database of its own, then every cache off and posting on PostgreSQL), measures it under load with
 * wrk next to two references serving the same post page bytes (R1: bare node:http; R2:
 * nginx), prints a table and writes bench/results/latest.json. bench/README.md explains
 * every workload and how to read the output.
 *
 * Environment: BENCH_SECONDS (default 10) per workload, BENCH_WARMUP (default 3),
 * BENCH_CONNECTIONS (default 32), BENCH_READERS (default 8: readers beside the posters in
 * workload e), BENCH_PEOPLE_CONNECTIONS (default 8: workloads g and h),
 * BENCH_ONLY=e,g1,… runs only those workloads, BENCH_LOADGEN=wrk|node, BENCH_KEEP=1 keeps
 * the temp dir, BENCH_CPU_PROF=<dir> writes a V8 CPU profile of Kumbaya during workload e
 * (or, with BENCH_ONLY naming only g/h workloads, during the People run) into <dir>,
 * BENCH_PG_URL (else KUMBAYA_TEST_PG_URL) the PostgreSQL for the /pg workloads.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { pickLoadGenerator, type LoadGenerator, type LoadResult } from './load.ts';
import {
  cleanupNow,
  cpuTimeMsOf,
  freePort,
  get,
  installCleanupHandlers,
  projectNode,
  runToEnd,
  sampleMemory,
  startCommand,
  startChild,
  stopChild,
  trackTempDir,
  waitFor200,
  warmCompileCache,
  which,
  type Child,
} from './procs.ts';
import { inboxWorkload, INBOX_TARGET_PER_SECOND } from './inbox-workload.ts';
import type { PostLoadOptions, PostLoadResult } from './post-load.ts';
import { seedBenchData, type SeedSummary } from './seed.ts';
import { benchSchema } from './postgres.ts';
import { seedPeopleBench } from './seed-people.ts';
import { loadConfig } from '../src/config/config.ts';
import { openStore } from '../src/compose.ts';
import type { CommentStatus } from '../src/core/store.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

const SECONDS = positive('BENCH_SECONDS', 10);
const WARMUP = positive('BENCH_WARMUP', 3);
const CONNECTIONS = positive('BENCH_CONNECTIONS', 32);
const READERS = positive('BENCH_READERS', 8);
const PEOPLE_CONNECTIONS = positive('BENCH_PEOPLE_CONNECTIONS', 8);
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : null;

const TARGETS = {
  /** (a0) every cache off (issue 13): a share of R1's req/s and the p99. */
  a0: 0.05,
  a0P99Ms: 100,
  a: 0.2,
  /** (bz) the cached post page sent compressed, as a share of R1z (R1 sending the same compressed bytes). */
  bz: 0.8,
  b: 0.8,
  d: 0.9,
  peakRssMb: 200,
  firstResponseMs: 1000,
  /** (e) comments accepted per second, and the p99 of the POSTs. */
  eCommentsPerSecond: 1000,
  eP99Ms: 50,
  /** (e/pg) the same on PostgreSQL (issue 13). */
  ePgCommentsPerSecond: 600,
  ePgP99Ms: 100,
  /** (f) page 40 of the long thread, as a share of page 1's req/s. */
  f40: 0.8,
  /** (g, h) p99 of a person page and of the People search, at BENCH_PEOPLE_CONNECTIONS; (g) a late timeline page within 20% of the first (req/s). */
  peopleP99Ms: 50,
  g2: 0.8,
};

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number of at least 1 (got "${raw}")`);
  return n;
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

type WorkloadName = 'a0' | 'a0/pg' | 'a' | 'b' | 'bz' | 'c' | 'd' | 'e' | 'e/pg' | 'f1' | 'f1/pg' | 'f40' | 'f40/pg' | 'g1' | 'g2' | 'h' | 'j' | 'r1' | 'r1z' | 'r2';
/** The order of the table and of latest.json's rows, whatever the order of measuring (PostgreSQL beside SQLite). */
const ORDER: WorkloadName[] = ['a0', 'a0/pg', 'a', 'b', 'bz', 'c', 'd', 'e', 'e/pg', 'f1', 'f1/pg', 'f40', 'f40/pg', 'g1', 'g2', 'h', 'j', 'r1', 'r1z', 'r2'];

/** BENCH_ONLY=e,g1,h: only those workloads (and the runs they need); unset: all of them. */
function onlyWorkloads(): Set<WorkloadName> {
  const raw = process.env.BENCH_ONLY?.trim();
  if (!raw) return new Set(ORDER);
  const names = raw.split(/[\s,]+/).filter(Boolean);
  const unknown = names.filter((n) => !ORDER.includes(n as WorkloadName));
  if (unknown.length > 0) throw new Error(`BENCH_ONLY: unknown workload ${unknown.join(', ')} (known: ${ORDER.join(', ')})`);
  return new Set(names as WorkloadName[]);
}
const ONLY = onlyWorkloads();
const wants = (...names: WorkloadName[]) => names.some((n) => ONLY.has(n));

interface Workload {
  name: WorkloadName;
  what: string;
  result: LoadResult;
  /** Extra keys for this row of latest.json (workloads e and f40). */
  extra?: Record<string, number | string | boolean | Record<string, number>>;
}

/** Warm-up (discarded), then the measured run. */
async function measure(gen: LoadGenerator, name: WorkloadName, what: string, url: string, headers: Record<string, string> = {}, connections = CONNECTIONS, serverPid?: number): Promise<Workload> {
  log(`  ${name.padEnd(3)} ${what}: ${connections} connections, warm-up ${WARMUP}s, measure ${SECONDS}s …`);
  await gen.run({ url, connections, seconds: WARMUP, headers });
  const cpuBefore = serverPid === undefined ? null : cpuTimeMsOf(serverPid);
  const result = await gen.run({ url, connections, seconds: SECONDS, headers });
  const cpuAfter = serverPid === undefined ? null : cpuTimeMsOf(serverPid);
  const warn = result.errors > 0 ? `  !! ${result.errorText}` : '';
  log(`      ${result.rps.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms (${result.requests} requests)${warn}`);
  if (cpuBefore === null || cpuAfter === null || result.requests === 0) return { name, what, result };
  // CPU per answer says what a page costs whatever else the machine runs; wrk's timeouts are left out of `requests`.
  const msPerRequest = (cpuAfter - cpuBefore) / result.requests;
  log(`      Kumbaya used ${((cpuAfter - cpuBefore) / (SECONDS * 10)).toFixed(0)}% of a CPU: ${msPerRequest.toFixed(2)} ms of CPU per answer`);
  return { name, what, result, extra: { server_cpu_ms_per_request: round(msPerRequest, 2) } };
}

/** Runs bench/post-load.ts (workload e's comment poster) in its own process. */
async function postComments(node: string, options: PostLoadOptions): Promise<PostLoadResult> {
  const script = path.join(ROOT, 'bench', 'post-load.ts');
  const { code, stdout, stderr } = await runToEnd(node, [script, JSON.stringify(options)]);
  if (code !== 0) throw new Error(`post-load exited with ${code}: ${stderr || stdout}`);
  return JSON.parse(stdout) as PostLoadResult;
}

/** A page's text with the comment form's token (different on every render) blanked. */
/** What Chromium sends. */
const BROWSER_ACCEPT_ENCODING = 'gzip, deflate, br, zstd';
const withoutFormToken = (body: Buffer) => body.toString('utf8').replace(/(name="formToken" value=")[^"]*"/g, '$1"');
const decodeHref = (href: string) => href.replace(/&amp;/g, '&').replace(/#.*$/, '');
const commentIds = (page: string) => [...page.matchAll(/<article class="comment h-entry[^"]*" id="comment-(\d+)"/g)].map((m) => Number(m[1]));
const nextLink = (page: string) => /<a rel="next" href="([^"]+)"/.exec(page)?.[1] ?? null;

function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(`check failed: ${message}`);
}

interface KumbayaRun {
  child: Child;
  base: string;
  firstResponseMs: number;
  memory: ReturnType<typeof sampleMemory>;
}

async function startKumbaya(
  node: string,
  dataDir: string,
  port: number,
  pageCache: boolean,
  conversationCache = true,
  options: { env?: Record<string, string>; nodeFlags?: string[] } = {},
): Promise<KumbayaRun> {
  const start = startCommand();
  const env = {
    ...process.env,
    ...start.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    SITE_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'warn',
    KUMBAYA_DEMO: 'false',
    PAGE_CACHE: String(pageCache),
    CONVERSATION_CACHE: String(conversationCache),
    ...options.env,
  };
  const since = performance.now();
  const child = startChild(node, [...(options.nodeFlags ?? []), ...start.args], { cwd: ROOT, env });
  const memory = sampleMemory(child.pid);
  const base = `http://127.0.0.1:${port}`;
  const firstResponseMs = await waitFor200(child, `${base}/healthz`, since);
  const more = Object.entries(options.env ?? {}).map(([k, v]) => `, ${k}=${v}`).join('');
  log(`  Kumbaya (PAGE_CACHE=${pageCache}, CONVERSATION_CACHE=${conversationCache}${more}) pid ${child.pid}: first 200 from /healthz after ${firstResponseMs.toFixed(0)} ms`);
  return { child, base, firstResponseMs, memory };
}

async function stopKumbaya(run: KumbayaRun): Promise<number> {
  const peak = run.memory.stop();
  await stopChild(run.child);
  log(`  Kumbaya pid ${run.child.pid} stopped; peak RSS ${peak.toFixed(1)} MB`);
  return peak;
}

function nginxConf(dir: string, port: number): string {
  return `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events {}
http {
  access_log off;
  types { text/html html; }
  default_type text/html;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${dir}/www;
  }
}
`;
}

interface Posting {
  workload: Workload;
  peak: number;
  firstResponseMs: number;
  /** Lines under the table, and the run's targets. */
  notes: string[];
  verdicts: Array<{ target: string; pass: boolean; actual: string }>;
}

/**
 * Workload e: comments posted while readers load the post page (production caches,
 * TRUST_PROXY so each request is a new reader), on SQLite under `dataDir` or on the
 * PostgreSQL database `databaseUrl` names; then, with Kumbaya stopped, every 201 must be a
 * stored comment on the post, and nothing more.
 */
async function postingWorkload(
  node: string,
  gen: LoadGenerator,
  o: { name: 'e' | 'e/pg'; run: string; dataDir: string; databaseUrl?: string; port: number; fresh: SeedSummary['freshPost']; cpuProfile: boolean },
): Promise<Posting> {
  const { name, dataDir, port, fresh } = o;
  const cpuProfDir = o.cpuProfile ? CPU_PROF_DIR : null;
  log(`\n[${o.run}] posting comments${o.databaseUrl ? ' on PostgreSQL' : ''}: PAGE_CACHE=true, TRUST_PROXY=true${cpuProfDir ? `, CPU profile into ${cpuProfDir}` : ''}`);
  if (cpuProfDir) fs.mkdirSync(cpuProfDir, { recursive: true });
  const poster = await startKumbaya(node, dataDir, port, true, true, {
    env: { TRUST_PROXY: 'true', ...(o.databaseUrl ? { DATABASE_URL: o.databaseUrl } : {}) },
    nodeFlags: cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [],
  });
  const freshUrl = `${poster.base}/${fresh.slug}`;
  let posted: { warmup: PostLoadResult; measured: PostLoadResult; readers: LoadResult; serverCpuMs: number | null };
  let peak: number;
  try {
    const page = await get(freshUrl);
    expect(page.status === 200 && page.body.includes('action="/comments"'), `(e) GET /${fresh.slug} answered ${page.status} without a comment form`);
    const token = await get(`${poster.base}/comments/token/${fresh.postId}`);
    expect(token.status === 200, `(e) GET /comments/token/${fresh.postId} answered ${token.status}`);
    const { formToken } = JSON.parse(token.body.toString('utf8')) as { formToken: string };
    log(`  form token for post ${fresh.postId} issued; waiting 3.1 s (the minimum time to submit), then reusing it for every comment`);
    await new Promise((r) => setTimeout(r, 3100));
    const common = { base: poster.base, postId: fresh.postId, formToken, connections: CONNECTIONS };
    log(`  ${name.padEnd(3)} ${CONNECTIONS} connections POST /comments (JSON), ${READERS} connections GET /${fresh.slug}: warm-up ${WARMUP}s, measure ${SECONDS}s …`);
    log('      each POST is a new reader: its own X-Forwarded-For address (TRUST_PROXY=true) and email, so no rate limit (6/min, 40/h per IP; 4/min per email) applies and the server is what is measured');
    const [warmup] = await Promise.all([postComments(node, { ...common, seconds: WARMUP, firstReader: 1 }), gen.run({ url: freshUrl, connections: READERS, seconds: WARMUP })]);
    const cpuBefore = cpuTimeMsOf(poster.child.pid);
    const [measured, readers] = await Promise.all([
      postComments(node, { ...common, seconds: SECONDS, firstReader: warmup.nextReader }),
      gen.run({ url: freshUrl, connections: READERS, seconds: SECONDS }),
    ]);
    const cpuAfter = cpuTimeMsOf(poster.child.pid);
    posted = { warmup, measured, readers, serverCpuMs: cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null };
    for (const run of [warmup, measured]) {
      const other = Object.entries(run.statuses).filter(([status]) => status !== '201');
      if (other.length > 0 || run.socketErrors > 0) {
        log(`      !! ${run === warmup ? 'warm-up' : 'measured run'}: ${other.map(([st, n]) => `${n} × ${st}`).join(', ')}${run.socketErrors ? `, ${run.socketErrors} socket errors` : ''}: ${run.samples.join(' | ')}`);
      }
    }
    const m = measured;
    log(
      `      ${m.acceptedPerSecond.toFixed(0)} comments/s, p50 ${m.p50Ms.toFixed(2)} ms, p99 ${m.p99Ms.toFixed(2)} ms (${m.statuses['201'] ?? 0} × 201 of ${m.requests} POSTs in ${m.elapsedSeconds.toFixed(2)} s); ` +
        `readers ${readers.rps.toFixed(0)} req/s, p99 ${readers.p99Ms.toFixed(2)} ms${readers.errors ? ` !! ${readers.errorText}` : ''}`,
    );
    if (posted.serverCpuMs !== null) {
      const busy = posted.serverCpuMs / (m.elapsedSeconds * 1000);
      log(
        `      Kumbaya used ${(busy * 100).toFixed(0)}% of a CPU meanwhile: ${((posted.serverCpuMs * 1000) / Math.max(1, m.requests)).toFixed(0)} µs of CPU per comment, readers' share included` +
          (busy > 0.9 ? ' (CPU-bound: its one thread is the limit)' : ''),
      );
    }
  } finally {
    peak = await stopKumbaya(poster);
  }
  // Nothing lost: with the server stopped, every 201 must be a stored comment on the post, and nothing more.
  const accepted = (posted.warmup.statuses['201'] ?? 0) + (posted.measured.statuses['201'] ?? 0);
  const answeredIds = [...posted.warmup.ids, ...posted.measured.ids];
  const verifyStore = await openStore(loadConfig({ DATA_DIR: dataDir, DATABASE_URL: o.databaseUrl ?? '', LOG_LEVEL: 'silent', KUMBAYA_DEMO: 'false' }));
  const byStatus: Record<CommentStatus, number> = { approved: 0, pending: 0, spam: 0, trash: 0 };
  let stored: number;
  let idsFound = 0;
  const reasons = new Map<string, number>();
  try {
    stored = (await verifyStore.comments.listForModeration({ postId: fresh.postId, limit: 1, offset: 0 })).total;
    for (const status of Object.keys(byStatus) as CommentStatus[]) {
      byStatus[status] = (await verifyStore.comments.listForModeration({ postId: fresh.postId, status, limit: 1, offset: 0 })).total;
    }
    for (let i = 0; i < answeredIds.length; i += 500) {
      const found = await verifyStore.comments.findMany(answeredIds.slice(i, i + 500));
      idsFound += found.filter((c) => c.postId === fresh.postId).length;
      for (const c of found) for (const r of c.moderationReasons) reasons.set(r, (reasons.get(r) ?? 0) + 1);
    }
  } finally {
    await verifyStore.close();
  }
  const nothingLost: boolean = stored === accepted && idsFound === answeredIds.length && answeredIds.length === accepted;
  const reasonText = [...reasons].map(([r, n]) => `${n} × “${r}”`).join(', ') || 'none';
  log(
    `  stored: ${stored} comments on /${fresh.slug} (${byStatus.approved} approved, ${byStatus.pending} held, ${byStatus.spam} spam, ${byStatus.trash} trash) ` +
      `for ${accepted} × 201 (warm-up ${posted.warmup.statuses['201'] ?? 0} + measured ${posted.measured.statuses['201'] ?? 0}); ` +
      `${idsFound} of the ${answeredIds.length} ids the answers gave found on the post: ${nothingLost ? 'nothing lost' : '!! MISMATCH'}`,
  );
  log(`  moderation reasons: ${reasonText} (the default policy holds a person's first comment, and each POST is a new person)`);
  const workload: Workload = {
    name,
    what: `POST comment (${CONNECTIONS} c) + ${READERS} readers${o.databaseUrl ? ', PG' : ''}`,
    result: {
      rps: posted.measured.acceptedPerSecond,
      p50Ms: posted.measured.p50Ms,
      p99Ms: posted.measured.p99Ms,
      requests: posted.measured.requests,
      errors: posted.measured.requests - (posted.measured.statuses['201'] ?? 0) + posted.measured.socketErrors,
      errorText: Object.entries(posted.measured.statuses)
        .filter(([st]) => st !== '201')
        .map(([st, n]) => `${n} × ${st}`)
        .join(', '),
    },
    extra: {
      posters: CONNECTIONS,
      readers: READERS,
      readers_rps: round(posted.readers.rps, 1),
      readers_p50_ms: round(posted.readers.p50Ms, 3),
      readers_p99_ms: round(posted.readers.p99Ms, 3),
      readers_errors: posted.readers.errors,
      ...(posted.serverCpuMs !== null
        ? { server_cpu_pct: round((posted.serverCpuMs / (posted.measured.elapsedSeconds * 1000)) * 100, 1), server_cpu_us_per_comment: round((posted.serverCpuMs * 1000) / Math.max(1, posted.measured.requests), 0) }
        : {}),
      measured_posts: posted.measured.requests,
      measured_accepted: posted.measured.statuses['201'] ?? 0,
      accepted,
      stored,
      nothing_lost: nothingLost,
      approved: byStatus.approved,
      held: byStatus.pending,
      spam: byStatus.spam,
      post_statuses: posted.measured.statuses,
      loadgen: 'node (bench/post-load.ts): one new reader per POST, distinct X-Forwarded-For and email, TRUST_PROXY=true',
    },
  };
  const m = posted.measured;
  const [comments, p99] = name === 'e' ? [TARGETS.eCommentsPerSecond, TARGETS.eP99Ms] : [TARGETS.ePgCommentsPerSecond, TARGETS.ePgP99Ms];
  return {
    workload,
    peak,
    firstResponseMs: poster.firstResponseMs,
    notes: [
      `      (${name}) req/s column = comments accepted (201) per second; readers beside it: ${posted.readers.rps.toFixed(0)} req/s, p99 ${posted.readers.p99Ms.toFixed(2)} ms`,
      `      (${name}) ${accepted} accepted, ${stored} stored (${byStatus.approved} approved, ${byStatus.pending} held, ${byStatus.spam} spam): ${nothingLost ? 'nothing lost' : 'MISMATCH'}`,
    ],
    verdicts: [
      {
        target: `(${name}) ≥ ${comments} comments/s, p99 < ${p99} ms`,
        pass: m.acceptedPerSecond >= comments && m.p99Ms < p99,
        actual: `${m.acceptedPerSecond.toFixed(0)} comments/s, p99 ${m.p99Ms.toFixed(1)} ms`,
      },
      { target: `(${name}) every 201 stored, nothing lost`, pass: nothingLost, actual: `${accepted} × 201, ${stored} stored` },
    ],
  };
}

/**
 * Walks the long thread from page 1 by its rel="next" links ("Later conversations →"):
 * every comment must appear exactly once, on at least 40 pages. Returns page 40's address.
 */
async function walkLongThread(base: string, seeded: SeedSummary, label: string): Promise<string> {
  const seen = new Set<number>();
  let pageUrl: string | null = `/${seeded.longThread.slug}`;
  const pages: string[] = [];
  while (pageUrl !== null) {
    const res = await get(base + pageUrl);
    expect(res.status === 200 && res.headers['x-cache'] !== 'hit', `${label} GET ${pageUrl} answered ${res.status} / X-Cache ${res.headers['x-cache']}`);
    const body = res.body.toString('utf8');
    const ids = commentIds(body);
    expect(ids.length > 0, `${label} ${pageUrl} shows no comments`);
    for (const id of ids) {
      expect(!seen.has(id), `${label} comment ${id} appears on two pages (again on page ${pages.length + 1})`);
      seen.add(id);
    }
    pages.push(pageUrl);
    const next = nextLink(body);
    pageUrl = next ? decodeHref(next) : null;
    expect(pages.length <= 100, `${label} more than 100 pages: the rel="next" links go round in circles`);
  }
  const perPage = Math.ceil(seeded.longThread.conversations / pages.length);
  expect(seen.size === seeded.longThread.comments, `${label} following rel="next" from page 1 showed ${seen.size} comments, expected ${seeded.longThread.comments}`);
  expect(pages.length >= 40, `${label} the long thread has ${pages.length} pages, fewer than 40`);
  log(`  long thread: ${pages.length} pages of ≤${perPage} conversations, ${seen.size} comments, each once; page 40 is ${pages[39]}`);
  return pages[39];
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

async function main(): Promise<void> {
  installCleanupHandlers();
  const node = projectNode();
  const { stdout: nodeVersion } = await runToEnd(node, ['--version']);
  const major = Number(/^v(\d+)/.exec(nodeVersion.trim())?.[1] ?? 0);
  if (major < 24) throw new Error(`Kumbaya needs Node 24+ but ${node} is ${nodeVersion.trim()}; run npm install.`);
  const gen = pickLoadGenerator();
  const loadAtStart = os.loadavg();

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kumbaya-bench-'));
  if (process.env.BENCH_KEEP !== '1') trackTempDir(tmp);
  // nginx's worker may run as another user (when started as root): let it read the page.
  fs.chmodSync(tmp, 0o755);
  const dataDir = path.join(tmp, 'data');
  const www = path.join(tmp, 'www');
  fs.mkdirSync(www, { mode: 0o755 });

  log(`Kumbaya bench — node ${nodeVersion.trim()}, load: ${gen.name}, ${CONNECTIONS} connections, ${WARMUP}s warm-up + ${SECONDS}s per workload`);
  log(`temp dir ${tmp}`);
  if (loadAtStart[0] > os.cpus().length * 0.5) {
    log(`note: the machine is busy (load average ${loadAtStart[0].toFixed(2)} on ${os.cpus().length} CPUs); expect noisy numbers`);
  }

  // 0. The compile cache warm, as `npm ci` leaves it.
  log(await warmCompileCache(node));

  // 1. Seed.
  const seeded = await seedBenchData({ dataDir });
  const depthText = Object.entries(seeded.depths).map(([d, n]) => `d${d}:${n}`).join(' ');
  log(
    `seeded ${seeded.posts} posts and ${seeded.comments} comments on /${seeded.bigPostSlug} in ${seeded.ms} ms ` +
      `(${depthText}; ${seeded.byPostAuthor} by the post author; ${seeded.minWords}–${seeded.maxWords} words); ` +
      `${seeded.longThread.comments} top-level comments on /${seeded.longThread.slug}; /${seeded.freshPost.slug} has none`,
  );

  const port = await freePort();
  const postPath = `/${seeded.bigPostSlug}`;
  const workloads: Workload[] = [];
  const peaks: number[] = [];
  /** Peak RSS by phase (VmHWM never goes down, so run 0's figure after f includes a0's). */
  const peakByPhase: Record<string, number> = {};
  const firstResponses: number[] = [];
  /** The post page as run 1 rendered it: what R1 and R2 serve. */
  let pageBytes: Buffer | null = null;
  let r2Skipped: string | null = null;
  /** Lines under the table and targets, added by the runs that measured them. */
  const notes: string[] = [];
  const verdicts: Array<{ target: string; pass: boolean; actual: string }> = [];

  if (wants('a0', 'f1', 'f40')) {
    // 2a0. Every cache off: the whole page, comments included, rendered from the database per request.
    log('\n[run 0] PAGE_CACHE=false CONVERSATION_CACHE=false');
    const bare = await startKumbaya(node, dataDir, port, false, false);
    firstResponses.push(bare.firstResponseMs);
    try {
      const res = await get(bare.base + postPath);
      expect(res.status === 200 && res.headers['x-cache'] !== 'hit', `(a0) GET ${postPath} answered ${res.status} / X-Cache ${res.headers['x-cache']}`);
      if (wants('a0')) workloads.push(await measure(gen, 'a0', 'post page, every cache off', bare.base + postPath, {}, CONNECTIONS, bare.child.pid));
      peakByPhase.a0 = round(bare.memory.peak(), 1);
      log(`  peak RSS so far (a0): ${peakByPhase.a0} MB`);

      // (f) Keyset paging: page 1 and page 40 of a 2,000-conversation thread, straight from the database.
      const longPath = `/${seeded.longThread.slug}`;
      const page40 = await walkLongThread(bare.base, seeded, '(f)');
      if (wants('f1')) workloads.push(await measure(gen, 'f1', 'thread page 1, caches off', bare.base + longPath, {}, CONNECTIONS, bare.child.pid));
      if (wants('f40')) workloads.push(await measure(gen, 'f40', 'thread page 40, caches off', bare.base + page40, {}, CONNECTIONS, bare.child.pid));
    } finally {
      peaks.push(await stopKumbaya(bare));
      peakByPhase['a0+f'] = round(peaks[peaks.length - 1], 1);
    }
  }

  if (wants('a', 'r1', 'r2')) {
    // 2a. Page cache off (the conversation cache stays on, as in production).
    log('\n[run 1] PAGE_CACHE=false');
    const off = await startKumbaya(node, dataDir, port, false);
    firstResponses.push(off.firstResponseMs);
    try {
      const first = await get(off.base + postPath);
      expect(first.status === 200, `(a) GET ${postPath} answered ${first.status}, not 200`);
      expect(first.headers['x-cache'] !== 'hit', `(a) GET ${postPath} came from the page cache (X-Cache: hit)`);
      const again = await get(off.base + postPath);
      expect(again.status === 200 && again.headers['x-cache'] !== 'hit', `(a) second GET ${postPath} came from the page cache`);
      // The comment form carries a fresh signed form token (it records when the form was served): ignore it.
      expect(withoutFormToken(again.body) === withoutFormToken(first.body), '(a) two uncached renders of the post page differ (beyond the form token)');
      pageBytes = first.body;
      const commentsOnPage = (pageBytes.toString('utf8').match(/class="comment h-entry/g) ?? []).length;
      // The thread pages by conversation: page 1 holds the first 50 conversations with all their replies.
      expect(commentsOnPage === seeded.firstPageComments, `(a) the post page shows ${commentsOnPage} comments, expected ${seeded.firstPageComments}`);
      log(
        `  post page: ${pageBytes.length} bytes, ${commentsOnPage} of the ${seeded.comments} comments (the first page of ${seeded.conversations} conversations), X-Cache: ${first.headers['x-cache'] ?? '(none)'}`,
      );
      fs.writeFileSync(path.join(www, 'post.html'), pageBytes, { mode: 0o644 });
      if (wants('a')) workloads.push(await measure(gen, 'a', 'post page, page cache off', off.base + postPath, {}, CONNECTIONS, off.child.pid));
    } finally {
      peaks.push(await stopKumbaya(off));
      peakByPhase.a = round(peaks[peaks.length - 1], 1);
    }
  }

  /** The cached post page as Kumbaya sends it gzip-compressed: what R1z serves. */
  let gzipBytes: Buffer | null = null;
  if (wants('b', 'bz', 'c', 'd', 'r1z')) {
    // 2b. Page cache on.
    log('\n[run 2] PAGE_CACHE=true');
    const on = await startKumbaya(node, dataDir, port, true);
    firstResponses.push(on.firstResponseMs);
    try {
      const miss = await get(on.base + postPath);
      expect(miss.status === 200, `(b) GET ${postPath} answered ${miss.status}`);
      const hit = await get(on.base + postPath);
      expect(hit.status === 200, `(b) second GET ${postPath} answered ${hit.status}`);
      expect(hit.headers['x-cache'] === 'hit', `(b) second GET ${postPath} was not served from the page cache (X-Cache: ${hit.headers['x-cache']})`);
      if (pageBytes && withoutFormToken(hit.body) !== withoutFormToken(pageBytes)) log('  note: the cached post page differs from the uncached one; R1/R2 serve the uncached bytes');
      const etag = hit.headers.etag;
      expect(typeof etag === 'string' && etag.length > 0, '(d) the cached post page has no ETag');

      const home = await get(on.base + '/');
      expect(home.status === 200, `(c) GET / answered ${home.status}`);
      const homeHit = await get(on.base + '/');
      expect(homeHit.status === 200, `(c) second GET / answered ${homeHit.status}`);
      expect(homeHit.headers['x-cache'] === 'hit', `(c) second GET / was not served from the page cache (X-Cache: ${homeHit.headers['x-cache']})`);
      const listed = (homeHit.body.toString('utf8').match(/class="post-summary h-entry"/g) ?? []).length;
      log(`  home page: ${homeHit.body.length} bytes, ${listed} posts listed; post page ETag ${etag}`);

      // (bz) A browser's Accept-Encoding: the post page has a form token, so the cache answers gzip joined around it.
      const compressed = await get(on.base + postPath, { 'Accept-Encoding': BROWSER_ACCEPT_ENCODING });
      expect(compressed.status === 200 && compressed.headers['x-cache'] === 'hit' && compressed.headers['content-encoding'] === 'gzip', `(bz) the cached post page was not sent gzip-compressed from the cache (${compressed.status}, X-Cache ${compressed.headers['x-cache']}, Content-Encoding ${compressed.headers['content-encoding']})`);
      expect(withoutFormToken(zlib.gunzipSync(compressed.body)) === withoutFormToken(hit.body), '(bz) the gzip-compressed post page does not decode to the page');
      gzipBytes = compressed.body;
      fs.writeFileSync(path.join(www, 'post.html.gz'), gzipBytes, { mode: 0o644 });
      log(`  post page gzip-compressed from the cache: ${gzipBytes.length} bytes (${((gzipBytes.length / hit.body.length) * 100).toFixed(1)}% of ${hit.body.length})`);

      const notModified = await get(on.base + postPath, { 'If-None-Match': etag! });
      expect(notModified.status === 304, `(d) conditional GET answered ${notModified.status}, not 304`);

      if (wants('b')) workloads.push(await measure(gen, 'b', 'post page, page cache on', on.base + postPath));
      if (wants('bz')) workloads.push(await measure(gen, 'bz', 'post page, cached, gzip', on.base + postPath, { 'Accept-Encoding': BROWSER_ACCEPT_ENCODING }));
      if (wants('c')) workloads.push(await measure(gen, 'c', 'home page, page cache on', on.base + '/'));
      if (wants('d')) workloads.push(await measure(gen, 'd', 'post page If-None-Match → 304', on.base + postPath, { 'If-None-Match': etag! }));
    } finally {
      peaks.push(await stopKumbaya(on));
      peakByPhase['b+c+d'] = round(peaks[peaks.length - 1], 1);
    }
  }

  if (wants('e')) {
    // 2e. Comments posted while readers load the post page.
    const posting = await postingWorkload(node, gen, { name: 'e', run: 'run 3', dataDir, port, fresh: seeded.freshPost, cpuProfile: true });
    workloads.push(posting.workload);
    peaks.push(posting.peak);
    peakByPhase.e = round(posting.peak, 1);
    firstResponses.push(posting.firstResponseMs);
    notes.push(...posting.notes);
    verdicts.push(...posting.verdicts);
  }

  if (wants('j')) {
    // 2j. Signed fediverse Likes into the shared inbox: verified and stored per second (bench/inbox-workload.ts).
    log('\n[run 4] fediverse inbox: PAGE_CACHE=true, FEDIVERSE_ALLOW_PRIVATE=true (the sending server is local)');
    let inboxRun: KumbayaRun | null = null;
    const inbox = await inboxWorkload({
      node,
      dataDir,
      connections: CONNECTIONS,
      log,
      start: async (env) => {
        inboxRun = await startKumbaya(node, dataDir, port, true, true, { env });
        firstResponses.push(inboxRun.firstResponseMs);
        return { base: inboxRun.base, pid: inboxRun.child.pid };
      },
      stop: async () => {
        peaks.push(await stopKumbaya(inboxRun!));
        peakByPhase.j = round(peaks[peaks.length - 1], 1);
        return peaks[peaks.length - 1];
      },
    });
    workloads.push({
      name: 'j',
      what: `signed Likes → inbox (${CONNECTIONS} c)`,
      result: {
        rps: inbox.load.storedPerSecond,
        p50Ms: inbox.load.p50Ms,
        p99Ms: inbox.load.p99Ms,
        requests: inbox.load.requests,
        errors: inbox.load.requests - (inbox.load.statuses['202'] ?? 0) + inbox.load.socketErrors,
        errorText: Object.entries(inbox.load.statuses).filter(([st]) => st !== '202').map(([st, n]) => `${n} × ${st}`).join(', '),
      },
      extra: {
        accepted_per_second: round(inbox.load.acceptedPerSecond, 1),
        stored_seconds: round(inbox.load.storedSeconds, 2),
        accepted: inbox.load.acceptedIds.length,
        stored: inbox.stored,
        nothing_lost: inbox.nothingLost,
        actors: inbox.settings.actors,
        ...(inbox.serverCpuMs !== null ? { server_cpu_us_per_like: round((inbox.serverCpuMs * 1000) / Math.max(1, inbox.load.statuses['202'] ?? 0), 0) } : {}),
        loadgen: 'node (bench/inbox-load.ts): Likes signed draft-cavage in advance, each a new account and post pair; FEDIVERSE_INBOX_LIMIT lifted',
      },
    });
    notes.push(
      `      (j) req/s column = signed Likes verified and stored per second (first request to last stored); the inbox answered ${inbox.load.acceptedPerSecond.toFixed(0)}/s; ${inbox.load.acceptedIds.length} accepted, ${inbox.stored} stored: ${inbox.nothingLost ? 'nothing lost' : 'MISMATCH'}`,
    );
    verdicts.push(
      { target: `(j) ≥ ${INBOX_TARGET_PER_SECOND} signed Likes verified and stored/s`, pass: inbox.load.storedPerSecond >= INBOX_TARGET_PER_SECOND, actual: `${inbox.load.storedPerSecond.toFixed(0)}/s` },
      { target: '(j) every 202 stored, nothing lost', pass: inbox.nothingLost, actual: `${inbox.load.acceptedIds.length} × 202, ${inbox.stored} stored` },
    );
  }

  if (wants('g1', 'g2', 'h')) {
    // 2g/h. People: a person page and the People search, signed in as the owner, on a database of their own.
    const peopleDir = path.join(tmp, 'people-data');
    const ps = await seedPeopleBench({ dataDir: peopleDir });
    const kinds = Object.entries(ps.regular.byKind).map(([k, n]) => `${k} ${n}`).join(', ');
    log(`\nseeded People in ${ps.ms} ms: ${ps.people} people, ${ps.identities} identities; ${ps.regular.name} has ${ps.regular.interactions} interactions over ${ps.regular.posts} posts (${kinds})`);
    const profile = CPU_PROF_DIR !== null && !wants('e');
    log(`[run 5] People: PAGE_CACHE=true (admin pages are never cached), the owner's session cookie on every request${profile ? `, CPU profile into ${CPU_PROF_DIR}` : ''}`);
    if (profile) fs.mkdirSync(CPU_PROF_DIR!, { recursive: true });
    const people = await startKumbaya(node, peopleDir, port, true, true, { nodeFlags: profile ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : [] });
    firstResponses.push(people.firstResponseMs);
    try {
      const headers = { Cookie: ps.cookie };
      const personPath = `/admin/people/${ps.regular.personId}`;
      // Walk the whole timeline by its rel="next" links ("Older"): every interaction once, then pick a page deep in.
      const pages: string[] = [];
      let entries = 0;
      let pageUrl: string | null = personPath;
      while (pageUrl !== null) {
        const res = await get(people.base + pageUrl, headers, 30_000);
        const body = res.body.toString('utf8');
        expect(res.status === 200 && body.includes(ps.regular.name), `(g) GET ${pageUrl} answered ${res.status}${res.headers.location ? ` → ${res.headers.location}` : ''} without ${ps.regular.name}`);
        const items = (body.match(/<li class="tl-item/g) ?? []).length;
        expect(items > 0, `(g) ${pageUrl} shows no timeline entries`);
        entries += items;
        pages.push(pageUrl);
        const next = nextLink(body);
        pageUrl = next ? decodeHref(next) : null;
        expect(pages.length <= 1000, '(g) more than 1,000 timeline pages: the rel="next" links go round in circles');
      }
      expect(entries === ps.regular.interactions, `(g) following rel="next" from the first page showed ${entries} timeline entries, expected ${ps.regular.interactions}`);
      const lateIndex = Math.floor(pages.length * 0.9);
      const late = pages[lateIndex];
      log(`  ${ps.regular.name}'s timeline: ${pages.length} pages, ${entries} entries (each interaction once); the late page is page ${lateIndex + 1}: ${late}`);
      if (wants('g1')) workloads.push(await measure(gen, 'g1', 'person page, timeline page 1', people.base + personPath, headers, PEOPLE_CONNECTIONS, people.child.pid));
      if (wants('g2')) workloads.push(await measure(gen, 'g2', `person page, timeline page ${lateIndex + 1}`, people.base + late, headers, PEOPLE_CONNECTIONS, people.child.pid));

      const searchPath = `/admin/people?q=${encodeURIComponent(ps.search.q)}`;
      const found = await get(people.base + searchPath, headers, 30_000);
      const rowsFound = (found.body.toString('utf8').match(/<td class="cell-title"><a href="\/admin\/people\/\d+">/g) ?? []).length;
      expect(found.status === 200 && rowsFound === ps.search.matches, `(h) GET ${searchPath} answered ${found.status} with ${rowsFound} people, expected ${ps.search.matches}`);
      log(`  search "${ps.search.q}": ${rowsFound} of ${ps.people} people`);
      if (wants('h')) workloads.push(await measure(gen, 'h', `People search, ${rowsFound} of ${Math.round(ps.people / 1000)}k`, people.base + searchPath, headers, PEOPLE_CONNECTIONS, people.child.pid));
    } finally {
      peaks.push(await stopKumbaya(people));
      peakByPhase['g+h'] = round(peaks[peaks.length - 1], 1);
    }
  }

  if (wants('a0/pg', 'f1/pg', 'f40/pg', 'e/pg')) {
    // 2pg. PostgreSQL, in a fresh schema: the workloads where the engine does the work.
    const pg = await benchSchema();
    if (!pg.url) {
      log(`\n[PostgreSQL] ${pg.skipped}`);
      notes.push(`note: ${pg.skipped}`);
    } else {
      try {
        const seededPg = await seedBenchData({ dataDir, databaseUrl: pg.url });
        expect(seededPg.comments === seeded.comments && seededPg.longThread.comments === seeded.longThread.comments, '(pg) the PostgreSQL seed differs from the SQLite one');
        log(`\nseeded PostgreSQL (${pg.where}, schema ${pg.schema}) in ${seededPg.ms} ms: the same posts and comments`);
        if (wants('a0/pg', 'f1/pg', 'f40/pg')) {
          log('\n[run 6] PostgreSQL, PAGE_CACHE=false CONVERSATION_CACHE=false');
          const bare = await startKumbaya(node, dataDir, port, false, false, { env: { DATABASE_URL: pg.url } });
          firstResponses.push(bare.firstResponseMs);
          try {
            const res = await get(bare.base + postPath);
            expect(res.status === 200 && (!pageBytes || withoutFormToken(res.body) === withoutFormToken(pageBytes)), `(a0/pg) GET ${postPath} on PostgreSQL answered ${res.status}, or a page other than SQLite's`);
            if (wants('a0/pg')) workloads.push(await measure(gen, 'a0/pg', 'post page, every cache off, PG', bare.base + postPath, {}, CONNECTIONS, bare.child.pid));
            const page40 = await walkLongThread(bare.base, seededPg, '(f/pg)');
            if (wants('f1/pg')) workloads.push(await measure(gen, 'f1/pg', 'thread page 1, caches off, PG', bare.base + `/${seeded.longThread.slug}`));
            if (wants('f40/pg')) workloads.push(await measure(gen, 'f40/pg', 'thread page 40, caches off, PG', bare.base + page40));
          } finally {
            peaks.push(await stopKumbaya(bare));
            peakByPhase['a0+f/pg'] = round(peaks[peaks.length - 1], 1);
          }
        }
        if (wants('e/pg')) {
          const posting = await postingWorkload(node, gen, { name: 'e/pg', run: 'run 7', dataDir, databaseUrl: pg.url, port, fresh: seededPg.freshPost, cpuProfile: false });
          workloads.push(posting.workload);
          peaks.push(posting.peak);
          peakByPhase['e/pg'] = round(posting.peak, 1);
          firstResponses.push(posting.firstResponseMs);
          notes.push(...posting.notes);
          verdicts.push(...posting.verdicts);
        }
      } finally {
        await pg.drop();
      }
    }
  }

  if (wants('r1')) {
    // 3. R1: bare node:http serving the same bytes.
    log('\n[reference R1] node:http, same bytes');
    const r1Port = await freePort();
    const r1Since = performance.now();
    const r1 = startChild(node, [path.join(ROOT, 'bench', 'r1-server.ts'), path.join(www, 'post.html'), String(r1Port)], { cwd: ROOT });
    const r1Memory = sampleMemory(r1.pid);
    try {
      const r1Base = `http://127.0.0.1:${r1Port}`;
      await waitFor200(r1, r1Base + postPath, r1Since);
      const check = await get(r1Base + postPath);
      expect(check.status === 200 && check.body.equals(pageBytes!), '(r1) R1 does not answer the post page bytes');
      workloads.push(await measure(gen, 'r1', 'node:http, same bytes', r1Base + postPath));
    } finally {
      r1Memory.stop();
      await stopChild(r1);
    }
  }

  if (wants('r1z')) {
    // 3z. R1z: the same bare server sending the cached page's gzip bytes (Content-Encoding: gzip).
    log('\n[reference R1z] node:http, same gzip bytes');
    const r1Port = await freePort();
    const r1Since = performance.now();
    const r1 = startChild(node, [path.join(ROOT, 'bench', 'r1-server.ts'), path.join(www, 'post.html.gz'), String(r1Port), 'gzip'], { cwd: ROOT });
    try {
      const r1Base = `http://127.0.0.1:${r1Port}`;
      await waitFor200(r1, r1Base + postPath, r1Since);
      const check = await get(r1Base + postPath, { 'Accept-Encoding': BROWSER_ACCEPT_ENCODING });
      expect(check.status === 200 && check.headers['content-encoding'] === 'gzip' && check.body.equals(gzipBytes!), '(r1z) R1z does not answer the gzip bytes');
      workloads.push(await measure(gen, 'r1z', 'node:http, same gzip bytes', r1Base + postPath, { 'Accept-Encoding': BROWSER_ACCEPT_ENCODING }));
    } finally {
      await stopChild(r1);
    }
  }

  if (wants('r2')) {
    // 4. R2: nginx serving the same bytes as a static file.
    const nginx = which('nginx');
    if (!nginx) {
      r2Skipped = 'nginx is not installed (apt-get install nginx-light); R2 skipped';
      log(`\n[reference R2] ${r2Skipped}`);
    } else {
      log(`\n[reference R2] ${nginx}, same bytes as a static file`);
      const r2Port = await freePort();
      const conf = path.join(tmp, 'nginx.conf');
      fs.writeFileSync(conf, nginxConf(tmp, r2Port));
      const r2Since = performance.now();
      // Its own process group, so that on Ctrl-C or an error the worker goes with the master.
      const r2 = startChild(nginx, ['-e', path.join(tmp, 'error.log'), '-p', tmp, '-c', conf], { detached: true });
      try {
        const r2Base = `http://127.0.0.1:${r2Port}`;
        await waitFor200(r2, r2Base + '/post.html', r2Since);
        const check = await get(r2Base + '/post.html');
        expect(check.status === 200 && check.body.equals(pageBytes!), '(r2) nginx does not answer the post page bytes');
        workloads.push(await measure(gen, 'r2', 'nginx, same bytes', r2Base + '/post.html'));
      } catch (error) {
        const errorLog = fs.existsSync(path.join(tmp, 'error.log')) ? fs.readFileSync(path.join(tmp, 'error.log'), 'utf8') : '';
        throw new Error(`${error instanceof Error ? error.message : error}\n${r2.output()}\n${errorLog}`);
      } finally {
        await stopChild(r2);
      }
    }
  }

  // 5. Report.
  const r1Rps = workloads.find((w) => w.name === 'r1')?.result.rps ?? null;
  const peakRssMb = Math.max(...peaks);
  const firstResponseMs = Math.max(...firstResponses);
  workloads.sort((x, y) => ORDER.indexOf(x.name) - ORDER.indexOf(y.name));
  const byName = (name: WorkloadName) => workloads.find((w) => w.name === name);
  /** A later page's req/s as a share of the first page's, kept in the later page's row. */
  const pageRatio = (first: WorkloadName, later: WorkloadName, key: string): number | null => {
    const [one, other] = [byName(first), byName(later)];
    if (!one || !other) return null;
    const ratio = round(other.result.rps / one.result.rps, 3);
    other.extra = { ...other.extra, [key]: ratio };
    return ratio;
  };
  const f40Ratio = pageRatio('f1', 'f40', 'ratio_to_f1');
  const f40PgRatio = pageRatio('f1/pg', 'f40/pg', 'ratio_to_f1');
  const g2Ratio = pageRatio('g1', 'g2', 'ratio_to_g1');
  const bzRatio = pageRatio('r1z', 'bz', 'ratio_to_r1z');
  const rows = workloads.map((w) => ({
    name: w.name,
    rps: round(w.result.rps, 1),
    p50_ms: round(w.result.p50Ms, 3),
    p99_ms: round(w.result.p99Ms, 3),
    ratio_to_r1: r1Rps === null ? null : round(w.result.rps / r1Rps, 3),
    ...w.extra,
  }));

  log('\nResults');
  log(`${'name'.padEnd(5)} ${'what'.padEnd(34)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'÷ r1'.padStart(6)}`);
  for (const [i, row] of rows.entries()) {
    const w = workloads[i];
    log(
      `${row.name.padEnd(5)} ${w.what.padEnd(34)} ${row.rps.toFixed(0).padStart(9)} ${row.p50_ms.toFixed(2).padStart(8)} ${row.p99_ms.toFixed(2).padStart(8)} ${(row.ratio_to_r1 === null ? '–' : row.ratio_to_r1.toFixed(2)).padStart(6)}` +
        (w.result.errors ? `  (${w.result.errorText})` : ''),
    );
  }
  for (const line of notes) log(line);
  if (f40Ratio !== null) log(`      (f) page 40 ÷ page 1 (req/s): ${f40Ratio.toFixed(3)}`);
  if (f40PgRatio !== null) log(`      (f/pg) page 40 ÷ page 1 on PostgreSQL (req/s): ${f40PgRatio.toFixed(3)}`);
  if (bzRatio !== null) log(`      (bz) cached gzip post page ÷ R1z sending the same bytes (req/s): ${bzRatio.toFixed(3)}`);
  if (g2Ratio !== null) log(`      (g) late timeline page ÷ first page (req/s): ${g2Ratio.toFixed(3)}`);
  log(`peak RSS (Kumbaya, max of all ${peaks.length} runs): ${peakRssMb.toFixed(1)} MB  [${Object.entries(peakByPhase).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}]`);
  log(`first response (spawn → 200 /healthz, max of all runs): ${firstResponseMs.toFixed(0)} ms  [${firstResponses.map((m) => m.toFixed(0)).join(', ')}]`);
  if (r2Skipped) log(`note: ${r2Skipped}`);
  if (ONLY.size < ORDER.length) log(`note: BENCH_ONLY=${[...ONLY].join(',')}: the other workloads were not run`);

  const ratio = (name: WorkloadName) => rows.find((r) => r.name === name)?.ratio_to_r1 ?? null;
  for (const [name, target, share] of [
    ['a', '(a) post page, page cache off ≥ 0.20 × R1', TARGETS.a],
    ['b', '(b) cached post page ≥ 0.80 × R1', TARGETS.b],
    ['d', '(d) 304 revalidation ≥ 0.90 × R1', TARGETS.d],
  ] as const) {
    const r = ratio(name);
    if (r !== null) verdicts.push({ target, pass: r >= share, actual: `${r.toFixed(3)} × R1` });
  }
  const a0 = rows.find((r) => r.name === 'a0');
  if (a0 && a0.ratio_to_r1 !== null) verdicts.push({ target: '(a0) every cache off ≥ 0.05 × R1, p99 < 100 ms', pass: a0.ratio_to_r1 >= TARGETS.a0 && a0.p99_ms < TARGETS.a0P99Ms, actual: `${a0.ratio_to_r1.toFixed(3)} × R1, p99 ${a0.p99_ms.toFixed(1)} ms` });
  if (bzRatio !== null) verdicts.push({ target: '(bz) cached gzip post page ≥ 0.80 × R1z', pass: bzRatio >= TARGETS.bz, actual: `${bzRatio.toFixed(3)} × R1z` });
  verdicts.push(
    { target: 'peak RSS < 200 MB', pass: peakRssMb < TARGETS.peakRssMb, actual: `${peakRssMb.toFixed(1)} MB` },
    { target: 'first response < 1000 ms', pass: firstResponseMs < TARGETS.firstResponseMs, actual: `${firstResponseMs.toFixed(0)} ms` },
  );
  if (f40Ratio !== null) verdicts.push({ target: '(f) page 40 ≥ 0.80 × page 1 (req/s)', pass: f40Ratio >= TARGETS.f40, actual: `${f40Ratio.toFixed(3)} × page 1` });
  for (const [name, what] of [
    ['g1', '(g) person page, first page'],
    ['g2', '(g) person page, late page'],
    ['h', '(h) People search'],
  ] as const) {
    const w = byName(name);
    // wrk leaves out answers slower than 2 s (timeouts): a run with errors, or without answers, misses.
    if (w) {
      const pass = w.result.requests > 0 && w.result.errors === 0 && w.result.p99Ms < TARGETS.peopleP99Ms;
      verdicts.push({ target: `${what}: p99 < 50 ms`, pass, actual: `p99 ${w.result.p99Ms.toFixed(1)} ms at ${PEOPLE_CONNECTIONS} connections (${w.result.requests} answers${w.result.errors ? `, ${w.result.errorText}` : ''})` });
    }
  }
  if (g2Ratio !== null) verdicts.push({ target: '(g) late page ≥ 0.80 × first page (req/s)', pass: g2Ratio >= TARGETS.g2, actual: `${g2Ratio.toFixed(3)} × first page` });
  log('\nTargets');
  for (const v of verdicts) log(`  ${v.pass ? 'PASS' : 'MISS'}  ${v.target.padEnd(44)} ${v.actual}`);

  const report = {
    workloads: rows,
    peak_rss_mb: round(peakRssMb, 1),
    first_response_ms: round(firstResponseMs, 1),
    date: new Date().toISOString(),
    node: nodeVersion.trim(),
    loadgen: gen.name,
    seconds: SECONDS,
    warmup_seconds: WARMUP,
    connections: CONNECTIONS,
    readers_e: READERS,
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', loadavg_start: loadAtStart.map((l) => round(l, 2)), loadavg_end: os.loadavg().map((l) => round(l, 2)), platform: `${os.platform()} ${os.release()}` },
    people_connections: PEOPLE_CONNECTIONS,
    ...(ONLY.size < ORDER.length ? { only: [...ONLY] } : {}),
    page_bytes: pageBytes?.length ?? null,
    peak_rss_by_phase_mb: peakByPhase,
    first_response_runs_ms: firstResponses.map((m) => round(m, 1)),
    targets: verdicts.map((v) => ({ target: v.target, pass: v.pass, actual: v.actual })),
    ...(r2Skipped ? { notes: [r2Skipped] } : {}),
  };
  const out = path.join(ROOT, 'bench', 'results', 'latest.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  log(`\nwrote ${path.relative(ROOT, out)}`);
}

main().then(
  () => {
    cleanupNow();
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`\nbench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    cleanupNow();
    process.exit(1);
  },
);
