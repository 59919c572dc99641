import { sql, type Kysely } from 'kysely';
import type { Engine } from '../schema.ts';

/**
 * A comment's rate limits counted in one round trip on PostgreSQL (issue 13, point 4).
 *
 * `kumbaya_rate_limits_all_or_none` counts a hit on every key, each in its own fixed window
 * (the upsert `hitAll` sends), and when any key is over its limit it undoes them all (the
 * block's writes roll back; the counts it read stay in its variables), so a refused comment
 * counts against none, as the transaction around `hitAll` did in three round trips
 * (begin, upsert, commit). It answers each key's window start and hits as counted (refused:
 * as they would have been). SQLite has no functions: its store does the same in a
 * transaction, in process.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  if (engine !== 'postgres') return;
  await sql`create function kumbaya_rate_limits_all_or_none(p_keys text[], p_expired bigint[], p_max integer[], p_now bigint)
    returns table (counted_key text, counted_window_start bigint, counted_hits integer)
    language plpgsql as $$
    #variable_conflict use_column
    declare
      keys_seen text[];
      starts_seen bigint[];
      hits_seen integer[];
      refused boolean;
    begin
      begin
        with counted as (
          insert into rate_limits as r (key, window_start, hits)
          select k, p_now, 1 from unnest(p_keys) as k
          on conflict (key) do update set
            hits = case when r.window_start <= (select e from unnest(p_keys, p_expired) as x(k, e) where x.k = excluded.key) then 1 else r.hits + 1 end,
            window_start = case when r.window_start <= (select e from unnest(p_keys, p_expired) as x(k, e) where x.k = excluded.key) then excluded.window_start else r.window_start end
          returning r.key, r.window_start, r.hits
        )
        select array_agg(c.key), array_agg(c.window_start), array_agg(c.hits), bool_or(c.hits > m.max)
          into keys_seen, starts_seen, hits_seen, refused
          from counted c join unnest(p_keys, p_max) as m(k, max) on m.k = c.key;
        if refused then
          raise exception using errcode = 'P0001', message = 'kumbaya: rate limited';
        end if;
      exception when raise_exception then
        null;
      end;
      return query select * from unnest(keys_seen, starts_seen, hits_seen);
    end $$`.execute(db);
}
