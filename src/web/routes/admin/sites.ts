import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DomainError } from '../../../core/errors.ts';
import { EmbedService } from '../../../core/embeds.ts';
import type { AppEnv } from '../../context.ts';
import { statusFor } from '../../errors.ts';
import { confirmView } from '../../views/admin/confirm-view.ts';
import { sitesView, type SiteFormState, type SiteThreads } from '../../views/admin/sites-view.ts';
import { allowRoles, confirmed, currentUser, formFields, idParam, redirectWithNotice } from './admin-request.ts';

const THREADS_SHOWN = 10;

const serviceOf = (c: Context<AppEnv>) => {
  const { store, clock, changes } = c.get('deps');
  return new EmbedService({ store, clock, onChanged: (reason) => changes.publish(reason) });
};

async function render(c: Context<AppEnv>, state?: SiteFormState, status: ContentfulStatusCode = 200) {
  const { store } = c.get('deps');
  const sites: SiteThreads[] = [];
  for (const site of await store.embeds.listSites()) {
    const threads = await store.embeds.threadsOf(site.origin, THREADS_SHOWN);
    sites.push({ site, threads: await Promise.all(threads.map(async (thread) => ({ thread, post: await store.posts.findById(thread.postId) }))) });
  }
  return c.html(sitesView(c, sites, state).value, status);
}

/** Admin → Sites: the origins whose pages carry this blog's comments (owner only). */
export function siteRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', allowRoles(['owner'], 'Only the owner chooses which sites carry the blog’s comments.'));

  app.get('/', (c) => render(c));

  app.post('/', async (c) => {
    const form = await formFields(c);
    const value = form.origin ?? '';
    try {
      await serviceOf(c).addSite(currentUser(c), value);
    } catch (error) {
      if (error instanceof DomainError && (error.code === 'validation_failed' || error.code === 'conflict')) return render(c, { value, error: error.message }, statusFor[error.code]);
      throw error;
    }
    return redirectWithNotice(c, '/admin/sites', 'site-added');
  });

  app.post('/:id{[0-9]+}/delete', async (c) => {
    const id = idParam(c);
    const site = (await c.get('deps').store.embeds.listSites()).find((s) => s.id === id);
    if (site && !confirmed(await formFields(c))) {
      return c.html(
        confirmView(c, {
          title: `Remove ${site.origin}?`,
          message: 'Its pages stop showing comments. The conversations stay here, and come back if you add the site again.',
          action: `/admin/sites/${site.id}/delete`,
          confirmLabel: 'Remove site',
          cancelHref: '/admin/sites',
          current: 'sites',
        }).value,
      );
    }
    await serviceOf(c).removeSite(currentUser(c), id);
    return redirectWithNotice(c, '/admin/sites', 'site-removed');
  });

  return app;
}
