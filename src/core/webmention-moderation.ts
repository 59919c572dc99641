import type { Clock } from './clock.ts';
import type { CommentService } from './comment-service.ts';
import { DomainError } from './errors.ts';
import type { Store } from './store.ts';
import type { ReceivedMention } from './webmention-store.ts';

/**
 * Staff's say over a received mention (the JSON API). A reply became a comment, and is
 * moderated as one, through CommentService (as Admin → Comments does): approve, hide (back
 * to pending) or delete (to the trash). A like, repost, bookmark or mention is shown under
 * the post once verified: hide takes it off the post (approve shows it again); delete takes
 * it off for good. A new verification (the source sending again) never brings back what
 * staff took off (webmention-service.ts keeps these reasons).
 */
export type MentionAction = 'approve' | 'hide' | 'delete';
export const mentionActions: readonly MentionAction[] = ['approve', 'hide', 'delete'];

export const HIDDEN_BY_STAFF = 'hidden by the site';
export const DELETED_BY_STAFF = 'deleted by the site';

/** A mention staff took off the post: it stays off whatever the source says next. */
export const removedByStaff = (m: Pick<ReceivedMention, 'status' | 'reason'>): boolean => m.status === 'deleted' && (m.reason === HIDDEN_BY_STAFF || m.reason === DELETED_BY_STAFF);

export interface MentionModerationDeps {
  store: Store;
  clock: Clock;
  comments: CommentService;
  publish: (topic: string) => void;
}

export async function moderateMention(deps: MentionModerationDeps, mention: ReceivedMention, action: MentionAction, actorId: number): Promise<ReceivedMention> {
  const { store, clock } = deps;
  if (mention.commentId !== null) {
    await deps.comments.moderate([mention.commentId], action === 'approve' ? 'approve' : action === 'hide' ? 'unapprove' : 'trash', actorId);
    return (await store.webmentions.findReceived(mention.id)) ?? mention;
  }
  const hidden = mention.status === 'deleted' && mention.reason === HIDDEN_BY_STAFF;
  if (mention.status !== 'verified' && !hidden) {
    const why =
      mention.status === 'queued'
        ? 'it is still being verified'
        : mention.status === 'rejected'
          ? `it was never valid (${mention.reason ?? 'rejected'})`
          : `it was taken away (${mention.reason ?? 'deleted'})`;
    throw new DomainError('conflict', `This mention cannot be ${action === 'approve' ? 'shown' : action === 'hide' ? 'hidden' : 'deleted'}: ${why}.`);
  }
  const next =
    action === 'approve' ? { status: 'verified' as const, reason: null } : action === 'hide' ? { status: 'deleted' as const, reason: HIDDEN_BY_STAFF } : { status: 'deleted' as const, reason: DELETED_BY_STAFF };
  if (next.status === mention.status && next.reason === mention.reason) return mention;
  const updated = await store.webmentions.updateReceived(mention.id, next, clock.now());
  deps.publish(`mentions-changed:${mention.postId}`);
  return updated;
}
