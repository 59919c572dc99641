import { Hono } from 'hono';
import { notFound } from '../../core/errors.ts';
import { EmbedService, type EmbedThread } from '../../core/embeds.ts';
import type { Post } from '../../core/store.ts';
import type { AppEnv } from '../context.ts';
import { apiSiteInputSchema, apiSiteThreadPatchSchema, THREADS_LISTED, type apiSiteSchema, type apiSiteThreadSchema } from '../openapi-sites.ts';
import { limitBody, limitWrites, parseWith, readJson, type ApiContext } from './api-request.ts';
import { iso, pathIdOr404, requireRole } from './api-staff.ts';
import type { z } from 'zod';

const OWNER = ['owner'] as const;
const REFUSAL = 'Only the owner chooses which sites carry the blog’s comments.';

const serviceOf = (c: ApiContext) => {
  const { store, clock, changes } = c.get('deps');
  return new EmbedService({ store, clock, onChanged: (reason) => changes.publish(reason) });
};

async function threadOut(c: ApiContext, post: Post, thread: EmbedThread): Promise<z.output<typeof apiSiteThreadSchema>> {
  const counts = await c.get('deps').store.comments.countApproved([post.id]);
  return {
    id: post.id,
    page_url: thread.pageUrl,
    origin: thread.origin,
    title: post.title,
    comments_mode: post.commentsMode,
    approved_comments: counts.get(post.id) ?? 0,
    trashed: post.deletedAt !== null,
    created_at: iso(thread.createdAt),
  };
}

/** A page's conversation by its post id, as Admin → Sites → thread finds it. */
async function threadOf(c: ApiContext): Promise<{ post: Post; thread: EmbedThread }> {
  const { store } = c.get('deps');
  const post = await store.posts.findById(pathIdOr404(c, 'id', 'The conversation'));
  const thread = post?.type === 'external' ? await store.embeds.threadOfPost(post.id) : null;
  if (!post || !thread) throw notFound('The conversation');
  return { post, thread };
}

/** Admin → Sites in the JSON API, mounted at /api/sites; the rules are EmbedService's. */
export function apiSiteRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/', async (c) => {
    requireRole(c, 'admin', OWNER, REFUSAL);
    const sites = await c.get('deps').store.embeds.listSites();
    return c.json({ sites: sites.map((s): z.output<typeof apiSiteSchema> => ({ id: s.id, origin: s.origin, threads: s.threads, created_at: iso(s.createdAt) })) });
  });

  app.post('/', limitWrites, limitBody, async (c) => {
    const user = requireRole(c, 'admin', OWNER, REFUSAL);
    const input = parseWith(apiSiteInputSchema, await readJson(c, { optional: false }), 'a JSON object, e.g. {"origin": "https://docs.example.com"}');
    const site = await serviceOf(c).addSite(user, input.origin);
    return c.json({ id: site.id, origin: site.origin, threads: 0, created_at: iso(site.createdAt) }, 201);
  });

  app.delete('/:id{[0-9]+}', limitWrites, async (c) => {
    const user = requireRole(c, 'admin', OWNER, REFUSAL);
    await serviceOf(c).removeSite(user, pathIdOr404(c, 'id', 'The site'));
    return c.body(null, 204);
  });

  app.get('/:id{[0-9]+}/threads', async (c) => {
    requireRole(c, 'admin', OWNER, REFUSAL);
    const { store } = c.get('deps');
    const id = pathIdOr404(c, 'id', 'The site');
    const site = (await store.embeds.listSites()).find((s) => s.id === id);
    if (!site) throw notFound('The site');
    const threads = await store.embeds.threadsOf(site.origin, THREADS_LISTED);
    const out = [];
    for (const thread of threads) {
      const post = await store.posts.findById(thread.postId);
      if (post) out.push(await threadOut(c, post, thread));
    }
    return c.json({ threads: out });
  });

  app.get('/threads/:id{[0-9]+}', async (c) => {
    requireRole(c, 'admin', OWNER, REFUSAL);
    const { post, thread } = await threadOf(c);
    return c.json(await threadOut(c, post, thread));
  });

  app.patch('/threads/:id{[0-9]+}', limitWrites, limitBody, async (c) => {
    const user = requireRole(c, 'admin', OWNER, REFUSAL);
    const input = parseWith(apiSiteThreadPatchSchema, await readJson(c, { optional: false }), 'a JSON object, e.g. {"title": "Install guide", "comments_mode": "closed"}');
    const { post, thread } = await threadOf(c);
    const saved = await serviceOf(c).updateThread(user, post, { title: input.title ?? post.title, commentsMode: input.comments_mode ?? post.commentsMode });
    return c.json(await threadOut(c, saved, thread));
  });

  app.delete('/threads/:id{[0-9]+}', limitWrites, async (c) => {
    const user = requireRole(c, 'admin', OWNER, REFUSAL);
    const { post } = await threadOf(c);
    if (post.deletedAt !== null) throw notFound('The conversation');
    await c.get('deps').posts.trash(user, post.id);
    return c.body(null, 204);
  });

  return app;
}
