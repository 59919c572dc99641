import { Hono, type Context } from 'hono';
import { DomainError, notFound } from '../../../core/errors.ts';
import type { PostRevision } from '../../../core/revisions.ts';
import type { AppEnv } from '../../context.ts';
import { readJsonBody } from '../../errors.ts';
import { compareView, revisionListView, signedInView } from '../../views/admin/revisions-view.ts';
import { currentUser, formFields, idParam, redirectWithNotice } from './admin-request.ts';
import { editablePost } from './posts.ts';

const jsonBody = (c: Context<AppEnv>) => readJsonBody(c, 'Send JSON like {"title": "…", "markdown": "…"}.');

/** A revision of this post from the query (`from`/`to`), or null when absent. */
async function revisionParam(c: Context<AppEnv>, postId: number, name: string): Promise<PostRevision | null> {
  const raw = c.req.query(name);
  if (!raw) return null;
  const revision = /^[0-9]{1,15}$/.test(raw) ? await c.get('deps').store.revisions.find(Number(raw)) : null;
  if (!revision || revision.postId !== postId || revision.kind !== 'revision') throw notFound('That revision');
  return revision;
}

/**
 * The editor's autosave (JSON, CSRF token in the X-CSRF-Token header), the session's
 * token for a page that outlived its session, and each post's history: list, compare, restore.
 */
export function revisionRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  /** The signed-in user's CSRF token: the editor asks after its author signed in again elsewhere. */
  app.get('/session', (c) => c.json({ csrfToken: c.get('session')!.csrfToken, user: { id: currentUser(c).id, name: currentUser(c).name } }));

  /** Where "Sign in again" (opened from the editor in a new tab) lands. */
  app.get('/signed-in', (c) => c.html(signedInView(c).value));

  /** A new post's first autosave creates its draft; the editor then autosaves to the post. */
  app.post('/posts/autosave', async (c) => {
    const { post } = await c.get('deps').posts.autosave(currentUser(c), null, await jsonBody(c));
    return c.json({ id: post.id, savedAt: post.updatedAt, editUrl: `/admin/posts/${post.id}`, autosaveUrl: `/admin/posts/${post.id}/autosave` }, 201);
  });

  app.post('/posts/:id{[0-9]+}/autosave', async (c) => {
    const post = await editablePost(c, idParam(c));
    const { autosave } = await c.get('deps').posts.autosave(currentUser(c), post.id, await jsonBody(c));
    return c.json({ id: post.id, savedAt: autosave!.createdAt });
  });

  /** "Discard" on the editor's offer to load a newer autosave. */
  app.post('/posts/:id{[0-9]+}/autosave/discard', async (c) => {
    const post = await editablePost(c, idParam(c));
    await c.get('deps').posts.discardAutosave(currentUser(c), post.id);
    return redirectWithNotice(c, `/admin/posts/${post.id}`, 'autosave-discarded');
  });

  app.get('/posts/:id{[0-9]+}/revisions', async (c) => {
    const post = await editablePost(c, idParam(c));
    const { store } = c.get('deps');
    const [revisions, users] = await Promise.all([store.revisions.listForPost(post.id), store.users.list()]);
    return c.html(revisionListView(c, { post, revisions, authors: new Map(users.map((u) => [u.id, u])) }).value);
  });

  app.get('/posts/:id{[0-9]+}/revisions/compare', async (c) => {
    const post = await editablePost(c, idParam(c));
    const { store } = c.get('deps');
    const [revisions, users] = await Promise.all([store.revisions.listForPost(post.id), store.users.list()]);
    if (revisions.length === 0) throw notFound('A revision of this post');
    // Default: the newest revision against the one before it.
    const to = (await revisionParam(c, post.id, 'to')) ?? (await store.revisions.find(revisions[0].id))!;
    const from = (await revisionParam(c, post.id, 'from')) ?? (await store.revisions.find((revisions[1] ?? revisions[0]).id))!;
    return c.html(compareView(c, { post, revisions, from, to, authors: new Map(users.map((u) => [u.id, u])) }).value);
  });

  app.post('/posts/:id{[0-9]+}/revisions/restore', async (c) => {
    const post = await editablePost(c, idParam(c));
    const raw = (await formFields(c)).revision ?? '';
    if (!/^[0-9]{1,15}$/.test(raw)) throw new DomainError('validation_failed', 'Choose a revision to restore.', { revision: 'Required.' });
    await c.get('deps').posts.restoreRevision(currentUser(c), post.id, Number(raw));
    return redirectWithNotice(c, `/admin/posts/${post.id}`, 'revision-restored');
  });

  return app;
}
