import { html, type SafeHtml } from '../html.ts';

/**
 * Sharing a post: plain links where no script is needed (email, Bluesky), and buttons that
 * share.js reveals (copy link, Mastodon, the browser's own share sheet). Nothing is loaded
 * from other sites; the links only open them when the reader chooses to.
 */
export function shareControls(o: { url: string; title: string }): SafeHtml {
  const text = `${o.title} ${o.url}`;
  const mail = `mailto:?subject=${encodeURIComponent(o.title)}&body=${encodeURIComponent(o.url)}`;
  const bluesky = `https://bsky.app/intent/compose?text=${encodeURIComponent(text)}`;
  return html`<section class="share" aria-labelledby="share-heading" data-share-url="${o.url}" data-share-title="${o.title}">
  <h2 id="share-heading" class="share-heading">Share this post</h2>
  <ul class="share-list">
    <li data-needs-js hidden><button type="button" class="secondary" data-share="copy">Copy link</button></li>
    <li><a class="button secondary" href="${mail}">Email</a></li>
    <li data-needs-js hidden><button type="button" class="secondary" data-share="mastodon" aria-controls="share-mastodon-form" aria-expanded="false">Mastodon</button> <button type="button" class="link-button" data-share="mastodon-change" hidden>Change server</button></li>
    <li><a class="button secondary" href="${bluesky}" target="_blank" rel="noopener noreferrer">Bluesky<span class="visually-hidden"> (opens in a new tab)</span></a></li>
    <li data-needs-share hidden><button type="button" class="secondary" data-share="native">Share via…</button></li>
  </ul>
  <form class="share-mastodon" id="share-mastodon-form" hidden>
    <label for="share-mastodon-instance">Your Mastodon server</label>
    <div class="share-mastodon-row">
      <input id="share-mastodon-instance" name="instance" type="text" inputmode="url" autocomplete="off" spellcheck="false" placeholder="mastodon.social" aria-describedby="share-mastodon-hint" required>
      <button type="submit">Share on Mastodon</button>
    </div>
    <p class="hint" id="share-mastodon-hint">Remembered in this browser only, so you are asked once.</p>
  </form>
  <p class="share-status" role="status" aria-live="polite"></p>
</section>`;
}
