/**
 * HTML built with a tagged template: every interpolated value is escaped unless it is
 * already `SafeHtml` (the result of another `html` call, or `raw()` for HTML the
 * sanitiser produced). Arrays are joined; null, undefined and false render nothing.
 */
export class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const needsEscape = /[&<>"']/;

export function escapeHtml(text: string): string {
  return needsEscape.test(text) ? text.replace(/[&<>"']/g, (c) => escapes[c]) : text;
}

function render(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) {
    let out = '';
    for (const item of value) out += render(item);
    return out;
  }
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}

/** Marks trusted HTML (sanitised at save time) as safe to insert. */
export function raw(value: string): SafeHtml {
  return new SafeHtml(value);
}
