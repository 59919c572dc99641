/**
 * HTML built with a tagged template: every interpolated value is escaped unless it is
 * already `SafeHtml` (the result of another `html` call, or `raw()` for HTML the
 * sanitiser produced). Arrays are joined; null, undefined and false render nothing.
 *
 * A SafeHtml keeps its pieces (strings and nested SafeHtml) rather than one concatenated
 * string: a large page then encodes to bytes piece by piece (`toChunks`, `toBuffer`), mostly
 * through the fast one-byte path, instead of flattening a two-byte rope first. Already encoded
 * fragments (`rawBytes`, e.g. a cached conversation) are copied in as they are.
 */
type Piece = string | SafeHtml | Uint8Array;
const decoder = new TextDecoder();
/**
 * Pages written out in chunks (`toChunks`) encode their text here first, then copy it out
 * exactly sized: one buffer for the process, reused by every page (encoding never waits,
 * so pages never share it at once).
 */
const SCRATCH_BYTES = 512 * 1024;
const scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
/** Text pieces up to this length are copied character by character when they are ASCII. */
const SHORT_TEXT = 24;

/** Where `toChunks` is: how much of `scratch` holds text not yet cut, and the chunks so far. */
interface Encoded {
  used: number;
  chunks: Uint8Array[];
}

/** The text encoded in `scratch` so far becomes a chunk of its own (a copy), and `scratch` is free again. */
function cut(out: Encoded): void {
  if (out.used === 0) return;
  const chunk = Buffer.allocUnsafe(out.used);
  scratch.copy(chunk, 0, 0, out.used);
  out.chunks.push(chunk);
  out.used = 0;
}

export class SafeHtml {
  private readonly pieces: Piece[];
  private joined: string | undefined;

  constructor(value: string | Piece[]) {
    if (typeof value === 'string') {
      this.pieces = [value];
      this.joined = value;
    } else {
      this.pieces = value;
    }
  }

  get value(): string {
    if (this.joined === undefined) {
      let out = '';
      for (const p of this.pieces) out += typeof p === 'string' ? p : p instanceof SafeHtml ? p.value : decoder.decode(p);
      this.joined = out;
    }
    return this.joined;
  }

  toString(): string {
    return this.value;
  }

  /**
   * The UTF-8 bytes as a list of chunks: text encoded piece by piece into one shared
   * buffer (`scratch`) and copied out, exactly sized, where it ends: at an already encoded
   * fragment (a cached conversation, passed along as it is, uncopied), when the buffer is
   * full, and at the end. A page rendered whole per request is then one buffer, written
   * with its head in one go; no page-sized string is made, and nothing bigger than the
   * page's bytes is left behind per request.
   */
  toChunks(): Uint8Array[] {
    const out: Encoded = { used: 0, chunks: [] };
    this.encode(out);
    cut(out);
    return out.chunks;
  }

  private encode(out: Encoded): void {
    const pieces = this.pieces;
    for (let k = 0; k < pieces.length; k++) {
      const p = pieces[k];
      if (typeof p === 'string') {
        const n = p.length;
        // At most 3 bytes per UTF-16 unit: a piece that may not fit cuts the text there.
        if (n * 3 > SCRATCH_BYTES - out.used) {
          cut(out);
          if (n * 3 > SCRATCH_BYTES) {
            out.chunks.push(Buffer.from(p));
            continue;
          }
        }
        const at = out.used;
        if (n <= SHORT_TEXT) {
          // Short ASCII text is copied here: cheaper than a call into the encoder (most of a page's pieces are a few characters).
          let i = 0;
          for (; i < n; i++) {
            const code = p.charCodeAt(i);
            if (code > 0x7f) break;
            scratch[at + i] = code;
          }
          out.used = i === n ? at + n : at + scratch.write(p, at);
        } else out.used = at + scratch.write(p, at);
      } else if (p instanceof SafeHtml) p.encode(out);
      else {
        cut(out);
        out.chunks.push(p);
      }
    }
  }

  /**
   * The UTF-8 bytes as one exactly sized buffer (`toChunks`, joined when a cached fragment
   * or the size of `scratch` cut it): what a cache keeps holds no slack beyond the page.
   */
  toBuffer(): Buffer<ArrayBuffer> {
    const chunks = this.toChunks();
    return (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)) as Buffer<ArrayBuffer>;
  }
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const needsEscape = /[&<>"']/;

export function escapeHtml(text: string): string {
  return needsEscape.test(text) ? text.replace(/[&<>"']/g, (c) => escapes[c]) : text;
}

function push(out: Piece[], value: unknown): void {
  if (value === null || value === undefined || value === false) return;
  if (value instanceof SafeHtml) out.push(value);
  else if (Array.isArray(value)) for (const item of value) push(out, item);
  else {
    const s = escapeHtml(String(value));
    if (s !== '') out.push(s);
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  const out: Piece[] = [];
  if (strings[0] !== '') out.push(strings[0]);
  for (let i = 0; i < values.length; i++) {
    push(out, values[i]);
    if (strings[i + 1] !== '') out.push(strings[i + 1]);
  }
  return new SafeHtml(out);
}

/** Marks trusted HTML (sanitised at save time) as safe to insert. */
export function raw(value: string): SafeHtml {
  return new SafeHtml(value);
}

/** Inserts HTML that is already encoded as UTF-8 (a cached, trusted fragment). */
export function rawBytes(bytes: Uint8Array): SafeHtml {
  return new SafeHtml([bytes]);
}
