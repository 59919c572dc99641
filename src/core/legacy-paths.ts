/**
 * Old addresses, as the public site looks them up: a request path (or the home page's
 * `?p=` / `?page_id=`) reduced to the key the store's legacy paths are kept under.
 * Imports write those keys (migration/import-legacy-urls.ts); the public router and the
 * webmention receiver read them.
 */

export function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A path as stored and looked up: decoded, lower case, without trailing slashes ('/2019/03/hello'). */
export function legacyPathKey(pathname: string): string {
  const path = decode(pathname).toLowerCase().replace(/\/+$/, '');
  return path.startsWith('/') ? path : `/${path}`;
}

/** The query forms WordPress answers on its home page: '?p=12', '?page_id=7'. */
export function legacyQueryKey(params: { p?: string; page_id?: string }): string | null {
  if (params.p && /^\d+$/.test(params.p)) return `?p=${params.p}`;
  if (params.page_id && /^\d+$/.test(params.page_id)) return `?page_id=${params.page_id}`;
  return null;
}

/**
 * The key an old address is stored under, for a request path (relative to the site) and its
 * query: '?p=12' on the home page, else the path. Null when there is nothing to look up.
 */
export function legacyKeyOf(pathname: string, query: (name: 'p' | 'page_id') => string | undefined): string | null {
  const key = pathname === '/' ? legacyQueryKey({ p: query('p'), page_id: query('page_id') }) : legacyPathKey(pathname);
  return key && key !== '/' ? key : null;
}
