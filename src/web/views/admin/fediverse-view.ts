import type { Context } from 'hono';
import type { FediverseBlock, Follower } from '../../../core/federation-store.ts';
import type { DomainBlockImport } from '../../../core/following.ts';
import type { Person } from '../../../core/store.ts';
import type { AppEnv } from '../../context.ts';
import { html, type SafeHtml } from '../../html.ts';
import { csrfField, notice } from '../forms.ts';
import { formatDate, isoDate } from '../format.ts';
import { adminLayout, pageHead } from './admin-layout.ts';
import { deliveriesSection, type DeliveriesState } from './fediverse-deliveries-view.ts';

export interface FediverseViewState {
  handle: string;
  profileUrl: string;
  approveFollowers: boolean;
  pending: Array<{ follower: Follower; person: Person | null }>;
  followers: Array<{ follower: Follower; person: Person | null }>;
  blocks: FediverseBlock[];
  /** The delivery queue (null on the memory store). */
  deliveries: DeliveriesState | null;
  imported?: DomainBlockImport;
  error?: string;
}

function who(f: Follower, person: Person | null): SafeHtml {
  const label = f.handle ?? f.actorUri;
  return html`${person ? html`<a href="/admin/people/${person.id}">${person.name || label}</a> ` : ''}<a href="${f.actorUri}" rel="noopener noreferrer">${label}</a>`;
}

const actionForm = (token: string, action: string, actorUri: string, label: SafeHtml, kind = '') =>
  html`<form method="post" action="${action}" class="inline-form">${csrfField(token)}<input type="hidden" name="actor" value="${actorUri}"><button type="submit" class="small ${kind}">${label}</button></form>`;

/** /admin/fediverse: the blog's fediverse account, its followers and follow requests, and the block list. */
export function fediverseView(c: Context<AppEnv>, s: FediverseViewState): SafeHtml {
  const token = c.get('session')!.csrfToken;
  const body = html`${pageHead('Fediverse', undefined, html`People on Mastodon and other fediverse servers follow the blog as <strong>${s.handle}</strong> (<a href="${s.profileUrl}">profile</a>).`)}
${s.error ? notice('error', s.error) : ''}
${
  s.imported
    ? notice('ok', `Domain blocks imported: ${s.imported.added} added, ${s.imported.skipped} skipped (already blocked, repeated, or only silenced)${s.imported.invalid.length ? `, ${s.imported.invalid.length} lines not a domain (line ${s.imported.invalid.slice(0, 10).join(', ')}${s.imported.invalid.length > 10 ? ' …' : ''})` : ''}.`)
    : ''
}
<section class="card" aria-labelledby="approval-heading">
  <h2 id="approval-heading">Who may follow</h2>
  <form method="post" action="/admin/fediverse/approval">
    ${csrfField(token)}
    <label><input type="checkbox" name="approve" value="true"${s.approveFollowers ? ' checked' : ''}> Approve followers: a follow request waits here until you accept it</label>
    <button type="submit" class="small">Save</button>
  </form>
</section>
<section aria-labelledby="pending-heading">
  <h2 id="pending-heading">Follow requests (${s.pending.length})</h2>
  ${
    s.pending.length === 0
      ? html`<p class="empty">No one is waiting.</p>`
      : html`<ul class="follow-requests">${s.pending.map(
          ({ follower, person }) => html`<li>${who(follower, person)} <span class="muted">asked <time datetime="${isoDate(follower.updatedAt)}">${formatDate(follower.updatedAt)}</time></span>
      ${actionForm(token, '/admin/fediverse/accept', follower.actorUri, html`Accept<span class="visually-hidden"> ${follower.handle ?? follower.actorUri}</span>`)}
      ${actionForm(token, '/admin/fediverse/reject', follower.actorUri, html`Reject<span class="visually-hidden"> ${follower.handle ?? follower.actorUri}</span>`, 'danger')}</li>`,
        )}</ul>`
  }
</section>
${s.deliveries ? deliveriesSection(token, s.deliveries) : ''}
<section aria-labelledby="followers-heading">
  <h2 id="followers-heading">Followers (${s.followers.length})</h2>
  ${
    s.followers.length === 0
      ? html`<p class="empty">No followers yet.</p>`
      : html`<table class="admin-table">
  <caption class="visually-hidden">Followers</caption>
  <thead><tr><th scope="col">Account</th><th scope="col">Since</th><th scope="col">Status</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
  <tbody>${s.followers.map(
    ({ follower, person }) => html`<tr>
    <td class="cell-title">${who(follower, person)}</td>
    <td data-label="Since"><time datetime="${isoDate(follower.createdAt)}">${formatDate(follower.createdAt)}</time></td>
    <td data-label="Status">${follower.status}</td>
    <td class="cell-actions">${actionForm(token, '/admin/fediverse/remove', follower.actorUri, html`Remove<span class="visually-hidden"> ${follower.handle ?? follower.actorUri}</span>`)}
    ${actionForm(token, '/admin/fediverse/block', follower.actorUri, html`Block<span class="visually-hidden"> ${follower.handle ?? follower.actorUri}</span>`, 'danger')}</td>
  </tr>`,
  )}</tbody>
</table>`
  }
</section>
<section class="card" aria-labelledby="blocks-heading">
  <h2 id="blocks-heading">Blocked accounts and domains</h2>
  <p class="hint">Their activities are refused and nothing is sent to them. Blocking removes their follows.</p>
  <form method="post" action="/admin/fediverse/block-domain" class="inline-create">
    ${csrfField(token)}
    <label for="block-domain">Block a domain</label>
    <input type="text" id="block-domain" name="domain" placeholder="spam.example" required maxlength="253" autocomplete="off" spellcheck="false">
    <button type="submit" class="danger">Block domain</button>
  </form>
  <form method="post" action="/admin/fediverse/import-blocks" enctype="multipart/form-data" class="inline-create">
    ${csrfField(token)}
    <label for="blocks-file">Import Mastodon domain blocks (CSV) or a list of domains</label>
    <input type="file" id="blocks-file" name="file" accept=".csv,.txt,text/csv,text/plain" required>
    <button type="submit">Import</button>
  </form>
  ${
    s.blocks.length === 0
      ? html`<p class="empty">Nothing is blocked.</p>`
      : html`<ul class="block-list">${s.blocks.map(
          (b) => html`<li><span class="muted">${b.kind === 'domain' ? 'Domain' : 'Account'}</span> <code>${b.value}</code>
      <form method="post" action="/admin/fediverse/blocks/${b.id}/delete" class="inline-form">${csrfField(token)}<button type="submit" class="small">Unblock<span class="visually-hidden"> ${b.value}</span></button></form></li>`,
        )}</ul>`
  }
</section>`;
  return adminLayout(c, { title: 'Fediverse', body, current: 'fediverse' });
}
