import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Config } from '../../config/config.ts';
import { loopBusy, readersBusy } from '../process-load.ts';

/**
 * The fediverse's deliveries run in a thread of their own (a worker thread, started on the
 * first delivery): a post's change made into Fedify's fan-out, the fan-out split per
 * server, each delivery signed and sent, gone followers pruned. Their CPU, their garbage
 * and its collection stay off the main thread, whose event loop serves the pages: a
 * fan-out to a thousand servers used to hold the readers' requests behind its steps and
 * its collections (bench/README.md, "(i)"). The thread opens its own connection to the
 * same database and takes only deliveries from the queue (`claims: 'deliveries'`); the
 * main thread keeps the received activities, which need the whole core (comments, people).
 *
 * The two share what the queue needs to yield to readers: the main thread writes whether
 * its loop is busy and whether readers arrive fast (process-load.ts) into shared memory
 * every `BUSY_EVERY_MS`, and the thread's queue reads them. On Linux the thread also runs
 * at a lower CPU priority (nice `DELIVERY_NICE`), so when both CPUs are wanted the
 * scheduler prefers the pages.
 */
export interface DeliveryThreadData {
  config: Config;
  /** The PostgreSQL schema (tests and the bench give instances their own). */
  pgSchema?: string;
  /** The actor's icon (the favicon's fingerprinted address). */
  iconUrl: string;
  version: string;
  /** `Int32Array` of two flags the main thread keeps current: its loop is busy, readers arrive fast. */
  busy: SharedArrayBuffer;
}

/** Indexes of the flags in `DeliveryThreadData.busy`. */
export const LOOP_BUSY = 0;
export const READERS_BUSY = 1;
/** How often the main thread writes the flags (the queue measures stretches of 50 ms). */
const BUSY_EVERY_MS = 25;
/** PostgreSQL connections the thread opens at most (its queue keeps up to 4 messages in hand). */
export const DELIVERY_CONNECTIONS = 4;
/** The thread's nice value (0 is the main thread's; 19 the least). */
export const DELIVERY_NICE = 10;
/** How long `stop` waits for the messages in hand before ending the thread anyway. */
const STOP_WAIT_MS = 10_000;

/** Messages from the main thread to the delivery thread. */
export type ToDeliveryThread = 'wake' | 'stop';

export class DeliveryThread {
  private readonly data: Omit<DeliveryThreadData, 'busy'>;
  private readonly logger: Logger;
  private readonly flags = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  private worker: Worker | null = null;
  private exited: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(data: Omit<DeliveryThreadData, 'busy'>, logger: Logger) {
    this.data = data;
    this.logger = logger;
  }

  /** Whether the thread is running (tests, start-up measurements). */
  get running(): boolean {
    return this.worker !== null;
  }

  /** There are deliveries to make: starts the thread if it is not running, or wakes its listener. */
  wake(): void {
    if (this.stopped) return;
    if (this.worker) this.send('wake');
    else {
      try {
        this.start();
      } catch (error) {
        // What woke it (an enqueue) has written its rows: they wait for the next wake or start-up.
        this.logger.error({ err: error }, 'fediverse: the delivery thread could not start');
      }
    }
  }

  private start(): void {
    const data: DeliveryThreadData = { ...this.data, busy: this.flags.buffer as SharedArrayBuffer };
    const worker = new Worker(new URL('./delivery-worker.js', import.meta.url), { workerData: data, name: 'kumbaya-deliveries' });
    this.worker = worker;
    // The server keeps the process alive; a command or a test that forgets `stop` still ends.
    worker.unref();
    const publish = () => {
      Atomics.store(this.flags, LOOP_BUSY, loopBusy() ? 1 : 0);
      Atomics.store(this.flags, READERS_BUSY, readersBusy() ? 1 : 0);
    };
    publish();
    this.timer = setInterval(publish, BUSY_EVERY_MS).unref();
    worker.on('error', (error) => this.logger.error({ err: error }, 'fediverse: the delivery thread failed; it starts again with the next delivery'));
    this.exited = new Promise((resolve) =>
      worker.once('exit', (code) => {
        if (this.worker === worker) this.worker = null;
        if (this.timer) clearInterval(this.timer);
        this.timer = null;
        if (code !== 0 && !this.stopped) this.logger.error({ code }, 'fediverse: the delivery thread ended');
        resolve();
      }),
    );
  }

  private send(message: ToDeliveryThread): void {
    this.worker?.postMessage(message);
  }

  /** Stops the thread after the deliveries in hand (waiting at most `STOP_WAIT_MS`), and starts none again. */
  async stop(): Promise<void> {
    this.stopped = true;
    const worker = this.worker;
    if (!worker) return;
    this.send('stop');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), STOP_WAIT_MS);
    });
    if ((await Promise.race([this.exited, late])) === 'late') await worker.terminate();
    clearTimeout(timer);
    await this.exited;
  }
}
