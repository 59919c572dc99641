/**
 * The server of src/web/fair-start.test.ts, in a thread of its own so that its event loop is not the
 * test's. `/slow` spends `busyMs` of CPU, as rendering a page does, and answers how many
 * slow renders had started with it; `/fast` answers how many had started before it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Hono } from 'hono';
import type { AppEnv } from '../../src/web/context.ts';
import { PageCache } from '../../src/web/page-cache.ts';
import { createServer, listen } from '../../src/web/server.ts';

const { busyMs } = workerData as { busyMs: number };
let slowStarted = 0;
const app = new Hono<AppEnv>();
app.get('/slow', (c) => {
  const n = ++slowStarted;
  const until = performance.now() + busyMs;
  while (performance.now() < until);
  return c.text(String(n));
});
app.get('/fast', (c) => c.text(String(slowStarted)));

const server = createServer(app, new PageCache({ enabled: false }), 'http://127.0.0.1');
const address = await listen(server, 0, '127.0.0.1');
parentPort?.postMessage(address.port);
parentPort?.on('message', (message) => {
  if (message === 'stop') server.close(() => process.exit(0));
});
