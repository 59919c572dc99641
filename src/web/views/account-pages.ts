import type { Context } from 'hono';
import type { Role } from '../../core/store.ts';
import type { AppEnv } from '../context.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfField, field, notice } from './forms.ts';
import { layout } from './layout.ts';

/** The signed-out pages for recovering and joining an account: narrow, never indexed. */
function accountPage(c: Context<AppEnv>, title: string, body: SafeHtml): SafeHtml {
  return layout(c, { title, head: html`<meta name="robots" content="noindex">`, body: html`<div class="narrow account-page">
${body}
</div>` });
}

export interface FormState {
  values?: Record<string, string>;
  fields?: Record<string, string>;
  error?: string;
}

/** GET /forgot-password: asks for the address; the answer never says whether it has an account. */
export function forgotPasswordPage(c: Context<AppEnv>, csrf: string, o: FormState & { sent?: boolean } = {}): SafeHtml {
  if (o.sent) {
    return accountPage(c, 'Check your email', html`<h1>Check your email</h1>
${notice('ok', 'If an account signs in with that address, a link to choose a new password is on its way. It works once, for one hour.')}
<p>Nothing after a few minutes? Look in the spam folder, check the address, or ask the site’s owner.</p>
<p><a href="/login">Back to sign in</a></p>`);
  }
  return accountPage(c, 'Forgot your password?', html`<h1>Forgot your password?</h1>
<p>Enter the email address you sign in with. We will send a link to choose a new password.</p>
${o.error ? notice('error', o.error) : ''}
<form class="card" method="post" action="/forgot-password">
  ${csrfField(csrf)}
  ${field({ name: 'email', label: 'Email', type: 'email', value: o.values?.email, error: o.fields?.email, required: true, autocomplete: 'username' })}
  <button type="submit">Send the link</button>
</form>
<p><a href="/login">Back to sign in</a></p>`);
}

/** GET /reset-password/:token: a new password for the account the link was sent for. */
export function resetPasswordPage(c: Context<AppEnv>, csrf: string, token: string, email: string, o: FormState = {}): SafeHtml {
  return accountPage(c, 'Choose a new password', html`<h1>Choose a new password</h1>
<p>For <strong>${email}</strong>. Every device signed in to this account will be signed out.</p>
${o.error ? notice('error', o.error) : ''}
<form class="card" method="post" action="/reset-password/${token}">
  ${csrfField(csrf)}
  <input type="hidden" name="username" value="${email}" autocomplete="username">
  ${field({ name: 'password', label: 'New password', type: 'password', error: o.fields?.password, required: true, autocomplete: 'new-password', hint: 'At least 10 characters.', attrs: html` minlength="10"` })}
  <button type="submit">Set the new password</button>
</form>`);
}

const roleWords: Record<Role, string> = { owner: 'an owner (everything, including settings and users)', author: 'an author (writes and publishes posts and pages)', moderator: 'a moderator (looks after comments)' };

/** GET /invite/:token: the invited person chooses their name and password. */
export function acceptInvitePage(c: Context<AppEnv>, csrf: string, token: string, invitation: { email: string; role: Role | null }, o: FormState = {}): SafeHtml {
  const v = o.values ?? {};
  const f = o.fields ?? {};
  return accountPage(c, `Join ${c.get('site').title}`, html`<h1>Join ${c.get('site').title}</h1>
<p>You are invited as ${roleWords[invitation.role ?? 'author']}. You will sign in with <strong>${invitation.email}</strong>.</p>
${o.error ? notice('error', o.error) : ''}
<form class="card" method="post" action="/invite/${token}">
  ${csrfField(csrf)}
  <input type="hidden" name="username" value="${invitation.email}" autocomplete="username">
  ${field({ name: 'name', label: 'Your name', value: v.name, error: f.name, required: true, autocomplete: 'name', hint: 'Shown on your posts and replies.' })}
  ${field({ name: 'password', label: 'Password', type: 'password', error: f.password, required: true, autocomplete: 'new-password', hint: 'At least 10 characters.', attrs: html` minlength="10"` })}
  <button type="submit">Create my account</button>
</form>`);
}

const refusedHeadings = { unknown: 'This link is not valid', used: 'This link has already been used', expired: 'This link has expired' } as const;

/** A reset or invitation link that cannot be used, and what to do instead. */
export function linkRefusedPage(c: Context<AppEnv>, reason: keyof typeof refusedHeadings, message: string, kind: 'reset' | 'invite'): SafeHtml {
  return accountPage(c, refusedHeadings[reason], html`<h1>${refusedHeadings[reason]}</h1>
${notice('error', message)}
<p>${kind === 'reset' ? html`<a href="/forgot-password">Ask for a new link</a> · ` : ''}<a href="/login">Sign in</a></p>`);
}
