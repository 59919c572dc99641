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
/** Text is encoded into blocks of at most this size (or one longer piece) for pages written out in chunks. */
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

  /** The text, when this is a single string (`raw`, or a template without nested parts); else undefined. */
  onlyText(): string | undefined {
    return this.pieces.length === 1 && typeof this.pieces[0] === 'string' ? this.pieces[0] : undefined;
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
   * The UTF-8 bytes as a list of chunks: text encoded in blocks of at most `CHUNK_BYTES`
   * (or a single longer piece), and already encoded fragments (a cached conversation) passed along as
   * they are, uncopied. No page-sized string or buffer is made: a page rendered per
   * request leaves only small, short-lived garbage behind.
   */
  toChunks(): Uint8Array[] {
    const chunks: Uint8Array[] = [];
    // Pieces are joined into a string (cheap: a rope) and encoded once per block, rather
    // than one native write per piece (a page has thousands). At most 3 bytes per UTF-16
    // unit: a block stays within CHUNK_BYTES, and only a longer piece has one of its own.
    let text = '';
    const encode = () => {
      if (text === '') return;
      chunks.push(Buffer.from(text));
      text = '';
    };
    const walk = (node: SafeHtml): void => {
      for (const p of node.pieces) {
        if (typeof p === 'string') {
          if ((text.length + p.length) * 3 > CHUNK_BYTES) encode();
          text += p;
        } else if (p instanceof SafeHtml) walk(p);
        else {
          encode();
          chunks.push(p);
        }
      }
    };
    walk(this);
    encode();
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

/**
 * Adds `value` after `text` (the string being built): strings join it (escaped), as does
 * a SafeHtml that is only text (`raw`); anything else ends it. Returns the text to go on with.
 * Joining keeps the pieces few, so encoding a page walks hundreds of pieces, not thousands.
 */
function append(out: Piece[], text: string, value: unknown): string {
  if (value === null || value === undefined || value === false) return text;
  if (value instanceof SafeHtml) {
    const only = value.onlyText();
    if (only !== undefined) return join(out, text, only);
    if (text !== '') out.push(text);
    out.push(value);
    return '';
  }
  if (Array.isArray(value)) {
    for (const item of value) text = append(out, text, item);
    return text;
  }
  return join(out, text, escapeHtml(String(value)));
}

/**
 * `text` + `more`, while that stays within a block (`CHUNK_BYTES`); past it, `text` is a
 * piece of its own, and so is a `more` longer than a block: a page never becomes one
 * page-sized string, and a long piece is not copied into a longer one.
 */
function join(out: Piece[], text: string, more: string): string {
  if ((text.length + more.length) * 3 <= CHUNK_BYTES) return text + more;
  if (text !== '') out.push(text);
  if (more.length * 3 <= CHUNK_BYTES) return more;
  out.push(more);
  return '';
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  const out: Piece[] = [];
  let text = strings[0];
  for (let i = 0; i < values.length; i++) text = join(out, append(out, text, values[i]), strings[i + 1]);
  if (text !== '') out.push(text);
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
