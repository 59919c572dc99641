import type { Context } from 'hono';
import type { Post } from '../../../core/store.ts';
import type { ReceivedMention, SentMention } from '../../../core/webmention-store.ts';
import type { AppEnv } from '../../context.ts';
import { html, type SafeHtml } from '../../html.ts';
import { formatDateTime } from '../format.ts';
import { csrfField } from '../forms.ts';
import { adminLayout } from './admin-layout.ts';
import { noticeFromQuery } from './notices.ts';

const sentWords: Record<SentMention['status'], string> = {
  queued: 'Queued',
  sent: 'Notified',
  'no-endpoint': 'No endpoint',
  failed: 'Failed',
};

function answer(s: SentMention): SafeHtml {
  if (s.status === 'queued') return html`<span class="muted">waiting to be sent</span>`;
  if (s.status === 'no-endpoint') return html`<span class="muted">the page does not accept webmentions</span>`;
  return html`${s.httpStatus !== null ? html`<strong>HTTP ${s.httpStatus}</strong>` : ''}${s.error ? html` <span class="wm-error">${s.error}</span>` : ''}`;
}

const receivedWords: Record<ReceivedMention['status'], string> = { queued: 'Queued', verified: 'Shown', rejected: 'Rejected', deleted: 'Removed' };

/** Per post: which links were notified and what each endpoint answered; what other sites sent. */
export function webmentionsView(c: Context<AppEnv>, o: { post: Post; sent: SentMention[]; received: ReceivedMention[] }): SafeHtml {
  const { post } = o;
  const body = html`<p class="back"><a href="/admin/posts/${post.id}">← Edit “${post.title}”</a></p>
<h1>Webmentions of “${post.title}”</h1>
${noticeFromQuery(c)}
<section class="wm-section" aria-labelledby="sent-heading">
  <h2 id="sent-heading">Links notified</h2>
  <p class="muted">When a post is published, changed or deleted, every page it links to (and linked to) is asked for its webmention endpoint and told.</p>
  ${
    o.sent.length === 0
      ? html`<p>No links notified yet${post.status !== 'published' ? ': that happens when the post is published' : ''}.</p>`
      : html`<table class="admin-table wm-table">
    <caption class="visually-hidden">Links notified</caption>
    <thead><tr><th scope="col">Link</th><th scope="col">Status</th><th scope="col">Endpoint</th><th scope="col">Answer</th><th scope="col">Attempts</th><th scope="col">When</th></tr></thead>
    <tbody>
    ${o.sent.map(
      (s) => html`<tr>
      <th scope="row" class="cell-title"><a href="${s.target}" rel="noopener">${s.target}</a></th>
      <td><span class="status wm-${s.status}">${sentWords[s.status]}</span></td>
      <td>${s.endpoint ?? html`<span class="muted">—</span>`}</td>
      <td>${answer(s)}</td>
      <td>${s.attempts}</td>
      <td>${formatDateTime(s.updatedAt)}</td>
    </tr>`,
    )}
    </tbody>
  </table>`
  }
  ${
    post.status === 'published' && post.deletedAt === null
      ? html`<form class="wm-resend" method="post" action="/admin/posts/${post.id}/webmentions/resend">${csrfField(c.get('session')!.csrfToken)}<button type="submit" class="secondary">Notify every link again</button></form>`
      : ''
  }
</section>
<section class="wm-section" aria-labelledby="received-heading">
  <h2 id="received-heading">Received</h2>
  ${
    o.received.length === 0
      ? html`<p>No other site has sent a webmention or pingback for this post yet.</p>`
      : html`<table class="admin-table wm-table">
    <caption class="visually-hidden">Webmentions received</caption>
    <thead><tr><th scope="col">Source</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col">Author</th><th scope="col">Received</th></tr></thead>
    <tbody>
    ${o.received.map(
      (m) => html`<tr>
      <th scope="row" class="cell-title"><a href="${m.source}" rel="nofollow noopener">${m.source}</a></th>
      <td>${m.type ?? '—'}${m.via === 'pingback' ? ' (pingback)' : ''}${m.commentId ? html` · <a href="/admin/comments?post=${post.id}">comment</a>` : ''}</td>
      <td><span class="status wm-${m.status}">${receivedWords[m.status]}</span>${m.reason ? html` <span class="wm-error">${m.reason}</span>` : ''}</td>
      <td>${m.authorName ?? ''}</td>
      <td>${formatDateTime(m.receivedAt)}</td>
    </tr>`,
    )}
    </tbody>
  </table>`
  }
</section>`;
  return adminLayout(c, { title: `Webmentions · ${post.title}`, body, current: 'posts', wide: true });
}
