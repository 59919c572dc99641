import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DomainError } from '../../../core/errors.ts';
import { EmbedService, type EmbedThread } from '../../../core/embeds.ts';
import type { AppEnv } from '../../context.ts';
import { statusFor } from '../../errors.ts';
import { confirmView } from '../../views/admin/confirm-view.ts';
import { sitesView, threadView, type SiteFormState, type SiteThreads, type ThreadFormState } from '../../views/admin/sites-view.ts';
import { closedWords, commentsOpen } from '../../../core/comment-settings.ts';
import { notFound } from '../../../core/errors.ts';
import type { CommentsMode, Post } from '../../../core/store.ts';
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

  /** A page's conversation: its address, title, open or closed, history, trash (not the post editor). */
  const threadOf = async (c: Context<AppEnv>) => {
    const { store } = c.get('deps');
    const post = await store.posts.findById(idParam(c));
    const thread = post?.type === 'external' ? await store.embeds.threadOfPost(post.id) : null;
    if (!post || !thread) throw notFound('The conversation');
    return { post, thread };
  };
  const renderThread = async (c: Context<AppEnv>, post: Post, thread: EmbedThread, state?: ThreadFormState, status: ContentfulStatusCode = 200) => {
    const { store, clock } = c.get('deps');
    const [counts, revisions, settings] = await Promise.all([store.comments.countApproved([post.id]), store.revisions.listForPost(post.id), c.get('deps').commentSettings()]);
    const bySite = commentsOpen({ ...post, commentsMode: 'inherit' }, settings, clock.now());
    return c.html(
      threadView(c, {
        post,
        thread,
        approved: counts.get(post.id) ?? 0,
        revisions: revisions.length,
        state: state ?? { title: post.title, commentsMode: post.commentsMode },
        closedBySite: bySite.open ? null : closedWords[bySite.reason],
      }).value,
      status,
    );
  };

  app.get('/threads/:id{[0-9]+}', async (c) => {
    const { post, thread } = await threadOf(c);
    if (post.deletedAt !== null) return c.redirect(`/admin/posts/${post.id}`, 303);
    return renderThread(c, post, thread);
  });

  app.post('/threads/:id{[0-9]+}', async (c) => {
    const { post, thread } = await threadOf(c);
    const form = await formFields(c);
    const modes: CommentsMode[] = ['inherit', 'open', 'closed'];
    const commentsMode = modes.find((m) => m === form.commentsMode) ?? post.commentsMode;
    const state: ThreadFormState = { title: form.title ?? '', commentsMode };
    try {
      await serviceOf(c).updateThread(currentUser(c), post, state);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'validation_failed') return renderThread(c, post, thread, { ...state, error: error.message }, 422);
      throw error;
    }
    return redirectWithNotice(c, `/admin/sites/threads/${post.id}`, 'thread-saved');
  });

  app.post('/threads/:id{[0-9]+}/trash', async (c) => {
    const { post } = await threadOf(c);
    await c.get('deps').posts.trash(currentUser(c), post.id);
    return redirectWithNotice(c, '/admin/sites', 'trashed', { id: String(post.id) });
  });

  return app;
}
