import type { Context } from 'hono';
import type { AppEnv } from '../../context.ts';
import { html } from '../../html.ts';
import { csrfField } from '../forms.ts';
import type { AdminArea } from './admin-layout.ts';
import { adminLayout } from './admin-layout.ts';

export interface ConfirmOptions {
  title: string;
  message: string;
  /** Where the confirmed form posts (the same action, now with confirm=yes). */
  action: string;
  confirmLabel: string;
  cancelHref: string;
  current?: AdminArea;
  /** Fields the confirmed form sends again (repeated for a list). */
  fields?: Record<string, string | string[]>;
}

/** The no-JavaScript confirmation step before a destructive action. */
export function confirmView(c: Context<AppEnv>, o: ConfirmOptions) {
  const body = html`<div class="confirm card">
  <h1>${o.title}</h1>
  <p>${o.message}</p>
  <form method="post" action="${o.action}" class="button-row">
    ${csrfField(c.get('session')!.csrfToken)}
    <input type="hidden" name="confirm" value="yes">
    ${Object.entries(o.fields ?? {}).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => html`<input type="hidden" name="${name}" value="${v}">`))}
    <button type="submit" class="danger-solid">${o.confirmLabel}</button>
    <a class="button secondary" href="${o.cancelHref}">Cancel</a>
  </form>
</div>`;
  return adminLayout(c, { title: o.title, body, current: o.current });
}
