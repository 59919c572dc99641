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
  post: { one: 'post', many: 'posts', title: 'Posts', listPath: '/admin' },
  page: { one: 'page', many: 'pages', title: 'Pages', listPath: '/admin/pages' },
};

export interface PostListFilters {
  status?: PostStatus;
  tag?: string;
  q?: string;
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
}

function listUrl(base: string, filters: PostListFilters, page: number): string {
  const q = new URLSearchParams();
  if (filters.q) q.set('q', filters.q);
  if (filters.status) q.set('status', filters.status);
  if (filters.tag) q.set('tag', filters.tag);
  if (page > 1) q.set('page', String(page));
  const s = q.toString();
  return s ? `${base}?${s}` : base;
}

/** /admin and /admin/pages: every post (or page) with filters and paging. */
export function postListView(c: Context<AppEnv>, o: PostListOptions): SafeHtml {
  const user = c.get('user')!;
  const words = typeWords[o.type];
  const canWrite = user.role !== 'moderator';
  const filtered = Boolean(o.filters.q || o.filters.status || o.filters.tag);
  const head = pageHead(
    words.title,
    canWrite ? html`<a class="button" href="/admin/posts/new?type=${o.type}">New ${words.one}</a>` : undefined,
  );
  const body = html`${head}
${canWrite ? '' : notice('info', html`As a moderator you look after the conversation. Writing and editing ${words.many} is for the owner and authors; you can open any ${words.one}, drafts included, to read it.`)}
<form class="filters" method="get" action="${words.listPath}" role="search" aria-label="Filter ${words.many}">
  <div class="filter">
    <label for="filter-q">Title contains</label>
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
  <div class="filter-actions">
    <button type="submit" class="secondary">Filter</button>
    ${filtered ? html`<a href="${words.listPath}">Clear</a>` : ''}
  </div>
</form>
<div class="list-summary">
  <p role="status">${filtered ? `${plural(o.total, 'match', 'matches')}` : plural(o.total, words.one, words.many)}</p>
  <a href="/admin/trash">Trash${o.trashCount > 0 ? ` (${o.trashCount})` : ''}</a>
</div>
${
  o.posts.length === 0
    ? html`<p class="empty">${filtered ? `No ${words.many} match these filters.` : canWrite ? html`No ${words.many} yet. <a href="/admin/posts/new?type=${o.type}">Write the first one</a>.` : `No ${words.many} yet.`}</p>`
    : html`<table class="admin-table post-table">
  <caption class="visually-hidden">${words.title}${o.totalPages > 1 ? `, page ${o.page} of ${o.totalPages}` : ''}</caption>
  <thead><tr><th scope="col">Title</th><th scope="col">Status</th><th scope="col">Date</th><th scope="col">Tags</th><th scope="col">Author</th></tr></thead>
  <tbody>
  ${o.posts.map((post) => {
    const editable = canEditPost(user, post).ok;
    return html`<tr>
    <th scope="row" class="cell-title">${editable ? html`<a href="/admin/posts/${post.id}">${post.title}</a>` : html`<a href="${postUrl(post)}">${post.title}</a>`}
      <span class="cell-path">${postUrl(post)}</span></th>
    <td data-label="Status">${statusBadge(post)}</td>
    <td data-label="Date" class="cell-date">${postDate(post)}</td>
    <td data-label="Tags">${post.tags.length ? post.tags.map((t, i) => html`${i ? ', ' : ''}<a href="${listUrl(words.listPath, { tag: t.slug }, 1)}">${t.name}</a>`) : html`<span class="muted">—</span>`}</td>
    <td data-label="Author">${o.authors.get(post.authorId)?.name ?? 'Unknown'}</td>
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
