import { sql, type Kysely } from 'kysely';
import type { Engine } from '../schema.ts';

/**
 * People search at scale (issue 11, "Speed", h), SQLite: `people_search`, an FTS5 table with
 * the trigram tokenizer holding every person's name (rowid = −person id) and every identity's
 * value (rowid = the identity's id), with the person's id beside each. A search for three
 * characters or more reads the people whose trigrams hold the text from this index instead
 * of every name and identity (core/people.ts keeps the meaning: the candidates are checked
 * against the same `like` as before). Triggers keep it: a new person or identity, a changed
 * name, a value moved to another person (a merge, its undo) or removed (a forget).
 *
 * Only people are indexed — names and identities change rarely, and a returning commenter's
 * comment changes neither (the name trigger fires only when the name differs) — never
 * comments, whose every insert would pay for it.
 *
 * PostgreSQL: trigram GIN indexes (pg_trgm) over `lower(trim(name))` and identity values,
 * which the same `like` reads. pg_trgm ships with PostgreSQL's contrib and is a trusted
 * extension (a database owner may add it): it is added to the `public` schema when it is
 * not there yet. Where it cannot be added, the migration goes on without these indexes and
 * the search reads the names and values from the btree indexes alone, as since migration 017.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  if (engine === 'postgres') return trigramIndexes(db);
  await sql`create virtual table people_search using fts5(person_id unindexed, text, tokenize = 'trigram')`.execute(db);
  await sql`create trigger people_search_person_in after insert on people begin
    insert into people_search (rowid, person_id, text) values (-new.id, new.id, new.name);
  end`.execute(db);
  await sql`create trigger people_search_person_name after update of name on people when old.name is not new.name begin
    delete from people_search where rowid = -old.id;
    insert into people_search (rowid, person_id, text) values (-new.id, new.id, new.name);
  end`.execute(db);
  await sql`create trigger people_search_person_out after delete on people begin
    delete from people_search where rowid = -old.id;
  end`.execute(db);
  await sql`create trigger people_search_identity_in after insert on person_identities begin
    insert into people_search (rowid, person_id, text) values (new.id, new.person_id, new.value);
  end`.execute(db);
  await sql`create trigger people_search_identity_moved after update of person_id, value on person_identities when old.person_id is not new.person_id or old.value is not new.value begin
    delete from people_search where rowid = old.id;
    insert into people_search (rowid, person_id, text) values (new.id, new.person_id, new.value);
  end`.execute(db);
  await sql`create trigger people_search_identity_out after delete on person_identities begin
    delete from people_search where rowid = old.id;
  end`.execute(db);
  // Backfill: everyone there is.
  await sql`insert into people_search (rowid, person_id, text) select -id, id, name from people`.execute(db);
  await sql`insert into people_search (rowid, person_id, text) select id, person_id, value from person_identities`.execute(db);
}

async function trigramIndexes(db: Kysely<any>): Promise<void> {
  await sql`savepoint people_trgm`.execute(db);
  try {
    await sql`create extension if not exists pg_trgm schema public`.execute(db);
  } catch {
    await sql`rollback to savepoint people_trgm`.execute(db);
    return;
  }
  const found = await sql<{ schema: string }>`select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm'`.execute(db);
  const ops = sql`${sql.id(found.rows[0].schema)}.gin_trgm_ops`;
  await sql`create index people_name_trgm on people using gin ((lower(trim(name))) ${ops})`.execute(db);
  await sql`create index person_identities_value_trgm on person_identities using gin (value ${ops})`.execute(db);
  await sql`release savepoint people_trgm`.execute(db);
}
