import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Kysely, SqliteDialect, sql, type Generated } from 'kysely';
import { NodeSqliteDatabase, readingOnly } from './node-sqlite-database.ts';
import { storageProblem } from './storage-errors.ts';
import { commitsInGroups, transact } from './transact.ts';

interface Db {
  notes: { id: Generated<number>; body: string };
  parents: { id: number };
  children: { id: number; parent_id: number };
}

/**
 * Group commit (node-sqlite-database.ts): transactions that run close together share
 * one COMMIT. What callers rely on is checked from a second connection to the same
 * file, which sees only what is committed: a transaction that returned is on disk, one
 * that failed left nothing, and its neighbours are unharmed.
 */
describe('SQLite group commit', () => {
  let dir: string;
  let file: string;
  let sqlite: NodeSqliteDatabase;
  let db: Kysely<Db>;
  let other: DatabaseSync;
  const onDisk = () => (other.prepare('select body from notes order by id').all() as Array<{ body: string }>).map((r) => r.body);

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kumbaya-group-commit-'));
    file = path.join(dir, 'test.db');
    sqlite = new NodeSqliteDatabase(file);
    db = new Kysely<Db>({ dialect: new SqliteDialect({ database: sqlite }) });
    commitsInGroups(db, sqlite);
    await sql`create table notes (id integer primary key, body text not null unique)`.execute(db);
    await sql`create table parents (id integer primary key)`.execute(db);
    // Checked at COMMIT, not at the insert: the way to make a group's COMMIT fail.
    await sql`create table children (id integer primary key, parent_id integer not null references parents (id) deferrable initially deferred)`.execute(db);
    other = new DatabaseSync(file, { readOnly: true });
  });

  afterEach(async () => {
    other.close();
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const note = (body: string) => transact(db, (trx) => trx.insertInto('notes').values({ body }).execute());

  it('a transaction that returned is on disk, alone or among many started together', async () => {
    await note('alone');
    assert.deepEqual(onDisk(), ['alone']);
    const bodies = Array.from({ length: 20 }, (_, i) => `together ${i}`);
    await Promise.all(bodies.map(async (body) => {
      await note(body);
      // Each caller, as soon as it is answered, finds its own row committed.
      assert.ok(onDisk().includes(body), `${body} was answered before it was on disk`);
    }));
    assert.equal(onDisk().length, 21);
  });

  it('a failing transaction leaves nothing and does not take the others of its group with it', async () => {
    const results = await Promise.allSettled([note('first'), note('first'), note('third'), transact(db, async (trx) => {
      await trx.insertInto('notes').values({ body: 'then thrown' }).execute();
      throw new Error('changed its mind');
    }), note('fifth')]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual(onDisk(), ['first', 'third', 'fifth']);
  });

  it('a COMMIT that fails fails every transaction of its group, and the next group starts clean', async () => {
    await transact(db, (trx) => trx.insertInto('parents').values({ id: 1 }).execute());
    const group = await Promise.allSettled([
      note('in the doomed group'),
      // Valid until COMMIT checks the deferred foreign key: no parent 99.
      transact(db, (trx) => trx.insertInto('children').values({ id: 1, parent_id: 99 }).execute()),
      note('also in it'),
    ]);
    assert.deepEqual(group.map((r) => r.status), ['rejected', 'rejected', 'rejected']);
    assert.match(String((group[0] as PromiseRejectedResult).reason), /FOREIGN KEY/);
    assert.deepEqual(onDisk(), []);
    assert.equal((other.prepare('select count(*) as n from children').get() as { n: number }).n, 0);

    await note('after');
    await transact(db, (trx) => trx.insertInto('children').values({ id: 2, parent_id: 1 }).execute());
    assert.deepEqual(onDisk(), ['after']);
    assert.equal((other.prepare('select count(*) as n from children').get() as { n: number }).n, 1);
  });

  it('a write outside any transaction commits the open group first and is on disk when it returns', async () => {
    const grouped = note('grouped');
    // Runs while the group above is still open (its COMMIT waits for the event loop).
    const single = db.insertInto('notes').values({ body: 'single' }).execute();
    await single;
    assert.deepEqual(onDisk(), ['grouped', 'single']);
    await grouped;
  });

  it('reads between transactions see what the open group wrote', async () => {
    const [, seen] = await Promise.all([note('fresh'), db.selectFrom('notes').select('body').execute()]);
    assert.deepEqual(seen.map((r) => r.body), ['fresh']);
  });

  it('closing the database commits the group still open', () => {
    // The statements Kysely sends, run by hand so that close() comes before the group's COMMIT would.
    const own = new NodeSqliteDatabase(file);
    own.prepare('begin').run([]);
    own.prepare('insert into notes (body) values (?)').run(['last words']);
    own.prepare('commit').run([]);
    assert.deepEqual(onDisk(), []);
    own.close();
    assert.deepEqual(onDisk(), ['last words']);
  });

  it('a transaction that only reads (readingOnly) leaves the write lock to another process', async () => {
    const writer = new DatabaseSync(file);
    try {
      await readingOnly(() =>
        transact(db, async (trx) => {
          await trx.selectFrom('notes').selectAll().execute();
          // Another process (the CLI, say) writes while this snapshot is open.
          writer.exec("insert into notes (body) values ('from elsewhere')");
        }),
      );
    } finally {
      writer.close();
    }
    assert.deepEqual(onDisk(), ['from elsewhere']);
  });

  it("a transaction that writes never joins a reading-only one's group: its write is not refused for the snapshot the reader kept", async () => {
    const writer = new DatabaseSync(file);
    try {
      // The writing transaction waits for the reading one and runs before that one's group
      // would commit; another process wrote while the snapshot was open.
      await Promise.all([
        readingOnly(() =>
          transact(db, async (trx) => {
            await trx.selectFrom('notes').selectAll().execute();
            writer.exec("insert into notes (body) values ('from elsewhere')");
          }),
        ),
        note('after the snapshot'),
      ]);
    } finally {
      writer.close();
    }
    assert.deepEqual(onDisk(), ['from elsewhere', 'after the snapshot']);
  });

  it('any other transaction holds the write lock from its start: a writer elsewhere is held back, and a write after a read is never refused', async () => {
    // Another connection (the delivery thread's) committing between this transaction's read
    // and its write would make SQLite refuse the write at once ("database is locked").
    const writer = new DatabaseSync(file);
    try {
      await transact(db, async (trx) => {
        await trx.selectFrom('notes').selectAll().execute();
        assert.throws(() => writer.exec("insert into notes (body) values ('from elsewhere')"), /database is locked/);
        await trx.insertInto('notes').values({ body: 'read, then written' }).execute();
      });
    } finally {
      writer.close();
    }
    assert.deepEqual(onDisk(), ['read, then written']);
  });

  it('a nested transaction joins the outer one', async () => {
    await assert.rejects(
      transact(db, async (trx) => {
        await transact(trx, (inner) => inner.insertInto('notes').values({ body: 'inner' }).execute());
        throw new Error('outer fails');
      }),
      /outer fails/,
    );
    assert.deepEqual(onDisk(), []);
  });

  it('a full disk fails every transaction of the group with an error that says so (SQLITE_FULL, or its cause)', async () => {
    await transact(db, (trx) => trx.insertInto('notes').values({ body: 'before' }).execute());
    const pages = (sqlite.raw.prepare('pragma page_count').get() as { page_count: number }).page_count;
    sqlite.raw.exec(`pragma max_page_count = ${pages}`);
    const results = await Promise.allSettled(['a', 'b', 'c'].map((n) => transact(db, (trx) => trx.insertInto('notes').values({ body: n.repeat(20_000) }).execute())));
    for (const result of results) {
      assert.equal(result.status, 'rejected');
      assert.equal(storageProblem((result as PromiseRejectedResult).reason), 'disk_full');
    }
    sqlite.raw.exec('pragma max_page_count = 1073741823');
    await transact(db, (trx) => trx.insertInto('notes').values({ body: 'after' }).execute());
    assert.deepEqual(onDisk(), ['before', 'after'], 'nothing of the failed group stayed, and writing works again');
  });
});
