import { secureImageUrl } from '../../../core/image-url.ts';
import type { IdentityKind, PersonIdentity } from '../../../core/people.ts';
import type { Comment, CommentStatus } from '../../../core/store.ts';
import { sha256Hex } from '../../../core/tokens.ts';
import { nothingFoundWords, type InteractionCounts, type WebsiteProfile } from '../../../core/who-is.ts';
import { html, type SafeHtml } from '../../html.ts';
import { csrfField } from '../forms.ts';
import { formatDate, isoDate, plural } from '../format.ts';

/** What the profile block needs besides the profile. */
export interface ProfileBlockOptions {
  personId: number;
  token: string;
  /** Where "Look again" comes back to. */
  back: string;
  /** The site setting: show the h-card's photo (else initials). */
  loadRemoteImages: boolean;
}

/** What the inbox card shows beside a first-time commenter's held comment. */
export interface InboxWhoIs {
  personId: number;
  website: WebsiteProfile;
  /** Their identities other than those this comment carries. */
  otherIdentities: PersonIdentity[];
  /** Everything of theirs but this comment. */
  others: InteractionCounts;
}

const kindWords: Record<IdentityKind, string> = { email: 'email', website: 'website', webmention: 'webmention author page', fediverse: 'fediverse actor', handle: 'fediverse handle' };

/** An address as people read it: host and path, without the scheme. */
const shortUrl = (url: string): string => url.replace(/^https?:\/\//i, '').replace(/\/$/, '');

function initials(name: string, seed: string): SafeHtml {
  const colour = parseInt(sha256Hex(seed.toLowerCase()).slice(0, 2), 16) % 8;
  // The first letter of the first two words that start with one (a hostile name's markup gives none).
  const letters = (name.match(/(?<![\p{L}\p{N}\S])[\p{L}\p{N}]/gu) ?? []).slice(0, 2).join('').toUpperCase() || '?';
  return html`<span class="avatar avatar-${colour}" aria-hidden="true">${letters}</span>`;
}

/** A stranger's link: never followed for ranking, never told where it was clicked from. */
const outLink = (url: string, text: string | SafeHtml) => html`<a href="${url}" rel="nofollow ugc noopener noreferrer">${text}</a>`;

/**
 * What their website says about them: the representative h-card (photo or initials, name,
 * link, note, rel=me links), or "nothing found" and why, or that it is being looked up;
 * with the date it was read and a "Look again" button.
 */
export function profileBlock(current: WebsiteProfile, o: ProfileBlockOptions): SafeHtml {
  if (!current.website) return html`<p class="muted">They gave no website, so there is nothing public to look up.</p>`;
  const website = current.website;
  const p = current.profile;
  const lookAgain = html`<form method="post" action="/admin/people/${o.personId}/look-again" class="who-again">
  ${csrfField(o.token)}<input type="hidden" name="back" value="${o.back}">
  <button type="submit" class="secondary small">Look again<span class="visually-hidden"> at ${shortUrl(website)}</span></button>
</form>`;
  const read = (at: number) => html`<time datetime="${isoDate(at)}">${formatDate(at)}</time>`;
  if (!p) {
    return html`<p class="who-pending" role="status">Looking at ${outLink(website, shortUrl(website))} in the background. Reload in a moment to see what it says.</p>${lookAgain}`;
  }
  const refreshing = current.stale ? html` <span class="muted">(being read again)</span>` : '';
  if (!p.found) {
    return html`<p class="who-nothing"><strong>Nothing found</strong> at ${outLink(website, shortUrl(website))}: ${nothingFoundWords(p.reason ?? 'no-h-card', p.reasonDetail)}.</p>
<p class="who-source muted">Looked ${read(p.fetchedAt)}${refreshing}.</p>${lookAgain}`;
  }
  const name = p.name ?? shortUrl(website);
  const photo = o.loadRemoteImages && p.photo ? html`<img class="who-photo" src="${secureImageUrl(p.photo)}" alt="" width="48" height="48" referrerpolicy="no-referrer" loading="lazy">` : initials(name, website);
  return html`<div class="who-card">
  <div class="who-head">${photo}<div class="who-id"><p class="who-name">${name}</p>${p.url ? html`<p class="who-url">${outLink(p.url, shortUrl(p.url))}</p>` : ''}</div></div>
  ${p.note ? html`<p class="who-note">${p.note}</p>` : ''}
  ${
    p.relMe.length
      ? html`<p class="who-links-head">Also theirs, says the page (rel=me):</p><ul class="who-links">${p.relMe.map((url) => html`<li>${outLink(url, shortUrl(url))}</li>`)}</ul>`
      : ''
  }
</div>
<p class="who-source muted">From the h-card on ${outLink(website, shortUrl(website))}, read ${read(p.fetchedAt)}${refreshing}.</p>${lookAgain}`;
}

const statusWords: Record<CommentStatus, string> = { approved: 'published', pending: 'held', spam: 'in spam', trash: 'in the trash' };

/** "Besides this comment: 3 comments (2 published, 1 held); 1 mention of a post", or that this is the first time. */
function earlierWords(counts: InteractionCounts): string {
  const statuses = (['approved', 'pending', 'spam', 'trash'] as const).filter((s) => counts.comments[s] > 0);
  const total = statuses.reduce((sum, s) => sum + counts.comments[s], 0);
  const comments = total > 0 ? `${plural(total, 'comment', 'comments')} (${statuses.map((s) => `${counts.comments[s]} ${statusWords[s]}`).join(', ')})` : '';
  const mentions = counts.mentions > 0 ? plural(counts.mentions, 'mention of a post', 'mentions of posts') : '';
  if (!comments && !mentions) return 'Nothing else from them yet: this is their first time here.';
  return `Besides this comment: ${[comments, mentions].filter(Boolean).join('; ')}.`;
}

/** How many links a comment's text has (its rendered HTML). */
const linkCount = (comment: Comment) => (comment.html.match(/<a\s/gi) ?? []).length;

/** The inbox's "Who is this?" card beside a first-time commenter's held comment. */
export function whoIsDetails(comment: Comment, who: InboxWhoIs, o: ProfileBlockOptions): SafeHtml {
  const name = comment.authorName || 'Someone';
  const id = `whois-${comment.id}`;
  const links = linkCount(comment);
  return html`<details class="whois" data-whois>
  <summary>Who is this?<span class="visually-hidden"> (${name})</span></summary>
  <div class="whois-card" id="${id}">
    <section aria-labelledby="${id}-site"><h3 class="side-sub" id="${id}-site">Their website</h3>${profileBlock(who.website, o)}</section>
    <section aria-labelledby="${id}-here"><h3 class="side-sub" id="${id}-here">On this site</h3>
      <p>${earlierWords(who.others)}</p>
      ${
        who.otherIdentities.length
          ? html`<p class="who-links-head">Also known here as:</p><ul class="who-ids">${who.otherIdentities.map(
              (i) => html`<li><span class="identity-kind">${kindWords[i.kind]}</span> ${i.value} <span class="muted">(${i.verified ? 'verified' : 'claimed'})</span></li>`,
            )}</ul>`
          : html`<p class="muted">No other email, website or account of theirs is known.</p>`
      }
    </section>
    <section aria-labelledby="${id}-signals"><h3 class="side-sub" id="${id}-signals">Signals on this comment</h3>
      <ul class="who-signals">
        ${comment.moderationReasons.map((r) => (comment.status === 'approved' ? html`<li>Held when it arrived, approved since: ${r}</li>` : html`<li>${r}</li>`))}
        <li>${comment.spamScore === null ? 'The spam filter has not learned enough to judge it yet.' : `The spam filter rates it ${Math.round(comment.spamScore * 100)}% likely spam.`}</li>
        <li>${links === 0 ? 'No links in the text.' : plural(links, 'link in the text.', 'links in the text.')}</li>
      </ul>
    </section>
    <p class="who-more"><a href="/admin/people/${who.personId}">Everything about ${name}</a></p>
  </div>
</details>`;
}
