import type { Context } from 'hono';
import type { PostReactions, Reaction } from '../../core/reactions.ts';
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

/** One face in a row of likes or reposts: a webmention's author or a fediverse account. */
interface Face {
  name: string;
  /** Where the face links: the author's page (http or https). */
  href: string;
  /** What picks the initials' colour (the author's address). */
  colourKey: string;
  /** An https avatar from elsewhere, shown only when the site allows remote images. */
  photo: string | null;
  /** `@user@host`, for fediverse accounts. */
  handle: string | null;
}

/** Initials on a colour picked from the author's URL: readers' browsers fetch nothing from elsewhere. */
function initials(name: string, colourKey: string): SafeHtml {
  const colour = parseInt(sha256Hex(colourKey.toLowerCase()).slice(0, 2), 16) % 8;
  // Words that start with a letter or digit: a pingback's "Post « Blog" gives "PB", not "P«".
  const words = name.trim().split(/\s+/).filter((w) => /^[\p{L}\p{N}]/u.test(w));
  const letters = words.slice(0, 2).map((w) => w[0].toUpperCase()).join('') || '?';
  return html`<span class="avatar avatar-${colour}" aria-hidden="true">${letters}</span>`;
}

function face(m: ReceivedMention): SafeHtml {
  const name = m.authorName ?? '?';
  return initials(name, m.authorUrl ?? name);
}

/** The avatar when remote images are allowed and there is one, the initials otherwise. */
function faceImage(f: Face, remoteImages: boolean): SafeHtml {
  if (remoteImages && f.photo) return html`<img class="avatar" src="${f.photo}" alt="" width="36" height="36" loading="lazy" decoding="async" referrerpolicy="no-referrer">`;
  return initials(f.name, f.colourKey);
}

/** Only https images are ever shown: a page served over https must not load one in the clear. */
const httpsOnly = (url: string | null): string | null => (url && /^https:\/\//i.test(url) ? url : null);

const mentionFace = (m: ReceivedMention): Face => ({ name: m.authorName ?? '', href: m.authorUrl ?? m.url ?? m.source, colourKey: m.authorUrl ?? m.authorName ?? '?', photo: httpsOnly(m.authorPhoto), handle: null });

const reactionFace = (r: Reaction): Face => ({ name: r.name ?? r.handle ?? hostOf(r.actorUri), href: r.profileUrl ?? r.actorUri, colourKey: r.actorUri, photo: httpsOnly(r.iconUrl), handle: r.handle });

function facesRow(title: string, verb: string, faces: Face[], total: number, remoteImages: boolean): SafeHtml {
  if (total === 0) return html``;
  const more = total - faces.length;
  return html`<div class="mention-row">
  <h3 class="mention-row-title">${plural(total, title, `${title}s`)}</h3>
  <ul class="faces">
    ${faces.map(
      (f) => html`<li class="h-cite"><a class="face u-author h-card" href="${f.href}" rel="ugc nofollow noopener" title="${f.name}${f.handle ? ` (${f.handle})` : ''} ${verb}">${faceImage(f, remoteImages)}<span class="p-name face-name">${f.name}</span></a></li>`,
    )}
    ${more > 0 ? html`<li class="faces-more">and ${plural(more, 'other', 'others')}</li>` : ''}
  </ul>
</div>`;
}

export interface MentionsOptions {
  /** Fediverse likes and boosts (shown with webmention likes and reposts). */
  reactions?: PostReactions;
  /** The site loads images from other sites (`loadRemoteImages`; off: initials only, nothing is fetched). */
  remoteImages?: boolean;
}

/**
 * What other sites said about the post, by webmention and pingback, and what the fediverse
 * did with it: likes (webmention likes, fediverse Likes) and reposts (webmention reposts,
 * boosts) as rows of faces with their counts, bookmarks and mentions in a list. (Replies
 * are comments in the thread.)
 */
export function mentionsSection(mentions: ReceivedMention[], options: MentionsOptions = {}): SafeHtml {
  const of = (...types: string[]) => mentions.filter((m) => types.includes(m.type ?? 'mention'));
  const likes = of('like');
  const reposts = of('repost');
  const others = of('bookmark', 'mention');
  const reactions = options.reactions ?? { likes: [], announces: [], likeCount: 0, announceCount: 0 };
  const remoteImages = options.remoteImages ?? false;
  const likeTotal = likes.length + reactions.likeCount;
  const repostTotal = reposts.length + reactions.announceCount;
  if (likeTotal + repostTotal + others.length === 0) return html``;
  return html`<section class="mentions" aria-labelledby="mentions-title">
  <h2 id="mentions-title">Around the web</h2>
  ${facesRow('like', 'liked this', [...likes.map(mentionFace), ...reactions.likes.map(reactionFace)], likeTotal, remoteImages)}
  ${facesRow('repost', 'reposted this', [...reposts.map(mentionFace), ...reactions.announces.map(reactionFace)], repostTotal, remoteImages)}
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
