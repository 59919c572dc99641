import { sql, type Kysely, type Transaction } from 'kysely';
import { uploadHashesIn } from '../../core/media.ts';
import type { Page, PostStatus, PostType, Upload, UploadImage, UploadInfo, UploadQuery, UploadRepository, UploadUse, UploadVariant } from '../../core/store.ts';
import type { Database } from './schema.ts';
import { transact } from './transact.ts';

type Db = Kysely<Database> | Transaction<Database>;

const INFO_COLUMNS = ['hash', 'mime', 'size', 'original_name', 'uploader_id', 'created_at', 'width', 'height', 'alt', 'caption'] as const;

const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

function toInfo(row: { hash: string; mime: string; size: number; original_name: string; uploader_id: number; created_at: number; width: number | null; height: number | null; alt: string; caption: string }): UploadInfo {
  return {
    hash: row.hash,
    mime: row.mime,
    size: Number(row.size),
    originalName: row.original_name,
    uploaderId: row.uploader_id,
    createdAt: Number(row.created_at),
    width: numOrNull(row.width),
    height: numOrNull(row.height),
    alt: row.alt,
    caption: row.caption,
  };
}

/**
 * Records which uploads a post names (in its Markdown, HTML or cover image), replacing what
 * was recorded: every write of a post's text calls it, in the same transaction.
 */
export async function recordUploadUses(db: Db, postId: number, texts: Array<string | null>): Promise<void> {
  await db.deleteFrom('upload_uses').where('post_id', '=', postId).execute();
  const hashes = [...uploadHashesIn(texts.filter((t) => t !== null).join(' '))];
  if (hashes.length > 0) await db.insertInto('upload_uses').values(hashes.map((hash) => ({ hash, post_id: postId }))).execute();
}

/** `%`, `_` and the escape character itself, escaped for LIKE … ESCAPE '\'. */
const likePattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

/** UploadRepository on SQL (SQLite and PostgreSQL): uploaded files, stored once by content hash, and their variants. */
export class KyselyUploadRepository implements UploadRepository {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  async save(u: Upload): Promise<UploadInfo> {
    await this.db
      .insertInto('uploads')
      .values({
        hash: u.hash,
        mime: u.mime,
        size: u.size,
        original_name: u.originalName,
        data: u.data,
        uploader_id: u.uploaderId,
        created_at: u.createdAt,
        width: u.width,
        height: u.height,
        alt: u.alt,
        caption: u.caption,
      })
      .onConflict((oc) => oc.column('hash').doNothing())
      .execute();
    if (u.alt) await this.db.updateTable('uploads').set({ alt: u.alt }).where('hash', '=', u.hash).where('alt', '=', '').execute();
    return (await this.info(u.hash))!;
  }

  async find(hash: string): Promise<Upload | null> {
    const row = await this.db.selectFrom('uploads').select([...INFO_COLUMNS, 'data']).where('hash', '=', hash).executeTakeFirst();
    return row ? { ...toInfo(row), data: new Uint8Array(row.data) } : null;
  }

  async info(hash: string): Promise<UploadInfo | null> {
    const row = await this.db.selectFrom('uploads').select(INFO_COLUMNS).where('hash', '=', hash).executeTakeFirst();
    return row ? toInfo(row) : null;
  }

  async list(query: UploadQuery): Promise<Page<UploadInfo>> {
    let base = this.db.selectFrom('uploads');
    const q = query.q?.trim();
    if (q) {
      const pattern = likePattern(q);
      base = base.where((eb) => eb.or([eb(sql`lower(original_name)`, 'like', sql`${pattern} escape '\\'`), eb(sql`lower(alt)`, 'like', sql`${pattern} escape '\\'`)]));
    }
    const [rows, count] = await Promise.all([
      base.select(INFO_COLUMNS).orderBy('created_at', 'desc').orderBy('hash').limit(query.limit).offset(query.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toInfo), total: Number(count.n) };
  }

  async describe(hash: string, text: { alt: string; caption: string }): Promise<UploadInfo | null> {
    const result = await this.db.updateTable('uploads').set({ alt: text.alt, caption: text.caption }).where('hash', '=', hash).executeTakeFirst();
    return Number(result.numUpdatedRows) === 0 ? null : this.info(hash);
  }

  delete(hash: string): Promise<boolean> {
    return transact(this.db, async (trx) => {
      // SQLite does not enforce the cascade: the variants go first, explicitly.
      await trx.deleteFrom('upload_variants').where('hash', '=', hash).execute();
      const result = await trx.deleteFrom('uploads').where('hash', '=', hash).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  async usage(hashes: string[]): Promise<Map<string, UploadUse[]>> {
    const uses = new Map<string, UploadUse[]>();
    const wanted = [...new Set(hashes)].filter((h) => /^[0-9a-f]{64}$/.test(h));
    if (wanted.length === 0) return uses;
    const found = await this.db
      .selectFrom('upload_uses')
      .innerJoin('posts', 'posts.id', 'upload_uses.post_id')
      .select(['upload_uses.hash', 'posts.id', 'posts.title', 'posts.slug', 'posts.type', 'posts.status', 'posts.deleted_at'])
      .where('upload_uses.hash', 'in', wanted)
      .orderBy('posts.id')
      .execute();
    for (const row of found) {
      const use: UploadUse = { postId: row.id, title: row.title, slug: row.slug, type: row.type as PostType, status: row.status as PostStatus, trashed: row.deleted_at !== null };
      uses.set(row.hash, [...(uses.get(row.hash) ?? []), use]);
    }
    return uses;
  }

  async images(hashes: string[]): Promise<Map<string, UploadImage>> {
    const images = new Map<string, UploadImage>();
    const wanted = [...new Set(hashes)];
    if (wanted.length === 0) return images;
    const [rows, variants] = await Promise.all([
      this.db.selectFrom('uploads').select(['hash', 'mime', 'width', 'height', 'caption', 'variants_at']).where('hash', 'in', wanted).execute(),
      this.db.selectFrom('upload_variants').select(['hash', 'width']).where('hash', 'in', wanted).orderBy('hash').orderBy('width').execute(),
    ]);
    for (const r of rows) images.set(r.hash, { hash: r.hash, mime: r.mime, width: numOrNull(r.width), height: numOrNull(r.height), caption: r.caption, variantWidths: [], processed: r.variants_at !== null });
    for (const v of variants) images.get(v.hash)?.variantWidths.push(Number(v.width));
    return images;
  }

  saveVariants(hash: string, size: { width: number; height: number }, variants: UploadVariant[], now: number): Promise<void> {
    return transact(this.db, async (trx) => {
      const result = await trx.updateTable('uploads').set({ width: size.width, height: size.height, variants_at: now }).where('hash', '=', hash).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return;
      await trx.deleteFrom('upload_variants').where('hash', '=', hash).execute();
      for (const v of variants) {
        await trx.insertInto('upload_variants').values({ hash, width: v.width, height: v.height, mime: v.mime, size: v.data.length, data: v.data }).execute();
      }
    });
  }

  async findVariant(hash: string, width: number): Promise<UploadVariant | null> {
    const row = await this.db.selectFrom('upload_variants').select(['width', 'height', 'mime', 'data']).where('hash', '=', hash).where('width', '=', width).executeTakeFirst();
    return row ? { width: Number(row.width), height: Number(row.height), mime: row.mime, data: new Uint8Array(row.data) } : null;
  }

  async unprocessed(limit: number): Promise<string[]> {
    const rows = await this.db.selectFrom('uploads').select('hash').where('variants_at', 'is', null).orderBy('created_at').orderBy('hash').limit(limit).execute();
    return rows.map((r) => r.hash);
  }
}
