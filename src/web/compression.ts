import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { MiddlewareHandler } from 'hono';
import { remembered } from '../core/remembered.ts';
import type { AppEnv } from './context.ts';

/**
 * Compression of text responses by `Accept-Encoding` (brotli or gzip, node:zlib).
 *
 * - Dynamic responses are compressed per request on libuv's thread pool, with settings
 *   chosen for speed (brotli quality 4, gzip level 5).
 * - Cached pages (page-cache.ts) are compressed once and keep their compressed bytes.
 *   A page with a per-request hole (the comment form's token) keeps a gzip variant made of
 *   joined segments: the deflated bytes before the hole, the fresh token as a stored
 *   deflate block written per response, the deflated bytes after it, and a CRC-32 combined
 *   from the parts' CRCs (`gzipWithHole`, `gzipHoleParts`). Brotli cannot be joined that
 *   way, so such a page is offered as gzip even to a browser that also accepts br.
 * - Not compressed: bodies under `MIN_BYTES`, server-sent events, types that are not text
 *   (images, archives: already compressed), responses that already have an encoding or say
 *   `no-transform`.
 */

export type Encoding = 'br' | 'gzip';

/** Below this, the headers and the stream's framing cost more than compression saves. */
export const MIN_BYTES = 1024;

/** Text the server sends: HTML, CSS, JavaScript, JSON, feeds, XML, SVG, plain text. */
const compressibleType = /^(?:text\/(?!event-stream)[\w.+-]+|application\/(?:[\w.+-]+\+)?(?:json|xml)|application\/(?:javascript|manifest\+json)|image\/svg\+xml)\s*(?:;|$)/i;

export function isCompressible(contentType: string | null | undefined): boolean {
  return !!contentType && compressibleType.test(contentType);
}

/**
 * The encoding to use for a request's `Accept-Encoding`: brotli when accepted (and
 * `brotli` allows it), else gzip, else none. `q=0` refuses a coding; `*` stands for any
 * coding not named.
 */
export function chooseEncoding(acceptEncoding: string | null | undefined, brotli = true): Encoding | null {
  if (!acceptEncoding) return null;
  return (brotli ? chosenWithBrotli : chosenWithoutBrotli)(acceptEncoding);
}

// Browsers send one of a few strings: each is read once.
const chosenWithBrotli = remembered((accept: string) => parseAcceptEncoding(accept, true), 200);
const chosenWithoutBrotli = remembered((accept: string) => parseAcceptEncoding(accept, false), 200);

function parseAcceptEncoding(acceptEncoding: string, brotli: boolean): Encoding | null {
  let br = 0;
  let gzip = 0;
  let star = -1;
  let namedBr = false;
  let namedGzip = false;
  for (const part of acceptEncoding.split(',')) {
    const [rawName, ...params] = part.split(';');
    const name = rawName.trim().toLowerCase();
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m) q = Number(m[1]);
    }
    if (!Number.isFinite(q)) q = 0;
    if (name === 'br') {
      br = q;
      namedBr = true;
    } else if (name === 'gzip' || name === 'x-gzip') {
      gzip = Math.max(gzip, q);
      namedGzip = true;
    } else if (name === '*') star = q;
  }
  if (star >= 0) {
    if (!namedBr) br = star;
    if (!namedGzip) gzip = star;
  }
  if (brotli && br > 0 && br >= gzip) return 'br';
  if (gzip > 0) return 'gzip';
  if (brotli && br > 0) return 'br';
  return null;
}

const brotliAsync = promisify(zlib.brotliCompress);
const gzipAsync = promisify(zlib.gzip);

function brotliParams(quality: number, size: number): zlib.BrotliOptions {
  return {
    params: {
      [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
      [zlib.constants.BROTLI_PARAM_QUALITY]: quality,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: size,
    },
  };
}

/** Per request: fast settings (brotli 4 is as fast as gzip 5 and smaller). */
export const DYNAMIC = { brotliQuality: 4, gzipLevel: 5 };
/** Once per cached page: smaller output, still a few milliseconds for a 200 KB page. */
export const CACHED = { brotliQuality: 6, gzipLevel: 6 };

/** Compresses a whole body on the thread pool. */
export function compressAsync(body: Uint8Array, encoding: Encoding): Promise<Buffer> {
  return encoding === 'br' ? brotliAsync(body, brotliParams(DYNAMIC.brotliQuality, body.length)) : gzipAsync(body, { level: DYNAMIC.gzipLevel });
}

/** Compresses a whole body at once (a cached page, compressed once). */
export function compressSync(body: Uint8Array, encoding: Encoding): Buffer {
  return encoding === 'br' ? zlib.brotliCompressSync(body, brotliParams(CACHED.brotliQuality, body.length)) : zlib.gzipSync(body, { level: CACHED.gzipLevel });
}

/** A strong validator made weak: compressed bytes are a different representation of the same content. */
export function weakEtag(etag: string): string {
  return etag.startsWith('W/') ? etag : `W/${etag}`;
}

/** `Vary` with `Accept-Encoding` added (once). */
export function varyWithEncoding(vary: string | null | undefined): string {
  if (!vary) return 'Accept-Encoding';
  if (/(?:^|,)\s*(?:accept-encoding|\*)\s*(?:,|$)/i.test(vary)) return vary;
  return `${vary}, Accept-Encoding`;
}

/**
 * Compresses the app's text responses for clients that accept brotli or gzip. Responses
 * already compressed (page-cache hits answered by server.ts never get here) are left alone.
 */
export const compressResponses: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  if (c.req.method === 'HEAD') return;
  const res = c.res;
  // Status and headers first, the body last: on @hono/node-server, asking for `res.body`
  // turns a response made from a string into a web Response (the string converted and
  // encoded, then read back as a stream) where it would otherwise be written as it is.
  if (res.status < 200 || res.status === 204 || res.status === 206 || res.status === 304) return;
  const type = res.headers.get('content-type');
  if (!isCompressible(type) || res.headers.has('content-encoding') || /\bno-transform\b/i.test(res.headers.get('cache-control') ?? '')) return;
  const declared = res.headers.get('content-length');
  if (declared !== null && Number(declared) < MIN_BYTES) return;
  const encoding = chooseEncoding(c.req.header('accept-encoding'));
  if (!encoding) {
    // Sent as it is to this client, compressed to others: caches in front must tell them apart.
    // (A compressible type with no body says so too: nothing is wrong in that.)
    res.headers.set('Vary', varyWithEncoding(res.headers.get('vary')));
    return;
  }
  if (!res.body) return;
  const body = new Uint8Array(await res.arrayBuffer());
  const headers = new Headers(res.headers);
  if (body.length < MIN_BYTES) {
    c.res = undefined;
    c.res = new Response(body as Uint8Array<ArrayBuffer>, { status: res.status, statusText: res.statusText, headers });
    return;
  }
  const compressed = await compressAsync(body, encoding);
  headers.set('Content-Encoding', encoding);
  headers.set('Content-Length', String(compressed.length));
  headers.set('Vary', varyWithEncoding(headers.get('vary')));
  const etag = headers.get('etag');
  if (etag) headers.set('ETag', weakEtag(etag));
  // Clear first: assigning over an existing c.res makes Hono merge the old headers back in.
  c.res = undefined;
  c.res = new Response(new Uint8Array(compressed.buffer as ArrayBuffer, compressed.byteOffset, compressed.length), { status: res.status, statusText: res.statusText, headers });
};

// ---------------------------------------------------------------------------------------
// gzip around a hole: CRC-32 arithmetic (polynomial 0xEDB88320, bit-reflected: the most
// significant bit is the coefficient of x^0).

const POLY = 0xedb88320;

/** a·b mod P, both polynomials in CRC-32's reflected representation. */
function multModP(a: number, b: number): number {
  let product = 0;
  for (let m = 0x80000000; m !== 0; m >>>= 1) {
    if (a & m) {
      product ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return product >>> 0;
}

/** x^(8·n) mod P: the operator that moves a CRC past n more bytes. */
export function byteShift(n: number): number {
  let result = 0x80000000; // x^0
  let square = 0x00800000; // x^8
  while (n > 0) {
    if (n & 1) result = multModP(result, square);
    square = multModP(square, square);
    n = Math.floor(n / 2);
  }
  return result;
}

/** The CRC-32 of A followed by B, from crc(A), crc(B) and byteShift(length of B). */
export function crc32Combine(crcA: number, crcB: number, shiftB: number): number {
  return (multModP(shiftB, crcA) ^ crcB) >>> 0;
}

/** A cached page's gzip variant with a hole: everything but the hole's deflate block and the trailer. */
export interface GzipWithHole {
  /** gzip header and the deflated bytes before the hole, ending on a byte boundary (sync flush). */
  head: Buffer;
  /** The deflated bytes after the hole, ending with the final block. */
  tail: Buffer;
  crcBefore: number;
  crcAfter: number;
  /** byteShift(bytes after the hole). */
  shiftAfter: number;
  /** Uncompressed bytes around the hole. */
  lengthAround: number;
}

const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);

/** Compresses the bytes around a hole once; `gzipHoleParts` completes it per response. */
export function gzipWithHole(body: Buffer, offset: number, length: number): GzipWithHole {
  const before = body.subarray(0, offset);
  const after = body.subarray(offset + length);
  const level = CACHED.gzipLevel;
  const deflatedBefore = zlib.deflateRawSync(before, { level, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  const tail = zlib.deflateRawSync(after, { level });
  return {
    head: Buffer.concat([GZIP_HEADER, deflatedBefore]),
    tail,
    crcBefore: zlib.crc32(before),
    crcAfter: zlib.crc32(after),
    shiftAfter: byteShift(after.length),
    lengthAround: before.length + after.length,
  };
}

/** The gzip stream's parts with `fill` in the hole: a stored block (no compression work per response), then the trailer. */
export function gzipHoleParts(variant: GzipWithHole, fill: Buffer): Buffer[] {
  const parts: Buffer[] = [variant.head];
  // Stored blocks of at most 65,535 bytes: BFINAL=0, BTYPE=00, padded to the byte boundary
  // the sync flush left; then LEN and its complement NLEN.
  for (let at = 0; at < fill.length || at === 0; at += 0xffff) {
    const piece = fill.subarray(at, at + 0xffff);
    const block = Buffer.allocUnsafe(5);
    block[0] = 0;
    block.writeUInt16LE(piece.length, 1);
    block.writeUInt16LE(~piece.length & 0xffff, 3);
    parts.push(block, piece);
    if (fill.length === 0) break;
  }
  const crc = crc32Combine(zlib.crc32(fill, variant.crcBefore), variant.crcAfter, variant.shiftAfter);
  const trailer = Buffer.allocUnsafe(8);
  trailer.writeUInt32LE(crc, 0);
  trailer.writeUInt32LE((variant.lengthAround + fill.length) % 0x100000000, 4);
  parts.push(variant.tail, trailer);
  return parts;
}
