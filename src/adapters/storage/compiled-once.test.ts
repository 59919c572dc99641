import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kysely, SqliteDialect, sql, type Generated } from 'kysely';
import { NodeSqliteDatabase } from './node-sqlite-database.ts';
import { runCompiledOnce } from './compiled-once.ts';

interface Db {
  notes: { id: Generated<number>; body: string; kind: string; n: number };
}

describe('queries compiled once', () => {
  it('binds fresh values to the SQL compiled the first time, constants included', async () => {
    const db = new Kysely<Db>({ dialect: new SqliteDialect({ database: new NodeSqliteDatabase(':memory:') }) });
    await sql`create table notes (id integer primary key, body text not null, kind text not null, n integer not null)`.execute(db);
    // node:sqlite hands back rows without a prototype.
    const plain = (rows: object[]) => rows.map((row) => ({ ...row }));
    const insert = async (body: string, n: number) =>
      plain(await runCompiledOnce(db, 'sqlite', 'test-insert', [body, n], ([b, count]) => db.insertInto('notes').values({ body: b as string, kind: 'constant', n: count as number }).returningAll()));
    assert.deepEqual(await insert('first', 1), [{ id: 1, body: 'first', kind: 'constant', n: 1 }]);
    assert.deepEqual(await insert('second', 2), [{ id: 2, body: 'second', kind: 'constant', n: 2 }]);
    // A value bound twice (as in an upsert) fills both places.
    const twice = async (n: number) => plain(await runCompiledOnce(db, 'sqlite', 'test-twice', [n], ([v]) => sql<{ body: string }>`select body from notes where n = ${v} or id = ${v} order by id`));
    assert.deepEqual(await twice(2), [{ body: 'second' }]);
    assert.deepEqual(await twice(1), [{ body: 'first' }]);
    await db.destroy();
  });

  it('refuses a query that does not bind every value', async () => {
    const db = new Kysely<Db>({ dialect: new SqliteDialect({ database: new NodeSqliteDatabase(':memory:') }) });
    await assert.rejects(
      runCompiledOnce(db, 'sqlite', 'test-literal', ['x'], ([v]) => sql`select ${sql.lit(String(v).length)} as n`),
      /every value must be a bound parameter/,
    );
    await db.destroy();
  });
});
