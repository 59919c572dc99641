import type { Context } from 'hono';
import type { NotificationMode } from '../../../core/notification-service.ts';
import type { OutboxMessage, OutboxStatus } from '../../../core/store.ts';
import type { AppEnv } from '../../context.ts';
import { html, type SafeHtml } from '../../html.ts';
import { csrfField, notice } from '../forms.ts';
import { formatCount, formatDateTime, isoDate, plural } from '../format.ts';
import { adminLayout, pageHead } from './admin-layout.ts';

export interface MailViewState {
  /** The outbox, for owners and moderators. */
  outbox: {
    /** Where mail goes ("smtp.example.com:587"), or null when SMTP_URL is unset. */
    transport: string | null;
    from: string;
    counts: Record<OutboxStatus, number>;
    failed: OutboxMessage[];
    pending: OutboxMessage[];
    sent: OutboxMessage[];
  } | null;
  /** The signed-in author's own choice, for owners and authors. */
  mode: NotificationMode | null;
}

const time = (ms: number) => html`<time datetime="${isoDate(ms)}">${formatDateTime(ms)}</time>`;

function table(caption: string, messages: OutboxMessage[], columns: 'failed' | 'pending' | 'sent', csrf: string): SafeHtml {
  const extra = { failed: 'Last error', pending: 'Next attempt', sent: 'Sent' }[columns];
  return html`<table class="admin-table mail-table">
  <caption class="visually-hidden">${caption}</caption>
  <thead><tr><th scope="col">Subject</th><th scope="col">To</th><th scope="col">Attempts</th><th scope="col">${extra}</th>${columns === 'failed' ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : ''}</tr></thead>
  <tbody>
  ${messages.map(
    (m) => html`<tr>
    <th scope="row" class="cell-title">${m.subject}</th>
    <td data-label="To">${m.to}</td>
    <td data-label="Attempts">${m.attempts}</td>
    <td data-label="${extra}">${
      columns === 'failed'
        ? html`<code>${m.lastError ?? ''}</code>`
        : columns === 'pending'
          ? html`${time(m.nextAttemptAt)}${m.lastError ? html`<br><span class="muted">Last error: <code>${m.lastError}</code></span>` : ''}`
          : m.sentAt
            ? time(m.sentAt)
            : ''
    }</td>
    ${
      columns === 'failed'
        ? html`<td class="cell-actions"><form method="post" action="/admin/mail/${m.id}/retry">${csrfField(csrf)}<button type="submit" class="small">Retry<span class="visually-hidden"> “${m.subject}”</span></button></form></td>`
        : ''
    }
  </tr>`,
  )}
  </tbody>
</table>`;
}

function outboxSection(o: NonNullable<MailViewState['outbox']>, csrf: string): SafeHtml {
  const waiting = o.counts.pending;
  const status = o.transport
    ? notice('ok', html`Mail is sent through <strong>${o.transport}</strong> as <strong>${o.from}</strong>.`)
    : notice(
        'error',
        html`<strong>SMTP_URL is not set:</strong> ${waiting === 1 ? '1 message is' : `${formatCount(waiting)} messages are`} waiting in the outbox and will be sent once it is. Set SMTP_URL (e.g. smtp://user:pass@smtp.example.com:587; see “Configuration” in the README) and restart.`,
      );
  return html`${status}
<section class="card" aria-labelledby="mail-counts">
  <h2 id="mail-counts">Outbox</h2>
  <p>${plural(o.counts.pending, 'message', 'messages')} waiting · ${plural(o.counts.sent, 'message', 'messages')} sent · ${plural(o.counts.failed, 'message', 'messages')} failed</p>
  <p class="hint">Mail is written here in the same transaction as the comment that caused it, then sent with retries (30 s, 2 min, 10 min, 1 h, 6 h, 12 h, 24 h). After 8 failed attempts, or a refusal the server says is final, a message is marked failed and waits for you below.</p>
</section>
<section aria-labelledby="mail-failed">
  <h2 id="mail-failed">Failed</h2>
  ${
    o.failed.length === 0
      ? html`<p class="empty">No failed messages.</p>`
      : html`<form method="post" action="/admin/mail/retry-failed" class="button-row">${csrfField(csrf)}<button type="submit" class="secondary small">Retry all failed</button></form>
  ${table('Messages that could not be sent', o.failed, 'failed', csrf)}`
  }
</section>
<section aria-labelledby="mail-pending">
  <h2 id="mail-pending">Waiting</h2>
  ${o.pending.length === 0 ? html`<p class="empty">Nothing is waiting.</p>` : table('Messages waiting to be sent', o.pending, 'pending', csrf)}
</section>
<section aria-labelledby="mail-sent">
  <h2 id="mail-sent">Recently sent</h2>
  ${o.sent.length === 0 ? html`<p class="empty">Nothing sent yet.</p>` : table('Messages sent recently', o.sent, 'sent', csrf)}
</section>`;
}

function preferenceSection(mode: NotificationMode, csrf: string): SafeHtml {
  const option = (value: NotificationMode, label: string, hint: string) =>
    html`<label class="radio"><input type="radio" name="mode" value="${value}"${mode === value ? html` checked` : ''}> ${label} <span class="hint">${hint}</span></label>`;
  return html`<form class="card" method="post" action="/admin/mail/preference" aria-labelledby="mail-preference">
  <h2 id="mail-preference">Your email about comments</h2>
  ${csrfField(csrf)}
  <fieldset class="field radio-group">
    <legend>Tell me about new comments on my posts</legend>
    ${option('each', 'One email per comment', 'as soon as it is published.')}
    ${option('digest', 'A daily digest', 'one email each morning (UTC) with the previous day’s comments.')}
  </fieldset>
  <p class="hint">Comments held for moderation are always sent at once, with links to approve them.</p>
  <div class="button-row"><button type="submit">Save</button></div>
</form>`;
}

/** /admin/mail: whether mail can leave, the outbox by status with Retry, and the author's own notification choice. */
export function mailView(c: Context<AppEnv>, state: MailViewState): SafeHtml {
  const csrf = c.get('session')!.csrfToken;
  const body = html`${pageHead('Mail', undefined, 'Notifications to you and to readers, and whether they are getting through.')}
${state.mode ? preferenceSection(state.mode, csrf) : ''}
${state.outbox ? outboxSection(state.outbox, csrf) : ''}`;
  return adminLayout(c, { title: 'Mail', body, current: 'mail' });
}
