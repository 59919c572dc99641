import { Hono } from 'hono';
import type { AppEnv } from '../../context.ts';
import { jobsView, webmentionsView } from '../../views/admin/webmentions-view.ts';
import { allowRoles, idParam, pageNumber, redirectWithNotice } from './admin-request.ts';
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

  // The background job queue: what waits, and what gave up (with its last error and a Retry button).
  const ownerOnly = allowRoles(['owner'], 'Only the owner can manage background jobs.');
  app.get('/jobs', ownerOnly, async (c) => {
    const { store } = c.get('deps');
    const page = pageNumber(c);
    const status = c.req.query('status') === 'pending' ? 'pending' : 'dead';
    const [counts, list] = await Promise.all([store.jobs.countByStatus(), store.jobs.list({ status, limit: 50, offset: (page - 1) * 50 })]);
    return c.html(jobsView(c, { counts, jobs: list.items, status }).value);
  });

  app.post('/jobs/:id{[0-9]+}/retry', ownerOnly, async (c) => {
    const { store, clock } = c.get('deps');
    await store.jobs.retry(idParam(c), clock.now());
    c.get('deps').jobs.wake();
    return redirectWithNotice(c, '/admin/jobs', 'job-retried');
  });

  return app;
}
