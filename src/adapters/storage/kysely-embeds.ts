import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { EmbedRepository, EmbedSite, EmbedSiteWithCount, EmbedThread } from '../../core/embeds.ts';
import type { Database } from './schema.ts';
import { isUniqueViolation } from './storage-errors.ts';

const toSite = (row: Selectable<Database['embed_sites']>): EmbedSite => ({ id: row.id, origin: row.origin, createdBy: row.created_by, createdAt: Number(row.created_at) });
const toThread = (row: Selectable<Database['embed_threads']>): EmbedThread => ({ postId: row.post_id, pageUrl: row.page_url, origin: row.origin, createdAt: Number(row.created_at) });

/** Sites and their threads on SQL (migration 024): the store's `embeds`. */
export class KyselyEmbedRepository implements EmbedRepository {
  private readonly db: Kysely<Database> | Transaction<Database>;

  constructor(db: Kysely<Database> | Transaction<Database>) {
    this.db = db;
  }

  async listSites(): Promise<EmbedSiteWithCount[]> {
    const rows = await this.db
      .selectFrom('embed_sites')
      .selectAll('embed_sites')
      .select((eb) => eb.selectFrom('embed_threads').whereRef('embed_threads.origin', '=', 'embed_sites.origin').select(sql<number>`count(*)`.as('n')).as('threads'))
      .orderBy('origin')
      .execute();
    return rows.map((row) => ({ ...toSite(row), threads: Number(row.threads ?? 0) }));
  }

  async findSite(origin: string): Promise<EmbedSite | null> {
    const row = await this.db.selectFrom('embed_sites').selectAll().where('origin', '=', origin).executeTakeFirst();
    return row ? toSite(row) : null;
  }

  async addSite(origin: string, createdBy: number | null, at: number): Promise<EmbedSite | null> {
    try {
      const row = await this.db.insertInto('embed_sites').values({ origin, created_by: createdBy, created_at: at }).returningAll().executeTakeFirstOrThrow();
      return toSite(row);
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  async removeSite(id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('embed_sites').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async findThread(pageUrl: string): Promise<EmbedThread | null> {
    const row = await this.db.selectFrom('embed_threads').selectAll().where('page_url', '=', pageUrl).executeTakeFirst();
    return row ? toThread(row) : null;
  }

  async threadOfPost(postId: number): Promise<EmbedThread | null> {
    const row = await this.db.selectFrom('embed_threads').selectAll().where('post_id', '=', postId).executeTakeFirst();
    return row ? toThread(row) : null;
  }

  async createThread(t: EmbedThread): Promise<EmbedThread> {
    const row = await this.db
      .insertInto('embed_threads')
      .values({ post_id: t.postId, page_url: t.pageUrl, origin: t.origin, created_at: t.createdAt })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toThread(row);
  }

  async threadsOf(origin: string, limit: number): Promise<EmbedThread[]> {
    const rows = await this.db.selectFrom('embed_threads').selectAll().where('origin', '=', origin).orderBy('created_at', 'desc').orderBy('post_id', 'desc').limit(limit).execute();
    return rows.map(toThread);
  }
}
