import type { Context } from 'hono';
import type { AccountToken, Role, User } from '../../../core/store.ts';
import type { AppEnv } from '../../context.ts';
import { html, type SafeHtml } from '../../html.ts';
import { csrfField, field } from '../forms.ts';
import { formatDate, isoDate } from '../format.ts';
import { adminLayout, pageHead, roleLabels } from './admin-layout.ts';

export interface UsersViewState {
  /** The invitation form sent back with problems. */
  invite?: { values: { email: string; role: string }; fields: Record<string, string> };
  /** An invitation's link, shown once when there is no mail server to send it. */
  link?: { email: string; url: string };
  error?: string;
}

const roleHelp: Record<Role, string> = {
  owner: 'everything, including settings and users',
  author: 'writes and publishes their own posts and pages',
  moderator: 'looks after comments; writes no posts',
};

function roleOptions(selected: string): SafeHtml {
  return html`${(['author', 'moderator', 'owner'] as const).map((r) => html`<option value="${r}"${selected === r ? html` selected` : ''}>${roleLabels[r]}</option>`)}`;
}

function pendingInvites(invites: AccountToken[], now: number, token: string): SafeHtml | '' {
  if (invites.length === 0) return '';
  return html`<section class="card pending-invites" aria-labelledby="invites-heading">
  <h2 id="invites-heading">Invitations waiting for an answer</h2>
  <table class="admin-table">
    <caption class="visually-hidden">Pending invitations</caption>
    <thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Link</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
    <tbody>
    ${invites.map(
      (i) => html`<tr>
      <th scope="row" class="cell-title">${i.email}</th>
      <td data-label="Role">${roleLabels[i.role ?? 'author']}</td>
      <td data-label="Link">${i.expiresAt <= now ? html`<span class="muted">expired</span>` : html`works until <time datetime="${isoDate(i.expiresAt)}">${formatDate(i.expiresAt)}</time>`}</td>
      <td class="cell-actions">
        <form class="inline-form" method="post" action="/admin/users/invites/${i.id}/resend">${csrfField(token)}<button type="submit" class="secondary small">Resend<span class="visually-hidden"> the invitation to ${i.email}</span></button></form>
        <form class="inline-form" method="post" action="/admin/users/invites/${i.id}/revoke">${csrfField(token)}<button type="submit" class="danger small">Revoke<span class="visually-hidden"> the invitation to ${i.email}</span></button></form>
      </td>
    </tr>`,
    )}
    </tbody>
  </table>
</section>`;
}

/** /admin/users: everyone who can sign in, their roles, invitations waiting, and a form to invite someone. */
export function usersView(c: Context<AppEnv>, users: User[], invites: AccountToken[], now: number, state: UsersViewState = {}): SafeHtml {
  const me = c.get('user')!;
  const token = c.get('session')!.csrfToken;
  const nv = state.invite?.values ?? { email: '', role: 'author' };
  const nf = state.invite?.fields ?? {};
  const body = html`${pageHead('Users', undefined, 'People who can sign in. Owners can do everything; authors write their own posts and pages; moderators look after comments.')}
${state.error ? html`<p class="notice error" role="alert">${state.error}</p>` : ''}
${state.link ? html`<div class="notice ok" role="status"><p>Invitation saved. No mail server is set up (SMTP_URL), so the email waits in the outbox: send ${state.link.email} this link yourself. It works once, for seven days.</p><p><code class="invite-link">${state.link.url}</code></p></div>` : ''}
<table class="admin-table user-table">
  <caption class="visually-hidden">Users</caption>
  <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Joined</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
  <tbody>
  ${users.map(
    (u) => html`<tr>
    <th scope="row" class="cell-title">${u.name}${u.id === me.id ? html` <span class="muted">(you)</span>` : ''}${u.passwordHash === null ? html` <span class="muted">· cannot sign in</span>` : ''}</th>
    <td data-label="Email">${u.email}</td>
    <td data-label="Role">
      <form class="inline-form" method="post" action="/admin/users/${u.id}/role">
        ${csrfField(token)}
        <label class="visually-hidden" for="role-${u.id}">Role of ${u.name}</label>
        <select id="role-${u.id}" name="role">${roleOptions(u.role)}</select>
        <button type="submit" class="secondary small">Change<span class="visually-hidden"> role of ${u.name}</span></button>
      </form>
    </td>
    <td data-label="Joined"><time datetime="${isoDate(u.createdAt)}">${formatDate(u.createdAt)}</time></td>
    <td class="cell-actions">${
      u.id === me.id
        ? ''
        : html`<form method="post" action="/admin/users/${u.id}/remove" data-confirm="Remove ${u.name}? Their posts and pages stay and become yours.">
        ${csrfField(token)}<button type="submit" class="danger small">Remove<span class="visually-hidden"> ${u.name}</span></button>
      </form>`
    }</td>
  </tr>`,
  )}
  </tbody>
</table>

${pendingInvites(invites, now, token)}

<section class="card add-user" aria-labelledby="add-user-heading">
  <h2 id="add-user-heading">Invite someone</h2>
  <form method="post" action="/admin/users">
    <p class="hint">They get an email with a link to choose their own name and password. The link works once, for seven days.</p>
    ${csrfField(token)}
    <div class="form-grid">
      ${field({ name: 'email', label: 'Email', type: 'email', value: nv.email, error: nf.email, required: true, autocomplete: 'off' })}
      <div class="field">
        <label for="f-role">Role</label>
        <select id="f-role" name="role" aria-describedby="f-role-hint">${roleOptions(nv.role)}</select>
        <p class="hint" id="f-role-hint">Author: ${roleHelp.author}. Moderator: ${roleHelp.moderator}. Owner: ${roleHelp.owner}.</p>
        ${nf.role ? html`<p class="field-error">${nf.role}</p>` : ''}
      </div>
    </div>
    <button type="submit">Send invitation</button>
  </form>
</section>`;
  return adminLayout(c, { title: 'Users', body, current: 'users' });
}
