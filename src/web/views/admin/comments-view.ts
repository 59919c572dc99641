import { noteBadge } from '../comment-views.ts';
import type { Context } from 'hono';
import type { ModerationAction } from '../../../core/comment-service.ts';
import type { Comment, CommentStatus, Post, User } from '../../../core/store.ts';
import { sha256Hex } from '../../../core/tokens.ts';
import type { AppEnv } from '../../context.ts';
import { html, raw, type SafeHtml } from '../../html.ts';
import { csrfField, notice } from '../forms.ts';
import { formatCount, formatDate, formatDateTime, isoDate, plural } from '../format.ts';
import { postUrl } from '../public-views.ts';
import { adminLayout, pageHead } from './admin-layout.ts';
import { canBecomePostIdea, postIdeaButton } from './person-rights-view.ts';
import { whoIsDetails, type InboxWhoIs } from './who-is-view.ts';

/** Trashed comments are deleted for good this long after they were trashed. */
export const TRASH_DAYS = 30;

export const tabWords: Record<CommentStatus, { tab: string; list: string; empty: string }> = {
  pending: { tab: 'Pending', list: 'Pending comments', empty: 'Nothing is waiting for a decision. Comments the policy holds for review appear here.' },
  approved: { tab: 'Approved', list: 'Approved comments', empty: 'No approved comments yet.' },
  spam: { tab: 'Spam', list: 'Spam', empty: 'No spam. Comments the filters catch land here, and can always be restored.' },
  trash: { tab: 'Trash', list: 'Trashed comments', empty: 'The trash is empty.' },
};

/** What an action did, in words for the notice ("3 comments approved."). */
const actionPast: Record<ModerationAction, string> = {
  approve: 'approved',
  unapprove: 'moved back to Pending',
  spam: 'marked as spam',
  trash: 'moved to the trash',
  restore: 'restored',
};

/** Where each action sends a comment. */
export const actionTarget: Record<ModerationAction, CommentStatus> = { approve: 'approved', unapprove: 'pending', spam: 'spam', trash: 'trash', restore: 'approved' };

/** The action that puts a comment back in `status` (Undo). */
export const backTo: Record<CommentStatus, ModerationAction> = { pending: 'unapprove', approved: 'approve', spam: 'spam', trash: 'trash' };

const statusWords: Record<CommentStatus, string> = { pending: 'Pending', approved: 'Approved', spam: 'Spam', trash: 'In the trash' };

interface ActionButton {
  action: ModerationAction;
  label: string;
  /** The keyboard shortcut moderation.js gives it. */
  key: string;
  kind: 'primary' | 'secondary' | 'danger';
}

/** The buttons a comment offers in each state. */
const rowActions: Record<CommentStatus, ActionButton[]> = {
  pending: [
    { action: 'approve', label: 'Approve', key: 'a', kind: 'primary' },
    { action: 'spam', label: 'Spam', key: 's', kind: 'secondary' },
    { action: 'trash', label: 'Trash', key: 'd', kind: 'danger' },
  ],
  approved: [
    { action: 'unapprove', label: 'Unapprove', key: 'u', kind: 'secondary' },
    { action: 'spam', label: 'Spam', key: 's', kind: 'secondary' },
    { action: 'trash', label: 'Trash', key: 'd', kind: 'danger' },
  ],
  spam: [
    { action: 'restore', label: 'Not spam', key: 'a', kind: 'primary' },
    { action: 'trash', label: 'Trash', key: 'd', kind: 'danger' },
  ],
  trash: [
    { action: 'restore', label: 'Restore', key: 'a', kind: 'primary' },
    { action: 'spam', label: 'Spam', key: 's', kind: 'secondary' },
  ],
};

const bulkActions: Record<CommentStatus, Array<{ action: ModerationAction; label: string; kind: ActionButton['kind'] }>> = {
  pending: [
    { action: 'approve', label: 'Approve selected', kind: 'secondary' },
    { action: 'spam', label: 'Spam selected', kind: 'secondary' },
    { action: 'trash', label: 'Trash selected', kind: 'danger' },
  ],
  approved: [
    { action: 'unapprove', label: 'Unapprove selected', kind: 'secondary' },
    { action: 'spam', label: 'Spam selected', kind: 'secondary' },
    { action: 'trash', label: 'Trash selected', kind: 'danger' },
  ],
  spam: [
    { action: 'restore', label: 'Restore selected', kind: 'secondary' },
    { action: 'trash', label: 'Trash selected', kind: 'danger' },
  ],
  trash: [
    { action: 'restore', label: 'Restore selected', kind: 'secondary' },
    { action: 'spam', label: 'Spam selected', kind: 'secondary' },
  ],
};

export interface InboxFilters {
  status: CommentStatus;
  postId?: number;
  q?: string;
  page: number;
}

/** The inbox address for these filters. */
export function inboxUrl(f: InboxFilters): string {
  const q = new URLSearchParams();
  if (f.status !== 'pending') q.set('status', f.status);
  if (f.postId !== undefined) q.set('post', String(f.postId));
  if (f.q) q.set('q', f.q);
  if (f.page > 1) q.set('page', String(f.page));
  const s = q.toString();
  return s ? `/admin/comments?${s}` : '/admin/comments';
}

/** What a comment row needs besides the comment. */
export interface RowContext {
  /** The tab being shown: a comment that has left it is drawn folded, with Undo. */
  tab: CommentStatus;
  token: string;
  /** Where the forms come back to without JavaScript. */
  back: string;
  posts: Map<number, Post>;
  parents: Map<number, Comment>;
  now: number;
  /** Replies just written from the inbox, by the comment they answer. */
  replies?: Map<number, Comment>;
  /** People the team keeps notes about (for staff who may open People): a badge beside their comments. */
  noted?: Set<number>;
  /** The signed-in user writes posts: readers' comments offer "Make a post of this". */
  canWritePosts?: boolean;
  /** "Who is this?" for first-time commenters' held comments, by comment id (staff who may open People). */
  whoIs?: Map<number, InboxWhoIs>;
  /** The site setting: photos from other sites may be shown. */
  loadRemoteImages?: boolean;
}

function avatar(comment: Comment): SafeHtml {
  const colour = parseInt(sha256Hex((comment.authorEmail || comment.authorName).trim().toLowerCase()).slice(0, 2), 16) % 8;
  const initials = comment.authorName.trim().split(/\s+/).slice(0, 2).map((w) => w[0]?.toUpperCase() ?? '').join('') || '?';
  return html`<span class="avatar avatar-${colour}" aria-hidden="true">${initials}</span>`;
}

/** The website as people read it: host and path, without the scheme. */
const shortUrl = (url: string): string => url.replace(/^https?:\/\//i, '').replace(/\/$/, '');

/** The comment's permalink on the site. */
export const commentUrl = (post: Pick<Post, 'slug'>, comment: Pick<Comment, 'id'>): string => `${postUrl(post)}#comment-${comment.id}`;

function reasonsLine(comment: Comment): SafeHtml | '' {
  const reasons = comment.moderationReasons;
  if (comment.status === 'approved' && reasons.length === 0) return '';
  // An approved comment with reasons was held or caught when it arrived and let through since:
  // its reasons are history ("first comment from this person" is no longer true), said as such.
  const label = comment.status === 'spam' ? 'Marked as spam' : comment.status === 'pending' ? 'Held for review' : comment.status === 'trash' ? 'Why it was set aside' : 'Held when it arrived, approved since';
  if (reasons.length === 0 && comment.status === 'trash') return '';
  const why = reasons.length > 0 ? reasons.join(' · ') : 'a moderator moved it here';
  return html`<p class="mod-why"><span class="mod-why-label">${label}:</span> ${why}</p>`;
}

function hiddenIds(ids: number[]): SafeHtml[] {
  return ids.map((id) => html`<input type="hidden" name="ids" value="${id}">`);
}

const backWords: Record<CommentStatus, string> = { pending: 'in Pending', approved: 'among the approved', spam: 'in spam', trash: 'in the trash' };

/** A one-button form that puts comments now in `now` back in `status`; `what` names them for screen readers. */
export function undoForm(token: string, back: string, ids: number[], status: CommentStatus, now: CommentStatus, what: string): SafeHtml {
  return html`<form method="post" action="/admin/comments/moderate" class="undo-form" data-mod>
  ${csrfField(token)}${hiddenIds(ids)}
  <input type="hidden" name="back" value="${back}">
  <input type="hidden" name="from" value="${now}">
  <button type="submit" name="action" value="${backTo[status]}" class="link-button">Undo<span class="visually-hidden">: put ${what} back ${backWords[status]}</span></button>
</form>`;
}

export interface ReplyFormOptions {
  comment: Comment;
  token: string;
  back: string;
  /** Shown while the comment is held: answering approves it. */
  approvesIt: boolean;
  /** Keeps ids unique when a page shows more than one form. */
  idPrefix?: string;
}

/** The inline reply: published at once, as the signed-in user. */
export function replyForm(o: ReplyFormOptions): SafeHtml {
  const id = `${o.idPrefix ?? 'reply'}-${o.comment.id}`;
  return html`<form class="reply-form" method="post" action="/admin/comments/${o.comment.id}/reply" data-mod-reply>
  ${csrfField(o.token)}
  <input type="hidden" name="back" value="${o.back}">
  <label for="${id}">Your reply to ${o.comment.authorName}</label>
  <textarea id="${id}" name="body" rows="4" maxlength="10000" required aria-describedby="${id}-hint"></textarea>
  <p class="hint" id="${id}-hint">Published at once, under your name with the Author badge.${o.approvesIt ? ` Replying approves ${o.comment.authorName}’s comment too.` : ''} Markdown: *emphasis*, [links](https://…), \`code\`, &gt; quotes. Ctrl+Enter (⌘+Enter) sends.</p>
  <div class="button-row"><button type="submit" class="small">Publish reply</button></div>
</form>`;
}

/** One comment in the inbox: who, where, why it was held, the text, and what can be done. */
export function commentRow(comment: Comment, rc: RowContext): SafeHtml {
  const post = rc.posts.get(comment.postId);
  const parent = comment.parentId !== null ? rc.parents.get(comment.parentId) : undefined;
  const who = comment.authorName || 'Someone';
  const rowId = `comment-row-${comment.id}`;
  const liveLink = post && comment.status === 'approved' ? commentUrl(post, comment) : null;

  if (comment.status !== rc.tab) {
    // It left this tab: fold it, say where it went, and offer to put it back.
    return html`<li class="mod-item is-moved" id="${rowId}" data-comment="${comment.id}" data-status="${comment.status}" data-moved tabindex="-1">
  <div class="mod-moved"><span class="status status-comment-${comment.status}">${statusWords[comment.status]}</span>
    <span>${who}’s comment${post ? html` on “${post.title}”` : ''}.</span>
    ${liveLink ? html`<a href="${liveLink}">View on site<span class="visually-hidden"> (comment by ${who})</span></a>` : ''}
    ${undoForm(rc.token, rc.back, [comment.id], rc.tab, comment.status, `${who}’s comment`)}</div>
</li>`;
  }

  const reply = rc.replies?.get(comment.id);
  const whoIs = comment.status === 'pending' ? rc.whoIs?.get(comment.id) : undefined;
  const actions = rowActions[comment.status];
  const canReply = comment.status === 'pending' || comment.status === 'approved';
  return html`<li class="mod-item status-${comment.status}" id="${rowId}" data-comment="${comment.id}" data-status="${comment.status}" tabindex="-1" aria-labelledby="${rowId}-who">
  <div class="mod-pick">
    <input type="checkbox" id="${rowId}-pick" name="ids" value="${comment.id}" form="bulk" data-pick>
    <label for="${rowId}-pick"><span class="visually-hidden">Select the comment by ${who}</span></label>
  </div>
  <div class="mod-main">
    <header class="mod-head">
      ${avatar(comment)}
      <div class="mod-who">
        <h2 class="mod-name" id="${rowId}-who">${who}${comment.userId !== null ? html` <span class="badge">Team</span>` : ''}${comment.personId !== null && rc.noted?.has(comment.personId) ? noteBadge(comment.personId, who) : ''}</h2>
        <p class="mod-contact">${comment.authorEmail ? html`<a href="mailto:${comment.authorEmail}">${comment.authorEmail}</a>` : ''}${
          comment.authorUrl ? html`${comment.authorEmail ? html`<span class="sep" aria-hidden="true"> · </span>` : ''}<a href="${comment.authorUrl}" rel="nofollow ugc noopener noreferrer">${shortUrl(comment.authorUrl)}</a>` : ''
        }${comment.ip ? html`<span class="sep" aria-hidden="true"> · </span><span class="mod-ip">IP ${comment.ip}</span>` : ''}</p>
      </div>
      <p class="mod-where"><time datetime="${isoDate(comment.createdAt)}">${formatDateTime(comment.createdAt)}</time>${
        comment.editedAt ? html` <span class="edited" title="Edited ${formatDateTime(comment.editedAt)}">edited</span>` : ''
      }${
        post ? html`<span class="mod-post"> on <a href="${postUrl(post)}">${post.title}</a></span>` : ''
      }${parent ? html`<span class="mod-parent">, in reply to ${post && parent.status === 'approved' ? html`<a href="${commentUrl(post, parent)}">${parent.authorName}</a>` : parent.authorName}</span>` : ''}</p>
    </header>
    ${reasonsLine(comment)}
    ${comment.status === 'trash' ? html`<p class="mod-purge">Deleted for good on <time datetime="${isoDate(comment.statusChangedAt + TRASH_DAYS * 86_400_000)}">${formatDate(comment.statusChangedAt + TRASH_DAYS * 86_400_000)}</time> unless restored.</p>` : ''}
    <div class="mod-body comment-body">${raw(comment.html)}</div>
    ${whoIs ? whoIsDetails(comment, whoIs, { personId: whoIs.personId, token: rc.token, back: rc.back, loadRemoteImages: rc.loadRemoteImages ?? false }) : ''}
    ${
      reply && post
        ? html`<div class="mod-replied" role="note"><p class="mod-replied-head">You replied <a href="${commentUrl(post, reply)}">View on site</a></p><div class="comment-body">${raw(reply.html)}</div></div>`
        : ''
    }
    <div class="mod-actions">
      <form method="post" action="/admin/comments/moderate" class="mod-buttons" data-mod>
        ${csrfField(rc.token)}
        <input type="hidden" name="ids" value="${comment.id}">
        <input type="hidden" name="back" value="${rc.back}">
        <input type="hidden" name="from" value="${comment.status}">
        ${actions.map(
          (a) => html`<button type="submit" name="action" value="${a.action}" class="small${a.kind === 'primary' ? '' : ` ${a.kind}`}" data-key="${a.key}" aria-keyshortcuts="${a.key}">${a.label}<span class="visually-hidden"> the comment by ${who}</span></button>`,
        )}
      </form>
      ${liveLink ? html`<a class="mod-link" href="${liveLink}">View on site<span class="visually-hidden"> (comment by ${who})</span></a>` : ''}
      <a class="mod-link" href="/admin/comments/${comment.id}/edit?back=${encodeURIComponent(rc.back)}" data-edit-comment>Edit or move<span class="visually-hidden"> the comment by ${who}</span>${comment.editedAt ? ' · history' : ''}</a>
      ${rc.canWritePosts && canBecomePostIdea(comment) ? postIdeaButton(comment, rc.token) : ''}
    </div>
    ${
      canReply && !reply
        ? html`<details class="mod-reply" data-reply>
      <summary data-key="r" aria-keyshortcuts="r">Reply<span class="visually-hidden"> to ${who}</span></summary>
      ${replyForm({ comment, token: rc.token, back: rc.back, approvesIt: comment.status === 'pending' })}
    </details>`
        : ''
    }
  </div>
</li>`;
}

/** What the last action did, read from the redirect's query (?done=…); null for nothing. */
export type ModerationResult =
  | { kind: 'moderated'; action: ModerationAction; count: number; ids: number[]; from: CommentStatus | null }
  | { kind: 'replied'; reply: Comment | null; post: Post | null }
  | { kind: 'deleted'; count: number; kept: number };

/** What happened, in one plain sentence (for the notice and for screen readers). */
export function resultText(result: ModerationResult): string {
  if (result.kind === 'replied') return 'Your reply is published.';
  if (result.kind === 'deleted') {
    if (result.count === 0 && result.kept === 0) return 'No comments in Spam were selected, so nothing changed.';
    const deleted = result.count > 0 ? `${plural(result.count, 'spam comment', 'spam comments')} deleted for good. ` : '';
    const kept = result.kept > 0 ? `${plural(result.kept, 'comment stays', 'comments stay')} in Spam: a published or held comment answers ${result.kept === 1 ? 'it' : 'them'}. ` : '';
    return `${deleted}${kept}The spam filter learned from ${result.count + result.kept === 1 ? 'it' : 'each one'}.`;
  }
  if (result.count === 0) return 'No comments were selected (or they were already there), so nothing changed.';
  return `${plural(result.count, 'comment', 'comments')} ${actionPast[result.action]}.`;
}

/** The notice after an action, with Undo when the comments can be put back. */
export function resultNotice(result: ModerationResult, token: string, back: string): SafeHtml {
  if (result.kind === 'replied') {
    const link = result.reply && result.post ? html` <a href="${commentUrl(result.post, result.reply)}">View it on the site</a>` : '';
    return html`<div class="notice ok notice-with-action" role="status"><span>${resultText(result)}</span>${link}</div>`;
  }
  if (result.kind === 'deleted' || result.count === 0) return notice(result.count === 0 ? 'info' : 'ok', resultText(result));
  const now = actionTarget[result.action];
  const undo = result.from && result.ids.length > 0 && now !== result.from ? undoForm(token, back, result.ids, result.from, now, result.ids.length === 1 ? 'the comment' : 'the comments') : '';
  return html`<div class="notice ok notice-with-action" role="status"><span>${resultText(result)}</span>${undo}</div>`;
}

const shortcuts: Array<[string, string]> = [
  ['j', 'Next comment'],
  ['k', 'Previous comment'],
  ['a', 'Approve (or restore from spam or the trash)'],
  ['u', 'Unapprove: back to Pending'],
  ['s', 'Mark as spam'],
  ['d', 'Move to the trash'],
  ['r', 'Reply'],
  ['Ctrl+Enter', 'Send the reply you are writing (⌘+Enter on a Mac)'],
  ['x', 'Select or deselect for a bulk action'],
  ['?', 'Show these shortcuts'],
];

/** The "?" dialog listing keyboard shortcuts (opened by moderation.js). */
export function shortcutsDialog(keys: string[] = shortcuts.map(([k]) => k)): SafeHtml {
  return html`<dialog class="shortcuts" id="shortcuts" aria-labelledby="shortcuts-title" data-shortcuts>
  <h2 id="shortcuts-title">Keyboard shortcuts</h2>
  <dl class="shortcut-list">
    ${shortcuts.filter(([k]) => keys.includes(k)).map(([k, what]) => html`<div><dt><kbd>${k}</kbd></dt><dd>${what}</dd></div>`)}
    <div><dt><kbd>Esc</kbd></dt><dd>Close this, or leave a reply box</dd></div>
  </dl>
  <p class="hint">Shortcuts pause while you type in a field.</p>
  <form method="dialog"><button type="submit" class="secondary small">Close</button></form>
</dialog>`;
}

export interface InboxViewOptions {
  filters: InboxFilters;
  comments: Comment[];
  total: number;
  counts: Record<CommentStatus, number>;
  rows: RowContext;
  /** Posts for the filter menu (the user's own, for an author). */
  postChoices: Post[];
  totalPages: number;
  perPage: number;
  result: ModerationResult | null;
  user: User;
}

/** /admin/comments: the moderation inbox. */
export function inboxView(c: Context<AppEnv>, o: InboxViewOptions): SafeHtml {
  const f = o.filters;
  const token = o.rows.token;
  const filtered = Boolean(f.q || f.postId !== undefined);
  const filteredPost = f.postId !== undefined ? o.postChoices.find((p) => p.id === f.postId) : undefined;
  const first = (f.page - 1) * o.perPage + 1;
  const last = Math.min(o.total, first + o.comments.length - 1);
  const bulk = bulkActions[f.status];
  const intro =
    o.user.role === 'author'
      ? 'Comments on your posts. Held and spam comments say why they were set aside; nothing is ever dropped.'
      : 'Every comment on the site. Held and spam comments say why they were set aside; nothing is ever dropped.';

  const body = html`${pageHead(
    'Comments',
    html`<button type="button" class="secondary small js-only" data-show-shortcuts aria-keyshortcuts="?">Keyboard shortcuts</button>
    ${o.user.role !== 'author' ? html`<a class="button secondary small" href="/admin/comments/settings">Comment settings</a>` : ''}`,
    intro,
  )}
<nav class="mod-tabs" aria-label="Comments by status">
  <ul>
    ${(['pending', 'approved', 'spam', 'trash'] as const).map(
      (s) => html`<li><a href="${inboxUrl({ status: s, postId: f.postId, q: f.q, page: 1 })}"${s === f.status ? html` aria-current="page"` : ''}>${tabWords[s].tab} <span class="tab-count" data-count="${s}">${formatCount(o.counts[s])}</span></a></li>`,
    )}
  </ul>
</nav>
<form class="filters" method="get" action="/admin/comments" role="search" aria-label="Filter comments">
  <div class="filter">
    <label for="filter-q">Text, name or email contains</label>
    <input id="filter-q" type="search" name="q" value="${f.q ?? ''}" maxlength="200">
  </div>
  <div class="filter">
    <label for="filter-post">Post</label>
    <select id="filter-post" name="post">
      <option value="">${o.user.role === 'author' ? 'All your posts' : 'All posts'}</option>
      ${o.postChoices.map((p) => html`<option value="${p.id}"${p.id === f.postId ? html` selected` : ''}>${p.title}</option>`)}
    </select>
  </div>
  <div class="filter-actions">
    <button type="submit" class="secondary">Filter</button>
    ${filtered ? html`<a href="${inboxUrl({ status: f.status, page: 1 })}">Clear</a>` : ''}
  </div>
  ${f.status !== 'pending' ? html`<input type="hidden" name="status" value="${f.status}">` : ''}
</form>
${f.status === 'trash' ? notice('info', `Trashed comments are deleted for good ${TRASH_DAYS} days after they were trashed. Until then, any of them can be restored.`) : ''}
${
  f.status === 'spam' && o.counts.spam > 0
    ? html`<form method="post" action="/admin/comments/empty-spam" class="empty-spam">
  ${csrfField(token)}
  <p>Spam stays here until you delete it. Deleting confirms it: the spam filter learns from each comment first.</p>
  <button type="submit" class="small danger">Empty spam</button>
</form>`
    : ''
}
<div class="mod-notice" data-mod-notice>${o.result ? resultNotice(o.result, token, o.rows.back) : ''}</div>
<p class="visually-hidden" aria-live="polite" data-mod-live></p>
<div class="list-summary">
  <p>${
    o.total === 0
      ? ''
      : html`${filteredPost ? html`On “${filteredPost.title}”: ` : ''}${o.total > o.comments.length ? `${formatCount(first)}–${formatCount(last)} of ` : ''}${plural(o.total, filtered ? 'match' : 'comment', filtered ? 'matches' : 'comments')}`
  }</p>
  <p class="js-only mod-hint">Press <kbd>?</kbd> for keyboard shortcuts</p>
</div>
${
  o.comments.length === 0
    ? html`<p class="empty card">${filtered ? 'No comments match these filters.' : tabWords[f.status].empty}</p>`
    : html`<form id="bulk" class="bulk-bar" method="post" action="/admin/comments/moderate" data-mod data-bulk aria-label="Bulk actions">
  ${csrfField(token)}
  <input type="hidden" name="back" value="${o.rows.back}">
  <input type="hidden" name="from" value="${f.status}">
  <label class="bulk-all js-only"><input type="checkbox" data-pick-all> Select all on this page</label>
  <span class="bulk-label no-js">Tick comments, then:</span>
  <span class="bulk-buttons">${bulk.map((b) => html`<button type="submit" name="action" value="${b.action}" class="small ${b.kind}">${b.label}</button>`)}${
    f.status === 'spam' ? html`<button type="submit" formaction="/admin/comments/delete-spam" class="small danger">Delete selected for good</button>` : ''
  }</span>
  <span class="bulk-count js-only" data-pick-count aria-live="polite"></span>
</form>
<ol class="mod-list" aria-label="${tabWords[f.status].list}${o.totalPages > 1 ? `, page ${f.page} of ${o.totalPages}` : ''}" data-mod-list>
  ${o.comments.map((comment) => commentRow(comment, o.rows))}
</ol>`
}
${
  o.totalPages > 1
    ? html`<nav class="pager" aria-label="Pages">
  ${f.page > 1 ? html`<a rel="prev" href="${inboxUrl({ ...f, page: f.page - 1 })}">← Newer</a>` : ''}
  <span class="meta">Page ${f.page} of ${o.totalPages}</span>
  ${f.page < o.totalPages ? html`<a class="next" rel="next" href="${inboxUrl({ ...f, page: f.page + 1 })}">Older →</a>` : ''}
</nav>`
    : ''
}
${shortcutsDialog()}`;
  return adminLayout(c, { title: `Comments: ${tabWords[f.status].tab}`, body, current: 'comments', scripts: ['moderation.js'] });
}
