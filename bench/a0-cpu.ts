/**
 * CPU per page of workload a0 (every cache off: `GET /two-hundred-voices`, 200 comments in
 * 58 conversations rendered from the database per request), measured in this process with
 * `process.cpuUsage()` around each request, so the figure holds on a busy machine where
 * latency does not. Seeds the bench's SQLite database into BENCH_A0_DIR (kept, reused when
 * it exists), composes Kumbaya in-process with PAGE_CACHE=false and CONVERSATION_CACHE=false,
 * warms up, then answers BENCH_ROUNDS (5) rounds of BENCH_N (100) requests one after another through
 * `app.fetch`, and prints the lowest round's median CPU ms per page.
 *   node --max-semi-space-size=8 --heap-growing-percent=20 --v8-pool-size=1 --no-allocation-site-pretenuring bench/a0-cpu.ts
 *     (npm start's memory flags; BENCH_A0_DIR=/tmp/kumbaya-a0-cpu, BENCH_N, BENCH_ROUNDS;
 *                           BENCH_A0_OUT=<file> writes the page's bytes, to compare before/after;
 *                           profile with `node --cpu-prof --cpu-prof-dir=<dir>`: keep profiles out of git)
 * BENCH_A0_BASELINE=<checkout> composes that checkout's Kumbaya too (another worktree, with
 * its node_modules) on the same database and alternates the two round by round: on a shared
 * machine, two versions measured at the same time differ by what they do, not by what the
 * neighbours did meanwhile. It checks both send the same bytes (form token aside) and
 * prints each one's lowest median and in how many rounds this tree's median was lower.
 */
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config/config.ts';
import { composeKumbaya } from '../src/compose.ts';
import { BIG_POST_SLUG, seedBenchData } from './seed.ts';

const dir = process.env.BENCH_A0_DIR ?? '/tmp/kumbaya-a0-cpu';
const N = Number(process.env.BENCH_N ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WARM = 50;
if (!fs.existsSync(path.join(dir, 'seeded'))) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  await seedBenchData({ dataDir: dir });
  fs.writeFileSync(path.join(dir, 'seeded'), '');
}
const env = {
  DATA_DIR: dir,
  SITE_URL: 'http://127.0.0.1:8080',
  LOG_LEVEL: 'warn',
  KUMBAYA_DEMO: 'false',
  PAGE_CACHE: 'false',
  CONVERSATION_CACHE: 'false',
};
const config = loadConfig(env);
const k = await composeKumbaya(config, { logger: pino({ level: 'warn' }) });
const baselineDir = process.env.BENCH_A0_BASELINE;
let baseline: Awaited<ReturnType<typeof composeKumbaya>> | null = null;
if (baselineDir) {
  const load = (file: string) => import(path.resolve(baselineDir, file));
  const [{ loadConfig: loadBaselineConfig }, { composeKumbaya: composeBaseline }] = await Promise.all([load('src/config/config.ts'), load('src/compose.ts')]);
  baseline = await composeBaseline(loadBaselineConfig(env), { logger: pino({ level: 'warn' }) });
}
const url = `http://127.0.0.1:8080/${BIG_POST_SLUG}`;
try {
  const pageOf = async (kumbaya: typeof k): Promise<Buffer> => {
    const res = await kumbaya.app.fetch(new Request(url));
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  };
  const page = () => pageOf(k);
  const bytes = await page();
  const first = bytes.toString('utf8');
  const comments = (first.match(/id="comment-\d+"/g) ?? []).length;
  if (process.env.BENCH_A0_OUT) fs.writeFileSync(process.env.BENCH_A0_OUT, bytes);
  for (let i = 0; i < WARM; i++) await page();
  if (baseline) {
    const withoutToken = (b: Buffer) => b.toString('utf8').replace(/name="formToken" value="[^"]*"/, '');
    const same = withoutToken(await pageOf(baseline)) === withoutToken(bytes);
    for (let i = 0; i < WARM; i++) await pageOf(baseline);
    const medianOf = async (kumbaya: typeof k): Promise<number> => {
      const ms: number[] = [];
      for (let i = 0; i < N; i++) {
        const before = process.cpuUsage();
        await pageOf(kumbaya);
        const used = process.cpuUsage(before);
        ms.push((used.user + used.system) / 1000);
      }
      return ms.sort((a, b) => a - b)[ms.length >> 1];
    };
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      theirs.push(await medianOf(baseline));
      ours.push(await medianOf(k));
    }
    const lower = ours.filter((m, i) => m < theirs[i]).length;
    console.log(
      `a0: ${comments} comments; ${same ? 'the same bytes as the baseline (form token aside)' : 'NOT the same bytes as the baseline'}; ${ROUNDS} × ${N} pages each, alternately: ` +
        `lowest median ${Math.min(...ours).toFixed(2)} ms CPU per page here, ${Math.min(...theirs).toFixed(2)} ms in ${baselineDir}; lower here in ${lower} of ${ROUNDS} rounds`,
    );
    process.exitCode = same ? 0 : 1;
  } else {
    // On a shared machine a busy neighbour inflates CPU time too (caches, hyper-threads): the
    // pages run in ROUNDS rounds, and the lowest round's median is the figure to compare.
    const medians: number[] = [];
    const all: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const ms: number[] = [];
      for (let i = 0; i < N; i++) {
        const before = process.cpuUsage();
        await page();
        const used = process.cpuUsage(before);
        ms.push((used.user + used.system) / 1000);
      }
      ms.sort((a, b) => a - b);
      medians.push(ms[ms.length >> 1]);
      all.push(...ms);
    }
    const mean = all.reduce((s, x) => s + x, 0) / all.length;
    console.log(
      `a0: ${comments} comments, ${first.length} characters; ${ROUNDS} × ${N} pages: lowest median ${Math.min(...medians).toFixed(2)} ms CPU per page ` +
        `(medians ${medians.map((m) => m.toFixed(2)).join(', ')}; mean of all ${mean.toFixed(2)} ms)`,
    );
  }
} finally {
  await k.close();
  await baseline?.close();
}
