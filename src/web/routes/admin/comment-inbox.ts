import type { Context } from 'hono';
import { DomainError, notFound } from '../../../core/errors.ts';
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
 * The post ids an author may moderate, or null for the owner and moderators (everything).
 * Trashed posts are left out: their comments are hidden with them.
 */
export async function ownPostIds(store: Store, user: User): Promise<number[] | null> {
  if (moderatesEverything(user)) return null;
  const mine = await store.posts.listAdmin({ authorId: user.id, limit: 5000, offset: 0 });
  return mine.items.map((p) => p.id);
}

async function countsFor(store: Store, postIds: number[]): Promise<Record<CommentStatus, number>> {
  const counts: Record<CommentStatus, number> = { pending: 0, approved: 0, spam: 0, trash: 0 };
  await Promise.all(
    postIds.flatMap((postId) =>
      STATUSES.map(async (status) => {
        counts[status] += (await store.comments.listForModeration({ status, postId, limit: 0, offset: 0 })).total;
      }),
    ),
  );
  return counts;
}

/**
 * One page of the moderation inbox. The owner and moderators read the whole store in one
 * query; an author's inbox merges the pages of their own posts (the store has no
 * "posts by author" filter on comments), which stays cheap for the handful of posts an
 * author typically has.
 */
export async function loadInbox(store: Store, user: User, q: InboxQuery): Promise<InboxPage> {
  const own = await ownPostIds(store, user);
  if (q.postId !== undefined && own && !own.includes(q.postId)) throw new DomainError('forbidden', NOT_YOURS);
  const scope = q.postId !== undefined ? [q.postId] : own;
  if (scope === null) {
    const [page, counts] = await Promise.all([store.comments.listForModeration({ status: q.status, text: q.text, limit: q.limit, offset: q.offset }), store.comments.countByStatus()]);
    return { ...page, counts };
  }
  if (scope.length === 1) {
    const [page, counts] = await Promise.all([
      store.comments.listForModeration({ status: q.status, postId: scope[0], text: q.text, limit: q.limit, offset: q.offset }),
      countsFor(store, scope),
    ]);
    return { ...page, counts };
  }
  const [pages, counts] = await Promise.all([
    Promise.all(scope.map((postId) => store.comments.listForModeration({ status: q.status, postId, text: q.text, limit: q.offset + q.limit, offset: 0 }))),
    countsFor(store, scope),
  ]);
  const merged = pages.flatMap((p) => p.items).sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
  return { items: merged.slice(q.offset, q.offset + q.limit), total: pages.reduce((n, p) => n + p.total, 0), counts };
}

/** Tab counts within the user's reach (for updating the page after an action). */
export async function countsInReach(store: Store, user: User): Promise<Record<CommentStatus, number>> {
  const own = await ownPostIds(store, user);
  return own === null ? store.comments.countByStatus() : countsFor(store, own);
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
