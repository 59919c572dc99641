import type { Context } from 'hono';
import { readSiteSettings } from '../../core/site-settings.ts';
import type { AppEnv } from '../context.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout } from './layout.ts';

const headings: Record<number, string> = {
  400: 'That request did not make sense',
  401: 'Please sign in',
  403: 'Not allowed',
  404: 'Page not found',
  409: 'That clashes with something',
  410: 'Gone',
  413: 'Too large',
  415: 'Unsupported file type',
  422: 'Please check what you entered',
  429: 'Slow down a little',
  500: 'Something went wrong',
  503: 'Temporarily unavailable',
};

/** An error page in the site's look; works even when the settings could not be loaded. */
export async function errorPage(c: Context<AppEnv>, status: number, message: string): Promise<SafeHtml> {
  if (!c.get('site')) {
    try {
      c.set('site', await c.get('deps').site());
    } catch {
      c.set('site', readSiteSettings({}));
    }
  }
  if (c.get('user') === undefined) c.set('user', null);
  const heading = headings[status] ?? 'Something went wrong';
  return layout(c, {
    title: heading,
    head: html`<meta name="robots" content="noindex">`,
    // An error answers for no address of its own: naming one would tell search engines to index it.
    canonicalPath: null,
    body: html`<section class="error-page">
  <p class="code">${status}</p>
  <h1>${heading}</h1>
  <p>${message}</p>
  <p><a href="/">Go to the home page</a> or <a href="/search">search the posts</a>.</p>
</section>`,
  });
}
