/**
 * CPU per answer of the People workloads (g1, g2, h), measured in Kumbaya's own process
 * (utime + stime from /proc), so the figure holds on a busy machine where latency does not.
 * Seeds the People database into BENCH_PEOPLE_DIR (kept, reused when it exists), starts
 * Kumbaya as `npm start` does, walks the timeline as the bench does, then answers
 * BENCH_N (200) requests of each workload one after another and prints the CPU ms each.
 *   node bench/people-cpu.ts   (BENCH_PEOPLE_DIR=/tmp/kumbaya-people-cpu, BENCH_ONLY=g1,g2,h,
 *                               BENCH_CPU_PROF=<dir> profiles Kumbaya: keep profiles out of git)
 */
import fs from 'node:fs';
import path from 'node:path';
import { seedPeopleBench } from './seed-people.ts';
import { cpuTimeMsOf, freePort, get, memoryOf, projectNode, startCommand, startChild, stopChild, waitFor200 } from './procs.ts';

const dir = process.env.BENCH_PEOPLE_DIR ?? '/tmp/kumbaya-people-cpu';
const N = Number(process.env.BENCH_N ?? 200);
const summaryFile = path.join(dir, 'summary.json');
if (!fs.existsSync(summaryFile)) {
  fs.mkdirSync(dir, { recursive: true });
  const s = await seedPeopleBench({ dataDir: dir });
  fs.writeFileSync(summaryFile, JSON.stringify(s));
}
const ps = JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as Awaited<ReturnType<typeof seedPeopleBench>>;
const port = await freePort();
const prof = process.env.BENCH_CPU_PROF;
const only = (process.env.BENCH_ONLY ?? 'g1,g2,h').split(',');
const start = startCommand();
const child = startChild(projectNode(), [...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []), ...start.args], {
  cwd: path.resolve(import.meta.dirname, '..'),
  env: { ...process.env, ...start.env, DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1', SITE_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'warn', KUMBAYA_DEMO: 'false', PAGE_CACHE: 'true' },
});
const base = `http://127.0.0.1:${port}`;
try {
  await waitFor200(child, `${base}/healthz`, performance.now(), 10, 60_000);
  const headers = { Cookie: ps.cookie };
  const pages: string[] = [];
  let entries = 0;
  let url: string | null = `/admin/people/${ps.regular.personId}`;
  while (url !== null) {
    const res = await get(base + url, headers, 30_000);
    const body = res.body.toString('utf8');
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    entries += (body.match(/<li class="tl-item/g) ?? []).length;
    pages.push(url);
    const next = /<a rel="next" href="([^"]+)"/.exec(body)?.[1];
    url = next ? next.replace(/&amp;/g, '&').replace(/#.*$/, '') : null;
  }
  console.log(`timeline: ${pages.length} pages, ${entries} entries (expected ${ps.regular.interactions})`);
  const late = pages[Math.floor(pages.length * 0.9)];
  const search = `/admin/people?q=${encodeURIComponent(ps.search.q)}`;
  const firstSearch = performance.now();
  const found = (await get(base + search, headers, 60_000)).body.toString('utf8');
  console.log(`first search: ${(performance.now() - firstSearch).toFixed(0)} ms`);
  const rows = (found.match(/<td class="cell-title"><a href="\/admin\/people\/\d+">/g) ?? []).length;
  console.log(`search: ${rows} found (expected ${ps.search.matches})`);
  for (const [name, p] of [['g1', pages[0]], ['g2', late], ['h', search]] as const) {
    if (!only.includes(name)) continue;
    for (let i = 0; i < 20; i++) await get(base + p, headers, 30_000);
    if (process.env.SQL_TIMING) fs.writeFileSync(process.env.SQL_TIMING + '.on', '');
    const before = cpuTimeMsOf(child.pid)!;
    for (let i = 0; i < N; i++) await get(base + p, headers, 30_000);
    const after = cpuTimeMsOf(child.pid)!;
    if (process.env.SQL_TIMING) fs.rmSync(process.env.SQL_TIMING + '.on');
    console.log(`${name}: ${((after - before) / N).toFixed(2)} ms CPU per answer  (${p})`);
  }
  console.log(`peak RSS ${memoryOf(child.pid)?.hwmMb.toFixed(1)} MB`);
} finally {
  await stopChild(child);
}
