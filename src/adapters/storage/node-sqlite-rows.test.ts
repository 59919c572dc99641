import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { NodeSqliteDatabase } from './node-sqlite-database.ts';

interface Db {
  notes: { id: number; body: string; score: number | null; data: Uint8Array | null };
}

/**
 * The SQLite driver reads rows as arrays and makes them into objects itself
 * (node-sqlite-database.ts): what Kysely and the repositories get must be what
 * node:sqlite's own row objects held, column for column, through `all` and `iterate`.
 */
describe('SQLite rows', () => {
  let dir: string;
  let sqlite: NodeSqliteDatabase;
  let db: Kysely<Db>;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kumbaya-rows-'));
    sqlite = new NodeSqliteDatabase(path.join(dir, 'rows.db'));
    db = new Kysely<Db>({ dialect: new SqliteDialect({ database: sqlite }) });
    await sql`create table notes (id integer primary key, body text not null, score real, data blob)`.execute(db);
    await db.insertInto('notes').values([
      { id: 1, body: 'Café — “one”', score: 1.5, data: null },
      { id: 2, body: 'two', score: null, data: new Uint8Array([1, 2, 3]) },
    ]).execute();
  });
  after(async () => {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives each row its columns in order, with their values and types', async () => {
    const rows = await db.selectFrom('notes').selectAll().orderBy('id').execute();
    assert.deepEqual(rows.map((r) => Object.keys(r)), [['id', 'body', 'score', 'data'], ['id', 'body', 'score', 'data']]);
    assert.equal(rows[0].body, 'Café — “one”');
    assert.equal(rows[0].score, 1.5);
    assert.equal(rows[1].score, null);
    assert.deepEqual([...(rows[1].data ?? [])], [1, 2, 3]);
  });

  it('keeps the last of two columns with the same name, in the place of the first, as node:sqlite does', async () => {
    const raw = sqlite.raw.prepare("select id, body, 'later' as id from notes where id = 1").get() as Record<string, unknown>;
    const { rows } = await sql<Record<string, unknown>>`select id, body, 'later' as id from notes where id = 1`.execute(db);
    assert.deepEqual(rows[0], { ...raw });
    assert.deepEqual(Object.entries(rows[0]), [['id', 'later'], ['body', 'Café — “one”']]);
  });

  it('answers an insert … returning, and streams rows as objects too', async () => {
    const inserted = await db.insertInto('notes').values({ id: 3, body: 'three', score: 3, data: null }).returning(['id', 'body']).executeTakeFirstOrThrow();
    assert.deepEqual(inserted, { id: 3, body: 'three' });
    const streamed: string[] = [];
    for await (const row of db.selectFrom('notes').select(['body']).orderBy('id').stream()) streamed.push(row.body);
    assert.deepEqual(streamed, ['Café — “one”', 'two', 'three']);
  });
});
