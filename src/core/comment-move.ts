import { DomainError } from './errors.ts';

/** The ids of every reply under comment `id`, at any depth, among `conversation` (its thread). */
export function descendantIds(id: number, conversation: ReadonlyArray<{ id: number; parentId: number | null }>): Set<number> {
  const children = new Map<number, number[]>();
  for (const c of conversation) {
    if (c.parentId === null) continue;
    const list = children.get(c.parentId);
    if (list) list.push(c.id);
    else children.set(c.parentId, [c.id]);
  }
  const found = new Set<number>();
  const queue = [...(children.get(id) ?? [])];
  while (queue.length > 0) {
    const next = queue.pop()!;
    if (found.has(next)) continue;
    found.add(next);
    queue.push(...(children.get(next) ?? []));
  }
  return found;
}

type Placed = { id: number; postId: number; rootId: number; depth: number };

/**
 * Where a comment moving to `parent` (null: the top level) lands, or why it cannot: a
 * reply moves only within its post, and never under itself or one of its own replies
 * (the thread would loop). The stores call this inside the move's transaction.
 */
export function placeMove(comment: Placed, parent: Placed | null | undefined, parentId: number | null, descendants: Set<number>): { rootId: number; depth: number } {
  if (parentId === null) return { rootId: comment.id, depth: 0 };
  if (!parent) throw new DomainError('validation_failed', `There is no comment ${parentId} to move it under.`, { parentId: 'Not found.' });
  if (parent.postId !== comment.postId) throw new DomainError('validation_failed', 'A comment can only move within its own post; that comment is on another post.', { parentId: 'On another post.' });
  if (parent.id === comment.id) throw new DomainError('validation_failed', 'A comment cannot answer itself; choose another comment or the top level.', { parentId: 'The comment itself.' });
  if (descendants.has(parent.id)) {
    throw new DomainError('validation_failed', 'A comment cannot move under one of its own replies (they move with it); choose a comment outside its replies.', { parentId: 'One of its own replies.' });
  }
  return { rootId: parent.rootId, depth: parent.depth + 1 };
}
