import type { ImportKind, ImportRepository } from '../core/store.ts';
import type { ImportSource } from './import-report.ts';

/** Past this many keys saved in one run, every look-up asks the store again (memory stays bounded). */
const MAX_REMEMBERED = 1_000_000;

/** FNV-1a over the key's UTF-16 units: a small integer to remember instead of the string. */
function hashOf(kind: string, externalId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < kind.length; i++) h = Math.imul(h ^ kind.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ 0, 0x01000193);
  for (let i = 0; i < externalId.length; i++) h = Math.imul(h ^ externalId.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * An import's view of its keys (`import_keys`), asking the store only when an answer may
 * exist. An import asks for an item's key before creating it (100,000 look-ups for
 * 100,000 comments); on a first import of a source every one of them finds nothing. So
 * the run asks once whether the source has any key at all: if it has none, a key can
 * only be one this run saved, and the run remembers a hash of each key it saves (a small
 * number each). A look-up whose hash was never saved is answered "none" without a query;
 * one whose hash was saved (or any look-up once the source had keys before, or after
 * MAX_REMEMBERED keys) asks the store, so the answer is always the store's.
 */
export class ImportKeys {
  private readonly repository: ImportRepository;
  private readonly source: ImportSource;
  /** Hashes of the keys saved in this run, while the source had no key before it; null: ask the store every time. */
  private saved: Set<number> | null = null;
  private checked = false;

  constructor(repository: ImportRepository, source: ImportSource) {
    this.repository = repository;
    this.source = source;
  }

  private async remembered(): Promise<Set<number> | null> {
    if (!this.checked) {
      this.checked = true;
      this.saved = (await this.repository.hasKeys(this.source)) ? null : new Set();
    }
    return this.saved;
  }

  async find(kind: ImportKind, externalId: string): Promise<number | null> {
    const saved = await this.remembered();
    if (saved && !saved.has(hashOf(kind, externalId))) return null;
    return this.repository.findKey(this.source, kind, externalId);
  }

  async save(kind: ImportKind, externalId: string, localId: number): Promise<void> {
    const saved = await this.remembered();
    await this.repository.saveKey(this.source, kind, externalId, localId);
    if (!saved) return;
    if (saved.size >= MAX_REMEMBERED) this.saved = null;
    else saved.add(hashOf(kind, externalId));
  }
}
