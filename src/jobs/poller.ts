/**
 * The loop behind the background workers (mail outbox, job queue): one round now and then
 * every `intervalMs`, `wake()` for a round at once, and never two rounds at a time — a
 * call during a round shares it, and a wake during a round runs one more after it.
 */
export class Poller<T> {
  private readonly round: () => Promise<T>;
  private readonly intervalMs: number;
  private poll: NodeJS.Timeout | null = null;
  private running: Promise<T> | null = null;
  private again = false;
  private halted: boolean;

  /** `idleUntilStarted`: a wake before `start()` does nothing (else it runs a round). */
  constructor(round: () => Promise<T>, intervalMs: number, options: { idleUntilStarted: boolean }) {
    this.round = round;
    this.intervalMs = intervalMs;
    this.halted = options.idleUntilStarted;
  }

  /** True once stopped (or before the first start, when idle until started): long rounds check it to end early. */
  get stopped(): boolean {
    return this.halted;
  }

  start(): void {
    this.halted = false;
    void this.tick();
    this.poll = setInterval(() => void this.tick(), this.intervalMs);
    this.poll.unref();
  }

  wake(): void {
    if (this.halted) return;
    if (this.running) this.again = true;
    else void this.tick();
  }

  /** One round; concurrent calls share the round in progress. */
  tick(): Promise<T> {
    this.running ??= this.round().finally(() => {
      this.running = null;
      if (this.again && !this.halted) {
        this.again = false;
        void this.tick();
      }
    });
    return this.running;
  }

  /** Stops polling and waits for the round in progress. */
  async stop(): Promise<void> {
    this.halted = true;
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
    await this.running;
  }
}
