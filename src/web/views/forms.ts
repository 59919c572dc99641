import { html, type SafeHtml } from '../html.ts';

export interface FieldOptions {
  name: string;
  label: string;
  type?: string;
  value?: string | null;
  error?: string;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  attrs?: SafeHtml;
  multiline?: boolean;
  rows?: number;
}

/** A labelled input with its hint and error wired up for screen readers. */
export function field(o: FieldOptions): SafeHtml {
  const id = `f-${o.name}`;
  const describedBy = [o.hint ? `${id}-hint` : '', o.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  const common = html`id="${id}" name="${o.name}"${o.required ? html` required` : ''}${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ''}${
    describedBy ? html` aria-describedby="${describedBy}"` : ''
  }${o.error ? html` aria-invalid="true"` : ''}${o.attrs ?? ''}`;
  return html`<div class="field">
  <label for="${id}">${o.label}</label>
  ${o.multiline ? html`<textarea ${common} rows="${o.rows ?? 6}">${o.value ?? ''}</textarea>` : html`<input type="${o.type ?? 'text'}" ${common} value="${o.value ?? ''}">`}
  ${o.hint ? html`<p class="hint" id="${id}-hint">${o.hint}</p>` : ''}
  ${o.error ? html`<p class="field-error" id="${id}-error">${o.error}</p>` : ''}
</div>`;
}

export const csrfField = (token: string): SafeHtml => html`<input type="hidden" name="_csrf" value="${token}">`;

export function notice(kind: 'ok' | 'error' | 'info', text: string | SafeHtml): SafeHtml {
  return html`<p class="notice ${kind === 'info' ? '' : kind}" role="${kind === 'error' ? 'alert' : 'status'}">${text}</p>`;
}
