import type { Context } from 'hono';
import type { AppEnv } from '../../context.ts';
import { html, type SafeHtml } from '../../html.ts';
import { csrfField, field } from '../forms.ts';
import { adminLayout, pageHead, roleLabels } from './admin-layout.ts';

export interface ProfileValues {
  name: string;
  email: string;
  slug: string;
  bio: string;
}

export interface ProfileViewOptions {
  values: ProfileValues;
  fields?: Record<string, string>;
  error?: string;
  passwordFields?: Record<string, string>;
  passwordError?: string;
}

/** /admin/profile: name, bio, profile address, email, and the password form. */
export function profileView(c: Context<AppEnv>, o: ProfileViewOptions): SafeHtml {
  const { config } = c.get('deps');
  const user = c.get('user')!;
  const token = c.get('session')!.csrfToken;
  const f = o.fields ?? {};
  const pf = o.passwordFields ?? {};
  const v = o.values;
  const body = html`${pageHead('Profile', html`<a class="button secondary" href="/author/${user.slug}">View your author page</a>`, html`Your role on this site: ${roleLabels[user.role]}.`)}
${o.error ? html`<p class="notice error" role="alert">${o.error} Nothing was saved.</p>` : ''}
<div class="profile-grid">
<section class="card" aria-labelledby="about-heading">
  <h2 id="about-heading">About you</h2>
  <form method="post" action="/admin/profile">
    ${csrfField(token)}
    ${field({ name: 'name', label: 'Name', value: v.name, error: f.name, required: true, autocomplete: 'name', hint: 'Shown on your posts and replies.', attrs: html` maxlength="100"` })}
    ${field({ name: 'bio', label: 'Bio', value: v.bio, error: f.bio, multiline: true, rows: 4, hint: 'A sentence or two for your author page.', attrs: html` maxlength="1000"` })}
    ${field({ name: 'slug', label: 'Profile address', value: v.slug, error: f.slug, required: true, hint: `Your author page: ${config.siteUrl}/author/${v.slug || '…'}. Changing it changes that address.`, attrs: html` maxlength="60" spellcheck="false" autocomplete="off"` })}
    ${field({ name: 'email', label: 'Email', type: 'email', value: v.email, error: f.email, required: true, autocomplete: 'email', hint: 'You sign in with it. Not shown to readers.' })}
    <button type="submit">Save profile</button>
  </form>
</section>
<section class="card" aria-labelledby="password-heading">
  <h2 id="password-heading">Password</h2>
  ${o.passwordError ? html`<p class="notice error" role="alert">${o.passwordError} The password was not changed.</p>` : ''}
  <form method="post" action="/admin/profile/password">
    ${csrfField(token)}
    ${field({ name: 'current', label: 'Current password', type: 'password', error: pf.current, required: true, autocomplete: 'current-password' })}
    ${field({ name: 'password', label: 'New password', type: 'password', error: pf.password, required: true, autocomplete: 'new-password', hint: 'At least 10 characters.', attrs: html` minlength="10"` })}
    ${field({ name: 'repeat', label: 'New password again', type: 'password', error: pf.repeat, required: true, autocomplete: 'new-password' })}
    <p class="hint">You stay signed in here; every other browser and device is signed out.</p>
    <button type="submit">Change password</button>
  </form>
</section>
</div>`;
  return adminLayout(c, { title: 'Profile', body, current: 'profile' });
}
