import type { CommentService, SubmitContext } from './comment-service.ts';
import { DomainError, notFound } from './errors.ts';
import { canModerate } from './moderation-access.ts';
import type { Comment, Post, Store, User } from './store.ts';

/** The longest reply, as any comment. */
const MAX_REPLY = 10_000;

/**
 * A reply by the team to a comment, as the JSON API and the CLI give it (Admin → Comments
 * does the same from its forms): published at once under `user`, who must be able to
 * moderate the comment's post. Answering a held comment approves it first, as WordPress
 * does; a comment in Spam or the trash must be restored first. Subscribers are mailed by
 * the comment service, in the reply's transaction.
 */
export async function replyAsStaff(
  deps: { store: Store; comments: CommentService },
  user: User,
  parentId: number,
  text: string,
  ctx: Omit<SubmitContext, 'user' | 'source'>,
  permalinkOf: (post: Post) => string,
): Promise<{ reply: Comment; parent: Comment; post: Post }> {
  const body = text.replace(/\r\n/g, '\n').trim();
  if (!body) throw new DomainError('validation_failed', 'Write your reply first.', { body: 'Required.' });
  if (body.length > MAX_REPLY) throw new DomainError('validation_failed', 'Keep a reply under 10,000 characters.', { body: 'Too long.' });
  const parent = await deps.store.comments.findById(parentId);
  const post = parent ? await deps.store.posts.findById(parent.postId) : null;
  if (!parent || !post) throw notFound('The comment');
  if (!canModerate(user, post).ok) throw new DomainError('forbidden', 'Authors look after the comments on their own posts; this one is on another author’s post.');
  if (parent.status === 'spam' || parent.status === 'trash') {
    throw new DomainError('conflict', `This comment is in ${parent.status === 'spam' ? 'spam' : 'the trash'}. Restore it before answering it.`);
  }
  if (parent.status === 'pending') await deps.comments.moderate([parent.id], 'approve', user.id);
  const { comment: reply } = await deps.comments.submit({ postId: post.id, parentId: parent.id, body }, { ...ctx, user }, permalinkOf(post), post);
  return { reply, parent: (await deps.store.comments.findById(parent.id)) ?? parent, post };
}
