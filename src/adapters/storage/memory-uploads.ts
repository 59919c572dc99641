import type { Page, Upload, UploadImage, UploadInfo, UploadQuery, UploadRepository, UploadUse, UploadVariant } from '../../core/store.ts';
import type { Tables } from './memory-store.ts';

/** Callers get copies, so mutating a result never changes the store. */
const copy = <T>(value: T): T => structuredClone(value);

function toInfo(upload: Upload): UploadInfo {
  const { data: _data, ...info } = upload;
  return copy(info);
}

/** UploadRepository in memory: uploaded files, stored once by content hash, and their variants. */
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
    const known = this.tables.uploads.get(u.hash);
    if (!known) this.tables.uploads.set(u.hash, { ...copy(u), data: new Uint8Array(u.data) });
    else if (u.alt && !known.alt) known.alt = u.alt;
    return toInfo(this.tables.uploads.get(u.hash)!);
  }

  async find(hash: string): Promise<Upload | null> {
    const upload = this.tables.uploads.get(hash);
    return upload ? copy(upload) : null;
  }

  async info(hash: string): Promise<UploadInfo | null> {
    const upload = this.tables.uploads.get(hash);
    return upload ? toInfo(upload) : null;
  }

  async list(query: UploadQuery): Promise<Page<UploadInfo>> {
    const q = query.q?.trim().toLowerCase();
    const matching = [...this.tables.uploads.values()]
      .filter((u) => !q || u.originalName.toLowerCase().includes(q) || u.alt.toLowerCase().includes(q))
      .sort((a, b) => b.createdAt - a.createdAt || (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
    return { items: matching.slice(query.offset, query.offset + query.limit).map(toInfo), total: matching.length };
  }

  async describe(hash: string, text: { alt: string; caption: string }): Promise<UploadInfo | null> {
    const upload = this.tables.uploads.get(hash);
    if (!upload) return null;
    upload.alt = text.alt;
    upload.caption = text.caption;
    return toInfo(upload);
  }

  async delete(hash: string): Promise<boolean> {
    this.tables.uploadVariants.delete(hash);
    return this.tables.uploads.delete(hash);
  }

  async usage(hashes: string[]): Promise<Map<string, UploadUse[]>> {
    const uses = new Map<string, UploadUse[]>();
    const wanted = [...new Set(hashes)].filter((h) => /^[0-9a-f]{64}$/.test(h));
    const posts = [...this.tables.posts.values()].sort((a, b) => a.id - b.id);
    for (const h of wanted) {
      const found = posts.filter((p) => p.markdown.includes(h) || p.html.includes(h) || (p.coverImage ?? '').includes(h));
      if (found.length > 0) uses.set(h, found.map((p) => ({ postId: p.id, title: p.title, slug: p.slug, type: p.type, status: p.status, trashed: p.deletedAt !== null })));
    }
    return uses;
  }

  async images(hashes: string[]): Promise<Map<string, UploadImage>> {
    const images = new Map<string, UploadImage>();
    for (const hash of new Set(hashes)) {
      const u = this.tables.uploads.get(hash);
      if (!u) continue;
      const variantWidths = (this.tables.uploadVariants.get(hash)?.variants ?? []).map((v) => v.width).sort((a, b) => a - b);
      images.set(hash, { hash, mime: u.mime, width: u.width, height: u.height, caption: u.caption, variantWidths, processed: this.tables.uploadVariants.has(hash) });
    }
    return images;
  }

  async saveVariants(hash: string, size: { width: number; height: number }, variants: UploadVariant[], now: number): Promise<void> {
    const upload = this.tables.uploads.get(hash);
    if (!upload) return;
    upload.width = size.width;
    upload.height = size.height;
    this.tables.uploadVariants.set(hash, { at: now, variants: variants.map((v) => ({ ...v, data: new Uint8Array(v.data) })) });
  }

  async findVariant(hash: string, width: number): Promise<UploadVariant | null> {
    const variant = this.tables.uploadVariants.get(hash)?.variants.find((v) => v.width === width);
    return variant ? copy(variant) : null;
  }

  async unprocessed(limit: number): Promise<string[]> {
    return [...this.tables.uploads.values()]
      .filter((u) => !this.tables.uploadVariants.has(u.hash))
      .sort((a, b) => a.createdAt - b.createdAt || (a.hash < b.hash ? -1 : 1))
      .slice(0, limit)
      .map((u) => u.hash);
  }
}
