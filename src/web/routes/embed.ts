import { createHash } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { DomainError } from '../../core/errors.ts';
import type { Assets } from '../assets.ts';
import { clientIp } from '../client-ip.ts';
import type { AppEnv } from '../context.ts';
import { embedServiceOf } from './api-embed.ts';

/**
 * What pages of other sites load from the blog: the loader at a stable address
 * (`/embed.js`), the component and its styles at addresses that change with their content
 * (cached for a year), each with CORS for registered sites only (a module script is fetched
 * with CORS). And `/embed/thread?url=…`, where the link inside `<kumbaya-comments>` takes
 * readers without JavaScript: the page's thread on the blog.
 */

export interface EmbedFiles {
  loader: Buffer;
  component: { path: string; body: Buffer };
  styles: { path: string; body: Buffer };
}

const hashOf = (body: Buffer) => createHash('sha256').update(body).digest('hex').slice(0, 12);
const made = new WeakMap<Assets, EmbedFiles>();

/** The three files as served: the component names its styles' address, the loader the component's. */
export function embedFiles(assets: Assets): EmbedFiles {
  const known = made.get(assets);
  if (known) return known;
  const read = (name: string) => {
    const asset = assets.find(name);
    if (!asset) throw new Error(`Missing asset ${name}`);
    return asset.body.toString('utf8');
  };
  const css = Buffer.from(read('embed-comments.css'));
  const styles = { path: `/embed/comments.${hashOf(css)}.css`, body: css };
  const js = Buffer.from(read('embed-comments.js').replace('__KUMBAYA_CSS__', styles.path));
  const component = { path: `/embed/comments.${hashOf(js)}.js`, body: js };
  const files = { loader: Buffer.from(read('embed.js').replace('__KUMBAYA_COMPONENT__', component.path)), component, styles };
  made.set(assets, files);
  return files;
}

/** The Origin, when it is a registered site: the value for Access-Control-Allow-Origin. */
async function allowedOrigin(c: Context<AppEnv>): Promise<string | null> {
  const origin = c.req.header('origin');
  if (!origin || origin === 'null') return null;
  return (await c.get('deps').store.embeds.findSite(origin.toLowerCase())) ? origin : null;
}

async function serve(c: Context<AppEnv>, body: Buffer, type: string, cache: string): Promise<Response> {
  const origin = await allowedOrigin(c);
  const headers: Record<string, string> = { 'Content-Type': type, 'Cache-Control': cache, Vary: 'Origin', 'Cross-Origin-Resource-Policy': 'cross-origin' };
  if (origin) headers['Access-Control-Allow-Origin'] = origin;
  return c.body(new Uint8Array(body), 200, headers);
}

export function embedRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const YEAR = 'public, max-age=31536000, immutable';

  // A stable address pages keep in their templates: revalidated after five minutes.
  app.get('/embed.js', (c) => serve(c, embedFiles(c.get('deps').assets).loader, 'text/javascript; charset=utf-8', 'public, max-age=300'));
  app.get('/embed/:file{comments\\.[0-9a-f]{12}\\.(?:js|css)}', (c) => {
    const files = embedFiles(c.get('deps').assets);
    const file = `/embed/${c.req.param('file')}`;
    if (file === files.component.path) return serve(c, files.component.body, 'text/javascript; charset=utf-8', YEAR);
    if (file === files.styles.path) return serve(c, files.styles.body, 'text/css; charset=utf-8', YEAR);
    return Promise.resolve(c.text('Not found', 404, { 'Cache-Control': 'no-cache' }));
  });

  // Readers without JavaScript follow the link inside <kumbaya-comments> to the thread on the blog.
  app.get('/embed/thread', async (c) => {
    const url = c.req.query('url');
    if (!url) throw new DomainError('validation_failed', 'This link names no page: it should end in ?url= and the page’s address.');
    const { post } = await embedServiceOf(c).threadFor(url, c.req.query('title'), clientIp(c));
    c.header('Cache-Control', 'no-store');
    return c.redirect(`/${post.slug}#comments`, 303);
  });

  return app;
}
