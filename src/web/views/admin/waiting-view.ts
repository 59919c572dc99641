import { noteBadge } from '../comment-views.ts';
import type { Context } from 'hono';
import type { Comment, Post, User } from '../../../core/store.ts';
import type { AppEnv } from '../../context.ts';
import { html, raw, type SafeHtml } from '../../html.ts';
import { formatDateTime, isoDate, plural } from '../format.ts';
import { postUrl } from '../public-views.ts';
import { adminLayout, pageHead } from './admin-layout.ts';
import { commentUrl, replyForm, resultNotice, shortcutsDialog, type ModerationResult } from './comments-view.ts';

/** One conversation where a reader spoke last. */
export interface WaitingConversation {
  /** The reader's comment nobody has answered. */
  comment: Comment;
  /** What it answered, if it is a reply. */
  parent: Comment | null;
  post: Post;
}

export interface WaitingViewOptions {
  conversations: WaitingConversation[];
  /** How many are waiting in all (more than shown when the list is long). */
  total: number;
  user: User;
  now: number;
  result: ModerationResult | null;
  /** People the team keeps notes about: a badge beside their name (staff who may open People). */
  noted?: Set<number>;
}

/** "3 days", "5 hours": how long someone has been waiting. */
export function waitedFor(since: number, now: number): string {
  const minutes = Math.max(0, Math.floor((now - since) / 60_000));
  if (minutes < 60) return plural(Math.max(1, minutes), 'minute', 'minutes');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return plural(hours, 'hour', 'hours');
  return plural(Math.floor(hours / 24), 'day', 'days');
}

function conversationCard(item: WaitingConversation, o: WaitingViewOptions, token: string): SafeHtml {
  const { comment, parent, post } = item;
  const rowId = `comment-row-${comment.id}`;
  const parentWho = parent ? (parent.userId === o.user.id ? 'You' : parent.authorName) : '';
  return html`<li class="wait-item" id="${rowId}" data-comment="${comment.id}" data-status="${comment.status}" tabindex="-1" aria-labelledby="${rowId}-title">
  <header class="wait-head">
    <h2 class="wait-title" id="${rowId}-title">${comment.authorName}${comment.personId !== null && o.noted?.has(comment.personId) ? html` ${noteBadge(comment.personId, comment.authorName)}` : ''} <span class="wait-on">on <a href="${postUrl(post)}">${post.title}</a></span></h2>
    <p class="wait-since">Waiting ${waitedFor(comment.createdAt, o.now)} · <time datetime="${isoDate(comment.createdAt)}">${formatDateTime(comment.createdAt)}</time></p>
  </header>
  ${
    parent
      ? html`<div class="wait-context">
    <p class="wait-context-who">${parentWho} wrote${parent.userId !== null && parent.userId !== o.user.id ? ' (the team)' : ''}:</p>
    <div class="comment-body">${raw(parent.html)}</div>
  </div>`
      : ''
  }
  <div class="wait-comment">
    <p class="wait-comment-who">${parent ? `${comment.authorName} answered:` : `${comment.authorName} wrote:`}${comment.authorEmail ? html` <a class="muted" href="mailto:${comment.authorEmail}">${comment.authorEmail}</a>` : ''}</p>
    <div class="comment-body">${raw(comment.html)}</div>
  </div>
  ${replyForm({ comment, token, back: '/admin/waiting', approvesIt: false, idPrefix: 'waiting-reply' })}
  <p class="wait-links"><a href="${commentUrl(post, comment)}">See it in the conversation</a></p>
</li>`;
}

/** Drawn in place of a conversation once it has been answered (moderation.js swaps it in). */
export function answeredCard(comment: Comment, reply: Comment, post: Post): SafeHtml {
  return html`<li class="wait-item is-moved" id="comment-row-${comment.id}" data-comment="${comment.id}" data-moved tabindex="-1">
  <div class="mod-moved"><span class="status status-comment-approved">Answered</span>
    <span>You replied to ${comment.authorName} on “${post.title}”.</span>
    <a href="${commentUrl(post, reply)}">View your reply on the site</a></div>
</li>`;
}

/** /admin/waiting: conversations where a reader spoke last and nobody on the team has answered. */
export function waitingView(c: Context<AppEnv>, o: WaitingViewOptions): SafeHtml {
  const token = c.get('session')!.csrfToken;
  const scope = o.user.role === 'author' ? ' on your posts' : '';
  const body = html`${pageHead(
    'Waiting for you',
    html`<button type="button" class="secondary small js-only" data-show-shortcuts aria-keyshortcuts="?">Keyboard shortcuts</button>`,
    `Conversations${scope} where a reader spoke last and nobody on the team has answered yet, oldest first. Answer here; the conversation then leaves this list.`,
  )}
<div class="mod-notice" data-mod-notice>${o.result ? resultNotice(o.result, token, '/admin/waiting') : ''}</div>
<p class="visually-hidden" aria-live="polite" data-mod-live></p>
${
  o.conversations.length === 0
    ? html`<p class="empty card">Nobody is waiting for an answer. Well done.</p>`
    : html`<div class="list-summary"><p><span data-waiting-total>${plural(o.total, 'conversation', 'conversations')}</span> waiting${o.total > o.conversations.length ? `; the oldest ${o.conversations.length} are shown` : ''}.</p>
  <p class="js-only mod-hint">Press <kbd>?</kbd> for keyboard shortcuts</p></div>
<ol class="wait-list" aria-label="Conversations waiting for a reply" data-mod-list>
  ${o.conversations.map((item) => conversationCard(item, o, token))}
</ol>`
}
${shortcutsDialog(['j', 'k', 'r', 'Ctrl+Enter', '?'])}`;
  return adminLayout(c, { title: 'Waiting for you', body, current: 'waiting', scripts: ['moderation.js'] });
}
