import type { ImportKind, ImportRepository } from '../core/store.ts';
import type { ImportSource } from './import-report.ts';

/** Bits remembering the keys saved in a run: 1 MB, whatever the file's size. */
const BITS = 1 << 23;

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
 * only be one this run saved, and the run sets one bit (of a fixed 1 MB set) for the hash
 * of each key it saves. A look-up whose bit is clear is answered "none" without a query;
 * one whose bit is set (the key, or another with the same bit: with 100,000 keys, about
 * one look-up in a hundred) or any look-up when the source had keys before asks the
 * store, so the answer is always the store's.
 */
export class ImportKeys {
  private readonly repository: ImportRepository;
  private readonly source: ImportSource;
  /** A bit per hash of the keys saved in this run, when the source had no key before it; null: ask the store every time. */
  private saved: Uint8Array | null = null;
  private checked = false;

  constructor(repository: ImportRepository, source: ImportSource) {
    this.repository = repository;
    this.source = source;
  }

  private async remembered(): Promise<Uint8Array | null> {
    if (!this.checked) {
      this.checked = true;
      this.saved = (await this.repository.hasKeys(this.source)) ? null : new Uint8Array(BITS / 8);
    }
    return this.saved;
  }

  async find(kind: ImportKind, externalId: string): Promise<number | null> {
    const saved = await this.remembered();
    if (saved) {
      const bit = hashOf(kind, externalId) % BITS;
      if ((saved[bit >>> 3] & (1 << (bit & 7))) === 0) return null;
    }
    return this.repository.findKey(this.source, kind, externalId);
  }

  async save(kind: ImportKind, externalId: string, localId: number): Promise<void> {
    const saved = await this.remembered();
    await this.repository.saveKey(this.source, kind, externalId, localId);
    if (!saved) return;
    const bit = hashOf(kind, externalId) % BITS;
    saved[bit >>> 3] |= 1 << (bit & 7);
  }
}
