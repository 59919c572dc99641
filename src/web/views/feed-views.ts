import { xmlSafe } from '../../core/xml-chars.ts';

/**
 * One feed in the three formats. The routes gather a FeedSpec (site, tag or a post's
 * comments); these functions only turn it into RSS 2.0, Atom (with RFC 4685 threading)
 * or JSON Feed 1.1 through feedsmith. Every URL in a spec is absolute.
 */

export type FeedFormat = 'rss' | 'atom' | 'json';

export const feedTypes: Record<FeedFormat, string> = {
  rss: 'application/rss+xml',
  atom: 'application/atom+xml',
  json: 'application/feed+json',
};

/** The file name each format answers at, after a feed's base path ("/", "/tag/x/", "/my-post/comments/"). */
export const feedFiles: Record<FeedFormat, string> = { rss: 'feed.xml', atom: 'atom.xml', json: 'feed.json' };

export const formatNames: Record<FeedFormat, string> = { rss: 'RSS', atom: 'Atom', json: 'JSON Feed' };

export interface FeedLink {
  title: string;
  href: string;
  type: string;
}

/** The three alternate links for a feed whose files live under `base` (a path ending in "/"). */
export function feedLinks(base: string, title: string): FeedLink[] {
  return (Object.keys(feedFiles) as FeedFormat[]).map((format) => ({ title: `${title} (${formatNames[format]})`, href: `${base}${feedFiles[format]}`, type: feedTypes[format] }));
}

export interface FeedPerson {
  name: string;
  url?: string | null;
}

export interface FeedItem {
  /** Stable and never reused: a tag: URI. */
  id: string;
  url: string;
  title: string;
  /** Sanitised HTML with absolute URLs. */
  html: string;
  summary?: string;
  published: number;
  updated: number;
  author: FeedPerson | null;
  categories: string[];
  image?: string | null;
  /** A comment: what it answers (RFC 4685 thr:in-reply-to). */
  inReplyTo?: { ref: string; href: string };
  /** A post: its comments page and feeds, with the count of approved comments. */
  replies?: { count: number; page: string; atom: string; rss: string };
}

export interface FeedSpec {
  id: string;
  title: string;
  description: string;
  /** The page the feed belongs to. */
  homeUrl: string;
  /** Absolute URL of this feed in each format (rel="self"). */
  urls: Record<FeedFormat, string>;
  /** When anything in the feed last changed. */
  updated: number;
  author: FeedPerson | null;
  items: FeedItem[];
}

type Feedsmith = typeof import('feedsmith');

/** The feed document; feedsmith loads with the first feed served (it is 160 modules). */
export async function renderFeed(spec: FeedSpec, format: FeedFormat): Promise<string> {
  const feedsmith = await import('feedsmith');
  // Whatever people typed, the document stays well-formed XML (see xml-chars.ts).
  if (format === 'rss') return xmlSafe(tightCdata(renderRss(spec, feedsmith)));
  if (format === 'atom') return xmlSafe(tightCdata(renderAtom(spec, feedsmith)));
  return `${JSON.stringify(renderJson(spec, feedsmith), null, 2)}\n`;
}

/**
 * feedsmith's pretty printer puts each CDATA section on a line of its own, which adds
 * whitespace to titles and names (significant in Atom text). Pull them back against their
 * tags. Sanitised HTML and escaped text never hold a literal "<![CDATA[", so only the
 * printer's whitespace is touched.
 */
function tightCdata(xml: string): string {
  return xml.replace(/>\s+<!\[CDATA\[/g, '><![CDATA[').replace(/\]\]>\s+</g, ']]><');
}

function renderRss(spec: FeedSpec, feedsmith: Feedsmith): string {
  return feedsmith.generateRssFeed({
    title: spec.title,
    link: spec.homeUrl,
    description: spec.description || spec.title,
    lastBuildDate: new Date(spec.updated),
    generator: 'Kumbaya',
    atom: { links: [{ href: spec.urls.rss, rel: 'self', type: feedTypes.rss }] },
    items: spec.items.map((item) => ({
      title: item.title,
      link: item.url,
      guid: { value: item.id, isPermaLink: false },
      pubDate: new Date(item.published),
      description: item.summary ?? item.html,
      content: { encoded: item.html },
      // RSS's <author> must be an email address, which is never published: Dublin Core names the author.
      dc: item.author ? { creators: [item.author.name] } : undefined,
      categories: item.categories.map((name) => ({ name })),
      comments: item.replies?.page,
      slash: item.replies ? { comments: item.replies.count } : undefined,
      wfw: item.replies ? { commentRss: item.replies.rss } : undefined,
    })),
  });
}

function renderAtom(spec: FeedSpec, feedsmith: Feedsmith): string {
  return feedsmith.generateAtomFeed({
    id: spec.id,
    title: { value: spec.title },
    subtitle: spec.description ? { value: spec.description } : undefined,
    updated: new Date(spec.updated),
    generator: { text: 'Kumbaya' },
    authors: spec.author ? [atomPerson(spec.author)] : undefined,
    links: [
      { href: spec.homeUrl, rel: 'alternate', type: 'text/html' },
      { href: spec.urls.atom, rel: 'self', type: feedTypes.atom },
    ],
    entries: spec.items.map((item) => ({
      id: item.id,
      title: { value: item.title, type: 'text' },
      published: new Date(item.published),
      updated: new Date(item.updated),
      authors: item.author ? [atomPerson(item.author)] : undefined,
      links: [
        { href: item.url, rel: 'alternate', type: 'text/html' },
        ...(item.replies
          ? [
              { href: item.replies.atom, rel: 'replies', type: feedTypes.atom, thr: { count: item.replies.count } },
              { href: item.replies.page, rel: 'replies', type: 'text/html', thr: { count: item.replies.count } },
            ]
          : []),
      ],
      summary: item.summary ? { value: item.summary, type: 'text' } : undefined,
      content: { value: item.html, type: 'html' },
      categories: item.categories.map((term) => ({ term })),
      thr: item.inReplyTo
        ? { inReplyTos: [{ ref: item.inReplyTo.ref, href: item.inReplyTo.href, type: 'text/html' }] }
        : item.replies
          ? { total: item.replies.count }
          : undefined,
    })),
  });
}

function atomPerson(person: FeedPerson) {
  return { name: person.name, uri: person.url ?? undefined };
}

function jsonAuthor(person: FeedPerson) {
  return { name: person.name, url: person.url ?? undefined };
}

function renderJson(spec: FeedSpec, feedsmith: Feedsmith): unknown {
  return feedsmith.generateJsonFeed({
    title: spec.title,
    home_page_url: spec.homeUrl,
    feed_url: spec.urls.json,
    description: spec.description || undefined,
    authors: spec.author ? [jsonAuthor(spec.author)] : undefined,
    items: spec.items.map((item) => ({
      id: item.id,
      url: item.url,
      title: item.title,
      content_html: item.html,
      summary: item.summary,
      image: item.image ?? undefined,
      date_published: new Date(item.published),
      date_modified: new Date(item.updated),
      authors: item.author ? [jsonAuthor(item.author)] : undefined,
      tags: item.categories.length > 0 ? item.categories : undefined,
    })),
  });
}

/** Turns root-relative src and href attributes into absolute URLs: feed readers have no base. */
export function absoluteUrls(markup: string, siteUrl: string): string {
  return markup.replace(/(\s(?:src|href|poster)=")\/(?!\/)/g, `$1${siteUrl}/`);
}

/** A tag: URI (RFC 4151) that never changes for the thing, whatever its slug becomes. */
export function tagUri(siteUrl: string, createdAt: number, kind: string, id: number | string): string {
  return `tag:${new URL(siteUrl).hostname},${new Date(createdAt).getUTCFullYear()}:${kind}:${id}`;
}
