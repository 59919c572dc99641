import assert from 'node:assert/strict';
import http from 'node:http';
import { Worker } from 'node:worker_threads';
import { after, before, describe, it } from 'node:test';
import { FairStart } from './server.ts';

describe('FairStart', () => {
  it('starts in order; what is left once a turn has spent its budget waits for the next turn, with I/O between', async () => {
    const fair = new FairStart(2);
    const seen: string[] = [];
    await new Promise<void>((resolve) => {
      fair.enqueue(() => {
        seen.push('a');
        // Due while `a` runs (5 ms, over the budget): the loop reaches it before `b` starts.
        setTimeout(() => seen.push('timer'), 0);
        const until = performance.now() + 5;
        while (performance.now() < until);
      });
      fair.enqueue(() => {
        seen.push('b');
        // Queued for the turn after b's: c, quick, starts in b's turn, before this.
        setImmediate(() => {
          seen.push('turn after b');
          resolve();
        });
      });
      fair.enqueue(() => seen.push('c'));
      assert.equal(fair.length, 3);
    });
    assert.deepEqual(seen, ['a', 'timer', 'b', 'c', 'turn after b']);
    assert.equal(fair.length, 0);
  });
});

/**
 * A busy server still takes new visitors promptly. Node accepts one connection per turn of its
 * event loop; when a turn ran the renders of every busy connection, the n-th new connection
 * waited n such turns before its request was even read. Eight kept-alive connections keep the
 * server rendering (10 ms of CPU each); sixteen new readers then connect at once. Counted in
 * renders, not in time: each new reader's request must start after the renders queued ahead
 * of it, not after one round per reader ahead of it (16 × 8 = 128 for the last).
 */
describe('a server busy rendering pages', () => {
  const BUSY = 8;
  const NEW = 16;
  let worker: Worker;
  let port: number;
  before(async () => {
    worker = new Worker(new URL('../../test/helpers/fair-start-server.ts', import.meta.url), { workerData: { busyMs: 10 } });
    port = await new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  });
  after(async () => {
    worker.postMessage('stop');
    await new Promise((resolve) => worker.once('exit', resolve));
  });

  const get = (path: string, agent: http.Agent | false): Promise<string> =>
    new Promise((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path, agent }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve(body));
        })
        .on('error', reject);
    });

  it('starts new connections’ requests after a few rounds of renders, not one round per connection ahead', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: BUSY });
    let running = true;
    let lastSlow = 0;
    const busy = Array.from({ length: BUSY }, async () => {
      while (running) lastSlow = Math.max(lastSlow, Number(await get('/slow', agent)));
    });
    // Every busy connection is open and the server renders nonstop.
    while (lastSlow < BUSY * 4) await new Promise((resolve) => setTimeout(resolve, 10));
    const before = lastSlow;
    const waited = await Promise.all(Array.from({ length: NEW }, async () => Number(await get('/fast', false)) - before));
    running = false;
    await Promise.all(busy);
    agent.destroy();
    // Each new request waits for a round of the busy connections' renders and for the new
    // connections accepted before it, one render (one turn) each: 8 + 16 = 24 for the last,
    // measured 9–24; without the queue 18–130. The margin is for a test process slowed down.
    const most = Math.max(...waited);
    assert.ok(most <= 3 * BUSY + NEW, `the last new reader's request started after ${most} renders (${waited.join(', ')})`);
  });
});
