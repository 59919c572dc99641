/**
 * A server that is nothing but a fixed cost per request: node:http, a busy loop of BUSY_MS
 * milliseconds of CPU, then BODY_BYTES bytes. It shows what a load generator reports for
 * any server that spends that much CPU per answer at saturation, Kumbaya's code aside: with
 * 32 connections and 1.6 ms per answer (a0's figure), wrk reported a p99 about ten times the
 * p50, as it did for a0, because Node accepts one connection per turn of its event loop and
 * each turn ran every request read (bench/README.md, "Why a0's p99 was ten times its p50").
 * With `fair`, the handler runs behind Kumbaya's FairStart queue (src/web/server.ts).
 *
 *   node bench/saturated-server.ts [BUSY_MS=1.6] [BODY_BYTES=295000] [PORT=3990] [fair]
 *   wrk -t1 -c32 -d10s --latency http://127.0.0.1:3990/
 *   node bench/node-load.ts http://127.0.0.1:3990/ 32 10
 *
 * Every 3 s it prints, per connection, the longest wait between finishing an answer and
 * receiving the next request on it: how long a client waited, as the server saw it.
 */
import http from 'node:http';
import { FairStart } from '../src/web/server.ts';

const busyMs = Number(process.argv[2] ?? 1.6);
const body = Buffer.alloc(Number(process.argv[3] ?? 295_000), 'x');
const port = Number(process.argv[4] ?? 3990);
const fair = process.argv[5] === 'fair' ? new FairStart() : null;

const lastAnswered = new WeakMap<object, number>();
let waits: number[] = [];

http
  .createServer((req, res) => (fair ? fair.enqueue(() => answer(req, res)) : answer(req, res)))
  .listen(port, '127.0.0.1', () => process.stderr.write(`http://127.0.0.1:${port}/: ${busyMs} ms of CPU and ${body.length} bytes per answer${fair ? ', behind FairStart' : ''}\n`));

function answer(req: http.IncomingMessage, res: http.ServerResponse): void {
  const now = performance.now();
  const previous = lastAnswered.get(req.socket);
  if (previous !== undefined) waits.push(now - previous);
  while (performance.now() - now < busyMs);
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': body.length });
  res.end(body, () => lastAnswered.set(req.socket, performance.now()));
}

setInterval(() => {
  if (waits.length === 0) return;
  const sorted = waits.sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(1);
  process.stderr.write(`${sorted.length} requests: answer → next request on the same connection p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms\n`);
  waits = [];
}, 3000).unref();
