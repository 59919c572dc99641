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
 * PostgreSQL has no FTS5; it keeps reading the names and values from the indexes alone
 * (people_name_key, person_identities_value), as since migration 017.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  if (engine !== 'sqlite') return;
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
