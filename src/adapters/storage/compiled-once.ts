import { CompiledQuery, type Kysely, type Transaction } from 'kysely';

type Db = Kysely<any> | Transaction<any>;

/** One query's SQL and where each bound parameter comes from: a value's index, or a constant. */
interface Template {
  sql: string;
  slots: Array<number | { constant: unknown }>;
}

/** A query builder or a raw `sql` query: both compile (the raw one needs the database). */
interface Buildable<Row> {
  compile(db: Db): CompiledQuery<Row>;
}

const templates = new Map<string, Template>();

/**
 * The SQL of every query compiled once whose result columns are named, and a name for it: a
 * PostgreSQL connection that prepares statements (DATABASE_PREPARED_STATEMENTS, database.ts)
 * sends each by this name after its first use, so the server parses and plans it once per
 * connection. A query with a `*` anywhere (`select *`, `"p".*`, `returning *`) is left
 * unnamed: once another instance's migration added a column to its table, its prepared
 * statement would fail ("cached plan must not change result type"); named columns keep
 * their result type whatever columns are added.
 */
export const compiledOnceNames = new Map<string, string>();

/** Whether a query's SQL has a `*` other than `count(*)` (a false alarm only costs the name). */
export const selectsEveryColumn = (text: string): boolean => text.replace(/count\(\*\)/gi, '').includes('*');
const MARKER = /^\u0000kumbaya-value:(\d+)\u0000$/;
const marker = (i: number) => `\u0000kumbaya-value:${i}\u0000`;

/**
 * Runs a query built with Kysely, compiling it only the first time. Building and
 * compiling a query costs more than SQLite takes to run a small one, and the busiest
 * queries (a comment's insert, a post by id) have the same SQL every time: only their
 * values change. The first call builds the query with markers in place of the values and
 * records which bound parameter each value fills; later calls bind the new values to that
 * SQL. Use it only where the SQL does not depend on the values (no `is null` for a null,
 * no list whose length varies): `build` must bind each value as a parameter (once or more).
 * `name` identifies the query; the database kind is part of the key.
 */
export async function runCompiledOnce<Row>(db: Db, kind: string, name: string, values: unknown[], build: (values: unknown[]) => Buildable<Row>): Promise<Row[]> {
  const key = `${kind}:${name}`;
  let template = templates.get(key);
  if (!template) {
    const compiled = build(values.map((_, i) => marker(i))).compile(db);
    const slots = compiled.parameters.map((p) => {
      const match = typeof p === 'string' ? MARKER.exec(p) : null;
      return match ? Number(match[1]) : { constant: p };
    });
    const filled = new Set(slots.filter((s) => typeof s === 'number'));
    if (filled.size !== values.length) throw new Error(`query ${name}: every value must be a bound parameter`);
    template = { sql: compiled.sql, slots };
    templates.set(key, template);
    if (!compiledOnceNames.has(template.sql) && !selectsEveryColumn(template.sql)) compiledOnceNames.set(template.sql, `kumbaya_${compiledOnceNames.size + 1}`);
  }
  const parameters = template.slots.map((slot) => (typeof slot === 'number' ? values[slot] : slot.constant));
  const result = await db.executeQuery<Row>(CompiledQuery.raw(template.sql, parameters));
  return result.rows;
}
