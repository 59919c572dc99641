/**
 * CPU and round trips per comment of workload e/pg (readers' comments posted to
 * `/say-hello` on PostgreSQL, without the readers), measured so that the figures hold on a
 * busy machine where latency does not: Kumbaya's CPU (`process.cpuUsage()` of this process,
 * which composes Kumbaya in-process and posts through `app.fetch`), the CPU of the
 * PostgreSQL backends that answered (utime + stime from /proc/<pid>/stat, when readable),
 * and the statements sent per comment (every `pg` Client query counted, `begin` and
 * `commit` included: each is one round trip).
 * Seeds the bench's data into a fresh schema of BENCH_PG_URL (else KUMBAYA_TEST_PG_URL),
 * dropped at the end; posts BENCH_ROUNDS (5) rounds of BENCH_N (500) comments,
 * BENCH_CONNECTIONS (32) at a time, each a new reader (own address and email, as the bench's
 * poster does), and prints each round and the lowest round's figures.
 * BENCH_SQL runs SQL on the bench's schema after the seeding (a trial: an index dropped, a
 * table made unlogged), so its effect is measured without a migration.
 * DATABASE_PREPARED_STATEMENTS=false measures Kumbaya without named statements (README, "Configuration").
 * BENCH_PER_STATEMENT=1 also prints the backend's CPU per statement, by its first words: the
 * backend's CPU time across each statement, read from /proc before it is sent and once it is
 * answered. /proc counts in 10 ms ticks, so only the average over many is meaningful, and
 * only with BENCH_CONNECTIONS=1 (one statement at a time: a backend's CPU is then its).
 *   KUMBAYA_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/test \
 *     node --max-semi-space-size=8 --heap-growing-percent=20 --v8-pool-size=1 --no-allocation-site-pretenuring bench/e-pg-cpu.ts
 *   BENCH_CPU_PROF=<dir> writes a CPU profile of the measured rounds only (not the seeding
 *   nor the warm-up) to <dir>/e-pg.cpuprofile (read it with bench/cpuprofile-top.ts; keep
 *   profiles out of git).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Session } from 'node:inspector/promises';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../src/config/config.ts';
import { composeKumbaya } from '../src/compose.ts';
import { benchSchema } from './postgres.ts';
import { FRESH_POST_SLUG, seedBenchData } from './seed.ts';
import { commentMarkdown, int, mulberry32 } from './text.ts';
import { readerAddress } from './post-load.ts';

const N = Number(process.env.BENCH_N ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

const PER_STATEMENT = process.env.BENCH_PER_STATEMENT === '1';

// Every statement any pg Client sends, and the backends that answered.
let statements = 0;
const backends = new Set<number>();
/** With BENCH_PER_STATEMENT: by the statement's first words, how many and the backend's CPU ms across them. */
const perStatement = new Map<string, { count: number; ms: number }>();
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
(pg.Client.prototype as unknown as { query: typeof query }).query = function (this: pg.Client & { processID: number }, ...args: unknown[]) {
  statements++;
  backends.add(this.processID);
  if (!PER_STATEMENT) return query.apply(this, args);
  const text = String(typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text);
  const key = text.replace(/\s+/g, ' ').trim().slice(0, 60);
  const pid = this.processID;
  const before = procCpuMs(pid);
  const answered = query.apply(this, args);
  const count = () => {
    const entry = perStatement.get(key) ?? { count: 0, ms: 0 };
    entry.count++;
    entry.ms += procCpuMs(pid) - before;
    perStatement.set(key, entry);
  };
  // A Query object sent on its own (a named statement, src/adapters/storage/database.ts)
  // answers through its callback and events, not a promise.
  if (answered instanceof Promise) answered.then(count, count);
  else (answered as pg.Query).once('end', count).once('error', count);
  return answered;
};

/** utime + stime of a process in ms, or 0 when /proc does not say. */
function procCpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks (USER_HZ 100)
  } catch {
    return 0;
  }
}
const backendCpuMs = () => [...backends].reduce((sum, pid) => sum + procCpuMs(pid), 0);

const schema = await benchSchema();
if (!schema.url) throw new Error(schema.skipped ?? 'no PostgreSQL');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kumbaya-e-pg-cpu-'));
const admin = new pg.Client({ connectionString: schema.url });
try {
  const seeded = await seedBenchData({ dataDir: dir, databaseUrl: schema.url });
  const postId = seeded.freshPost.postId;
  if (process.env.BENCH_SQL) {
    // A trial's change to the schema (an index dropped, a table made unlogged), after the seeding.
    const trial = new pg.Client({ connectionString: schema.url });
    await trial.connect();
    try {
      await trial.query(process.env.BENCH_SQL);
    } finally {
      await trial.end();
    }
  }
  const config = loadConfig({
    DATA_DIR: dir,
    DATABASE_URL: schema.url,
    SITE_URL: 'http://127.0.0.1:8080',
    LOG_LEVEL: 'warn',
    KUMBAYA_DEMO: 'false',
    PAGE_CACHE: 'true',
    TRUST_PROXY: 'true',
    DATABASE_PREPARED_STATEMENTS: process.env.DATABASE_PREPARED_STATEMENTS ?? 'true',
  });
  const k = await composeKumbaya(config, { logger: pino({ level: 'warn' }) });
  await admin.connect();
  try {
    const token = (await (await k.app.fetch(new Request(`http://127.0.0.1:8080/comments/token/${postId}`))).json()) as { formToken: string };
    await new Promise((r) => setTimeout(r, 3100)); // the form's minimum time to submit
    const rng = mulberry32(4242);
    const bodies = Array.from({ length: 97 }, () => commentMarkdown(rng, int(rng, 30, 118)));
    let reader = 1;
    const post = async (): Promise<void> => {
      const n = reader++;
      const res = await k.app.fetch(
        new Request('http://127.0.0.1:8080/comments', {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', 'x-forwarded-for': readerAddress(n), 'user-agent': 'kumbaya-bench/e-pg-cpu' },
          body: JSON.stringify({ postId, parentId: null, name: `Reader ${n}`, email: `reader-${n}@bench.example`, website: '', body: bodies[n % bodies.length], honeypot: '', formToken: token.formToken, subscribeReplies: false, subscribePost: false }),
        }),
      );
      if (res.status !== 201) throw new Error(`POST /comments: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    };
    const batch = async (count: number) => {
      let left = count;
      await Promise.all(Array.from({ length: CONNECTIONS }, async () => { while (left-- > 0) await post(); }));
    };
    await batch(200); // warm-up: the pool's connections open, the code is compiled
    perStatement.clear();
    const profiler = process.env.BENCH_CPU_PROF ? new Session() : null;
    if (profiler) {
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    const rounds: Array<{ kumbaya: number; backends: number; statements: number; wall: number }> = [];
    for (let r = 0; r < ROUNDS; r++) {
      const [cpu, s0, b0, t0] = [process.cpuUsage(), statements, backendCpuMs(), performance.now()];
      await batch(N);
      const used = process.cpuUsage(cpu);
      const wall = performance.now() - t0;
      rounds.push({ kumbaya: (used.user + used.system) / 1000 / N, backends: (backendCpuMs() - b0) / N, statements: (statements - s0) / N, wall: wall / N });
    }
    if (profiler) {
      const { profile } = await profiler.post('Profiler.stop');
      fs.mkdirSync(process.env.BENCH_CPU_PROF!, { recursive: true });
      fs.writeFileSync(path.join(process.env.BENCH_CPU_PROF!, 'e-pg.cpuprofile'), JSON.stringify(profile));
      profiler.disconnect();
    }
    const stored = Number((await admin.query(`select count(*) as n from comments where post_id = $1`, [postId])).rows[0].n);
    const expected = 200 + ROUNDS * N;
    if (stored !== expected) throw new Error(`${stored} comments stored for ${expected} posted`);
    for (const [i, r] of rounds.entries()) {
      console.log(`round ${i + 1}: Kumbaya ${r.kumbaya.toFixed(2)} ms CPU, PostgreSQL backends ${r.backends.toFixed(2)} ms CPU, ${r.statements.toFixed(2)} statements, ${r.wall.toFixed(2)} ms wall per comment`);
    }
    for (const [key, { count, ms }] of perStatement) {
      if (count >= N) console.log(`${((ms / count) * 1000).toFixed(0).padStart(5)} µs backend CPU per statement, ${String(count).padStart(5)} ×  ${key}`);
    }
    const best = (key: 'kumbaya' | 'backends') => Math.min(...rounds.map((r) => r[key])).toFixed(2);
    console.log(`e/pg (${FRESH_POST_SLUG}, ${CONNECTIONS} at a time, ${ROUNDS} × ${N} comments, ${stored} stored): lowest round ${best('kumbaya')} ms Kumbaya CPU + ${best('backends')} ms PostgreSQL backends CPU per comment; ${rounds[0].statements.toFixed(1)} statements (round trips) per comment; prepared statements ${config.databasePreparedStatements ? 'on' : 'off'}; load ${os.loadavg()[0].toFixed(1)}`);
  } finally {
    await admin.end();
    await k.close();
  }
} finally {
  await schema.drop();
  fs.rmSync(dir, { recursive: true, force: true });
}
