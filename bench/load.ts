/**
 * Load generation, always in a separate process: Debian's `wrk` when installed, else a
 * small Node load generator (bench/node-load.ts) whose numbers are only roughly comparable.
 */
import path from 'node:path';
import { processSchedOf, runToEnd, which } from './procs.ts';

/** Runs the generator's command, with what its threads ran and waited for a CPU meanwhile. */
async function runGenerator(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; generator: LoadResult['generator'] }> {
  let generator: LoadResult['generator'] = null;
  const result = await runToEnd(command, args, (pid) => {
    const first = processSchedOf(pid);
    const start = performance.now();
    let [last, lastAt] = [first, start];
    // Read while it runs: once it has exited, /proc no longer has its threads.
    const timer = setInterval(() => {
      const now = processSchedOf(pid);
      if (now) [last, lastAt] = [now, performance.now()];
    }, 100);
    return () => {
      clearInterval(timer);
      if (first && last && lastAt > start) generator = { runMs: last.runMs - first.runMs, waitMs: last.waitMs - first.waitMs, ms: lastAt - start };
    };
  });
  return { ...result, generator };
}

export interface LoadResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Responses outside 2xx/3xx plus socket errors; should be 0. */
  errors: number;
  errorText: string;
  /**
   * The load generator's own threads over its run: how long they ran and waited for a CPU
   * (ms, schedstat), and the run's length. A generator kept from its CPU measures its own
   * waits as latency; null where /proc does not say.
   */
  generator?: { runMs: number; waitMs: number; ms: number } | null;
}

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
}

export interface LoadGenerator {
  name: string;
  run(options: LoadOptions): Promise<LoadResult>;
}

const units: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "635.00us" / "1.23ms" / "2.01s" → milliseconds. */
export function toMs(value: string, unit: string): number {
  const factor = units[unit];
  if (factor === undefined) throw new Error(`unknown wrk time unit "${unit}"`);
  return Number(value) * factor;
}

/** Parses `wrk --latency` output. */
export function parseWrk(out: string): LoadResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const p50 = /^\s*50(?:\.000)?%\s+([\d.]+)(us|ms|s|m|h)\s*$/m.exec(out);
  const p99 = /^\s*99(?:\.000)?%\s+([\d.]+)(us|ms|s|m|h)\s*$/m.exec(out);
  const total = /(\d+) requests in /.exec(out);
  if (!rps || !p50 || !p99 || !total) throw new Error(`could not read wrk's output:\n${out}`);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = socket ? socket.slice(1).reduce((n, v) => n + Number(v), 0) : 0;
  const errorText = [non2xx ? `${non2xx} non-2xx/3xx` : '', socket ? socket[0] : ''].filter(Boolean).join('; ');
  return {
    rps: Number(rps[1]),
    p50Ms: toMs(p50[1], p50[2]),
    p99Ms: toMs(p99[1], p99[2]),
    requests: Number(total[1]),
    errors: non2xx + socketErrors,
    errorText,
  };
}

function wrkGenerator(wrk: string): LoadGenerator {
  return {
    name: `wrk (${wrk})`,
    async run({ url, connections, seconds, headers = {} }) {
      const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency'];
      for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
      args.push(url);
      const { code, stdout, stderr, generator } = await runGenerator(wrk, args);
      if (code !== 0) throw new Error(`wrk exited with ${code}: ${stderr || stdout}`);
      return { ...parseWrk(stdout), generator };
    },
  };
}

function nodeGenerator(): LoadGenerator {
  const script = path.join(import.meta.dirname, 'node-load.ts');
  return {
    name: 'node (bench/node-load.ts; install wrk for trustworthy numbers)',
    async run({ url, connections, seconds, headers = {} }) {
      const { code, stdout, stderr, generator } = await runGenerator(process.execPath, [script, url, String(connections), String(seconds), JSON.stringify(headers)]);
      if (code !== 0) throw new Error(`node-load exited with ${code}: ${stderr || stdout}`);
      return { ...(JSON.parse(stdout) as LoadResult), generator };
    },
  };
}

/** wrk when present (or BENCH_LOADGEN=wrk|node to choose); otherwise the Node fallback, loudly. */
export function pickLoadGenerator(): LoadGenerator {
  const wanted = process.env.BENCH_LOADGEN;
  const wrk = which('wrk');
  if (wanted === 'node') return nodeGenerator();
  if (wrk) return wrkGenerator(wrk);
  if (wanted === 'wrk') throw new Error('BENCH_LOADGEN=wrk but wrk is not installed: run `apt-get install wrk`.');
  process.stderr.write(
    '\n*** wrk is not installed: falling back to the Node load generator (bench/node-load.ts).\n' +
      '*** Its numbers are lower and noisier; for comparable results run `apt-get install wrk`.\n\n',
  );
  return nodeGenerator();
}
