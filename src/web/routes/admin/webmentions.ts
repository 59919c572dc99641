import { Hono } from 'hono';
import type { AppEnv } from '../../context.ts';
import { webmentionsView } from '../../views/admin/webmentions-view.ts';
import { idParam, redirectWithNotice } from './admin-request.ts';
import { editablePost } from './posts.ts';

/** Per post: the links notified by webmention and what answered, and the mentions received. */
export function webmentionAdminRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/posts/:id{[0-9]+}/webmentions', async (c) => {
    const post = await editablePost(c, idParam(c));
    const { store } = c.get('deps');
    const [sent, received] = await Promise.all([store.webmentions.listSent(post.id), store.webmentions.listReceived(post.id)]);
    return c.html(webmentionsView(c, { post, sent, received }).value);
  });

  app.post('/posts/:id{[0-9]+}/webmentions/resend', async (c) => {
    const post = await editablePost(c, idParam(c));
    const queued = await c.get('deps').webmentions.postChanged(post, post);
    return redirectWithNotice(c, `/admin/posts/${post.id}/webmentions`, queued > 0 ? 'webmentions-queued' : 'webmentions-none');
  });

  return app;
}
