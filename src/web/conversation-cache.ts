/**
 * The rendered conversation (comment section) of each post, as UTF-8 bytes, for every
 * reader: it holds nothing viewer-specific. Any published change clears it, like the
 * page cache; unlike the page cache it also serves signed-in users and stays on when
 * PAGE_CACHE=false, because a thread of hundreds of comments is the expensive part of
 * a post page. Bounded by total bytes; the oldest entry goes first.
 *
 * It also keeps the data the rest of a post page is made from (the post, its author, its
 * verified mentions: `postData`), so a post page rendered per request reads nothing from
 * the database. Same rule: any published change clears it.
 */
export interface CachedConversation {
  bytes: Uint8Array;
  /** Approved comments on the post. */
  total: number;
}

/** Posts whose page data is kept at most; the oldest goes first. */
const MAX_POSTS = 1000;

export class ConversationCache {
  private readonly entries = new Map<string, CachedConversation>();
  private readonly data = new Map<string, Promise<unknown>>();
  private bytes = 0;
  /** How many times the cache was cleared (see `mark`). */
  private clears = 0;
  readonly enabled: boolean;
  private readonly maxBytes: number;

  constructor(options: { enabled: boolean; maxBytes?: number }) {
    this.enabled = options.enabled;
    this.maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  }

  get(key: string): CachedConversation | undefined {
    return this.enabled ? this.entries.get(key) : undefined;
  }

  /** Taken before reading what a conversation is rendered from, handed to `put`. */
  mark(): number {
    return this.clears;
  }

  /** Keeps the rendered conversation, unless the cache was cleared since `mark`: a change published meanwhile may not be in it. */
  put(key: string, entry: CachedConversation, mark: number): void {
    if (!this.enabled || entry.bytes.length > this.maxBytes / 4 || mark !== this.clears) return;
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

  /** What `load` found for `key` (found things only), read once until a change is published. */
  async postData<T>(key: string, load: () => Promise<T | null>): Promise<T | null> {
    if (!this.enabled) return load();
    const known = this.data.get(key) as Promise<T | null> | undefined;
    if (known) return known;
    const loading = load();
    this.data.set(key, loading);
    if (this.data.size > MAX_POSTS) this.data.delete(this.data.keys().next().value!);
    try {
      const found = await loading;
      // Not found: not remembered (the slug may be taken next).
      if (found === null && this.data.get(key) === loading) this.data.delete(key);
      return found;
    } catch (error) {
      if (this.data.get(key) === loading) this.data.delete(key);
      throw error;
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
    this.data.clear();
    this.clears++;
  }
}
