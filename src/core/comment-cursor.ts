import type { Comment } from './store.ts';

/**
 * Where a page of comments (newest first) ends, for keyset paging in the JSON API and the
 * CLI: the last comment's time and id, opaque to clients (base64url).
 */
export function formatCommentCursor(comment: Pick<Comment, 'createdAt' | 'id'>): string {
  return Buffer.from(`${comment.createdAt}.${comment.id}`).toString('base64url');
}

/** The position a cursor names, or null when it is not one this site gave. */
export function parseCommentCursor(cursor: string): { createdAt: number; id: number } | null {
  if (!/^[A-Za-z0-9_-]{1,60}$/.test(cursor)) return null;
  const m = /^(\d{1,15})\.(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  return m ? { createdAt: Number(m[1]), id: Number(m[2]) } : null;
}
