/**
 * Workload (e)'s comment poster, in its own process: N keep-alive connections, each
 * POSTing the next comment as soon as the previous answer ends. Every request is a new
 * reader (its own X-Forwarded-For address and email), so the per-IP and per-email rate
 * limits never trigger and the server itself is what gets measured (run Kumbaya with
 * TRUST_PROXY=true). At the deadline no new request starts and every request in flight is
 * waited for, so the count of 201 answers can be compared exactly with what was stored.
 *
 * Usage: node bench/post-load.ts '<json options>' (see PostLoadOptions). Prints JSON (PostLoadResult).
 */
import http from 'node:http';
import { commentMarkdown, int, mulberry32 } from './text.ts';

export interface PostLoadOptions {
  /** http://host:port (no path). */
  base: string;
  postId: number;
  /** A form token issued for `postId` at least 3 s before the first request. */
  formToken: string;
  connections: number;
  seconds: number;
  /** First reader number: distinct runs use disjoint ranges so no address or email repeats. */
  firstReader: number;
}

export interface PostLoadResult {
  /** Answered requests (every status). */
  requests: number;
  /** Seconds from the first request to the last answer (the drain included). */
  elapsedSeconds: number;
  /** 201 answers per second. */
  acceptedPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers by HTTP status. */
  statuses: Record<string, number>;
  /** Ids of the comments the 201 answers reported. */
  ids: number[];
  /** Their status as the answer gave it ('approved' or 'pending'). */
  answered: Record<string, number>;
  socketErrors: number;
  /** First few non-201 answers or socket errors, for the log. */
  samples: string[];
  /** Next unused reader number. */
  nextReader: number;
}

/** 10.a.b.c from a reader number (16.7 M distinct addresses). */
export function readerAddress(n: number): string {
  return `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as PostLoadOptions;
  const { base, postId, formToken, connections, seconds } = options;
  const target = new URL('/comments', base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });

  // Realistic bodies (30–120 words, the odd link, list or quote), prepared before the clock starts.
  const rng = mulberry32(4242);
  const bodies = Array.from({ length: 97 }, () => commentMarkdown(rng, int(rng, 30, 118)));

  let reader = options.firstReader;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const answered: Record<string, number> = {};
  const ids: number[] = [];
  const samples: string[] = [];
  let socketErrors = 0;

  function once(): Promise<void> {
    const n = reader++;
    const body = JSON.stringify({
      postId,
      parentId: null,
      name: `Reader ${n}`,
      email: `reader-${n}@bench.example`,
      website: '',
      body: bodies[n % bodies.length],
      honeypot: '',
      formToken,
      subscribeReplies: false,
      subscribePost: false,
    });
    const headers = {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'Content-Length': String(Buffer.byteLength(body)),
      'X-Forwarded-For': readerAddress(n),
      'User-Agent': 'kumbaya-bench/post-load',
    };
    return new Promise((resolve) => {
      const started = performance.now();
      const req = http.request(target, { method: 'POST', agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          latencies.push(performance.now() - started);
          const status = res.statusCode ?? 0;
          statuses[status] = (statuses[status] ?? 0) + 1;
          const text = Buffer.concat(chunks).toString('utf8');
          if (status === 201) {
            try {
              const answer = JSON.parse(text) as { comment?: { id?: number; status?: string } };
              if (typeof answer.comment?.id === 'number') ids.push(answer.comment.id);
              const s = answer.comment?.status ?? 'unknown';
              answered[s] = (answered[s] ?? 0) + 1;
            } catch {
              if (samples.length < 5) samples.push(`201 with a body that is not JSON: ${text.slice(0, 200)}`);
            }
          } else if (samples.length < 5) {
            samples.push(`${status}: ${text.slice(0, 200)}`);
          }
          resolve();
        });
        res.on('error', () => {
          socketErrors++;
          resolve();
        });
      });
      req.on('error', (error) => {
        socketErrors++;
        if (samples.length < 5) samples.push(`socket: ${error.message}`);
        resolve();
      });
      req.end(body);
    });
  }

  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) await once();
    }),
  );
  const elapsedSeconds = (performance.now() - started) / 1000;
  agent.destroy();
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const result: PostLoadResult = {
    requests: latencies.length,
    elapsedSeconds,
    acceptedPerSecond: (statuses['201'] ?? 0) / elapsedSeconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    statuses,
    ids,
    answered,
    socketErrors,
    samples,
    nextReader: reader,
  };
  process.stdout.write(JSON.stringify(result));
}

if (import.meta.main) await main();
