import type { DeliverySummary, QueuedDelivery } from '../../../adapters/storage/kysely-federation.ts';
import { html, type SafeHtml } from '../../html.ts';
import { csrfField } from '../forms.ts';
import { formatCount, formatDateTime, isoDate, plural } from '../format.ts';

/** What a delivery was about: a post (by its editor), the follow answers, or an address we no longer know. */
export type DeliverySubject = { kind: 'post'; id: number; title: string } | { kind: 'follow' } | { kind: 'address'; url: string };

export interface DeliveriesState {
  summary: DeliverySummary;
  failed: Array<{ delivery: QueuedDelivery; subject: DeliverySubject | null }>;
  waiting: Array<{ delivery: QueuedDelivery; subject: DeliverySubject | null }>;
  now: number;
}

function server(d: QueuedDelivery): SafeHtml {
  if (d.kind === 'fanout') return html`<span class="muted">every follower’s server</span>`;
  if (!d.inbox) return html`<span class="muted">unknown</span>`;
  const inbox = new URL(d.inbox);
  return html`<span class="delivery-host">${inbox.host}</span><span class="wm-error">${inbox.pathname}</span>`;
}

/**
 * Fedify says "Failed to send activity <id> to <inbox> (503 Service Unavailable):\n<body>";
 * the row already names both, so the status leads and the start of the answer follows.
 */
function errorText(error: string): SafeHtml {
  const http = /^Failed to send activity \S+ to \S+ \((\d{3}[^)]*)\):\s*([^]*)$/.exec(error);
  if (!http) return html`${error}`;
  const body = http[2].trim();
  return html`${http[1]}${body ? html`<span class="wm-error">${body.length > 200 ? `${body.slice(0, 200)}…` : body}</span>` : ''}`;
}

function subject(s: DeliverySubject | null): SafeHtml {
  if (!s) return html`<span class="muted">—</span>`;
  if (s.kind === 'post') return html`<a href="/admin/posts/${s.id}">${s.title}</a>`;
  if (s.kind === 'follow') return html`A follow request’s answer`;
  return html`<span class="wm-error">${s.url}</span>`;
}

function when(d: QueuedDelivery, now: number): SafeHtml {
  if (d.sending) return html`Being sent now`;
  if (d.behind && d.runAt <= now) return html`After this post’s earlier activity`;
  if (d.runAt <= now) return html`Due now`;
  return html`<time datetime="${isoDate(d.runAt)}">${formatDateTime(d.runAt)}</time>`;
}

/** The line above the lists: how much waits, how much failed. */
function summaryLine(s: DeliverySummary): SafeHtml {
  if (s.deliveries + s.fanouts + s.received === 0) return html`<p class="empty">Nothing waits to be delivered: every follower’s server has what was sent.</p>`;
  const parts: SafeHtml[] = [];
  if (s.deliveries > 0) parts.push(html`<strong>${plural(s.deliveries, 'delivery', 'deliveries')}</strong> waiting (${formatCount(s.failing)} failed and will be tried again, ${formatCount(s.sending)} being sent now)`);
  if (s.fanouts > 0) parts.push(html`${plural(s.fanouts, 'post change', 'post changes')} still being split into deliveries`);
  if (s.received > 0) parts.push(html`${plural(s.received, 'received activity', 'received activities')} waiting to be handled`);
  return html`<p class="delivery-summary">${parts.map((part, i) => html`${i > 0 ? '; ' : ''}${part}`)}.</p>`;
}

/**
 * Admin → Fediverse: deliveries waiting in the queue and those that failed, with Retry
 * (makes a failed or delayed delivery due now). A post's deliveries reach each server in
 * order, so a retried delivery still goes after the ones before it.
 */
export function deliveriesSection(token: string, s: DeliveriesState): SafeHtml {
  const failedRows = s.failed.map(
    ({ delivery: d, subject: about }) => html`<tr>
    <td class="cell-title">${server(d)}</td>
    <td data-label="Activity">${d.activityType ?? 'unknown'}</td>
    <td data-label="About">${subject(about)}</td>
    <td data-label="Attempts">${d.attempts}</td>
    <td data-label="Last error" class="delivery-error">${d.lastError ? errorText(d.lastError) : ''}</td>
    <td data-label="Next try">${when(d, s.now)}</td>
    <td class="cell-actions"><form method="post" action="/admin/fediverse/deliveries/${d.id}/retry" class="inline-form">${csrfField(token)}<button type="submit" class="small">Retry now<span class="visually-hidden"> the ${d.activityType ?? ''} to ${d.inbox ? new URL(d.inbox).host : 'followers'}</span></button></form></td>
  </tr>`,
  );
  const waitingRows = s.waiting.map(
    ({ delivery: d, subject: about }) => html`<tr>
    <td class="cell-title">${server(d)}</td>
    <td data-label="Activity">${d.activityType ?? 'unknown'}</td>
    <td data-label="About">${subject(about)}</td>
    <td data-label="Queued"><time datetime="${isoDate(d.createdAt)}">${formatDateTime(d.createdAt)}</time></td>
    <td data-label="State">${when(d, s.now)}</td>
  </tr>`,
  );
  const notFailing = s.summary.deliveries - s.summary.failing + s.summary.fanouts;
  return html`<section class="deliveries" aria-labelledby="deliveries-heading">
  <h2 id="deliveries-heading">Deliveries</h2>
  <p class="hint">Posts go to followers’ servers in the background: a failed delivery is tried again after 1 minute, then 2, 4 … up to an hour between tries, 10 times. A server that answers that the account or inbox is gone (404, 410) loses its followers here.</p>
  ${summaryLine(s.summary)}
  ${
    s.failed.length === 0
      ? ''
      : html`<h3 id="failed-deliveries-heading">Failed, waiting to be tried again (${formatCount(s.summary.failing)})</h3>
  <form method="post" action="/admin/fediverse/deliveries/retry-failed" class="inline-form">${csrfField(token)}<button type="submit" class="secondary small">Retry all failed now</button></form>
  <table class="admin-table deliveries-table" aria-labelledby="failed-deliveries-heading">
  <thead><tr><th scope="col">Server</th><th scope="col">Activity</th><th scope="col">About</th><th scope="col">Attempts</th><th scope="col">Last error</th><th scope="col">Next try</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
  <tbody>${failedRows}</tbody>
</table>`
  }
  ${
    s.waiting.length === 0
      ? ''
      : html`<h3 id="waiting-deliveries-heading">Waiting (${formatCount(notFailing)})</h3>
  <table class="admin-table deliveries-table" aria-labelledby="waiting-deliveries-heading">
  <thead><tr><th scope="col">Server</th><th scope="col">Activity</th><th scope="col">About</th><th scope="col">Queued</th><th scope="col">State</th></tr></thead>
  <tbody>${waitingRows}</tbody>
</table>${notFailing > s.waiting.length ? html`<p class="hint">The oldest ${s.waiting.length} are shown.</p>` : ''}`
  }
</section>`;
}
