import type { ThreadComment } from './store.ts';

export interface ThreadNode {
  comment: ThreadComment;
  /** Shown as nested replies under this comment. */
  replies: ThreadNode[];
  /** Set when the comment answers one that is not its visual parent (past the indent limit). */
  inReplyTo: ThreadComment | null;
}

/**
 * Arranges comments (oldest first) into a thread. Replies nest under their parent up to
 * `maxDepth` levels; deeper replies continue flat at the last level, each labelled with
 * the comment it answers. A reply whose parent is not shown starts its own top level entry.
 */
export function buildThread(comments: ThreadComment[], maxDepth = 4): ThreadNode[] {
  const byId = new Map<number, ThreadComment>();
  for (const c of comments) byId.set(c.id, c);
  const nodes = new Map<number, ThreadNode>();
  const depth = new Map<number, number>();
  const roots: ThreadNode[] = [];
  for (const comment of comments) {
    const parent = comment.parentId === null ? undefined : byId.get(comment.parentId);
    const parentNode = parent ? nodes.get(parent.id) : undefined;
    if (!parent || !parentNode) {
      const node: ThreadNode = { comment, replies: [], inReplyTo: null };
      nodes.set(comment.id, node);
      depth.set(comment.id, 1);
      roots.push(node);
      continue;
    }
    const parentDepth = depth.get(parent.id) ?? 1;
    if (parentDepth < maxDepth) {
      const node: ThreadNode = { comment, replies: [], inReplyTo: null };
      parentNode.replies.push(node);
      nodes.set(comment.id, node);
      depth.set(comment.id, parentDepth + 1);
    } else {
      // Past the indent limit: a sibling of the parent, labelled with whom it answers.
      let host = parent;
      while ((depth.get(host.id) ?? 1) > maxDepth - 1 && host.parentId !== null && byId.has(host.parentId)) host = byId.get(host.parentId)!;
      const hostNode = nodes.get(host.id)!;
      const node: ThreadNode = { comment, replies: [], inReplyTo: parent };
      hostNode.replies.push(node);
      nodes.set(comment.id, node);
      depth.set(comment.id, maxDepth);
    }
  }
  return roots;
}
