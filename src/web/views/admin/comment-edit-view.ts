import type { Context } from 'hono';
import type { Comment, CommentRevision, Post } from '../../../core/store.ts';
import type { AppEnv } from '../../context.ts';
import { html, raw, type SafeHtml } from '../../html.ts';
import { csrfField, notice } from '../forms.ts';
import { formatDateTime, isoDate } from '../format.ts';
import { adminLayout, pageHead } from './admin-layout.ts';
import { commentUrl } from './comments-view.ts';

export interface CommentEditOptions {
  comment: Comment;
  post: Post;
  /** Comments it may move under: published comments of the post, not itself nor its replies. */
  parents: Comment[];
  history: CommentRevision[];
  /** Previous comments named in the history, by id. */
  named: Map<number, Comment>;
  token: string;
  back: string;
  /** What was typed, when the form comes back with a problem. */
  values?: { body: string; parentId: number | null };
  error?: { message: string; fields: Record<string, string> };
  saved?: boolean;
}

/** A comment in a menu: who, the start of what they said, and when. */
function choiceLabel(c: Comment): string {
  const text = c.markdown.replace(/\s+/g, ' ').trim();
  return `${'— '.repeat(c.depth)}${c.authorName}: ${text.length > 60 ? `${text.slice(0, 60)}…` : text} (${formatDateTime(c.createdAt)})`;
}

function placeWords(parentId: number | null, named: Map<number, Comment>): string {
  if (parentId === null) return 'at the top level';
  const parent = named.get(parentId);
  return parent ? `in reply to ${parent.authorName} (comment ${parentId})` : `in reply to comment ${parentId}`;
}

/** Each earlier version, newest first: who changed it and when, where it sat, what it said. */
function historyList(o: CommentEditOptions): SafeHtml {
  if (o.history.length === 0) return html`<p class="muted">Not edited yet. Every edit keeps the earlier text here.</p>`;
  return html`<ol class="comment-history" reversed>
  ${[...o.history].reverse().map(
    (r) => html`<li class="comment-revision" data-revision="${r.id}">
    <p class="revision-head">Before the edit by <strong>${r.editorName}</strong>${r.editedBy === null ? ' (its writer)' : ''} on <time datetime="${isoDate(r.createdAt)}">${formatDateTime(r.createdAt)}</time>, ${placeWords(r.parentId, o.named)}:</p>
    <div class="comment-body">${raw(r.html)}</div>
  </li>`,
  )}
</ol>`;
}

/** /admin/comments/:id/edit: change a comment's text or move it, and read its history. */
export function commentEditView(c: Context<AppEnv>, o: CommentEditOptions): SafeHtml {
  const { comment, post } = o;
  const body = o.values?.body ?? comment.markdown;
  const parentId = o.values ? o.values.parentId : comment.parentId;
  const live = comment.status === 'approved' ? commentUrl(post, comment) : null;
  const errors = o.error?.fields ?? {};
  const page = html`${pageHead(`Edit ${comment.authorName}’s comment`, undefined, html`On <a href="/${post.slug}">${post.title}</a>, written ${formatDateTime(comment.createdAt)}${
    comment.editedAt ? html`, <span class="edited">edited</span> ${formatDateTime(comment.editedAt)}` : ''
  }.`)}
${o.saved ? html`<div class="notice ok notice-with-action" role="status"><span>Your changes are saved; the earlier version is in the history below.</span>${live ? html` <a href="${live}">View it on the site</a>` : ''}</div>` : ''}
${o.error ? notice('error', o.error.message) : ''}
<form method="post" action="/admin/comments/${comment.id}/edit" class="comment-edit" novalidate>
  ${csrfField(o.token)}
  <input type="hidden" name="back" value="${o.back}">
  <div class="field">
    <label for="edit-body">Text</label>
    <textarea id="edit-body" name="body" rows="8" maxlength="10000" required${errors.body ? html` aria-invalid="true" aria-describedby="edit-body-error"` : ''}>${body}</textarea>
    ${errors.body ? html`<p class="field-error" id="edit-body-error">${errors.body}</p>` : ''}
    <p class="hint">Markdown, as commenters write it. Readers see an “edited” mark; the earlier text stays in the history.</p>
  </div>
  <div class="field">
    <label for="edit-parent">In reply to</label>
    <select id="edit-parent" name="parentId"${errors.parentId ? html` aria-invalid="true" aria-describedby="edit-parent-error"` : ''}>
      <option value=""${parentId === null ? ' selected' : ''}>Nobody: a top-level comment</option>
      ${o.parents.map((p) => html`<option value="${p.id}"${p.id === parentId ? ' selected' : ''}>${choiceLabel(p)}</option>`)}
    </select>
    ${errors.parentId ? html`<p class="field-error" id="edit-parent-error">${errors.parentId}</p>` : ''}
    <p class="hint">A reply posted under the wrong comment can move to another comment of this post; its own replies move with it.</p>
  </div>
  <div class="button-row"><button type="submit">Save changes</button> <a href="${o.back}">Back to comments</a>${live ? html` · <a href="${live}">View on site</a>` : ''}</div>
</form>
<section class="comment-history-section" aria-labelledby="history-title">
  <h2 id="history-title">History</h2>
  ${historyList(o)}
</section>`;
  return adminLayout(c, { title: `Edit ${comment.authorName}’s comment`, body: page, current: 'comments' });
}
