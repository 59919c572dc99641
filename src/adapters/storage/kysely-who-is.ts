import type { Kysely, Transaction } from 'kysely';
import type { CommentStatus } from '../../core/store.ts';
import type { InteractionCounts, NothingFound, PublicProfile, WhoIsRepository } from '../../core/who-is.ts';
import type { Database, Engine } from './schema.ts';
import { runCompiledOnce } from './compiled-once.ts';
import { transact } from './transact.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** "Who is this?" on SQL (SQLite and PostgreSQL): the store's `whoIs` (migration 014). */
export class KyselyWhoIsRepository implements WhoIsRepository {
  private readonly db: Db;
  /** Known (the store's): a person page's two look-ups are compiled once; unknown, built each time. */
  private readonly engine: Engine | undefined;

  constructor(db: Db, engine?: Engine) {
    this.db = db;
    this.engine = engine;
  }

  async profile(website: string): Promise<PublicProfile | null> {
    const [row] = this.engine
      ? await runCompiledOnce(this.db, this.engine, 'who-is-profile', [website], ([w]) => this.db.selectFrom('public_profiles').selectAll().where('website', '=', w as string))
      : [await this.db.selectFrom('public_profiles').selectAll().where('website', '=', website).executeTakeFirst()];
    if (!row) return null;
    const links = this.engine
      ? await runCompiledOnce(this.db, this.engine, 'who-is-profile-links', [website], ([w]) => this.db.selectFrom('public_profile_links').select('url').where('website', '=', w as string).orderBy('position'))
      : await this.db.selectFrom('public_profile_links').select('url').where('website', '=', website).orderBy('position').execute();
    return {
      website: row.website,
      found: Number(row.found) === 1,
      reason: row.reason as NothingFound | null,
      reasonDetail: row.reason_detail,
      name: row.name,
      note: row.note,
      url: row.url,
      photo: row.photo,
      relMe: links.map((l) => l.url),
      fetchedAt: Number(row.fetched_at),
    };
  }

  async saveProfile(p: PublicProfile): Promise<void> {
    const values = {
      found: p.found ? 1 : 0, reason: p.reason, reason_detail: p.reasonDetail, name: p.name, note: p.note, url: p.url, photo: p.photo, fetched_at: p.fetchedAt,
    };
    await transact(this.db, async (db) => {
      // Links first: SQLite does not enforce the foreign key's cascade.
      await db.deleteFrom('public_profile_links').where('website', '=', p.website).execute();
      await db.insertInto('public_profiles').values({ website: p.website, ...values }).onConflict((oc) => oc.column('website').doUpdateSet(values)).execute();
      const links = [...new Set(p.relMe)];
      if (links.length > 0) await db.insertInto('public_profile_links').values(links.map((url, position) => ({ website: p.website, url, position }))).execute();
    });
  }

  async deleteProfilesBefore(before: number): Promise<number> {
    return transact(this.db, async (db) => {
      const old = db.selectFrom('public_profiles').select('website').where('fetched_at', '<', before);
      await db.deleteFrom('public_profile_links').where('website', 'in', old).execute();
      const result = await db.deleteFrom('public_profiles').where('fetched_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  async deleteProfile(website: string): Promise<void> {
    await transact(this.db, async (db) => {
      await db.deleteFrom('public_profile_links').where('website', '=', website).execute();
      await db.deleteFrom('public_profiles').where('website', '=', website).execute();
    });
  }

  async interactions(personId: number): Promise<InteractionCounts> {
    // One after another: inside a transaction SQLite's one connection must not interleave queries.
    const byStatus = await this.db.selectFrom('comments').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).where('person_id', '=', personId).groupBy('status').execute();
    const mentions = await this.db.selectFrom('webmentions').select((eb) => eb.fn.countAll<number>().as('n')).where('person_id', '=', personId).executeTakeFirstOrThrow();
    const comments: Record<CommentStatus, number> = { pending: 0, approved: 0, spam: 0, trash: 0 };
    for (const row of byStatus) if (row.status in comments) comments[row.status as CommentStatus] = Number(row.n);
    return { comments, mentions: Number(mentions.n) };
  }
}
