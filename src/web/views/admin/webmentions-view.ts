import type { Context } from 'hono';
import type { Job, JobStatus } from '../../../core/jobs.ts';
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
  <p class="muted">When a post is published, changed or deleted, every page it links to (and linked to) is asked for its webmention endpoint and told. Failed attempts are retried; see <a href="/admin/jobs">background jobs</a>.</p>
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
      <td>${s.endpoint ?? html`<span class="muted">—</span>`}${s.endpoint && s.protocol === 'pingback' ? html` <span class="muted">(pingback)</span>` : ''}</td>
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
      <td>${m.type ?? '—'}${m.via === 'webmention' ? '' : ` (${m.via})`}${m.commentId ? html` · <a href="/admin/comments?post=${post.id}">comment</a>` : ''}</td>
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

/** The background job queue: counts, and the jobs that gave up (or still wait) with their last error. */
export function jobsView(c: Context<AppEnv>, o: { counts: Record<JobStatus, number>; jobs: Job[]; status: 'dead' | 'pending' }): SafeHtml {
  const token = c.get('session')!.csrfToken;
  const body = html`<h1>Background jobs</h1>
${noticeFromQuery(c)}
<p>Webmentions are sent and verified in the background, with retries. ${o.counts.pending} waiting, ${o.counts.done} done, ${o.counts.dead} gave up.</p>
<nav class="filters" aria-label="Jobs"><a href="/admin/jobs"${o.status === 'dead' ? html` aria-current="page"` : ''}>Gave up (${o.counts.dead})</a> · <a href="/admin/jobs?status=pending"${o.status === 'pending' ? html` aria-current="page"` : ''}>Waiting (${o.counts.pending})</a></nav>
${
  o.jobs.length === 0
    ? html`<p>${o.status === 'dead' ? 'No job has given up.' : 'Nothing is waiting.'}</p>`
    : html`<table class="admin-table wm-table">
  <caption class="visually-hidden">${o.status === 'dead' ? 'Jobs that gave up' : 'Jobs waiting'}</caption>
  <thead><tr><th scope="col">Job</th><th scope="col">Attempts</th><th scope="col">Last error</th><th scope="col">${o.status === 'dead' ? 'Gave up' : 'Next attempt'}</th>${o.status === 'dead' ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : ''}</tr></thead>
  <tbody>
  ${o.jobs.map(
    (j) => html`<tr>
    <th scope="row" class="cell-title">${j.kind}<span class="wm-error">${Object.entries(j.payload).map(([k, v]) => `${k}: ${String(v)}`).join(' · ')}</span></th>
    <td>${j.attempts}</td>
    <td>${j.lastError ?? ''}</td>
    <td>${formatDateTime(o.status === 'dead' ? (j.finishedAt ?? j.runAt) : j.runAt)}</td>
    ${o.status === 'dead' ? html`<td><form method="post" action="/admin/jobs/${j.id}/retry">${csrfField(token)}<button type="submit" class="secondary">Retry</button></form></td>` : ''}
  </tr>`,
  )}
  </tbody>
</table>`
}`;
  return adminLayout(c, { title: 'Background jobs', body, wide: true });
}
