import type { Kysely, Transaction } from 'kysely';
import type { SettingRepository } from '../../core/store.ts';
import { transact } from './transact.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** SettingRepository on SQL (SQLite and PostgreSQL): the site's settings as keys and values. */
export class KyselySettingRepository implements SettingRepository {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  async getAll(): Promise<Record<string, string>> {
    const rows = await this.db.selectFrom('settings').selectAll().execute();
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }

  async set(values: Record<string, string>): Promise<void> {
    await transact(this.db, async (trx) => {
      for (const [key, value] of Object.entries(values)) {
        await trx
          .insertInto('settings')
          .values({ key, value })
          .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
          .execute();
      }
    });
  }

  async setIfAbsent(key: string, value: string): Promise<string> {
    await this.db
      .insertInto('settings')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const row = await this.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirstOrThrow();
    return row.value;
  }

  async takeIfEquals(key: string, expected: string): Promise<boolean> {
    const result = await this.db.deleteFrom('settings').where('key', '=', key).where('value', '=', expected).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

