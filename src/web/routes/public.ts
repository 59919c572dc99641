import { moderatesEverything } from '../../core/moderation-access.ts';
import type { ServerResponse } from 'node:http';
import { Hono, type Context } from 'hono';
import { toId } from '../../core/ids.ts';
import { isLive, mayRead } from '../../core/post-service.ts';
import { isProtected, type Post, type User } from '../../core/store.ts';
import { DomainError } from '../../core/errors.ts';
import { buildThread } from '../../core/thread.ts';
import type { AppEnv } from '../context.ts';
import { giveBack, html, rawBytes, type SafeHtml } from '../html.ts';
import { csrfTokenFor, pageCache } from '../middleware.ts';
import { enterPassword, passwordEntered, privatePage } from '../post-password.ts';
import { errorPage } from '../views/error-page.ts';
import { formatMonth, shownZone, startOfLocalDay } from '../views/format.ts';
import type { ListPageOptions } from '../views/public-views.ts';
import { archivePage, authorCard, postListPage, postPage, searchPage } from '../views/public-views.ts';
import { feedLinks } from '../views/feed-views.ts';
import { commentForm, conversationSection, cursorParam, fediverseOrigins, parseCursor, replySources, threadBlock } from '../views/comment-views.ts';
import { closedWords, commentsOpen } from '../../core/comment-settings.ts';
import { OWN_COOKIE, ownComments } from './own-comments.ts';
import { advertiseMentionEndpoints } from './webmention.ts';
import { mentionsSection } from '../views/mention-views.ts';
import { FACES_SHOWN } from '../../core/reactions.ts';
import { legacyRedirect } from '../legacy-redirect.ts';
import { servedImages } from '../responsive-images.ts';

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

/**
 * Gives a page's buffer (~300 KB for a post with 200 comments) back as soon as the answer
 * is sent, for the next page (`giveBack`), instead of leaving it to V8's next collection of
 * the young generation. Rendered from the database hundreds of times a second, pages sent
 * but not yet collected raised the process's peak RSS, and a page-sized block allocated and
 * freed per request cost more than rendering's own share of the page: glibc maps and unmaps
 * a block that size (npm start's MALLOC_MMAP_THRESHOLD_), a page fault per 4 KB each time.
 * The page's memory is detached as it is given back, so anything that still held it would
 * read nothing, never a later page. Without a socket to watch (`app.fetch` in process), the
 * buffer is collected as usual.
 */
function giveBackOnceSent(c: Context<AppEnv>, page: Uint8Array): void {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  // 'finish': the whole answer was handed to the socket, compressed or not.
  outgoing?.once('finish', () => giveBack(page));
}

function htmlPage(c: Context<AppEnv>, page: SafeHtml) {
  const headers = { 'Content-Type': 'text/html; charset=UTF-8' };
  const anonymous = c.get('user') === null && !(c.req.header('cookie') ?? '').includes(`${OWN_COOKIE}=`);
  if (c.get('deps').pageCache.enabled && anonymous) {
    // The page cache keeps one buffer of the whole page.
    const body = page.toBuffer();
    c.set('pageBody', body);
    return c.body(body, 200, headers);
  }
  // Uncached: write the shared conversation bytes as they are, beside the page's own small parts,
  // rather than copying everything into a fresh page-sized buffer per request.
  const { chunks, lent } = page.lendChunks();
  // A page rendered whole (no cached conversation in it) is one buffer: written with its head in
  // one go, with no stream to read it from block by block.
  if (chunks.length === 1) {
    if (lent) giveBackOnceSent(c, chunks[0]);
    return c.body(chunks[0] as Uint8Array<ArrayBuffer>, 200, headers);
  }
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  return c.body(stream, 200, { ...headers, 'Content-Length': String(length) });
}

async function notFoundPage(c: Context<AppEnv>) {
  const moved = await legacyRedirect(c);
  if (moved) return moved;
  return c.html((await errorPage(c, 404, 'There is nothing at this address. It may have moved, or the link may be mistyped.')).value, 404);
}

interface ListSpec {
  title: string;
  intro?: ReturnType<typeof html>;
  basePath: string;
  filter: { type: 'post'; tagSlug?: string; authorId?: number; from?: number; to?: number };
  emptyText: string;
  showHeading?: boolean;
  feeds?: ListPageOptions['feeds'];
  aside?: ListPageOptions['aside'];
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
      feeds: spec.feeds,
      aside: spec.aside,
    }),
  );
}

/** The post's comment section: the cached thread block, plus the form (or why comments are closed). */
async function conversationOf(c: Context<AppEnv>, post: Post): Promise<SafeHtml> {
  const { store, conversationCache, clock, spam } = c.get('deps');
  const now = clock.now();
  const settings = await c.get('deps').commentSettings();
  const after = parseCursor(c.req.query('after'));
  const open = commentsOpen(post, settings, now);
  const user = c.get('user');
  const own = await ownComments(c, post.id);
  const key = `${post.id}:${cursorParam(after)}:${open.open ? 1 : 0}`;
  let thread: SafeHtml;
  let total: number;
  // Staff who may open People see a badge beside the comments of people they keep notes about: their blocks are drawn afresh.
  const notesFor = user && moderatesEverything(user);
  const cached = own.size === 0 && !notesFor ? conversationCache.get(key) : undefined;
  if (cached) {
    thread = rawBytes(cached.bytes);
    total = cached.total;
  } else {
    const mark = conversationCache.mark();
    const [page, counts, staff] = await Promise.all([
      store.comments.threadPage(post.id, after, settings.conversationsPerPage),
      store.comments.countApproved([post.id]),
      store.users.list(),
    ]);
    const comments = page.comments;
    if (own.size > 0) {
      // The reader's own held comments, visible to them alone.
      for (const held of await store.comments.findMany([...own.keys()])) if (held.postId === post.id && held.status === 'pending') comments.push(held);
    }
    const staffIds = new Set(staff.filter((u) => u.role !== 'moderator' || u.id === post.authorId).map((u) => u.id));
    total = counts.get(post.id) ?? 0;
    const noted = notesFor ? await store.people.withNotes(comments.flatMap((x) => (x.personId !== null ? [x.personId] : []))) : new Set<number>();
    const block = threadBlock({
      noted,
      post,
      staffIds,
      sources: await replySources(store.webmentions, post.id, comments),
      fediverse: await fediverseOrigins(store.fediverseReplies, comments),
      avatars: settings.avatars,
      pageCursor: after,
      open: open.open,
      own,
      thread: buildThread(comments),
      total,
      next: page.next,
    });
    // A block with note badges is for this staff member only; without any it is the readers' block.
    if (own.size === 0 && noted.size === 0 && conversationCache.enabled) {
      const bytes = block.toBuffer();
      conversationCache.put(key, { bytes, total }, mark);
      thread = rawBytes(bytes);
    } else thread = block;
  }
  // Pages (About…) show a conversation only when it has comments or is open for them.
  if (post.type === 'page' && total === 0 && (!open.open || post.commentsMode !== 'open')) return html``;
  const replyId = toId(c.req.query('reply_to'));
  const replyTo = replyId === null ? null : await store.comments.findById(replyId);
  const formToken = spam.issueFormToken(post.id, now);
  // A cached copy of this page gets a fresh token on every response (see PageHole).
  if (open.open && !user) c.set('pageHole', { text: formToken, fill: (at) => spam.issueFormToken(post.id, at) });
  const form = open.open
    ? commentForm({
        post,
        formToken,
        replyTo: replyTo && replyTo.postId === post.id && replyTo.status === 'approved' ? replyTo : null,
        signedInAs: user ? { name: user.name, csrf: c.get('session')!.csrfToken } : null,
      })
    : null;
  return conversationSection(post, thread, form, open.open ? null : closedWords[open.reason]);
}

/** The public site: home, posts and pages, tags, authors, archive, search. */
export function publicRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', pageCache);

  app.get('/', async (c) => {
    if (c.req.query('p') !== undefined || c.req.query('page_id') !== undefined) {
      const moved = await legacyRedirect(c);
      if (moved) return moved;
    }
    const site = c.get('site');
    const owner = (await c.get('deps').store.users.list()).find((u) => u.role === 'owner');
    return renderList(c, {
      title: site.title,
      intro: site.description ? html`<p>${site.description}</p>` : undefined,
      basePath: '/',
      filter: { type: 'post' },
      emptyText: 'Nothing published yet. Sign in and write the first post.',
      aside: owner ? authorCard(owner, `${c.get('deps').config.siteUrl}/`) : undefined,
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
      feeds: feedLinks(`/tag/${tag.slug}/`, `Posts tagged “${tag.name}”`),
    });
  });

  app.get('/author/:slug', async (c) => {
    const author = await c.get('deps').store.users.findBySlug(c.req.param('slug'));
    if (!author) return notFoundPage(c);
    return renderList(c, {
      title: author.name,
      intro: html`<div class="p-author h-card"><data class="p-name" value="${author.name}"></data><data class="u-url" value="${c.get('deps').config.siteUrl}/author/${author.slug}"></data><p class="p-note">${author.bio || `Posts by ${author.name}.`}</p></div>`,
      basePath: `/author/${author.slug}`,
      filter: { type: 'post', authorId: author.id },
      emptyText: `${author.name} has not published anything yet.`,
    });
  });

  app.get('/archive', async (c) => {
    const { store, clock } = c.get('deps');
    // Months as the site's zone has them (views/format.ts).
    const zone = shownZone();
    return htmlPage(c, archivePage(c, await store.posts.archiveMonths(clock.now(), (ms) => zone.at(ms).offset)));
  });

  app.get('/archive/:year{[0-9]{4}}/:month{[0-9]{2}}', (c) => {
    const year = Number(c.req.param('year'));
    const month = Number(c.req.param('month'));
    if (month < 1 || month > 12) return notFoundPage(c);
    return renderList(c, {
      title: formatMonth(year, month),
      intro: html`<p><a href="/archive">All months</a></p>`,
      basePath: `/archive/${c.req.param('year')}/${c.req.param('month')}`,
      filter: { type: 'post', from: startOfLocalDay(year, month, 1), to: startOfLocalDay(year, month + 1, 1) },
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
    const { store, clock, conversationCache } = c.get('deps');
    const slug = c.req.param('slug');
    const data = await conversationCache.postData(`post:${slug}`, async () => {
      const found = await store.posts.findBySlug(slug);
      if (!found) return null;
      const [author, mentions, reactions, images] = await Promise.all([
        store.users.findById(found.authorId),
        store.webmentions.listVerified(found.id),
        store.reactions.forPost(found.id, FACES_SHOWN),
        servedImages(found, store.uploads),
      ]);
      return { post: { ...found, html: images.html }, author, mentions, reactions, coverSrcset: images.coverSrcset };
    });
    if (!data) {
      // Only to a post this visitor may read: a draft's new address is not given away.
      const moved = await store.posts.findByOldSlug(slug);
      if (moved) return mayRead(c.get('user'), moved, clock.now()) ? c.redirect(`/${moved.slug}`, 301) : notFoundPage(c);
      // Its slug is still taken, so the post is in the trash: 410 Gone tells sites that mentioned it (Webmention).
      if (await store.posts.slugInUse(slug)) return c.html((await errorPage(c, 410, 'This post was deleted.')).value, 410);
      return notFoundPage(c);
    }
    const { post, author, mentions, reactions, coverSrcset } = data;
    const user = c.get('user');
    if (!mayRead(user, post, clock.now())) return notFoundPage(c);
    const preview = !isLive(post, clock.now());
    if (isProtected(post)) {
      // Whether locked or unlocked, this page is one reader's: never the shared page cache's.
      privatePage(c);
      if (!passwordEntered(c, post)) return htmlPage(c, postPage(c, { post, author: author ?? undefined, conversation: html``, preview, locked: { csrf: csrfTokenFor(c) } }));
    }
    const conversation = await conversationOf(c, post);
    advertiseMentionEndpoints(c);
    const { loadRemoteImages } = await c.get('deps').site();
    return htmlPage(c, postPage(c, { post, author: author ?? undefined, conversation, preview, mentions: mentionsSection(mentions, { reactions, remoteImages: loadRemoteImages }), coverSrcset }));
  });

  // The password form of a protected post: right, a cookie for this post and back to it; wrong, the form again with why.
  app.post('/:slug{[a-z0-9]+(?:-[a-z0-9]+)*}/password', async (c) => {
    const { store, clock } = c.get('deps');
    const post = await store.posts.findBySlug(c.req.param('slug'));
    const live = post !== null && post.status === 'published' && post.publishedAt !== null && post.publishedAt <= clock.now();
    if (!post || !live || !isProtected(post)) return notFoundPage(c);
    const body = await c.req.parseBody();
    privatePage(c);
    try {
      await enterPassword(c, post, typeof body.password === 'string' ? body.password : '');
      return c.redirect(`/${post.slug}`, 303);
    } catch (error) {
      if (!(error instanceof DomainError) || (error.code !== 'unauthenticated' && error.code !== 'rate_limited')) throw error;
      const retry = error.context.retryAfterSeconds;
      if (typeof retry === 'number') c.header('Retry-After', String(retry));
      const author = (await store.users.findById(post.authorId)) ?? undefined;
      const page = postPage(c, { post, author, conversation: html``, preview: false, locked: { csrf: csrfTokenFor(c), error: error.message } });
      return c.html(page.value, error.code === 'rate_limited' ? 429 : 403);
    }
  });

  return app;
}
