import type { Context } from 'hono';
import type { AppEnv } from '../../context.ts';
import { html, type SafeHtml } from '../../html.ts';
import { csrfTokenFor } from '../../middleware.ts';
import { csrfField, field, notice } from '../forms.ts';
import { layout } from '../layout.ts';
import { adminLayout } from './admin-layout.ts';

/** Fields that are not the author's content (the form's token, a sign-in's credentials, our own target). */
const notContent = new Set(['_csrf', 'email', 'password', '_target', 'title', 'markdown']);

/** The editor's buttons, by the `action` they send. */
const actionLabels: Record<string, string> = { save: 'Save', publish: 'Publish', unpublish: 'Unpublish', trash: 'Move to trash', preview: 'Update preview' };

export interface KeptText {
  /** Where the editor form was going: /admin/posts or /admin/posts/ID. */
  target: string;
  /** Every field the editor sent, as sent. */
  fields: Record<string, string>;
}

/**
 * The title and text in editable fields, everything else the editor sent as hidden
 * fields, so sending this form sends what the author sent. (A textarea drops one leading
 * newline, hence the newline before the text.)
 */
function keptFields(kept: KeptText, o: { actionButton: boolean }): SafeHtml {
  // The button that sent the form (save, publish…) travels as a hidden field unless this form has that button itself.
  const hidden = Object.entries(kept.fields).filter(([name]) => !notContent.has(name) && !(o.actionButton && name === 'action'));
  return html`${hidden.map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<div class="field">
  <label for="kept-title">Title</label>
  <input type="text" id="kept-title" name="title" value="${kept.fields.title ?? ''}">
</div>
<div class="field">
  <label for="kept-markdown">Text</label>
  <textarea id="kept-markdown" name="markdown" rows="14" class="editor-textarea">
${kept.fields.markdown ?? ''}</textarea>
</div>`;
}

/** No session any more: sign in here, and the text is saved as it was sent. */
export function signInToSaveView(c: Context<AppEnv>, kept: KeptText, o: { email?: string; error?: string } = {}): SafeHtml {
  return layout(c, {
    title: 'Sign in to save your text',
    head: html`<meta name="robots" content="noindex">`,
    body: html`<div class="narrow">
<h1>Sign in to save your text</h1>
${o.error ? notice('error', o.error) : notice('info', 'Your session ended before this was saved. Nothing is lost: your text is below. Sign in and it is saved as you sent it.')}
<form class="card" method="post" action="/login/resume">
  ${csrfField(csrfTokenFor(c))}
  <input type="hidden" name="_target" value="${kept.target}">
  ${field({ name: 'email', label: 'Email', type: 'email', value: o.email, required: true, autocomplete: 'username' })}
  ${field({ name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'current-password' })}
  ${keptFields(kept, { actionButton: false })}
  <button type="submit">Sign in and ${(actionLabels[kept.fields.action ?? 'save'] ?? 'Save').toLowerCase()}</button>
</form>
</div>`,
  });
}

/** Signed in, but the form was older than this session (signed in again elsewhere): send it again with a fresh token. */
export function resubmitView(c: Context<AppEnv>, kept: KeptText): SafeHtml {
  const action = kept.fields.action ?? 'save';
  const body = html`<div class="editor-head"><h1>Save your text again</h1></div>
${notice('info', 'This page was opened before you signed in again, so its form had expired. Nothing was saved yet and nothing is lost: your text is below.')}
<form class="card" method="post" action="${kept.target}">
  ${csrfField(c.get('session')!.csrfToken)}
  ${keptFields(kept, { actionButton: true })}
  <button type="submit" name="action" value="${action}">${actionLabels[action] ?? 'Save'}</button>
</form>`;
  return adminLayout(c, { title: 'Save your text again', body, current: 'posts' });
}
