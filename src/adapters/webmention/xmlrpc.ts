import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { xmlSafe } from '../../core/xml-chars.ts';

/**
 * The little of XML-RPC that pingback needs (parsed with fast-xml-parser): a methodCall's
 * string parameters, a string answer, a fault, and the answer to our own pingback.ping.
 */

export const xmlEscape = (s: string) => xmlSafe(s).replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** How deep a pingback's XML may nest: methodCall › params › param › value › string is five; a fault's struct seven. */
export const MAX_XML_DEPTH = 20;

/** XML nested deeper than MAX_XML_DEPTH: refused as it is parsed, before it is built. */
export class XmlTooDeep extends Error {
  constructor() {
    super(`the XML is nested more than ${MAX_XML_DEPTH} elements deep`);
    this.name = 'XmlTooDeep';
  }
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  processEntities: true,
  htmlEntities: false,
  maxNestedTags: MAX_XML_DEPTH,
  isArray: (name) => name === 'param' || name === 'member',
});

function parse(xml: string): Record<string, unknown> | null {
  // No DTDs: XML-RPC needs none, and entity definitions are how XML bombs start.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml) || XMLValidator.validate(xml) !== true) return null;
  try {
    return parser.parse(xml) as Record<string, unknown>;
  } catch {
    // The validator has passed the document, so what the parser still refuses is nesting past maxNestedTags.
    throw new XmlTooDeep();
  }
}

/** A `<value>`'s text, with or without a type element around it. */
function valueText(v: unknown): string {
  if (typeof v === 'string') return v.trim();
  if (v && typeof v === 'object') {
    for (const type of ['string', 'int', 'i4']) {
      const inner = (v as Record<string, unknown>)[type];
      if (typeof inner === 'string') return inner.trim();
    }
  }
  return '';
}

/** A methodCall's name and string parameters, or null when it is not well-formed XML-RPC. */
export function parseCall(xml: string): { method: string; params: string[] } | null {
  const call = parse(xml)?.methodCall as { methodName?: unknown; params?: { param?: Array<{ value?: unknown }> } } | undefined;
  if (!call || typeof call.methodName !== 'string') return null;
  return { method: call.methodName.trim(), params: (call.params?.param ?? []).map((p) => valueText(p.value)) };
}

const response = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<methodResponse>${body}</methodResponse>\n`;

export const stringResponse = (text: string) => response(`<params><param><value><string>${xmlEscape(text)}</string></value></param></params>`);

export const faultResponse = (code: number, message: string) =>
  response(`<fault><value><struct><member><name>faultCode</name><value><int>${code}</int></value></member><member><name>faultString</name><value><string>${xmlEscape(message)}</string></value></member></struct></value></fault>`);

export const pingbackCall = (source: string, target: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<methodCall><methodName>pingback.ping</methodName><params><param><value><string>${xmlEscape(source)}</string></value></param><param><value><string>${xmlEscape(target)}</string></value></param></params></methodCall>\n`;

/** What a pingback server answered: its message, or its fault. */
export function parseAnswer(xml: string): { ok: true; message: string } | { ok: false; code: number; message: string } {
  let parsed;
  try {
    parsed = parse(xml);
  } catch (error) {
    if (error instanceof XmlTooDeep) return { ok: false, code: -32700, message: `the answer was not XML-RPC: ${error.message}` };
    throw error;
  }
  const doc = parsed?.methodResponse as { params?: { param?: Array<{ value?: unknown }> }; fault?: { value?: { struct?: { member?: Array<{ name?: unknown; value?: unknown }> } } } } | undefined;
  if (!doc) return { ok: false, code: -32700, message: 'the answer was not XML-RPC' };
  if (doc.fault) {
    const members = doc.fault.value?.struct?.member ?? [];
    const field = (name: string) => valueText(members.find((m) => m.name === name)?.value);
    return { ok: false, code: Number(field('faultCode')) || 0, message: field('faultString') || 'fault' };
  }
  return { ok: true, message: valueText(doc.params?.param?.[0]?.value) };
}
