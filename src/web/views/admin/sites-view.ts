import type { Context } from 'hono';
import type { EmbedSiteWithCount, EmbedThread } from '../../../core/embeds.ts';
import type { CommentsMode, Post } from '../../../core/store.ts';
import type { AppEnv } from '../../context.ts';
import { html, type SafeHtml } from '../../html.ts';
import { csrfField } from '../forms.ts';
import { formatDate, plural } from '../format.ts';
import { adminLayout, pageHead } from './admin-layout.ts';

export interface SiteFormState {
  value: string;
  error: string;
}

export interface SiteThreads {
  site: EmbedSiteWithCount;
  /** The newest threads, with their posts. */
  threads: Array<{ thread: EmbedThread; post: Post | null }>;
}

/** What a site's pages carry: the loader, the element, and the link for readers without JavaScript. */
export function embedSnippet(siteUrl: string, blogTitle: string): string {
  return `<script type="module" src="${siteUrl}/embed.js" async></script>
<kumbaya-comments>
  <a href="${siteUrl}/embed/thread?url=PAGE_ADDRESS">Comments on ${blogTitle}</a>
</kumbaya-comments>`;
}

/** /admin/sites: the sites whose pages carry this blog's comments, adding one, and the snippet to paste. */
export function sitesView(c: Context<AppEnv>, sites: SiteThreads[], state?: SiteFormState): SafeHtml {
  const token = c.get('session')!.csrfToken;
  const siteUrl = c.get('deps').config.siteUrl;
  const body = html`${pageHead(
    'Sites',
    undefined,
    'Other sites whose pages carry this blog’s comments (a static Hugo or Jekyll site, say). Each page becomes a conversation here, moderated like the blog’s own; the blog never lists it.',
  )}
<section class="card sites-add" aria-labelledby="sites-add-title">
  <h2 id="sites-add-title">Add a site</h2>
  <form method="post" action="/admin/sites" class="sites-form">
    ${csrfField(token)}
    <div class="field">
      <label for="site-origin">The site’s address</label>
      <input type="text" id="site-origin" name="origin" value="${state?.value ?? ''}" required maxlength="200" spellcheck="false" autocomplete="url" placeholder="https://example.com"
        aria-describedby="site-origin-hint${state ? ' site-origin-error' : ''}"${state ? html` aria-invalid="true"` : ''}>
      <p class="hint" id="site-origin-hint">Its origin only: the scheme and the host (and port), e.g. https://example.com or http://localhost:1313. Pages elsewhere on that site can then carry comments.</p>
      ${state ? html`<p class="field-error" id="site-origin-error">${state.error}</p>` : ''}
    </div>
    <button type="submit">Add site</button>
  </form>
</section>
<section class="sites-list" aria-labelledby="sites-list-title">
  <h2 id="sites-list-title">${sites.length === 0 ? 'No sites yet' : plural(sites.length, 'site', 'sites')}</h2>
  ${
    sites.length === 0
      ? html`<p class="empty">Add a site above, then paste the snippet below into its page template.</p>`
      : html`<ul class="site-list">
    ${sites.map(
      ({ site, threads }) => html`<li class="card site-item" id="site-${site.id}">
      <div class="site-head">
        <h3 class="site-origin">${site.origin}</h3>
        <p class="muted">Added ${formatDate(site.createdAt)} · ${plural(site.threads, 'page with a conversation', 'pages with a conversation')}</p>
        <form method="post" action="/admin/sites/${site.id}/delete" data-confirm="Remove ${site.origin}? Its pages stop showing comments; the conversations stay here, and come back if you add the site again.">
          ${csrfField(token)}
          <button type="submit" class="danger small">Remove<span class="visually-hidden"> ${site.origin}</span></button>
        </form>
      </div>
      ${
        threads.length
          ? html`<ul class="site-threads">
        ${threads.map(({ thread, post }) => html`<li>${post ? html`<a href="/admin/sites/threads/${post.id}">${post.title}</a>${post.deletedAt !== null ? html` <span class="muted">(in the trash)</span>` : ''}` : 'A conversation deleted for good'} <span class="muted">· <a href="${thread.pageUrl}" rel="noopener">${thread.pageUrl}</a></span></li>`)}
      </ul>`
          : ''
      }
    </li>`,
    )}
  </ul>`
  }
</section>
<section class="card sites-snippet" aria-labelledby="sites-snippet-title">
  <h2 id="sites-snippet-title">The snippet to paste</h2>
  <p>Put this where comments belong in the site’s page template. The link inside is what readers without JavaScript follow; replace PAGE_ADDRESS with the page’s address, URL-encoded (Hugo: <code>{{ .Permalink | urlquery }}</code>, Jekyll: <code>{{ page.url | absolute_url | url_encode }}</code>).</p>
  <pre class="snippet" tabindex="0" aria-label="The snippet"><code>${embedSnippet(siteUrl, c.get('site').title)}</code></pre>
  <p class="muted">The element takes the page’s address from its canonical link (else its location) and its title from the page, unless you give them: <code>&lt;kumbaya-comments page-url="…" page-title="…"&gt;</code>. Theme it with CSS custom properties (<code>--kumbaya-accent</code>, <code>--kumbaya-bg</code>, <code>--kumbaya-dark-bg</code>…) and <code>::part()</code>; <code>theme="light|dark|auto"</code> or <code>element.setTheme()</code> chooses the colours (auto follows the page). A page with a Content-Security-Policy allows ${siteUrl} in script-src, style-src and connect-src.</p>
</section>`;
  return adminLayout(c, { title: 'Sites', body, current: 'sites' });
}

export interface ThreadFormState {
  title: string;
  commentsMode: CommentsMode;
  error?: string;
}

/**
 * /admin/sites/threads/:id: what makes sense for a page's conversation (the post editor
 * is for the blog's own writing): its page, its title, whether it takes comments, its
 * history, the trash.
 */
export function threadView(
  c: Context<AppEnv>,
  o: { post: Post; thread: EmbedThread; approved: number; revisions: number; state: ThreadFormState; closedBySite: string | null },
): SafeHtml {
  const token = c.get('session')!.csrfToken;
  const { post, thread, state } = o;
  const mode = (value: CommentsMode, label: string) =>
    html`<label class="check"><input type="radio" name="commentsMode" value="${value}"${state.commentsMode === value ? html` checked` : ''}> ${label}</label>`;
  const body = html`${pageHead(post.title, undefined, html`The conversation of a page on ${thread.origin}. Its text links back to the page; the page’s own title renames it when it changes.`)}
<section class="card thread-facts" aria-labelledby="thread-facts-title">
  <h2 id="thread-facts-title">The page</h2>
  <dl class="thread-facts-list">
    <dt>Address</dt><dd><a href="${thread.pageUrl}" rel="noopener" class="thread-page-url">${thread.pageUrl}</a></dd>
    <dt>On this blog</dt><dd><a href="/${post.slug}">/${post.slug}</a> (for readers without JavaScript)</dd>
    <dt>Comments</dt><dd><a href="/admin/comments?post=${post.id}">${plural(o.approved, 'approved comment', 'approved comments')}</a></dd>
    <dt>Since</dt><dd>${formatDate(thread.createdAt)}</dd>
    <dt>History</dt><dd>${o.revisions === 0 ? 'The title has not changed since the conversation began.' : html`<a href="/admin/posts/${post.id}/revisions">${plural(o.revisions, 'version', 'versions')} of the title</a>`}</dd>
  </dl>
</section>
<section class="card thread-edit" aria-labelledby="thread-edit-title">
  <h2 id="thread-edit-title">Title and comments</h2>
  <form method="post" action="/admin/sites/threads/${post.id}" class="thread-form">
    ${csrfField(token)}
    <div class="field">
      <label for="thread-title">Title</label>
      <input type="text" id="thread-title" name="title" value="${state.title}" required maxlength="200"
        aria-describedby="thread-title-hint${state.error ? ' thread-title-error' : ''}"${state.error ? html` aria-invalid="true"` : ''}>
      <p class="hint" id="thread-title-hint">Shown in the inbox, mails and feeds. If the page’s title changes later, the page renames it again.</p>
      ${state.error ? html`<p class="field-error" id="thread-title-error">${state.error}</p>` : ''}
    </div>
    <fieldset class="field">
      <legend>Comments</legend>
      ${mode('inherit', `As the blog’s settings say${o.closedBySite ? ` (now: closed — ${o.closedBySite})` : ' (now: open)'}`)}
      ${mode('open', 'Open')}
      ${mode('closed', 'Closed: the page shows the conversation without the form')}
    </fieldset>
    <button type="submit">Save</button>
  </form>
</section>
<section class="card thread-trash" aria-labelledby="thread-trash-title">
  <h2 id="thread-trash-title">Trash</h2>
  <p>The page then shows no conversation (its element says it was not found) and readers cannot comment there, until you restore it from Admin → Trash.</p>
  <form method="post" action="/admin/sites/threads/${post.id}/trash">
    ${csrfField(token)}
    <button type="submit" class="danger">Move to the trash</button>
  </form>
</section>`;
  return adminLayout(c, { title: post.title, body, current: 'sites' });
}
