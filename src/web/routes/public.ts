import { Hono, type Context } from 'hono';
import { canEditPost } from '../../core/post-service.ts';
import type { Post, User } from '../../core/store.ts';
import { buildThread } from '../../core/thread.ts';
import type { AppEnv } from '../context.ts';
import { html, rawBytes, type SafeHtml } from '../html.ts';
import { pageCache } from '../middleware.ts';
import { errorPage } from '../views/error-page.ts';
import { formatMonth } from '../views/format.ts';
import { archivePage, conversationSection, postListPage, postPage, searchPage } from '../views/public-views.ts';

/** ?page=N as a positive whole number; anything else is page 1. */
function pageNumber(c: Context<AppEnv>): number {
  const n = Number(c.req.query('page') ?? '1');
  return Number.isInteger(n) && n >= 1 && n <= 100_000 ? n : 1;
}

async function authorsOf(c: Context<AppEnv>, posts: Post[]): Promise<Map<number, User>> {
  const { store } = c.get('deps');
  const ids = [...new Set(posts.map((p) => p.authorId))];
  const authors = new Map<number, User>();
  for (const id of ids) {
    const user = await store.users.findById(id);
    if (user) authors.set(id, user);
  }
  return authors;
}

function htmlPage(c: Context<AppEnv>, page: SafeHtml) {
  const body = page.toBuffer();
  c.set('pageBody', body);
  return c.body(body, 200, { 'Content-Type': 'text/html; charset=UTF-8' });
}

async function notFoundPage(c: Context<AppEnv>) {
  return c.html((await errorPage(c, 404, 'There is nothing at this address. It may have moved, or the link may be mistyped.')).value, 404);
}

interface ListSpec {
  title: string;
  intro?: ReturnType<typeof html>;
  basePath: string;
  filter: { type: 'post'; tagSlug?: string; authorId?: number; from?: number; to?: number };
  emptyText: string;
  showHeading?: boolean;
}

async function renderList(c: Context<AppEnv>, spec: ListSpec) {
  const { store, clock } = c.get('deps');
  const perPage = c.get('site').postsPerPage;
  const page = pageNumber(c);
  const result = await store.posts.listPublished({ ...spec.filter, limit: perPage, offset: (page - 1) * perPage }, clock.now());
  const totalPages = Math.max(1, Math.ceil(result.total / perPage));
  if (page > totalPages) return notFoundPage(c);
  const [authors, commentCounts] = await Promise.all([authorsOf(c, result.items), store.comments.countApproved(result.items.map((p) => p.id))]);
  return htmlPage(
    c,
    postListPage(c, {
      title: spec.title,
      intro: spec.intro,
      posts: result.items,
      authors,
      commentCounts,
      page,
      totalPages,
      pageUrl: (n) => (n === 1 ? spec.basePath : `${spec.basePath}?page=${n}`),
      emptyText: spec.emptyText,
      showHeading: spec.showHeading,
    }),
  );
}

/** The post's comment section, from the conversation cache or freshly rendered into it. */
async function conversationOf(c: Context<AppEnv>, post: Post): Promise<SafeHtml> {
  const { store, conversationCache } = c.get('deps');
  const key = `${post.id}`;
  const cached = conversationCache.get(key);
  if (cached) return rawBytes(cached);
  const [comments, staff] = await Promise.all([store.comments.listApproved(post.id), store.users.list()]);
  const staffIds = new Set(staff.filter((u) => u.role !== 'moderator' || u.id === post.authorId).map((u) => u.id));
  const section = conversationSection({ post, thread: buildThread(comments), commentCount: comments.length, staffIds });
  if (!conversationCache.enabled) return section;
  const bytes = section.toBuffer();
  conversationCache.put(key, bytes);
  return rawBytes(bytes);
}

/** The public site: home, posts and pages, tags, authors, archive, search. */
export function publicRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', pageCache);

  app.get('/', (c) => {
    const site = c.get('site');
    return renderList(c, {
      title: site.title,
      intro: site.description ? html`<p>${site.description}</p>` : undefined,
      basePath: '/',
      filter: { type: 'post' },
      emptyText: 'Nothing published yet. Sign in and write the first post.',
    });
  });

  app.get('/tag/:slug', async (c) => {
    const tag = await c.get('deps').store.tags.findBySlug(c.req.param('slug'));
    if (!tag) return notFoundPage(c);
    return renderList(c, {
      title: `Tagged “${tag.name}”`,
      basePath: `/tag/${tag.slug}`,
      filter: { type: 'post', tagSlug: tag.slug },
      emptyText: 'No published posts carry this tag yet.',
    });
  });

  app.get('/author/:slug', async (c) => {
    const author = await c.get('deps').store.users.findBySlug(c.req.param('slug'));
    if (!author) return notFoundPage(c);
    return renderList(c, {
      title: author.name,
      intro: html`<div class="h-card"><p class="p-note">${author.bio || `Posts by ${author.name}.`}</p></div>`,
      basePath: `/author/${author.slug}`,
      filter: { type: 'post', authorId: author.id },
      emptyText: `${author.name} has not published anything yet.`,
    });
  });

  app.get('/archive', async (c) => {
    const { store, clock } = c.get('deps');
    return htmlPage(c, archivePage(c, await store.posts.archiveMonths(clock.now())));
  });

  app.get('/archive/:year{[0-9]{4}}/:month{[0-9]{2}}', (c) => {
    const year = Number(c.req.param('year'));
    const month = Number(c.req.param('month'));
    if (month < 1 || month > 12) return notFoundPage(c);
    return renderList(c, {
      title: formatMonth(year, month),
      intro: html`<p><a href="/archive">All months</a></p>`,
      basePath: `/archive/${c.req.param('year')}/${c.req.param('month')}`,
      filter: { type: 'post', from: Date.UTC(year, month - 1, 1), to: Date.UTC(year, month, 1) },
      emptyText: 'Nothing was published that month.',
    });
  });

  app.get('/search', async (c) => {
    const { store, clock } = c.get('deps');
    const query = (c.req.query('q') ?? '').trim().slice(0, 200);
    const hits = query ? await store.posts.search(query, 30, clock.now()) : [];
    return htmlPage(c, searchPage(c, query, hits));
  });

  app.get('/:slug{[a-z0-9]+(?:-[a-z0-9]+)*}', async (c) => {
    const { store, clock } = c.get('deps');
    const slug = c.req.param('slug');
    const post = await store.posts.findBySlug(slug);
    if (!post) {
      const moved = await store.posts.findByOldSlug(slug);
      if (moved) return c.redirect(`/${moved.slug}`, 301);
      return notFoundPage(c);
    }
    const user = c.get('user');
    const live = post.status === 'published' && post.publishedAt !== null && post.publishedAt <= clock.now();
    const preview = !live && user !== null && (canEditPost(user, post).ok || user.role === 'moderator');
    if (!live && !preview) return notFoundPage(c);
    const [author, conversation] = await Promise.all([store.users.findById(post.authorId), conversationOf(c, post)]);
    return htmlPage(c, postPage(c, { post, author: author ?? undefined, conversation, preview }));
  });

  return app;
}
