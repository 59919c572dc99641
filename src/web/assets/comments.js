// Comments without page reloads: post in place, reply under a comment, remember the
// reader's details on this device, edit or delete one's own comment, and see newly
// approved comments arrive. Everything here is optional: the plain form works without it.
(() => {
  const section = document.getElementById('comments');
  const form = document.getElementById('respond');
  if (!section) return;
  const postId = section.dataset.postId;
  const REMEMBER_KEY = 'kumbaya.commenter';

  // --- Remember me -----------------------------------------------------------------
  if (form) {
    const remember = form.querySelector('[data-remember]');
    const rememberBox = remember && remember.querySelector('input');
    const fields = ['name', 'email', 'website'];
    if (remember) remember.hidden = false;
    try {
      const saved = JSON.parse(localStorage.getItem(REMEMBER_KEY) || 'null');
      if (saved && rememberBox) {
        for (const f of fields) if (form.elements[f] && !form.elements[f].value) form.elements[f].value = saved[f] || '';
        rememberBox.checked = true;
      }
    } catch { /* storage unavailable: nothing to restore */ }
    const saveDetails = () => {
      try {
        if (rememberBox && rememberBox.checked) localStorage.setItem(REMEMBER_KEY, JSON.stringify(Object.fromEntries(fields.map((f) => [f, form.elements[f] ? form.elements[f].value : '']))));
        else localStorage.removeItem(REMEMBER_KEY);
      } catch { /* ignore */ }
    };

    // --- Refresh the form token when the page came from a cache long ago -------------
    const refreshToken = async () => {
      try {
        const res = await fetch(`/comments/token/${postId}`, { headers: { accept: 'application/json' } });
        if (res.ok) form.elements.formToken.value = (await res.json()).formToken;
      } catch { /* keep the token the page came with */ }
    };
    const loadedAt = Date.now();
    form.addEventListener('focusin', () => { if (Date.now() - loadedAt > 6 * 3600_000) refreshToken(); }, { once: true });

    // --- Reply under a comment ----------------------------------------------------------
    const home = form.parentNode;
    const homeNext = form.nextSibling;
    const heading = form.querySelector('#respond-heading');
    const replyingTo = form.querySelector('.replying-to');
    const parentField = form.elements.parentId;
    const resetReply = () => {
      parentField.value = '';
      heading.textContent = 'Join the conversation';
      replyingTo.hidden = true;
      home.insertBefore(form, homeNext);
    };
    section.addEventListener('click', (event) => {
      const link = event.target.closest('[data-reply-to]');
      if (link) {
        event.preventDefault();
        const article = document.getElementById(`comment-${link.dataset.replyTo}`);
        const name = article.dataset.author;
        parentField.value = link.dataset.replyTo;
        heading.textContent = `Reply to ${name}`;
        replyingTo.hidden = false;
        replyingTo.textContent = '';
        const cancel = document.createElement('button');
        cancel.type = 'button';
        cancel.className = 'secondary';
        cancel.textContent = 'Cancel reply';
        cancel.addEventListener('click', resetReply);
        replyingTo.append(`Replying to ${name} · `, cancel);
        article.after(form);
        form.elements.body.focus();
        return;
      }
      const cancelLink = event.target.closest('[data-cancel-reply]');
      if (cancelLink) {
        event.preventDefault();
        resetReply();
      }
    });

    // --- Post in place ------------------------------------------------------------------
    const status = form.querySelector('.form-status');
    const button = form.querySelector('button[type="submit"]');
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      for (const el of form.querySelectorAll('.field-error')) el.remove();
      for (const el of form.querySelectorAll('[aria-invalid]')) {
        el.removeAttribute('aria-invalid');
        const rest = (el.getAttribute('aria-describedby') || '').split(' ').filter((id) => id && !id.endsWith('-error')).join(' ');
        if (rest) el.setAttribute('aria-describedby', rest);
        else el.removeAttribute('aria-describedby');
      }
      button.disabled = true;
      status.textContent = 'Sending…';
      const data = new FormData(form);
      const body = Object.fromEntries([...data.entries()].filter(([k]) => k !== 'remember' && k !== '_csrf'));
      body.subscribeReplies = data.has('subscribeReplies');
      body.subscribePost = data.has('subscribePost');
      if (!body.parentId) body.parentId = null;
      const headers = { 'content-type': 'application/json', accept: 'application/json' };
      if (data.get('_csrf')) headers['x-csrf-token'] = data.get('_csrf');
      try {
        const res = await fetch('/comments', { method: 'POST', headers, body: JSON.stringify(body) });
        const answer = await res.json();
        if (!res.ok) {
          const error = answer.error || {};
          status.textContent = error.message || 'That did not work. Please try again.';
          for (const [field, message] of Object.entries(error.fields || {})) {
            const input = form.elements[field];
            if (!input) continue;
            // Every field in error is marked at once, its message read with it.
            input.setAttribute('aria-invalid', 'true');
            const p = document.createElement('p');
            p.className = 'field-error';
            p.id = `c-${field}-error`;
            p.textContent = message;
            input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), p.id].filter(Boolean).join(' '));
            input.after(p);
          }
          return;
        }
        saveDetails();
        const holder = document.createElement('ol');
        holder.innerHTML = answer.html;
        const item = holder.firstElementChild;
        item.querySelector('article').classList.add('is-new');
        const parentId = answer.comment.parentId;
        if (parentId) {
          const parentItem = document.getElementById(`comment-${parentId}`).parentElement;
          let replies = parentItem.querySelector(':scope > ol.replies');
          if (!replies) {
            replies = document.createElement('ol');
            replies.className = 'replies';
            parentItem.append(replies);
          }
          replies.append(item);
        } else {
          section.querySelector('ol.thread').append(item);
        }
        form.elements.body.value = '';
        resetReply();
        status.textContent = answer.message;
        item.querySelector('article').scrollIntoView({ block: 'nearest' });
        seen.add(String(answer.comment.id));
      } catch {
        status.textContent = 'The comment could not be sent (network). Your text is still here; try again.';
      } finally {
        button.disabled = false;
      }
    });
  }

  // --- Edit and delete one's own comment -------------------------------------------------
  section.addEventListener('click', async (event) => {
    const edit = event.target.closest('[data-edit]');
    const del = event.target.closest('[data-delete]');
    if (!edit && !del) return;
    event.preventDefault();
    const id = (edit || del).dataset.edit || (edit || del).dataset.delete;
    const article = document.getElementById(`comment-${id}`);
    if (del) {
      if (!confirm('Delete your comment?')) return;
      const res = await fetch(`/comments/${id}/delete`, { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/json' }, body: '{}' });
      if (res.ok) article.parentElement.remove();
      else alert((await res.json()).error?.message || 'It could not be deleted.');
      return;
    }
    const bodyEl = article.querySelector('.comment-body');
    const res = await fetch(`/comments/${id}/edit`, { headers: { accept: 'text/html' } });
    if (!res.ok) return void (location.href = `/comments/${id}/edit`);
    const page = new DOMParser().parseFromString(await res.text(), 'text/html');
    const text = page.querySelector('textarea')?.value ?? '';
    const editor = document.createElement('form');
    editor.className = 'comment-form';
    const label = document.createElement('label');
    label.textContent = 'Edit your comment';
    label.htmlFor = `edit-${id}`;
    const area = document.createElement('textarea');
    area.id = `edit-${id}`;
    area.rows = 6;
    area.value = text;
    const save = document.createElement('button');
    save.type = 'submit';
    save.textContent = 'Save';
    const cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.className = 'secondary';
    cancel.textContent = 'Cancel';
    const actions = document.createElement('div');
    actions.className = 'form-actions';
    actions.append(save, cancel);
    editor.append(label, area, actions);
    bodyEl.hidden = true;
    bodyEl.after(editor);
    area.focus();
    cancel.addEventListener('click', () => { editor.remove(); bodyEl.hidden = false; });
    editor.addEventListener('submit', async (e) => {
      e.preventDefault();
      const r = await fetch(`/comments/${id}/edit`, { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/json' }, body: JSON.stringify({ body: area.value }) });
      const answer = await r.json();
      if (!r.ok) return void alert(answer.error?.message || 'It could not be saved.');
      const holder = document.createElement('ol');
      holder.innerHTML = answer.html;
      article.replaceWith(holder.querySelector('article'));
    });
  });

  // --- New comments, live --------------------------------------------------------------------
  const seen = new Set([...section.querySelectorAll('[data-comment-id]')].map((a) => a.dataset.commentId));
  const waiting = [];
  const notice = document.getElementById('live-notice');
  const show = document.getElementById('live-show');
  const off = document.getElementById('live-off');
  // The server could not tell what this page missed (it was away too long): only a reload can.
  let missed = false;
  const announce = () => {
    if (missed) show.textContent = 'New comments may have arrived — reload to see them';
    else if (waiting.length === 0) return void (notice.hidden = true);
    else show.textContent = waiting.length === 1 ? '1 new comment — show' : `${waiting.length} new comments — show`;
    notice.hidden = false;
  };
  if (notice && show && 'EventSource' in window && !new URLSearchParams(location.search).has('after')) {
    // EventSource reconnects by itself when the stream drops (a server restarting), sending
    // the last event's id as Last-Event-ID, and is sent what it missed meanwhile.
    const source = new EventSource(`/comments/live/${postId}`);
    source.addEventListener('comment', (event) => {
      const { id } = JSON.parse(event.data);
      if (seen.has(String(id))) return;
      seen.add(String(id));
      waiting.push(id);
      announce();
    });
    source.addEventListener('missed', () => {
      missed = true;
      announce();
    });
    // It gives up only when an answer is not a stream (a server with every place taken answers 503).
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CLOSED && off) off.hidden = false;
    });
    document.getElementById('live-reload')?.addEventListener('click', () => location.reload());
    show.addEventListener('click', async () => {
      if (missed) return location.reload();
      const ids = waiting.splice(0);
      announce();
      let first = null;
      for (const id of ids) {
        const res = await fetch(`/comments/${id}/fragment`);
        if (!res.ok) continue;
        const holder = document.createElement('ol');
        holder.innerHTML = await res.text();
        const item = holder.firstElementChild;
        const article = item.querySelector('article');
        article.classList.add('is-new');
        const parentId = article.dataset.parentId;
        const parent = parentId && document.getElementById(`comment-${parentId}`);
        if (parent) {
          let replies = parent.parentElement.querySelector(':scope > ol.replies');
          if (!replies) {
            replies = document.createElement('ol');
            replies.className = 'replies';
            parent.parentElement.append(replies);
          }
          replies.append(item);
        } else section.querySelector('ol.thread').append(item);
        first ??= article;
      }
      if (first) {
        first.setAttribute('tabindex', '-1');
        first.focus({ preventScroll: false });
      }
    });
  }
})();
