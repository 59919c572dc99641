import type { Kysely, Transaction } from 'kysely';
import type { Upload, UploadInfo, UploadRepository } from '../../core/store.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** UploadRepository on SQL (SQLite and PostgreSQL): uploaded files, stored once by content hash. */
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
      })
      .onConflict((oc) => oc.column('hash').doNothing())
      .execute();
    const row = await this.db
      .selectFrom('uploads')
      .select(['hash', 'mime', 'size', 'original_name', 'uploader_id', 'created_at'])
      .where('hash', '=', u.hash)
      .executeTakeFirstOrThrow();
    return { hash: row.hash, mime: row.mime, size: Number(row.size), originalName: row.original_name, uploaderId: row.uploader_id, createdAt: Number(row.created_at) };
  }

  async find(hash: string): Promise<Upload | null> {
    const row = await this.db.selectFrom('uploads').selectAll().where('hash', '=', hash).executeTakeFirst();
    if (!row) return null;
    return {
      hash: row.hash,
      mime: row.mime,
      size: Number(row.size),
      originalName: row.original_name,
      data: new Uint8Array(row.data),
      uploaderId: row.uploader_id,
      createdAt: Number(row.created_at),
    };
  }

  async list(limit: number): Promise<UploadInfo[]> {
    return (
      await this.db
        .selectFrom('uploads')
        .select(['hash', 'mime', 'size', 'original_name', 'uploader_id', 'created_at'])
        .orderBy('created_at', 'desc')
        .limit(limit)
        .execute()
    ).map((row) => ({ hash: row.hash, mime: row.mime, size: Number(row.size), originalName: row.original_name, uploaderId: row.uploader_id, createdAt: Number(row.created_at) }));
  }
}
