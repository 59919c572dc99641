// Kumbaya's writing desk (issue 14): the Markdown toolbar and its shortcuts, Write/Preview
// tabs on narrow screens, the word count, images pasted or dropped into the text (uploaded
// after an alt-text dialog), the excerpt's placeholder and the link card. admin.js owns the
// live preview, autosave and the save buttons; this file only adds to them. Without it the
// editor is a plain form that works.
(() => {
  'use strict';

  const form = document.querySelector('form[data-editor]');
  const textarea = form?.querySelector('[data-markdown]');
  if (!form || !textarea) return;

  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
  const isMac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

  // ---- Editing the text without breaking undo ---------------------------------------------

  /**
   * Replaces start..end with `text` and selects selStart..selEnd of the result. Through
   * execCommand('insertText') the browser records it in its undo history (Ctrl+Z works);
   * where that is missing, setRangeText does the same without the history.
   */
  function replace(start, end, text, selStart, selEnd) {
    textarea.focus();
    textarea.setSelectionRange(start, end);
    let done = false;
    try {
      done = text === '' ? document.execCommand('delete', false) : document.execCommand('insertText', false, text);
    } catch { done = false; }
    if (!done || textarea.value.slice(start, start + text.length) !== text) {
      textarea.setRangeText(text, start, end, 'end');
      textarea.dispatchEvent(new Event('input', { bubbles: true }));
    }
    textarea.setSelectionRange(start + selStart, start + selEnd);
  }

  /** Wraps the selection in `mark` (** or _ or `), or takes it off when it is already wrapped. */
  function wrap(mark, placeholder) {
    const { selectionStart: s, selectionEnd: e, value } = textarea;
    const selected = value.slice(s, e);
    if (value.slice(s - mark.length, s) === mark && value.slice(e, e + mark.length) === mark) {
      replace(s - mark.length, e + mark.length, selected, 0, selected.length);
      return;
    }
    if (selected.startsWith(mark) && selected.endsWith(mark) && selected.length >= mark.length * 2) {
      const inner = selected.slice(mark.length, selected.length - mark.length);
      replace(s, e, inner, 0, inner.length);
      return;
    }
    // Spaces at the edges stay outside the marks (Markdown would not see "** word**").
    const lead = selected.match(/^\s*/)[0];
    const trail = selected.slice(lead.length).match(/\s*$/)[0];
    const core = selected.slice(lead.length, selected.length - trail.length) || placeholder;
    const text = `${lead}${mark}${core}${mark}${trail}`;
    replace(s, e, text, lead.length + mark.length, lead.length + mark.length + core.length);
  }

  /** The whole lines the selection touches. */
  function selectedLines() {
    const { selectionStart: s, selectionEnd: e, value } = textarea;
    const start = value.lastIndexOf('\n', s - 1) + 1;
    let end = value.indexOf('\n', e > s && value[e - 1] === '\n' ? e - 1 : e);
    if (end === -1) end = value.length;
    return { start, end, lines: value.slice(start, end).split('\n') };
  }

  /** Gives each selected line a prefix (lists, quotes), or takes it off when every line has it. */
  function prefixLines(kind) {
    const { start, end, lines } = selectedLines();
    const patterns = { bullets: /^[-*+] /, numbers: /^\d+[.)] /, quote: /^> ?/ };
    const pattern = patterns[kind];
    const filled = lines.filter((l) => l.trim() !== '');
    const all = filled.length > 0 && filled.every((l) => pattern.test(l));
    let n = 0;
    const out = lines.map((line) => {
      if (all) return line.replace(pattern, '');
      if (line.trim() === '' && lines.length > 1) return line;
      const bare = line.replace(/^([-*+] |\d+[.)] |> ?)/, '');
      n += 1;
      return `${kind === 'bullets' ? '- ' : kind === 'numbers' ? `${n}. ` : '> '}${bare}`;
    });
    const text = out.join('\n');
    const empty = lines.length === 1 && lines[0] === '';
    replace(start, end, text, empty ? text.length : 0, text.length);
  }

  /** Heading: none → ## → ### → none, on the line of the cursor. */
  function heading() {
    const { start, end, lines } = selectedLines();
    const line = lines[0];
    const level = (line.match(/^(#{1,6}) /)?.[1].length) ?? 0;
    const bare = line.replace(/^#{1,6} /, '');
    const next = level === 0 ? '## ' : level === 2 ? '### ' : '';
    const text = [`${next}${bare}`, ...lines.slice(1)].join('\n');
    replace(start, end, text, next.length, next.length + bare.length);
  }

  /** A link around the selection; a selected address becomes the link's target instead. */
  function link() {
    const { selectionStart: s, selectionEnd: e, value } = textarea;
    const selected = value.slice(s, e).trim();
    if (/^https?:\/\/\S+$/.test(selected)) {
      const text = `[link text](${selected})`;
      replace(s, e, text, 1, 10);
      return;
    }
    const label = selected || 'link text';
    const text = `[${label}](https://)`;
    // The address is what is left: "https://" is selected, so typing or pasting one replaces it.
    replace(s, e, text, label.length + 3, label.length + 11);
  }

  /** Inline code for a part of a line; a fenced block for whole lines or an empty line. */
  function code() {
    const { selectionStart: s, selectionEnd: e, value } = textarea;
    const selected = value.slice(s, e);
    const lineStart = value.lastIndexOf('\n', s - 1) + 1;
    const onEmptyLine = s === e && value.slice(lineStart, value.indexOf('\n', s) === -1 ? value.length : value.indexOf('\n', s)).trim() === '';
    if (selected.includes('\n') || onEmptyLine) {
      const body = selected.replace(/\n$/, '');
      const text = `\`\`\`\n${body}\n\`\`\``;
      replace(s, e, text, 4, 4 + body.length);
      return;
    }
    wrap('`', 'code');
  }

  const actions = {
    heading,
    bold: () => wrap('**', 'bold text'),
    italic: () => wrap('_', 'italic text'),
    link,
    bullets: () => prefixLines('bullets'),
    numbers: () => prefixLines('numbers'),
    quote: () => prefixLines('quote'),
    code,
    image: () => chooseImage(),
  };

  // ---- The toolbar: one tab stop, arrows move (a roving tabindex) ----------------------------

  const toolbar = form.querySelector('[data-md-toolbar]');
  const tools = toolbar ? [...toolbar.querySelectorAll('button[data-md]')] : [];
  // The tooltips name ⌘ on a Mac.
  if (isMac) {
    for (const button of tools) if (button.title) button.title = button.title.replace('Ctrl+', '⌘').replace('Alt+', '⌥');
    for (const kbd of toolbar?.querySelectorAll('kbd') ?? []) kbd.textContent = kbd.textContent.replace('Ctrl+', '⌘').replace('Alt+', '⌥');
  }
  toolbar?.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('button[data-md]') : null;
    if (!button) return;
    actions[button.dataset.md]?.();
  });
  // A click on a button must not take the selection out of the text first.
  toolbar?.addEventListener('mousedown', (event) => {
    if (event.target instanceof Element && event.target.closest('button[data-md]')) event.preventDefault();
  });
  toolbar?.addEventListener('keydown', (event) => {
    const i = tools.indexOf(document.activeElement);
    if (i === -1) return;
    const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tools.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    const next = tools[(to + tools.length) % tools.length];
    for (const t of tools) t.tabIndex = t === next ? 0 : -1;
    next.focus();
  });

  // The roving tab stop follows the last button used; the shortcuts' help closes like a menu.
  toolbar?.addEventListener('focusin', (event) => {
    if (tools.includes(event.target)) for (const t of tools) t.tabIndex = t === event.target ? 0 : -1;
  });
  const help = toolbar?.querySelector('.md-help');
  document.addEventListener('click', (event) => { if (help?.open && !help.contains(event.target)) help.open = false; });
  help?.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || !help.open) return;
    help.open = false;
    help.querySelector('summary')?.focus();
  });

  // ---- Keyboard shortcuts in the text -----------------------------------------------------------

  textarea.addEventListener('keydown', (event) => {
    if (!(isMac ? event.metaKey : event.ctrlKey) || event.isComposing) return;
    // AltGr (Ctrl+Alt on Windows) types characters such as @ or ²: never a shortcut.
    if (event.getModifierState?.('AltGraph')) return;
    const key = event.key.toLowerCase();
    let action = null;
    if (!event.shiftKey && !event.altKey) action = { b: 'bold', i: 'italic', k: 'link', e: 'code' }[key];
    else if (event.shiftKey && !event.altKey) action = { Digit8: 'bullets', Digit7: 'numbers', Digit9: 'quote', KeyU: 'image' }[event.code];
    else if (event.altKey && !event.shiftKey && event.code === 'Digit2') action = 'heading';
    if (!action) return;
    event.preventDefault();
    actions[action]();
  });

  // ---- Write / Preview tabs on narrow screens ---------------------------------------------------

  const panes = form.querySelector('[data-editor-panes]');
  const tabs = [...form.querySelectorAll('[data-pane-tabs] [role="tab"]')];
  const narrow = window.matchMedia('(max-width: 63.99rem)');
  const showPane = (which, focus = false) => {
    for (const tab of tabs) {
      const on = tab.dataset.pane === which;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
      if (on && focus) tab.focus();
    }
    panes?.setAttribute('data-showing', which);
  };
  const layoutPanes = () => {
    // Side by side on wide screens: no tabs, both panes plain regions.
    for (const [id, tab] of [['pane-write', 'tab-write'], ['pane-preview', 'tab-preview']]) {
      const pane = document.getElementById(id);
      if (!pane) continue;
      if (narrow.matches) {
        pane.setAttribute('role', 'tabpanel');
        pane.setAttribute('aria-labelledby', tab);
      } else {
        pane.removeAttribute('role');
        if (id === 'pane-preview') pane.setAttribute('aria-labelledby', 'preview-heading');
        else pane.removeAttribute('aria-labelledby');
      }
    }
    if (!narrow.matches) panes?.removeAttribute('data-showing');
    else showPane(panes?.getAttribute('data-showing') ?? 'write');
  };
  for (const tab of tabs) {
    tab.addEventListener('click', () => showPane(tab.dataset.pane));
    tab.addEventListener('keydown', (event) => {
      if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
      event.preventDefault();
      showPane(tab.dataset.pane === 'write' ? 'preview' : 'write', true);
    });
  }
  narrow.addEventListener('change', layoutPanes);
  layoutPanes();

  // ---- Word count and reading time (of the text as readers see it) -------------------------------

  const preview = form.querySelector('[data-preview]');
  const wordCount = form.querySelector('[data-word-count]');
  const segmenter = typeof Intl !== 'undefined' && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: 'word' }) : null;
  const countWords = (text) => {
    if (segmenter) {
      let n = 0;
      for (const part of segmenter.segment(text)) if (part.isWordLike) n += 1;
      return n;
    }
    return (text.match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu) ?? []).length;
  };
  const updateCount = () => {
    if (!wordCount) return;
    // The preview is the text as readers will read it; before the first preview, the Markdown.
    const placeholder = preview?.querySelector(':scope > p.muted:only-child');
    const text = preview && !placeholder ? preview.textContent : textarea.value.trim() ? textarea.value : '';
    const words = countWords(text ?? '');
    const minutes = Math.max(1, Math.round(words / 230));
    wordCount.textContent = words === 0 ? 'No words yet' : `${words.toLocaleString()} ${words === 1 ? 'word' : 'words'} · ${minutes} min read`;
  };
  updateCount();

  // ---- The excerpt's placeholder and the link card follow the text --------------------------------

  const excerpt = form.querySelector('[data-excerpt]');
  const title = form.querySelector('[data-title]');
  const card = form.querySelector('[data-link-card]');
  const description = form.querySelector('[data-seo-description]');
  const socialImage = form.querySelector('[data-seo-image]');
  const coverImage = form.querySelector('[data-cover-image]');
  const charCount = form.querySelector('[data-char-count]');
  let automaticExcerpt = excerpt?.placeholder ?? '';

  const updateCard = () => {
    if (!card) return;
    const fallback = excerpt?.value.trim() || automaticExcerpt;
    if (description) description.placeholder = fallback;
    card.querySelector('[data-card-title]').textContent = title?.value.trim() || 'Untitled';
    card.querySelector('[data-card-description]').textContent = description?.value.trim() || fallback;
    const image = socialImage?.value.trim() || coverImage?.value.trim() || '';
    const box = card.querySelector('[data-card-image-box]');
    const img = card.querySelector('[data-card-image]');
    // Only addresses the page may show: an upload here or an https image.
    const usable = /^\/uploads\/[\w.-]+$/.test(image) || /^https:\/\/\S+$/.test(image);
    if (usable && img.getAttribute('src') !== image) img.src = image;
    box.hidden = !usable;
    if (charCount && description) {
      const n = description.value.trim().length;
      const shown = Number(charCount.dataset.shown);
      charCount.textContent = `${n} of about ${shown} characters shown in search results${n > shown ? ': the end may be cut off.' : '.'}`;
    }
  };
  for (const input of [title, excerpt, description, socialImage, coverImage]) input?.addEventListener('input', updateCard);
  preview?.addEventListener('kumbaya:preview', (event) => {
    automaticExcerpt = event.detail.excerpt;
    if (excerpt) excerpt.placeholder = automaticExcerpt;
    updateCount();
    updateCard();
  });
  updateCard();

  // ---- Images: pasted, dropped or chosen, described, uploaded, inserted at the cursor ------------

  const dialog = document.querySelector('[data-alt-dialog]');
  const status = document.querySelector('[data-upload-status]');
  const dropZone = form.querySelector('[data-md-drop]');
  const accepted = /^image\/(png|jpeg|gif|webp|avif)$/;

  const say = (text, isError = false) => {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle('is-error', isError);
    status.setAttribute('role', isError ? 'alert' : 'status');
  };

  /** Asks for the alt text in the dialog: resolves with the text ('' for decorative), or null (cancelled). */
  function askAlt(file) {
    if (!dialog || typeof dialog.showModal !== 'function') return Promise.resolve('');
    const text = dialog.querySelector('[data-alt-text]');
    const decorative = dialog.querySelector('[data-alt-decorative]');
    const error = dialog.querySelector('[data-alt-error]');
    const thumb = dialog.querySelector('[data-alt-thumb]');
    const url = URL.createObjectURL(file);
    thumb.src = url;
    dialog.querySelector('[data-alt-file]').textContent = `${file.name || 'Pasted image'} · ${Math.max(1, Math.round(file.size / 1024)).toLocaleString()} KB`;
    text.value = '';
    text.disabled = false;
    decorative.checked = false;
    error.hidden = true;
    decorative.onchange = () => { text.disabled = decorative.checked; };
    dialog.returnValue = '';
    return new Promise((resolve) => {
      const formEl = dialog.querySelector('form');
      const onSubmit = (event) => {
        if (event.submitter?.value !== 'upload') return;
        if (!decorative.checked && text.value.trim() === '') {
          event.preventDefault();
          error.textContent = 'Describe the image, or tick “decorative” if it adds nothing to the text.';
          error.hidden = false;
          text.focus();
        }
      };
      formEl.addEventListener('submit', onSubmit);
      dialog.addEventListener('close', () => {
        formEl.removeEventListener('submit', onSubmit);
        URL.revokeObjectURL(url);
        thumb.removeAttribute('src');
        textarea.focus();
        resolve(dialog.returnValue === 'upload' ? (decorative.checked ? '' : text.value.trim()) : null);
      }, { once: true });
      dialog.showModal();
      text.focus();
    });
  }

  /** Sends the file to the media library (re-encoded there, variants made), reporting progress. */
  function upload(file, alt, onProgress) {
    return new Promise((resolve, reject) => {
      const data = new FormData();
      data.append('file', file, file.name || `pasted.${file.type.split('/')[1] || 'png'}`);
      data.append('alt', alt);
      const xhr = new XMLHttpRequest();
      xhr.open('POST', '/admin/uploads');
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.setRequestHeader('X-CSRF-Token', csrf());
      xhr.upload.addEventListener('progress', (event) => { if (event.lengthComputable) onProgress(event.loaded / event.total); });
      xhr.addEventListener('load', () => {
        let body = null;
        try { body = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
        if (xhr.status >= 200 && xhr.status < 300 && body?.url) resolve(body);
        else reject(new Error(body?.error?.message ?? `The server answered ${xhr.status}. Try again.`));
      });
      xhr.addEventListener('error', () => reject(new Error('The upload did not reach the server (offline?). Try again.')));
      xhr.send(data);
    });
  }

  const escapeAlt = (alt) => alt.replace(/[[\]\\]/g, (c) => `\\${c}`).replace(/\s+/g, ' ');

  /** One image: its alt text first, then the upload; the Markdown lands where the cursor was. */
  async function addImage(file) {
    if (!accepted.test(file.type)) {
      say(`${file.name || 'That file'} is not an image Kumbaya takes: use PNG, JPEG, GIF, WebP or AVIF.`, true);
      return;
    }
    const at = { start: textarea.selectionStart, end: textarea.selectionEnd };
    const alt = await askAlt(file);
    if (alt === null) {
      say('Image not added.');
      return;
    }
    const progress = document.createElement('progress');
    progress.max = 1;
    progress.value = 0;
    progress.className = 'upload-progress';
    progress.setAttribute('aria-label', `Uploading ${file.name || 'the image'}`);
    say(`Uploading ${file.name || 'the image'}…`);
    status?.append(' ', progress);
    try {
      const answer = await upload(file, alt, (share) => { progress.value = share; });
      const markdown = `![${escapeAlt(alt)}](${answer.url})`;
      const before = textarea.value.slice(0, at.start);
      const prefix = before === '' || before.endsWith('\n\n') ? '' : before.endsWith('\n') ? '\n' : '\n\n';
      const text = `${prefix}${markdown}\n`;
      replace(at.start, at.end, text, text.length, text.length);
      say(alt ? `Uploaded and added to the text with its description.` : 'Uploaded and added to the text as decorative (no description).');
    } catch (error) {
      say(`Not uploaded: ${error.message}`, true);
    }
  }

  async function addImages(files) {
    for (const file of files) await addImage(file);
  }

  const imagesOf = (list) => [...(list ?? [])].filter((f) => f.kind === undefined || f.kind === 'file').map((f) => (f.getAsFile ? f.getAsFile() : f)).filter((f) => f && f.type.startsWith('image/'));

  textarea.addEventListener('paste', (event) => {
    const files = imagesOf(event.clipboardData?.files?.length ? event.clipboardData.files : event.clipboardData?.items);
    if (files.length === 0) return; // text: the browser pastes it
    event.preventDefault();
    addImages(files);
  });
  const hasFiles = (event) => [...(event.dataTransfer?.types ?? [])].includes('Files');
  dropZone?.addEventListener('dragover', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    dropZone.classList.add('is-dropping');
  });
  dropZone?.addEventListener('dragleave', (event) => {
    if (!dropZone.contains(event.relatedTarget)) dropZone.classList.remove('is-dropping');
  });
  dropZone?.addEventListener('drop', (event) => {
    dropZone.classList.remove('is-dropping');
    if (!hasFiles(event)) return;
    event.preventDefault();
    const files = imagesOf(event.dataTransfer.files);
    if (files.length === 0) {
      say('Only images can be dropped here: PNG, JPEG, GIF, WebP or AVIF.', true);
      return;
    }
    addImages(files);
  });

  /** The toolbar's Image button: choose a file, then the same dialog and upload. */
  function chooseImage() {
    const picker = document.createElement('input');
    picker.type = 'file';
    picker.accept = 'image/png,image/jpeg,image/gif,image/webp,image/avif';
    picker.addEventListener('change', () => { if (picker.files?.length) addImages([...picker.files]); });
    picker.click();
  }
})();
