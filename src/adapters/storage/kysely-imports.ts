import type { Kysely, Transaction } from 'kysely';
import type { ImportKind, ImportRepository } from '../../core/store.ts';
import type { Database } from './schema.ts';

/** ImportRepository on SQL (SQLite and PostgreSQL). */
export class KyselyImportRepository implements ImportRepository {
  private readonly db: Kysely<Database> | Transaction<Database>;

  constructor(db: Kysely<Database> | Transaction<Database>) {
    this.db = db;
  }

  async findKey(source: string, kind: ImportKind, externalId: string): Promise<number | null> {
    const row = await this.db
      .selectFrom('import_keys')
      .select('local_id')
      .where('source', '=', source)
      .where('kind', '=', kind)
      .where('external_id', '=', externalId)
      .executeTakeFirst();
    return row ? Number(row.local_id) : null;
  }

  async saveKey(source: string, kind: ImportKind, externalId: string, localId: number): Promise<void> {
    await this.db
      .insertInto('import_keys')
      .values({ source, kind, external_id: externalId, local_id: localId })
      .onConflict((oc) => oc.columns(['source', 'kind', 'external_id']).doUpdateSet({ local_id: localId }))
      .execute();
  }

  async saveLegacyPath(path: string, postId: number): Promise<void> {
    await this.db
      .insertInto('legacy_paths')
      .values({ path, post_id: postId })
      .onConflict((oc) => oc.column('path').doUpdateSet({ post_id: postId }))
      .execute();
  }

  async findLegacyPath(path: string): Promise<number | null> {
    const row = await this.db.selectFrom('legacy_paths').select('post_id').where('path', '=', path).executeTakeFirst();
    return row ? Number(row.post_id) : null;
  }

  async legacyPathsOf(postId: number): Promise<string[]> {
    const rows = await this.db.selectFrom('legacy_paths').select('path').where('post_id', '=', postId).orderBy('path').execute();
    return rows.map((r) => r.path);
  }
}
