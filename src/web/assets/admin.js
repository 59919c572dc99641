// Kumbaya admin: progressive enhancement only. Every page works without this file;
// with it, the editor previews live, uploads insert at the cursor, destructive buttons
// ask first, and secrets can be copied with one click.
(() => {
  'use strict';
  document.documentElement.classList.add('js');

  // `let`: after signing in again in another tab, the editor fetches the new session's token.
  let csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
  const useToken = (token) => {
    csrf = token;
    document.querySelector('meta[name="csrf-token"]')?.setAttribute('content', token);
    for (const input of document.querySelectorAll('input[name="_csrf"]')) input.value = token;
  };

  // On a phone the areas fold behind "Menu".
  const navToggle = document.querySelector('.nav-toggle');
  navToggle?.addEventListener('click', () => {
    const open = navToggle.getAttribute('aria-expanded') !== 'true';
    navToggle.setAttribute('aria-expanded', String(open));
    document.getElementById('admin-areas')?.classList.toggle('is-open', open);
  });

  // The bar's "More" closes when the reader clicks elsewhere or presses Escape, as menus do.
  const moreMenus = () => document.querySelectorAll('details[data-nav-more][open]');
  document.addEventListener('click', (event) => {
    for (const menu of moreMenus()) if (!menu.contains(event.target)) menu.open = false;
  });
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    for (const menu of moreMenus()) {
      menu.open = false;
      menu.querySelector('summary')?.focus();
    }
  });

  // A reply box anywhere in the admin (inbox, Waiting for you, a person's page) sends on
  // Ctrl+Enter (⌘+Enter on a Mac), through the form's own submit so every enhancement runs.
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || !(event.ctrlKey || event.metaKey) || event.isComposing) return;
    const form = event.target instanceof HTMLTextAreaElement ? event.target.closest('form[data-mod-reply]') : null;
    if (!form) return;
    event.preventDefault();
    form.requestSubmit();
  });

  // "Select all" on a list whose checkboxes belong to a form elsewhere (the posts list's
  // bulk form): ticks or clears every box of that form on the page.
  document.addEventListener('change', (event) => {
    const all = event.target;
    if (!(all instanceof HTMLInputElement) || !all.matches('input[data-select-all]')) return;
    const formId = all.dataset.selectAll;
    for (const box of document.querySelectorAll(`input[type="checkbox"][name="ids"][form="${CSS.escape(formId)}"]`)) box.checked = all.checked;
  });

  /** Polite announcements for screen readers (copy done, upload finished…). */
  const announcer = document.createElement('p');
  announcer.className = 'visually-hidden';
  announcer.setAttribute('role', 'status');
  document.addEventListener('DOMContentLoaded', () => document.body.append(announcer));
  const announce = (text) => {
    announcer.textContent = '';
    setTimeout(() => { announcer.textContent = text; }, 50);
  };

  async function errorMessage(response) {
    try {
      const body = await response.json();
      if (body?.error?.message) return body.error.message;
    } catch { /* not JSON */ }
    return `The server answered ${response.status}. Try again.`;
  }

  // Destructive actions: ask with confirm(); the server shows a confirmation page otherwise.
  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
    if (form.querySelector('input[name="confirm"]')) return;
    if (!window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    const yes = document.createElement('input');
    yes.type = 'hidden';
    yes.name = 'confirm';
    yes.value = 'yes';
    form.append(yes);
  });

  // Copy buttons: data-copy names the input whose value is copied.
  document.addEventListener('click', async (event) => {
    const button = event.target instanceof Element ? event.target.closest('[data-copy]') : null;
    if (!button) return;
    const input = document.getElementById(button.getAttribute('data-copy'));
    if (!input) return;
    try {
      await navigator.clipboard.writeText(input.value);
    } catch {
      input.select();
      document.execCommand('copy');
    }
    const label = button.firstChild;
    const before = label.textContent;
    label.textContent = 'Copied';
    announce('Copied to the clipboard.');
    setTimeout(() => { label.textContent = before; }, 2000);
  });

  // Read-only snippets select themselves, ready to copy by keyboard.
  document.addEventListener('focusin', (event) => {
    if (event.target instanceof HTMLInputElement && event.target.classList.contains('snippet')) event.target.select();
  });

  document.addEventListener('DOMContentLoaded', () => {
    const editor = document.querySelector('form[data-editor]');
    if (editor) enhanceEditor(editor);
  });

  function enhanceEditor(form) {
    const textarea = form.querySelector('[data-markdown]');
    const preview = form.querySelector('[data-preview]');
    const saveState = form.querySelector('[data-save-state]');
    const dateInput = form.querySelector('[data-publish-date]');

    // Unsaved changes: warn before leaving, and say so beside the buttons. With autosave,
    // only what has not reached the server counts (it owns the line beside the buttons).
    const autosaved = form.dataset.autosaveUrl ? enhanceAutosave(form, saveState) : null;
    let dirty = false;
    const markDirty = () => {
      if (dirty) return;
      dirty = true;
      if (saveState && !autosaved) saveState.textContent = 'Unsaved changes';
    };
    form.addEventListener('input', markDirty);
    form.addEventListener('change', markDirty);
    form.addEventListener('submit', () => { dirty = false; });

    // One save at a time: a second click (or Ctrl+S) while the first is on its way is
    // dropped. (The server makes one post per new-post page anyway: its creationKey.)
    form.addEventListener('submit', (event) => {
      if (event.defaultPrevented) return; // waiting for a new post's first autosave
      if (form.dataset.submitting) {
        event.preventDefault();
        return;
      }
      form.dataset.submitting = 'yes';
      // A confirm() answered "Cancel" (Move to trash) stops the submit after this listener.
      setTimeout(() => { if (event.defaultPrevented) delete form.dataset.submitting; });
    });
    window.addEventListener('pageshow', (event) => { if (event.persisted) delete form.dataset.submitting; });
    window.addEventListener('beforeunload', (event) => {
      if (!dirty || (autosaved && !autosaved.unsaved())) return;
      event.preventDefault();
      event.returnValue = '';
    });

    // Ctrl/Cmd+S saves (the first button: "Save draft", "Save" or "Update").
    form.addEventListener('keydown', (event) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 's') {
        event.preventDefault();
        const save = form.querySelector('button[name="action"][value="save"]');
        if (save) form.requestSubmit(save);
      }
    });

    // "Publish" becomes "Schedule" when the date lies in the future.
    const loadedAt = Date.now();
    const updateScheduleLabels = () => {
      // Both in the site's time zone: the field's value against the server's "now" there when
      // the page was made (data-now-local), moved on by the time since.
      const value = dateInput?.value ?? '';
      const when = value ? Date.parse(`${value}Z`) : NaN;
      const now = Date.parse(`${dateInput?.dataset.nowLocal}Z`) + (Date.now() - loadedAt);
      const future = Number.isFinite(when) && Number.isFinite(now) && when > now;
      for (const button of form.querySelectorAll('[data-now-label]')) {
        button.textContent = future ? 'Schedule' : button.dataset.nowLabel;
      }
    };
    dateInput?.addEventListener('input', updateScheduleLabels);
    dateInput?.addEventListener('change', updateScheduleLabels);

    // Live preview: the server renders and sanitises exactly as it will on save.
    if (textarea && preview) {
      let timer = 0;
      let controller = null;
      const refresh = async () => {
        controller?.abort();
        controller = new AbortController();
        try {
          const response = await fetch('/admin/preview', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf },
            body: JSON.stringify({ markdown: textarea.value }),
            signal: controller.signal,
            credentials: 'same-origin',
          });
          if (!response.ok) throw new Error(await errorMessage(response));
          const { html, excerpt } = await response.json();
          preview.innerHTML = html || '<p class="muted">The text appears here as readers will see it.</p>';
          preview.removeAttribute('data-stale');
          // editor.js follows it: the word count, the excerpt's placeholder, the link card.
          preview.dispatchEvent(new CustomEvent('kumbaya:preview', { bubbles: true, detail: { excerpt: excerpt ?? '' } }));
        } catch (error) {
          if (error.name === 'AbortError') return;
          preview.setAttribute('data-stale', '');
        }
      };
      textarea.addEventListener('input', () => {
        clearTimeout(timer);
        timer = setTimeout(refresh, 300);
      });
    }

    // Image upload from the editor: send it, then put its Markdown at the cursor.
    const uploadForm = document.querySelector('form[data-editor-upload]');
    const status = document.querySelector('[data-upload-status]');
    if (uploadForm && textarea) {
      uploadForm.addEventListener('submit', async (event) => {
        event.preventDefault();
        const fileInput = document.getElementById('upload-file');
        const altInput = document.getElementById('upload-alt');
        if (!fileInput?.files?.length) {
          status.textContent = 'Choose an image file first.';
          fileInput?.focus();
          return;
        }
        const data = new FormData();
        data.append('file', fileInput.files[0]);
        data.append('alt', altInput?.value ?? '');
        status.textContent = 'Uploading…';
        try {
          const response = await fetch('/admin/uploads', {
            method: 'POST',
            headers: { Accept: 'application/json', 'X-CSRF-Token': csrf },
            body: data,
            credentials: 'same-origin',
          });
          if (!response.ok) throw new Error(await errorMessage(response));
          const { markdown } = await response.json();
          insertAtCursor(textarea, markdown);
          fileInput.value = '';
          if (altInput) altInput.value = '';
          status.textContent = 'Uploaded and added to the text.';
        } catch (error) {
          status.textContent = error.message;
        }
      });
    }
  }

  /**
   * Autosave: the text goes to the server a few seconds after the author stops typing (at
   * least every 15 s while they type, and when they leave the page), and to localStorage
   * at once, so it survives being offline or signed out. The line beside the buttons says
   * where it is. A local copy the server never got is offered back when the editor opens.
   * Returns { unsaved() } for the leave-page warning.
   */
  function enhanceAutosave(form, saveState) {
    const DEBOUNCE_MS = 2000;
    const MAX_WAIT_MS = 15000;
    const fields = { title: form.elements.title, markdown: form.elements.markdown, excerpt: form.elements.excerpt, type: form.elements.type };
    const signIn = form.querySelector('[data-save-signin]');
    let autosaveUrl = form.dataset.autosaveUrl;
    let draftKey = form.dataset.draftKey;
    const storageKey = (key) => `kumbaya:draft:${key}`;
    // A new post's page carries its creation key: the first autosave or save makes the post, later ones find it.
    const creationKey = form.elements.creationKey?.value;
    const current = () => ({ type: fields.type?.value ?? 'post', title: fields.title?.value ?? '', markdown: fields.markdown?.value ?? '', excerpt: fields.excerpt?.value ?? '', ...(creationKey ? { creationKey } : {}) });
    const sameText = (a, b) => a.title === b.title && a.markdown === b.markdown && a.excerpt === b.excerpt;
    const clock = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    let lastSaved = current(); // what the server has
    let timer = 0;
    let firstChangeAt = 0;
    let sending = null;
    let signedOut = false;
    let offline = false;

    const show = (text, state, withSignIn = false) => {
      saveState.textContent = text;
      form.dataset.autosaveState = state;
      if (signIn) signIn.hidden = !withSignIn;
    };

    const readLocal = (key) => {
      try { return JSON.parse(localStorage.getItem(storageKey(key)) ?? 'null'); } catch { return null; }
    };
    const writeLocal = (synced) => {
      try { localStorage.setItem(storageKey(draftKey), JSON.stringify({ ...current(), savedAt: Date.now(), synced })); } catch { /* storage full or disabled */ }
    };
    const dropLocal = (key) => { try { localStorage.removeItem(storageKey(key)); } catch { /* disabled */ } };

    const requestInit = (body, keepalive = false) => ({
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf },
      body,
      credentials: 'same-origin',
      keepalive,
    });

    /** The session's token again (after signing in in another tab); false while signed out. */
    async function refreshToken() {
      try {
        const response = await fetch('/admin/session', { headers: { Accept: 'application/json' }, credentials: 'same-origin', redirect: 'manual' });
        if (!response.ok) return false;
        useToken((await response.json()).csrfToken);
        return true;
      } catch {
        return false;
      }
    }

    /** A new post's first autosave created its draft: from now on this page edits that post. */
    function becomePost(answer) {
      const before = draftKey;
      draftKey = String(answer.id);
      autosaveUrl = answer.autosaveUrl;
      form.action = answer.editUrl;
      form.dataset.autosaveUrl = answer.autosaveUrl;
      form.dataset.draftKey = draftKey;
      history.replaceState(null, '', answer.editUrl);
      dropLocal(before);
    }

    async function save(retried = false) {
      clearTimeout(timer);
      timer = 0;
      firstChangeAt = 0;
      const text = current();
      if (sameText(text, lastSaved)) return;
      if (draftKey.startsWith('new-') && !text.title.trim() && !text.markdown.trim()) return;
      if (sending) return sending.then(() => save());
      writeLocal(false);
      show('Saving…', 'saving');
      sending = (async () => {
        let response;
        try {
          response = await fetch(autosaveUrl, requestInit(JSON.stringify(text)));
        } catch {
          offline = true;
          show('Offline — kept on this device', 'offline');
          return;
        }
        offline = false;
        if (response.status === 401) {
          signedOut = true;
          show('Signed out — kept on this device. Sign in to save:', 'signed-out', true);
          return;
        }
        if (response.status === 403 && !retried) {
          // Signed in again elsewhere: this page still has the old session's token.
          if (await refreshToken()) { sending = null; return save(true); }
        }
        if (!response.ok) {
          show(`Not saved: ${await errorMessage(response)} Kept on this device.`, 'error');
          return;
        }
        const answer = await response.json();
        signedOut = false;
        const created = Boolean(answer.editUrl);
        if (created) becomePost(answer);
        lastSaved = text;
        if (sameText(current(), text)) writeLocal(true);
        // An autosave never changes what readers see: say so on a live post.
        const note = created ? ' as a draft' : form.dataset.postStatus === 'published' ? ' (readers see it once you update)' : '';
        show(`Saved ${clock(Date.now())}${note}`, 'saved');
      })().finally(() => { sending = null; });
      return sending;
    }

    const schedule = () => {
      writeLocal(false);
      const now = Date.now();
      firstChangeAt ||= now;
      clearTimeout(timer);
      if (signedOut) {
        show('Signed out — kept on this device. Sign in to save:', 'signed-out', true);
        return;
      }
      if (form.dataset.autosaveState !== 'saving') show(offline ? 'Offline — kept on this device' : 'Unsaved changes', offline ? 'offline' : 'dirty');
      timer = setTimeout(save, Math.max(0, Math.min(DEBOUNCE_MS, firstChangeAt + MAX_WAIT_MS - now)));
    };
    for (const field of [fields.title, fields.markdown, fields.excerpt]) field?.addEventListener('input', schedule);

    // Signed out or offline: try again when the author comes back to this tab, and every few seconds.
    const tryAgain = async () => {
      if (signedOut && !(await refreshToken())) return;
      if (signedOut || offline || !sameText(current(), lastSaved)) {
        signedOut = false;
        await save();
      }
    };
    setInterval(() => { if (signedOut || offline) tryAgain(); }, 5000);
    window.addEventListener('focus', () => { if (signedOut || offline) tryAgain(); });
    window.addEventListener('online', tryAgain);

    // Leaving the page (closing the tab, switching away): keep a local copy and send what is left.
    let submitted = false;
    const flush = () => {
      const text = current();
      // The form itself carries the text on its way out: an autosave now would make a second post.
      if (submitted || sameText(text, lastSaved) || signedOut) return;
      writeLocal(false);
      const body = JSON.stringify(text);
      // Browsers drop keepalive bodies over 64 KB; the local copy covers those.
      if (body.length < 60000) fetch(autosaveUrl, requestInit(body, true)).catch(() => {});
    };
    document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') flush(); });
    window.addEventListener('pagehide', flush);
    // An explicit save: the copy stays until the page that comes back shows the same text.
    form.addEventListener('submit', (event) => {
      // A new post's first autosave on its way creates the draft: send the form to that
      // draft once it is known, not to "new" (which would make a second post).
      if (sending && draftKey.startsWith('new-')) {
        event.preventDefault();
        const submitter = event.submitter;
        sending.finally(() => form.requestSubmit(submitter));
        return;
      }
      clearTimeout(timer);
      writeLocal(false);
      submitted = true;
      // A confirm() answered "Cancel" (Move to trash) stops the submit after this listener.
      setTimeout(() => { if (event.defaultPrevented) submitted = false; });
    });
    window.addEventListener('pageshow', (event) => { if (event.persisted) submitted = false; });

    // A save the server refused (a field needs a look) came back with the text in the form:
    // it is not saved anywhere yet, so autosave it now and keep the local copy.
    if (document.getElementById('form-errors')) {
      lastSaved = { title: null, markdown: null, excerpt: null };
      schedule();
      return { unsaved: () => !sameText(current(), lastSaved) };
    }

    // Opening the editor: a copy the server never got is offered back; one it has is dropped.
    const offer = document.querySelector('[data-local-restore]');
    const here = current();
    for (const key of new Set([draftKey, `new-${here.type}`])) {
      const local = readLocal(key);
      if (!local) continue;
      if (local.synced || sameText(local, here)) {
        if (key === draftKey || sameText(local, here)) dropLocal(key);
        continue;
      }
      if (!offer || !offer.hidden) continue;
      offer.querySelector('[data-local-restore-text]').textContent = `This browser kept unsaved text from ${new Date(local.savedAt).toLocaleString()}${local.title ? ` (“${local.title}”)` : ''}, which the server never received.`;
      offer.hidden = false;
      offer.querySelector('[data-local-restore-yes]').addEventListener('click', () => {
        fields.title.value = local.title;
        fields.markdown.value = local.markdown;
        if (fields.excerpt) fields.excerpt.value = local.excerpt ?? '';
        offer.hidden = true;
        if (key !== draftKey) dropLocal(key);
        fields.markdown.dispatchEvent(new Event('input', { bubbles: true }));
        fields.title.focus();
      });
      offer.querySelector('[data-local-restore-no]').addEventListener('click', () => {
        dropLocal(key);
        offer.hidden = true;
      });
    }

    return { unsaved: () => !sameText(current(), lastSaved) };
  }

  function insertAtCursor(textarea, snippet) {
    const start = textarea.selectionStart ?? textarea.value.length;
    const end = textarea.selectionEnd ?? start;
    const before = textarea.value.slice(0, start);
    const prefix = before === '' || before.endsWith('\n\n') ? '' : before.endsWith('\n') ? '\n' : '\n\n';
    const text = `${prefix}${snippet}\n`;
    textarea.setRangeText(text, start, end, 'end');
    textarea.focus();
    textarea.dispatchEvent(new Event('input', { bubbles: true }));
  }
})();
