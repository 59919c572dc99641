import type { Context } from 'hono';
import type { ReceivedMention } from '../../core/webmention-store.ts';
import { sha256Hex } from '../../core/tokens.ts';
import type { AppEnv } from '../context.ts';
import { html, type SafeHtml } from '../html.ts';
import { formatDate, formatDateTime, isoDate, plural } from './format.ts';
import { layout } from './layout.ts';

/** `<link>` elements advertising the webmention and pingback endpoints (post pages). */
export function mentionEndpointLinks(c: Context<AppEnv>): SafeHtml {
  const site = c.get('deps').config.siteUrl;
  return html`<link rel="webmention" href="${site}/webmention">
<link rel="pingback" href="${site}/xmlrpc.php">`;
}

/** Initials on a colour picked from the author's URL: readers' browsers fetch nothing from elsewhere. */
function face(m: ReceivedMention): SafeHtml {
  const name = m.authorName ?? '?';
  const colour = parseInt(sha256Hex((m.authorUrl ?? name).toLowerCase()).slice(0, 2), 16) % 8;
  // Words that start with a letter or digit: a pingback's "Post « Blog" gives "PB", not "P«".
  const words = name.trim().split(/\s+/).filter((w) => /^[\p{L}\p{N}]/u.test(w));
  const initials = words.slice(0, 2).map((w) => w[0].toUpperCase()).join('') || '?';
  return html`<span class="avatar avatar-${colour}" aria-hidden="true">${initials}</span>`;
}

function facesRow(title: string, verb: string, mentions: ReceivedMention[]): SafeHtml {
  if (mentions.length === 0) return html``;
  return html`<div class="mention-row">
  <h3 class="mention-row-title">${plural(mentions.length, title, `${title}s`)}</h3>
  <ul class="faces">
    ${mentions.map(
      (m) => html`<li class="h-cite"><a class="face u-author h-card" href="${m.authorUrl ?? m.url ?? m.source}" rel="ugc nofollow noopener" title="${m.authorName ?? ''} ${verb}">${face(m)}<span class="p-name face-name">${m.authorName ?? ''}</span></a></li>`,
    )}
  </ul>
</div>`;
}

/**
 * What other sites said about the post, by webmention and pingback: likes and reposts as
 * rows of faces, bookmarks and mentions in a list. (Replies are comments in the thread.)
 */
export function mentionsSection(mentions: ReceivedMention[]): SafeHtml {
  const of = (...types: string[]) => mentions.filter((m) => types.includes(m.type ?? 'mention'));
  const likes = of('like');
  const reposts = of('repost');
  const others = of('bookmark', 'mention');
  if (likes.length + reposts.length + others.length === 0) return html``;
  return html`<section class="mentions" aria-labelledby="mentions-title">
  <h2 id="mentions-title">Around the web</h2>
  ${facesRow('like', 'liked this', likes)}
  ${facesRow('repost', 'reposted this', reposts)}
  ${
    others.length > 0
      ? html`<h3 class="mention-row-title">Mentioned by</h3>
  <ul class="mentioned-by">
    ${others.map(
      (m) => html`<li class="h-cite">
      ${face(m)}
      <div>
        <a class="p-author h-card" href="${m.authorUrl ?? m.source}" rel="ugc nofollow noopener">${m.authorName}</a>
        ${m.type === 'bookmark' ? 'bookmarked this' : 'mentioned this'} in
        <a class="u-url" href="${m.url ?? m.source}" rel="ugc nofollow noopener">${hostOf(m.url ?? m.source)}</a>
        ${m.publishedAt ? html`<time class="dt-published" datetime="${isoDate(m.publishedAt)}">${formatDate(m.publishedAt)}</time>` : ''}
        ${m.content ? html`<p class="mention-excerpt">${excerpt(m.content)}</p>` : ''}
      </div>
    </li>`,
    )}
  </ul>`
      : ''
  }
</section>`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 220 ? `${flat.slice(0, 219)}…` : flat;
}

const statusWords: Record<ReceivedMention['status'], string> = {
  queued: 'Queued: the source will be fetched and checked shortly.',
  verified: 'Verified: the source links here, and the mention is shown.',
  rejected: 'Rejected',
  deleted: 'Deleted: it was shown, and has been taken away',
};

/** The status page a sender finds at the 202's Location. */
export function mentionStatusPage(c: Context<AppEnv>, m: ReceivedMention): SafeHtml {
  const body = html`<article class="card narrow-wide mention-status">
  <h1>Webmention ${m.id}</h1>
  <p class="status-${m.status}"><strong>${statusWords[m.status]}</strong>${m.reason ? html`: ${m.reason}.` : ''}</p>
  <dl>
    <dt>Source</dt><dd><a href="${m.source}" rel="nofollow noopener">${m.source}</a></dd>
    <dt>Target</dt><dd><a href="${m.target}">${m.target}</a></dd>
    ${m.type ? html`<dt>Kind</dt><dd>${m.type}${m.via === 'webmention' ? '' : ` (${m.via})`}</dd>` : ''}
    <dt>Received</dt><dd>${formatDateTime(m.receivedAt)}</dd>
    ${m.verifiedAt ? html`<dt>Verified</dt><dd>${formatDateTime(m.verifiedAt)}</dd>` : ''}
  </dl>
</article>`;
  return layout(c, { title: `Webmention ${m.id}`, body });
}

/** GET /webmention: what the endpoint is, with a form to send one by hand. */
export function endpointPage(c: Context<AppEnv>): SafeHtml {
  const site = c.get('deps').config.siteUrl;
  const body = html`<article class="card narrow-wide">
  <h1>Webmention</h1>
  <p>This site accepts <a href="https://www.w3.org/TR/webmention/">webmentions</a>. Wrote something that links to a post here? Tell us where, and it will be checked and shown under the post (replies after moderation).</p>
  <form method="post" action="/webmention">
    <div class="field"><label for="wm-source">Your page (source)</label><input id="wm-source" type="url" name="source" required placeholder="https://your.site/your-post"></div>
    <div class="field"><label for="wm-target">Our post (target)</label><input id="wm-target" type="url" name="target" required placeholder="${site}/a-post"></div>
    <button type="submit">Send webmention</button>
  </form>
</article>`;
  return layout(c, { title: 'Webmention', body });
}
