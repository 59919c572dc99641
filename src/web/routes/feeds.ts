import { Hono, type Context } from 'hono';
import { isProtected, type Comment, type Post, type User } from '../../core/store.ts';
import type { AppEnv } from '../context.ts';
import { pageCache } from '../middleware.ts';
import { absoluteUrls, feedFiles, feedTypes, renderFeed, tagUri, type FeedFormat, type FeedItem, type FeedSpec } from '../views/feed-views.ts';
import { PROTECTED_SUMMARY, postUrl } from '../views/public-views.ts';

const fileParam = '{(?:feed\\.xml|atom\\.xml|feed\\.json)}';
const formatOf = (file: string): FeedFormat => (file === 'atom.xml' ? 'atom' : file === 'feed.json' ? 'json' : 'rss');

/** Absolute URLs of a feed's three formats, its files living under `base` ("/", "/tag/x/"). */
function feedUrls(siteUrl: string, base: string): Record<FeedFormat, string> {
  return { rss: `${siteUrl}${base}${feedFiles.rss}`, atom: `${siteUrl}${base}${feedFiles.atom}`, json: `${siteUrl}${base}${feedFiles.json}` };
}

/** A post or page that anyone may read at its address right now, and that lists may show. */
export function isListed(post: Post, now: number): boolean {
  return post.status === 'published' && post.visibility === 'public' && post.deletedAt === null && post.publishedAt !== null && post.publishedAt <= now;
}

async function sendFeed(c: Context<AppEnv>, spec: FeedSpec, format: FeedFormat) {
  const body = Buffer.from(await renderFeed(spec, format));
  c.set('pageBody', body);
  return c.body(body, 200, { 'Content-Type': `${feedTypes[format]}; charset=utf-8` });
}

async function authorsById(c: Context<AppEnv>, ids: number[]): Promise<Map<number, User>> {
  const { store } = c.get('deps');
  const authors = new Map<number, User>();
  for (const id of new Set(ids)) {
    const user = await store.users.findById(id);
    if (user) authors.set(id, user);
  }
  return authors;
}

/** Feed entries for posts: full content, tag: ids, the author, tags, and where their comments are. */
async function postItems(c: Context<AppEnv>, posts: Post[]): Promise<FeedItem[]> {
  const { config, store } = c.get('deps');
  const site = config.siteUrl;
  const [authors, counts] = await Promise.all([authorsById(c, posts.map((p) => p.authorId)), store.comments.countApproved(posts.map((p) => p.id))]);
  return posts.map((post) => {
    const author = authors.get(post.authorId);
    const url = `${site}${postUrl(post)}`;
    if (isProtected(post)) return protectedItem(post, url, author, site);
    return {
      id: tagUri(site, post.createdAt, 'post', post.id),
      url,
      title: post.title,
      html: absoluteUrls(post.html, site),
      summary: post.excerpt || undefined,
      published: post.publishedAt ?? post.createdAt,
      updated: Math.max(post.updatedAt, post.publishedAt ?? 0),
      author: author ? { name: author.name, url: `${site}/author/${author.slug}` } : null,
      categories: post.tags.map((t) => t.name),
      image: post.coverImage ? new URL(post.coverImage, `${site}/`).href : null,
      replies: {
        count: counts.get(post.id) ?? 0,
        page: `${url}#comments`,
        atom: `${url}/comments/${feedFiles.atom}`,
        rss: `${url}/comments/${feedFiles.rss}`,
      },
    };
  });
}

/** A protected post in a feed: its title and address, none of its text, no comment feeds (feed readers cannot enter a password). */
function protectedItem(post: Post, url: string, author: User | undefined, site: string): FeedItem {
  return {
    id: tagUri(site, post.createdAt, 'post', post.id),
    url,
    title: post.title,
    html: `<p>${PROTECTED_SUMMARY} <a href="${url}">${url}</a></p>`,
    summary: PROTECTED_SUMMARY,
    published: post.publishedAt ?? post.createdAt,
    updated: Math.max(post.updatedAt, post.publishedAt ?? 0),
    author: author ? { name: author.name, url: `${site}/author/${author.slug}` } : null,
    categories: post.tags.map((t) => t.name),
    image: null,
  };
}

const newest = (items: FeedItem[], fallback: number) => items.reduce((max, item) => Math.max(max, item.updated), fallback);

/** Feed entries for a post's newest approved comments, newest first. */
function commentItems(site: string, post: Post, comments: Comment[], all: Comment[]): FeedItem[] {
  const byId = new Map(all.map((cm) => [cm.id, cm]));
  const url = `${site}${postUrl(post)}`;
  const postId = tagUri(site, post.createdAt, 'post', post.id);
  return comments.map((comment) => {
    const parent = comment.parentId === null ? undefined : byId.get(comment.parentId);
    return {
      id: tagUri(site, comment.createdAt, 'comment', comment.id),
      url: `${site}/comments/${comment.id}`,
      title: `${comment.authorName} on “${post.title}”`,
      html: absoluteUrls(comment.html, site),
      published: comment.createdAt,
      updated: comment.editedAt ?? comment.createdAt,
      author: { name: comment.authorName, url: comment.authorUrl },
      categories: [],
      inReplyTo:
        comment.parentId === null
          ? { ref: postId, href: url }
          : { ref: tagUri(site, parent?.createdAt ?? comment.createdAt, 'comment', comment.parentId), href: `${site}/comments/${comment.parentId}` },
    };
  });
}

/**
 * RSS 2.0, Atom and JSON Feed for the whole site, each tag and each post's comments.
 * Cached like pages (cleared on every change), with ETag and Last-Modified answers.
 */
export function feedRoutes(): Hono<AppEnv> {
  // The cache middleware per route: a sub-app's '*' middleware would also wrap every route mounted after it.
  const app = new Hono<AppEnv>();

  app.get(`/:file${fileParam}`, pageCache, async (c) => {
    const { store, clock, config } = c.get('deps');
    const site = c.get('site');
    const now = clock.now();
    const posts = (await store.posts.listPublished({ type: 'post', limit: site.feedItems, offset: 0 }, now)).items;
    const items = await postItems(c, posts);
    const owner = (await store.users.list()).find((u) => u.role === 'owner');
    return sendFeed(
      c,
      {
        id: `${config.siteUrl}/`,
        title: site.title,
        description: site.description,
        homeUrl: `${config.siteUrl}/`,
        urls: feedUrls(config.siteUrl, '/'),
        updated: newest(items, 0) || now,
        author: owner ? { name: owner.name, url: `${config.siteUrl}/` } : null,
        items,
      },
      formatOf(c.req.param('file')),
    );
  });

  app.get(`/tag/:slug/:file${fileParam}`, pageCache, async (c) => {
    const { store, clock, config } = c.get('deps');
    const site = c.get('site');
    const tag = await store.tags.findBySlug(c.req.param('slug'));
    if (!tag) return c.notFound();
    const now = clock.now();
    const posts = (await store.posts.listPublished({ type: 'post', tagSlug: tag.slug, limit: site.feedItems, offset: 0 }, now)).items;
    const items = await postItems(c, posts);
    const base = `/tag/${tag.slug}/`;
    return sendFeed(
      c,
      {
        id: `${config.siteUrl}/tag/${tag.slug}`,
        title: `${site.title}: posts tagged “${tag.name}”`,
        description: `Posts tagged “${tag.name}” on ${site.title}.`,
        homeUrl: `${config.siteUrl}/tag/${tag.slug}`,
        urls: feedUrls(config.siteUrl, base),
        updated: newest(items, 0) || now,
        author: null,
        items,
      },
      formatOf(c.req.param('file')),
    );
  });

  app.get(`/:slug{[a-z0-9]+(?:-[a-z0-9]+)*}/comments/:file${fileParam}`, pageCache, async (c) => {
    const { store, clock, config } = c.get('deps');
    const slug = c.req.param('slug');
    const file = c.req.param('file');
    const post = await store.posts.findBySlug(slug);
    const now = clock.now();
    if (!post) {
      const moved = await store.posts.findByOldSlug(slug);
      if (moved && isListed(moved, now)) return c.redirect(`/${moved.slug}/comments/${file}`, 301);
      return c.notFound();
    }
    // A protected post's conversation is for readers who entered its password on the site.
    // A page of another site's thread (type external) is unlisted by design, and has its feed.
    const listed = isListed(post, now) || (post.type === 'external' && isListed({ ...post, visibility: 'public' }, now));
    if (!listed || isProtected(post)) return c.notFound();
    const all = await store.comments.listApproved(post.id);
    const recent = all.slice(-c.get('site').feedItems).reverse();
    const items = commentItems(config.siteUrl, post, recent, all);
    const url = `${config.siteUrl}${postUrl(post)}`;
    return sendFeed(
      c,
      {
        id: `${tagUri(config.siteUrl, post.createdAt, 'post', post.id)}:comments`,
        title: `Comments on “${post.title}”`,
        description: `The conversation under “${post.title}” on ${c.get('site').title}.`,
        homeUrl: `${url}#comments`,
        urls: feedUrls(config.siteUrl, `${postUrl(post)}/comments/`),
        updated: newest(items, post.publishedAt ?? post.createdAt),
        author: null,
        items,
      },
      formatOf(file),
    );
  });

  return app;
}
