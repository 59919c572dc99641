import type { Context } from 'hono';
import { canEditPost } from '../../../core/post-service.ts';
import type { Post, PostStatus, PostType, Tag, User } from '../../../core/store.ts';
import type { AppEnv } from '../../context.ts';
import { html, type SafeHtml } from '../../html.ts';
import { csrfField, notice } from '../forms.ts';
import { formatDate, formatDateTime, isoDate, plural } from '../format.ts';
import { postUrl } from '../public-views.ts';
import { adminLayout, pageHead } from './admin-layout.ts';

const statusLabels: Record<PostStatus, string> = { draft: 'Draft', scheduled: 'Scheduled', published: 'Published' };

export function statusBadge(post: Pick<Post, 'status' | 'visibility'>): SafeHtml {
  return html`<span class="status status-${post.status}">${statusLabels[post.status]}</span>${
    post.visibility === 'unlisted' ? html` <span class="status status-unlisted">Unlisted</span>` : ''
  }`;
}

/** The date that matters for the post's state: when it went live, when it will, or when it was last touched. */
export function postDate(post: Post): SafeHtml {
  if (post.status === 'published' && post.publishedAt !== null) {
    return html`<span class="date-label">Published</span> <time datetime="${isoDate(post.publishedAt)}">${formatDate(post.publishedAt)}</time>`;
  }
  if (post.status === 'scheduled' && post.publishedAt !== null) {
    return html`<span class="date-label">Goes live</span> <time datetime="${isoDate(post.publishedAt)}">${formatDateTime(post.publishedAt)}</time>`;
  }
  return html`<span class="date-label">Updated</span> <time datetime="${isoDate(post.updatedAt)}">${formatDate(post.updatedAt)}</time>`;
}

export const typeWords: Record<PostType, { one: string; many: string; title: string; listPath: string }> = {
  post: { one: 'post', many: 'posts', title: 'Posts', listPath: '/admin/posts' },
  page: { one: 'page', many: 'pages', title: 'Pages', listPath: '/admin/pages' },
  external: { one: 'thread', many: 'threads', title: 'Threads on other sites', listPath: '/admin/sites' },
};

export interface PostListFilters {
  status?: PostStatus;
  tag?: string;
  /** An author's user id. */
  author?: number;
  q?: string;
}

export type BulkAction = 'publish' | 'unpublish' | 'tag' | 'trash';
/** Why a post was left alone: another author's, a moderator's reach, in the trash, gone. */
export type RefusalReason = 'not-yours' | 'role' | 'trashed' | 'missing';

/** What a bulk action did, shown above the list. */
export interface BulkResult {
  action: BulkAction;
  count: number;
  refused: number;
  why: RefusalReason[];
}

const bulkDone: Record<BulkAction, string> = { publish: 'published', unpublish: 'unpublished', tag: 'tagged', trash: 'moved to the trash' };
const refusalWords: Record<RefusalReason, string> = {
  'not-yours': 'only the owner can change another author’s post',
  role: 'moderators do not change posts',
  trashed: 'a post in the trash must be restored first',
  missing: 'a post no longer exists',
};

function bulkNotice(r: BulkResult, one: string, many: string): SafeHtml {
  const done = `${plural(r.count, one, many)} ${bulkDone[r.action]}.`;
  if (r.refused === 0) return html`<div class="notice ok" role="status"><p>${done}</p></div>`;
  const reasons = r.why.map((w) => refusalWords[w]).join('; ');
  return html`<div class="notice ${r.count > 0 ? 'ok' : 'error'}" role="status"><p>${done} ${plural(r.refused, one, many)} refused${reasons ? `: ${reasons}` : ''}.</p></div>`;
}

export interface PostListOptions {
  type: PostType;
  posts: Post[];
  total: number;
  authors: Map<number, User>;
  tags: Tag[];
  filters: PostListFilters;
  page: number;
  totalPages: number;
  trashCount: number;
  /** Approved comments per post id (posts without any are missing). */
  commentCounts: Map<number, number>;
  bulk: BulkResult | null;
}

function listUrl(base: string, filters: PostListFilters, page: number): string {
  const q = new URLSearchParams();
  if (filters.q) q.set('q', filters.q);
  if (filters.status) q.set('status', filters.status);
  if (filters.tag) q.set('tag', filters.tag);
  if (filters.author !== undefined) q.set('author', String(filters.author));
  if (page > 1) q.set('page', String(page));
  const s = q.toString();
  return s ? `${base}?${s}` : base;
}

/** /admin/posts and /admin/pages: every post (or page) with filters, paging, row and bulk actions. */
export function postListView(c: Context<AppEnv>, o: PostListOptions): SafeHtml {
  const user = c.get('user')!;
  const words = typeWords[o.type];
  const canWrite = user.role !== 'moderator';
  const token = c.get('session')!.csrfToken;
  const filtered = Boolean(o.filters.q || o.filters.status || o.filters.tag || o.filters.author !== undefined);
  const back = listUrl(words.listPath, o.filters, o.page);
  const anyEditable = o.posts.some((p) => canEditPost(user, p).ok);
  const head = pageHead(
    words.title,
    canWrite ? html`<a class="button" href="/admin/posts/new?type=${o.type}">New ${words.one}</a>` : undefined,
  );
  const body = html`${head}
${canWrite ? '' : notice('info', html`As a moderator you look after the conversation. Writing and editing ${words.many} is for the owner and authors; you can open any ${words.one}, drafts included, to read it.`)}
<form class="filters" method="get" action="${words.listPath}" role="search" aria-label="Filter ${words.many}">
  <div class="filter">
    <label for="filter-q">Title or text contains</label>
    <input id="filter-q" type="search" name="q" value="${o.filters.q ?? ''}" maxlength="200">
  </div>
  <div class="filter">
    <label for="filter-status">Status</label>
    <select id="filter-status" name="status">
      <option value="">Any status</option>
      ${(['draft', 'scheduled', 'published'] as const).map((s) => html`<option value="${s}"${o.filters.status === s ? html` selected` : ''}>${statusLabels[s]}</option>`)}
    </select>
  </div>
  ${
    o.type === 'post'
      ? html`<div class="filter">
    <label for="filter-tag">Tag</label>
    <select id="filter-tag" name="tag">
      <option value="">Any tag</option>
      ${o.tags.map((t) => html`<option value="${t.slug}"${o.filters.tag === t.slug ? html` selected` : ''}>${t.name}</option>`)}
    </select>
  </div>`
      : ''
  }
  ${
    o.authors.size > 1
      ? html`<div class="filter">
    <label for="filter-author">Author</label>
    <select id="filter-author" name="author">
      <option value="">Anyone</option>
      ${[...o.authors.values()].map((a) => html`<option value="${a.id}"${o.filters.author === a.id ? html` selected` : ''}>${a.name}</option>`)}
    </select>
  </div>`
      : ''
  }
  <div class="filter-actions">
    <button type="submit" class="secondary">Filter</button>
    ${filtered ? html`<a href="${words.listPath}">Clear</a>` : ''}
  </div>
</form>
<div class="list-summary">
  <p role="status">${filtered ? `${plural(o.total, 'match', 'matches')}` : plural(o.total, words.one, words.many)}</p>
  <a href="/admin/trash">Trash${o.trashCount > 0 ? ` (${o.trashCount})` : ''}</a>
</div>
${o.bulk ? bulkNotice(o.bulk, words.one, words.many) : ''}
${
  o.posts.length === 0
    ? html`<p class="empty">${filtered ? `No ${words.many} match these filters.` : canWrite ? html`No ${words.many} yet. <a href="/admin/posts/new?type=${o.type}">Write the first one</a>.` : `No ${words.many} yet.`}</p>`
    : html`${anyEditable ? bulkBar(o, token, back) : ''}<table class="admin-table post-table">
  <caption class="visually-hidden">${words.title}${o.totalPages > 1 ? `, page ${o.page} of ${o.totalPages}` : ''}</caption>
  <thead><tr>${anyEditable ? html`<th scope="col" class="cell-pick"><input type="checkbox" id="pick-all" class="js-only" data-select-all="bulk-posts"><label for="pick-all" class="js-only"><span class="visually-hidden">Select every ${words.one} on this page</span></label></th>` : ''}<th scope="col">Title</th><th scope="col">Status</th><th scope="col">Date</th><th scope="col">Comments</th><th scope="col">Tags</th><th scope="col">Author</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
  <tbody>
  ${o.posts.map((post) => {
    const editable = canEditPost(user, post).ok;
    const comments = o.commentCounts.get(post.id) ?? 0;
    return html`<tr>
    ${anyEditable ? html`<td class="cell-pick">${editable ? html`<input type="checkbox" id="pick-${post.id}" name="ids" value="${post.id}" form="bulk-posts"><label for="pick-${post.id}"><span class="visually-hidden">Select “${post.title}”</span></label>` : ''}</td>` : ''}
    <th scope="row" class="cell-title">${editable ? html`<a href="/admin/posts/${post.id}">${post.title}</a>` : html`<a href="${postUrl(post)}">${post.title}</a>`}
      <span class="cell-path">${postUrl(post)}</span></th>
    <td data-label="Status">${statusBadge(post)}</td>
    <td data-label="Date" class="cell-date">${postDate(post)}</td>
    <td data-label="Comments">${comments > 0 ? html`<a href="/admin/comments?status=approved&amp;post=${post.id}">${plural(comments, 'comment', 'comments')}<span class="visually-hidden"> on “${post.title}”</span></a>` : html`<span class="muted">None</span>`}</td>
    <td data-label="Tags">${post.tags.length ? post.tags.map((t, i) => html`${i ? ', ' : ''}<a href="${listUrl(words.listPath, { tag: t.slug }, 1)}">${t.name}</a>`) : html`<span class="muted">—</span>`}</td>
    <td data-label="Author">${o.authors.get(post.authorId)?.name ?? 'Unknown'}</td>
    <td class="cell-actions">${rowActions(post, editable, token, back)}</td>
  </tr>`;
  })}
  </tbody>
</table>`
}
${
  o.totalPages > 1
    ? html`<nav class="pager" aria-label="Pages">
  ${o.page > 1 ? html`<a rel="prev" href="${listUrl(words.listPath, o.filters, o.page - 1)}">← Newer</a>` : ''}
  <span class="meta">Page ${o.page} of ${o.totalPages}</span>
  ${o.page < o.totalPages ? html`<a class="next" rel="next" href="${listUrl(words.listPath, o.filters, o.page + 1)}">Older →</a>` : ''}
</nav>`
    : ''
}`;
  return adminLayout(c, { title: words.title, body, current: o.type === 'post' ? 'posts' : 'pages' });
}

/** Edit, view, duplicate and trash for one row (view only for a post the user may not change). */
function rowActions(post: Post, editable: boolean, token: string, back: string): SafeHtml {
  const name = html`<span class="visually-hidden"> “${post.title}”</span>`;
  return html`<div class="row-actions">
    ${editable ? html`<a href="/admin/posts/${post.id}">Edit${name}</a>` : ''}
    <a href="${postUrl(post)}">${post.status === 'published' ? 'View' : 'Preview'}${name}</a>
    ${
      editable
        ? html`<form method="post" action="/admin/posts/${post.id}/duplicate">${csrfField(token)}<button type="submit" class="link-button">Duplicate${name}</button></form>
    <form method="post" action="/admin/posts/${post.id}/trash">${csrfField(token)}<input type="hidden" name="back" value="${back}"><button type="submit" class="link-button danger-link">Trash${name}</button></form>`
        : ''
    }
  </div>`;
}

/** The bulk form: the rows' checkboxes belong to it (form="bulk-posts"); one action at a time. */
function bulkBar(o: PostListOptions, token: string, back: string): SafeHtml {
  const words = typeWords[o.type];
  return html`<form id="bulk-posts" class="filters post-bulk" method="post" action="/admin/posts/bulk" aria-label="Change the selected ${words.many}">
  ${csrfField(token)}
  <input type="hidden" name="back" value="${back}">
  <div class="filter">
    <label for="bulk-action">With the selected ${words.many}</label>
    <select id="bulk-action" name="action">
      <option value="publish">Publish</option>
      <option value="unpublish">Unpublish</option>
      ${o.type === 'post' ? html`<option value="tag">Add the tag…</option>` : ''}
      <option value="trash">Move to the trash</option>
    </select>
  </div>
  ${
    o.type === 'post'
      ? html`<div class="filter">
    <label for="bulk-tag">Tag to add</label>
    <input id="bulk-tag" type="text" name="tag" maxlength="100" list="bulk-tags" aria-describedby="bulk-tag-hint">
    <datalist id="bulk-tags">${o.tags.map((t) => html`<option value="${t.name}"></option>`)}</datalist>
    <span class="hint" id="bulk-tag-hint">Only for “Add the tag…”.</span>
  </div>`
      : ''
  }
  <div class="filter-actions"><button type="submit" class="secondary">Apply</button></div>
</form>`;
}

export interface TrashOptions {
  posts: Post[];
  total: number;
  authors: Map<number, User>;
  page: number;
  totalPages: number;
}

/** /admin/trash: trashed posts and pages, each with Restore and Delete forever. */
export function trashView(c: Context<AppEnv>, o: TrashOptions): SafeHtml {
  const user = c.get('user')!;
  const token = c.get('session')!.csrfToken;
  const body = html`${pageHead('Trash', undefined, 'Trashed posts and pages are hidden from the site. Restore one to bring it back as it was, or delete it forever.')}
${
  o.posts.length === 0
    ? html`<p class="empty">The trash is empty.</p>`
    : html`<table class="admin-table trash-table">
  <caption class="visually-hidden">Trash</caption>
  <thead><tr><th scope="col">Title</th><th scope="col">Type</th><th scope="col">Trashed</th><th scope="col">Author</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
  <tbody>
  ${o.posts.map((post) => {
    const editable = canEditPost(user, post).ok;
    return html`<tr>
    <th scope="row" class="cell-title">${post.title}</th>
    <td data-label="Type">${post.type === 'page' ? 'Page' : 'Post'}</td>
    <td data-label="Trashed">${post.deletedAt ? html`<time datetime="${isoDate(post.deletedAt)}">${formatDate(post.deletedAt)}</time>` : ''}</td>
    <td data-label="Author">${o.authors.get(post.authorId)?.name ?? 'Unknown'}</td>
    <td class="cell-actions">${
      editable
        ? html`<form method="post" action="/admin/posts/${post.id}/restore">${csrfField(token)}<button type="submit" class="secondary small">Restore<span class="visually-hidden"> “${post.title}”</span></button></form>
      <form method="post" action="/admin/posts/${post.id}/purge" data-confirm="Delete “${post.title}” forever? Its comments go with it. This cannot be undone.">${csrfField(token)}<button type="submit" class="danger small">Delete forever<span class="visually-hidden"> “${post.title}”</span></button></form>`
        : html`<span class="muted">Not yours</span>`
    }</td>
  </tr>`;
  })}
  </tbody>
</table>`
}
${
  o.totalPages > 1
    ? html`<nav class="pager" aria-label="Pages">
  ${o.page > 1 ? html`<a rel="prev" href="/admin/trash?page=${o.page - 1}">← Newer</a>` : ''}
  <span class="meta">Page ${o.page} of ${o.totalPages}</span>
  ${o.page < o.totalPages ? html`<a class="next" rel="next" href="/admin/trash?page=${o.page + 1}">Older →</a>` : ''}
</nav>`
    : ''
}`;
  return adminLayout(c, { title: 'Trash', body, current: 'posts' });
}
