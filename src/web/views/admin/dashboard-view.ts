import type { Context } from 'hono';
import type { Comment, Page, Post, User } from '../../../core/store.ts';
import type { AppEnv } from '../../context.ts';
import { html, raw, type SafeHtml } from '../../html.ts';
import { formatDateTime, isoDate, plural } from '../format.ts';
import { postUrl } from '../public-views.ts';
import { adminLayout } from './admin-layout.ts';
import { commentUrl, replyForm, resultNotice, type ModerationResult } from './comments-view.ts';
import { waitedFor } from './waiting-view.ts';

export interface DashboardData {
  user: User;
  now: number;
  waiting: { items: Comment[]; total: number };
  held: { items: Comment[]; total: number };
  /** Readers' newest approved comments, each with a reply box. */
  recent: Comment[];
  /** Null for moderators (they do not write). */
  drafts: Page<Post> | null;
  scheduled: Page<Post> | null;
  /** Null for those who may not see the outbox (authors). */
  outbox: { pending: number; failed: number } | null;
  /** Jobs that gave up; null unless the owner. */
  failedJobs: number | null;
  posts: Map<number, Post>;
  parents: Map<number, Comment>;
  result: ModerationResult | null;
}

/** The first words of a comment, as plain text. */
function gist(comment: Comment): string {
  const text = comment.markdown.replace(/\s+/g, ' ').trim();
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
}

function section(id: string, title: string, more: SafeHtml | '', content: SafeHtml): SafeHtml {
  return html`<section class="home-part" aria-labelledby="${id}">
  <h2 id="${id}">${title}</h2>
  ${content}
  ${more ? html`<p class="home-more">${more}</p>` : ''}
</section>`;
}

function commentLine(comment: Comment, d: DashboardData, link: string, extra: SafeHtml | string = ''): SafeHtml {
  const post = d.posts.get(comment.postId);
  return html`<li>
  <p class="home-line"><a href="${link}">${comment.authorName || 'Someone'}</a>${post ? html` on “${post.title}”` : ''} <span class="muted">· ${extra || html`<time datetime="${isoDate(comment.createdAt)}">${formatDateTime(comment.createdAt)}</time>`}</span></p>
  <p class="home-gist">${gist(comment)}</p>
</li>`;
}

function postLines(posts: Post[], when: (p: Post) => SafeHtml): SafeHtml {
  return html`<ul class="home-list">${posts.map((p) => html`<li><p class="home-line"><a href="/admin/posts/${p.id}">${p.title}</a> <span class="muted">· ${when(p)}</span></p></li>`)}</ul>`;
}

function waitingPart(d: DashboardData): SafeHtml {
  const { items, total } = d.waiting;
  const scope = d.user.role === 'author' ? ' on your posts' : '';
  return section(
    'home-waiting',
    'Waiting for you',
    total > 0 ? html`<a href="/admin/waiting">Answer ${total === 1 ? 'it' : `all ${total}`} in Waiting for you</a>` : '',
    total === 0
      ? html`<p class="muted">Nobody${scope} is waiting for an answer.</p>`
      : html`<p>${plural(total, 'conversation', 'conversations')}${scope} where a reader spoke last; the longest waiting:</p>
  <ul class="home-list">${items.map((comment) => commentLine(comment, d, `/admin/waiting#comment-row-${comment.id}`, `waiting ${waitedFor(comment.createdAt, d.now)}`))}</ul>`,
  );
}

function heldPart(d: DashboardData): SafeHtml {
  const { items, total } = d.held;
  return section(
    'home-held',
    'Held for review',
    total > 0 ? html`<a href="/admin/comments?status=pending">Review ${total === 1 ? 'it' : `all ${total}`} in the inbox</a>` : '',
    total === 0
      ? html`<p class="muted">No comments are waiting for approval.</p>`
      : html`<p>${plural(total, 'comment is', 'comments are')} held; the newest:</p>
  <ul class="home-list">${items.map((comment) => commentLine(comment, d, `/admin/comments?status=pending#comment-row-${comment.id}`))}</ul>`,
  );
}

function writingPart(d: DashboardData): SafeHtml | '' {
  if (!d.drafts || !d.scheduled) return '';
  const whose = d.user.role === 'owner' ? '' : 'your ';
  return section(
    'home-writing',
    'Drafts and scheduled',
    html`<a href="/admin/posts?status=draft">All ${whose}drafts</a> · <a href="/admin/posts?status=scheduled">All scheduled</a> · <a href="/admin/posts/new?type=post">New post</a>`,
    html`${
      d.scheduled.total === 0
        ? html`<p class="muted">Nothing is scheduled.</p>`
        : html`<p>${plural(d.scheduled.total, 'post goes', 'posts go')} live soon:</p>${postLines(d.scheduled.items, (p) => html`goes live <time datetime="${isoDate(p.publishedAt!)}">${formatDateTime(p.publishedAt!)}</time>`)}`
    }
    ${
      d.drafts.total === 0
        ? html`<p class="muted">No drafts.</p>`
        : html`<p>${plural(d.drafts.total, 'draft', 'drafts')}, the latest touched:</p>${postLines(d.drafts.items, (p) => html`updated <time datetime="${isoDate(p.updatedAt)}">${formatDateTime(p.updatedAt)}</time>`)}`
    }`,
  );
}

function recentPart(d: DashboardData, token: string): SafeHtml {
  return section(
    'home-recent',
    'Recent comments',
    html`<a href="/admin/comments?status=approved">All approved comments</a>`,
    d.recent.length === 0
      ? html`<p class="muted">No comments from readers yet.</p>`
      : html`<ol class="home-comments">${d.recent.map((comment) => {
          const post = d.posts.get(comment.postId);
          const parent = comment.parentId !== null ? d.parents.get(comment.parentId) : undefined;
          return html`<li class="home-comment" id="comment-row-${comment.id}">
  <p class="home-line"><strong>${comment.authorName || 'Someone'}</strong>${parent ? html` answered ${parent.userId === d.user.id ? 'you' : parent.authorName}` : ''}${post ? html` on <a href="${commentUrl(post, comment)}">${post.title}</a>` : ''} <span class="muted">· <time datetime="${isoDate(comment.createdAt)}">${formatDateTime(comment.createdAt)}</time></span></p>
  <div class="comment-body">${raw(comment.html)}</div>
  <details class="home-reply"><summary>Reply<span class="visually-hidden"> to ${comment.authorName || 'this comment'}</span></summary>
    ${replyForm({ comment, token, back: '/admin', approvesIt: false, idPrefix: 'home-reply' })}
  </details>
</li>`;
        })}</ol>`,
  );
}

function mailPart(d: DashboardData): SafeHtml | '' {
  if (!d.outbox) return '';
  const { pending, failed } = d.outbox;
  return section(
    'home-mail',
    'Mail',
    pending + failed > 0 ? html`<a href="/admin/mail">Open Mail</a>` : '',
    pending + failed === 0
      ? html`<p class="muted">Nothing is stuck in the outbox.</p>`
      : html`<p>${failed > 0 ? html`<strong>${plural(failed, 'email', 'emails')} could not be sent.</strong> ` : ''}${pending > 0 ? `${plural(pending, 'email waits', 'emails wait')} to be sent.` : ''}</p>`,
  );
}

function jobsPart(d: DashboardData): SafeHtml | '' {
  if (d.failedJobs === null) return '';
  return section(
    'home-jobs',
    'Background jobs',
    d.failedJobs > 0 ? html`<a href="/admin/jobs">See what failed</a>` : '',
    d.failedJobs === 0 ? html`<p class="muted">No background job has failed.</p>` : html`<p><strong>${plural(d.failedJobs, 'job', 'jobs')} gave up</strong> after retrying; each can be retried.</p>`,
  );
}

/** /admin: what needs the signed-in user, part by part, each linking to its page. */
export function dashboardView(c: Context<AppEnv>, d: DashboardData): SafeHtml {
  const token = c.get('session')!.csrfToken;
  const body = html`<div class="admin-head"><h1>Home</h1></div>
<p class="home-intro muted">What needs you, ${d.user.name}.</p>
${d.result ? resultNotice(d.result, token, '/admin') : ''}
<div class="home-grid">
  ${waitingPart(d)}
  ${heldPart(d)}
  ${writingPart(d)}
  ${mailPart(d)}
  ${jobsPart(d)}
</div>
${recentPart(d, token)}`;
  return adminLayout(c, { title: 'Home', body, current: 'home' });
}
