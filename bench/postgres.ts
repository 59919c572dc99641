/**
 * The bench's PostgreSQL: a fresh schema in the database BENCH_PG_URL (else
 * KUMBAYA_TEST_PG_URL) names, dropped again when the runs are done. Without either, the
 * PostgreSQL workloads are skipped with a note.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface BenchSchema {
  /** DATABASE_URL for Kumbaya, with the schema as every connection's search_path; null when skipped. */
  url: string | null;
  schema: string;
  /** The server, without credentials (for the log). */
  where: string;
  /** Why PostgreSQL is not measured, or null. */
  skipped: string | null;
  drop(): Promise<void>;
}

async function run(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export async function benchSchema(): Promise<BenchSchema> {
  const base = process.env.BENCH_PG_URL || process.env.KUMBAYA_TEST_PG_URL;
  if (!base) {
    return { url: null, schema: '', where: '', skipped: 'PostgreSQL workloads skipped: set BENCH_PG_URL (or KUMBAYA_TEST_PG_URL) to postgres://user@host:5432/db', drop: async () => {} };
  }
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  await run(base, `create schema ${schema}`);
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { url: url.toString(), schema, where: `${url.hostname}:${url.port || 5432}${url.pathname}`, skipped: null, drop: () => run(base, `drop schema ${schema} cascade`) };
}
