import { Hono } from 'hono';
import { DomainError, notFound } from '../../core/errors.ts';
import { canModerate } from '../../core/moderation-access.ts';
import { canEditPost } from '../../core/post-service.ts';
import type { Post, User } from '../../core/store.ts';
import { moderateMention, type MentionAction } from '../../core/webmention-moderation.ts';
import type { ReceivedMention, SentMention } from '../../core/webmention-store.ts';
import type { AppEnv } from '../context.ts';
import { apiMentionModerateSchema, apiReceivedQuerySchema, apiResendSchema, apiSentQuerySchema, type ApiReceivedMention, type ApiSentMention } from '../openapi-webmentions.ts';
import { isoOrNull, limitBody, limitWrites, parseWith, readJson, requireScope, type ApiContext, type ApiScope } from './api-request.ts';
import { iso, pathIdOr404 } from './api-staff.ts';

/** A post the token's user looks after: the owner and moderators every one, an author their own (trashed ones are gone). */
async function moderatedPost(c: ApiContext, scope: ApiScope, postId: number): Promise<{ user: User; post: Post }> {
  const user = requireScope(c, scope);
  const post = await c.get('deps').store.posts.findById(postId);
  if (!post || post.deletedAt !== null) throw notFound('The post');
  if (!canModerate(user, post).ok) throw new DomainError('forbidden', 'Authors look after the webmentions of their own posts only.');
  return { user, post };
}

async function receivedOut(c: ApiContext, mentions: ReceivedMention[]): Promise<ApiReceivedMention[]> {
  const ids = mentions.flatMap((m) => (m.commentId === null ? [] : [m.commentId]));
  const comments = new Map((ids.length > 0 ? await c.get('deps').store.comments.findMany(ids) : []).map((x) => [x.id, x]));
  return mentions.map((m) => ({
    id: m.id,
    post_id: m.postId,
    source: m.source,
    target: m.target,
    via: m.via,
    status: m.status,
    reason: m.reason,
    type: m.type,
    author_name: m.authorName,
    author_url: m.authorUrl,
    content: m.content,
    url: m.url,
    comment_id: m.commentId,
    comment_status: m.commentId === null ? null : (comments.get(m.commentId)?.status ?? null),
    received_at: iso(m.receivedAt),
    verified_at: isoOrNull(m.verifiedAt),
  }));
}

function sentOut(s: SentMention): ApiSentMention {
  return { id: s.id, post_id: s.postId, target: s.target, endpoint: s.endpoint, protocol: s.protocol, status: s.status, http_status: s.httpStatus, error: s.error, attempts: s.attempts, updated_at: iso(s.updatedAt) };
}

/** Webmentions in the JSON API, mounted at /api/webmentions: the admin's per-post page, moderation (core/webmention-moderation.ts) and resend. */
export function apiWebmentionRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/received', async (c) => {
    const query = parseWith(apiReceivedQuerySchema, c.req.query(), 'query parameters');
    const { post } = await moderatedPost(c, 'read', query.post_id);
    const all = await c.get('deps').store.webmentions.listReceived(post.id);
    return c.json({ received: await receivedOut(c, all.filter((m) => !query.status || m.status === query.status)) });
  });

  app.get('/sent', async (c) => {
    const query = parseWith(apiSentQuerySchema, c.req.query(), 'query parameters');
    const { post } = await moderatedPost(c, 'read', query.post_id);
    const all = await c.get('deps').store.webmentions.listSent(post.id);
    return c.json({ sent: all.filter((s) => !query.status || s.status === query.status).map(sentOut) });
  });

  app.post('/:id{[0-9]+}/moderate', limitWrites, limitBody, async (c) => {
    const { store, clock, comments, changes } = c.get('deps');
    const input = parseWith(apiMentionModerateSchema, await readJson(c, { optional: false }), 'a JSON object, e.g. {"action": "hide"}');
    const mention = await store.webmentions.findReceived(pathIdOr404(c, 'id', 'The mention'));
    if (!mention) throw notFound('The mention');
    const { user } = await moderatedPost(c, 'moderate', mention.postId);
    const after = await moderateMention({ store, clock, comments, publish: (topic) => changes.publish(topic) }, mention, input.action as MentionAction, user.id);
    return c.json((await receivedOut(c, [after]))[0]);
  });

  app.post('/resend', limitWrites, limitBody, async (c) => {
    const user = requireScope(c, 'write');
    const input = parseWith(apiResendSchema, await readJson(c, { optional: false }), 'a JSON object, e.g. {"post_id": 12}');
    const post = await c.get('deps').store.posts.findById(input.post_id);
    if (!post || post.deletedAt !== null) throw notFound('The post');
    const allowed = canEditPost(user, post);
    if (!allowed.ok) throw new DomainError('forbidden', allowed.reason === 'role' ? 'Moderators do not send webmentions: the post’s author or the owner does.' : 'Only the owner can resend another author’s webmentions.');
    return c.json({ queued: await c.get('deps').webmentions.postChanged(post, post) });
  });

  return app;
}
