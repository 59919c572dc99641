import type { FediverseComment, FediverseReplyRepository, PrivateMention, PrivateMentionWrite } from '../../core/fediverse-reply-store.ts';
import type { Page } from '../../core/store.ts';
import type { Tables } from './memory-store.ts';

export interface MemoryFediverseReplyTables {
  /** By comment id. */
  comments: Map<number, FediverseComment>;
  lastMentionId: number;
  mentions: Map<number, PrivateMention>;
}

export const emptyFediverseReplyTables = (): MemoryFediverseReplyTables => ({ comments: new Map(), lastMentionId: 0, mentions: new Map() });

/**
 * FediverseReplyRepository in memory; its rows live in the MemoryStore's tables so
 * transactions cover them. A comment deleted for good takes its link with it (the SQL
 * engines cascade), so links are read only while their comment exists.
 */
export class MemoryFediverseReplyRepository implements FediverseReplyRepository {
  private readonly tables: () => Tables;

  constructor(tables: () => Tables) {
    this.tables = tables;
  }

  private get table(): MemoryFediverseReplyTables {
    return this.tables().fediverseReplies;
  }

  private links(): FediverseComment[] {
    const comments = this.tables().comments;
    return [...this.table.comments.values()].filter((link) => comments.has(link.commentId));
  }

  async recordComment(link: FediverseComment): Promise<void> {
    if (!this.tables().comments.has(link.commentId)) throw new Error(`comment ${link.commentId} does not exist`);
    if (this.links().some((l) => l.noteId === link.noteId || l.commentId === link.commentId)) throw new Error(`UNIQUE constraint failed: federation_comments (${link.noteId})`);
    this.table.comments.set(link.commentId, structuredClone(link));
  }

  async findByNote(noteId: string): Promise<FediverseComment | null> {
    const link = this.links().find((l) => l.noteId === noteId);
    return link ? structuredClone(link) : null;
  }

  async findByComment(commentId: number): Promise<FediverseComment | null> {
    const link = this.links().find((l) => l.commentId === commentId);
    return link ? structuredClone(link) : null;
  }

  async forComments(commentIds: number[]): Promise<FediverseComment[]> {
    const wanted = new Set(commentIds);
    return this.links()
      .filter((l) => wanted.has(l.commentId))
      .sort((a, b) => a.commentId - b.commentId)
      .map((l) => structuredClone(l));
  }

  async commentIdsByActor(actorUri: string): Promise<number[]> {
    return this.links()
      .filter((l) => l.actorUri === actorUri)
      .map((l) => l.commentId)
      .sort((a, b) => a - b);
  }

  async saveMention(m: PrivateMentionWrite, now: number): Promise<PrivateMention> {
    const existing = [...this.table.mentions.values()].find((row) => row.noteId === m.noteId);
    const postId = m.postId !== null && this.tables().posts.has(m.postId) ? m.postId : null;
    const row: PrivateMention = existing ? { ...existing, ...m, postId, updatedAt: now } : { id: ++this.table.lastMentionId, ...m, postId, createdAt: now, updatedAt: now };
    this.table.mentions.set(row.id, row);
    return structuredClone(row);
  }

  async findMention(noteId: string): Promise<PrivateMention | null> {
    const row = [...this.table.mentions.values()].find((r) => r.noteId === noteId);
    return row ? this.withLivePost(row) : null;
  }

  async listMentions(query: { limit: number; offset: number }): Promise<Page<PrivateMention>> {
    const all = [...this.table.mentions.values()].sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
    return { items: all.slice(query.offset, query.offset + query.limit).map((row) => this.withLivePost(row)), total: all.length };
  }

  /** A post deleted for good leaves the mention without one (the SQL engines set it null). */
  private withLivePost(row: PrivateMention): PrivateMention {
    return structuredClone({ ...row, postId: row.postId !== null && this.tables().posts.has(row.postId) ? row.postId : null });
  }

  async deleteMention(id: number): Promise<boolean> {
    return this.table.mentions.delete(id);
  }

  async deleteMentionByNote(noteId: string): Promise<boolean> {
    const row = [...this.table.mentions.values()].find((r) => r.noteId === noteId);
    return row ? this.table.mentions.delete(row.id) : false;
  }

  async deleteMentionsByActor(actorUri: string): Promise<number> {
    let removed = 0;
    for (const row of [...this.table.mentions.values()]) if (row.actorUri === actorUri) removed += Number(this.table.mentions.delete(row.id));
    return removed;
  }
}
