import { SaxesParser, type SaxesTagNS } from 'saxes';
import { ImportFormatError, ImportParseError } from './import-errors.ts';

export { ImportFormatError, ImportParseError };

/** One element of an import file with everything inside it. */
export interface XmlNode {
  /** Canonical qualified name: 'wp:post_id', 'content:encoded', 'dsq:id', 'title'. */
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  /** Text and CDATA directly inside, concatenated. */
  text: string;
}


const MAX_PROBLEMS = 10;
const NO_ATTRS: Record<string, string> = Object.freeze({}) as Record<string, string>;
const NO_CHILDREN: XmlNode[] = Object.freeze([]) as unknown as XmlNode[];
const SLICE = 64 * 1024;

// Namespaces by URI, so WXR 1.0, 1.1 and 1.2 (whose wp: URIs differ) and any prefix read alike.
function prefixFor(uri: string, written: string): string {
  if (uri.startsWith('http://wordpress.org/export/') && uri.endsWith('/excerpt/')) return 'excerpt';
  if (uri.startsWith('http://wordpress.org/export/')) return 'wp';
  if (uri === 'http://purl.org/rss/1.0/modules/content/') return 'content';
  if (uri === 'http://purl.org/dc/elements/1.1/') return 'dc';
  if (uri === 'http://disqus.com/disqus-internals') return 'dsq';
  if (uri === 'http://disqus.com') return '';
  return written;
}

const qualified = (prefix: string, local: string) => (prefix ? `${prefix}:${local}` : local);

export interface StreamProgress {
  /** Bytes read so far. */
  bytes: number;
}

/**
 * Reads an XML file as a stream and yields each element found at `depth` (1 is the root's
 * children) as a small tree, together with the path of element names above it. Memory
 * holds one such record at a time, however large the file. A well-formedness error
 * throws ImportParseError with the line and column saxes reports.
 */
export async function* xmlRecords(
  input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  depth: number,
  progress?: (p: StreamProgress) => void,
): AsyncGenerator<{ path: string[]; node: XmlNode }> {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: XmlNode[] = [];
  const path: string[] = [];
  const ready: Array<{ path: string[]; node: XmlNode }> = [];
  const problems: Array<{ line: number; column: number; reason: string }> = [];

  parser.on('error', (e) => {
    // saxes prefixes "line:column: "; keep only the reason.
    if (problems.length < MAX_PROBLEMS) problems.push({ line: parser.line, column: parser.column, reason: e.message.replace(/^\d+:\d+: /, '') });
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    const name = qualified(prefixFor(tag.uri, tag.prefix), tag.local);
    if (path.length >= depth) {
      // Most elements of a file (a comment's dozen fields) have no attributes and no children:
      // they share one empty record and one empty list (fewer objects for the collector).
      let attrs = NO_ATTRS;
      for (const key in tag.attributes) {
        const attr = tag.attributes[key];
        if (attr.prefix === 'xmlns' || attr.name === 'xmlns') continue;
        if (attrs === NO_ATTRS) attrs = {};
        attrs[qualified(attr.uri ? prefixFor(attr.uri, attr.prefix) : '', attr.local)] = attr.value;
      }
      const node: XmlNode = { name, attrs, children: NO_CHILDREN, text: '' };
      const parent = stack[stack.length - 1];
      if (parent) {
        if (parent.children === NO_CHILDREN) parent.children = [node];
        else parent.children.push(node);
      }
      stack.push(node);
    }
    path.push(name);
  });
  const addText = (text: string) => {
    const top = stack[stack.length - 1];
    if (top) top.text += text;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.on('closetag', () => {
    path.pop();
    if (path.length >= depth) {
      const node = stack.pop()!;
      if (stack.length === 0) ready.push({ path: [...path], node });
    }
  });

  const decoder = new TextDecoder('utf-8');
  let bytes = 0;
  // Database calls on SQLite settle as microtasks and an upload's bytes are already in
  // memory, so without a pause now and then an import inside the server would starve
  // every other request (its own progress polling too) until it ended.
  let lastPause = performance.now();
  const pause = async () => {
    if (performance.now() - lastPause < 20) return;
    await new Promise((resolve) => setImmediate(resolve));
    lastPause = performance.now();
  };
  for await (const chunk of input) {
    // A chunk may be the whole file (an upload already in memory): parse it in slices so
    // that only a slice's records wait at a time, and progress moves as they are written.
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (let at = 0; at < data.byteLength; at += SLICE) {
      const slice = data.subarray(at, at + SLICE);
      bytes += slice.byteLength;
      parser.write(decoder.decode(slice, { stream: true }));
      progress?.({ bytes });
      // After a problem nothing more is handed out (the import fails), but the rest is read to report further problems too.
      if (problems.length > 0) ready.length = 0;
      while (ready.length > 0) {
        await pause();
        yield ready.shift()!;
      }
    }
  }
  parser.write(decoder.decode());
  parser.close();
  if (problems.length > 0) throw new ImportParseError(problems);
  while (ready.length > 0) yield ready.shift()!;
}

/** The first child with this name. */
export function child(node: XmlNode, name: string): XmlNode | undefined {
  return node.children.find((c) => c.name === name);
}

/** The text of the first child with this name ('' when absent), trimmed unless `raw`. */
export function textOf(node: XmlNode, name: string, raw = false): string {
  const text = child(node, name)?.text ?? '';
  return raw ? text : text.trim();
}

export function childrenNamed(node: XmlNode, name: string): XmlNode[] {
  return node.children.filter((c) => c.name === name);
}

