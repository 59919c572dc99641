/**
 * `npm run bench`: seeds a fresh database, starts Kumbaya as a child process (page cache
 * off, then on), measures it under load with wrk next to two references serving the same
 * post page bytes (R1: bare node:http; R2: nginx), prints a table and writes
 * bench/results/latest.json.
 *
 * Environment: BENCH_SECONDS (default 10) per workload, BENCH_WARMUP (default 3),
 * BENCH_CONNECTIONS (default 32), BENCH_LOADGEN=wrk|node, BENCH_KEEP=1 keeps the temp dir.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pickLoadGenerator, type LoadGenerator, type LoadResult } from './load.ts';
import {
  cleanupNow,
  freePort,
  get,
  installCleanupHandlers,
  runToEnd,
  sampleMemory,
  startChild,
  stopChild,
  trackTempDir,
  waitFor200,
  which,
  type Child,
} from './procs.ts';
import { seedBenchData } from './seed.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/** The Node flags and entry point of `npm start`, so the bench runs Kumbaya exactly as users do. */
function startArgs(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [command, ...args] = pkg.scripts.start.split(/\s+/);
  if (command !== 'node') throw new Error(`npm start should run node, not ${command}`);
  return args;
}
const SECONDS = positive('BENCH_SECONDS', 10);
const WARMUP = positive('BENCH_WARMUP', 3);
const CONNECTIONS = positive('BENCH_CONNECTIONS', 32);

const TARGETS = {
  a: 0.2,
  b: 0.8,
  d: 0.9,
  peakRssMb: 200,
  firstResponseMs: 1000,
};

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number of at least 1 (got "${raw}")`);
  return n;
}

/** The Node 24 the project runs on: node_modules/.bin/node, else the one running this. */
function projectNode(): string {
  const local = path.join(ROOT, 'node_modules', '.bin', 'node');
  return fs.existsSync(local) ? fs.realpathSync(local) : process.execPath;
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

interface Workload {
  name: 'a0' | 'a' | 'b' | 'c' | 'd' | 'r1' | 'r2';
  what: string;
  result: LoadResult;
}

/** Warm-up (discarded), then the measured run. */
async function measure(gen: LoadGenerator, name: Workload['name'], what: string, url: string, headers: Record<string, string> = {}): Promise<Workload> {
  log(`  ${name.padEnd(3)} ${what}: warm-up ${WARMUP}s, measure ${SECONDS}s …`);
  await gen.run({ url, connections: CONNECTIONS, seconds: WARMUP, headers });
  const result = await gen.run({ url, connections: CONNECTIONS, seconds: SECONDS, headers });
  const warn = result.errors > 0 ? `  !! ${result.errorText}` : '';
  log(`      ${result.rps.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms (${result.requests} requests)${warn}`);
  return { name, what, result };
}

function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(`check failed: ${message}`);
}

interface KumbayaRun {
  child: Child;
  base: string;
  firstResponseMs: number;
  memory: ReturnType<typeof sampleMemory>;
}

async function startKumbaya(node: string, dataDir: string, port: number, pageCache: boolean, conversationCache = true): Promise<KumbayaRun> {
  const env = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    SITE_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'warn',
    KUMBAYA_DEMO: 'false',
    PAGE_CACHE: String(pageCache),
    CONVERSATION_CACHE: String(conversationCache),
  };
  const since = performance.now();
  const child = startChild(node, startArgs(), { cwd: ROOT, env });
  const memory = sampleMemory(child.pid);
  const base = `http://127.0.0.1:${port}`;
  const firstResponseMs = await waitFor200(child, `${base}/healthz`, since);
  log(`  Kumbaya (PAGE_CACHE=${pageCache}, CONVERSATION_CACHE=${conversationCache}) pid ${child.pid}: first 200 from /healthz after ${firstResponseMs.toFixed(0)} ms`);
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

  // 1. Seed.
  const seeded = await seedBenchData({ dataDir });
  const depthText = Object.entries(seeded.depths).map(([d, n]) => `d${d}:${n}`).join(' ');
  log(
    `seeded ${seeded.posts} posts and ${seeded.comments} comments on /${seeded.bigPostSlug} in ${seeded.ms} ms ` +
      `(${depthText}; ${seeded.byPostAuthor} by the post author; ${seeded.minWords}–${seeded.maxWords} words)`,
  );

  const port = await freePort();
  const postPath = `/${seeded.bigPostSlug}`;
  const workloads: Workload[] = [];
  const peaks: number[] = [];
  const firstResponses: number[] = [];

  // 2a0. Every cache off: the whole page, comments included, rendered from the database per request.
  log('\n[run 0] PAGE_CACHE=false CONVERSATION_CACHE=false');
  const bare = await startKumbaya(node, dataDir, port, false, false);
  firstResponses.push(bare.firstResponseMs);
  try {
    const res = await get(bare.base + postPath);
    expect(res.status === 200 && res.headers['x-cache'] !== 'hit', `(a0) GET ${postPath} answered ${res.status} / X-Cache ${res.headers['x-cache']}`);
    workloads.push(await measure(gen, 'a0', 'post page, every cache off', bare.base + postPath));
  } finally {
    peaks.push(await stopKumbaya(bare));
  }

  // 2a. Page cache off (the conversation cache stays on, as in production).
  log('\n[run 1] PAGE_CACHE=false');
  const off = await startKumbaya(node, dataDir, port, false);
  firstResponses.push(off.firstResponseMs);
  let pageBytes: Buffer;
  try {
    const first = await get(off.base + postPath);
    expect(first.status === 200, `(a) GET ${postPath} answered ${first.status}, not 200`);
    expect(first.headers['x-cache'] !== 'hit', `(a) GET ${postPath} came from the page cache (X-Cache: hit)`);
    const again = await get(off.base + postPath);
    expect(again.status === 200 && again.headers['x-cache'] !== 'hit', `(a) second GET ${postPath} came from the page cache`);
    expect(again.body.equals(first.body), '(a) two uncached renders of the post page differ');
    pageBytes = first.body;
    const commentsOnPage = (pageBytes.toString('utf8').match(/class="comment h-entry/g) ?? []).length;
    expect(commentsOnPage === seeded.comments, `(a) the post page shows ${commentsOnPage} comments, expected ${seeded.comments}`);
    log(`  post page: ${pageBytes.length} bytes, ${commentsOnPage} comments, X-Cache: ${first.headers['x-cache'] ?? '(none)'}`);
    fs.writeFileSync(path.join(www, 'post.html'), pageBytes, { mode: 0o644 });
    workloads.push(await measure(gen, 'a', 'post page, page cache off', off.base + postPath));
  } finally {
    peaks.push(await stopKumbaya(off));
  }

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
    if (!hit.body.equals(pageBytes)) log('  note: the cached post page differs from the uncached one; R1/R2 serve the uncached bytes');
    const etag = hit.headers.etag;
    expect(typeof etag === 'string' && etag.length > 0, '(d) the cached post page has no ETag');

    const home = await get(on.base + '/');
    expect(home.status === 200, `(c) GET / answered ${home.status}`);
    const homeHit = await get(on.base + '/');
    expect(homeHit.status === 200, `(c) second GET / answered ${homeHit.status}`);
    expect(homeHit.headers['x-cache'] === 'hit', `(c) second GET / was not served from the page cache (X-Cache: ${homeHit.headers['x-cache']})`);
    const listed = (homeHit.body.toString('utf8').match(/class="post-summary h-entry"/g) ?? []).length;
    log(`  home page: ${homeHit.body.length} bytes, ${listed} posts listed; post page ETag ${etag}`);

    const notModified = await get(on.base + postPath, { 'If-None-Match': etag! });
    expect(notModified.status === 304, `(d) conditional GET answered ${notModified.status}, not 304`);

    workloads.push(await measure(gen, 'b', 'post page, page cache on', on.base + postPath));
    workloads.push(await measure(gen, 'c', 'home page, page cache on', on.base + '/'));
    workloads.push(await measure(gen, 'd', 'post page If-None-Match → 304', on.base + postPath, { 'If-None-Match': etag! }));
  } finally {
    peaks.push(await stopKumbaya(on));
  }

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
    expect(check.status === 200 && check.body.equals(pageBytes), '(r1) R1 does not answer the post page bytes');
    workloads.push(await measure(gen, 'r1', 'node:http, same bytes', r1Base + postPath));
  } finally {
    r1Memory.stop();
    await stopChild(r1);
  }

  // 4. R2: nginx serving the same bytes as a static file.
  const nginx = which('nginx');
  let r2Skipped: string | null = null;
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
      expect(check.status === 200 && check.body.equals(pageBytes), '(r2) nginx does not answer the post page bytes');
      workloads.push(await measure(gen, 'r2', 'nginx, same bytes', r2Base + '/post.html'));
    } catch (error) {
      const errorLog = fs.existsSync(path.join(tmp, 'error.log')) ? fs.readFileSync(path.join(tmp, 'error.log'), 'utf8') : '';
      throw new Error(`${error instanceof Error ? error.message : error}\n${r2.output()}\n${errorLog}`);
    } finally {
      await stopChild(r2);
    }
  }

  // 5. Report.
  const r1Rps = workloads.find((w) => w.name === 'r1')!.result.rps;
  const peakRssMb = Math.max(...peaks);
  const firstResponseMs = Math.max(...firstResponses);
  const rows = workloads.map((w) => ({
    name: w.name,
    rps: round(w.result.rps, 1),
    p50_ms: round(w.result.p50Ms, 3),
    p99_ms: round(w.result.p99Ms, 3),
    ratio_to_r1: round(w.result.rps / r1Rps, 3),
  }));

  log('\nResults');
  log(`${'name'.padEnd(5)} ${'what'.padEnd(32)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'÷ r1'.padStart(6)}`);
  for (const [i, row] of rows.entries()) {
    const w = workloads[i];
    log(
      `${row.name.padEnd(5)} ${w.what.padEnd(32)} ${row.rps.toFixed(0).padStart(9)} ${row.p50_ms.toFixed(2).padStart(8)} ${row.p99_ms.toFixed(2).padStart(8)} ${row.ratio_to_r1.toFixed(2).padStart(6)}` +
        (w.result.errors ? `  (${w.result.errorText})` : ''),
    );
  }
  log(`peak RSS (Kumbaya, max of both runs): ${peakRssMb.toFixed(1)} MB`);
  log(`first response (spawn → 200 /healthz, max of both runs): ${firstResponseMs.toFixed(0)} ms  [${firstResponses.map((m) => m.toFixed(0)).join(', ')}]`);
  if (r2Skipped) log(`note: ${r2Skipped}`);

  const ratio = (name: string) => rows.find((r) => r.name === name)!.ratio_to_r1;
  const verdicts = [
    { target: '(a) post page, page cache off ≥ 0.20 × R1', pass: ratio('a') >= TARGETS.a, actual: `${ratio('a').toFixed(3)} × R1` },
    { target: '(b) cached post page ≥ 0.80 × R1', pass: ratio('b') >= TARGETS.b, actual: `${ratio('b').toFixed(3)} × R1` },
    { target: '(d) 304 revalidation ≥ 0.90 × R1', pass: ratio('d') >= TARGETS.d, actual: `${ratio('d').toFixed(3)} × R1` },
    { target: 'peak RSS < 200 MB', pass: peakRssMb < TARGETS.peakRssMb, actual: `${peakRssMb.toFixed(1)} MB` },
    { target: 'first response < 1000 ms', pass: firstResponseMs < TARGETS.firstResponseMs, actual: `${firstResponseMs.toFixed(0)} ms` },
  ];
  log('\nTargets');
  for (const v of verdicts) log(`  ${v.pass ? 'PASS' : 'MISS'}  ${v.target.padEnd(38)} ${v.actual}`);

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
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', loadavg_start: loadAtStart.map((l) => round(l, 2)), loadavg_end: os.loadavg().map((l) => round(l, 2)), platform: `${os.platform()} ${os.release()}` },
    page_bytes: pageBytes.length,
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
