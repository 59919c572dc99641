/**
 * Workload (j): signed incoming fediverse activities, verified and stored per second on
 * SQLite, nothing lost. bench/run.ts runs it as part of `npm run bench`; on its own:
 *
 *   node bench/inbox-workload.ts        (seeds a temp database, starts Kumbaya, measures)
 *
 * The activities are Likes (each a new account and post pair, stored as a reaction) and
 * replies (a Create of a public Note answering a post, stored as a comment), signed
 * draft-cavage by its account on a local "remote server" (bench/inbox-load.ts). The blog
 * verifies each signature (fetching each account's key once), queues the activity (202),
 * and its queue stores the reaction or comment and links the account to a Person. Nothing
 * lost: with Kumbaya stopped, every activity answered 202 is stored, and there is no other.
 *
 * Environment: BENCH_INBOX_KIND (`like,reply` by default: both, one run each); BENCH_SECONDS (default 10) of sending, after BENCH_WARMUP (default 3);
 * BENCH_CONNECTIONS (default 32); BENCH_INBOX_ACTORS (default 500 accounts); on its own,
 * BENCH_CPU_PROF=<dir> writes a V8 CPU profile of Kumbaya into <dir>.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { STORED, type InboxKind, type InboxLoadOptions, type InboxLoadResult } from './inbox-load.ts';
import { cleanupNow, freePort, installCleanupHandlers, runToEnd, sampleMemory, startChild, startCommand, stopChild, trackTempDir, waitFor200 } from './procs.ts';
import { seedBenchData } from './seed.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/** (j) target: Likes verified and stored per second. */
export const INBOX_TARGET_PER_SECOND = 300;

export interface InboxRun {
  base: string;
  pid: number;
}

export interface InboxWorkloadContext {
  node: string;
  dataDir: string;
  connections: number;
  /** Likes (stored as reactions) or replies (Create(Note), stored as comments). Default likes. */
  kind?: InboxKind;
  /** Starts Kumbaya with these extra environment variables (on SQLite under dataDir). */
  start(env: Record<string, string>): Promise<InboxRun>;
  /** Stops it; returns its peak RSS in MB. */
  stop(): Promise<number>;
  log(line: string): void;
}

export interface InboxWorkloadResult {
  load: InboxLoadResult;
  stored: number;
  nothingLost: boolean;
  /** CPU time Kumbaya used during the measured run (from its first request to its last Like stored). */
  serverCpuMs: number | null;
  peakRssMb: number;
  /** What the run was configured with (for latest.json). */
  settings: { seconds: number; warmupSeconds: number; actors: number; connections: number };
}

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number of at least 1 (got "${raw}")`);
  return n;
}

/**
 * Published posts to like, newest first (read before Kumbaya starts). Replies go only to
 * posts whose comments are open by their own setting (not closed, no closing after days),
 * so that each one becomes a comment.
 */
function postSlugs(sqliteFile: string, kind: InboxKind): string[] {
  const db = new DatabaseSync(sqliteFile, { readOnly: true });
  let open = '';
  if (kind === 'reply') {
    // A post that inherits takes the site's setting (comments.settings: open, closeAfterDays).
    const row = db.prepare("select value from settings where key = 'comments.settings'").get() as { value: string } | undefined;
    const site = row ? (JSON.parse(row.value) as { open?: boolean; closeAfterDays?: number | null }) : {};
    const inherits = site.open !== false && (site.closeAfterDays ?? null) === null;
    open = `and comments_close_days is null and (comments_mode = 'open'${inherits ? " or comments_mode = 'inherit'" : ''})`;
  }
  try {
    return (db.prepare(`select slug from posts where type = 'post' and status = 'published' and deleted_at is null and password is null ${open} order by published_at desc`).all() as Array<{ slug: string }>).map((r) => r.slug);
  } finally {
    db.close();
  }
}

export async function inboxWorkload(ctx: InboxWorkloadContext): Promise<InboxWorkloadResult> {
  const settings = { seconds: positive('BENCH_SECONDS', 10), warmupSeconds: positive('BENCH_WARMUP', 3), actors: positive('BENCH_INBOX_ACTORS', 500), connections: ctx.connections };
  const sqliteFile = path.join(ctx.dataDir, 'kumbaya.db');
  const kind = ctx.kind ?? 'like';
  const slugs = postSlugs(sqliteFile, kind);
  if (slugs.length === 0) throw new Error(`no post to send ${kind === 'reply' ? 'replies' : 'Likes'} to`);
  const what = kind === 'reply' ? 'replies' : 'Likes';
  // The sender is one server (127.0.0.1): its limit is lifted so that the blog is what is measured.
  const run = await ctx.start({ FEDIVERSE_ALLOW_PRIVATE: 'true', FEDIVERSE_INBOX_LIMIT: '1000000' });
  let load: InboxLoadResult;
  let peakRssMb: number;
  try {
    // Signed in advance: enough for 1.5 × the target rate.
    const options: InboxLoadOptions = { base: run.base, sqliteFile, slugs, kind, actors: settings.actors, connections: settings.connections, warmupSeconds: settings.warmupSeconds, seconds: settings.seconds, maxPerSecond: Math.ceil(INBOX_TARGET_PER_SECOND * 1.5), drainTimeoutSeconds: 300, serverPid: run.pid };
    ctx.log(`  j   ${settings.connections} connections POST signed ${kind === 'reply' ? 'replies (Create(Note) answering a post, each a new Note)' : 'Likes'} to /ap/inbox (${settings.actors} accounts on one local server, ${slugs.length} posts; each ${kind === 'reply' ? 'reply' : 'Like a new account and post pair'}): warm-up ${settings.warmupSeconds}s, send ${settings.seconds}s, then wait until stored …`);
    ctx.log('      FEDIVERSE_INBOX_LIMIT=1000000: every account is on one server (127.0.0.1), whose per-server limit (600 a minute) would otherwise be what is measured');
    const { code, stdout, stderr } = await runToEnd(ctx.node, [path.join(ROOT, 'bench', 'inbox-load.ts'), JSON.stringify(options)]);
    if (code !== 0) throw new Error(`inbox-load exited with ${code}: ${stderr || stdout}`);
    load = JSON.parse(stdout) as InboxLoadResult;
  } finally {
    peakRssMb = await ctx.stop();
  }
  const other = Object.entries(load.statuses).filter(([status]) => status !== '202');
  if (other.length > 0 || load.socketErrors > 0) ctx.log(`      !! ${other.map(([st, n]) => `${n} × ${st}`).join(', ')}${load.socketErrors ? `, ${load.socketErrors} socket errors` : ''}: ${load.samples.join(' | ')}`);
  ctx.log(`      signed ${load.signed} requests in ${load.signSeconds.toFixed(1)} s before the clock started`);
  ctx.log(
    `      ${load.storedPerSecond.toFixed(0)} ${what} verified and stored/s (${load.statuses['202'] ?? 0} in ${load.storedSeconds.toFixed(2)} s${load.drained ? '' : ' !! not all stored before the timeout'}); ` +
      `the inbox answered ${load.acceptedPerSecond.toFixed(0)}/s, p50 ${load.p50Ms.toFixed(2)} ms, p99 ${load.p99Ms.toFixed(2)} ms`,
  );
  const serverCpuMs = load.serverCpuMs;
  const measuredAccepted = load.statuses['202'] ?? 0;
  if (serverCpuMs !== null) {
    const perLike = serverCpuMs / Math.max(1, measuredAccepted);
    ctx.log(`      Kumbaya used ${((serverCpuMs / (load.storedSeconds * 1000)) * 100).toFixed(0)}% of a CPU meanwhile: ${(perLike * 1000).toFixed(0)} µs of CPU per ${kind === 'reply' ? 'reply' : 'Like'}, so at most ${(1000 / perLike).toFixed(0)}/s on one free core`);
  }

  // Nothing lost: with Kumbaya stopped, the stored reactions (comments) are exactly the Likes (replies) answered 202.
  const db = new DatabaseSync(path.join(ctx.dataDir, 'kumbaya.db'), { readOnly: true });
  let stored: number;
  let found = 0;
  try {
    const { table, column } = STORED[kind];
    const pattern = kind === 'reply' ? 'http://127.0.0.1:%/statuses/%' : 'http://127.0.0.1:%/likes/%';
    const ids = new Set((db.prepare(`select ${column} as id from ${table} where ${column} like ?`).all(pattern) as Array<{ id: string }>).map((r) => r.id));
    stored = ids.size;
    for (const id of load.acceptedIds) if (ids.has(id)) found++;
  } finally {
    db.close();
  }
  const nothingLost = stored === load.acceptedIds.length && found === load.acceptedIds.length && load.drained;
  ctx.log(`  stored: ${stored} ${kind === 'reply' ? 'comments' : 'reactions'} for ${load.acceptedIds.length} × 202 (warm-up and measured); ${found} of the answered ids found: ${nothingLost ? 'nothing lost' : '!! MISMATCH'}`);
  return { load, stored, nothingLost, serverCpuMs, peakRssMb, settings };
}

/** On its own: a fresh seeded database, Kumbaya as `npm start` runs it, workload (j) alone. */
async function main(): Promise<void> {
  installCleanupHandlers();
  const local = path.join(ROOT, 'node_modules', '.bin', 'node');
  const node = fs.existsSync(local) ? fs.realpathSync(local) : process.execPath;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kumbaya-bench-j-'));
  if (process.env.BENCH_KEEP !== '1') trackTempDir(tmp);
  const dataDir = path.join(tmp, 'data');
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const seeded = await seedBenchData({ dataDir });
  log(`seeded ${seeded.posts} posts in ${tmp}; load average ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} CPUs`);
  const start = startCommand();
  const kinds = (process.env.BENCH_INBOX_KIND ?? 'like,reply').split(',').map((k) => k.trim()) as InboxKind[];
  for (const kind of kinds) if (!(kind in STORED)) throw new Error(`BENCH_INBOX_KIND: "${kind}" is neither like nor reply`);
  for (const kind of kinds) {
    let child: ReturnType<typeof startChild> | null = null;
    let memory: ReturnType<typeof sampleMemory> | null = null;
    log(`\n(j) ${kind === 'reply' ? 'signed replies' : 'signed Likes'}; load average ${os.loadavg().map((n) => n.toFixed(1)).join(', ')}`);
    const result = await inboxWorkload({
      node,
      dataDir,
      kind,
      connections: positive('BENCH_CONNECTIONS', 32),
      log,
      async start(env) {
        const port = await freePort();
        const base = `http://127.0.0.1:${port}`;
        const since = performance.now();
        const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`] : [];
        child = startChild(node, [...profile, ...start.args], { cwd: ROOT, env: { ...process.env, ...start.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', SITE_URL: base, LOG_LEVEL: 'warn', KUMBAYA_DEMO: 'false', ...env } });
        memory = sampleMemory(child.pid);
        await waitFor200(child, `${base}/healthz`, since);
        return { base, pid: child.pid };
      },
      async stop() {
        const peak = memory!.stop();
        await stopChild(child!);
        return peak;
      },
    });
    const what = kind === 'reply' ? 'replies' : 'Likes';
    const pass = result.load.storedPerSecond >= INBOX_TARGET_PER_SECOND;
    log(`\n${pass ? 'PASS' : 'MISS'}  (j) ≥ ${INBOX_TARGET_PER_SECOND} ${what} verified and stored/s: ${result.load.storedPerSecond.toFixed(0)}/s`);
    log(`${result.nothingLost ? 'PASS' : 'MISS'}  (j) every 202 stored, nothing lost: ${result.load.acceptedIds.length} × 202, ${result.stored} stored`);
    log(`peak RSS ${result.peakRssMb.toFixed(1)} MB; load average at the end ${os.loadavg().map((n) => n.toFixed(1)).join(', ')}`);
    if (!result.nothingLost) process.exitCode = 1;
  }
}

if (import.meta.main) {
  await main().catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
  cleanupNow();
}
