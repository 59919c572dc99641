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
 * Both are the main thread's (its event loop, the HTTP server's requests): one server per
 * process. The delivery thread reads them from shared memory (federation/delivery-thread.ts).
 */
const STRETCH_MS = 50;
/** Above this share of busy event loop, the loop is busy. */
const BUSY_SHARE = 0.5;
/** Requests a second from which readers are busy: far above a blog's usual traffic, what a burst of attention or a load test brings. */
export const READERS_BUSY_PER_SECOND = 200;

/** A yes/no measured over the stretch since it was last measured, at most every `STRETCH_MS`; the answer holds in between. */
function everyStretch(measure: (elapsedMs: number) => boolean): () => boolean {
  let at = performance.now();
  let answer = false;
  return () => {
    const now = performance.now();
    if (now - at >= STRETCH_MS) {
      answer = measure(now - at);
      at = now;
    }
    return answer;
  };
}

let loopMark = performance.eventLoopUtilization();

/** Whether this process's event loop has been busy more than half the time since it was last measured (at most every 50 ms). */
export const loopBusy = everyStretch(() => {
  const stretch = performance.eventLoopUtilization(loopMark);
  loopMark = performance.eventLoopUtilization();
  return stretch.utilization > BUSY_SHARE;
});

let arrivals = 0;

/** Counts a request as it arrives (the HTTP server calls it for every request). */
export function noteRequest(): void {
  arrivals++;
}

/** Whether requests arrived at `READERS_BUSY_PER_SECOND` or more since this was last measured (at most every 50 ms). */
export const readersBusy = everyStretch((elapsedMs) => {
  const busy = (arrivals * 1000) / elapsedMs >= READERS_BUSY_PER_SECOND;
  arrivals = 0;
  return busy;
});
