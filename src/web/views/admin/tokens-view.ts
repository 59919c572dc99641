import type { Context } from 'hono';
import type { ApiToken } from '../../../core/store.ts';
import type { AppEnv } from '../../context.ts';
import { html, type SafeHtml } from '../../html.ts';
import { csrfField, field } from '../forms.ts';
import { formatDate, formatDateTime, isoDate } from '../format.ts';
import { adminLayout, pageHead } from './admin-layout.ts';

export interface TokensViewState {
  /** The token just created: its secret is shown this once. */
  created?: { name: string; secret: string };
  name?: string;
  fields?: Record<string, string>;
}

/** /admin/tokens: the user's personal access tokens, a form for a new one, revoke. */
export function tokensView(c: Context<AppEnv>, tokens: ApiToken[], state: TokensViewState = {}): SafeHtml {
  const token = c.get('session')!.csrfToken;
  const body = html`${pageHead('Tokens', undefined, 'Personal access tokens let your scripts and apps use the API as you. Each one can do what you can do.')}
${
  state.created
    ? html`<section class="card secret-card" aria-labelledby="secret-heading">
  <h2 id="secret-heading">Your new token “${state.created.name}”</h2>
  <p><strong>Copy it now: this is the only time it is shown.</strong> Only a fingerprint is kept, so it cannot be shown again. If you lose it, revoke it and create another.</p>
  <label for="new-token">Token</label>
  <div class="copy-row">
    <input type="text" id="new-token" class="snippet" readonly value="${state.created.secret}" spellcheck="false" autocomplete="off">
    <button type="button" class="js-only" data-copy="new-token">Copy<span class="visually-hidden"> token</span></button>
  </div>
  <p class="hint">Send it as <code>Authorization: Bearer ${state.created.secret.slice(0, 10)}…</code></p>
  <p><a href="/admin/tokens">Done</a></p>
</section>`
    : ''
}
${
  tokens.length === 0
    ? html`<p class="empty">You have no tokens.</p>`
    : html`<table class="admin-table token-table">
  <caption class="visually-hidden">Your tokens</caption>
  <thead><tr><th scope="col">Name</th><th scope="col">Starts with</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
  <tbody>
  ${tokens.map(
    (t) => html`<tr>
    <th scope="row" class="cell-title">${t.name}</th>
    <td data-label="Starts with"><code>${t.prefix}…</code></td>
    <td data-label="Created"><time datetime="${isoDate(t.createdAt)}">${formatDate(t.createdAt)}</time></td>
    <td data-label="Last used">${t.lastUsedAt ? html`<time datetime="${isoDate(t.lastUsedAt)}">${formatDateTime(t.lastUsedAt)}</time>` : html`<span class="muted">Never</span>`}</td>
    <td class="cell-actions"><form method="post" action="/admin/tokens/${t.id}/revoke" data-confirm="Revoke “${t.name}”? Scripts using it stop working.">${csrfField(token)}<button type="submit" class="danger small">Revoke<span class="visually-hidden"> ${t.name}</span></button></form></td>
  </tr>`,
  )}
  </tbody>
</table>`
}
<section class="card" aria-labelledby="new-token-heading">
  <h2 id="new-token-heading">Create a token</h2>
  <form method="post" action="/admin/tokens" class="inline-create">
    ${csrfField(token)}
    ${field({ name: 'name', label: 'What is it for?', value: state.created ? '' : state.name, error: state.fields?.name, required: true, hint: 'A name to tell it apart later, e.g. “publishing script”.', attrs: html` maxlength="80" autocomplete="off"` })}
    <button type="submit">Create token</button>
  </form>
</section>`;
  return adminLayout(c, { title: 'Tokens', body, current: 'tokens' });
}
