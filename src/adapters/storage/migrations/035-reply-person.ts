import { sql, type Kysely } from 'kysely';
import type { Engine } from '../schema.ts';

/**
 * Replies found by the person they answer (issue 11, "Speed", g).
 *
 * `comments.parent_person_id` is the `person_id` of the comment a comment replies to (null
 * for a conversation's first comment, or when that comment has no person). A person page
 * asks for "the team's replies to them" and "when the team last answered them": before,
 * both probed `comments_parent` once for each of the person's comments (thousands for a
 * regular); now they walk `comments_reply_person` (`parent_person_id`, `created_at`) from
 * the newest reply back, as many rows as the page shows.
 *
 * Triggers keep the column true whatever writes the comments — a reply stored, imported or
 * moved to another parent (comment-move), a parent removed (`on delete set null`), and a
 * comment whose person changes (a merge, its undo, a forget): its replies follow it. They
 * fire only for a reply (one update of the row by its key) or when a comment's person or
 * parent changes, so a conversation's first comment costs nothing more.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  await sql`alter table comments add column parent_person_id integer`.execute(db);
  if (engine === 'postgres') {
    await sql`update comments c set parent_person_id = p.person_id from comments p where p.id = c.parent_id and p.person_id is not null`.execute(db);
    await sql`create function comments_parent_person() returns trigger language plpgsql as $$
      begin
        if new.parent_id is null then
          new.parent_person_id := null;
        else
          new.parent_person_id := (select p.person_id from comments p where p.id = new.parent_id);
        end if;
        return new;
      end $$`.execute(db);
    await sql`create trigger comments_parent_person before insert or update of parent_id on comments
      for each row execute function comments_parent_person()`.execute(db);
    await sql`create function comments_replies_follow() returns trigger language plpgsql as $$
      begin
        update comments set parent_person_id = new.person_id where parent_id = new.id and parent_person_id is distinct from new.person_id;
        return null;
      end $$`.execute(db);
    await sql`create trigger comments_replies_follow after update of person_id on comments
      for each row when (old.person_id is distinct from new.person_id) execute function comments_replies_follow()`.execute(db);
  } else {
    await sql`update comments set parent_person_id = (select p.person_id from comments p where p.id = comments.parent_id) where parent_id is not null`.execute(db);
    await sql`create trigger comments_parent_person_new after insert on comments when new.parent_id is not null begin
      update comments set parent_person_id = (select p.person_id from comments p where p.id = new.parent_id) where id = new.id;
    end`.execute(db);
    await sql`create trigger comments_parent_person_moved after update of parent_id on comments
      when old.parent_id is not new.parent_id begin
      update comments set parent_person_id = (select p.person_id from comments p where p.id = new.parent_id) where id = new.id;
    end`.execute(db);
    await sql`create trigger comments_replies_follow after update of person_id on comments when old.person_id is not new.person_id begin
      update comments set parent_person_id = new.person_id where parent_id = new.id;
    end`.execute(db);
  }
  await sql`create index comments_reply_person on comments (parent_person_id, created_at) where parent_person_id is not null`.execute(db);
}
