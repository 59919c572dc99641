// Sharing a post: copy link, Mastodon (asks for the reader's server once and remembers it
// in this browser), and the browser's own share sheet where it has one. Email and Bluesky
// are plain links and work without this script. Nothing here talks to any other site.
(() => {
  const section = document.querySelector('.share[data-share-url]');
  if (!section) return;
  const url = section.dataset.shareUrl;
  const title = section.dataset.shareTitle || document.title;
  const status = section.querySelector('.share-status');
  const form = section.querySelector('.share-mastodon');
  const input = form.querySelector('input');
  const mastodonButton = section.querySelector('[data-share="mastodon"]');
  const KEY = 'kumbaya.mastodonInstance';

  for (const item of section.querySelectorAll('[data-needs-js]')) item.hidden = false;
  if (typeof navigator.share === 'function') for (const item of section.querySelectorAll('[data-needs-share]')) item.hidden = false;

  const say = (text, isError) => {
    status.textContent = text;
    status.classList.toggle('error', Boolean(isError));
  };

  const stored = () => {
    try {
      return localStorage.getItem(KEY);
    } catch {
      return null;
    }
  };

  /** "https://Mastodon.Social/@me" or "@me@mastodon.social" → "mastodon.social"; null when it is not a host name. */
  const instanceOf = (text) => {
    let value = text.trim().toLowerCase();
    const handle = /^@?[^@\s/:]+@([^@\s/]+)$/.exec(value);
    if (handle) value = handle[1];
    value = value.replace(/^https?:\/\//, '').replace(/[/?#].*$/, '');
    return /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}[a-z0-9](?::\d{1,5})?$/.test(value) ? value : null;
  };

  const change = section.querySelector('[data-share="mastodon-change"]');
  const label = () => {
    const instance = stored();
    mastodonButton.textContent = instance ? `Mastodon (${instance})` : 'Mastodon';
    change.hidden = !instance;
  };
  label();

  const openMastodon = (instance) => {
    window.open(`https://${instance}/share?text=${encodeURIComponent(`${title} ${url}`)}`, '_blank', 'noopener,noreferrer');
  };

  section.addEventListener('click', async (event) => {
    const button = event.target.closest('[data-share]');
    if (!button) return;
    const kind = button.dataset.share;
    if (kind === 'copy') {
      try {
        await navigator.clipboard.writeText(url);
        say('Link copied.');
      } catch {
        say(`Copy this link: ${url}`, true);
      }
    } else if (kind === 'mastodon') {
      const instance = stored();
      if (instance && form.hidden) {
        openMastodon(instance);
        say(`Opened ${instance} in a new tab.`);
        return;
      }
      form.hidden = !form.hidden;
      mastodonButton.setAttribute('aria-expanded', String(!form.hidden));
      if (!form.hidden) {
        input.value = instance ?? '';
        input.focus();
      }
    } else if (kind === 'mastodon-change') {
      form.hidden = false;
      mastodonButton.setAttribute('aria-expanded', 'true');
      input.value = stored() ?? '';
      input.select();
      input.focus();
    } else if (kind === 'native') {
      try {
        await navigator.share({ title, url });
      } catch {
        // The reader closed the share sheet: nothing to say.
      }
    }
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const instance = instanceOf(input.value);
    if (!instance) {
      say('That does not look like a server name. Type the address of your Mastodon server, like mastodon.social.', true);
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    input.removeAttribute('aria-invalid');
    try {
      localStorage.setItem(KEY, instance);
    } catch {
      // Private browsing without storage: share now, ask again next time.
    }
    form.hidden = true;
    mastodonButton.setAttribute('aria-expanded', 'false');
    label();
    openMastodon(instance);
    say(`Opened ${instance} in a new tab. Next time Mastodon goes straight there.`);
  });
})();
