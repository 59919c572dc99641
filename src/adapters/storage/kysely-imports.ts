import type { Kysely, Transaction } from 'kysely';
import type { ImportKind, ImportRepository } from '../../core/store.ts';
import { runCompiledOnce } from './compiled-once.ts';
import type { Database, Engine } from './schema.ts';

/** ImportRepository on SQL (SQLite and PostgreSQL). */
export class KyselyImportRepository implements ImportRepository {
  private readonly db: Kysely<Database> | Transaction<Database>;
  private readonly kind: Engine;

  constructor(db: Kysely<Database> | Transaction<Database>, kind: Engine) {
    this.db = db;
    this.kind = kind;
  }

  // An import asks for and records a key per post and comment (100,000s): compiled once.
  async findKey(source: string, kind: ImportKind, externalId: string): Promise<number | null> {
    const [row] = await runCompiledOnce(this.db, this.kind, 'import-key-find', [source, kind, externalId], ([s, k, e]) =>
      this.db
        .selectFrom('import_keys')
        .select('local_id')
        .where('source', '=', s as string)
        .where('kind', '=', k as ImportKind)
        .where('external_id', '=', e as string)
        .limit(1),
    );
    return row ? Number(row.local_id) : null;
  }

  async saveKey(source: string, kind: ImportKind, externalId: string, localId: number): Promise<void> {
    await runCompiledOnce(this.db, this.kind, 'import-key-save', [source, kind, externalId, localId], ([s, k, e, id]) =>
      this.db
        .insertInto('import_keys')
        .values({ source: s as string, kind: k as ImportKind, external_id: e as string, local_id: id as number })
        .onConflict((oc) => oc.columns(['source', 'kind', 'external_id']).doUpdateSet((eb) => ({ local_id: eb.ref('excluded.local_id') }))),
    );
  }

  async hasKeys(source: string): Promise<boolean> {
    const row = await this.db.selectFrom('import_keys').select('local_id').where('source', '=', source).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  // Four or five per imported post: compiled once too.
  async saveLegacyPath(path: string, postId: number): Promise<void> {
    await runCompiledOnce(this.db, this.kind, 'legacy-path-save', [path, postId], ([p, id]) =>
      this.db
        .insertInto('legacy_paths')
        .values({ path: p as string, post_id: id as number })
        .onConflict((oc) => oc.column('path').doUpdateSet((eb) => ({ post_id: eb.ref('excluded.post_id') }))),
    );
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
