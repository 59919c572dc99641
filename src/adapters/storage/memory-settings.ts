import type { SettingRepository } from '../../core/store.ts';
import type { Tables } from './memory-store.ts';

/** SettingRepository in memory: the site's settings as keys and values. */
export class MemorySettingRepository implements SettingRepository {
  private readonly tablesOf: () => Tables;

  constructor(tables: () => Tables) {
    this.tablesOf = tables;
  }

  /** The store's tables as they are now: a transaction works on a view of them. */
  private get tables(): Tables {
    return this.tablesOf();
  }

  async getAll(): Promise<Record<string, string>> {
    return Object.fromEntries(this.tables.settings);
  }

  async set(values: Record<string, string>): Promise<void> {
    for (const [key, value] of Object.entries(values)) this.tables.settings.set(key, value);
  }

  async setIfAbsent(key: string, value: string): Promise<string> {
    if (!this.tables.settings.has(key)) this.tables.settings.set(key, value);
    return this.tables.settings.get(key)!;
  }

  async takeIfEquals(key: string, expected: string): Promise<boolean> {
    if (this.tables.settings.get(key) !== expected) return false;
    return this.tables.settings.delete(key);
  }
}
