import type { Post, User } from './store.ts';

/**
 * May `user` moderate (approve, spam, trash, restore, answer from the inbox) comments on
 * `post`? The owner and moderators look after every conversation; an author looks after
 * the conversations on their own posts.
 */
export function canModerate(user: Pick<User, 'id' | 'role'>, post: Pick<Post, 'authorId'>): { ok: true } | { ok: false; reason: 'not-yours' } {
  if (user.role === 'owner' || user.role === 'moderator') return { ok: true };
  return post.authorId === user.id ? { ok: true } : { ok: false, reason: 'not-yours' };
}

/** Does `user` see every conversation, or only those on their own posts? */
export const moderatesEverything = (user: Pick<User, 'role'>): boolean => user.role === 'owner' || user.role === 'moderator';
