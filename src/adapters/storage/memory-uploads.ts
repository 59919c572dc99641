import type { Upload, UploadInfo, UploadRepository } from '../../core/store.ts';
import type { Tables } from './memory-store.ts';

/** Callers get copies, so mutating a result never changes the store. */
const copy = <T>(value: T): T => structuredClone(value);

function toInfo(upload: Upload): UploadInfo {
  const { data: _data, ...info } = upload;
  return copy(info);
}

/** UploadRepository in memory: uploaded files, stored once by content hash. */
export class MemoryUploadRepository implements UploadRepository {
  private readonly tablesOf: () => Tables;

  constructor(tables: () => Tables) {
    this.tablesOf = tables;
  }

  /** The store's tables as they are now: a transaction works on a view of them. */
  private get tables(): Tables {
    return this.tablesOf();
  }

  async save(u: Upload): Promise<UploadInfo> {
    if (!this.tables.uploads.has(u.hash)) {
      this.tables.uploads.set(u.hash, {
        hash: u.hash,
        mime: u.mime,
        size: u.size,
        originalName: u.originalName,
        data: new Uint8Array(u.data),
        uploaderId: u.uploaderId,
        createdAt: u.createdAt,
      });
    }
    return toInfo(this.tables.uploads.get(u.hash)!);
  }

  async find(hash: string): Promise<Upload | null> {
    const upload = this.tables.uploads.get(hash);
    return upload ? copy(upload) : null;
  }

  async list(limit: number): Promise<UploadInfo[]> {
    return [...this.tables.uploads.values()]
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, limit)
      .map(toInfo);
  }
}
