import { sql, type Kysely } from 'kysely';
import type { Engine } from '../schema.ts';

/**
 * People search at scale (issue 11, "Speed", h).
 *
 * SQLite: `people_search`, an FTS5 table with the trigram tokenizer holding people's names
 * (rowid = −person id) and identity values (rowid = the identity's id), with the person's id
 * beside each. A search for three characters or more takes its candidates from it instead of
 * reading every name and identity, and checks them with the same `like` as before.
 *
 * Only people are indexed, never comments, and not while a comment is stored: a new person
 * or identity (a new commenter's first comment) is not added by a trigger — that would cost
 * every new commenter three index writes — but by the search itself, which reads the few
 * rows newer than the newest indexed ones (ids only grow) directly and, when they are many,
 * adds them to the index in one batch (`KyselyPeopleRepository.searchCandidates`). Triggers
 * keep the indexed rows true: a changed name (only when it differs: a returning commenter's
 * comment writes nothing here), a value moved to another person (a merge, its undo), a row
 * removed (a forget), and an old id put back (an undone merge).
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
  // Rows put back with an id at or below the newest indexed one (an undone merge restores rows with their ids).
  await sql`create trigger people_search_person_back after insert on people
    when -new.id >= (select rowid from people_search where rowid < 0 order by rowid limit 1) begin
    insert into people_search (rowid, person_id, text) values (-new.id, new.id, new.name);
  end`.execute(db);
  await sql`create trigger people_search_identity_back after insert on person_identities
    when new.id <= (select rowid from people_search order by rowid desc limit 1) begin
    insert into people_search (rowid, person_id, text) values (new.id, new.person_id, new.value);
  end`.execute(db);
  // Changes to indexed rows (an update of a row not indexed yet changes nothing here).
  await sql`create trigger people_search_person_name after update of name on people when old.name is not new.name begin
    update people_search set text = new.name where rowid = -new.id;
  end`.execute(db);
  await sql`create trigger people_search_person_out after delete on people begin
    delete from people_search where rowid = -old.id;
  end`.execute(db);
  await sql`create trigger people_search_identity_moved after update of person_id, value on person_identities
    when old.person_id is not new.person_id or old.value is not new.value begin
    update people_search set person_id = new.person_id, text = new.value where rowid = new.id;
  end`.execute(db);
  await sql`create trigger people_search_identity_out after delete on person_identities begin
    delete from people_search where rowid = old.id;
  end`.execute(db);
  // Everyone there is now.
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
