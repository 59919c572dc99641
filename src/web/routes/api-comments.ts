import { Hono } from 'hono';
import type { ModerationAction, SubmitContext } from '../../core/comment-service.ts';
import { formatCommentCursor, parseCommentCursor } from '../../core/comment-cursor.ts';
import { closedWords, commentsOpen } from '../../core/comment-settings.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import { toId } from '../../core/ids.ts';
import { moderatesEverything } from '../../core/moderation-access.ts';
import { mayRead } from '../../core/post-service.ts';
import { replyAsStaff } from '../../core/staff-reply.ts';
import { isProtected, type Comment, type CommentRevision, type Post, type User } from '../../core/store.ts';
import { clientIp } from '../client-ip.ts';
import type { AppEnv } from '../context.ts';
import {
  apiCommentPatchSchema,
  apiCommentQuerySchema,
  apiDeleteSpamInputSchema,
  apiModerationInputSchema,
  apiOwnEditInputSchema,
  apiOwnWithdrawInputSchema,
  apiReaderCommentInputSchema,
  apiReplyInputSchema,
  apiRestoreInputSchema,
  apiWaitingQuerySchema,
  commentCursorMessage,
  type ApiComment,
  type ApiCommentDetail,
  type ApiModerationAction,
} from '../openapi-comments.ts';
import { countsInReach, moderatableComments, parentsOf, postsOf } from './admin/comment-inbox.ts';
import { isoOrNull, limitBody, limitWrites, parseWith, readJson, requireScope, type ApiContext } from './api-request.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/** The API's words for the core's actions: "hold" is the admin's "unapprove". */
const coreAction: Record<ApiModerationAction, ModerationAction> = { approve: 'approve', hold: 'unapprove', spam: 'spam', trash: 'trash', restore: 'restore' };

function cursorPosition(cursor: string): { createdAt: number; id: number } {
  const position = parseCommentCursor(cursor);
  if (!position) throw new DomainError('validation_failed', `cursor: ${commentCursorMessage}`, { cursor: commentCursorMessage });
  return position;
}

function postUrl(c: ApiContext, post: Post): string {
  return `${c.get('deps').config.siteUrl}/${post.slug}`;
}

function commentOut(c: ApiContext, comment: Comment, post: Post | undefined): ApiComment {
  return {
    id: comment.id,
    post_id: comment.postId,
    parent_id: comment.parentId,
    status: comment.status,
    source: comment.source,
    person_id: comment.personId,
    user_id: comment.userId,
    author_name: comment.authorName,
    author_email: comment.authorEmail,
    author_url: comment.authorUrl,
    markdown: comment.markdown,
    html: comment.html,
    moderation_reasons: comment.moderationReasons,
    spam_score: comment.spamScore,
    ip: comment.ip,
    created_at: iso(comment.createdAt),
    edited_at: isoOrNull(comment.editedAt),
    status_changed_at: iso(comment.statusChangedAt),
    url: comment.status === 'approved' && post ? `${c.get('deps').config.siteUrl}/comments/${comment.id}` : null,
  };
}

async function commentsOut(c: ApiContext, comments: Comment[]): Promise<ApiComment[]> {
  const posts = await postsOf(c.get('deps').store, comments);
  return comments.map((comment) => commentOut(c, comment, posts.get(comment.postId)));
}

function revisionOut(r: CommentRevision) {
  return { markdown: r.markdown, parent_id: r.parentId, editor: r.editorName, edited_by: r.editedBy, created_at: iso(r.createdAt) };
}

async function detailOut(c: ApiContext, comment: Comment, post: Post): Promise<ApiCommentDetail> {
  const history = await c.get('deps').comments.history(comment.id);
  return { ...commentOut(c, comment, post), post: { id: post.id, title: post.title, slug: post.slug, url: postUrl(c, post) }, history: history.map(revisionOut) };
}

/** The comment in the path, when the token's user may moderate it: 404 when there is none, 403 when it is on another author's post. */
async function ownedComment(c: ApiContext, user: User): Promise<{ comment: Comment; post: Post }> {
  const id = toId(c.req.param('id'));
  if (id === null) throw notFound('The comment');
  const { comments, posts } = await moderatableComments(c, user, [id]);
  return { comment: comments[0], post: posts.get(comments[0].postId)! };
}

/** The post in the path, when this caller may read it (a reader: only live posts). */
async function readablePost(c: ApiContext): Promise<Post> {
  const { store, clock } = c.get('deps');
  const id = toId(c.req.param('id'));
  const post = id === null ? null : await store.posts.findById(id);
  if (!post || !mayRead(c.get('user'), post, clock.now())) throw notFound('The post');
  return post;
}

/** The core names form fields as the form does; the API names them as its wire does. */
const wireField: Record<string, string> = { parentId: 'parent_id', formToken: 'form_token', postId: 'post_id' };

function renamedFields(error: unknown): unknown {
  if (!(error instanceof DomainError) || !error.fields) return error;
  const fields = Object.fromEntries(Object.entries(error.fields).map(([k, v]) => [wireField[k] ?? k, v]));
  return new DomainError(error.code, error.message, fields, error.context);
}

/** Where a reader's comment went, in the form's words: never which check caught it. */
function outcomeOf(status: Comment['status']): { status: 'approved' | 'held' | 'not_published'; message: string } {
  if (status === 'approved') return { status: 'approved', message: 'Thank you! Your comment is published.' };
  if (status === 'pending') return { status: 'held', message: 'Thank you! Your comment is waiting for the author to approve it.' };
  return { status: 'not_published', message: 'Your comment was not published: our automatic checks set it aside. It will appear only if the author reviews it and lets it through.' };
}

/**
 * Comments in the JSON API (issue 13, point 1), mounted at /api: readers comment on a post
 * through CommentService.submit, exactly as the form does (spam defence, rate limits per
 * address, the moderation policy, People, notifications); the team's inbox, replies,
 * edits, moderation and "waiting for you" go through the same core calls as Admin →
 * Comments, with the same reach (moderation-access.ts). The contract is openapi-comments.ts.
 */
export function apiCommentRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/comments', async (c) => {
    const user = requireScope(c, 'read');
    const { store } = c.get('deps');
    const query = parseWith(apiCommentQuerySchema, c.req.query(), 'query parameters');
    const authorId = moderatesEverything(user) ? undefined : user.id;
    if (query.post !== undefined && authorId !== undefined) {
      const post = await store.posts.findById(query.post);
      if (!post || post.deletedAt !== null || post.authorId !== authorId) {
        throw new DomainError('forbidden', 'Authors look after the comments on their own posts; this post is another author’s.');
      }
    }
    const page = await store.comments.listForModeration({
      status: query.status,
      postId: query.post,
      personId: query.person,
      authorId,
      text: query.q?.trim() || undefined,
      since: query.since === undefined ? undefined : Date.parse(query.since),
      before: query.cursor ? cursorPosition(query.cursor) : undefined,
      noTotal: true,
      // One more than asked tells whether a next page exists.
      limit: query.per_page + 1,
      offset: 0,
    });
    const items = page.items.slice(0, query.per_page);
    const next = page.items.length > query.per_page ? formatCommentCursor(items[items.length - 1]) : null;
    return c.json({ comments: await commentsOut(c, items), next_cursor: next });
  });

  app.get('/comments/:id{[0-9]+}', async (c) => {
    const { comment, post } = await ownedComment(c, requireScope(c, 'read'));
    return c.json(await detailOut(c, comment, post));
  });

  app.patch('/comments/:id{[0-9]+}', limitWrites, limitBody, async (c) => {
    const token = requireScope(c, 'read');
    const input = parseWith(apiCommentPatchSchema, await readJson(c, { optional: false }), 'a JSON object, e.g. {"body": "Fixed the link."}');
    const { comment } = await ownedComment(c, token);
    const user = requireScope(c, comment.userId === token.id ? 'write' : 'moderate');
    try {
      await c.get('deps').comments.editAsStaff(user, comment.id, { body: input.body, parentId: input.parent_id });
    } catch (error) {
      throw renamedFields(error);
    }
    const saved = await ownedComment(c, user);
    return c.json(await detailOut(c, saved.comment, saved.post));
  });

  app.post('/comments/:id{[0-9]+}/replies', limitWrites, limitBody, async (c) => {
    const deps = c.get('deps');
    const user = requireScope(c, 'write');
    const input = parseWith(apiReplyInputSchema, await readJson(c, { optional: false }), 'a JSON object, e.g. {"body": "Thank you!"}');
    const { comment: target } = await ownedComment(c, user);
    // Answering a held comment approves it first, as the admin does: a moderation decision too.
    if (target.status === 'pending') requireScope(c, 'moderate');
    const { reply, parent, post } = await replyAsStaff(deps, user, target.id, input.body, { ip: clientIp(c), userAgent: c.req.header('user-agent') ?? '', referrer: '' }, (p) => postUrl(c, p));
    c.header('Location', `${deps.config.siteUrl}/api/comments/${reply.id}`);
    return c.json({ reply: commentOut(c, reply, post), parent: commentOut(c, parent, post) }, 201);
  });

  app.post('/comments/:id{[0-9]+}/restore', limitWrites, limitBody, async (c) => {
    const user = requireScope(c, 'moderate');
    const input = parseWith(apiRestoreInputSchema, (await readJson(c, { optional: true })) ?? {}, 'a JSON object, e.g. {"reason": "not spam"}');
    const { comment, post } = await ownedComment(c, user);
    if (comment.status !== 'spam' && comment.status !== 'trash') {
      throw new DomainError('conflict', `Only a comment in Spam or the trash can be restored; this one is ${comment.status === 'approved' ? 'published' : 'held'}.`);
    }
    await c.get('deps').comments.moderate([comment.id], 'restore', user.id, input.reason?.trim() || null);
    const saved = (await c.get('deps').store.comments.findById(comment.id)) ?? comment;
    return c.json(await detailOut(c, saved, post));
  });

  app.post('/comments/moderation', limitWrites, limitBody, async (c) => {
    const user = requireScope(c, 'moderate');
    const { store, comments } = c.get('deps');
    const input = parseWith(apiModerationInputSchema, await readJson(c, { optional: false }), 'a JSON object, e.g. {"ids": [12, 34], "action": "approve"}');
    const ids = [...new Set(input.ids)];
    const found = await moderatableComments(c, user, ids);
    const missing = ids.filter((id) => !found.comments.some((comment) => comment.id === id));
    // All or nothing: a request naming a comment that is not there changes none.
    if (missing.length > 0) throw new DomainError('not_found', `No comment ${missing.length === 1 ? 'has' : 'have'} the id${missing.length === 1 ? '' : 's'} ${missing.join(', ')}; nothing was changed.`, { ids: missing.join(',') });
    const changed = await comments.moderate(ids, coreAction[input.action], user.id, input.reason?.trim() || null);
    const changedIds = new Set(changed.map((comment) => comment.id));
    const now = await store.comments.findMany(ids);
    return c.json({
      action: input.action,
      changed: ids.filter((id) => changedIds.has(id)),
      unchanged: ids.filter((id) => !changedIds.has(id)),
      comments: now.map((comment) => commentOut(c, comment, found.posts.get(comment.postId))),
    });
  });

  app.post('/comments/spam/delete', limitWrites, limitBody, async (c) => {
    const user = requireScope(c, 'moderate');
    const input = parseWith(apiDeleteSpamInputSchema, await readJson(c, { optional: false }), 'a JSON object, e.g. {"ids": [12, 34]}');
    const ids = [...new Set(input.ids)];
    await moderatableComments(c, user, ids);
    return c.json(await c.get('deps').comments.deleteSpam(ids));
  });

  app.post('/comments/spam/empty', limitWrites, async (c) => {
    const user = requireScope(c, 'moderate');
    return c.json(await c.get('deps').comments.emptySpam(moderatesEverything(user) ? undefined : user.id));
  });

  // The writer's own comment, with the secret they were given, inside the edit window (no token: readers have none).
  app.patch('/comments/:id{[0-9]+}/own', limitBody, async (c) => {
    const deps = c.get('deps');
    const input = parseWith(apiOwnEditInputSchema, await readJson(c, { optional: false }), 'a JSON object, e.g. {"secret": "…", "body": "Fixed a typo."}');
    const id = toId(c.req.param('id'));
    if (id === null) throw notFound('The comment');
    const updated = await deps.comments.editOwn(id, input.secret, input.body);
    const settings = await deps.commentSettings();
    return c.json({
      id: updated.id,
      post_id: updated.postId,
      parent_id: updated.parentId,
      status: outcomeOf(updated.status).status,
      html: updated.html,
      edited_at: isoOrNull(updated.editedAt),
      editable_until: iso(updated.createdAt + settings.editWindowMinutes * 60_000),
    });
  });

  app.post('/comments/:id{[0-9]+}/own/withdraw', limitBody, async (c) => {
    const input = parseWith(apiOwnWithdrawInputSchema, await readJson(c, { optional: false }), 'a JSON object, e.g. {"secret": "…"}');
    const id = toId(c.req.param('id'));
    if (id === null) throw notFound('The comment');
    await c.get('deps').comments.deleteOwn(id, input.secret);
    return c.body(null, 204);
  });

  app.get('/moderation/counts', async (c) => {
    const user = requireScope(c, 'read');
    const { store } = c.get('deps');
    const authorId = moderatesEverything(user) ? undefined : user.id;
    const [counts, waiting] = await Promise.all([countsInReach(store, user), store.comments.waitingForReply(0, authorId)]);
    return c.json({ ...counts, waiting: waiting.total });
  });

  app.get('/waiting', async (c) => {
    const user = requireScope(c, 'read');
    const { store } = c.get('deps');
    const query = parseWith(apiWaitingQuerySchema, c.req.query(), 'query parameters');
    const page = await store.comments.waitingForReply(query.per_page, moderatesEverything(user) ? undefined : user.id);
    const [posts, parents] = await Promise.all([postsOf(store, page.items), parentsOf(store, page.items)]);
    const conversations = page.items.flatMap((comment) => {
      const post = posts.get(comment.postId);
      if (!post) return [];
      const parent = comment.parentId === null ? null : (parents.get(comment.parentId) ?? null);
      return [{ comment: commentOut(c, comment, post), parent: parent ? commentOut(c, parent, post) : null, post: { id: post.id, title: post.title, slug: post.slug, url: postUrl(c, post) } }];
    });
    return c.json({ conversations, total: page.total });
  });

  app.get('/posts/:id{[0-9]+}/comment-form', async (c) => {
    const { spam, clock } = c.get('deps');
    const post = await readablePost(c);
    const settings = await c.get('deps').commentSettings();
    const open = commentsOpen(post, settings, clock.now());
    // Each form gets its own token, issued now: a cached one would make every reader look slow.
    c.header('Cache-Control', 'no-store');
    return c.json({
      open: open.open,
      closed_reason: open.open ? null : closedWords[open.reason],
      form_token: spam.issueFormToken(post.id, clock.now()),
      min_submit_seconds: settings.minSubmitSeconds,
      edit_window_minutes: settings.editWindowMinutes,
      honeypot_field: 'honeypot' as const,
    });
  });

  app.post(
    '/posts/:id{[0-9]+}/comments',
    async (c, next) => (c.get('user') ? limitWrites(c, next) : next()),
    limitBody,
    async (c) => {
      const deps = c.get('deps');
      const user = c.get('user') ? requireScope(c, 'write') : null;
      const input = parseWith(apiReaderCommentInputSchema, await readJson(c, { optional: false }), 'a JSON object, e.g. {"name": "Ada", "email": "ada@example.com", "body": "Hello!", "form_token": "…"}');
      const post = await readablePost(c);
      if (isProtected(post) && !user) throw new DomainError('forbidden', 'This post is password protected: comment on the post’s page, after entering its password.');
      const ctx: SubmitContext = { ip: clientIp(c), userAgent: c.req.header('user-agent') ?? '', referrer: c.req.header('referer') ?? '', user, source: 'api' };
      const raw = {
        postId: post.id,
        parentId: input.parent_id ?? null,
        name: input.name,
        email: input.email,
        website: input.website,
        body: input.body,
        honeypot: input.honeypot,
        formToken: input.form_token,
        subscribeReplies: input.subscribe_replies,
        subscribePost: input.subscribe_post,
      };
      let result;
      try {
        result = await deps.comments.submit(raw, ctx, postUrl(c, post), post);
      } catch (error) {
        throw renamedFields(error);
      }
      const { comment, editSecret, confirmationSentTo } = result;
      const settings = await deps.commentSettings();
      const outcome = outcomeOf(comment.status);
      return c.json(
        {
          comment: {
            id: comment.id,
            post_id: comment.postId,
            parent_id: comment.parentId,
            status: outcome.status,
            author_name: comment.authorName,
            html: comment.html,
            created_at: iso(comment.createdAt),
            url: comment.status === 'approved' ? `${deps.config.siteUrl}/comments/${comment.id}` : null,
          },
          message: confirmationSentTo ? `${outcome.message} We sent an email to ${confirmationSentTo}: open the link in it to confirm your address.` : outcome.message,
          edit_secret: editSecret,
          editable_until: editSecret ? iso(comment.createdAt + settings.editWindowMinutes * 60_000) : null,
          confirmation_sent_to: confirmationSentTo,
        },
        201,
      );
    },
  );

  return app;
}
