import { isLive } from './post-service.ts';
import type { Post } from './store.ts';

/**
 * What the blog's fediverse followers are told when a post changes (issue 12, point 3).
 * Pure: the federation adapter turns each activity into a Create, Update or Delete and
 * sends it to the followers' servers.
 */
export type PostActivity = { type: 'Create' | 'Update' | 'Delete'; post: Post };

/**
 * Whether followers see `post`: a post (not a page) that is live, public or unlisted, and
 * not password protected. Exactly what the Article dispatcher serves, so nothing is sent
 * that a server could not fetch again.
 */
export function isFederated(post: Post, now: number): boolean {
  return post.type === 'post' && isLive(post, now) && post.password === null;
}

/** What the Article shows (its id, the address, aside): a save that changes none of it sends nothing. */
function shown(post: Post): string {
  return JSON.stringify([post.title, post.html, post.excerpt, post.coverImage, post.visibility, post.publishedAt, post.tags.map((tag) => [tag.slug, tag.name])]);
}

/**
 * The activities a change from `before` to `after` calls for, in the order they must
 * arrive: published (or restored, or its scheduled time came) → Create; edited while
 * live → Update; unpublished, trashed, protected or made a page → Delete. A new slug is
 * a new address, and the address is the Article's id: the old one is deleted and the
 * new one created.
 */
export function activitiesForChange(before: Post, after: Post, now: number): PostActivity[] {
  const was = isFederated(before, now);
  const is = isFederated(after, now);
  if (!was && !is) return [];
  if (!was) return [{ type: 'Create', post: after }];
  if (!is) return [{ type: 'Delete', post: before }];
  if (before.slug !== after.slug) return [{ type: 'Delete', post: before }, { type: 'Create', post: after }];
  return shown(before) === shown(after) ? [] : [{ type: 'Update', post: after }];
}
