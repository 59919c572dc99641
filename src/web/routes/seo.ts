import { Hono, type Context } from 'hono';
import type { PostType } from '../../core/store.ts';
import type { AppEnv } from '../context.ts';
import { pageCache } from '../middleware.ts';
import { robotsTxt, sitemapIndex, sitemapUrlset, type SitemapUrl } from '../views/seo-views.ts';

function sendText(c: Context<AppEnv>, text: string, type: string) {
  const body = Buffer.from(text);
  c.set('pageBody', body);
  return c.body(body, 200, { 'Content-Type': `${type}; charset=utf-8` });
}

/**
 * Every public URL in a fixed order (home, pages, posts, tags), fetched only for the
 * slice [start, end): one child sitemap never loads the others' posts.
 */
async function sitemapSlice(c: Context<AppEnv>, start: number, end: number): Promise<{ urls: SitemapUrl[]; total: number }> {
  const { store, clock, config } = c.get('deps');
  const now = clock.now();
  const site = config.siteUrl;
  const count = async (type: PostType) => (await store.posts.listPublished({ type, limit: 1, offset: 0 }, now)).total;
  const [pageCount, postCount, tags] = await Promise.all([count('page'), count('post'), store.tags.listWithCounts(now)]);
  const usedTags = tags.filter((t) => t.postCount > 0);
  const urls: SitemapUrl[] = [];
  let offset = 0;
  const take = async (type: PostType, size: number) => {
    const from = Math.max(start - offset, 0);
    const to = Math.min(end - offset, size);
    if (to > from) {
      const { items } = await store.posts.listPublished({ type, limit: to - from, offset: from }, now);
      for (const p of items) urls.push({ loc: `${site}/${p.slug}`, lastmod: Math.max(p.updatedAt, p.publishedAt ?? 0) });
    }
    offset += size;
  };
  if (start === 0 && end > 0) urls.push({ loc: `${site}/` });
  offset = 1;
  await take('page', pageCount);
  await take('post', postCount);
  for (const [i, tag] of usedTags.entries()) if (offset + i >= start && offset + i < end) urls.push({ loc: `${site}/tag/${tag.slug}` });
  return { urls, total: 1 + pageCount + postCount + usedTags.length };
}

/** robots.txt and the sitemap (an index of numbered sitemaps once past SITEMAP_URL_LIMIT URLs). */
export function seoRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/robots.txt', pageCache, (c) => sendText(c, robotsTxt(c.get('deps').config.siteUrl), 'text/plain'));

  app.get('/sitemap.xml', pageCache, async (c) => {
    const { config } = c.get('deps');
    const limit = config.sitemapUrlLimit;
    const { urls, total } = await sitemapSlice(c, 0, limit);
    if (total <= limit) return sendText(c, sitemapUrlset(urls), 'application/xml');
    const files = Math.ceil(total / limit);
    return sendText(c, sitemapIndex(Array.from({ length: files }, (_, i) => `${config.siteUrl}/sitemap-${i + 1}.xml`)), 'application/xml');
  });

  app.get('/:file{sitemap-[1-9][0-9]{0,5}\\.xml}', pageCache, async (c) => {
    const limit = c.get('deps').config.sitemapUrlLimit;
    const n = Number(/[0-9]+/.exec(c.req.param('file'))![0]);
    const { urls, total } = await sitemapSlice(c, (n - 1) * limit, n * limit);
    if (total <= limit || urls.length === 0) return c.notFound();
    return sendText(c, sitemapUrlset(urls), 'application/xml');
  });

  return app;
}
