import type { PostActivity } from '../../core/fediverse-publishing.ts';
import type { Post } from '../../core/store.ts';

/**
 * A post's change on its way to followers, as the queue carries it (no Fedify here: the
 * author's request writes it without loading Fedify).
 */
export interface PostChange {
  /** `POST_CHANGE_MESSAGE`. */
  type: string;
  activity: PostActivity['type'];
  /** The post as it was at the change (an Article is made of it, or a Tombstone of its address). */
  post: Post;
  /** When it changed: the activity's id is made of it, so a retry sends the same activity. */
  at: number;
}

/**
 * The ordering key of a post's activities: one post's changes are made into deliveries
 * one after another, and Fedify adds each server's origin to the key of its delivery, so
 * each server gets them in order while other posts and other servers go in parallel.
 */
export const postOrderingKey = (postId: number): string => `post:${postId}`;

/** The post a queued message is about, read back from its ordering key (the admin lists it). */
export function postIdOfOrderingKey(key: string | null): number | null {
  const id = /^post:(\d+)(?:\n|$)/.exec(key ?? '')?.[1];
  return id ? Number(id) : null;
}
