import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { openDatabase } from './database.ts';
import { compiledOnceNames, runCompiledOnce } from './compiled-once.ts';
import { administer, needsEngines } from './test-engines.ts';

describe('PostgreSQL with DATABASE_PREPARED_STATEMENTS', () => {
  const url = process.env.KUMBAYA_TEST_PG_URL;
  it('sends the queries compiled once as named statements, and prepares one again after a migration changed its rows', needsEngines('postgres'), async () => {
    assert.ok(url, 'KUMBAYA_TEST_PG_URL is not set; CI must test PostgreSQL');
    const pgSchema = `t_${randomBytes(8).toString('hex')}`;
    await administer(url, `create schema ${pgSchema}`);
    // One connection, so the statements prepared on it are the ones pg_prepared_statements lists.
    const { db } = openDatabase({ databaseUrl: url, pgSchema, pgPoolSize: 1, pgPreparedStatements: true });
    const k = db as unknown as Kysely<any>;
    try {
      await sql`create table notes (id integer primary key, body text not null)`.execute(k);
      await sql`insert into notes values (1, 'first'), (2, 'second')`.execute(k);
      const note = async (id: number) => (await runCompiledOnce(k, 'postgres', 'test-prepared-note', [id], ([v]) => k.selectFrom('notes').selectAll().where('id', '=', v as number)))[0];
      assert.deepEqual(await note(1), { id: 1, body: 'first' });
      assert.deepEqual(await note(2), { id: 2, body: 'second' });
      const prepared = async () => (await sql<{ name: string }>`select name from pg_prepared_statements order by name`.execute(k)).rows.map((r) => r.name);
      const [name] = [...compiledOnceNames.entries()].filter(([text]) => text.includes('"notes"')).map(([, n]) => n);
      assert.ok(name);
      // The query compiled once is prepared; the plain ones around it are not.
      assert.deepEqual(await prepared(), [name]);

      // Another instance's migration adds a column: the statement prepared for the old rows
      // fails once, its connection is dropped, and the next connection prepares it afresh.
      await administer(url, `alter table ${pgSchema}.notes add column extra text`);
      await assert.rejects(note(1), /cached plan must not change result type/);
      assert.deepEqual(await note(1), { id: 1, body: 'first', extra: null });
    } finally {
      await db.destroy();
      await administer(url, `drop schema ${pgSchema} cascade`);
    }
  });
});
