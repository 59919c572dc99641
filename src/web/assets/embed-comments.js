// <kumbaya-comments>: a blog's conversation on a page of another site. Shadow DOM (the page's
// CSS and ours never meet), themed by CSS custom properties (--kumbaya-*) and ::part(),
// light, dark or `auto` (following the page). No cookies: a comment's edit secret stays in
// this page's localStorage for the edit window, and so do the reader's name, email and
// website when they tick "Remember me" (unticking forgets them). Styles come from a served file (<link>),
// never inline, so pages with a strict CSP only need to allow the blog's origin.
const blog = new URL(import.meta.url).origin;
const styles = new URL('__KUMBAYA_CSS__', import.meta.url).href;
const api = `${blog}/api/embed`;
const storeKey = `kumbaya-comments:${blog}`;
const detailsKey = `kumbaya-commenter:${blog}`;
const DETAILS = ['name', 'email', 'website'];
const MAX_LEVEL = 3;

const h = (tag, attrs = {}, ...children) => {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === 'text') el.textContent = value;
    else if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) el.append(child);
  return el;
};

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

/** The reader's remembered details ({ name, email, website }), or null. */
function rememberedDetails() {
  try {
    const saved = JSON.parse(localStorage.getItem(detailsKey) ?? 'null');
    return saved && typeof saved === 'object' ? saved : null;
  } catch {
    return null;
  }
}

function keepDetails(details) {
  try {
    if (details) localStorage.setItem(detailsKey, JSON.stringify(details));
    else localStorage.removeItem(detailsKey);
  } catch {
    // Storage refused: nothing is remembered.
  }
}

/** This browser's own comments: [{ id, secret, until }] whose edit window is still open. */
function ownComments() {
  try {
    const all = JSON.parse(localStorage.getItem(storeKey) ?? '[]');
    const now = Date.now();
    const live = Array.isArray(all) ? all.filter((x) => x && typeof x.id === 'number' && typeof x.secret === 'string' && x.until > now) : [];
    if (live.length !== all.length) localStorage.setItem(storeKey, JSON.stringify(live));
    return live;
  } catch {
    return [];
  }
}

function remember(id, secret, until) {
  try {
    localStorage.setItem(storeKey, JSON.stringify([...ownComments().filter((x) => x.id !== id), { id, secret, until }].slice(-50)));
  } catch {
    // Storage refused (private mode, quota): the comment is saved; only editing it later is lost.
  }
}

function forget(id) {
  try {
    localStorage.setItem(storeKey, JSON.stringify(ownComments().filter((x) => x.id !== id)));
  } catch {}
}

async function call(path, method, body) {
  const response = await fetch(`${api}${path}`, {
    method,
    credentials: 'omit',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = new Error(data?.detail ?? `The blog answered ${response.status}.`);
    error.fields = data?.fields ?? {};
    throw error;
  }
  return data;
}

const formatDate = (iso) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

class KumbayaComments extends HTMLElement {
  static observedAttributes = ['theme'];

  #root;
  #theme = 'auto';
  #thread = null;
  #shown = new Map();
  #waiting = [];
  #events = null;
  #replyTo = null;
  #next = null;
  #total = 0;
  #unplaced = [];
  #media = matchMedia('(prefers-color-scheme: dark)');
  #onScheme = () => this.#applyTheme();
  #parts = {};

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: 'open' });
  }

  connectedCallback() {
    this.#theme = this.getAttribute('theme') ?? 'auto';
    this.#media.addEventListener('change', this.#onScheme);
    this.#build();
    this.#applyTheme();
    this.#open();
  }

  disconnectedCallback() {
    this.#media.removeEventListener('change', this.#onScheme);
    this.#events?.close();
    this.#events = null;
  }

  attributeChangedCallback(name, _old, value) {
    if (name === 'theme' && this.isConnected) this.setTheme(value ?? 'auto');
  }

  /** 'light', 'dark' or 'auto' (the page's color-scheme, else the reader's preference). */
  setTheme(theme) {
    this.#theme = theme === 'light' || theme === 'dark' ? theme : 'auto';
    this.#applyTheme();
  }

  get theme() {
    return this.#parts.box?.dataset.theme ?? 'light';
  }

  #applyTheme() {
    if (!this.#parts.box) return;
    let dark = this.#theme === 'dark';
    if (this.#theme === 'auto') {
      const scheme = getComputedStyle(document.documentElement).colorScheme.split(/\s+/);
      const meta = (document.querySelector('meta[name="color-scheme"]')?.content ?? '').split(/[\s,]+/);
      const says = scheme.includes('dark') || scheme.includes('light') ? scheme : meta;
      if (says.includes('dark') && !says.includes('light')) dark = true;
      else if (says.includes('light') && !says.includes('dark')) dark = false;
      else dark = this.#media.matches;
    }
    this.#parts.box.dataset.theme = dark ? 'dark' : 'light';
  }

  #pageUrl() {
    const given = this.getAttribute('page-url');
    if (given) return new URL(given, location.href).href;
    const canonical = document.querySelector('link[rel~="canonical"]')?.href;
    return canonical || location.href;
  }

  #pageTitle() {
    return this.getAttribute('page-title') || document.querySelector('meta[property="og:title"]')?.content || document.title || '';
  }

  #build() {
    const p = this.#parts;
    p.title = h('h2', { class: 'title', part: 'title', id: 'kc-title', text: 'Comments' });
    p.status = h('p', { class: 'status', part: 'status', role: 'status' });
    p.fresh = h('button', { type: 'button', class: 'fresh', part: 'new-comments', hidden: true, onclick: () => this.#showWaiting() });
    p.list = h('ol', { class: 'list', part: 'list' });
    p.more = h('button', { type: 'button', class: 'more', part: 'more', hidden: true, text: 'Show more comments', onclick: () => this.#more() });
    p.form = this.#buildForm();
    p.closed = h('p', { class: 'closed', hidden: true });
    p.link = h('a', { part: 'thread-link', href: blog, text: `Open this conversation on ${new URL(blog).host}` });
    p.feed = h('a', { part: 'feed-link', href: blog, text: 'Feed' });
    p.footer = h('p', { class: 'footer', part: 'footer', hidden: true }, p.link, ' · ', p.feed);
    p.box = h('section', { class: 'box', part: 'root', 'aria-labelledby': 'kc-title', 'aria-busy': 'true' }, p.title, p.status, p.fresh, p.list, p.more, p.form, p.closed, p.footer);
    this.#root.replaceChildren(h('link', { rel: 'stylesheet', href: styles }), p.box);
  }

  #buildForm() {
    const p = this.#parts;
    const field = (id, label, input, hint) => h('div', { class: 'field' }, h('label', { for: id }, label, hint ? h('span', { class: 'hint-inline', text: ` ${hint}` }) : null), input, h('p', { class: 'field-error', id: `${id}-error`, hidden: true }));
    p.name = h('input', { id: 'kc-name', name: 'name', autocomplete: 'name', maxlength: '80', required: true });
    p.email = h('input', { id: 'kc-email', name: 'email', type: 'email', autocomplete: 'email', maxlength: '254', required: true });
    p.website = h('input', { id: 'kc-website', name: 'website', type: 'url', autocomplete: 'url', maxlength: '300', placeholder: 'https://' });
    p.honeypot = h('input', { id: 'kc-hp', name: 'honeypot', tabindex: '-1', autocomplete: 'off' });
    p.body = h('textarea', { id: 'kc-body', name: 'body', rows: '5', required: true, maxlength: '10000', 'aria-describedby': 'kc-body-hint' });
    p.replying = h('p', { class: 'replying', hidden: true });
    p.error = h('p', { class: 'error', role: 'alert', hidden: true });
    p.submit = h('button', { type: 'submit', class: 'submit', part: 'button', text: 'Post comment' });
    const check = (name, text) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name, id: `kc-${name}` }), ` ${text}`);
    p.options = h(
      'fieldset',
      { class: 'options' },
      h('legend', { class: 'visually-hidden', text: 'Options' }),
      check('subscribe-replies', 'Email me replies to my comment'),
      check('subscribe-post', 'Email me all new comments on this post'),
      check('remember', 'Remember my name, email and website on this device'),
    );
    p.subscribeReplies = p.options.querySelector('#kc-subscribe-replies');
    p.subscribePost = p.options.querySelector('#kc-subscribe-post');
    p.remember = p.options.querySelector('#kc-remember');
    const saved = rememberedDetails();
    if (saved) {
      for (const name of DETAILS) p[name].value = typeof saved[name] === 'string' ? saved[name] : '';
      p.remember.checked = true;
    }
    // Unticked, the details are forgotten at once (this page's storage only; nothing was sent anywhere).
    p.remember.addEventListener('change', () => {
      if (!p.remember.checked) keepDetails(null);
    });
    p.formTitle = h('h3', { class: 'form-title', id: 'kc-form-title', text: 'Leave a comment' });
    return h(
      'form',
      { class: 'form', part: 'form', 'aria-labelledby': 'kc-form-title', hidden: true, novalidate: true, onsubmit: (e) => this.#send(e) },
      p.formTitle,
      p.replying,
      h('div', { class: 'row' }, field('kc-name', 'Name', p.name), field('kc-email', 'Email', p.email, '(never shown)'), field('kc-website', 'Website', p.website, '(optional)')),
      h('div', { class: 'hp', 'aria-hidden': 'true' }, h('label', { for: 'kc-hp', text: 'Leave this empty' }), p.honeypot),
      field('kc-body', 'Comment', p.body),
      h('p', { class: 'hint', id: 'kc-body-hint', text: '*emphasis*, **bold**, [links](https://…), `code`, > quotes and lists work. No images or HTML.' }),
      p.options,
      p.error,
      h('div', { class: 'actions' }, p.submit),
    );
  }

  async #open() {
    const p = this.#parts;
    p.status.textContent = 'Loading comments…';
    try {
      const own = ownComments().map(({ id, secret }) => ({ id, secret }));
      this.#thread = await call('/threads', 'POST', { url: this.#pageUrl(), title: this.#pageTitle(), own });
    } catch (error) {
      p.status.textContent = `Comments could not be loaded: ${error.message}`;
      p.box.setAttribute('aria-busy', 'false');
      return;
    }
    const t = this.#thread;
    p.link.href = t.thread.url;
    p.feed.href = t.thread.feed_url;
    p.footer.hidden = false;
    this.#next = t.next;
    this.#total = t.comment_count;
    this.#place(t.comments);
    this.#count();
    p.status.textContent = '';
    p.box.setAttribute('aria-busy', 'false');
    p.form.hidden = !t.thread.comments_open;
    p.closed.hidden = t.thread.comments_open;
    p.closed.textContent = t.thread.closed_message ?? '';
    this.#listen();
  }

  #count() {
    const total = this.#total;
    this.#parts.title.textContent = total === 0 ? 'Comments' : plural(total, 'comment', 'comments');
    this.#parts.more.hidden = this.#next === null;
  }

  /**
   * Shows a page of comments. A comment whose parent is not shown yet (a writer's held
   * reply under a conversation of a later page) waits until that page is loaded; after the
   * last page, whatever still waits goes at the end.
   */
  #place(comments) {
    const waiting = [...this.#unplaced, ...comments];
    this.#unplaced = [];
    for (const comment of waiting) {
      const parentShown = comment.parent_id === null || this.#shown.has(comment.parent_id);
      if (parentShown || this.#next === null) this.#add(comment);
      else this.#unplaced.push(comment);
    }
  }

  /** The next conversations (keyset: the `next` cursor of the page before). */
  async #more() {
    const p = this.#parts;
    const focusAfter = p.list.lastElementChild;
    p.more.disabled = true;
    p.more.textContent = 'Loading…';
    try {
      const page = await call(`/threads/${this.#thread.thread.id}/comments?after=${encodeURIComponent(this.#next)}`, 'GET');
      this.#next = page.next;
      this.#place(page.comments);
      this.#count();
      focusAfter?.nextElementSibling?.querySelector('article')?.focus();
    } catch (error) {
      p.status.textContent = `More comments could not be loaded: ${error.message}`;
    } finally {
      p.more.disabled = false;
      p.more.textContent = 'Show more comments';
    }
  }

  #listen() {
    if (typeof EventSource === 'undefined') return;
    this.#events = new EventSource(this.#thread.live_url);
    this.#events.addEventListener('comment', async (event) => {
      const { id } = JSON.parse(event.data);
      if (this.#shown.has(id) || this.#waiting.some((c) => c.id === id)) return;
      try {
        this.#waiting.push(await call(`/comments/${id}`, 'GET'));
      } catch {
        return;
      }
      const fresh = this.#parts.fresh;
      fresh.textContent = `${plural(this.#waiting.length, 'new comment', 'new comments')} — show`;
      fresh.hidden = false;
    });
    this.#events.addEventListener('missed', () => {
      this.#parts.status.textContent = 'New comments may have arrived: reload the page to see them.';
    });
  }

  #showWaiting() {
    // A new conversation belongs after the pages not loaded yet, a reply under its comment: each comes with its page.
    const here = this.#waiting.filter((c) => this.#next === null || (c.parent_id !== null && this.#shown.has(c.parent_id)));
    const first = here[0];
    for (const comment of this.#waiting) if (!this.#shown.has(comment.id)) this.#total += 1;
    for (const comment of here) this.#add(comment);
    if (here.length < this.#waiting.length) this.#parts.status.textContent = 'New comments further down: show more comments to see them.';
    this.#waiting = [];
    this.#parts.fresh.hidden = true;
    this.#count();
    if (first) this.#root.getElementById(`kc-c-${first.id}`)?.querySelector('article')?.focus();
  }

  /**
   * Shows `comment` in its place: under its parent (at most three levels deep), else at the
   * end — `early` (the reader's own new conversation while pages remain) stays last as the
   * later pages come in before it.
   */
  #add(comment, early = false) {
    const existing = this.#root.getElementById(`kc-c-${comment.id}`);
    const item = this.#item(comment);
    this.#shown.set(comment.id, comment);
    if (existing) {
      existing.replaceWith(item);
      return;
    }
    const parent = comment.parent_id === null ? null : this.#root.getElementById(`kc-c-${comment.parent_id}`);
    if (!parent) {
      item.dataset.level = '0';
      if (early) item.dataset.early = '';
      this.#parts.list.insertBefore(item, early ? null : this.#parts.list.querySelector(':scope > [data-early]'));
      return;
    }
    const level = Number(parent.dataset.level) + 1;
    if (level > MAX_LEVEL) {
      item.dataset.level = parent.dataset.level;
      parent.after(item);
      return;
    }
    item.dataset.level = String(level);
    let replies = parent.querySelector(':scope > ol');
    if (!replies) parent.append((replies = h('ol', { class: 'replies' })));
    replies.append(item);
  }

  #item(c) {
    const until = c.editable_until ? Date.parse(c.editable_until) : 0;
    const mine = until > Date.now() && ownComments().some((x) => x.id === c.id);
    const author = c.author_url ? h('a', { href: c.author_url, rel: 'nofollow ugc noopener', text: c.author_name }) : c.author_name;
    const body = h('div', { class: 'body', part: 'comment-body' });
    body.innerHTML = c.html; // sanitised by the blog (its commenters' Markdown subset)
    const parent = c.parent_id === null ? null : this.#shown.get(c.parent_id);
    const actions = h('div', { class: 'comment-actions' });
    if (c.status === 'approved' && this.#thread?.thread.comments_open) {
      actions.append(h('button', { type: 'button', class: 'link', text: 'Reply', 'aria-label': `Reply to ${c.author_name}`, onclick: () => this.#reply(c) }));
    }
    if (mine) {
      actions.append(
        h('button', { type: 'button', class: 'link', text: 'Edit', onclick: () => this.#edit(c, body) }),
        h('button', { type: 'button', class: 'link', text: 'Delete', onclick: () => this.#delete(c) }),
      );
    }
    return h(
      'li',
      { class: `comment${c.staff ? ' staff' : ''}${c.status !== 'approved' ? ' held' : ''}`, id: `kc-c-${c.id}`, part: 'comment' },
      h(
        'article',
        { 'aria-labelledby': `kc-a-${c.id}`, tabindex: '-1' },
        h(
          'header',
          { class: 'meta' },
          c.avatar.image
            ? h('img', { class: 'avatar', part: 'avatar', src: c.avatar.image, alt: '', width: '32', height: '32', loading: 'lazy' })
            : h('span', { class: `avatar avatar-${c.avatar.colour}`, part: 'avatar', 'aria-hidden': 'true', text: c.avatar.initials }),
          h('span', { class: 'author', id: `kc-a-${c.id}` }, author),
          c.staff ? h('span', { class: 'badge', text: 'Author' }) : null,
          h('time', { datetime: c.created_at, text: formatDate(c.created_at) }),
          c.edited_at ? h('span', { class: 'edited', text: '(edited)' }) : null,
        ),
        parent && this.#root.getElementById(`kc-c-${c.parent_id}`)?.dataset.level === String(MAX_LEVEL) ? h('p', { class: 'in-reply', text: `In reply to ${parent.author_name}` }) : null,
        c.status === 'pending' ? h('p', { class: 'held-note', text: 'Waiting for approval: only you can see this.' }) : null,
        c.status === 'not-published' ? h('p', { class: 'held-note', text: 'Not published: the automatic checks set it aside for the author to review.' }) : null,
        body,
        actions.childElementCount > 0 ? actions : null,
      ),
    );
  }

  #reply(c) {
    const p = this.#parts;
    this.#replyTo = c;
    p.formTitle.textContent = `Reply to ${c.author_name}`;
    p.replying.hidden = false;
    p.replying.replaceChildren(`Your reply goes under ${c.author_name}’s comment. `, h('button', { type: 'button', class: 'link', text: 'Write a new comment instead', onclick: () => this.#cancelReply() }));
    p.body.focus();
  }

  #cancelReply() {
    const p = this.#parts;
    this.#replyTo = null;
    p.formTitle.textContent = 'Leave a comment';
    p.replying.hidden = true;
    p.body.focus();
  }

  #showErrors(error) {
    const p = this.#parts;
    const names = { name: p.name, email: p.email, website: p.website, body: p.body };
    for (const [name, input] of Object.entries(names)) {
      const note = this.#root.getElementById(`${input.id}-error`);
      const problem = error?.fields?.[name];
      note.hidden = !problem;
      note.textContent = problem ?? '';
      if (problem) {
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', note.id);
      } else {
        input.removeAttribute('aria-invalid');
        if (input === p.body) input.setAttribute('aria-describedby', 'kc-body-hint');
        else input.removeAttribute('aria-describedby');
      }
    }
    p.error.hidden = !error;
    p.error.textContent = error ? error.message : '';
  }

  async #send(event) {
    event.preventDefault();
    const p = this.#parts;
    const t = this.#thread;
    p.submit.disabled = true;
    p.submit.textContent = 'Posting…';
    try {
      const result = await call(`/threads/${t.thread.id}/comments`, 'POST', {
        parent_id: this.#replyTo?.id ?? null,
        name: p.name.value,
        email: p.email.value,
        website: p.website.value,
        body: p.body.value,
        honeypot: p.honeypot.value,
        form_token: t.form_token,
        subscribe_replies: p.subscribeReplies.checked,
        subscribe_post: p.subscribePost.checked,
      });
      this.#showErrors(null);
      keepDetails(p.remember.checked ? Object.fromEntries(DETAILS.map((name) => [name, p[name].value.trim()])) : null);
      p.subscribeReplies.checked = false;
      p.subscribePost.checked = false;
      if (result.comment.status === 'approved') this.#total += 1;
      if (result.edit_secret && result.comment.editable_until) remember(result.comment.id, result.edit_secret, Date.parse(result.comment.editable_until));
      this.#add(result.comment, this.#next !== null);
      this.#count();
      p.body.value = '';
      if (this.#replyTo) this.#cancelReply();
      p.status.textContent = result.message;
    } catch (error) {
      this.#showErrors(error);
    } finally {
      p.submit.disabled = false;
      p.submit.textContent = 'Post comment';
    }
  }

  #edit(c, body) {
    const own = ownComments().find((x) => x.id === c.id);
    if (!own) return;
    const area = h('textarea', { rows: '5', 'aria-label': 'Your comment', maxlength: '10000' });
    const shown = this.#shown.get(c.id);
    area.value = shown.markdown ?? body.textContent.trim();
    const editor = h(
      'form',
      { class: 'edit', onsubmit: async (e) => {
        e.preventDefault();
        try {
          const updated = await call(`/comments/${c.id}`, 'PATCH', { secret: own.secret, body: area.value });
          this.#add(updated);
          this.#parts.status.textContent = 'Your changes are saved.';
        } catch (error) {
          this.#parts.status.textContent = error.message;
        }
      } },
      area,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'submit', text: 'Save changes' }), h('button', { type: 'button', class: 'link', text: 'Cancel', onclick: () => this.#add(shown) })),
    );
    body.replaceWith(editor);
    area.focus();
  }

  async #delete(c) {
    const own = ownComments().find((x) => x.id === c.id);
    if (!own || !confirm('Delete your comment?')) return;
    try {
      await call(`/comments/${c.id}`, 'DELETE', { secret: own.secret });
      forget(c.id);
      if (this.#shown.get(c.id)?.status === 'approved') this.#total -= 1;
      this.#shown.delete(c.id);
      this.#root.getElementById(`kc-c-${c.id}`)?.remove();
      this.#count();
      this.#parts.status.textContent = 'Your comment is deleted.';
    } catch (error) {
      this.#parts.status.textContent = error.message;
    }
  }
}

if (!customElements.get('kumbaya-comments')) customElements.define('kumbaya-comments', KumbayaComments);
