import type { SafeResponse } from '../safe-fetch.ts';
import { absoluteHttpUrl, linkElements } from './html-links.ts';

/**
 * Webmention endpoint discovery, as the W3C Recommendation (§3.1.2) says: the first HTTP
 * `Link` header with rel "webmention" wins; otherwise the first `<link>` or `<a>` element
 * with that rel, in document order. Rel values are space-separated and compared without
 * case; an empty href is the page itself; relative URLs resolve against the URL the page
 * was finally served from (after redirects); query strings are kept.
 */

/** One Link header value: `<uri>; rel="a b", <uri2>; rel=c` → its links and their rels. */
export function parseLinkHeader(value: string): Array<{ uri: string; rels: string[] }> {
  const links: Array<{ uri: string; rels: string[] }> = [];
  let i = 0;
  while (i < value.length) {
    const open = value.indexOf('<', i);
    if (open < 0) break;
    const close = value.indexOf('>', open);
    if (close < 0) break;
    const uri = value.slice(open + 1, close);
    let params = '';
    let quoted = false;
    for (i = close + 1; i < value.length; i++) {
      const ch = value[i];
      if (ch === '"') quoted = !quoted;
      else if (ch === ',' && !quoted) {
        i++;
        break;
      }
      params += ch;
    }
    const rel = /(?:^|;)\s*rel\s*=\s*(?:"([^"]*)"|([^\s;"]+))/i.exec(params);
    links.push({ uri, rels: rel ? (rel[1] ?? rel[2]).toLowerCase().split(/\s+/).filter(Boolean) : [] });
  }
  return links;
}

/** The endpoint a fetched page advertises, or null. */
export function endpointOf(page: SafeResponse): string | null {
  for (const header of page.headerValues('link')) {
    for (const link of parseLinkHeader(header)) {
      if (link.rels.includes('webmention')) {
        const url = absoluteHttpUrl(link.uri, page.url);
        if (url) return url;
      }
    }
  }
  const type = page.header('content-type') ?? '';
  if (!/html/i.test(type)) return null;
  for (const el of linkElements(page.body)) {
    if ((el.tag === 'link' || el.tag === 'a') && el.rels.includes('webmention')) {
      const url = absoluteHttpUrl(el.href, page.url);
      if (url) return url;
    }
  }
  return null;
}

/**
 * The pingback server a page advertises (Pingback 1.0): the X-Pingback header, else the
 * first `<link rel="pingback">`. Used only when the page has no webmention endpoint.
 */
export function pingbackEndpointOf(page: SafeResponse): string | null {
  const header = page.header('x-pingback');
  if (header) return absoluteHttpUrl(header, page.url);
  if (!/html/i.test(page.header('content-type') ?? '')) return null;
  const link = linkElements(page.body).find((el) => el.tag === 'link' && el.rels.includes('pingback') && el.href !== '');
  return link ? absoluteHttpUrl(link.href, page.url) : null;
}
