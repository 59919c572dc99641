// Kumbaya admin: progressive enhancement only. Every page works without this file;
// with it, the editor previews live, uploads insert at the cursor, destructive buttons
// ask first, and secrets can be copied with one click.
(() => {
  'use strict';
  document.documentElement.classList.add('js');

  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';

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

    // Unsaved changes: warn before leaving, and say so beside the buttons.
    let dirty = false;
    const markDirty = () => {
      if (dirty) return;
      dirty = true;
      if (saveState) saveState.textContent = 'Unsaved changes';
    };
    form.addEventListener('input', markDirty);
    form.addEventListener('change', markDirty);
    form.addEventListener('submit', () => { dirty = false; });
    window.addEventListener('beforeunload', (event) => {
      if (!dirty) return;
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

    // "Publish" becomes "Schedule" when the date lies in the future (UTC).
    const updateScheduleLabels = () => {
      const value = dateInput?.value ?? '';
      const when = value ? Date.parse(`${value}Z`) : NaN;
      const future = Number.isFinite(when) && when > Date.now();
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
          const { html } = await response.json();
          preview.innerHTML = html || '<p class="muted">The text appears here as readers will see it.</p>';
          preview.removeAttribute('data-stale');
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
