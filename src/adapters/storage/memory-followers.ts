import { deliveryAddress, hostInDomain, hostOf, type BlockKind, type FediverseBlock, type FediverseBlockRepository, type Follower, type FollowerRepository, type FollowerStatus, type FollowerWrite } from '../../core/federation-store.ts';
import type { Tables } from './memory-store.ts';

export interface MemoryFollowerTable {
  lastId: number;
  rows: Map<number, Follower>;
}

export const emptyFollowerTable = (): MemoryFollowerTable => ({ lastId: 0, rows: new Map() });

export interface MemoryBlockTable {
  lastId: number;
  rows: Map<number, FediverseBlock>;
}

export const emptyBlockTable = (): MemoryBlockTable => ({ lastId: 0, rows: new Map() });

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

  async listDeliveryTargets(): Promise<Follower[]> {
    const first = new Map<string, Follower>();
    for (const row of [...this.table.rows.values()].sort((a, b) => a.id - b.id)) {
      if (row.status === 'accepted' && !first.has(deliveryAddress(row))) first.set(deliveryAddress(row), row);
    }
    return [...first.values()].map((row) => structuredClone(row));
  }

  async removeByDeliveryAddress(address: string): Promise<number> {
    let removed = 0;
    for (const row of [...this.table.rows.values()]) if (deliveryAddress(row) === address) removed += Number(this.table.rows.delete(row.id));
    return removed;
  }

  async countAccepted(): Promise<number> {
    return [...this.table.rows.values()].filter((row) => row.status === 'accepted').length;
  }

  async findByActor(actorUri: string): Promise<Follower | null> {
    const row = [...this.table.rows.values()].find((r) => r.actorUri === actorUri);
    return row ? structuredClone(row) : null;
  }

  async listByStatus(status: FollowerStatus): Promise<Follower[]> {
    return [...this.table.rows.values()]
      .filter((row) => row.status === status)
      .sort((a, b) => b.id - a.id)
      .map((row) => structuredClone(row));
  }

  async setStatus(actorUri: string, status: FollowerStatus, now: number): Promise<Follower | null> {
    const row = [...this.table.rows.values()].find((r) => r.actorUri === actorUri);
    if (!row) return null;
    const updated = { ...row, status, updatedAt: now };
    this.table.rows.set(row.id, updated);
    return structuredClone(updated);
  }

  async remove(actorUri: string): Promise<boolean> {
    const row = [...this.table.rows.values()].find((r) => r.actorUri === actorUri);
    return row ? this.table.rows.delete(row.id) : false;
  }

  async removeOnHost(host: string): Promise<number> {
    let removed = 0;
    for (const row of [...this.table.rows.values()]) {
      const on = hostOf(row.actorUri);
      if (on && hostInDomain(on, host)) removed += Number(this.table.rows.delete(row.id));
    }
    return removed;
  }
}

/** FediverseBlockRepository in memory. */
export class MemoryFediverseBlockRepository implements FediverseBlockRepository {
  private readonly tables: () => Tables;

  constructor(tables: () => Tables) {
    this.tables = tables;
  }

  private get table(): MemoryBlockTable {
    return this.tables().fediverseBlocks;
  }

  async add(kind: BlockKind, value: string, now: number): Promise<boolean> {
    if ([...this.table.rows.values()].some((row) => row.kind === kind && row.value === value)) return false;
    const id = ++this.table.lastId;
    this.table.rows.set(id, { id, kind, value, createdAt: now });
    return true;
  }

  async remove(id: number): Promise<boolean> {
    return this.table.rows.delete(id);
  }

  async list(): Promise<FediverseBlock[]> {
    return [...this.table.rows.values()].sort((a, b) => b.id - a.id).map((row) => structuredClone(row));
  }

  async isBlocked(actorUri: string): Promise<boolean> {
    const host = hostOf(actorUri);
    return [...this.table.rows.values()].some((row) => (row.kind === 'actor' ? row.value === actorUri : host !== null && hostInDomain(host, row.value)));
  }
}
