/**
 * Child processes for the benchmark: start, wait until they answer, sample their memory,
 * stop them, and make sure none outlives the run (normal end, error or Ctrl-C).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

const children = new Set<ChildProcess>();
/** Children spawned with `detached: true`, i.e. leaders of their own process group. */
const groupLeaders = new WeakSet<ChildProcess>();
const tempDirs = new Set<string>();
let cleanedUp = false;

export function trackTempDir(dir: string): void {
  tempDirs.add(dir);
}

/** Kills whatever is still running and removes temp dirs. Synchronous: safe in 'exit'. */
export function cleanupNow(): void {
  if (cleanedUp) return;
  cleanedUp = true;
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        // A child started in its own process group (nginx: master and worker) goes as a group.
        if (groupLeaders.has(child) && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  children.clear();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** Installs the handlers that end every child on exit, error and Ctrl-C. */
export function installCleanupHandlers(): void {
  process.on('exit', cleanupNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping child processes…\n`);
      cleanupNow();
      process.exit(130);
    });
  }
}

export interface Child {
  proc: ChildProcess;
  pid: number;
  /** Last lines of stdout and stderr, for error messages. */
  output(): string;
  exited: Promise<number | null>;
}

/**
 * Spawns a tracked child; output is kept (last 16 KiB) rather than shown. BENCH_CHILD_LOG=<dir>
 * also writes each child's whole output to `<dir>/<pid>.log` (for V8's `--trace-…` flags,
 * given through BENCH_NODE_FLAGS).
 */
export function startChild(command: string, args: string[], options: SpawnOptions = {}): Child {
  const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  if (proc.pid === undefined) throw new Error(`could not start ${command}`);
  children.add(proc);
  if (options.detached) groupLeaders.add(proc);
  const logDir = process.env.BENCH_CHILD_LOG;
  const log = logDir ? fs.createWriteStream(path.join(path.resolve(logDir), `${proc.pid}.log`)) : null;
  let tail = '';
  const keep = (chunk: Buffer) => {
    log?.write(chunk);
    tail = (tail + chunk.toString('utf8')).slice(-16_384);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  proc.once('close', () => log?.end());
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code) => {
      children.delete(proc);
      resolve(code);
    });
    proc.once('error', (error) => {
      keep(Buffer.from(String(error)));
      children.delete(proc);
      resolve(null);
    });
  });
  return { proc, pid: proc.pid, output: () => tail, exited };
}

/** SIGTERM, then SIGKILL if it has not gone within `graceMs`. */
export async function stopChild(child: Child, graceMs = 5000): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

/**
 * Runs a command to completion, tracked like the others; resolves with its exit code and
 * output. `onStart` is called with the child's pid once it runs, and the function it
 * returns once the child has exited.
 */
export async function runToEnd(command: string, args: string[], onStart?: (pid: number) => () => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  const onExit = proc.pid === undefined ? undefined : onStart?.(proc.pid);
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => {
    proc.once('exit', (c) => resolve(c));
    proc.once('error', (e) => {
      stderr += String(e);
      resolve(null);
    });
  });
  children.delete(proc);
  onExit?.();
  return { code, stdout, stderr };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface SimpleResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One GET on a fresh connection (no keep-alive, no pooling). */
export function get(url: string, headers: Record<string, string> = {}, timeoutMs = 5000): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/**
 * Polls `url` every `everyMs` until it answers 200; resolves with the milliseconds since
 * `since` (a performance.now() taken just before spawning). Fails if the child exits.
 */
export async function waitFor200(child: Child, url: string, since: number, everyMs = 10, limitMs = 30_000): Promise<number> {
  let dead = false;
  void child.exited.then(() => (dead = true));
  for (;;) {
    const tick = performance.now();
    try {
      const res = await get(url, {}, 1000);
      if (res.status === 200) return performance.now() - since;
    } catch {
      // not listening yet
    }
    if (dead) throw new Error(`${url}: the process exited before answering.\n${child.output()}`);
    if (performance.now() - since > limitMs) throw new Error(`${url}: no 200 within ${limitMs} ms.\n${child.output()}`);
    const wait = everyMs - (performance.now() - tick);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}

/** Reads VmHWM (peak resident set) and VmRSS in MB from /proc; null where /proc is missing. */
export function memoryOf(pid: number): { hwmMb: number; rssMb: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { hwmMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
  } catch {
    return null;
  }
}

/**
 * CPU time (user + system) a process has used so far, in milliseconds, from /proc; null
 * where /proc is missing. Assumes the usual 100 clock ticks per second.
 */
export function cpuTimeMsOf(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/**
 * As `npm ci` does after installing (its postinstall): compiles every module into Node's
 * compile cache, so no measured server is the first to load new code and keeps Node's
 * TypeScript stripper (~30 MB) for its life (ARCHITECTURE.md, "Memory"). Returns its line.
 */
export async function warmCompileCache(node: string): Promise<string> {
  const { code, stdout, stderr } = await runToEnd(node, [path.join(ROOT, 'scripts', 'warm-compile-cache.js')]);
  if (code !== 0) throw new Error(`scripts/warm-compile-cache.js exited with ${code}: ${stderr}`);
  return stdout.trim();
}

/** Time run and time waited runnable for a CPU (ms), from /proc/<pid>/task/<tid>/schedstat; null when it is missing. */
export type Sched = { runMs: number; waitMs: number } | null;

function taskSchedOf(pid: number, tid: number | string): Sched {
  try {
    const [run, wait] = fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return { runMs: run / 1e6, waitMs: wait / 1e6 };
  } catch {
    return null;
  }
}

/**
 * A process's main thread: milliseconds it has run, and milliseconds it was ready to run but
 * waited for a CPU (other threads and processes held them).
 */
export const mainThreadSchedOf = (pid: number): Sched => taskSchedOf(pid, pid);

/** The same, summed over all of a process's threads. */
export function processSchedOf(pid: number): Sched {
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  let total = { runMs: 0, waitMs: 0 };
  for (const tid of tids) {
    const task = taskSchedOf(pid, tid);
    if (!task) return null;
    total = { runMs: total.runMs + task.runMs, waitMs: total.waitMs + task.waitMs };
  }
  return total;
}

/** Samples a process's memory every `everyMs`; `stop()` takes a last sample and returns the peak. */
export function sampleMemory(pid: number, everyMs = 50): { stop(): number; peak(): number } {
  let peak = 0;
  const sample = () => {
    const m = memoryOf(pid);
    if (m) peak = Math.max(peak, m.hwmMb, m.rssMb);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    peak: () => peak,
    stop() {
      sample();
      clearInterval(timer);
      return peak;
    },
  };
}

/** Finds an executable on PATH (or an absolute path); null when absent. */
export function which(name: string): string | null {
  const candidates = name.includes('/') ? [name] : (process.env.PATH ?? '').split(':').filter(Boolean).map((d) => `${d}/${name}`);
  for (const extraDir of ['/usr/sbin', '/usr/bin', '/sbin']) if (!name.includes('/')) candidates.push(`${extraDir}/${name}`);
  for (const file of candidates) {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // keep looking
    }
  }
  return null;
}

/**
 * `npm start`'s command line, so the bench runs Kumbaya exactly as users do: the environment
 * it sets (glibc's malloc thresholds), then Node's flags and the entry point. The bench's
 * own environment goes under `env` (`{ ...process.env, ...env, ... }`).
 */
export function startCommand(): { env: Record<string, string>; args: string[] } {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.split(/\s+/);
  const env: Record<string, string> = {};
  let assignment: RegExpExecArray | null;
  while ((assignment = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(words[0])) !== null) {
    env[assignment[1]] = assignment[2];
    words.shift();
  }
  const [command, ...args] = words;
  if (command !== 'node') throw new Error(`npm start should run node, not ${command}`);
  // BENCH_NODE_FLAGS: more flags for Kumbaya's node, after npm start's so that they win (to
  // try a V8 flag or another value of one npm start sets).
  const extra = (process.env.BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const entry = args.pop();
  if (entry === undefined) throw new Error('npm start names no entry point');
  return { env, args: [...args, ...extra, entry] };
}

/** The Node 24 the project runs on: node_modules/.bin/node, else the one running this. */
export function projectNode(): string {
  const local = path.join(ROOT, 'node_modules', '.bin', 'node');
  return fs.existsSync(local) ? fs.realpathSync(local) : process.execPath;
}

