import { DomainError } from './errors.ts';
import { canEditPost, type PostService } from './post-service.ts';
import type { Post, Store, User } from './store.ts';

/** What Admin → Posts (and POST /api/posts/bulk) can do to many posts at once. */
export const BULK_ACTIONS = ['publish', 'unpublish', 'tag', 'trash'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];
/** Why a chosen post was left alone: another author's, a moderator's reach, in the trash, gone. */
export type BulkRefusal = 'not-yours' | 'role' | 'trashed' | 'missing';
export const BULK_MAX = 500;

/** One chosen post: changed, already as asked (a published post to publish), or refused and why. */
export type BulkOutcome = { id: number; outcome: 'done' } | { id: number; outcome: 'unchanged' } | { id: number; outcome: 'refused'; reason: BulkRefusal };

/**
 * Publishes, unpublishes, tags or trashes the posts `ids`, each on its own: the ones the
 * user may not change are refused (with the reason) and the rest are done. Bad requests
 * (no action, nothing chosen, too many, no tag) are refused as a whole, before anything changes.
 */
export async function bulkPostAction(deps: { store: Store; posts: PostService }, user: User, request: { action: string; ids: readonly number[]; tag?: string }): Promise<BulkOutcome[]> {
  const action = request.action as BulkAction;
  if (!BULK_ACTIONS.includes(action)) throw new DomainError('validation_failed', 'Choose what to do with the selected posts: publish, unpublish, add a tag or move to the trash.', { action: 'Unknown action.' });
  const ids = [...new Set(request.ids)];
  if (ids.length === 0) throw new DomainError('validation_failed', 'Select at least one post first.', { ids: 'Nothing selected.' });
  if (ids.length > BULK_MAX) throw new DomainError('validation_failed', `Select at most ${BULK_MAX} posts at once.`, { ids: 'Too many.' });
  const tag = (request.tag ?? '').trim();
  if (action === 'tag' && !tag) throw new DomainError('validation_failed', 'Name the tag to add.', { tag: 'Required.' });
  if (action === 'tag' && tag.length > 100) throw new DomainError('validation_failed', 'Keep a tag under 100 characters.', { tag: 'Too long.' });
  const found = new Map((await Promise.all(ids.map((id) => deps.store.posts.findById(id)))).filter((p): p is Post => p !== null).map((p) => [p.id, p]));
  const outcomes: BulkOutcome[] = [];
  for (const id of ids) {
    const post = found.get(id);
    if (!post) {
      outcomes.push({ id, outcome: 'refused', reason: 'missing' });
      continue;
    }
    const allowed = canEditPost(user, post);
    if (!allowed.ok) {
      outcomes.push({ id, outcome: 'refused', reason: allowed.reason });
      continue;
    }
    if (post.deletedAt !== null) {
      outcomes.push({ id, outcome: 'refused', reason: 'trashed' });
      continue;
    }
    if (action === 'publish') {
      if (post.status !== 'draft') {
        outcomes.push({ id, outcome: 'unchanged' }); // already live or scheduled
        continue;
      }
      await deps.posts.publish(user, id);
    } else if (action === 'unpublish') {
      if (post.status === 'draft') {
        outcomes.push({ id, outcome: 'unchanged' });
        continue;
      }
      await deps.posts.unpublish(user, id);
    } else if (action === 'tag') {
      await deps.posts.addTags(user, id, [tag]);
    } else {
      await deps.posts.trash(user, id);
    }
    outcomes.push({ id, outcome: 'done' });
  }
  return outcomes;
}
