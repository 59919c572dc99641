/**
 * HTML built with a tagged template: every interpolated value is escaped unless it is
 * already `SafeHtml` (the result of another `html` call, or `raw()` for HTML the
 * sanitiser produced). Arrays are joined; null, undefined and false render nothing.
 *
 * A SafeHtml keeps its template's literal text and its values as they came, and escapes
 * them only when it is written out: building one allocates next to nothing (a page of 200
 * comments builds ~1,200 of them), and a large page is encoded straight into bytes
 * (`toChunks`, `toBuffer`) with no string the size of the page. Each template's literal
 * text is encoded to UTF-8 once per place in the code (`literalBytes`) and copied in as
 * bytes. Already encoded fragments (`rawBytes`, e.g. a cached conversation) are copied in
 * as they are.
 */
const decoder = new TextDecoder();
const encoder = new TextEncoder();
/**
 * Pages written out in chunks (`toChunks`) encode their text here first, then copy it out
 * exactly sized: one buffer for the process, reused by every page (encoding never waits,
 * so pages never share it at once).
 */
const SCRATCH_BYTES = 512 * 1024;
let scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
/**
 * Buffers the size of `scratch` that pages lent out (`lendChunks`) were
 * given back in once sent (`giveBack`): the next page lent takes one as its `scratch`. A
 * few are kept; more pages in flight at once get fresh ones, collected as usual.
 */
const spare: ArrayBuffer[] = [];
const SPARE_BUFFERS = 2;
/** Text up to this length is copied (and escaped) character by character: cheaper than a call into the encoder. */
const SHORT_TEXT = 64;
/** Encoded literal text up to this length is copied byte by byte rather than with `set`. */
const SHORT_BYTES = 16;
/** The most bytes one UTF-16 unit of escaped text can take (`"` → `&quot;`). */
const MAX_ESCAPED = 6;

/** Where `toChunks` is: how much of `scratch` holds text not yet cut, and the chunks so far. */
interface Encoded {
  used: number;
  chunks: Uint8Array[];
}

/**
 * The text encoded in `scratch`, when it is the whole page, becomes the page without a
 * copy: the page takes `scratch` with it (a view of its first `used` bytes) and a spare
 * buffer, or a fresh one, becomes `scratch`. Null when the page is not all in `scratch`.
 */
function lendScratch(out: Encoded): Uint8Array | null {
  if (out.chunks.length > 0 || out.used === 0) return null;
  const page = new Uint8Array(scratch.buffer, scratch.byteOffset, out.used);
  const next = spare.pop();
  scratch = next ? Buffer.from(next) : Buffer.allocUnsafeSlow(SCRATCH_BYTES);
  out.used = 0;
  return page;
}

/**
 * Takes back the buffer of a page lent by `lendChunks` once the page was
 * sent, for a later page. Its memory moves to a new owner (`transfer()`, no copy): the
 * page's own buffer is detached, so anything that still held the page would read nothing,
 * never a later page.
 */
export function giveBack(page: Uint8Array): void {
  const memory = page.buffer;
  if (!(memory instanceof ArrayBuffer) || memory.detached || memory.byteLength !== SCRATCH_BYTES) return;
  const kept = memory.transfer();
  if (spare.length < SPARE_BUFFERS) spare.push(kept);
}

/**
 * The text encoded in `scratch` so far becomes a chunk of its own (a copy), and `scratch` is
 * free again. The chunk has memory of its own, never a slice of Node's shared pool: a
 * cached one holds nothing but itself.
 */
function cut(out: Encoded): void {
  if (out.used === 0) return;
  const chunk = Buffer.allocUnsafeSlow(out.used);
  scratch.copy(chunk, 0, 0, out.used);
  out.chunks.push(chunk);
  out.used = 0;
}

/** Makes room for `bytes` more in `scratch`; false when they can never fit (the caller encodes a chunk of its own). */
function room(out: Encoded, bytes: number): boolean {
  if (bytes <= SCRATCH_BYTES - out.used) return true;
  cut(out);
  return bytes <= SCRATCH_BYTES;
}

/**
 * Each template's literal text as UTF-8, once per call site: the strings array of a
 * tagged template is the same object every time that template runs, so the bytes are
 * kept beside it (held only as long as the code that made it).
 */
const literals = new WeakMap<TemplateStringsArray, Uint8Array[]>();

function literalBytes(strings: TemplateStringsArray): Uint8Array[] {
  let bytes = literals.get(strings);
  if (!bytes) {
    bytes = strings.map((s) => encoder.encode(s));
    literals.set(strings, bytes);
  }
  return bytes;
}

function writeBytes(out: Encoded, bytes: Uint8Array): void {
  const n = bytes.length;
  if (n === 0) return;
  if (!room(out, n)) {
    out.chunks.push(Buffer.from(bytes));
    return;
  }
  const at = out.used;
  if (n <= SHORT_BYTES) for (let i = 0; i < n; i++) scratch[at + i] = bytes[i];
  else scratch.set(bytes, at);
  out.used = at + n;
}

/** Text that needs no escaping (raw HTML, numbers). */
function writeText(out: Encoded, text: string): void {
  const n = text.length;
  if (!room(out, n * 3)) {
    out.chunks.push(Buffer.from(text));
    return;
  }
  const at = out.used;
  if (n <= SHORT_TEXT) {
    let i = 0;
    for (; i < n; i++) {
      const code = text.charCodeAt(i);
      if (code > 0x7f) break;
      scratch[at + i] = code;
    }
    if (i === n) {
      out.used = at + n;
      return;
    }
  }
  out.used = at + scratch.write(text, at);
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** The bytes of `&amp;` and the others, by the code of the character they stand for (all below 0x40; null for the rest). */
const ESCAPED: Array<Uint8Array | null> = Array.from({ length: 0x40 }, (_, code) => {
  const entity = escapes[String.fromCharCode(code)];
  return entity ? encoder.encode(entity) : null;
});

/** A value's text, escaped as it is written: short ASCII text character by character, the rest through `escapeHtml`. */
function writeEscaped(out: Encoded, text: string): void {
  const n = text.length;
  if (n > SHORT_TEXT || !room(out, n * MAX_ESCAPED)) {
    writeText(out, escapeHtml(text));
    return;
  }
  let at = out.used;
  for (let i = 0; i < n; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) {
      // Not ASCII: the rest goes through the encoder.
      out.used = at;
      writeText(out, escapeHtml(text.slice(i)));
      return;
    }
    const entity = code < 0x40 ? ESCAPED[code] : null;
    if (entity === null) scratch[at++] = code;
    else for (let j = 0; j < entity.length; j++) scratch[at++] = entity[j];
  }
  out.used = at;
}

/** A number's text: a whole number's digits straight into `scratch` (a page of comments writes each id several times). */
function writeNumber(out: Encoded, n: number): void {
  if (!(n >= 0 && n <= 0x7fffffff && (n | 0) === n) || !room(out, 10)) {
    writeText(out, String(n));
    return;
  }
  let digits = 1;
  for (let rest = n; rest >= 10; rest = (rest / 10) | 0) digits++;
  let at = out.used + digits;
  out.used = at;
  do {
    scratch[--at] = 0x30 + (n % 10);
    n = (n / 10) | 0;
  } while (n > 0);
}

/** A value of a template, written as `html` has it: escaped unless SafeHtml, arrays joined, null, undefined and false nothing. */
function writeValue(out: Encoded, value: unknown): void {
  if (value === null || value === undefined || value === false) return;
  // Most strings are '' (a template's `cond ? html`…` : ''`): nothing to write.
  if (typeof value === 'string') {
    if (value.length !== 0) writeEscaped(out, value);
  } else if (typeof value === 'number') writeNumber(out, value);
  else if (value instanceof SafeHtml) value.encode(out);
  else writeEscaped(out, String(value));
}

/** The same as a string. */
function valueText(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  return escapeHtml(String(value));
}

/**
 * A template's values as `html` keeps them: strings, numbers, booleans and SafeHtml as
 * they are (none can change); an array becomes a SafeHtml list of its items and any other
 * object its text, both taken now, as the template was written, not when it is encoded.
 */
function keep(values: unknown[]): unknown[] {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'object' && v !== null && !(v instanceof SafeHtml)) values[i] = Array.isArray(v) ? listOf(v) : String(v);
    else if (typeof v === 'symbol' || typeof v === 'function') values[i] = String(v);
  }
  return values;
}

function listOf(items: unknown[]): SafeHtml {
  return new SafeHtml(null, keep([...items]), null);
}

export class SafeHtml {
  /** A template's literal text around its values; one string of HTML for `raw`; null for a list of values or for bytes. */
  private readonly strings: readonly string[] | null;
  /** The values between `strings` (or a list's items), not yet escaped. */
  private readonly values: readonly unknown[] | null;
  /** Already encoded HTML (`rawBytes`, `encodedOnce`). */
  private readonly bytes: Uint8Array | null;
  /** The bytes are a short text's, copied in where they go (`encodedOnce`), not passed along as a chunk of their own (`rawBytes`). */
  private readonly copied: boolean;
  private joined: string | undefined;

  /** Use `html`, `raw`, `rawBytes` or `encodedOnce`. */
  constructor(strings: readonly string[] | null, values: readonly unknown[] | null, bytes: Uint8Array | null, copied = false) {
    this.strings = strings;
    this.values = values;
    this.bytes = bytes;
    this.copied = copied;
  }

  get value(): string {
    if (this.joined === undefined) {
      const { strings, values, bytes } = this;
      let out = '';
      if (bytes) out = decoder.decode(bytes);
      else if (strings === null) for (const v of values!) out += valueText(v);
      else {
        out = strings[0];
        if (values) for (let i = 0; i < values.length; i++) out += valueText(values[i]) + strings[i + 1];
      }
      this.joined = out;
    }
    return this.joined;
  }

  toString(): string {
    return this.value;
  }

  /**
   * The UTF-8 bytes as a list of chunks: text encoded into one shared buffer (`scratch`)
   * and copied out, exactly sized, where it ends: at an already encoded fragment (a cached
   * conversation, passed along as it is, uncopied), when the buffer is full, and at the
   * end. A page rendered whole per request is then one buffer, written with its head in
   * one go; no page-sized string is made, and nothing bigger than the page's bytes is left
   * behind per request.
   */
  toChunks(): Uint8Array[] {
    const out: Encoded = { used: 0, chunks: [] };
    this.encode(out);
    cut(out);
    return out.chunks;
  }

  /**
   * `toChunks` for a page sent once: a page that fits `scratch` whole is not copied out but
   * lent (`lent`), a view of the buffer it was encoded in, to be given back once sent
   * (`giveBack`; routes/public.ts, `giveBackOnceSent`). A page with an encoded fragment in
   * it (a cached conversation, passed along as it is) or larger than `scratch` is cut into
   * chunks as `toChunks` does, and nothing is lent.
   */
  lendChunks(): { chunks: Uint8Array[]; lent: boolean } {
    const out: Encoded = { used: 0, chunks: [] };
    this.encode(out);
    const page = lendScratch(out);
    if (page) return { chunks: [page], lent: true };
    cut(out);
    return { chunks: out.chunks, lent: false };
  }

  /** @internal Writes this HTML at the end of `out`. */
  encode(out: Encoded): void {
    const { strings, values, bytes } = this;
    if (bytes) {
      if (this.copied) writeBytes(out, bytes);
      else {
        cut(out);
        out.chunks.push(bytes);
      }
    } else if (values === null) writeText(out, strings![0]);
    else if (strings === null) for (let i = 0; i < values.length; i++) writeValue(out, values[i]);
    else {
      const literal = literalBytes(strings as TemplateStringsArray);
      writeBytes(out, literal[0]);
      for (let i = 0; i < values.length; i++) {
        writeValue(out, values[i]);
        writeBytes(out, literal[i + 1]);
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

const needsEscape = /[&<>"']/;

export function escapeHtml(text: string): string {
  return needsEscape.test(text) ? text.replace(/[&<>"']/g, (c) => escapes[c]) : text;
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  return new SafeHtml(strings, keep(values), null);
}

/** Marks trusted HTML (sanitised at save time) as safe to insert. */
export function raw(value: string): SafeHtml {
  return new SafeHtml([value], null, null);
}

/** Inserts HTML that is already encoded as UTF-8 (a cached, trusted fragment). */
export function rawBytes(bytes: Uint8Array): SafeHtml {
  return new SafeHtml(null, null, bytes);
}

/**
 * Text (escaped) or HTML encoded once, for what a page writes many times (its own address
 * in every comment's links, a remembered date, a commenter's picture): copied in as bytes
 * wherever it goes, with no escaping or templating pass each time.
 */
export function encodedOnce(value: string | SafeHtml): SafeHtml {
  const bytes = typeof value === 'string' ? encoder.encode(escapeHtml(value)) : value.toBuffer();
  return new SafeHtml(null, null, bytes, true);
}
