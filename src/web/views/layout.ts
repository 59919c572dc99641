import type { Context } from 'hono';
import type { AppEnv } from '../context.ts';
import { html, type SafeHtml } from '../html.ts';
import { feedFiles, feedLinks, feedTypes, formatNames, type FeedFormat, type FeedLink } from './feed-views.ts';

const siteFeedFormats = Object.keys(feedFiles) as FeedFormat[];
import { socialTags, type SocialMeta } from './seo-views.ts';
import { iconLink, siteCss } from './site-css.ts';

export interface LayoutOptions {
  title: string;
  /** Meta description; the site description when absent. */
  description?: string;
  /**
   * Absolute canonical URL path (e.g. /my-post); defaults to the request path. Null for a page
   * that is no address of its own (an error page): it names no canonical URL.
   */
  canonicalPath?: string | null;
  /** An absolute canonical URL elsewhere (a post's canonical override); wins over canonicalPath. */
  canonicalUrl?: string | null;
  body: SafeHtml;
  /** Extra elements for <head> (alternate links, noindex…). */
  head?: SafeHtml;
  /** The nav item URL to mark as current. */
  current?: string;
  bodyClass?: string;
  /** Names of scripts under assets/ to load (deferred). */
  scripts?: string[];
  /** Feeds of this page (a tag's posts, a post's comments), advertised after the site's own. */
  feeds?: FeedLink[];
  /** Open Graph and Twitter card details; a plain "website" card when absent. */
  social?: SocialMeta;
}

/** The public site's page frame: header with navigation and search, main, footer. */
export function layout(c: Context<AppEnv>, options: LayoutOptions): SafeHtml {
  const { config, assets } = c.get('deps');
  const site = c.get('site');
  const user = c.get('user');
  const current = options.current ?? c.req.path;
  const pageTitle = options.title === site.title ? site.title : `${options.title} · ${site.title}`;
  const canonical = options.canonicalUrl || `${config.siteUrl}${options.canonicalPath ?? c.req.path}`;
  const feeds = [...feedLinks('/', site.title), ...(options.feeds ?? [])];
  const ownCss = siteCss(site);
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${pageTitle}</title>
<meta name="description" content="${options.description ?? site.description}">
${options.canonicalPath === null && !options.canonicalUrl ? '' : html`<link rel="canonical" href="${canonical}">`}
${feeds.map((f) => html`<link rel="alternate" type="${f.type}" title="${f.title}" href="${f.href}">`)}
${socialTags({ title: options.title, description: options.description ?? site.description, url: canonical, siteName: site.title, meta: options.social ?? { type: 'website' } })}
${iconLink(site, assets)}
<link rel="stylesheet" href="${assets.url('site.css')}">
${ownCss ? html`<link rel="stylesheet" href="/assets/custom.css?v=${hashOf(ownCss)}">` : ''}
<meta name="color-scheme" content="light dark">
<meta name="generator" content="Kumbaya">
${options.head ?? ''}
<script src="${assets.url('site-nav.js')}" defer></script>
${(options.scripts ?? []).map((name) => html`<script src="${assets.url(name)}" defer></script>`)}
</head>
<body${options.bodyClass ? html` class="${options.bodyClass}"` : ''}>
<a class="skip-link" href="#content">Skip to content</a>
<header class="site-header">
  <div class="wrap">
    <a class="site-title" href="/">${site.title}</a>
    <div class="site-bar">
      <nav class="site-nav" aria-label="Site">
        <button type="button" class="site-nav-toggle secondary" aria-expanded="false" aria-controls="site-menu" hidden>Menu</button>
        <ul id="site-menu">
          ${site.navigation.map((item) => html`<li><a href="${item.url}"${item.url === current ? html` aria-current="page"` : ''}>${item.label}</a></li>`)}
          ${user ? html`<li><a href="/admin">Admin</a></li>` : ''}
        </ul>
      </nav>
      <form class="search-form" role="search" aria-label="Search the site" action="/search" method="get">
        <label class="visually-hidden" for="site-search">Search posts</label>
        <input id="site-search" type="search" name="q" placeholder="Search" autocomplete="off">
        <button type="submit" class="secondary">Search</button>
      </form>
    </div>
  </div>
</header>
<main id="content" tabindex="-1">
  <div class="wrap">
${options.body}
  </div>
</main>
<footer class="site-footer">
  <div class="wrap">
    <p>${site.title}${site.description ? html` — ${site.description}` : ''}</p>
    <p class="footer-feeds">Follow by feed: ${siteFeedFormats.map((format, i) => html`${i ? ' · ' : ''}<a href="/${feedFiles[format]}" type="${feedTypes[format]}">${formatNames[format]}</a>`)}${
      (options.feeds ?? []).length ? html`<br>${(options.feeds ?? []).map((f, i) => html`${i ? ' · ' : ''}<a href="${f.href}" type="${f.type}">${f.title}</a>`)}` : ''
    }</p>
    <p>Powered by Kumbaya.</p>
  </div>
</footer>
</body>
</html>`;
}

export function hashOf(text: string): string {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}
