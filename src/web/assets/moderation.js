// Kumbaya moderation: keyboard shortcuts and in-place actions for the comment inbox and
// "Waiting for you". Everything here also works without this file: the forms post and
// the server redirects back with a notice. With it, the same forms go through fetch,
// the server answers JSON with the re-rendered rows, and the page updates in place.
(() => {
  'use strict';

  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
  const reducedMotion = window.matchMedia('(prefers-reduced-motion: reduce)');

  /** The selected comment (a row of the list), or null. */
  let current = null;

  const rows = () => [...document.querySelectorAll('[data-mod-list] > li')];
  const liveRows = () => rows().filter((row) => !row.hasAttribute('data-moved'));
  const rowOf = (node) => (node instanceof Element ? node.closest('[data-mod-list] > li') : null);

  function say(text) {
    const live = document.querySelector('[data-mod-live]');
    if (!live) return;
    live.textContent = '';
    setTimeout(() => { live.textContent = text; }, 40);
  }

  function describe(row) {
    const list = liveRows();
    const heading = row.querySelector('h2');
    const who = heading ? heading.textContent.replace(/\s+/g, ' ').trim() : 'Comment';
    const status = row.dataset.status && row.dataset.status !== 'approved' ? `, ${row.dataset.status}` : '';
    return `${list.indexOf(row) + 1} of ${list.length}: ${who}${status}`;
  }

  function select(row, { focus = true, announce = true } = {}) {
    if (current && current !== row) current.classList.remove('is-selected');
    current = row;
    if (!row) return;
    row.classList.add('is-selected');
    if (focus) row.focus({ preventScroll: true });
    row.scrollIntoView({ block: 'nearest', behavior: reducedMotion.matches ? 'auto' : 'smooth' });
    if (announce) say(describe(row));
  }

  function move(step) {
    const list = liveRows();
    if (list.length === 0) return say('No comments here.');
    const at = current ? list.indexOf(current) : -1;
    if (at === -1) return select(step > 0 ? list[0] : list[list.length - 1]);
    const next = list[at + step];
    if (!next) return say(step > 0 ? `Last comment. ${describe(current)}` : `First comment. ${describe(current)}`);
    select(next);
  }

  /** The row a shortcut acts on: the selected one, else the one holding focus. */
  function target() {
    const row = current && document.contains(current) && !current.hasAttribute('data-moved') ? current : rowOf(document.activeElement);
    if (!row || row.hasAttribute('data-moved')) {
      say('Choose a comment first: press j.');
      return null;
    }
    return row;
  }

  function act(key) {
    const row = target();
    if (!row) return;
    const button = row.querySelector(`button[data-key="${key}"]`);
    if (!button) return say('That action does not apply to this comment.');
    button.form.requestSubmit(button);
  }

  function openReply() {
    const row = target();
    if (!row) return;
    const details = row.querySelector('details[data-reply]');
    if (details) details.open = true;
    const textarea = row.querySelector('.reply-form textarea');
    if (!textarea) return say('Restore this comment before replying to it.');
    textarea.focus();
    textarea.scrollIntoView({ block: 'nearest', behavior: reducedMotion.matches ? 'auto' : 'smooth' });
  }

  function togglePick() {
    const row = target();
    if (!row) return;
    const box = row.querySelector('input[data-pick]');
    if (!box) return;
    box.checked = !box.checked;
    updatePickCount();
    say(box.checked ? 'Selected for a bulk action.' : 'Deselected.');
  }

  function updatePickCount() {
    const picked = document.querySelectorAll('input[data-pick]:checked').length;
    const all = document.querySelectorAll('input[data-pick]').length;
    const count = document.querySelector('[data-pick-count]');
    if (count) count.textContent = picked ? `${picked} selected` : '';
    const pickAll = document.querySelector('input[data-pick-all]');
    if (pickAll) {
      pickAll.checked = all > 0 && picked === all;
      pickAll.indeterminate = picked > 0 && picked < all;
    }
  }

  function showHelp() {
    const dialog = document.querySelector('dialog[data-shortcuts]');
    if (dialog && !dialog.open) dialog.showModal();
  }

  /** Fields where letters are text, not shortcuts. */
  function typing(node) {
    if (!(node instanceof Element)) return false;
    if (node.isContentEditable || node.closest('textarea, select')) return true;
    return node instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(node.type);
  }

  document.addEventListener('keydown', (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    if (document.querySelector('dialog[data-shortcuts][open]')) return; // Esc closes it natively
    if (typing(event.target)) {
      if (event.key === 'Escape' && event.target.closest('.reply-form')) {
        const row = rowOf(event.target);
        const details = event.target.closest('details[data-reply]');
        if (details && event.target.value.trim() === '') details.open = false;
        if (row) select(row, { announce: false });
      }
      return;
    }
    const handlers = { j: () => move(1), k: () => move(-1), a: () => act('a'), u: () => act('u'), s: () => act('s'), d: () => act('d'), r: openReply, x: togglePick, '?': showHelp };
    const handler = handlers[event.key];
    if (!handler) return;
    event.preventDefault();
    handler();
  });

  document.addEventListener('focusin', (event) => {
    const row = rowOf(event.target);
    if (row && row !== current && !row.hasAttribute('data-moved')) select(row, { focus: false, announce: false });
  });

  document.addEventListener('click', (event) => {
    if (!(event.target instanceof Element)) return;
    if (event.target.closest('[data-show-shortcuts]')) showHelp();
  });

  document.addEventListener('change', (event) => {
    const box = event.target;
    if (!(box instanceof HTMLInputElement)) return;
    if (box.matches('[data-pick-all]')) {
      for (const pick of document.querySelectorAll('input[data-pick]')) pick.checked = box.checked;
    }
    if (box.matches('[data-pick], [data-pick-all]')) updatePickCount();
  });

  function fromHtml(markup) {
    const template = document.createElement('template');
    template.innerHTML = markup.trim();
    return template.content.firstElementChild;
  }

  function showError(message) {
    const box = document.querySelector('[data-mod-notice]');
    if (!box) return say(message);
    const p = document.createElement('p');
    p.className = 'notice error';
    p.setAttribute('role', 'alert');
    p.textContent = message;
    box.replaceChildren(p);
  }

  function setCounts(counts) {
    if (!counts) return;
    for (const [status, n] of Object.entries(counts.tabs ?? {})) {
      const el = document.querySelector(`[data-count="${status}"]`);
      if (el) el.textContent = n.toLocaleString('en-US');
    }
    for (const [key, n] of Object.entries(counts.nav ?? {})) {
      const badge = document.querySelector(`[data-nav-count="${key}"]`);
      if (!badge) continue;
      badge.hidden = n === 0;
      const number = badge.querySelector('[data-n]');
      if (number) number.textContent = n.toLocaleString('en-US');
    }
    // "Waiting for you" says how many conversations wait above its list.
    const waiting = counts.nav?.waiting;
    const total = document.querySelector('[data-waiting-total]');
    if (total && typeof waiting === 'number') total.textContent = `${waiting.toLocaleString('en-US')} ${waiting === 1 ? 'conversation' : 'conversations'}`;
  }

  /** Puts the server's answer on the page: new rows, the notice, the counts, and where the selection goes. */
  function apply(answer, origin) {
    const notice = document.querySelector('[data-mod-notice]');
    if (notice && answer.notice) notice.innerHTML = answer.notice;
    let follow = null;
    for (const { id, html } of answer.rows ?? []) {
      const old = document.getElementById(`comment-row-${id}`);
      if (!old) continue;
      const fresh = fromHtml(html);
      const wasHere = old === current || old === origin || old.contains(document.activeElement);
      const after = liveRows().filter((row) => row !== old && old.compareDocumentPosition(row) & Node.DOCUMENT_POSITION_FOLLOWING);
      old.replaceWith(fresh);
      if (old === current) current = null;
      if (wasHere) follow = fresh.hasAttribute('data-moved') ? (after[0] ?? liveRows().at(-1) ?? fresh) : fresh;
    }
    setCounts(answer.counts);
    updatePickCount();
    if (follow) {
      if (follow.hasAttribute('data-moved')) {
        follow.focus({ preventScroll: true });
        say(answer.message);
      } else {
        select(follow, { announce: false });
        say(`${answer.message} Now on ${describe(follow)}`);
      }
    } else {
      say(answer.message);
    }
  }

  async function errorMessage(response) {
    try {
      const body = await response.json();
      if (body?.error?.message) return body.error.message;
    } catch { /* not JSON */ }
    return `The server answered ${response.status}. Try again.`;
  }

  document.addEventListener('submit', async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches('form[data-mod], form[data-mod-reply]')) return;
    // A button with its own address (delete for good) goes there as a page: it asks first.
    if (event.submitter?.hasAttribute('formaction')) return;
    event.preventDefault();
    const data = new FormData(form, event.submitter ?? undefined);
    if (form.matches('[data-bulk]') && !data.has('ids')) {
      showError('Select at least one comment first (press x, or tick its box).');
      return;
    }
    const origin = rowOf(form) ?? null;
    const buttons = [...form.querySelectorAll('button')];
    for (const button of buttons) button.disabled = true;
    origin?.setAttribute('aria-busy', 'true');
    try {
      // form.action would be the buttons named "action"; the attribute is the address.
      const response = await fetch(form.getAttribute('action'), {
        method: 'POST',
        headers: { Accept: 'application/json', 'X-CSRF-Token': csrf },
        body: new URLSearchParams(data),
        credentials: 'same-origin',
      });
      if (!response.ok) throw new Error(await errorMessage(response));
      apply(await response.json(), origin);
      if (form.matches('[data-bulk]')) for (const pick of document.querySelectorAll('input[data-pick-all]')) pick.checked = false;
    } catch (error) {
      showError(error instanceof Error ? error.message : String(error));
    } finally {
      // The form may have been replaced; re-enable it when it is still on the page.
      for (const button of buttons) button.disabled = false;
      origin?.removeAttribute('aria-busy');
    }
  });
})();
