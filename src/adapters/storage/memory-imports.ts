import type { ImportKind, ImportRepository } from '../../core/store.ts';
import type { Tables } from './memory-store.ts';

const keyOf = (source: string, kind: ImportKind, externalId: string) => JSON.stringify([source, kind, externalId]);

/** ImportRepository in memory; its data lives in the MemoryStore's tables so transactions cover it. */
export class MemoryImportRepository implements ImportRepository {
  private readonly tables: () => Tables;

  constructor(tables: () => Tables) {
    this.tables = tables;
  }

  async findKey(source: string, kind: ImportKind, externalId: string): Promise<number | null> {
    return this.tables().importKeys.get(keyOf(source, kind, externalId)) ?? null;
  }

  async saveKey(source: string, kind: ImportKind, externalId: string, localId: number): Promise<void> {
    this.tables().importKeys.set(keyOf(source, kind, externalId), localId);
  }

  async hasKeys(source: string): Promise<boolean> {
    const prefix = JSON.stringify([source]).slice(0, -1) + ',';
    for (const key of this.tables().importKeys.keys()) if (key.startsWith(prefix)) return true;
    return false;
  }

  async saveLegacyPath(path: string, postId: number): Promise<void> {
    this.tables().legacyPaths.set(path, postId);
  }

  async findLegacyPath(path: string): Promise<number | null> {
    const postId = this.tables().legacyPaths.get(path);
    // Purging a post forgets its old addresses (the SQL foreign key cascades).
    return postId !== undefined && this.tables().posts.has(postId) ? postId : null;
  }

  async legacyPathsOf(postId: number): Promise<string[]> {
    return [...this.tables().legacyPaths].filter(([, id]) => id === postId).map(([path]) => path).sort();
  }
}
