import type { Context } from 'hono';
import { DomainError, notFound } from '../../../core/errors.ts';
import { checkModerationBatch } from '../../../core/comment-service.ts';
import { canModerate, moderatesEverything } from '../../../core/moderation-access.ts';
import type { Comment, CommentStatus, Post, Store, User } from '../../../core/store.ts';
import type { AppEnv } from '../../context.ts';

export const STATUSES: CommentStatus[] = ['pending', 'approved', 'spam', 'trash'];
const NOT_YOURS = 'Authors look after the comments on their own posts; this one is on another author’s post.';

export interface InboxQuery {
  status: CommentStatus;
  postId?: number;
  text?: string;
  limit: number;
  offset: number;
}

export interface InboxPage {
  items: Comment[];
  total: number;
  /** Per tab, within the moderator's reach (and the post filter, when one is set). */
  counts: Record<CommentStatus, number>;
}

/**
 * One page of the moderation inbox. The owner and moderators see every comment; an
 * author sees the comments on their own posts outside the trash (the store filters by
 * author in the same query).
 */
export async function loadInbox(store: Store, user: User, q: InboxQuery): Promise<InboxPage> {
  const authorId = moderatesEverything(user) ? undefined : user.id;
  if (q.postId !== undefined && authorId !== undefined) {
    const post = await store.posts.findById(q.postId);
    if (!post || post.deletedAt !== null || post.authorId !== authorId) throw new DomainError('forbidden', NOT_YOURS);
  }
  const [page, counts] = await Promise.all([
    store.comments.listForModeration({ status: q.status, postId: q.postId, authorId, text: q.text, limit: q.limit, offset: q.offset }),
    q.postId !== undefined ? countsOnPost(store, q.postId) : store.comments.countByStatus(authorId),
  ]);
  return { ...page, counts };
}

async function countsOnPost(store: Store, postId: number): Promise<Record<CommentStatus, number>> {
  const counts: Record<CommentStatus, number> = { pending: 0, approved: 0, spam: 0, trash: 0 };
  await Promise.all(STATUSES.map(async (status) => (counts[status] = (await store.comments.listForModeration({ status, postId, limit: 0, offset: 0 })).total)));
  return counts;
}

/** Tab counts within the user's reach (for updating the page after an action). */
export async function countsInReach(store: Store, user: User): Promise<Record<CommentStatus, number>> {
  return store.comments.countByStatus(moderatesEverything(user) ? undefined : user.id);
}

/** The posts of `comments`, by id. */
export async function postsOf(store: Store, comments: Comment[]): Promise<Map<number, Post>> {
  const ids = [...new Set(comments.map((c) => c.postId))];
  const posts = await Promise.all(ids.map((id) => store.posts.findById(id)));
  return new Map(posts.filter((p): p is Post => p !== null).map((p) => [p.id, p]));
}

/** The comments these ones answer, by id. */
export async function parentsOf(store: Store, comments: Comment[]): Promise<Map<number, Comment>> {
  const ids = [...new Set(comments.map((c) => c.parentId).filter((id): id is number => id !== null))];
  if (ids.length === 0) return new Map();
  return new Map((await store.comments.findMany(ids)).map((p) => [p.id, p]));
}

/**
 * The comments with these ids, when the signed-in user may moderate every one of them:
 * 404 when none exists, 403 (saying why) when one is on another author's post.
 */
export async function moderatableComments(c: Context<AppEnv>, user: User, ids: number[]): Promise<{ comments: Comment[]; posts: Map<number, Post> }> {
  const { store } = c.get('deps');
  checkModerationBatch(ids);
  const comments = await store.comments.findMany(ids);
  if (comments.length === 0) throw notFound('The comment');
  const posts = await postsOf(store, comments);
  for (const comment of comments) {
    const post = posts.get(comment.postId);
    if (!post) throw notFound('The comment’s post');
    if (!canModerate(user, post).ok) throw new DomainError('forbidden', NOT_YOURS);
  }
  return { comments, posts };
}
