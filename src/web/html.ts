/**
 * HTML built with a tagged template: every interpolated value is escaped unless it is
 * already `SafeHtml` (the result of another `html` call, or `raw()` for HTML the
 * sanitiser produced). Arrays are joined; null, undefined and false render nothing.
 *
 * A SafeHtml keeps its pieces (strings and nested SafeHtml) rather than one concatenated
 * string: a large page then encodes to bytes piece by piece (`toBuffer`), mostly through
 * the fast one-byte path, instead of flattening a two-byte rope first. Already encoded
 * fragments (`rawBytes`, e.g. a cached conversation) are copied in as they are.
 */
type Piece = string | SafeHtml | Uint8Array;
const decoder = new TextDecoder();
/** Text is encoded into blocks of this size for pages written out in chunks. */
const CHUNK_BYTES = 16 * 1024;

export class SafeHtml {
  private readonly pieces: Piece[];
  private joined: string | undefined;
  private byteSize = -1;

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

  /** Upper bound of the UTF-8 size: 3 bytes per UTF-16 unit. */
  private maxBytes(): number {
    if (this.byteSize < 0) {
      let n = 0;
      for (const p of this.pieces) n += typeof p === 'string' ? p.length * 3 : p instanceof SafeHtml ? p.maxBytes() : p.length;
      this.byteSize = n;
    }
    return this.byteSize;
  }

  private writeInto(buf: Buffer, offset: number): number {
    for (const p of this.pieces) {
      if (typeof p === 'string') offset += buf.write(p, offset);
      else if (p instanceof SafeHtml) offset = p.writeInto(buf, offset);
      else {
        buf.set(p, offset);
        offset += p.length;
      }
    }
    return offset;
  }

  /**
   * The UTF-8 bytes as a list of chunks: text encoded piece by piece into blocks of
   * `CHUNK_BYTES`, and already encoded fragments (a cached conversation) passed along as
   * they are, uncopied. No page-sized string or buffer is made: a page rendered per
   * request leaves only small, short-lived garbage behind.
   */
  toChunks(): Uint8Array[] {
    const chunks: Uint8Array[] = [];
    let block = Buffer.allocUnsafe(CHUNK_BYTES);
    let used = 0;
    const flush = () => {
      if (used === 0) return;
      chunks.push(block.subarray(0, used));
      block = Buffer.allocUnsafe(CHUNK_BYTES);
      used = 0;
    };
    const walk = (node: SafeHtml): void => {
      for (const p of node.pieces) {
        if (typeof p === 'string') {
          // At most 3 bytes per UTF-16 unit: a piece that may not fit starts a new block.
          if (p.length * 3 > CHUNK_BYTES - used) flush();
          if (p.length * 3 > CHUNK_BYTES) chunks.push(Buffer.from(p));
          else used += block.write(p, used);
        } else if (p instanceof SafeHtml) walk(p);
        else {
          flush();
          chunks.push(p);
        }
      }
    };
    walk(this);
    if (used > 0) chunks.push(block.subarray(0, used));
    return chunks;
  }

  /** The UTF-8 bytes, encoded piece by piece straight into one buffer (a view of it, exactly sized). */
  toBuffer(): Buffer<ArrayBuffer> {
    const out: Buffer<ArrayBuffer> = Buffer.allocUnsafeSlow(this.maxBytes());
    const end = this.writeInto(out, 0);
    return out.subarray(0, end);
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
