import { crc32 } from 'node:zlib';
import { chooseEncoding, compressSync, gzipHoleParts, gzipWithHole, isCompressible, MIN_BYTES, type Encoding, type GzipWithHole } from './compression.ts';

/**
 * A part of a cached page that must be fresh on every response: the comment form's
 * signed token, which records when the form was served. The rest of the page is shared.
 */
export interface PageHole {
  /** The text as rendered into the page (found in the body when the page is stored). */
  text: string;
  /** Makes the fresh text for a response. */
  fill: (now: number) => string;
}

export interface CachedPage {
  body: Buffer;
  contentType: string;
  etag: string;
  lastModified: string;
  /** Extra headers the page was first served with (Link, Cache-Control…). */
  headers: Record<string, string>;
  hole: { offset: number; length: number; fill: (now: number) => string } | null;
  /** Compressed copies, made the first time a reader asks for each (see compression.ts). */
  compressed?: { br?: Buffer; gzip?: Buffer | GzipWithHole };
  /** The gzip parts made for the latest token (see `compressedParts`). */
  lastFill?: { text: string; parts: Buffer[] };
}

/**
 * The encoding to send a cached page in for a request's `Accept-Encoding`: none for small
 * pages and types that are not text; never brotli for a page with a hole (only gzip can be
 * joined around a fresh form token without compressing again).
 */
export function encodingFor(page: CachedPage, acceptEncoding: string | undefined | null): Encoding | null {
  if (!acceptEncoding || page.body.length < MIN_BYTES || !isCompressible(page.contentType)) return null;
  return chooseEncoding(acceptEncoding, page.hole === null);
}

/** The compressed body's bytes in order, with the hole filled in fresh. `PageCache.compress` must have made the variant. */
export function compressedParts(page: CachedPage, encoding: Encoding, now: number): Buffer[] {
  const variant = page.compressed?.[encoding];
  if (!variant) throw new Error(`no ${encoding} variant of this page`);
  if (Buffer.isBuffer(variant)) return [variant];
  // Readers served within the same tenth of a second share a token, so they share its parts too.
  const text = page.hole!.fill(now);
  const last = page.lastFill;
  if (last?.text === text) return last.parts;
  // Joined into one buffer (a few KB, ten times a second at most): each response is then one write.
  const parts = [Buffer.concat(gzipHoleParts(variant, Buffer.from(text)))];
  page.lastFill = { text, parts };
  return parts;
}

/** The body's bytes in order, with the hole filled in fresh (the prefix and suffix are not copied). */
export function bodyParts(page: CachedPage, now: number): Buffer[] {
  if (!page.hole) return [page.body];
  const { offset, length, fill } = page.hole;
  return [page.body.subarray(0, offset), Buffer.from(fill(now)), page.body.subarray(offset + length)];
}

/**
 * Rendered public pages for readers who are not signed in, keyed by path and query.
 * Any change to published content clears it (locally, and on other instances through
 * the change feed). Bounded by entry count and total bytes; the oldest entry goes first.
 */
export class PageCache {
  private readonly pages = new Map<string, CachedPage>();
  private bytes = 0;
  /** How many times the cache was cleared: a render started before a clear may hold what the change replaced. */
  private clears = 0;
  /** Pages being rendered for the cache, by key: readers who miss meanwhile wait for that render (`rendering`). */
  private readonly renders = new Map<string, Promise<CachedPage | undefined>>();
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  readonly enabled: boolean;

  constructor(options: { enabled: boolean; maxEntries?: number; maxBytes?: number }) {
    this.enabled = options.enabled;
    this.maxEntries = options.maxEntries ?? 2000;
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  }

  get(key: string): CachedPage | undefined {
    return this.enabled ? this.pages.get(key) : undefined;
  }

  /**
   * The render of `key` under way, if any: it resolves with the page once kept, or with
   * nothing when the render kept no page (an error, a page not to keep, a change meanwhile),
   * and then the waiting reader renders it themselves. When a change empties the cache, every
   * reader of a busy page misses at once; with this one renders it and the others get its
   * page, instead of each rendering the same page.
   */
  rendering(key: string): Promise<CachedPage | undefined> | undefined {
    return this.renders.get(key);
  }

  /** Registers a render of `key` (`rendering`); call the answer with the page kept, or with nothing. Only the first call counts. */
  beginRendering(key: string): (kept?: CachedPage) => void {
    let settle!: (page: CachedPage | undefined) => void;
    const render = new Promise<CachedPage | undefined>((resolve) => (settle = resolve));
    this.renders.set(key, render);
    let open = true;
    return (kept) => {
      if (!open) return;
      open = false;
      if (this.renders.get(key) === render) this.renders.delete(key);
      settle(kept);
    };
  }

  /** Taken before rendering a page, handed to `put`: whether a change came meanwhile. */
  mark(): number {
    return this.clears;
  }

  /**
   * The page as the cache would serve it; kept unless the cache is off, the page too big,
   * or the cache was cleared since `mark` (taken before rendering it): a change published
   * while the page was rendered may have come after what it read, and keeping it would
   * serve the old content until the next change.
   */
  put(key: string, body: Buffer, contentType: string, headers: Record<string, string>, now: number, hole?: PageHole, mark?: number): CachedPage {
    let found: CachedPage['hole'] = null;
    if (hole) {
      const offset = body.indexOf(hole.text);
      if (offset >= 0) found = { offset, length: Buffer.byteLength(hole.text), fill: hole.fill };
    }
    const page: CachedPage = { body, contentType, etag: etagFor(body), lastModified: new Date(now).toUTCString(), headers, hole: found };
    if (!this.enabled || body.length > this.maxBytes / 8 || (mark !== undefined && mark !== this.clears)) return page;
    this.delete(key);
    this.pages.set(key, page);
    this.bytes += body.length;
    while (this.pages.size > this.maxEntries || this.bytes > this.maxBytes) {
      const oldest = this.pages.keys().next().value;
      if (oldest === undefined) break;
      this.delete(oldest);
    }
    return page;
  }

  /**
   * Makes the page's variant in `encoding` unless it has it: compressed once, kept with the
   * page (and counted in the cache's bytes) until the page leaves the cache.
   */
  compress(key: string, page: CachedPage, encoding: Encoding): void {
    page.compressed ??= {};
    if (page.compressed[encoding]) return;
    let size: number;
    if (encoding === 'gzip' && page.hole) {
      const variant = gzipWithHole(page.body, page.hole.offset, page.hole.length);
      page.compressed.gzip = variant;
      size = variant.head.length + variant.tail.length;
    } else {
      const variant = compressSync(page.body, encoding);
      page.compressed[encoding] = variant;
      size = variant.length;
    }
    if (this.pages.get(key) === page) this.bytes += size;
  }

  private delete(key: string): void {
    const old = this.pages.get(key);
    if (old) {
      this.bytes -= old.body.length + compressedSize(old);
      this.pages.delete(key);
    }
  }

  clear(): void {
    this.pages.clear();
    this.bytes = 0;
    this.clears++;
  }

  get size(): number {
    return this.pages.size;
  }
}

function compressedSize(page: CachedPage): number {
  let n = 0;
  for (const variant of Object.values(page.compressed ?? {})) n += Buffer.isBuffer(variant) ? variant.length : variant.head.length + variant.tail.length;
  return n;
}

/**
 * A validator for a page body: CRC-32 and length. It only has to tell versions of the same
 * URL apart (nginx uses mtime and size), and CRC-32 runs at memory speed where a
 * cryptographic hash of a 200 KB page costs a fifth of the request.
 */
export function etagFor(body: Buffer | string): string {
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  return `"${crc32(body).toString(36)}-${length.toString(36)}"`;
}

/** True when an If-None-Match header names `etag` (weak comparison, as RFC 9110 asks for GET). */
export function matchesEtag(ifNoneMatch: string | undefined | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === bare);
}

/**
 * True when a conditional GET may be answered 304: If-None-Match decides when present
 * (RFC 9110 13.2.2); otherwise If-Modified-Since at or after the page's Last-Modified.
 */
export function notModified(page: Pick<CachedPage, 'etag' | 'lastModified'>, ifNoneMatch: string | undefined | null, ifModifiedSince: string | undefined | null): boolean {
  if (ifNoneMatch) return matchesEtag(ifNoneMatch, page.etag);
  if (!ifModifiedSince) return false;
  const since = Date.parse(ifModifiedSince);
  return Number.isFinite(since) && since >= Date.parse(page.lastModified);
}
