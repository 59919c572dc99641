import type { Context } from 'hono';
import { parseScopes, scopeDescriptions, scopesForRole } from '../../../core/api-scopes.ts';
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
  /** The scopes ticked when the form comes back with an error. */
  scopes?: string[];
  /** The expiry chosen (an `expiryChoices` value). */
  expires?: string;
  fields?: Record<string, string>;
}

/** When a new token stops working: 90 days unless chosen otherwise. */
export const expiryChoices: ReadonlyArray<{ value: string; label: string; days: number | null }> = [
  { value: '7', label: 'In 7 days', days: 7 },
  { value: '30', label: 'In 30 days', days: 30 },
  { value: '90', label: 'In 90 days', days: 90 },
  { value: '365', label: 'In a year', days: 365 },
  { value: 'never', label: 'Never', days: null },
];
const DEFAULT_SCOPES = ['read', 'write'];

/** /admin/tokens: the user's personal access tokens, a form for a new one, revoke. */
export function tokensView(c: Context<AppEnv>, tokens: ApiToken[], state: TokensViewState = {}): SafeHtml {
  const token = c.get('session')!.csrfToken;
  const user = c.get('user')!;
  const allowed = scopesForRole(user.role);
  const now = c.get('deps').clock.now();
  const ticked = state.scopes ?? DEFAULT_SCOPES;
  const expires = state.expires ?? '90';
  const body = html`${pageHead('Tokens', undefined, 'Personal access tokens let your scripts and apps use the API as you, with the scopes you give them, never more than you can do yourself.')}
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
  <thead><tr><th scope="col">Name</th><th scope="col">Starts with</th><th scope="col">May</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
  <tbody>
  ${tokens.map(
    (t) => html`<tr>
    <th scope="row" class="cell-title">${t.name}</th>
    <td data-label="Starts with"><code>${t.prefix}…</code></td>
    <td data-label="May">${scopeList(parseScopes(t.scopes).filter((s) => allowed.includes(s)))}</td>
    <td data-label="Created"><time datetime="${isoDate(t.createdAt)}">${formatDate(t.createdAt)}</time></td>
    <td data-label="Expires">${
      t.expiresAt === null
        ? html`<span class="muted">Never</span>`
        : t.expiresAt <= now
          ? html`<strong>Expired</strong> <time datetime="${isoDate(t.expiresAt)}">${formatDate(t.expiresAt)}</time>`
          : html`<time datetime="${isoDate(t.expiresAt)}">${formatDate(t.expiresAt)}</time>`
    }</td>
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
    <fieldset class="field token-scopes"${state.fields?.scopes ? html` aria-describedby="f-scopes-error"` : ''}>
      <legend>What may it do?</legend>
      ${allowed.map(
        (scope) => html`<div class="check-field">
        <label class="check" for="f-scope-${scope}"><input type="checkbox" id="f-scope-${scope}" name="scopes" value="${scope}"${ticked.includes(scope) ? html` checked` : ''} aria-describedby="f-scope-${scope}-hint"> ${scope}</label>
        <p class="hint" id="f-scope-${scope}-hint">${scopeDescriptions[scope]}</p>
      </div>`,
      )}
      ${state.fields?.scopes ? html`<p class="field-error" id="f-scopes-error">${state.fields.scopes}</p>` : ''}
    </fieldset>
    <div class="field">
      <label for="f-expires">Expires</label>
      <select id="f-expires" name="expires" aria-describedby="f-expires-hint${state.fields?.expires ? ' f-expires-error' : ''}"${state.fields?.expires ? html` aria-invalid="true"` : ''}>
        ${expiryChoices.map((e) => html`<option value="${e.value}"${e.value === expires ? html` selected` : ''}>${e.label}</option>`)}
      </select>
      <p class="hint" id="f-expires-hint">After that it stops working; create another then. A token that never expires works until you revoke it.</p>
      ${state.fields?.expires ? html`<p class="field-error" id="f-expires-error">${state.fields.expires}</p>` : ''}
    </div>
    <button type="submit">Create token</button>
  </form>
</section>`;
  return adminLayout(c, { title: 'Tokens', body, current: 'tokens' });
}

function scopeList(scopes: string[]): SafeHtml {
  return scopes.length === 0 ? html`<span class="muted">Nothing</span>` : html`${scopes.map((s, i) => html`${i > 0 ? ', ' : ''}<span class="scope">${s}</span>`)}`;
}
