/**
 * Tells every running instance that something changed (content, settings), so that
 * caches are cleared everywhere. The in-process feed serves a single instance; the
 * PostgreSQL feed (LISTEN/NOTIFY) reaches every instance sharing the database.
 */
export interface ChangeFeed {
  publish(topic: string): void;
  subscribe(listener: (topic: string) => void): () => void;
  close(): Promise<void>;
}

export class LocalChangeFeed implements ChangeFeed {
  private readonly listeners = new Set<(topic: string) => void>();

  publish(topic: string): void {
    for (const listener of this.listeners) listener(topic);
  }

  subscribe(listener: (topic: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
