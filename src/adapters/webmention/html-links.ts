import { Parser } from 'htmlparser2';

/**
 * Reading links out of HTML with a real parser (htmlparser2): comments, escaped markup
 * and text never count as elements.
 */

export interface LinkElement {
  tag: string;
  /** The href (or src) exactly as written; '' when present but empty. */
  href: string;
  rels: string[];
}

/** Every element carrying href or src, in document order. */
export function linkElements(html: string): LinkElement[] {
  const found: LinkElement[] = [];
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        const href = attributes.href ?? attributes.src;
        if (href === undefined) return;
        found.push({ tag: name, href, rels: (attributes.rel ?? '').toLowerCase().split(/\s+/).filter(Boolean) });
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return found;
}

/** `href` resolved against `base` as an absolute http(s) URL, or null. */
export function absoluteHttpUrl(href: string, base: string): string | null {
  try {
    const url = new URL(href.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** The distinct http(s) links (<a href>) of a post's HTML, absolute, fragments dropped, in order. */
export function outgoingLinks(html: string, base: string): string[] {
  const links = new Set<string>();
  for (const el of linkElements(html)) {
    if (el.tag !== 'a') continue;
    const url = absoluteHttpUrl(el.href, base);
    if (url) links.add(url.replace(/#.*$/, ''));
  }
  return [...links];
}
