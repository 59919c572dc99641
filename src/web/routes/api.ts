import { Hono } from 'hono';
import { DomainError, notFound } from '../../core/errors.ts';
import { toId } from '../../core/ids.ts';
import { canEditPost, type PostInput } from '../../core/post-service.ts';
import { isProtected, type Post, type User } from '../../core/store.ts';
import { isAutomaticExcerpt } from '../../core/text.ts';
import type { AppEnv } from '../context.ts';
import { jsonError } from '../errors.ts';
import {
  apiListQuerySchema,
  apiPostInputSchema,
  apiPublishInputSchema,
  buildOpenApiDocument,
  type ApiPost,
  type ApiPostInput,
} from '../openapi.ts';
import { peopleOpenApi } from '../openapi-people.ts';
import { commentsOpenApi } from '../openapi-comments.ts';
import { apiCommentRoutes } from './api-comments.ts';
import { embedOpenApi } from '../openapi-embed.ts';
import { apiEmbedRoutes } from './api-embed.ts';
import { apiPeopleRoutes } from './api-people.ts';
import {
  apiErrors,
  authenticate,
  cacheHeaders,
  conditionalGets,
  isoOrNull,
  limitBody,
  limitWrites,
  parseWith,
  readJson,
  requireScope,
  type ApiContext,
} from './api-request.ts';
import { tagsOpenApi } from '../openapi-tags.ts';
import { settingsOpenApi } from '../openapi-settings.ts';
import { jobsOpenApi } from '../openapi-jobs.ts';
import { uploadsOpenApi } from '../openapi-uploads.ts';
import { subscriptionsOpenApi } from '../openapi-subscriptions.ts';
import { webmentionsOpenApi } from '../openapi-webmentions.ts';
import { fediverseOpenApi } from '../openapi-fediverse.ts';
import { apiTagRoutes } from './api-tags.ts';
import { apiSettingsRoutes } from './api-settings.ts';
import { apiJobRoutes } from './api-jobs.ts';
import { apiUploadRoutes } from './api-uploads.ts';
import { apiSubscriptionRoutes } from './api-subscriptions.ts';
import { apiWebmentionRoutes } from './api-webmentions.ts';
import { apiFediverseRoutes } from './api-fediverse.ts';
import { postActionsOpenApi } from '../openapi-post-actions.ts';
import { apiPostActionRoutes } from './api-post-actions.ts';
import { usersOpenApi } from '../openapi-users.ts';
import { apiUserRoutes } from './api-users.ts';
import { commentSettingsOpenApi } from '../openapi-comment-settings.ts';
import { apiCommentSettingsRoutes } from './api-comment-settings.ts';
import { mailOpenApi } from '../openapi-mail.ts';
import { apiMailRoutes } from './api-mail.ts';
import { fediverseSettingsOpenApi } from '../openapi-fediverse-settings.ts';
import { apiFediverseSettingsRoutes } from './api-fediverse-settings.ts';
import { sitesOpenApi } from '../openapi-sites.ts';
import { apiSiteRoutes } from './api-sites.ts';
import { importsOpenApi } from '../openapi-imports.ts';
import { apiImportRoutes } from './api-imports.ts';
import { deskOpenApi } from '../openapi-desk.ts';
import { apiDeskRoutes } from './api-desk.ts';
import { peopleExtrasOpenApi } from '../openapi-people-extras.ts';
import { apiPeopleExtraRoutes } from './api-people-extras.ts';

const msOrNull = (iso: string | null | undefined) => (iso === undefined ? undefined : iso === null ? null : Date.parse(iso));

function isLive(post: Post, now: number): boolean {
  return post.deletedAt === null && post.status === 'published' && post.publishedAt !== null && post.publishedAt <= now;
}

function mayEdit(user: User | null, post: Post): boolean {
  return user !== null && canEditPost(user, post).ok;
}

/** A post the token's user may change; trashed posts are gone as far as the API goes. */
async function editablePost(c: ApiContext, user: User): Promise<Post> {
  const id = toId(c.req.param('id'));
  const post = id === null ? null : await c.get('deps').store.posts.findById(id);
  if (!post || post.deletedAt !== null) throw notFound('The post');
  const allowed = canEditPost(user, post);
  if (!allowed.ok) {
    if (!isLive(post, c.get('deps').clock.now())) throw notFound('The post');
    throw new DomainError('forbidden', allowed.reason === 'role' ? 'Moderators cannot write posts.' : 'Only the owner can change another author’s post.');
  }
  return post;
}

/** Wire input → the core's PostInput. */
function toPostInput(input: ApiPostInput): PostInput {
  const { cover_image, published_at, meta_description, social_image, canonical_url, ...rest } = input;
  return { ...rest, coverImage: cover_image, publishedAt: msOrNull(published_at), metaDescription: meta_description, socialImage: social_image, canonicalUrl: canonical_url };
}

/** A stored post as wire input, to merge a PATCH over. An automatic excerpt stays automatic. */
function currentInput(post: Post): Record<string, unknown> {
  return {
    type: post.type,
    title: post.title,
    markdown: post.markdown,
    slug: post.slug,
    ...(isAutomaticExcerpt(post.excerpt, post.html) ? {} : { excerpt: post.excerpt }),
    tags: post.tags.map((t) => t.name),
    visibility: post.visibility,
    ...(post.coverImage ? { cover_image: post.coverImage } : {}),
  };
}

/** Serialises posts, looking each author up once (api-post-actions.ts too). */
export async function serialise(c: ApiContext, posts: Post[]): Promise<ApiPost[]> {
  const { store, config } = c.get('deps');
  const user = c.get('user');
  const authors = new Map<number, User | null>();
  for (const id of new Set(posts.map((p) => p.authorId))) authors.set(id, await store.users.findById(id));
  return posts.map((post) => {
    const author = authors.get(post.authorId) ?? null;
    // A protected post's text is for readers who entered its password on the site: not for the open API.
    const hidden = isProtected(post) && !mayEdit(user, post);
    return {
      id: post.id,
      type: post.type,
      slug: post.slug,
      url: `${config.siteUrl}/${post.slug}`,
      title: post.title,
      ...(mayEdit(user, post) ? { markdown: post.markdown } : {}),
      html: hidden ? '' : post.html,
      excerpt: hidden ? '' : post.excerpt,
      protected: isProtected(post),
      status: post.status,
      visibility: post.visibility,
      published_at: isoOrNull(post.publishedAt),
      updated_at: new Date(post.updatedAt).toISOString(),
      author: author ? { id: author.id, name: author.name, slug: author.slug } : null,
      tags: post.tags.map((t) => ({ slug: t.slug, name: t.name })),
      cover_image: post.coverImage,
      meta_description: post.metaDescription,
      social_image: post.socialImage,
      canonical_url: post.canonicalUrl,
    };
  });
}

async function serialiseOne(c: ApiContext, post: Post): Promise<ApiPost> {
  return (await serialise(c, [post]))[0];
}

/**
 * The JSON API, mounted at /api. Reading published posts is open; everything else acts
 * as the user behind a personal access token. The contract lives in ../openapi.ts.
 */
export function apiRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  let openApiDocument: Record<string, unknown> | null = null;

  app.onError(apiErrors);
  app.use('*', cacheHeaders);
  app.use('*', conditionalGets);
  app.use('*', authenticate);

  app.get('/openapi.json', (c) => {
    openApiDocument ??= buildOpenApiDocument(c.get('deps').config.siteUrl, [peopleOpenApi, commentsOpenApi, embedOpenApi, tagsOpenApi, settingsOpenApi, jobsOpenApi, uploadsOpenApi, subscriptionsOpenApi, webmentionsOpenApi, fediverseOpenApi, postActionsOpenApi, usersOpenApi, commentSettingsOpenApi, mailOpenApi, fediverseSettingsOpenApi, sitesOpenApi, importsOpenApi, deskOpenApi, peopleExtrasOpenApi]);
    return c.json(openApiDocument);
  });

  app.get('/posts', async (c) => {
    const { store, clock } = c.get('deps');
    const query = parseWith(apiListQuerySchema, c.req.query(), 'query parameters');
    const limit = query.per_page;
    const offset = (query.page - 1) * query.per_page;
    if (c.get('user')) requireScope(c, 'read');
    let result;
    if (query.status) {
      const user = requireScope(c, 'read');
      if (user.role === 'moderator') throw new DomainError('forbidden', 'Moderators have no posts to edit; leave out status to list published posts.');
      if (user.role !== 'owner' && query.author !== undefined && query.author !== user.id) {
        throw new DomainError('forbidden', 'An author lists only their own posts here; leave out author, or list published posts without status.');
      }
      result = await store.posts.listAdmin({
        status: query.status === 'all' ? undefined : query.status,
        type: query.type,
        tagSlug: query.tag,
        authorId: user.role === 'owner' ? query.author : user.id,
        text: query.q || undefined,
        limit,
        offset,
      });
    } else {
      if (query.q || query.author !== undefined) {
        const field = query.q ? 'q' : 'author';
        throw new DomainError('validation_failed', `${field} filters the posts a token may edit: send status too (e.g. status=all).`, { [field]: 'Needs status.' });
      }
      result = await store.posts.listPublished({ type: query.type, tagSlug: query.tag, limit, offset }, clock.now());
    }
    return c.json({ posts: await serialise(c, result.items), page: query.page, per_page: query.per_page, total: result.total });
  });

  app.get('/posts/:id', async (c) => {
    const { store, clock, config } = c.get('deps');
    const ref = c.req.param('id');
    const user = c.get('user') && requireScope(c, 'read');
    const visible = (post: Post | null): post is Post => post !== null && post.deletedAt === null && (isLive(post, clock.now()) || mayEdit(user, post));
    const id = toId(ref);
    let post = id === null ? null : await store.posts.findById(id);
    if (!visible(post)) post = await store.posts.findBySlug(ref);
    if (!visible(post)) {
      const moved = await store.posts.findByOldSlug(ref);
      if (visible(moved)) return c.redirect(`${config.siteUrl}/api/posts/${moved.slug}`, 301);
      throw notFound('The post');
    }
    return c.json(await serialiseOne(c, post));
  });

  app.post('/posts', limitWrites, limitBody, async (c) => {
    const user = requireScope(c, 'write');
    const input = parseWith(apiPostInputSchema, await readJson(c, { optional: false }), 'a JSON object with the post’s fields');
    const post = await c.get('deps').posts.create(user, toPostInput(input));
    c.header('Location', `${c.get('deps').config.siteUrl}/api/posts/${post.id}`);
    return c.json(await serialiseOne(c, post), 201);
  });

  app.patch('/posts/:id{[0-9]+}', limitWrites, limitBody, async (c) => {
    const user = requireScope(c, 'write');
    const body = await readJson(c, { optional: false });
    const current = await editablePost(c, user);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new DomainError('validation_failed', 'Send a JSON object with the fields to change.', { body: 'Send a JSON object.' });
    }
    const input = parseWith(apiPostInputSchema, { ...currentInput(current), ...body }, 'a JSON object with the fields to change');
    const post = await c.get('deps').posts.update(user, current.id, toPostInput(input));
    return c.json(await serialiseOne(c, post));
  });

  app.post('/posts/:id{[0-9]+}/publish', limitWrites, limitBody, async (c) => {
    const user = requireScope(c, 'write');
    const body = await readJson(c, { optional: true });
    const current = await editablePost(c, user);
    const input = parseWith(apiPublishInputSchema, body ?? {}, 'a JSON object, e.g. {"published_at": "2025-01-31T09:00:00Z"}');
    const { post, state } = await c.get('deps').posts.publish(user, current.id, msOrNull(input.published_at));
    return c.json({ post: await serialiseOne(c, post), state });
  });

  app.post('/posts/:id{[0-9]+}/unpublish', limitWrites, async (c) => {
    const user = requireScope(c, 'write');
    const current = await editablePost(c, user);
    return c.json(await serialiseOne(c, await c.get('deps').posts.unpublish(user, current.id)));
  });

  app.delete('/posts/:id{[0-9]+}', limitWrites, async (c) => {
    const user = requireScope(c, 'write');
    const current = await editablePost(c, user);
    await c.get('deps').posts.trash(user, current.id);
    return c.body(null, 204);
  });

  app.route('/people', apiPeopleRoutes());
  app.route('/', apiCommentRoutes());
  app.route('/embed', apiEmbedRoutes());
  app.route('/tags', apiTagRoutes());
  app.route('/settings', apiSettingsRoutes());
  app.route('/jobs', apiJobRoutes());
  app.route('/uploads', apiUploadRoutes());
  app.route('/subscriptions', apiSubscriptionRoutes());
  app.route('/webmentions', apiWebmentionRoutes());
  app.route('/fediverse', apiFediverseRoutes());
  app.route('/', apiPostActionRoutes());
  app.route('/', apiUserRoutes());
  app.route('/comment-settings', apiCommentSettingsRoutes());
  app.route('/mail', apiMailRoutes());
  app.route('/fediverse', apiFediverseSettingsRoutes());
  app.route('/sites', apiSiteRoutes());
  app.route('/imports', apiImportRoutes());
  app.route('/', apiDeskRoutes());
  app.route('/', apiPeopleExtraRoutes());

  // Anything else under /api (including /api itself) is a JSON 404, never an HTML page.
  app.all('*', (c) => jsonError(c, 404, 'not_found', `Nothing at ${c.req.method} ${c.req.path}. The API is described at /api/openapi.json.`));

  return app;
}
