import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { openDatabase } from './database.ts';
import { compiledOnceNames, runCompiledOnce } from './compiled-once.ts';
import { administer, needsEngines } from './test-engines.ts';

describe('PostgreSQL with DATABASE_PREPARED_STATEMENTS', () => {
  const url = process.env.KUMBAYA_TEST_PG_URL;
  it('sends the queries compiled once as named statements unless they ask for every column, and prepares one again after a migration changed its rows', needsEngines('postgres'), async () => {
    assert.ok(url, 'KUMBAYA_TEST_PG_URL is not set; CI must test PostgreSQL');
    const pgSchema = `t_${randomBytes(8).toString('hex')}`;
    await administer(url, `create schema ${pgSchema}`);
    // One connection, so the statements prepared on it are the ones pg_prepared_statements lists.
    const { db } = openDatabase({ databaseUrl: url, pgSchema, pgPoolSize: 1, pgPreparedStatements: true });
    const k = db as unknown as Kysely<any>;
    try {
      await sql`create table notes (id integer primary key, body text not null, n integer not null)`.execute(k);
      await sql`insert into notes values (1, 'first', 10), (2, 'second', 20)`.execute(k);
      const note = async (id: number) => (await runCompiledOnce(k, 'postgres', 'test-prepared-note', [id], ([v]) => k.selectFrom('notes').select(['id', 'body', 'n']).where('id', '=', v as number)))[0];
      const wholeNote = async (id: number) => (await runCompiledOnce(k, 'postgres', 'test-prepared-whole-note', [id], ([v]) => k.selectFrom('notes').selectAll().where('id', '=', v as number)))[0];
      assert.deepEqual(await note(1), { id: 1, body: 'first', n: 10 });
      assert.deepEqual(await note(2), { id: 2, body: 'second', n: 20 });
      assert.deepEqual(await wholeNote(1), { id: 1, body: 'first', n: 10 });
      const prepared = async () => (await sql<{ name: string }>`select name from pg_prepared_statements order by name`.execute(k)).rows.map((r) => r.name);
      const named = [...compiledOnceNames.entries()].filter(([text]) => text.includes('"notes"'));
      assert.equal(named.length, 1, 'only the query that names its columns has a name');
      assert.ok(!named[0][0].includes('*'));
      // The query compiled once with named columns is prepared; the plain ones around it and the `select *` are not.
      assert.deepEqual(await prepared(), [named[0][1]]);

      // Another instance's migration adds a column: the named statement's rows have not
      // changed, and the `select *`, sent unnamed, has the new column.
      await administer(url, `alter table ${pgSchema}.notes add column extra text`);
      assert.deepEqual(await note(1), { id: 1, body: 'first', n: 10 });
      assert.deepEqual(await wholeNote(1), { id: 1, body: 'first', n: 10, extra: null });

      // A migration that changes a named column's type changes the prepared rows: the
      // statement fails once, its connection is dropped, and the next connection prepares it
      // afresh, its rows read as the new type says (not as the rows pg described before).
      await administer(url, `alter table ${pgSchema}.notes alter column n type text`);
      await assert.rejects(note(1), /cached plan must not change result type/);
      assert.deepEqual(await note(1), { id: 1, body: 'first', n: '10' });
    } finally {
      await db.destroy();
      await administer(url, `drop schema ${pgSchema} cascade`);
    }
  });
});
