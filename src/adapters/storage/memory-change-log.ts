import { CHANGE_LOG_STARTED, type ChangeEvent, type ChangeLogRepository } from '../../core/change-feed.ts';
import type { Tables } from './memory-store.ts';

export interface MemoryChangeLogTable {
  lastId: number;
  events: ChangeEvent[];
}

/** A new log holds its first entry, as migration 020 writes it. */
export const emptyChangeLogTable = (): MemoryChangeLogTable => ({ lastId: 1, events: [{ id: 1, topic: CHANGE_LOG_STARTED, at: Date.now() }] });

/** The change log in memory; its rows live in the MemoryStore's tables so transactions cover them. */
export class MemoryChangeLog implements ChangeLogRepository {
  private readonly tables: () => Tables;

  constructor(tables: () => Tables) {
    this.tables = tables;
  }

  private get table(): MemoryChangeLogTable {
    return this.tables().changeLog;
  }

  async append(topics: string[], at: number): Promise<ChangeEvent[]> {
    const events = topics.map((topic) => ({ id: ++this.table.lastId, topic, at }));
    this.table.events.push(...events);
    return events.map((e) => ({ ...e }));
  }

  async after(id: number, options: { limit: number; prefix?: string; within?: number }): Promise<ChangeEvent[] | null> {
    if (!this.table.events.some((e) => e.id === id)) return null;
    if (options.within !== undefined && this.table.events.filter((e) => e.id > id).length > options.within) return null;
    return this.table.events
      .filter((e) => e.id > id && (!options.prefix || e.topic.startsWith(options.prefix)))
      .slice(0, options.limit)
      .map((e) => ({ ...e }));
  }

  async head(): Promise<number> {
    return this.table.events.at(-1)?.id ?? 0;
  }

  async prune(before: number): Promise<number> {
    const newest = this.table.events.at(-1);
    const kept = this.table.events.filter((e) => e.at >= before || e === newest);
    const removed = this.table.events.length - kept.length;
    this.table.events = kept;
    return removed;
  }
}
