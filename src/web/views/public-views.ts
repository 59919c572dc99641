import type { Context } from 'hono';
import { isProtected, type MonthCount, type Post, type SearchHit, type User } from '../../core/store.ts';
import { secureImageUrl } from '../../core/image-url.ts';
import type { AppEnv } from '../context.ts';
import { html, raw, type SafeHtml } from '../html.ts';
import { formatDate, formatDateTime, formatMonth, isoDate, isoLocal, plural } from './format.ts';
import { feedLinks, type FeedLink } from './feed-views.ts';
import { layout } from './layout.ts';
import { blogPostingJsonLd } from './seo-views.ts';
import { shareControls } from './share-views.ts';
import { mentionEndpointLinks } from './mention-views.ts';
import { CONTENT_SIZES } from '../responsive-images.ts';

export const postUrl = (post: Pick<Post, 'slug'>): string => `/${post.slug}`;

/** What lists, feeds and link previews say instead of a protected post's text. */
export const PROTECTED_SUMMARY = 'This post is password protected. Enter its password on the post’s page to read it.';

/** The "Protected" mark beside a protected post's title (WordPress writes "Protected:" before it). */
function protectedMark(post: Post): SafeHtml {
  return isProtected(post) ? html` <span class="protected-mark">Protected</span>` : html``;
}

function tagList(post: Post): SafeHtml {
  if (post.tags.length === 0) return html``;
  return html`<ul class="tags" aria-label="Tags">${post.tags.map((t) => html`<li><a class="p-category" href="/tag/${t.slug}" rel="tag">${t.name}</a></li>`)}</ul>`;
}

function byline(post: Post, author: User | undefined, commentCount?: number): SafeHtml {
  const when = post.publishedAt ?? post.updatedAt;
  return html`<p class="meta">
    <time class="dt-published" datetime="${isoLocal(when)}">${formatDate(when)}</time>${author ? html` · by <a class="p-author h-card" href="/author/${author.slug}">${author.name}</a>` : ''}${
      commentCount !== undefined ? html` · <a href="${postUrl(post)}#comments">${plural(commentCount, 'comment', 'comments')}</a>` : ''
    }</p>`;
}

export interface ListPageOptions {
  title: string;
  intro?: SafeHtml;
  posts: Post[];
  authors: Map<number, User>;
  commentCounts: Map<number, number>;
  page: number;
  totalPages: number;
  /** Builds the URL of page n of this list. */
  pageUrl: (n: number) => string;
  emptyText: string;
  head?: SafeHtml;
  showHeading?: boolean;
  /** Feeds of this list (a tag's). */
  feeds?: FeedLink[];
  /** Shown after the list, outside the h-feed (the home page's author h-card). */
  aside?: SafeHtml;
}

/** Home, tag, author and archive pages: a paged list of post summaries. */
export function postListPage(c: Context<AppEnv>, o: ListPageOptions): SafeHtml {
  const body = html`<div class="h-feed">
<header class="page-heading"${o.showHeading === false ? html` hidden` : ''}>
  <h1 class="p-name">${o.title}</h1>
  ${o.intro ?? ''}
</header>
${
  o.posts.length === 0
    ? html`<p class="empty">${o.emptyText}</p>`
    : html`<ol class="post-list">
${o.posts.map(
  (post) => html`<li class="post-summary h-entry">
  <h2><a class="u-url p-name" href="${postUrl(post)}">${post.title}</a>${protectedMark(post)}</h2>
  ${byline(post, o.authors.get(post.authorId), isProtected(post) ? undefined : (o.commentCounts.get(post.id) ?? 0))}
  <p class="p-summary">${isProtected(post) ? PROTECTED_SUMMARY : post.excerpt}</p>
  ${tagList(post)}
</li>`,
)}
</ol>`
}
</div>
${pager(o.page, o.totalPages, o.pageUrl)}
${o.aside ?? ''}`;
  return layout(c, { title: o.title, body, head: o.head, feeds: o.feeds, canonicalPath: o.pageUrl(o.page) });
}

function pager(page: number, totalPages: number, pageUrl: (n: number) => string): SafeHtml {
  if (totalPages <= 1) return html``;
  return html`<nav class="pager" aria-label="Pages">
  ${page > 1 ? html`<a class="prev" rel="prev" href="${pageUrl(page - 1)}">← Newer posts</a>` : ''}
  <span class="meta">Page ${page} of ${totalPages}</span>
  ${page < totalPages ? html`<a class="next" rel="next" href="${pageUrl(page + 1)}">Older posts →</a>` : ''}
</nav>`;
}

export interface PostPageOptions {
  post: Post;
  author: User | undefined;
  /** The rendered comment section (see conversationSection). */
  conversation: SafeHtml;
  /** Shown to a signed-in editor looking at a draft or scheduled post. */
  preview: boolean;
  /** Likes, reposts and mentions from other sites (mention-views.ts). */
  mentions?: SafeHtml;
  /** A protected post this reader has not unlocked: the password form instead of its text. */
  locked?: { csrf: string; error?: string };
  /** The cover's variants, when it is an upload that has them (responsive-images.ts). */
  coverSrcset?: string | null;
}

/** The form that asks for a protected post's password (POST, with the visitor's CSRF token). */
function passwordForm(post: Post, locked: { csrf: string; error?: string }): SafeHtml {
  const error = locked.error ? html`<p class="field-error" id="pp-error" role="alert">${locked.error}</p>` : '';
  return html`<form class="post-password" method="post" action="${postUrl(post)}/password">
  <p>This ${post.type} is protected by a password. Enter it to read the ${post.type} and its comments.</p>
  <input type="hidden" name="_csrf" value="${locked.csrf}">
  <div class="field">
    <label for="pp-password">Password</label>
    <input id="pp-password" type="password" name="password" required maxlength="255" autocomplete="current-password"${locked.error ? html` aria-invalid="true" aria-describedby="pp-error" autofocus` : ''}>
    ${error}
  </div>
  <div class="form-actions"><button type="submit">Enter</button></div>
</form>`;
}

export function postPage(c: Context<AppEnv>, o: PostPageOptions): SafeHtml {
  const { locked } = o;
  // Locked: nothing of the text reaches the page, its previews or its structured data.
  const post = locked ? { ...o.post, html: '', excerpt: '', coverImage: null, metaDescription: null, socialImage: null } : o.post;
  const isPage = post.type === 'page';
  const { config } = c.get('deps');
  const url = `${config.siteUrl}${postUrl(post)}`;
  // The author's SEO fields, when set, replace the automatic description, card image and canonical address.
  const cardImage = post.socialImage || post.coverImage;
  const image = cardImage ? new URL(secureImageUrl(cardImage), `${config.siteUrl}/`).href : null;
  const head = html`${post.visibility === 'unlisted' || o.preview ? html`<meta name="robots" content="noindex">` : ''}
${blogPostingJsonLd({ post: post.metaDescription ? { ...post, excerpt: post.metaDescription } : post, author: o.author, url, siteUrl: config.siteUrl, siteName: c.get('site').title, image })}
${mentionEndpointLinks(c)}`;
  const body = html`
${o.preview ? html`<p class="draft-banner" role="status">Preview: this ${post.type} is <strong>${post.status}</strong>${post.status === 'scheduled' && post.publishedAt ? html` for ${formatDateTime(post.publishedAt)}` : ''} and only signed-in editors can see it. <a href="/admin/posts/${post.id}">Edit</a></p>` : ''}
<article class="h-entry">
  <header class="post-header">
    <h1 class="p-name">${post.title}${protectedMark(post)}</h1>
    ${isPage ? '' : byline(post, o.author)}
    ${isPage ? '' : tagList(post)}
  </header>
  ${post.coverImage ? html`<img class="cover u-photo" src="${secureImageUrl(post.coverImage)}" alt="" width="1280" height="720"${o.coverSrcset && !locked ? html` srcset="${o.coverSrcset}" sizes="${CONTENT_SIZES}"` : ''}>` : ''}
  ${locked ? passwordForm(post, locked) : html`<div class="e-content">${raw(post.html)}</div>`}
  <data class="u-url" value="${url}"></data>
  ${o.preview ? '' : shareControls({ url, title: post.title })}
</article>
${locked ? '' : (o.mentions ?? '')}
${locked ? '' : o.conversation}`;
  const listed = post.visibility === 'public' && !o.preview && !isProtected(post);
  return layout(c, {
    title: post.title,
    description: locked ? PROTECTED_SUMMARY : post.metaDescription || post.excerpt,
    body,
    head,
    canonicalPath: postUrl(post),
    canonicalUrl: post.canonicalUrl,
    scripts: ['comments.js', 'share.js'],
    feeds: listed ? feedLinks(`${postUrl(post)}/comments/`, `Comments on “${post.title}”`) : [],
    social: {
      type: isPage ? 'website' : 'article',
      image,
      publishedTime: isPage ? null : post.publishedAt,
      modifiedTime: isPage ? null : Math.max(post.updatedAt, post.publishedAt ?? 0),
      author: o.author?.name,
      tags: post.tags.map((t) => t.name),
    },
  });
}

export function archivePage(c: Context<AppEnv>, months: MonthCount[]): SafeHtml {
  const years = new Map<number, MonthCount[]>();
  for (const m of months) years.set(m.year, [...(years.get(m.year) ?? []), m]);
  const body = html`
<header class="page-heading"><h1>Archive</h1><p>${plural(months.reduce((n, m) => n + m.count, 0), 'post', 'posts')}, by month.</p></header>
${
  months.length === 0
    ? html`<p class="empty">Nothing published yet.</p>`
    : [...years].map(
        ([year, list]) => html`<h2>${year}</h2>
<ul class="archive-list">${list.map(
          (m) => html`<li><a href="/archive/${m.year}/${String(m.month).padStart(2, '0')}">${formatMonth(m.year, m.month)}</a> <span class="count">(${m.count})</span></li>`,
        )}</ul>`,
      )
}`;
  return layout(c, { title: 'Archive', body });
}

export function searchPage(c: Context<AppEnv>, query: string, hits: SearchHit[]): SafeHtml {
  const body = html`
<header class="page-heading">
  <h1>Search</h1>
  <form class="search-form" role="search" aria-label="Search posts" action="/search" method="get">
    <label class="visually-hidden" for="search-q">Search posts</label>
    <input id="search-q" type="search" name="q" value="${query}" placeholder="Words to look for">
    <button type="submit">Search</button>
  </form>
</header>
${
  query === ''
    ? html`<p class="empty">Type a few words to search every post and page.</p>`
    : hits.length === 0
      ? html`<p class="empty">Nothing matches “${query}”. Try fewer or different words.</p>`
      : html`<p class="meta" role="status">${plural(hits.length, 'result', 'results')} for “${query}”</p>
<div class="h-feed"><data class="p-name" value="Search: ${query}"></data><ol class="post-list">${hits.map(
          (h) => html`<li class="post-summary hit h-entry">
  <h2><a class="u-url p-name" href="${postUrl(h.post)}">${h.post.title}</a>${protectedMark(h.post)}</h2>
  <p class="meta"><time class="dt-published" datetime="${isoLocal(h.post.publishedAt ?? h.post.updatedAt)}">${formatDate(h.post.publishedAt ?? h.post.updatedAt)}</time></p>
  <p class="p-summary">${isProtected(h.post) ? PROTECTED_SUMMARY : h.snippet || h.post.excerpt}</p>
</li>`,
        )}</ol></div>`
}`;
  return layout(c, { title: query ? `Search: ${query}` : 'Search', body, head: html`<meta name="robots" content="noindex">` });
}

/**
 * The site's representative h-card (microformats2): the owner, with u-url and u-uid both
 * the home page, their name and bio. Visible at the foot of the home page.
 */
export function authorCard(owner: User, homeUrl: string): SafeHtml {
  return html`<aside class="author-card h-card" aria-label="About the author">
  <p><a class="u-url u-uid p-name" href="${homeUrl}" rel="me">${owner.name}</a>${owner.bio ? html` — <span class="p-note">${owner.bio}</span>` : html` writes here.`}</p>
</aside>`;
}
