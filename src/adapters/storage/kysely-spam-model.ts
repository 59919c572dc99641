import { sql, type Kysely, type Transaction } from 'kysely';
import type { SpamModelRepository } from '../../core/store.ts';
import { transact } from './transact.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;
type Label = 'spam' | 'ham';

/** Rows per statement: far below SQLite's and PostgreSQL's bound-parameter limits. */
const chunkSize = 500;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += chunkSize) out.push(items.slice(i, i + chunkSize));
  return out;
}

/**
 * A document counts each distinct token once. Sorting gives concurrent learners the same
 * lock order on PostgreSQL, so two comments learned at once cannot deadlock.
 */
function distinct(tokens: string[]): string[] {
  return [...new Set(tokens)].sort();
}

/**
 * SpamModelRepository on SQL (SQLite and PostgreSQL). Counts change with single
 * `insert … on conflict do update` and `update … set n = n - 1` statements, so concurrent
 * learners on several instances never lose an increment; a token whose counts both reach
 * zero is deleted, and no count goes below zero.
 */
export class KyselySpamModelRepository implements SpamModelRepository {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  async totals(): Promise<{ spam: number; ham: number }> {
    const rows = await this.db.selectFrom('spam_totals').select(['label', 'documents']).execute();
    const totals = { spam: 0, ham: 0 };
    for (const row of rows) if (row.label === 'spam' || row.label === 'ham') totals[row.label] = Number(row.documents);
    return totals;
  }

  async tokenCounts(tokens: string[]): Promise<Map<string, { spam: number; ham: number }>> {
    const counts = new Map<string, { spam: number; ham: number }>();
    for (const part of chunks(distinct(tokens))) {
      const rows = await this.db.selectFrom('spam_tokens').select(['token', 'spam', 'ham']).where('token', 'in', part).execute();
      for (const row of rows) counts.set(row.token, { spam: Number(row.spam), ham: Number(row.ham) });
    }
    return counts;
  }

  async everyToken(limit: number): Promise<Map<string, { spam: number; ham: number }> | null> {
    const rows = await this.db.selectFrom('spam_tokens').select(['token', 'spam', 'ham']).limit(limit + 1).execute();
    if (rows.length > limit) return null;
    return new Map(rows.map((row) => [row.token, { spam: Number(row.spam), ham: Number(row.ham) }]));
  }

  async learn(tokens: string[], label: Label, delta: 1 | -1): Promise<void> {
    const unique = distinct(tokens);
    // Tokens and the document total change together or not at all.
    await transact(this.db, (trx) => this.apply(trx, unique, label, delta));
  }

  private async apply(db: Db, tokens: string[], label: Label, delta: 1 | -1): Promise<void> {
    if (delta === 1) {
      await db
        .insertInto('spam_totals')
        .values({ label, documents: 1 })
        .onConflict((oc) => oc.column('label').doUpdateSet({ documents: sql`spam_totals.documents + 1` }))
        .execute();
      for (const part of chunks(tokens)) {
        await db
          .insertInto('spam_tokens')
          .values(part.map((token) => ({ token, spam: label === 'spam' ? 1 : 0, ham: label === 'ham' ? 1 : 0 })))
          .onConflict((oc) => oc.column('token').doUpdateSet({ [label]: sql`spam_tokens.${sql.ref(label)} + 1` }))
          .execute();
      }
      return;
    }
    await db
      .updateTable('spam_totals')
      .set({ documents: sql`documents - 1` })
      .where('label', '=', label)
      .where('documents', '>', 0)
      .execute();
    for (const part of chunks(tokens)) {
      await db
        .updateTable('spam_tokens')
        .set({ [label]: sql`${sql.ref(label)} - 1` })
        .where('token', 'in', part)
        .where(label, '>', 0)
        .execute();
      await db.deleteFrom('spam_tokens').where('token', 'in', part).where('spam', '=', 0).where('ham', '=', 0).execute();
    }
  }

  async addCounts(documents: { spam: number; ham: number }, tokens: Map<string, { spam: number; ham: number }>): Promise<void> {
    const work = async (db: Db) => {
      for (const label of ['spam', 'ham'] as const) {
        if (documents[label] === 0) continue;
        await db
          .insertInto('spam_totals')
          .values({ label, documents: documents[label] })
          .onConflict((oc) => oc.column('label').doUpdateSet({ documents: sql`spam_totals.documents + excluded.documents` }))
          .execute();
      }
      const rows = [...tokens].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([token, c]) => ({ token, spam: c.spam, ham: c.ham }));
      for (const part of chunks(rows)) {
        await db
          .insertInto('spam_tokens')
          .values(part)
          .onConflict((oc) => oc.column('token').doUpdateSet({ spam: sql`spam_tokens.spam + excluded.spam`, ham: sql`spam_tokens.ham + excluded.ham` }))
          .execute();
      }
    };
    await transact(this.db, work);
  }
}
