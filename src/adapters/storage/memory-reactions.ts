import type { PostReactions, QuoteAuthorizationRecord, Reaction, ReactionKind, ReactionRepository, ReactionWrite } from '../../core/reactions.ts';
import type { Tables } from './memory-store.ts';

export interface MemoryReactionTables {
  lastId: number;
  rows: Map<number, Reaction>;
  lastQuoteId: number;
  quotes: Map<number, QuoteAuthorizationRecord>;
}

export const emptyReactionTables = (): MemoryReactionTables => ({ lastId: 0, rows: new Map(), lastQuoteId: 0, quotes: new Map() });

/** ReactionRepository in memory; its rows live in the MemoryStore's tables so transactions cover them. */
export class MemoryReactionRepository implements ReactionRepository {
  private readonly tables: () => Tables;

  constructor(tables: () => Tables) {
    this.tables = tables;
  }

  private get table(): MemoryReactionTables {
    return this.tables().reactions;
  }

  async record(r: ReactionWrite, now: number): Promise<Reaction> {
    const existing = [...this.table.rows.values()].find((row) => row.postId === r.postId && row.kind === r.kind && row.actorUri === r.actorUri);
    const row: Reaction = existing ? { ...existing, ...r } : { id: ++this.table.lastId, ...r, createdAt: now };
    this.table.rows.set(row.id, row);
    return structuredClone(row);
  }

  async removeByActivity(activityId: string, actorUri: string): Promise<Reaction | null> {
    const row = [...this.table.rows.values()].find((r) => r.activityId === activityId && r.actorUri === actorUri);
    if (!row) return null;
    this.table.rows.delete(row.id);
    return structuredClone(row);
  }

  async removeByActor(actorUri: string): Promise<number> {
    let removed = 0;
    for (const row of [...this.table.rows.values()]) if (row.actorUri === actorUri) removed += Number(this.table.rows.delete(row.id));
    return removed;
  }

  async forPost(postId: number, limit: number): Promise<PostReactions> {
    const of = (kind: ReactionKind) => [...this.table.rows.values()].filter((r) => r.postId === postId && r.kind === kind).sort((a, b) => b.id - a.id);
    const likes = of('like');
    const announces = of('announce');
    return { likes: structuredClone(likes.slice(0, limit)), announces: structuredClone(announces.slice(0, limit)), likeCount: likes.length, announceCount: announces.length };
  }

  async authorizeQuote(q: Omit<QuoteAuthorizationRecord, 'id' | 'createdAt'>, now: number): Promise<QuoteAuthorizationRecord> {
    const existing = [...this.table.quotes.values()].find((row) => row.quoteUri === q.quoteUri);
    if (existing) return structuredClone(existing);
    const row = { id: ++this.table.lastQuoteId, ...q, createdAt: now };
    this.table.quotes.set(row.id, row);
    return structuredClone(row);
  }

  async findQuoteAuthorization(id: number): Promise<QuoteAuthorizationRecord | null> {
    const row = this.table.quotes.get(id);
    return row ? structuredClone(row) : null;
  }
}
