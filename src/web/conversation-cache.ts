/**
 * The rendered conversation (comment section) of each post, as UTF-8 bytes, for every
 * reader: it holds nothing viewer-specific. Any published change clears it, like the
 * page cache; unlike the page cache it also serves signed-in users and stays on when
 * PAGE_CACHE=false, because a thread of hundreds of comments is the expensive part of
 * a post page. Bounded by total bytes; the oldest entry goes first.
 */
export interface CachedConversation {
  bytes: Uint8Array;
  /** Approved comments on the post. */
  total: number;
}

export class ConversationCache {
  private readonly entries = new Map<string, CachedConversation>();
  private bytes = 0;
  readonly enabled: boolean;
  private readonly maxBytes: number;

  constructor(options: { enabled: boolean; maxBytes?: number }) {
    this.enabled = options.enabled;
    this.maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  }

  get(key: string): CachedConversation | undefined {
    return this.enabled ? this.entries.get(key) : undefined;
  }

  put(key: string, entry: CachedConversation): void {
    if (!this.enabled || entry.bytes.length > this.maxBytes / 4) return;
    this.delete(key);
    this.entries.set(key, entry);
    this.bytes += entry.bytes.length;
    while (this.bytes > this.maxBytes) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.delete(oldest);
    }
  }

  private delete(key: string): void {
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.bytes.length;
      this.entries.delete(key);
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}
