/** One server-sent event as a browser's EventSource would see it. */
export interface SseEvent {
  event: string;
  id: string | null;
  data: string;
}

/**
 * Reads a `text/event-stream` response as it arrives: every event in order, and a way to
 * wait for the one a test expects. `close()` hangs up, as a browser leaving the page does.
 */
export class SseReader {
  readonly events: SseEvent[] = [];
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private buffer = '';
  private ended = false;
  private readonly waiters = new Set<() => void>();

  constructor(res: Response) {
    if (!res.body) throw new Error(`no stream: ${res.status}`);
    this.reader = res.body.getReader();
    void this.pump();
  }

  private async pump(): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await this.reader.read();
        if (done) break;
        this.buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = this.buffer.indexOf('\n\n')) >= 0) {
          const block = this.buffer.slice(0, end);
          this.buffer = this.buffer.slice(end + 2);
          const event: SseEvent = { event: 'message', id: null, data: '' };
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'event') event.event = value;
            else if (field === 'id') event.id = value;
            else if (field === 'data') event.data += (event.data ? '\n' : '') + value;
          }
          this.events.push(event);
        }
        for (const wake of this.waiters) wake();
      }
    } catch {
      // Hung up.
    } finally {
      this.ended = true;
      for (const wake of this.waiters) wake();
    }
  }

  /** The first event (in arrival order, from `from` on) that `match` accepts; waits up to `ms`. */
  async waitFor(match: (event: SseEvent) => boolean, ms = 20_000, from = 0): Promise<SseEvent> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.events.slice(from).find(match);
      if (found) return found;
      if (this.ended) throw new Error(`the stream ended without the event; got ${JSON.stringify(this.events)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no such event within ${ms} ms; got ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  /** The id the browser would send back as Last-Event-ID: the last id the stream wrote. */
  get lastEventId(): string | null {
    for (let i = this.events.length - 1; i >= 0; i--) if (this.events[i].id !== null) return this.events[i].id;
    return null;
  }

  /** Waits until the server ends the stream. */
  async untilEnded(): Promise<void> {
    while (!this.ended) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  async close(): Promise<void> {
    await this.reader.cancel().catch(() => {});
  }
}
