/**
 * Old WordPress addresses of imported posts. The import records them in the store's
 * legacy paths; the public site looks a path up there only when it would otherwise
 * answer 404 (and `?p=` / `?page_id=` on the home page), then redirects with a 301.
 */

import { decode, legacyPathKey, legacyQueryKey } from '../core/legacy-paths.ts';

export interface LegacyPost {
  wpId: string;
  type: 'post' | 'page' | 'external';
  /** wp:post_name as in the file (may be percent-encoded). */
  name: string;
  /** The <link> element. */
  link: string;
  /** wp:post_date (the site's local time, which WordPress permalinks use): 'YYYY-MM-DD hh:mm:ss'. */
  localDate: string;
}

/** Every address WordPress may have served the post at. */
export function legacyPathsFor(post: LegacyPost): string[] {
  const paths = new Set<string>();
  if (/^\d+$/.test(post.wpId)) {
    paths.add(`?p=${post.wpId}`);
    if (post.type === 'page') paths.add(`?page_id=${post.wpId}`);
  }
  if (post.link) {
    try {
      const url = new URL(post.link, 'http://wordpress.invalid');
      const key = legacyPathKey(url.pathname);
      if (key !== '/') paths.add(key);
    } catch {
      // A link that is not a URL adds nothing.
    }
  }
  const slug = decode(post.name).toLowerCase();
  if (slug) {
    paths.add(legacyPathKey(`/${slug}`));
    const date = /^(\d{4})-(\d{2})-(\d{2})/.exec(post.localDate);
    if (post.type === 'post' && date && date[1] !== '0000') {
      const [, y, m, d] = date;
      paths.add(legacyPathKey(`/${y}/${m}/${d}/${slug}`));
      paths.add(legacyPathKey(`/${y}/${m}/${slug}`));
    }
  }
  return [...paths];
}

/** Host and path of a link without scheme, `www.` or trailing slash, for matching Disqus threads. */
export function normaliseLink(link: string): { host: string; path: string } | null {
  try {
    const url = new URL(link.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    const query = legacyQueryKey({ p: url.searchParams.get('p') ?? undefined, page_id: url.searchParams.get('page_id') ?? undefined });
    return { host: url.hostname.toLowerCase().replace(/^www\./, ''), path: query ?? legacyPathKey(url.pathname) };
  } catch {
    return null;
  }
}
