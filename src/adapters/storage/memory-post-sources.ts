import type { AuditAction, AuditCursor, AuditEntry, AuditRepository } from '../../core/audit.ts';
import type { PostSource, PostSourceRepository, PostSourceWrite } from '../../core/post-ideas.ts';
import type { Tables } from './memory-store.ts';

/** Migration 015's tables in memory: post sources by post id, and the audit log. */
export interface MemoryPersonRightsTables {
  postSources: Map<number, PostSource>;
  audit: Map<number, AuditEntry>;
  lastAuditId: number;
}

export const emptyPersonRightsTables = (): MemoryPersonRightsTables => ({ postSources: new Map(), audit: new Map(), lastAuditId: 0 });

const copy = <T>(value: T): T => structuredClone(value);

/** Where posts came from, in memory: the store's `postSources`. Rows of posts deleted for good go with them, as the SQL cascade does. */
export class MemoryPostSourceRepository implements PostSourceRepository {
  private readonly tables: () => Tables;

  constructor(tables: () => Tables) {
    this.tables = tables;
  }

  private live(): Map<number, PostSource> {
    const t = this.tables();
    for (const [postId, s] of t.personRights.postSources) {
      if (!t.posts.has(postId)) t.personRights.postSources.delete(postId);
      else {
        if (s.commentId !== null && !t.comments.has(s.commentId)) s.commentId = null;
        if (s.personId !== null && !t.people.has(s.personId)) s.personId = null;
      }
    }
    return t.personRights.postSources;
  }

  async create(s: PostSourceWrite): Promise<PostSource> {
    const rows = this.live();
    if (!this.tables().posts.has(s.postId)) throw new Error('FOREIGN KEY constraint failed: post_sources.post_id');
    if (rows.has(s.postId)) throw new Error('UNIQUE constraint failed: post_sources.post_id');
    const row: PostSource = { ...s, tellRequestedAt: null, toldAt: null };
    rows.set(s.postId, row);
    return copy(row);
  }

  async find(postId: number): Promise<PostSource | null> {
    const row = this.live().get(postId);
    return row ? copy(row) : null;
  }

  async ofComments(commentIds: readonly number[]): Promise<PostSource[]> {
    const wanted = new Set(commentIds);
    return [...this.live().values()]
      .filter((s) => s.commentId !== null && wanted.has(s.commentId))
      .sort((a, b) => a.createdAt - b.createdAt || a.postId - b.postId)
      .map(copy);
  }

  async setTellRequested(postId: number, at: number | null): Promise<void> {
    const row = this.live().get(postId);
    if (row && row.toldAt === null) row.tellRequestedAt = at;
  }

  async markTold(postId: number, now: number): Promise<boolean> {
    const row = this.live().get(postId);
    if (!row || row.toldAt !== null) return false;
    row.toldAt = now;
    return true;
  }
}

/** The audit log in memory: the store's `audit`. */
export class MemoryAuditRepository implements AuditRepository {
  private readonly tables: () => Tables;

  constructor(tables: () => Tables) {
    this.tables = tables;
  }

  async add(entry: Omit<AuditEntry, 'id'>): Promise<AuditEntry> {
    const t = this.tables();
    const row: AuditEntry = { ...copy(entry), id: ++t.personRights.lastAuditId, actorId: entry.actorId !== null && t.users.has(entry.actorId) ? entry.actorId : null };
    t.personRights.audit.set(row.id, row);
    return copy(row);
  }

  async list(q: { action?: AuditAction; limit: number; before?: AuditCursor | null }): Promise<AuditEntry[]> {
    const t = this.tables();
    const before = q.before;
    return [...t.personRights.audit.values()]
      .map((e) => ({ ...e, actorId: e.actorId !== null && t.users.has(e.actorId) ? e.actorId : null }))
      .filter((e) => (!q.action || e.action === q.action) && (!before || e.createdAt < before.createdAt || (e.createdAt === before.createdAt && e.id < before.id)))
      .sort((a, b) => b.createdAt - a.createdAt || b.id - a.id)
      .slice(0, q.limit)
      .map(copy);
  }
}
