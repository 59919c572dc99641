/**
 * Fallback load generator, used only when wrk is absent: N keep-alive connections, each
 * sending the next GET as soon as the previous response ends (no pipelining).
 * Usage: node bench/node-load.ts URL CONNECTIONS SECONDS [HEADERS_JSON]. Prints JSON.
 */
import http from 'node:http';

const [url, connArg, secondsArg, headersArg] = process.argv.slice(2);
const connections = Number(connArg);
const seconds = Number(secondsArg);
const headers = headersArg ? (JSON.parse(headersArg) as Record<string, string>) : {};
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const latencies: number[] = [];
let errors = 0;
let bad = 0;

function once(): Promise<void> {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = http.get(url, { agent, headers }, (res) => {
      res.on('data', () => {});
      res.on('end', () => {
        latencies.push(performance.now() - started);
        if ((res.statusCode ?? 0) >= 400) bad++;
        resolve();
      });
    });
    req.on('error', () => {
      errors++;
      resolve();
    });
  });
}

const started = performance.now();
const end = started + seconds * 1000;
await Promise.all(
  Array.from({ length: connections }, async () => {
    while (performance.now() < end) await once();
  }),
);
const elapsed = (performance.now() - started) / 1000;
agent.destroy();
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
process.stdout.write(
  JSON.stringify({
    rps: latencies.length / elapsed,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    requests: latencies.length,
    errors: errors + bad,
    errorText: errors + bad ? `${bad} non-2xx/3xx; ${errors} socket errors` : '',
  }),
);
