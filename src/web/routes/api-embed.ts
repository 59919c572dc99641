import { Hono, type MiddlewareHandler } from 'hono';
import { streamApprovedComments } from '../approved-comments-stream.ts';
import { closedWords, commentsOpen } from '../../core/comment-settings.ts';
import { EmbedService } from '../../core/embeds.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import { toId } from '../../core/ids.ts';
import { isLive } from '../../core/post-service.ts';
import type { Comment, Post, ThreadComment } from '../../core/store.ts';
import { clientIp } from '../client-ip.ts';
import type { AppEnv } from '../context.ts';
import {
  apiEmbedCommentInputSchema,
  apiEmbedDeleteInputSchema,
  apiEmbedEditInputSchema,
  apiEmbedThreadInputSchema,
  type ApiEmbedComment,
  type ApiEmbedPage,
  type ApiEmbedThread,
} from '../openapi-embed.ts';
import { isoOrNull, parseWith, readJson, type ApiContext } from './api-request.ts';
import type { CommentSettings } from '../../core/comment-settings.ts';
import { avatarParts, cursorParam, parseCursor } from '../views/comment-views.ts';

/**
 * Comments on other sites, mounted at /api/embed (contract: ../openapi-embed.ts). Readers
 * are anonymous and hold no cookie: a browser may call these only from a registered site
 * (its Origin, checked on every request, preflight included), and every comment goes
 * through the blog's CommentService (form token, honeypot, rate limits, spam checks,
 * moderation, notifications, People).
 */

/** How long a browser may reuse a preflight answer. */
const PREFLIGHT_SECONDS = 600;
export const embedServiceOf = (c: ApiContext) => {
  const { store, clock, changes } = c.get('deps');
  return new EmbedService({ store, clock, onChanged: (reason) => changes.publish(reason) });
};

/** CORS for registered sites only: any other Origin is refused before anything is read or written. */
const registeredOrigin: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.header('Vary', 'Origin', { append: true });
  const origin = c.req.header('origin');
  if (origin !== undefined) {
    const site = origin === 'null' ? null : await c.get('deps').store.embeds.findSite(origin.toLowerCase());
    if (!site) throw new DomainError('forbidden', `${origin} is not among the sites this blog takes comments for: its owner adds it in Admin → Sites.`);
    c.header('Access-Control-Allow-Origin', origin);
    c.header('Access-Control-Expose-Headers', 'Retry-After');
  }
  await next();
};

/** A CORS preflight, from a registered site (registeredOrigin checked it). */
const preflight = (c: ApiContext) => {
  if (c.req.header('origin') === undefined) throw new DomainError('forbidden', 'A preflight request names its Origin.');
  c.header('Access-Control-Allow-Methods', 'GET, POST, PATCH, DELETE');
  c.header('Access-Control-Allow-Headers', 'Content-Type, Last-Event-ID');
  c.header('Access-Control-Max-Age', String(PREFLIGHT_SECONDS));
  return c.body(null, 204);
};

/** The thread (post) `id` names, if it is another site's page and live. */
async function threadPost(c: ApiContext, raw: string | undefined): Promise<Post> {
  const id = toId(raw);
  const post = id === null ? null : await c.get('deps').store.posts.findById(id);
  if (!post || post.type !== 'external' || !isLive(post, c.get('deps').clock.now())) throw notFound('The thread');
  await sameSite(c, post);
  return post;
}

/** A browser on one registered site does not act on another site's threads. */
async function sameSite(c: ApiContext, post: Post): Promise<void> {
  const origin = c.req.header('origin');
  if (origin === undefined) return;
  const thread = await c.get('deps').store.embeds.threadOfPost(post.id);
  if (!thread || thread.origin !== origin.toLowerCase()) throw new DomainError('forbidden', `This thread belongs to a page of another site than ${origin}.`);
}

const statusWord = (status: Comment['status']): ApiEmbedComment['status'] => (status === 'approved' ? 'approved' : status === 'pending' ? 'pending' : 'not-published');

/** `markdown` is sent with a comment its writer may still edit (a thread page's comments carry none: pass the writer's own, whole). */
export function toEmbedComment(comment: ThreadComment & { markdown?: string }, editableUntil: number | null, avatars: CommentSettings['avatars']): ApiEmbedComment {
  return {
    id: comment.id,
    parent_id: comment.parentId,
    depth: comment.depth,
    author_name: comment.authorName,
    author_url: comment.authorUrl,
    html: comment.html,
    created_at: new Date(comment.createdAt).toISOString(),
    edited_at: isoOrNull(comment.editedAt),
    staff: comment.userId !== null,
    status: statusWord(comment.status),
    editable_until: isoOrNull(editableUntil),
    avatar: avatarParts(comment, avatars),
    ...(editableUntil === null || comment.markdown === undefined ? {} : { markdown: comment.markdown }),
  };
}

function outcomeMessage(status: Comment['status']): string {
  if (status === 'approved') return 'Thank you! Your comment is published.';
  if (status === 'pending') return 'Thank you! Your comment is waiting for the author to approve it; only you can see it until then.';
  return 'Your comment was not published: our automatic checks set it aside. It will appear only if the author reviews it and lets it through.';
}

export function apiEmbedRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', registeredOrigin);
  app.options('/threads', preflight);
  app.options('/threads/:id/comments', preflight);
  app.options('/comments/:id', preflight);

  app.post('/threads', async (c) => {
    const deps = c.get('deps');
    const input = parseWith(apiEmbedThreadInputSchema, await readJson(c, { optional: false }), 'a JSON object with the page’s url (and title)');
    const origin = c.req.header('origin');
    const embeds = embedServiceOf(c);
    const page = await embeds.pageOf(input.url);
    if (origin !== undefined && page.url.origin !== origin.toLowerCase()) {
      throw new DomainError('forbidden', `The page ${page.url.origin} is not on the site asking (${origin}).`);
    }
    const found = await embeds.threadFor(input.url, input.title, clientIp(c));
    const { thread, created } = found;
    if (!isLive(found.post, deps.clock.now())) throw notFound('The thread');
    // The page's title changed since: a browser on the page's own site may say so (rate limited, in the history).
    const post = !created && origin !== undefined ? await embeds.retitle(found.post, thread, input.title, clientIp(c)) : found.post;
    const settings = await deps.commentSettings();
    const now = deps.clock.now();
    const [first, counts] = await Promise.all([deps.store.comments.threadPage(post.id, null, settings.conversationsPerPage), deps.store.comments.countApproved([post.id])]);
    const approved = first.comments;
    const ownUntil = new Map<number, number>();
    const ownWhole = new Map<number, Comment>();
    const held: Comment[] = [];
    for (const { id, secret } of input.own ?? []) {
      try {
        const { comment, editableUntil } = await deps.comments.ownComment(id, secret);
        if (comment.postId !== post.id) continue;
        ownUntil.set(id, editableUntil);
        ownWhole.set(id, comment);
        if (comment.status !== 'approved') held.push(comment);
      } catch (error) {
        // Not theirs, gone, or past the window: simply not shown as theirs.
        if (!(error instanceof DomainError)) throw error;
      }
    }
    // Held comments after the page's: the element places each under its parent once that is shown.
    const comments = [...approved, ...held.sort((a, b) => a.createdAt - b.createdAt || a.id - b.id)];
    const open = commentsOpen(post, settings, now);
    const siteUrl = deps.config.siteUrl;
    const body: ApiEmbedThread = {
      thread: {
        id: post.id,
        url: `${siteUrl}/${post.slug}`,
        page_url: thread.pageUrl,
        title: post.title,
        comments_open: open.open,
        closed_message: open.open ? null : closedWords[open.reason],
        feed_url: `${siteUrl}/${post.slug}/comments/atom.xml`,
      },
      comments: comments.map((comment) => toEmbedComment(ownWhole.get(comment.id) ?? comment, ownUntil.get(comment.id) ?? null, settings.avatars)),
      next: first.next ? cursorParam(first.next) : null,
      comment_count: counts.get(post.id) ?? 0,
      form_token: deps.spam.issueFormToken(post.id, now),
      edit_window_minutes: settings.editWindowMinutes,
      live_url: `${siteUrl}/api/embed/threads/${post.id}/live`,
    };
    return c.json(body, created ? 201 : 200);
  });

  app.post('/threads/:id/comments', async (c) => {
    const deps = c.get('deps');
    const post = await threadPost(c, c.req.param('id'));
    const input = parseWith(apiEmbedCommentInputSchema, await readJson(c, { optional: false }), 'a JSON object with the comment’s fields');
    const thread = await deps.store.embeds.threadOfPost(post.id);
    const { comment, editSecret, confirmationSentTo } = await deps.comments.submit(
      {
        postId: post.id,
        parentId: input.parent_id ?? null,
        name: input.name ?? '',
        email: input.email ?? '',
        website: input.website ?? '',
        body: input.body,
        honeypot: input.honeypot ?? '',
        formToken: input.form_token ?? '',
        subscribeReplies: input.subscribe_replies ?? false,
        subscribePost: input.subscribe_post ?? false,
      },
      // Readers are anonymous here, whatever token came along.
      { ip: clientIp(c), userAgent: c.req.header('user-agent') ?? '', referrer: thread?.pageUrl ?? c.req.header('referer') ?? '', user: null },
      `${deps.config.siteUrl}/${post.slug}`,
      post,
    );
    const settings = await deps.commentSettings();
    const editableUntil = editSecret ? comment.createdAt + settings.editWindowMinutes * 60_000 : null;
    const confirmation = confirmationSentTo
      ? ` We sent an email to ${confirmationSentTo}: open the link in it to confirm your address, and the emails you asked for will follow. Nothing is sent until you do.`
      : '';
    return c.json(
      { comment: toEmbedComment(comment, editableUntil, settings.avatars), message: `${outcomeMessage(comment.status)}${confirmation}`, edit_secret: editSecret, confirmation_sent_to: confirmationSentTo },
      201,
    );
  });

  app.get('/comments/:id', async (c) => {
    const { store } = c.get('deps');
    const id = toId(c.req.param('id'));
    const comment = id === null ? null : await store.comments.findById(id);
    if (!comment || comment.status !== 'approved') throw notFound('The comment');
    await threadPost(c, String(comment.postId));
    return c.json(toEmbedComment(comment, null, (await c.get('deps').commentSettings()).avatars));
  });

  // The next conversations of a thread, in the blog's order (oldest first), each whole:
  // keyset paging from the `next` of the page before, so a late page costs what the first does.
  app.get('/threads/:id/comments', async (c) => {
    const deps = c.get('deps');
    const post = await threadPost(c, c.req.param('id'));
    const raw = c.req.query('after');
    const after = parseCursor(raw);
    if (raw !== undefined && after === null) {
      const message = 'The `after` cursor is not one this API gave (use the `next` of the page before).';
      throw new DomainError('validation_failed', message, { after: message });
    }
    const settings = await deps.commentSettings();
    const page = await deps.store.comments.threadPage(post.id, after, settings.conversationsPerPage);
    const body: ApiEmbedPage = { comments: page.comments.map((comment) => toEmbedComment(comment, null, settings.avatars)), next: page.next ? cursorParam(page.next) : null };
    return c.json(body);
  });

  /** The comment `id` of a thread this site may act on, with the writer's secret checked by the service. */
  const ownThreadComment = async (c: ApiContext): Promise<number> => {
    const id = toId(c.req.param('id'));
    const comment = id === null ? null : await c.get('deps').store.comments.findById(id);
    if (!comment) throw notFound('The comment');
    await threadPost(c, String(comment.postId));
    return comment.id;
  };

  app.patch('/comments/:id', async (c) => {
    const id = await ownThreadComment(c);
    const input = parseWith(apiEmbedEditInputSchema, await readJson(c, { optional: false }), 'a JSON object with secret and body');
    const { editableUntil } = await c.get('deps').comments.ownComment(id, input.secret);
    const updated = await c.get('deps').comments.editOwn(id, input.secret, input.body);
    return c.json(toEmbedComment(updated, editableUntil, (await c.get('deps').commentSettings()).avatars));
  });

  app.delete('/comments/:id', async (c) => {
    const id = await ownThreadComment(c);
    const input = parseWith(apiEmbedDeleteInputSchema, await readJson(c, { optional: false }), 'a JSON object with the secret');
    await c.get('deps').comments.deleteOwn(id, input.secret);
    return c.json({ deleted: true as const });
  });

  // Comments approved on a thread, live: the same change-feed events as the blog's own
  // pages get (routes/comments.ts), with the instance's cap (live-streams.ts) and resuming
  // after Last-Event-ID.
  app.get('/threads/:id/live', async (c) => {
    const post = await threadPost(c, c.req.param('id'));
    return streamApprovedComments(c, post.id);
  });

  return app;
}
