/**
 * Kumbaya's CPU per named statement on PostgreSQL, apart from everything else a request
 * does: a compiled-once query of 24 columns (a comment's width, half bigint, half text)
 * by id, through `openDatabase`'s pool with prepared statements, 32 at a time, 4 rounds of
 * 20,000, µs of this process's CPU per query each round. Give it the checkout to measure,
 * so that two versions can be run alternately from one place:
 *   KUMBAYA_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/test node bench/pg-query-cpu.ts /path/to/checkout
 * (default: this checkout). Uses and drops a fresh schema.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';

const tree = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '..'));
const { openDatabase } = (await import(path.join(tree, 'src/adapters/storage/database.ts'))) as typeof import('../src/adapters/storage/database.ts');
const { runCompiledOnce } = (await import(path.join(tree, 'src/adapters/storage/compiled-once.ts'))) as typeof import('../src/adapters/storage/compiled-once.ts');
const url = process.env.BENCH_PG_URL || process.env.KUMBAYA_TEST_PG_URL;
if (!url) throw new Error('set BENCH_PG_URL or KUMBAYA_TEST_PG_URL');

const schema = `bench_${randomBytes(6).toString('hex')}`;
const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query(`create schema ${schema}`);
const columns = Array.from({ length: 24 }, (_, i) => `c${i}`);
const { db } = openDatabase({ databaseUrl: url, pgSchema: schema, pgPoolSize: 20, pgPreparedStatements: true });
const k = db as unknown as Kysely<any>;
try {
  await sql.raw(`create table t (id integer primary key, ${columns.map((c, i) => `${c} ${i % 2 ? 'text' : 'bigint'}`).join(', ')})`).execute(k);
  await sql.raw(`insert into t select g, ${columns.map((_, i) => (i % 2 ? `'text ' || g` : 'g')).join(', ')} from generate_series(1, 100) g`).execute(k);
  const byId = (id: number) => runCompiledOnce(k, 'postgres', 'bench-pg-query-cpu', [id], ([v]) => k.selectFrom('t').select(['id', ...columns]).where('id', '=', v as number));
  const N = 20_000;
  for (let round = 1; round <= 4; round++) {
    let left = N;
    const cpu = process.cpuUsage();
    await Promise.all(Array.from({ length: 32 }, async () => { while (left-- > 0) await byId((left % 100) + 1); }));
    const used = process.cpuUsage(cpu);
    console.log(`${tree} round ${round}: ${((used.user + used.system) / N).toFixed(1)} µs of CPU per query`);
  }
} finally {
  await db.destroy();
  await admin.query(`drop schema ${schema} cascade`);
  await admin.end();
}
