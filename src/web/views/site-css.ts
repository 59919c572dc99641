import { UPLOAD_ICON, type SiteSettings } from '../../core/site-settings.ts';
import { html, type SafeHtml } from '../html.ts';
import type { Assets } from '../assets.ts';

/**
 * The owner's stylesheet, served as the file /assets/custom.css (the CSP allows no inline
 * style): the accent colours from Settings, then the custom CSS, which may override them.
 */
export function siteCss(site: Pick<SiteSettings, 'accent' | 'accentDark' | 'customCss'>): string {
  const parts: string[] = [];
  if (site.accent) parts.push(`:root { --accent: ${site.accent}; --link: ${site.accent}; }`);
  if (site.accentDark) parts.push(`@media (prefers-color-scheme: dark) { :root { --accent: ${site.accentDark}; --link: ${site.accentDark}; } }`);
  if (site.customCss) parts.push(site.customCss);
  return parts.join('\n');
}

const iconTypes: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', avif: 'image/avif' };

/** The page's <link rel="icon">: the one set in Settings, else Kumbaya's. Browsers then never ask /favicon.ico. */
export function iconLink(site: Pick<SiteSettings, 'favicon'>, assets: Assets): SafeHtml {
  if (!site.favicon) return html`<link rel="icon" href="${assets.url('favicon.svg')}" type="image/svg+xml">`;
  const type = iconTypes[UPLOAD_ICON.exec(site.favicon)?.[2] ?? ''];
  return html`<link rel="icon" href="${site.favicon}"${type ? html` type="${type}"` : ''}>`;
}
