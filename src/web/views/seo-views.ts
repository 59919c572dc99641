import type { Post, User } from '../../core/store.ts';
import { xmlSafe } from '../../core/xml-chars.ts';
import { html, raw, type SafeHtml } from '../html.ts';
import { isoDate } from './format.ts';

/** What search engines and link previews are told about a page (all URLs absolute). */
export interface SocialMeta {
  type: 'article' | 'website';
  /** An image for the card (a post's cover). */
  image?: string | null;
  publishedTime?: number | null;
  modifiedTime?: number | null;
  author?: string | null;
  tags?: string[];
}

/** Open Graph and Twitter card tags. */
export function socialTags(o: { title: string; description: string; url: string; siteName: string; meta: SocialMeta }): SafeHtml {
  const { meta } = o;
  return html`<meta property="og:site_name" content="${o.siteName}">
<meta property="og:type" content="${meta.type}">
<meta property="og:title" content="${o.title}">
<meta property="og:url" content="${o.url}">
${o.description ? html`<meta property="og:description" content="${o.description}">` : ''}
${meta.image ? html`<meta property="og:image" content="${meta.image}">` : ''}
${meta.publishedTime ? html`<meta property="article:published_time" content="${isoDate(meta.publishedTime)}">` : ''}
${meta.modifiedTime ? html`<meta property="article:modified_time" content="${isoDate(meta.modifiedTime)}">` : ''}
${meta.author ? html`<meta property="article:author" content="${meta.author}">` : ''}
${(meta.tags ?? []).map((tag) => html`<meta property="article:tag" content="${tag}">`)}
<meta name="twitter:card" content="${meta.image ? 'summary_large_image' : 'summary'}">
<meta name="twitter:title" content="${o.title}">
${o.description ? html`<meta name="twitter:description" content="${o.description}">` : ''}
${meta.image ? html`<meta name="twitter:image" content="${meta.image}">` : ''}`;
}

/**
 * schema.org BlogPosting as JSON-LD. A data block, not script: the CSP does not apply to
 * it. Every "<" is written as \u003c so no text in it can close the element.
 */
export function blogPostingJsonLd(o: { post: Post; author: User | undefined; url: string; siteUrl: string; siteName: string; image: string | null }): SafeHtml {
  const { post } = o;
  const data = {
    '@context': 'https://schema.org',
    '@type': post.type === 'page' ? 'WebPage' : 'BlogPosting',
    headline: post.title,
    description: post.excerpt || undefined,
    url: o.url,
    mainEntityOfPage: o.url,
    datePublished: post.publishedAt ? isoDate(post.publishedAt) : undefined,
    dateModified: isoDate(Math.max(post.updatedAt, post.publishedAt ?? 0)),
    image: o.image ?? undefined,
    keywords: post.tags.length > 0 ? post.tags.map((t) => t.name).join(', ') : undefined,
    author: o.author ? { '@type': 'Person', name: o.author.name, url: `${o.siteUrl}/author/${o.author.slug}` } : undefined,
    publisher: { '@type': 'Organization', name: o.siteName, url: `${o.siteUrl}/` },
  };
  return html`<script type="application/ld+json">${raw(jsonForScript(data))}</script>`;
}

const scriptEscapes: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/** JSON that cannot end a <script> element or open a comment in one (one pass over the text: every post page writes some). */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => scriptEscapes[c]);
}

export function robotsTxt(siteUrl: string): string {
  return `User-agent: *
Disallow: /admin
Disallow: /login
Disallow: /search
Disallow: /comments/

Sitemap: ${siteUrl}/sitemap.xml
`;
}

export interface SitemapUrl {
  loc: string;
  lastmod?: number;
}

const xmlText = (text: string) => xmlSafe(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
const XMLNS = 'http://www.sitemaps.org/schemas/sitemap/0.9';

/** A sitemap (sitemaps.org protocol 0.9): one <url> per address, with its last change. */
export function sitemapUrlset(urls: SitemapUrl[]): string {
  const lines = urls.map((u) => `  <url><loc>${xmlText(u.loc)}</loc>${u.lastmod ? `<lastmod>${isoDate(u.lastmod)}</lastmod>` : ''}</url>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="${XMLNS}">\n${lines.join('\n')}\n</urlset>\n`;
}

/** A sitemap index pointing at the numbered sitemaps. */
export function sitemapIndex(locations: string[]): string {
  const lines = locations.map((loc) => `  <sitemap><loc>${xmlText(loc)}</loc></sitemap>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="${XMLNS}">\n${lines.join('\n')}\n</sitemapindex>\n`;
}
