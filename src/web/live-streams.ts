import type { SSEStreamingApi } from 'hono/streaming';

/**
 * The live comment streams one instance holds open: at most `max` (LIVE_STREAMS_MAX), so a
 * crowd of open pages cannot take every socket; all of them ended on shutdown, so that
 * browsers reconnect (with Last-Event-ID) to an instance that stays.
 */
export class LiveStreams {
  readonly max: number;
  private taken = 0;
  private readonly streams = new Set<SSEStreamingApi>();

  constructor(max: number) {
    this.max = max;
  }

  /** Streams open now. */
  get open(): number {
    return this.taken;
  }

  /** Takes a place for one stream (before answering), or null when every place is taken. */
  take(): { hold(stream: SSEStreamingApi): void; release(): void } | null {
    if (this.taken >= this.max) return null;
    this.taken++;
    let held: SSEStreamingApi | null = null;
    let released = false;
    return {
      hold: (stream) => {
        held = stream;
        this.streams.add(stream);
      },
      release: () => {
        if (released) return;
        released = true;
        this.taken--;
        if (held) this.streams.delete(held);
      },
    };
  }

  /** Ends every open stream (shutdown). */
  closeAll(): void {
    for (const stream of this.streams) stream.abort();
  }
}
