import { Hono } from 'hono';
import { DomainError, notFound } from '../../core/errors.ts';
import { bulkPostAction, type BulkAction } from '../../core/post-bulk.ts';
import { canEditPost, isLive, unpublishedVisibleTo } from '../../core/post-service.ts';
import type { PostRevision, RevisionSummary } from '../../core/revisions.ts';
import type { Post, User } from '../../core/store.ts';
import type { AppEnv } from '../context.ts';
import { apiBulkInputSchema, apiTrashQuerySchema, type apiRevisionSchema, type apiRevisionSummarySchema } from '../openapi-post-actions.ts';
import { limitBody, limitWrites, parseWith, readJson, type ApiContext, type ApiScope } from './api-request.ts';
import { iso, pathIdOr404, requireRole } from './api-staff.ts';
import { serialise } from './api.ts';
import type { z } from 'zod';

const WRITERS = ['owner', 'author'] as const;
const REFUSAL = 'Moderators look after the conversation; writing posts and pages is for the owner and authors.';

/**
 * The post in the path, trashed or not, when the token's user may edit it: 404 when it is
 * missing or is someone else's and not live (its existence is not told), 403 for another
 * author's live post.
 */
async function ownPost(c: ApiContext, scope: ApiScope): Promise<{ user: User; post: Post }> {
  const user = requireRole(c, scope, WRITERS, REFUSAL);
  const { store, clock } = c.get('deps');
  const post = await store.posts.findById(pathIdOr404(c, 'id', 'The post'));
  if (!post) throw notFound('The post');
  if (!canEditPost(user, post).ok) {
    if (!isLive(post, clock.now())) throw notFound('The post');
    throw new DomainError('forbidden', 'Only the owner can change another author’s post.');
  }
  return { user, post };
}

async function authorsOf(c: ApiContext, ids: number[]): Promise<Map<number, User | null>> {
  const authors = new Map<number, User | null>();
  for (const id of new Set(ids)) authors.set(id, await c.get('deps').store.users.findById(id));
  return authors;
}

const authorOut = (user: User | null | undefined) => (user ? { id: user.id, name: user.name } : null);

function summaryOut(r: RevisionSummary, authors: Map<number, User | null>): z.output<typeof apiRevisionSummarySchema> {
  return { id: r.id, title: r.title, size: r.size, author: authorOut(authors.get(r.authorId)), created_at: iso(r.createdAt) };
}

function revisionOut(r: PostRevision, author: User | null): z.output<typeof apiRevisionSchema> {
  return { id: r.id, post_id: r.postId, title: r.title, markdown: r.markdown, excerpt: r.excerpt, author: authorOut(author), created_at: iso(r.createdAt) };
}

/** The trash, duplicate, bulk actions and revisions, mounted at /api; the contract is openapi-post-actions.ts. */
export function apiPostActionRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/trash', async (c) => {
    const user = requireRole(c, 'read', WRITERS, REFUSAL);
    const query = parseWith(apiTrashQuerySchema, c.req.query(), 'query parameters');
    const result = await c.get('deps').store.posts.listAdmin({
      trashed: true,
      type: query.type,
      authorId: user.role === 'author' ? user.id : undefined,
      unpublishedBy: unpublishedVisibleTo(user),
      limit: query.per_page,
      offset: (query.page - 1) * query.per_page,
    });
    return c.json({ posts: await serialise(c, result.items), page: query.page, per_page: query.per_page, total: result.total });
  });

  app.delete('/trash/:id{[0-9]+}', limitWrites, async (c) => {
    const { user, post } = await ownPost(c, 'write');
    if (post.deletedAt === null) throw new DomainError('conflict', 'Move it to the trash before deleting it forever.');
    await c.get('deps').posts.purge(user, post.id);
    return c.body(null, 204);
  });

  app.post('/posts/:id{[0-9]+}/restore', limitWrites, async (c) => {
    const { user, post } = await ownPost(c, 'write');
    if (post.deletedAt === null) throw new DomainError('conflict', 'The post is not in the trash.');
    await c.get('deps').posts.restore(user, post.id);
    return c.json((await serialise(c, [(await c.get('deps').store.posts.findById(post.id))!]))[0]);
  });

  app.post('/posts/:id{[0-9]+}/duplicate', limitWrites, async (c) => {
    const { user, post } = await ownPost(c, 'write');
    if (post.deletedAt !== null) throw notFound('The post');
    const copy = await c.get('deps').posts.duplicate(user, post.id);
    c.header('Location', `${c.get('deps').config.siteUrl}/api/posts/${copy.id}`);
    return c.json((await serialise(c, [copy]))[0], 201);
  });

  app.post('/posts/bulk', limitWrites, limitBody, async (c) => {
    const user = requireRole(c, 'write', WRITERS, REFUSAL);
    const input = parseWith(apiBulkInputSchema, await readJson(c, { optional: false }), 'a JSON object, e.g. {"action": "publish", "ids": [3, 4]}');
    const results = await bulkPostAction(c.get('deps'), user, input);
    const count = (outcome: string) => results.filter((r) => r.outcome === outcome).length;
    return c.json({ action: input.action as BulkAction, done: count('done'), unchanged: count('unchanged'), refused: count('refused'), results });
  });

  app.get('/posts/:id{[0-9]+}/revisions', async (c) => {
    const { post } = await ownPost(c, 'read');
    const revisions = await c.get('deps').store.revisions.listForPost(post.id);
    const authors = await authorsOf(c, revisions.map((r) => r.authorId));
    return c.json({ revisions: revisions.map((r) => summaryOut(r, authors)) });
  });

  app.get('/posts/:id{[0-9]+}/revisions/:revision{[0-9]+}', async (c) => {
    const { post } = await ownPost(c, 'read');
    const revision = await c.get('deps').store.revisions.find(pathIdOr404(c, 'revision', 'That revision'));
    if (!revision || revision.postId !== post.id || revision.kind !== 'revision') throw notFound('That revision');
    return c.json(revisionOut(revision, await c.get('deps').store.users.findById(revision.authorId)));
  });

  app.post('/posts/:id{[0-9]+}/revisions/:revision{[0-9]+}/restore', limitWrites, async (c) => {
    const { user, post } = await ownPost(c, 'write');
    const restored = await c.get('deps').posts.restoreRevision(user, post.id, pathIdOr404(c, 'revision', 'That revision'));
    return c.json((await serialise(c, [restored]))[0]);
  });

  return app;
}
