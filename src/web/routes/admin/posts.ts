import { Hono, type Context } from 'hono';
import { DomainError, notFound } from '../../../core/errors.ts';
import { renderPostMarkdown } from '../../../core/render-markdown.ts';
import { canEditPost, unpublishedVisibleTo } from '../../../core/post-service.ts';
import { addressFollowsTitle } from '../../../core/post-ideas.ts';
import type { Post, PostStatus, PostType, Role, User } from '../../../core/store.ts';
import type { AppEnv } from '../../context.ts';
import { statusFor } from '../../errors.ts';
import { confirmView } from '../../views/admin/confirm-view.ts';
import { editorValuesOf, editorView, fromDateTimeLocal, toDateTimeLocal, trashedPostView, type EditorValues } from '../../views/admin/post-editor-view.ts';
import { postListView, trashView, typeWords } from '../../views/admin/post-list-view.ts';
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
  const filters = {
    status: status && statuses.has(status) ? status : undefined,
    tag: type === 'post' ? (c.req.query('tag') ?? '').slice(0, 100) || undefined : undefined,
    q: (c.req.query('q') ?? '').trim().slice(0, 200) || undefined,
  };
  const page = pageNumber(c);
  const [result, authors, tags, trash] = await Promise.all([
    // Each role sees listed only the unpublished posts it may open.
    store.posts.listAdmin({ type, status: filters.status, tagSlug: filters.tag, text: filters.q, unpublishedBy: unpublishedVisibleTo(user), limit: PER_PAGE, offset: (page - 1) * PER_PAGE }),
    authorsById(c),
    type === 'post' ? store.tags.listWithCounts(clock.now()) : Promise.resolve([]),
    store.posts.listAdmin({ trashed: true, authorId: user.role === 'author' ? user.id : undefined, unpublishedBy: unpublishedVisibleTo(user), limit: 1, offset: 0 }),
  ]);
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
    }).value,
  );
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
  };
  // Fields the form checks itself (the schema would only say "expected number").
  const formFieldErrors: Record<string, string> = {};
  if (values.commentsCloseDays !== '' && !/^[0-9]{1,6}$/.test(values.commentsCloseDays)) formFieldErrors.commentsCloseDays = 'Use a whole number of days, or leave it empty.';
  const when = fromDateTimeLocal(values.publishedAt);
  if (when !== null && (Number.isNaN(when) || when <= 0)) formFieldErrors.publishedAt = 'Enter a date and time like 2026-05-01 09:30 (UTC).';
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

  app.get('/', (c) => listPage(c, 'post'));
  app.get('/pages', (c) => listPage(c, 'page'));

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
    const values: EditorValues = { title: '', markdown: '', slug: '', excerpt: '', tags: '', visibility: 'public', coverImage: '', publishedAt: '', commentsMode: 'inherit', commentsCloseDays: '' };
    return c.html(editorView(c, { type, post: null, values, previewHtml: '', now: c.get('deps').clock.now(), commentSettings: await c.get('deps').commentSettings() }).value);
  });

  app.post('/posts', (c) => {
    assertRole(c, WRITERS, MODERATORS_CANNOT_WRITE);
    return saveFromEditor(c, null);
  });

  app.get('/posts/:id{[0-9]+}', async (c) => {
    const post = await editablePost(c, idParam(c));
    if (post.deletedAt !== null) return c.html(trashedPostView(c, post).value);
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
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new DomainError('validation_failed', 'Send JSON like {"markdown": "Some *text*"}.');
    }
    const markdown = (body as { markdown?: unknown } | null)?.markdown;
    if (typeof markdown !== 'string') throw new DomainError('validation_failed', 'Send JSON like {"markdown": "Some *text*"}.', { markdown: 'Required.' });
    if (markdown.length > 500_000) throw new DomainError('payload_too_large', 'The text is longer than 500,000 characters.');
    return c.json({ html: await renderPostMarkdown(markdown) });
  });

  return app;
}
