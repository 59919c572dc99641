import { performance } from 'node:perf_hooks';

/**
 * How busy this process is with readers, for work that should yield to them (fediverse
 * deliveries: see `KyselyMessageQueue.listen`). Two signals, each measured over stretches of
 * at least `STRETCH_MS`:
 * - `loopBusy`: the event loop ran more than half of the stretch (pages that cost CPU, or
 *   deliveries that are all CPU);
 * - `readersBusy`: requests arrived at `READERS_BUSY_PER_SECOND` or more (cheap cached pages
 *   leave the loop mostly idle, but a fan-out at full speed still takes the CPUs their answers
 *   need: signing threads, the database, the connections).
 * Both are for the whole process: one server, one queue per process.
 */
const STRETCH_MS = 50;
/** Above this share of busy event loop, the loop is busy. */
const BUSY_SHARE = 0.5;
/** Requests a second from which readers are busy: far above a blog's usual traffic, what a burst of attention or a load test brings. */
export const READERS_BUSY_PER_SECOND = 200;

let loop = { at: performance.now(), mark: performance.eventLoopUtilization(), busy: false };

/** Whether this process's event loop has been busy more than half the time since it was last measured (at most every 50 ms). */
export function loopBusy(): boolean {
  const now = performance.now();
  if (now - loop.at >= STRETCH_MS) {
    const stretch = performance.eventLoopUtilization(loop.mark);
    loop = { at: now, mark: performance.eventLoopUtilization(), busy: stretch.utilization > BUSY_SHARE };
  }
  return loop.busy;
}

let arrivals = 0;
let readers = { at: performance.now(), busy: false };

/** Counts a request as it arrives (the HTTP server calls it for every request). */
export function noteRequest(): void {
  arrivals++;
}

/** Whether requests arrived at `READERS_BUSY_PER_SECOND` or more since this was last measured (at most every 50 ms). */
export function readersBusy(): boolean {
  const now = performance.now();
  const elapsed = now - readers.at;
  if (elapsed >= STRETCH_MS) {
    readers = { at: now, busy: (arrivals * 1000) / elapsed >= READERS_BUSY_PER_SECOND };
    arrivals = 0;
  }
  return readers.busy;
}
