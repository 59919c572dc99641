import type { Follower, FollowerRepository, FollowerWrite } from '../../core/federation-store.ts';
import type { Tables } from './memory-store.ts';

export interface MemoryFollowerTable {
  lastId: number;
  rows: Map<number, Follower>;
}

export const emptyFollowerTable = (): MemoryFollowerTable => ({ lastId: 0, rows: new Map() });

/** FollowerRepository in memory; its rows live in the MemoryStore's tables so transactions cover them. */
export class MemoryFollowerRepository implements FollowerRepository {
  private readonly tables: () => Tables;

  constructor(tables: () => Tables) {
    this.tables = tables;
  }

  private get table(): MemoryFollowerTable {
    return this.tables().followers;
  }

  async upsert(f: FollowerWrite, now: number): Promise<Follower> {
    const existing = [...this.table.rows.values()].find((row) => row.actorUri === f.actorUri);
    const row: Follower = existing ? { ...existing, ...f, updatedAt: now } : { id: ++this.table.lastId, ...f, createdAt: now, updatedAt: now };
    this.table.rows.set(row.id, row);
    return structuredClone(row);
  }

  async listAccepted(query: { after?: number; limit: number }): Promise<Follower[]> {
    return [...this.table.rows.values()]
      .filter((row) => row.status === 'accepted' && row.id > (query.after ?? 0))
      .sort((a, b) => a.id - b.id)
      .slice(0, query.limit)
      .map((row) => structuredClone(row));
  }

  async countAccepted(): Promise<number> {
    return [...this.table.rows.values()].filter((row) => row.status === 'accepted').length;
  }
}
