import type { Context } from 'hono';
import type { FediverseBlock, Follower } from '../../../core/federation-store.ts';
import type { DomainBlockImport } from '../../../core/following.ts';
import type { PrivateMention } from '../../../core/fediverse-reply-store.ts';
import type { QuotePolicy } from '../../../core/reactions.ts';
import type { Person, Post } from '../../../core/store.ts';
import type { AppEnv } from '../../context.ts';
import { html, raw, type SafeHtml } from '../../html.ts';
import { csrfField, notice } from '../forms.ts';
import { formatDate, formatDateTime, isoDate } from '../format.ts';
import { adminLayout, pageHead } from './admin-layout.ts';
import { deliveriesSection, type DeliveriesState } from './fediverse-deliveries-view.ts';

export interface FediverseViewState {
  handle: string;
  profileUrl: string;
  approveFollowers: boolean;
  quotePolicy: QuotePolicy;
  pending: Array<{ follower: Follower; person: Person | null }>;
  followers: Array<{ follower: Follower; person: Person | null }>;
  blocks: FediverseBlock[];
  /** The newest private mentions, with their writer's Person and the post they answer. */
  mentions: Array<{ mention: PrivateMention; person: Person | null; post: Post | null }>;
  mentionsTotal: number;
  mailMentions: boolean;
  /** The delivery queue (null on the memory store). */
  deliveries: DeliveriesState | null;
  imported?: DomainBlockImport;
  error?: string;
}

function who(f: Follower, person: Person | null): SafeHtml {
  const label = f.handle ?? f.actorUri;
  return html`${person ? html`<a href="/admin/people/${person.id}">${person.name || label}</a> ` : ''}<a href="${f.actorUri}" rel="noopener noreferrer">${label}</a>`;
}

const visibilityWords: Record<PrivateMention['visibility'], string> = { followers: 'Followers only', direct: 'Direct message' };

/** A followers-only post or direct message to the blog: read here, never shown on the blog. */
function mentionItem(token: string, { mention, person, post }: FediverseViewState['mentions'][number]): SafeHtml {
  const label = mention.handle ?? mention.actorUri;
  return html`<li class="card private-mention" id="mention-${mention.id}">
  <p class="mention-head">${person ? html`<a href="/admin/people/${person.id}">${mention.name}</a>` : html`<strong>${mention.name}</strong>`}
    <a href="${mention.profileUrl ?? mention.actorUri}" rel="noopener noreferrer">${label}</a>
    <span class="status">${visibilityWords[mention.visibility]}</span>
    <span class="muted"><time datetime="${isoDate(mention.createdAt)}">${formatDateTime(mention.createdAt)}</time>${mention.updatedAt > mention.createdAt ? ' · edited' : ''}${post ? html` · answering <a href="/${post.slug}">${post.title}</a>` : ''}</span></p>
  <div class="comment-body">${raw(mention.html)}</div>
  <div class="mention-actions">${mention.url ? html`<a href="${mention.url}" rel="noopener noreferrer">Open the original<span class="visually-hidden"> by ${label}</span></a>` : ''}
    <form method="post" action="/admin/fediverse/mentions/${mention.id}/delete" class="inline-form">${csrfField(token)}<button type="submit" class="small danger">Delete<span class="visually-hidden"> the mention by ${label}</span></button></form></div>
</li>`;
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
<section class="card" aria-labelledby="quotes-heading">
  <h2 id="quotes-heading">Quotes</h2>
  <form method="post" action="/admin/fediverse/quotes">
    ${csrfField(token)}
    <fieldset class="field radio-group">
      <legend>When someone asks to quote a post (Mastodon’s quote posts)</legend>
      <label class="radio"><input type="radio" name="quotes" value="accept"${s.quotePolicy === 'accept' ? html` checked` : ''}> Accept automatically <span class="hint">Their post shows yours inside it, linking here.</span></label>
      <label class="radio"><input type="radio" name="quotes" value="refuse"${s.quotePolicy === 'refuse' ? html` checked` : ''}> Refuse <span class="hint">Their server is told no; they can still link to the post.</span></label>
    </fieldset>
    <button type="submit" class="small">Save<span class="visually-hidden"> how quote requests are answered</span></button>
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
<section aria-labelledby="mentions-heading" id="private-mentions">
  <h2 id="mentions-heading">Private mentions (${s.mentionsTotal})</h2>
  <p class="hint">Followers-only posts and direct messages that mention the blog or answer a post. They are for you alone: never shown on the blog, never comments.</p>
  <form method="post" action="/admin/fediverse/mail-mentions" class="card mention-mail">
    ${csrfField(token)}
    <label><input type="checkbox" name="mail" value="true"${s.mailMentions ? ' checked' : ''}> Email the owners each new private mention</label>
    <button type="submit" class="small">Save<span class="visually-hidden"> whether private mentions are emailed</span></button>
  </form>
  ${s.mentions.length === 0 ? html`<p class="empty">No private mentions.</p>` : html`<ul class="private-mentions">${s.mentions.map((m) => mentionItem(token, m))}</ul>`}
  ${s.mentionsTotal > s.mentions.length ? html`<p class="hint">The newest ${s.mentions.length} are shown; delete some to see older ones.</p>` : ''}
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
