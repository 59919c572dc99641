import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { DomainError, notFound } from '../../../core/errors.ts';
import { renderPostMarkdown } from '../../../core/render-markdown.ts';
import { previewMarkdown } from '../../../core/post-preview.ts';
import { canEditPost, unpublishedVisibleTo } from '../../../core/post-service.ts';
import { bulkPostAction } from '../../../core/post-bulk.ts';
import { addressFollowsTitle } from '../../../core/post-ideas.ts';
import type { Post, PostStatus, PostType, Role, User } from '../../../core/store.ts';
import type { AppEnv } from '../../context.ts';
import { readJsonBody, statusFor } from '../../errors.ts';
import { confirmView } from '../../views/admin/confirm-view.ts';
import { fromDateTimeLocal as readLocalTime } from '../../views/format.ts';
import { editorValuesOf, editorView, toDateTimeLocal, trashedPostView, type EditorValues } from '../../views/admin/post-editor-view.ts';
import { postListView, trashView, typeWords, type BulkAction, type BulkResult, type PostListFilters, type RefusalReason } from '../../views/admin/post-list-view.ts';
import { toId } from '../../../core/ids.ts';
import { assertRole, confirmed, currentUser, formFields, idParam, pageNumber, redirectWithNotice } from './admin-request.ts';

const PER_PAGE = 20;
const WRITERS: Role[] = ['owner', 'author'];
const MODERATORS_CANNOT_WRITE = 'Moderators look after the conversation; writing posts and pages is for the owner and authors.';
const statuses = new Set<PostStatus>(['draft', 'scheduled', 'published']);

async function authorsById(c: Context<AppEnv>): Promise<Map<number, User>> {
  return new Map((await c.get('deps').store.users.list()).map((u) => [u.id, u]));
}

/** A post the signed-in user may edit (404 when missing, 403 with the reason otherwise). */
export async function editablePost(c: Context<AppEnv>, id: number): Promise<Post> {
  const post = await c.get('deps').store.posts.findById(id);
  if (!post) throw notFound('The post');
  const allowed = canEditPost(currentUser(c), post);
  if (!allowed.ok) throw new DomainError('forbidden', allowed.reason === 'role' ? MODERATORS_CANNOT_WRITE : 'Only the owner can change another author’s post.');
  return post;
}

async function listPage(c: Context<AppEnv>, type: PostType) {
  const { store, clock } = c.get('deps');
  const user = currentUser(c);
  const status = c.req.query('status') as PostStatus | undefined;
  const author = toId(c.req.query('author') ?? '');
  const filters: PostListFilters = {
    status: status && statuses.has(status) ? status : undefined,
    tag: type === 'post' ? (c.req.query('tag') ?? '').slice(0, 100) || undefined : undefined,
    author: author ?? undefined,
    q: (c.req.query('q') ?? '').trim().slice(0, 200) || undefined,
  };
  const page = pageNumber(c);
  const [result, authors, tags, trash] = await Promise.all([
    // Each role sees listed only the unpublished posts it may open.
    store.posts.listAdmin({ type, status: filters.status, tagSlug: filters.tag, authorId: filters.author, text: filters.q, unpublishedBy: unpublishedVisibleTo(user), limit: PER_PAGE, offset: (page - 1) * PER_PAGE }),
    authorsById(c),
    type === 'post' ? store.tags.listWithCounts(clock.now()) : Promise.resolve([]),
    store.posts.listAdmin({ trashed: true, authorId: user.role === 'author' ? user.id : undefined, unpublishedBy: unpublishedVisibleTo(user), limit: 1, offset: 0 }),
  ]);
  // One grouped query for the whole page, not one per row.
  const commentCounts = await store.comments.countApproved(result.items.map((p) => p.id));
  return c.html(
    postListView(c, {
      type,
      posts: result.items,
      total: result.total,
      authors,
      tags,
      filters,
      page,
      totalPages: Math.max(1, Math.ceil(result.total / PER_PAGE)),
      trashCount: trash.total,
      commentCounts,
      bulk: bulkResultFromQuery(c),
    }).value,
  );
}

/** ?bulk=publish&n=2&refused=1&why=not-yours: what a bulk action did. Only numbers and known words are read. */
function bulkResultFromQuery(c: Context<AppEnv>): BulkResult | null {
  const action = c.req.query('bulk') as BulkAction | undefined;
  if (!action || !bulkActions.has(action)) return null;
  const count = Number(c.req.query('n') ?? '0');
  const refused = Number(c.req.query('refused') ?? '0');
  if (!Number.isSafeInteger(count) || count < 0 || !Number.isSafeInteger(refused) || refused < 0) return null;
  const why = (c.req.query('why') ?? '').split(',').filter((w): w is RefusalReason => refusalReasons.has(w as RefusalReason));
  return { action, count, refused, why };
}

const bulkActions = new Set<BulkAction>(['publish', 'unpublish', 'tag', 'trash']);
const refusalReasons = new Set<RefusalReason>(['not-yours', 'role', 'trashed', 'missing']);

/** The ids sent as repeated `ids` fields (the list's checkboxes). */
function idsOf(value: string | File | (string | File)[] | undefined): number[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return [...new Set(list.map((v) => toId(v)).filter((id): id is number => id !== null))];
}

/** Where a list form sends the user back to: the posts or pages list with its filters, nothing else. */
function safeListBack(value: unknown): string {
  return typeof value === 'string' && /^\/admin\/(posts|pages)(\?[^#\s]*)?$/.test(value) ? value : '/admin/posts';
}

/** A redirect to the list (keeping its filters) with what a bulk action did. */
function redirectToList(c: Context<AppEnv>, back: string, done: Record<string, string>): Response {
  const url = new URL(back, 'http://x');
  for (const key of ['bulk', 'n', 'refused', 'why', 'notice', 'id', 'page']) url.searchParams.delete(key);
  for (const [k, v] of Object.entries(done)) url.searchParams.set(k, v);
  return c.redirect(url.pathname + url.search, 303);
}

function readEditorValues(form: Record<string, string>): EditorValues {
  return {
    title: form.title ?? '',
    markdown: (form.markdown ?? '').replace(/\r\n/g, '\n'),
    slug: (form.slug ?? '').trim(),
    excerpt: form.excerpt ?? '',
    tags: form.tags ?? '',
    visibility: form.visibility === 'unlisted' ? 'unlisted' : 'public',
    coverImage: form.coverImage ?? '',
    publishedAt: (form.publishedAt ?? '').trim(),
    commentsMode: form.commentsMode ?? 'inherit',
    commentsCloseDays: (form.commentsCloseDays ?? '').trim(),
    password: form.password ?? '',
    metaDescription: form.metaDescription ?? '',
    socialImage: form.socialImage ?? '',
    canonicalUrl: form.canonicalUrl ?? '',
    creationKey: /^[A-Za-z0-9_-]{16,64}$/.test(form.creationKey ?? '') ? form.creationKey : undefined,
  };
}

/**
 * Turns the form into PostService input. `at` is the publish time the form asks for:
 * undefined when the field is empty, the saved time when it was left as shown (the field
 * only has minutes), otherwise the new time.
 */
function toPostInput(c: Context<AppEnv>, values: EditorValues, type: PostType, existing: Post | null): { input: Record<string, unknown>; at: number | undefined } {
  const input: Record<string, unknown> = {
    type,
    title: values.title,
    markdown: values.markdown,
    slug: values.slug,
    excerpt: values.excerpt,
    tags: values.tags.split(',').map((t) => t.trim()).filter(Boolean),
    visibility: values.visibility,
    coverImage: values.coverImage,
    commentsMode: values.commentsMode,
    // Empty: the site's setting.
    commentsCloseDays: /^[0-9]{1,6}$/.test(values.commentsCloseDays) ? Number(values.commentsCloseDays) : null,
    password: values.password ?? '',
    metaDescription: values.metaDescription ?? '',
    socialImage: values.socialImage ?? '',
    canonicalUrl: values.canonicalUrl ?? '',
    // A new post's editor page: however many times it is sent (and autosaved), one post.
    ...(existing ? {} : { creationKey: values.creationKey }),
  };
  // Fields the form checks itself (the schema would only say "expected number").
  const formFieldErrors: Record<string, string> = {};
  if (values.commentsCloseDays !== '' && !/^[0-9]{1,6}$/.test(values.commentsCloseDays)) formFieldErrors.commentsCloseDays = 'Use a whole number of days, or leave it empty.';
  // Read in the site's time zone: a time the clocks skip is refused with its own message.
  const read = readLocalTime(values.publishedAt);
  const when = read === null ? null : 'at' in read ? read.at : Number.NaN;
  if (read !== null && 'error' in read) formFieldErrors.publishedAt = read.error;
  if (Object.keys(formFieldErrors).length > 0) {
    const fields: Record<string, string> = { ...formFieldErrors };
    try {
      c.get('deps').posts.parse(input);
    } catch (error) {
      if (error instanceof DomainError) Object.assign(fields, error.fields, formFieldErrors);
    }
    throw new DomainError('validation_failed', Object.keys(fields).length > 1 ? 'Some fields need a look.' : Object.values(fields)[0], fields);
  }
  let at: number | undefined;
  if (when === null) {
    // Empty: a draft loses its date; a live or scheduled post keeps the one it has.
    if (!existing || existing.status === 'draft') input.publishedAt = null;
  } else if (existing && existing.publishedAt !== null && toDateTimeLocal(existing.publishedAt) === values.publishedAt) {
    at = existing.publishedAt;
  } else {
    input.publishedAt = when;
    at = when;
  }
  return { input, at };
}

/** Create (existing = null) or change a post from the editor form, by its `action` button. */
export async function saveFromEditor(c: Context<AppEnv>, existing: Post | null) {
  const user = currentUser(c);
  const { posts, clock } = c.get('deps');
  const form = await formFields(c);
  const action = form.action ?? 'save';
  const type: PostType = existing?.type ?? (form.type === 'page' ? 'page' : 'post');
  const values = readEditorValues(form);
  // A post made from a comment: the "tell them" box is recorded first, so that publishing (now or
  // when the schedule comes) finds the wish and writes the mail once the post is live.
  const origin = existing ? await c.get('deps').postIdeas.originOf(existing.id) : null;
  const tellThem = form.tellShown === '1' ? form.tellThem === 'yes' : undefined;

  if (action === 'trash' && existing) {
    await posts.trash(user, existing.id);
    return redirectWithNotice(c, typeWords[type].listPath, 'trashed', { id: String(existing.id) });
  }
  if (action === 'preview') {
    return c.html(editorView(c, { type, post: existing, values, previewHtml: await renderPostMarkdown(values.markdown), now: clock.now(), previewed: true, commentSettings: await c.get('deps').commentSettings(), origin, tellThem }).value);
  }
  try {
    const { input, at } = toPostInput(c, values, type, existing);
    if (existing && tellThem !== undefined) await c.get('deps').postIdeas.setTell(existing.id, tellThem);
    const post = existing ? await posts.update(user, existing.id, input) : await posts.create(user, input);
    let notice = existing ? 'saved' : 'created';
    if (action === 'publish') {
      notice = (await posts.publish(user, post.id, at)).state;
    } else if (action === 'unpublish') {
      await posts.unpublish(user, post.id);
      notice = 'unpublished';
    } else if (post.status === 'published' && post.publishedAt !== null && post.publishedAt > clock.now()) {
      // A live post given a future date leaves the site until then: that is scheduling.
      notice = (await posts.publish(user, post.id, post.publishedAt)).state;
    } else if (existing && existing.status === 'scheduled' && post.status === 'published') {
      notice = 'published'; // its new date had already come
    }
    // Going live wrote the mail to the commenter (PostIdeaService.postChanged): say so.
    if (tellThem && origin?.source.toldAt === null && (await c.get('deps').store.postSources.find(post.id))?.toldAt != null) notice = 'told';
    return redirectWithNotice(c, `/admin/posts/${post.id}`, notice);
  } catch (error) {
    if (error instanceof DomainError && Object.keys(error.fields).length > 0) {
      const html = editorView(c, {
        type,
        post: existing,
        values,
        fields: error.fields,
        error: error.message,
        previewHtml: await renderPostMarkdown(values.markdown),
        now: clock.now(),
        commentSettings: await c.get('deps').commentSettings(),
        origin,
        tellThem,
      });
      return c.html(html.value, statusFor[error.code]);
    }
    throw error;
  }
}

/** Post and page lists, the trash, the editor and its actions, the live preview. */
export function postRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/posts', (c) => listPage(c, 'post'));
  app.get('/pages', (c) => listPage(c, 'page'));

  /**
   * Publish, unpublish, tag or trash the chosen posts. Each is tried on its own: the ones
   * the user may not change (another author's, a moderator's reach) are counted as refused
   * and the rest are done.
   */
  app.post('/posts/bulk', async (c) => {
    const user = currentUser(c);
    const form = await c.req.parseBody({ all: true });
    const back = safeListBack(form.back);
    const action = (typeof form.action === 'string' ? form.action : '') as BulkAction;
    const outcomes = await bulkPostAction(c.get('deps'), user, { action, ids: idsOf(form.ids), tag: typeof form.tag === 'string' ? form.tag : '' });
    const done = outcomes.filter((o) => o.outcome === 'done').length;
    const why = new Set<RefusalReason>(outcomes.flatMap((o) => (o.outcome === 'refused' ? [o.reason] : [])));
    const refused = outcomes.filter((o) => o.outcome === 'refused').length;
    return redirectToList(c, back, { bulk: action, n: String(done), ...(refused > 0 ? { refused: String(refused), why: [...why].join(',') } : {}) });
  });

  /** A new draft copying the post ("Copy of …"), opened in the editor. */
  app.post('/posts/:id{[0-9]+}/duplicate', async (c) => {
    const post = await editablePost(c, idParam(c));
    const copy = await c.get('deps').posts.duplicate(currentUser(c), post.id);
    return redirectWithNotice(c, `/admin/posts/${copy.id}`, 'duplicated');
  });

  /** Moves one post to the trash from the list (the editor has its own Trash button). */
  app.post('/posts/:id{[0-9]+}/trash', async (c) => {
    const post = await editablePost(c, idParam(c));
    const form = await formFields(c);
    await c.get('deps').posts.trash(currentUser(c), post.id);
    return redirectToList(c, safeListBack(form.back ?? typeWords[post.type].listPath), { notice: 'trashed', id: String(post.id) });
  });

  app.get('/trash', async (c) => {
    const { store } = c.get('deps');
    const user = currentUser(c);
    const page = pageNumber(c);
    const [result, authors] = await Promise.all([
      store.posts.listAdmin({ trashed: true, authorId: user.role === 'author' ? user.id : undefined, unpublishedBy: unpublishedVisibleTo(user), limit: PER_PAGE, offset: (page - 1) * PER_PAGE }),
      authorsById(c),
    ]);
    return c.html(trashView(c, { posts: result.items, total: result.total, authors, page, totalPages: Math.max(1, Math.ceil(result.total / PER_PAGE)) }).value);
  });

  app.get('/posts/new', async (c) => {
    assertRole(c, WRITERS, MODERATORS_CANNOT_WRITE);
    const type: PostType = c.req.query('type') === 'page' ? 'page' : 'post';
    const values: EditorValues = {
      title: '', markdown: '', slug: '', excerpt: '', tags: '', visibility: 'public', coverImage: '', publishedAt: '', commentsMode: 'inherit', commentsCloseDays: '',
      creationKey: randomBytes(18).toString('base64url'),
    };
    return c.html(editorView(c, { type, post: null, values, previewHtml: '', now: c.get('deps').clock.now(), commentSettings: await c.get('deps').commentSettings() }).value);
  });

  app.post('/posts', (c) => {
    assertRole(c, WRITERS, MODERATORS_CANNOT_WRITE);
    return saveFromEditor(c, null);
  });

  app.get('/posts/:id{[0-9]+}', async (c) => {
    const post = await editablePost(c, idParam(c));
    if (post.deletedAt !== null) return c.html(trashedPostView(c, post).value);
    // A page's conversation on another site is not written here: Admin → Sites has what it needs.
    if (post.type === 'external') return c.redirect(`/admin/sites/threads/${post.id}`, 303);
    const { store, clock } = c.get('deps');
    const [autosave, revisions] = await Promise.all([store.revisions.findAutosave(post.id, currentUser(c).id), store.revisions.listForPost(post.id)]);
    // The author's autosave counts when it is newer than the saved post and says something else.
    const newer = autosave && autosave.createdAt > post.updatedAt && (autosave.title !== post.title || autosave.markdown !== post.markdown) ? autosave : null;
    const load = newer !== null && c.req.query('autosave') === 'load';
    const values = load ? { ...editorValuesOf(post), title: newer.title, markdown: newer.markdown, excerpt: newer.excerpt } : editorValuesOf(post);
    const origin = await c.get('deps').postIdeas.originOf(post.id);
    if (origin && addressFollowsTitle(post)) values.slug = '';
    return c.html(
      editorView(c, {
        type: post.type,
        post,
        values,
        previewHtml: load ? await renderPostMarkdown(newer.markdown) : post.html,
        now: clock.now(),
        commentSettings: await c.get('deps').commentSettings(),
        newerAutosave: load ? null : newer,
        loadedAutosave: load ? newer : null,
        revisionCount: revisions.length,
        origin,
      }).value,
    );
  });

  app.post('/posts/:id{[0-9]+}', async (c) => saveFromEditor(c, await editablePost(c, idParam(c))));

  app.post('/posts/:id{[0-9]+}/restore', async (c) => {
    const post = await editablePost(c, idParam(c));
    await c.get('deps').posts.restore(currentUser(c), post.id);
    return redirectWithNotice(c, typeWords[post.type].listPath, 'restored');
  });

  app.post('/posts/:id{[0-9]+}/purge', async (c) => {
    const post = await editablePost(c, idParam(c));
    if (post.deletedAt === null) throw new DomainError('conflict', 'Move it to the trash before deleting it forever.');
    if (!confirmed(await formFields(c))) {
      return c.html(
        confirmView(c, {
          title: `Delete “${post.title}” forever?`,
          message: `The ${post.type}, its comments and its old addresses are deleted for good. This cannot be undone.`,
          action: `/admin/posts/${post.id}/purge`,
          confirmLabel: 'Delete forever',
          cancelHref: '/admin/trash',
          current: post.type === 'page' ? 'pages' : 'posts',
        }).value,
      );
    }
    await c.get('deps').posts.purge(currentUser(c), post.id);
    return redirectWithNotice(c, '/admin/trash', 'purged');
  });

  /** Live preview for the editor: {markdown} in, the sanitised {html} out. */
  app.post('/preview', async (c) => {
    assertRole(c, WRITERS, MODERATORS_CANNOT_WRITE);
    const body = await readJsonBody(c, 'Send JSON like {"markdown": "Some *text*"}.');
    // The excerpt lists and cards would use if the author writes none (the editor's placeholder).
    const { html, excerpt } = await previewMarkdown((body as { markdown?: unknown } | null)?.markdown);
    return c.json({ html, excerpt });
  });

  return app;
}
