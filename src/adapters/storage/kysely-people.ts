import { sql, type Kysely, type RawBuilder, type Selectable, type Transaction } from 'kysely';
import { DomainError } from '../../core/errors.ts';
import {
  emptyCounts,
  mergeFields,
  mergeManifestOf,
  mergeProblem,
  mergedFields,
  mergeTimeline,
  nameAndEmailReasons,
  sharedWebsiteReason,
  undoProblem,
  UNDO_MS,
  type DuplicateSuggestion,
  type MergedPersonRecord,
  type MergeManifest,
  type MergePreview,
  type PersonMerge,
  normaliseEmail,
  normaliseIdentity,
  normaliseUrl,
  sourceBound,
  timelineKinds,
  type IdentityKind,
  type PeopleCursor,
  type PeopleQuery,
  type PersonEvent,
  type PersonIdentity,
  type PersonLabel,
  type PersonNote,
  type PersonSummary,
  type PersonTrust,
  type TimelineEntry,
  type TimelineKind,
  type TimelinePage,
  type TimelineQuery,
  type Trust,
} from '../../core/people.ts';
import type { OutboxStatus, Person, PersonRepository, SubscriptionKind } from '../../core/store.ts';
import { runCompiledOnce } from './compiled-once.ts';
import type { ForgetChoice, ForgetOutcome, PersonData } from '../../core/person-rights.ts';
import { forgetPerson, personDataOf } from './kysely-person-rights.ts';
import { toComment } from './kysely-comments.ts';
import { transact } from './transact.ts';
import { relMeReason } from '../../core/who-is.ts';
import type { Database, Engine } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * The columns a Person is read from, named rather than `*` so that a column added by another
 * instance's migration cannot change a prepared statement's rows (compiled-once.ts).
 */
export const PERSON_COLUMNS = ['id', 'name', 'email', 'website', 'created_at'] as const;
/** PERSON_COLUMNS of `people as p`. */
const PERSON_COLUMNS_OF_P = PERSON_COLUMNS.map((c) => `p.${c}` as const);

/** The columns an identity is read from (as PERSON_COLUMNS). */
export const IDENTITY_COLUMNS = ['id', 'person_id', 'kind', 'value', 'verified', 'first_seen', 'last_seen'] as const;

/** A person's row as PERSON_COLUMNS read it. */
export type PersonRow = Pick<Selectable<Database['people']>, (typeof PERSON_COLUMNS)[number]>;

export function toPerson(row: PersonRow): Person {
  return { id: row.id, name: row.name, email: row.email, website: row.website, createdAt: Number(row.created_at) };
}

export function toIdentity(row: Pick<Selectable<Database['person_identities']>, (typeof IDENTITY_COLUMNS)[number]>): PersonIdentity {
  return { id: row.id, personId: row.person_id, kind: row.kind as IdentityKind, value: row.value, verified: Number(row.verified) === 1, firstSeen: Number(row.first_seen), lastSeen: Number(row.last_seen) };
}

export function toNote(row: Selectable<Database['person_notes']>): PersonNote {
  return { id: row.id, personId: row.person_id, markdown: row.markdown, html: row.html, authorId: row.author_id, createdAt: Number(row.created_at), updatedAt: Number(row.updated_at) };
}

export function toEvent(row: Selectable<Database['person_events']>): PersonEvent {
  return { id: row.id, personId: row.person_id, kind: row.kind as PersonEvent['kind'], detail: JSON.parse(row.detail) as Record<string, unknown>, actorId: row.actor_id, createdAt: Number(row.created_at) };
}

export function toTrust(row: { trust: string; trust_reason: string | null; muted_until: number | string | null }): PersonTrust {
  return { trust: row.trust as Trust, reason: row.trust_reason, mutedUntil: row.muted_until === null ? null : Number(row.muted_until) };
}

/** People and identities newer than the search index (SQLite) beyond which a search adds them to it first. */
const INDEX_BATCH = 500;

/** `like` pattern for a substring, with the wildcards in it taken literally. */
function containing(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * On PostgreSQL, the id of the person an address names, as `findByEmail` finds them: the
 * holder of the email identity (a proven one first), else the person whose primary address
 * it is. `identity` may be null (an address that is no identity): then only the latter.
 */
export function personIdByEmail(identity: unknown, primary: unknown): RawBuilder<number | null> {
  return sql`coalesce(
        (select i.person_id from person_identities i where i.kind = 'email' and i.value = cast(${identity} as text) order by i.verified desc, i.person_id limit 1),
        (select q.id from people q where q.email = cast(${primary} as text)))`;
}

/** PERSON_COLUMNS of `people as p`, for a raw statement. */
export const personColumnsOfP = sql.join(PERSON_COLUMNS_OF_P.map((c) => sql.ref(c)));

/**
 * upsertByEmail's steps on PostgreSQL as CTEs, to open a statement with (`with …`): `found`
 * (the person the address belongs to, as read), `made` (a new person, when none was found),
 * `person` (the id of either), then the name, website and identities updated. PostgreSQL
 * runs them in order on one snapshot, each write to its end. The values are the normalised
 * email, the typed name and website, the time and the normalised website (or null).
 */
export function personByEmailSteps(e: unknown, name: unknown, website: unknown, at: unknown, s: unknown): RawBuilder<unknown> {
  return sql`found as (
      select ${personColumnsOfP} from people p where p.id = ${personIdByEmail(e, e)}
    ), seen as (
      update people set name = cast(${name} as text), website = coalesce(people.website, cast(${website} as text)),
        last_seen_at = case when people.last_seen_at > cast(${at} as bigint) then people.last_seen_at else cast(${at} as bigint) end
      where people.id in (select id from found)
    ), made as (
      insert into people (name, email, website, created_at, last_seen_at)
      select cast(${name} as text), cast(${e} as text), cast(${website} as text), cast(${at} as bigint), cast(${at} as bigint) where not exists (select 1 from found)
      on conflict (email) do update set name = excluded.name, website = coalesce(people.website, excluded.website),
        last_seen_at = case when people.last_seen_at > excluded.last_seen_at then people.last_seen_at else excluded.last_seen_at end
      returning ${sql.join(PERSON_COLUMNS.map((c) => sql.ref(c)))}
    ), person as (
      select id from found union all select id from made
    ), claimed as (
      insert into person_identities (person_id, kind, value, verified, first_seen, last_seen)
      select id, 'email', cast(${e} as text), 0, cast(${at} as bigint), cast(${at} as bigint) from person
      union all
      select id, 'website', cast(${s} as text), 0, cast(${at} as bigint), cast(${at} as bigint) from person where cast(${s} as text) is not null
      on conflict (person_id, kind, value) do update set last_seen = excluded.last_seen
    )`;
}

/** The person repository on SQL (SQLite and PostgreSQL): the store's `people`. */
export class KyselyPeopleRepository implements PersonRepository {
  private readonly db: Db;
  private readonly engine: Engine;

  constructor(db: Db, engine: Engine) {
    this.db = db;
    this.engine = engine;
  }

  /**
   * The person a comment form's address belongs to (see ARCHITECTURE.md, "People"): the one
   * who holds it verified, else the oldest who claimed it, else a new person. Their name
   * follows the latest comment; a typed website is recorded as a claim, never used to find anyone.
   */
  async upsertByEmail(input: { name: string; email: string; website: string | null }, now: number): Promise<Person> {
    const email = normaliseEmail(input.email);
    if (this.engine === 'postgres' && normaliseIdentity('email', email) !== null) return this.upsertByEmailAtOnce(input, email, now);
    // Every comment from the form comes through here: each statement is compiled once (compiled-once.ts).
    return transact(this.db, async (db) => {
      const repo = new KyselyPeopleRepository(db, this.engine);
      const found = await repo.findByEmail(email);
      let person: Person;
      if (found) {
        person = { ...found, name: input.name, website: found.website ?? input.website };
        await runCompiledOnce(db, this.engine, 'people-seen', [person.id, input.name, input.website, now], ([id, name, website, at]) =>
          db
            .updateTable('people')
            .set((eb) => ({ name: name as string, website: eb.fn.coalesce('website', eb.val(website as string | null)), last_seen_at: sql<number>`case when last_seen_at > ${at} then last_seen_at else ${at} end` }))
            .where('id', '=', id as number),
        );
      } else {
        // Someone new (a comment sent at the same moment may have made them: then they are updated as above).
        const [row] = await runCompiledOnce(db, this.engine, 'people-insert', [input.name, email, input.website, now], ([name, e, website, at]) =>
          db
            .insertInto('people')
            .values({ name: name as string, email: e as string, website: website as string | null, created_at: at as number, last_seen_at: at as number })
            .onConflict((oc) =>
              oc.column('email').doUpdateSet((eb) => ({
                name: eb.ref('excluded.name'),
                website: eb.fn.coalesce('people.website', 'excluded.website'),
                last_seen_at: sql<number>`case when people.last_seen_at > excluded.last_seen_at then people.last_seen_at else excluded.last_seen_at end`,
              })),
            )
            .returning(PERSON_COLUMNS),
        );
        if (!row) throw new Error('the person was not stored');
        person = toPerson(row);
      }
      await repo.touchIdentity(person.id, 'email', email, now);
      const site = input.website ? normaliseUrl(input.website) : null;
      if (site) await repo.touchIdentity(person.id, 'website', site, now);
      return person;
    });
  }

  /**
   * upsertByEmail on PostgreSQL in one statement, one round trip where it took four (the
   * look-up, the person's insert or update, each identity's): the same steps as CTEs, which
   * PostgreSQL runs in order on one snapshot, each write to its end. The person found is
   * answered as it was read, with the new name and website, as the steps above answer it.
   */
  private async upsertByEmailAtOnce(input: { name: string; website: string | null }, email: string, now: number): Promise<Person> {
    const site = input.website ? normaliseUrl(input.website) : null;
    const columns = sql.join(PERSON_COLUMNS.map((c) => sql.ref(c)));
    const [row] = await runCompiledOnce(this.db, this.engine, 'people-upsert-by-email', [email, input.name, input.website, now, site], ([e, name, website, at, s]) =>
      sql<PersonRow & { was_found: boolean }>`
        with ${personByEmailSteps(e, name, website, at, s)}
        select true as was_found, ${columns} from found union all select false as was_found, ${columns} from made`,
    );
    if (!row) throw new Error('the person was not stored');
    const person = toPerson(row);
    return row.was_found ? { ...person, name: input.name, website: person.website ?? input.website } : person;
  }

  async createWithoutEmail(input: { name: string; website: string | null }, now: number): Promise<Person> {
    const row = await this.db.insertInto('people').values({ name: input.name, email: null, website: input.website, created_at: now, last_seen_at: now }).returningAll().executeTakeFirstOrThrow();
    return toPerson(row);
  }

  async findById(id: number): Promise<Person | null> {
    const [row] = await runCompiledOnce(this.db, this.engine, 'people-by-id', [id], ([v]) => this.db.selectFrom('people').select(PERSON_COLUMNS).where('id', '=', v as number));
    return row ? toPerson(row) : null;
  }

  /**
   * By an email identity (verified first, then the oldest claim), else by a person's primary
   * address (rows from before migration 010 or an import): one statement, asked on every comment.
   */
  async findByEmail(email: string): Promise<Person | null> {
    const normalised = normaliseEmail(email);
    if (normaliseIdentity('email', normalised) === null) return this.findByPrimaryEmail(normalised);
    const [row] = await runCompiledOnce(this.db, this.engine, 'people-by-email', [normalised, normalised], ([identity, primary]) =>
      this.db
        .selectFrom('people as p')
        .select(PERSON_COLUMNS_OF_P)
        .where('p.id', '=', (eb) =>
          eb.fn.coalesce(
            eb.selectFrom('person_identities as i').select('i.person_id').where('i.kind', '=', 'email').where('i.value', '=', identity as string).orderBy('i.verified', 'desc').orderBy('i.person_id').limit(1),
            eb.selectFrom('people as q').select('q.id').where('q.email', '=', primary as string),
          ),
        ),
    );
    return row ? toPerson(row) : null;
  }

  private async findByPrimaryEmail(email: string): Promise<Person | null> {
    const [row] = await runCompiledOnce(this.db, this.engine, 'people-by-primary-email', [email], ([e]) => this.db.selectFrom('people').select(PERSON_COLUMNS).where('email', '=', e as string));
    return row ? toPerson(row) : null;
  }

  async findByIdentity(kind: IdentityKind, value: string): Promise<Person | null> {
    const normalised = normaliseIdentity(kind, value);
    if (normalised === null) return null;
    const [row] = await runCompiledOnce(this.db, this.engine, 'people-by-identity', [normalised, kind], ([v, k]) =>
      this.db
        .selectFrom('person_identities as i')
        .innerJoin('people as p', 'p.id', 'i.person_id')
        .select(PERSON_COLUMNS_OF_P)
        .where('i.value', '=', v as string)
        .where('i.kind', '=', k as string)
        .orderBy('i.verified', 'desc')
        .orderBy('i.person_id')
        .limit(1),
    );
    return row ? toPerson(row) : null;
  }

  /** Records a claim (or refreshes the last time it was seen). */
  private async touchIdentity(personId: number, kind: IdentityKind, value: string, now: number): Promise<void> {
    await runCompiledOnce(this.db, this.engine, 'people-identity-seen', [personId, kind, value, now], ([id, k, v, at]) =>
      this.db
        .insertInto('person_identities')
        .values({ person_id: id as number, kind: k as string, value: v as string, verified: 0, first_seen: at as number, last_seen: at as number })
        .onConflict((oc) => oc.columns(['person_id', 'kind', 'value']).doUpdateSet({ last_seen: at as number })),
    );
  }

  async identities(personId: number): Promise<PersonIdentity[]> {
    const rows = await runCompiledOnce(this.db, this.engine, 'people-identities', [personId], ([id]) =>
      this.db.selectFrom('person_identities').select(IDENTITY_COLUMNS).where('person_id', '=', id as number).orderBy('kind').orderBy('value'),
    );
    return rows.map(toIdentity);
  }

  async addIdentity(personId: number, kind: IdentityKind, value: string, verified: boolean, now: number): Promise<PersonIdentity> {
    const normalised = normaliseIdentity(kind, value);
    if (normalised === null) throw new DomainError('validation_failed', `That is not a valid ${kind} identity.`, { value: 'Not valid.' });
    // Twice for every received Like or reply from an account (its URI and handle): compiled once.
    return transact(this.db, async (db) => {
      if (verified) {
        const [holder] = await runCompiledOnce(db, this.engine, 'people-identity-holder', [kind, normalised], ([k, v]) =>
          db.selectFrom('person_identities').select('person_id').where('kind', '=', k as string).where('value', '=', v as string).where('verified', '=', 1),
        );
        if (holder && holder.person_id !== personId) throw new DomainError('conflict', `${normalised} is already proven to belong to someone else.`);
      }
      const [row] = await runCompiledOnce(db, this.engine, verified ? 'people-identity-add-verified' : 'people-identity-add', [personId, kind, normalised, now], ([id, k, v, at]) =>
        db
          .insertInto('person_identities')
          .values({ person_id: id as number, kind: k as string, value: v as string, verified: verified ? 1 : 0, first_seen: at as number, last_seen: at as number })
          .onConflict((oc) => oc.columns(['person_id', 'kind', 'value']).doUpdateSet({ last_seen: at as number, ...(verified ? { verified: 1 } : {}) }))
          .returning(IDENTITY_COLUMNS),
      );
      if (!row) throw new Error('the identity was not stored');
      return toIdentity(row);
    });
  }

  async holdIdentity(kind: IdentityKind, value: string): Promise<void> {
    if (this.engine !== 'postgres') return;
    // A transaction-scoped advisory lock on the identity's 64-bit hash: released at COMMIT or ROLLBACK.
    await sql`select pg_advisory_xact_lock(hashtextextended(${`${kind}\n${normaliseIdentity(kind, value) ?? value}`}, 0))`.execute(this.db);
  }

  async verifyEmail(email: string, now: number): Promise<void> {
    const normalised = normaliseEmail(email);
    await transact(this.db, async (db) => {
      const held = await db.selectFrom('person_identities').select('id').where('kind', '=', 'email').where('value', '=', normalised).where('verified', '=', 1).executeTakeFirst();
      if (held) return;
      const first = await db.selectFrom('person_identities').select('id').where('kind', '=', 'email').where('value', '=', normalised).orderBy('person_id').limit(1).executeTakeFirst();
      if (first) await db.updateTable('person_identities').set({ verified: 1, last_seen: now }).where('id', '=', first.id).execute();
    });
  }

  async trust(personId: number): Promise<PersonTrust> {
    const [row] = await runCompiledOnce(this.db, this.engine, 'people-trust', [personId], ([id]) => this.db.selectFrom('people').select(['trust', 'trust_reason', 'muted_until']).where('id', '=', id as number));
    return row ? toTrust(row) : { trust: 'normal', reason: null, mutedUntil: null };
  }

  async setTrust(personId: number, t: PersonTrust, actorId: number | null, now: number): Promise<void> {
    await transact(this.db, async (db) => {
      await db.updateTable('people').set({ trust: t.trust, trust_reason: t.reason, muted_until: t.trust === 'muted' ? t.mutedUntil : null }).where('id', '=', personId).execute();
      await new KyselyPeopleRepository(db, this.engine).addEvent({ personId, kind: 'trust', detail: { ...t }, actorId, createdAt: now });
    });
  }

  async list(q: PeopleQuery): Promise<{ items: PersonSummary[]; next: PeopleCursor | null }> {
    let query = this.db.selectFrom('people as p').selectAll('p');
    const text = q.text?.trim();
    if (text) {
      const pattern = containing(text);
      const like = sql`${pattern} escape '\\'`;
      // Ordered by last seen, the scan below stops after a page when many people match, but reads
      // everyone (with a look at their identities each) when few do. So first ask who may match
      // at all — on SQLite from the trigram index people_search (migration 031) when the text
      // has three characters or more, else from the names and identity values (on PostgreSQL
      // through their trigram GIN indexes, migration 031) — and when they are few, only they
      // are checked, sorted and paged.
      const few = 1000;
      const candidates = await this.searchCandidates(text, like, few);
      if (candidates !== null) {
        query = query.where('p.id', 'in', candidates.length > 0 ? candidates : [0]);
      }
      if (candidates === null || this.engine === 'sqlite') {
        // The trigram index folds case further than `like` does: its candidates are checked with the same test as the scan.
        query = query.where((eb) =>
          eb.or([
            eb(sql`lower(trim(p.name))`, 'like', like),
            eb.exists(eb.selectFrom('person_identities as i').select('i.id').whereRef('i.person_id', '=', 'p.id').where(sql`i.value`, 'like', like)),
          ]),
        );
      }
    }
    if (q.labelId !== undefined) {
      const labelId = q.labelId;
      query = query.where((eb) => eb.exists(eb.selectFrom('person_label_links as l').select('l.person_id').whereRef('l.person_id', '=', 'p.id').where('l.label_id', '=', labelId)));
    }
    if (q.trust) query = query.where('p.trust', '=', q.trust);
    const after = q.after;
    if (after) query = query.where((eb) => eb.or([eb('p.last_seen_at', '<', after.lastSeenAt), eb.and([eb('p.last_seen_at', '=', after.lastSeenAt), eb('p.id', '<', after.id)])]));
    const rows = await query.orderBy('p.last_seen_at', 'desc').orderBy('p.id', 'desc').limit(q.limit + 1).execute();
    const shown = rows.slice(0, q.limit);
    const items = await this.summarise(shown);
    const last = shown[shown.length - 1];
    return { items, next: rows.length > q.limit && last ? { lastSeenAt: Number(last.last_seen_at), id: last.id } : null };
  }

  /**
   * The people a search may find, when they are at most `few`; null when there are more
   * (the ordered scan then finds a page of them soon). On SQLite, for three characters or
   * more, from people_search (trigrams of names and identity values): a superset of those
   * the `like` finds. Otherwise exactly those whose name or an identity value is `like` it.
   */
  private async searchCandidates(text: string, like: RawBuilder<unknown>, few: number): Promise<number[] | null> {
    if (this.engine === 'sqlite' && [...text].length >= 3) {
      let tail = await this.unindexed();
      if (tail.people + tail.identities > INDEX_BATCH) tail = await this.catchUpSearchIndex();
      const phrase = `"${text.toLowerCase().replace(/"/g, '""')}"`;
      const rows = (await sql<{ person_id: number }>`select person_id from people_search where people_search match ${phrase} limit ${few * 4 + 1}`.execute(this.db)).rows;
      // People and identities newer than the index: read directly (few; ids only grow).
      const newer = [
        ...(await this.db.selectFrom('people').select('id as person_id').where('id', '>', tail.personAbove).where(sql`lower(trim(name))`, 'like', like).execute()),
        ...(await this.db.selectFrom('person_identities').select('person_id').where('id', '>', tail.identityAbove).where(sql`value`, 'like', like).execute()),
      ];
      const ids = [...new Set([...rows, ...newer].map((r) => Number(r.person_id)))];
      return rows.length > few * 4 || ids.length > few ? null : ids;
    }
    const byValue = await this.db.selectFrom('person_identities').select('person_id as id').where(sql`value`, 'like', like).limit(few + 1).execute();
    const byName = byValue.length > few ? [] : await this.db.selectFrom('people').select('id').where(sql`lower(trim(name))`, 'like', like).limit(few + 1).execute();
    const matching = [...new Set([...byName, ...byValue].map((r) => r.id))];
    return byValue.length <= few && byName.length <= few && matching.length <= few ? matching : null;
  }

  /** On SQLite: the newest person and identity in people_search, and how many rows are newer (migration 031). */
  private async unindexed(): Promise<{ personAbove: number; identityAbove: number; people: number; identities: number }> {
    const [row] = (
      await sql<{ person_above: number | null; identity_above: number | null }>`select
        -(select rowid from people_search where rowid < 0 order by rowid limit 1) as person_above,
        (select rowid from people_search where rowid > 0 order by rowid desc limit 1) as identity_above`.execute(this.db)
    ).rows;
    const personAbove = Number(row?.person_above ?? 0);
    const identityAbove = Number(row?.identity_above ?? 0);
    const [counts] = (
      await sql<{ people: number; identities: number }>`select
        (select count(*) from people where id > ${personAbove}) as people,
        (select count(*) from person_identities where id > ${identityAbove}) as identities`.execute(this.db)
    ).rows;
    return { personAbove, identityAbove, people: Number(counts?.people ?? 0), identities: Number(counts?.identities ?? 0) };
  }

  /** Adds the people and identities newer than people_search to it, in one transaction; answers what is left (nothing). */
  private async catchUpSearchIndex(): Promise<{ personAbove: number; identityAbove: number; people: number; identities: number }> {
    return transact(this.db, async (db) => {
      const repo = new KyselyPeopleRepository(db, this.engine);
      const tail = await repo.unindexed();
      await sql`insert into people_search (rowid, person_id, text) select -id, id, name from people where id > ${tail.personAbove} order by id`.execute(db);
      await sql`insert into people_search (rowid, person_id, text) select id, person_id, value from person_identities where id > ${tail.identityAbove} order by id`.execute(db);
      return repo.unindexed();
    });
  }

  async summary(personId: number): Promise<PersonSummary | null> {
    const [row] = await runCompiledOnce(this.db, this.engine, 'people-row', [personId], ([id]) => this.db.selectFrom('people').selectAll().where('id', '=', id as number));
    return row ? (await this.summarise([row]))[0] : null;
  }

  /**
   * Summaries of a page of people in four statements, however many people are on it (not
   * a round of queries per row): identities, labels, then per person (correlated, each
   * answered from an index) whether there are notes, their latest comment, their latest
   * approved one and when the team last answered them, then those comments and whether
   * anyone on the team spoke after the latest approved one in its conversation.
   */
  private async summarise(rows: Array<Selectable<Database['people']>>): Promise<PersonSummary[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    // Each statement compiled once per number of people (a person page: one; a list page: up to 30).
    const n = ids.length;
    const identityRows = await runCompiledOnce(this.db, this.engine, `people-summary-identities-${n}`, ids, (v) =>
      this.db.selectFrom('person_identities').select(IDENTITY_COLUMNS).where('person_id', 'in', v as number[]).orderBy('kind').orderBy('value'),
    );
    const labelRows = await runCompiledOnce(this.db, this.engine, `people-summary-labels-${n}`, ids, (v) =>
      this.db
        .selectFrom('person_label_links as l')
        .innerJoin('person_labels as n', 'n.id', 'l.label_id')
        .select(['l.person_id', 'n.id', 'n.name'])
        .where('l.person_id', 'in', v as number[])
        .orderBy('n.name'),
    );
    const facts = await runCompiledOnce(this.db, this.engine, `people-summary-facts-${n}`, ids, (v) => this.db
      .selectFrom('people as p')
      .select('p.id')
      .select((eb) => [
        eb.exists(eb.selectFrom('person_notes as n').select('n.id').whereRef('n.person_id', '=', 'p.id')).as('has_notes'),
        eb.selectFrom('comments as c').select('c.id').whereRef('c.person_id', '=', 'p.id').where('c.status', 'in', ['approved', 'pending']).orderBy('c.created_at', 'desc').orderBy('c.id', 'desc').limit(1).as('last_comment'),
        eb.selectFrom('comments as c').select('c.id').whereRef('c.person_id', '=', 'p.id').where('c.status', '=', 'approved').orderBy('c.created_at', 'desc').orderBy('c.id', 'desc').limit(1).as('latest_approved'),
        // The team's replies to them, newest first, through comments_reply_person (migration 035).
        eb
          .selectFrom('comments as r')
          .select('r.created_at')
          .whereRef('r.parent_person_id', '=', 'p.id')
          .where('r.user_id', 'is not', null)
          .where('r.status', '=', 'approved')
          .orderBy('r.created_at', 'desc')
          .limit(1)
          .as('last_reply_at'),
      ])
      .where('p.id', 'in', v as number[]));
    const commentIds = [...new Set(facts.flatMap((f) => [f.last_comment, f.latest_approved]).filter((id): id is number => id !== null && id !== undefined))];
    const comments = new Map<number, { id: number; post_id: number; created_at: number; source: string; answered: unknown }>();
    if (commentIds.length > 0) {
      const found = await runCompiledOnce(this.db, this.engine, `people-summary-comments-${commentIds.length}`, commentIds, (v) => this.db
        .selectFrom('comments as c')
        .select(['c.id', 'c.post_id', 'c.created_at', 'c.source'])
        .select((eb) =>
          eb
            .exists(
              eb
                .selectFrom('comments as a')
                .select('a.id')
                .where('a.root_id', '=', eb.fn.coalesce('c.root_id', 'c.id'))
                .where('a.user_id', 'is not', null)
                .where('a.status', '=', 'approved')
                // `+ 0`: compared as a value, the time is no reason for SQLite to walk comments_inbox
                // (every approved comment since) rather than comments_by_root (this conversation's).
                .where(sql`a.created_at + 0`, '>=', sql.ref('c.created_at'))
                .whereRef('a.id', '!=', 'c.id'),
            )
            .as('answered'),
        )
        .where('c.id', 'in', v as number[]));
      for (const c of found) comments.set(c.id, { ...c, created_at: Number(c.created_at) });
    }
    const byPerson = <T extends { person_id: number }>(list: T[]) => {
      const map = new Map<number, T[]>();
      for (const item of list) map.set(item.person_id, [...(map.get(item.person_id) ?? []), item]);
      return map;
    };
    const identities = byPerson(identityRows);
    const labels = byPerson(labelRows);
    const factsOf = new Map(facts.map((f) => [f.id, f]));
    return rows.map((row) => {
      const f = factsOf.get(row.id);
      const lastComment = f?.last_comment != null ? comments.get(f.last_comment) : undefined;
      const latestApproved = f?.latest_approved != null ? comments.get(f.latest_approved) : undefined;
      return {
        person: toPerson(row),
        trust: toTrust(row),
        identities: (identities.get(row.id) ?? []).map(toIdentity),
        labels: (labels.get(row.id) ?? []).map((l) => ({ id: l.id, name: l.name })),
        lastSeenAt: Number(row.last_seen_at),
        hasNotes: Boolean(Number(f?.has_notes ?? 0)),
        lastComment: lastComment ? { id: lastComment.id, postId: lastComment.post_id, createdAt: lastComment.created_at } : null,
        lastReplyAt: f?.last_reply_at != null ? Number(f.last_reply_at) : null,
        // An imported comment is history: nobody is waiting on it.
        waiting: latestApproved !== undefined && latestApproved.source !== 'import' && !Number(latestApproved.answered),
      };
    });
  }

  async namesUsed(personId: number): Promise<string[]> {
    // Someone with thousands of comments has used a name or two: step from one name to the next
    // through comments_person_name (migration 017) instead of reading every comment of theirs.
    const names = sql<{ author_name: string; at: number | string }>`
      with recursive names(name) as (
        select min(author_name) from comments where person_id = ${personId}
        union all
        select (select min(c.author_name) from comments c where c.person_id = ${personId} and c.author_name > names.name) from names where names.name is not null
      )
      select name as author_name, (select max(c.created_at) from comments c where c.person_id = ${personId} and c.author_name = names.name) as at from names where name is not null`;
    const [comments, mentions, person] = await Promise.all([
      names.execute(this.db).then((r) => r.rows),
      runCompiledOnce(this.db, this.engine, 'people-names-mentions', [personId], ([id]) =>
        this.db.selectFrom('webmentions').select('author_name').select((eb) => eb.fn.max('received_at').as('at')).where('person_id', '=', id as number).where('author_name', 'is not', null).groupBy('author_name'),
      ),
      this.findById(personId),
    ]);
    const seen = new Map<string, number>();
    for (const r of [...comments, ...mentions]) {
      const name = r.author_name as string;
      seen.set(name, Math.max(seen.get(name) ?? 0, Number(r.at)));
    }
    if (person && !seen.has(person.name)) seen.set(person.name, 0);
    return [...seen.entries()].sort((a, b) => b[1] - a[1]).map(([name]) => name);
  }

  async notes(personId: number): Promise<PersonNote[]> {
    const rows = await runCompiledOnce(this.db, this.engine, 'people-notes', [personId], ([id]) =>
      this.db.selectFrom('person_notes').selectAll().where('person_id', '=', id as number).orderBy('created_at', 'desc').orderBy('id', 'desc'),
    );
    return rows.map(toNote);
  }

  async findNote(id: number): Promise<PersonNote | null> {
    const row = await this.db.selectFrom('person_notes').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toNote(row) : null;
  }

  async addNote(note: Omit<PersonNote, 'id' | 'updatedAt'>): Promise<PersonNote> {
    const row = await this.db
      .insertInto('person_notes')
      .values({ person_id: note.personId, markdown: note.markdown, html: note.html, author_id: note.authorId, created_at: note.createdAt, updated_at: note.createdAt })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toNote(row);
  }

  async updateNote(id: number, markdown: string, html: string, now: number): Promise<PersonNote | null> {
    const row = await this.db.updateTable('person_notes').set({ markdown, html, updated_at: now }).where('id', '=', id).returningAll().executeTakeFirst();
    return row ? toNote(row) : null;
  }

  async deleteNote(id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('person_notes').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async withNotes(personIds: number[]): Promise<Set<number>> {
    if (personIds.length === 0) return new Set();
    const rows = await this.db.selectFrom('person_notes').select('person_id').distinct().where('person_id', 'in', [...new Set(personIds)]).execute();
    return new Set(rows.map((r) => r.person_id));
  }

  async labels(): Promise<PersonLabel[]> {
    return runCompiledOnce(this.db, this.engine, 'people-labels', [], () => this.db.selectFrom('person_labels').select(['id', 'name']).orderBy('name'));
  }

  async labelsOf(personId: number): Promise<PersonLabel[]> {
    return this.db
      .selectFrom('person_label_links as l')
      .innerJoin('person_labels as n', 'n.id', 'l.label_id')
      .select(['n.id', 'n.name'])
      .where('l.person_id', '=', personId)
      .orderBy('n.name')
      .execute();
  }

  async addLabel(personId: number, name: string, actorId: number | null, now: number): Promise<PersonLabel> {
    return transact(this.db, async (db) => {
      await db.insertInto('person_labels').values({ name, created_at: now }).onConflict((oc) => oc.column('name').doNothing()).execute();
      const label = await db.selectFrom('person_labels').select(['id', 'name']).where('name', '=', name).executeTakeFirstOrThrow();
      const linked = await db.insertInto('person_label_links').values({ person_id: personId, label_id: label.id }).onConflict((oc) => oc.columns(['person_id', 'label_id']).doNothing()).executeTakeFirst();
      if (Number(linked.numInsertedOrUpdatedRows ?? 0) > 0) await new KyselyPeopleRepository(db, this.engine).addEvent({ personId, kind: 'label-added', detail: { label: name }, actorId, createdAt: now });
      return label;
    });
  }

  async removeLabel(personId: number, labelId: number, actorId: number | null, now: number): Promise<boolean> {
    return transact(this.db, async (db) => {
      const label = await db.selectFrom('person_labels').select('name').where('id', '=', labelId).executeTakeFirst();
      const result = await db.deleteFrom('person_label_links').where('person_id', '=', personId).where('label_id', '=', labelId).executeTakeFirst();
      const removed = Number(result.numDeletedRows) > 0;
      if (removed && label) await new KyselyPeopleRepository(db, this.engine).addEvent({ personId, kind: 'label-removed', detail: { label: label.name }, actorId, createdAt: now });
      return removed;
    });
  }

  async addEvent(event: Omit<PersonEvent, 'id'>): Promise<PersonEvent> {
    const row = await this.db
      .insertInto('person_events')
      .values({ person_id: event.personId, kind: event.kind, detail: JSON.stringify(event.detail), actor_id: event.actorId, created_at: event.createdAt })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toEvent(row);
  }

  /** Each source read with the same cursor and one page's limit, then merged (core/people.ts). */
  async timeline(personId: number, q: TimelineQuery): Promise<TimelinePage> {
    const kinds = new Set(q.kinds && q.kinds.length > 0 ? q.kinds : timelineKinds);
    const n = q.limit + 1;
    const emails = (await this.identities(personId)).filter((i) => i.kind === 'email').map((i) => i.value);
    /**
     * One source's page, compiled once per shape (runCompiledOnce): its SQL depends only on
     * the kind, where the cursor falls (before, after or on this kind) and how many addresses
     * the person has; the person, the addresses, the cursor and the page size are values.
     */
    const page = <Row>(kind: TimelineKind, addresses: readonly string[], build: (v: { personId: number; emails: string[]; n: number; bounded: <QB extends { where: (...args: any[]) => QB }>(qb: QB, at: string, id: string) => QB }) => { compile(db: Db): any }): Promise<Row[]> => {
      const b = sourceBound(kind, q.before);
      const values: unknown[] = [personId, n, ...addresses];
      if (b) values.push(b.at);
      if (b?.sameAt === 'below-id') values.push(b.id);
      return runCompiledOnce<Row>(this.db, this.engine, `people-timeline-${kind}-${b?.sameAt ?? 'first'}-${addresses.length}`, values, (v) => {
        const [id, limit, ...rest] = v;
        const emailValues = rest.slice(0, addresses.length) as string[];
        const [at, belowId] = rest.slice(addresses.length);
        const bounded = <QB extends { where: (...args: any[]) => QB }>(qb: QB, atColumn: string, idColumn: string): QB => {
          if (!b) return qb;
          if (b.sameAt === 'all') return qb.where(atColumn, '<=', at);
          if (b.sameAt === 'none') return qb.where(atColumn, '<', at);
          // `at <= cursor` as well, said plainly: an index range on (person, time) on both engines; the
          // `or` alone was a filter over all of the person's rows from the newest (a late page of
          // 3,800 comments: 0.31 ms in SQLite instead of 0.07).
          return qb.where(atColumn, '<=', at).where((eb: any) => eb.or([eb(atColumn, '<', at), eb.and([eb(atColumn, '=', at), eb(idColumn, '<', belowId)])]));
        };
        return build({ personId: id as number, emails: emailValues, n: limit as number, bounded });
      });
    };
    const sources: Array<() => Promise<TimelineEntry[]>> = [];
    if (kinds.has('comment')) {
      sources.push(() =>
        page<Selectable<Database['comments']>>('comment', [], (v) => v.bounded(this.db.selectFrom('comments').selectAll().where('person_id', '=', v.personId), 'created_at', 'id').orderBy('created_at', 'desc').orderBy('id', 'desc').limit(v.n)).then((rows) =>
          rows.map((r) => ({ kind: 'comment' as const, at: Number(r.created_at), id: r.id, comment: toComment(r) })),
        ),
      );
    }
    if (kinds.has('reply')) {
      // The replies to their comments, newest first, through comments_reply_person (migration 035).
      sources.push(() =>
        page<Selectable<Database['comments']>>('reply', [], (v) =>
          v.bounded(this.db.selectFrom('comments as r').selectAll('r').where('r.parent_person_id', '=', v.personId).where('r.user_id', 'is not', null), 'r.created_at', 'r.id').orderBy('r.created_at', 'desc').orderBy('r.id', 'desc').limit(v.n),
        ).then((rows) => rows.map((r) => ({ kind: 'reply' as const, at: Number(r.created_at), id: r.id, comment: toComment(r), toId: r.parent_id! }))),
      );
    }
    if (kinds.has('webmention')) {
      sources.push(() =>
        page<{ id: number; source: string; post_id: number; type: string; status: string; received_at: number }>('webmention', [], (v) =>
          v.bounded(this.db.selectFrom('webmentions').select(['id', 'source', 'post_id', 'type', 'status', 'received_at']).where('person_id', '=', v.personId), 'received_at', 'id').orderBy('received_at', 'desc').orderBy('id', 'desc').limit(v.n),
        ).then((rows) => rows.map((r) => ({ kind: 'webmention' as const, at: Number(r.received_at), id: r.id, source: r.source, postId: r.post_id, type: r.type as any, status: r.status as any }))),
      );
    }
    // Subscriptions and mails written before they carried a person are found by the person's addresses.
    const mine = (column: 'email' | 'to_address', v: { personId: number; emails: string[] }) => (eb: any) => (v.emails.length > 0 ? eb.or([eb('person_id', '=', v.personId), eb(column, 'in', v.emails)]) : eb('person_id', '=', v.personId));
    if (kinds.has('subscription')) {
      sources.push(() =>
        page<{ id: number; kind: string; post_id: number; created_at: number; unsubscribed_at: number | null }>('subscription', emails, (v) =>
          v.bounded(this.db.selectFrom('subscriptions').select(['id', 'kind', 'post_id', 'created_at', 'unsubscribed_at']).where(mine('email', v)), 'created_at', 'id').orderBy('created_at', 'desc').orderBy('id', 'desc').limit(v.n),
        ).then((rows) =>
          rows.map((r) => ({ kind: 'subscription' as const, at: Number(r.created_at), id: r.id, subscription: r.kind as SubscriptionKind, postId: r.post_id, unsubscribedAt: r.unsubscribed_at === null ? null : Number(r.unsubscribed_at) })),
        ),
      );
    }
    if (kinds.has('mail')) {
      sources.push(() =>
        page<{ id: number; subject: string; status: string; created_at: number; sent_at: number | null }>('mail', emails, (v) =>
          v.bounded(this.db.selectFrom('outbox').select(['id', 'subject', 'status', 'created_at', 'sent_at']).where(mine('to_address', v)), 'created_at', 'id').orderBy('created_at', 'desc').orderBy('id', 'desc').limit(v.n),
        ).then((rows) => rows.map((r) => ({ kind: 'mail' as const, at: Number(r.created_at), id: r.id, subject: r.subject, status: r.status as OutboxStatus, sentAt: r.sent_at === null ? null : Number(r.sent_at) }))),
      );
    }
    if (kinds.has('event')) {
      sources.push(() =>
        page<Selectable<Database['person_events']>>('event', [], (v) => v.bounded(this.db.selectFrom('person_events').selectAll().where('person_id', '=', v.personId), 'created_at', 'id').orderBy('created_at', 'desc').orderBy('id', 'desc').limit(v.n)).then((rows) =>
          rows.map((r) => ({ kind: 'event' as const, at: Number(r.created_at), id: r.id, event: toEvent(r) })),
        ),
      );
    }
    if (kinds.has('note')) {
      sources.push(() =>
        page<Selectable<Database['person_notes']>>('note', [], (v) => v.bounded(this.db.selectFrom('person_notes').selectAll().where('person_id', '=', v.personId), 'created_at', 'id').orderBy('created_at', 'desc').orderBy('id', 'desc').limit(v.n)).then((rows) =>
          rows.map((r) => ({ kind: 'note' as const, at: Number(r.created_at), id: r.id, note: toNote(r) })),
        ),
      );
    }
    // One after another: SQLite has one connection, and a transaction's queries must not overlap.
    const pages: TimelineEntry[][] = [];
    for (const source of sources) pages.push(await source());
    return mergeTimeline(pages, q.limit);
  }

  // ---------------------------------------------------------------- merge and undo

  async previewMerge(survivorId: number, otherIds: readonly number[]): Promise<MergePreview> {
    const problem = mergeProblem(survivorId, otherIds);
    if (problem) throw problem;
    const survivor = await this.findById(survivorId);
    if (!survivor) throw new DomainError('not_found', 'That person was not found.');
    const others: Person[] = [];
    for (const id of otherIds) {
      const other = await this.findById(id);
      if (!other) throw new DomainError('not_found', `Person ${id} was not found.`);
      others.push(other);
    }
    const moves = emptyCounts();
    for (const other of others) {
      const rows = await this.rowsOf(this.db, other.id);
      moves.identities += rows.identities.length;
      moves.comments += rows.comments.length;
      moves.webmentions += rows.webmentions.length;
      moves.notes += rows.notes.length;
      moves.labels += rows.labels.length;
      moves.subscriptions += rows.subscriptions.length;
      moves.mails += rows.mails.length;
      moves.events += rows.events.length;
    }
    return { survivor, others, fields: mergedFields(survivor, others), moves };
  }

  /** Ids of everything that belongs to one person, by table. */
  private async rowsOf(db: Db, personId: number) {
    const ids = async (table: 'comments' | 'webmentions' | 'person_notes' | 'subscriptions' | 'outbox' | 'person_events') =>
      (await db.selectFrom(table).select('id').where('person_id', '=', personId).orderBy('id').execute()).map((r) => r.id);
    return {
      identities: (await db.selectFrom('person_identities').selectAll().where('person_id', '=', personId).orderBy('id').execute()).map(toIdentity),
      comments: await ids('comments'),
      webmentions: await ids('webmentions'),
      notes: await ids('person_notes'),
      labels: (await db.selectFrom('person_label_links').select('label_id').where('person_id', '=', personId).orderBy('label_id').execute()).map((r) => r.label_id),
      subscriptions: await ids('subscriptions'),
      mails: await ids('outbox'),
      events: await ids('person_events'),
    };
  }

  async merge(survivorId: number, otherIds: readonly number[], actorId: number | null, now: number): Promise<PersonEvent> {
    const preview = await this.previewMerge(survivorId, otherIds);
    return transact(this.db, async (db) => {
      const repo = new KyselyPeopleRepository(db, this.engine);
      const survivorRow = await db.selectFrom('people').selectAll().where('id', '=', survivorId).executeTakeFirstOrThrow();
      const records: MergedPersonRecord[] = [];
      let lastSeenAt = Number(survivorRow.last_seen_at);
      for (const other of preview.others) {
        const row = await db.selectFrom('people').selectAll().where('id', '=', other.id).executeTakeFirst();
        if (!row) throw new DomainError('not_found', `Person ${other.id} was not found.`);
        const rows = await repo.rowsOf(db, other.id);
        const record: MergedPersonRecord = {
          person: toPerson(row), trust: toTrust(row), lastSeenAt: Number(row.last_seen_at),
          identities: [], droppedIdentities: [], verifiedOnSurvivor: [],
          comments: rows.comments, webmentions: rows.webmentions, notes: rows.notes, labelsMoved: [], labelsDropped: [],
          subscriptions: rows.subscriptions, mails: rows.mails, events: rows.events,
        };
        lastSeenAt = Math.max(lastSeenAt, record.lastSeenAt);
        for (const identity of rows.identities) {
          const same = await db.selectFrom('person_identities').selectAll().where('person_id', '=', survivorId).where('kind', '=', identity.kind).where('value', '=', identity.value).executeTakeFirst();
          if (!same) {
            record.identities.push(identity.id);
            continue;
          }
          // The survivor has it already: one row stays, proven if either was. Rows move, so no
          // value can end up verified twice (the unique index would refuse it anyway).
          record.droppedIdentities.push(identity);
          await db.deleteFrom('person_identities').where('id', '=', identity.id).execute();
          if (identity.verified && Number(same.verified) !== 1) {
            record.verifiedOnSurvivor.push(same.id);
            await db.updateTable('person_identities').set({ verified: 1 }).where('id', '=', same.id).execute();
          }
        }
        await db.updateTable('person_identities').set({ person_id: survivorId }).where('person_id', '=', other.id).execute();
        const survivorLabels = new Set((await db.selectFrom('person_label_links').select('label_id').where('person_id', '=', survivorId).execute()).map((r) => r.label_id));
        for (const labelId of rows.labels) (survivorLabels.has(labelId) ? record.labelsDropped : record.labelsMoved).push(labelId);
        if (record.labelsDropped.length > 0) await db.deleteFrom('person_label_links').where('person_id', '=', other.id).where('label_id', 'in', record.labelsDropped).execute();
        await db.updateTable('person_label_links').set({ person_id: survivorId }).where('person_id', '=', other.id).execute();
        for (const table of ['comments', 'webmentions', 'person_notes', 'subscriptions', 'outbox', 'person_events'] as const) {
          await db.updateTable(table).set({ person_id: survivorId }).where('person_id', '=', other.id).execute();
        }
        await db.deleteFrom('people').where('id', '=', other.id).execute();
        records.push(record);
      }
      const set: Record<string, unknown> = { last_seen_at: lastSeenAt };
      for (const field of mergeFields) set[field] = preview.fields[field].value;
      await db.updateTable('people').set(set).where('id', '=', survivorId).execute();
      const manifest: MergeManifest = {
        merged: preview.others.map((p) => ({ id: p.id, name: p.name })),
        survivorId,
        survivorBefore: { name: survivorRow.name, email: survivorRow.email, website: survivorRow.website },
        records,
        undoUntil: now + UNDO_MS,
      };
      return repo.addEvent({ personId: survivorId, kind: 'merged', detail: manifest as unknown as Record<string, unknown>, actorId, createdAt: now });
    });
  }

  async undoMerge(mergeEventId: number, actorId: number | null, now: number): Promise<void> {
    await transact(this.db, async (db) => {
      const row = await db.selectFrom('person_events').selectAll().where('id', '=', mergeEventId).executeTakeFirst();
      const event = row ? toEvent(row) : null;
      const manifest = event ? mergeManifestOf(event) : null;
      const problem = undoProblem(manifest, now);
      if (problem || !event || !manifest) throw problem;
      const survivorId = event.personId;
      const back = async (table: 'comments' | 'webmentions' | 'person_notes' | 'subscriptions' | 'outbox' | 'person_events' | 'person_identities', ids: number[], personId: number) => {
        for (let i = 0; i < ids.length; i += 500) {
          await db.updateTable(table).set({ person_id: personId }).where('id', 'in', ids.slice(i, i + 500)).where('person_id', '=', survivorId).execute();
        }
      };
      // The survivor's own fields first: a merged person's email goes back to them.
      if (manifest.survivorId === survivorId) await db.updateTable('people').set({ ...manifest.survivorBefore }).where('id', '=', survivorId).execute();
      for (const r of manifest.records) {
        const p = r.person;
        await db
          .insertInto('people')
          .values({ id: p.id, name: p.name, email: p.email, website: p.website, created_at: p.createdAt, trust: r.trust.trust, trust_reason: r.trust.reason, muted_until: r.trust.mutedUntil, last_seen_at: r.lastSeenAt } as any)
          .execute();
        if (r.verifiedOnSurvivor.length > 0) await db.updateTable('person_identities').set({ verified: 0 }).where('id', 'in', r.verifiedOnSurvivor).execute();
        await back('person_identities', r.identities, p.id);
        for (const i of r.droppedIdentities) {
          await db.insertInto('person_identities').values({ id: i.id, person_id: p.id, kind: i.kind, value: i.value, verified: i.verified ? 1 : 0, first_seen: i.firstSeen, last_seen: i.lastSeen } as any).execute();
        }
        if (r.labelsMoved.length > 0) await db.updateTable('person_label_links').set({ person_id: p.id }).where('person_id', '=', survivorId).where('label_id', 'in', r.labelsMoved).execute();
        const labels = await db.selectFrom('person_labels').select('id').where('id', 'in', [0, ...r.labelsDropped]).execute();
        if (labels.length > 0) await db.insertInto('person_label_links').values(labels.map((l) => ({ person_id: p.id, label_id: l.id }))).execute();
        await back('comments', r.comments, p.id);
        await back('webmentions', r.webmentions, p.id);
        await back('person_notes', r.notes, p.id);
        await back('subscriptions', r.subscriptions, p.id);
        await back('outbox', r.mails, p.id);
        await back('person_events', r.events, p.id);
      }
      await db.updateTable('person_events').set({ detail: JSON.stringify({ ...manifest, undoneAt: now }) }).where('id', '=', mergeEventId).execute();
      const repo = new KyselyPeopleRepository(db, this.engine);
      await repo.addEvent({ personId: survivorId, kind: 'split', detail: { mergeEventId, restored: manifest.merged }, actorId, createdAt: now });
      if (this.engine === 'postgres') await sql`select setval(pg_get_serial_sequence('person_identities', 'id'), greatest((select max(id) from person_identities), 1))`.execute(db);
    });
  }

  async merges(personId: number, now: number): Promise<PersonMerge[]> {
    const rows = await runCompiledOnce(this.db, this.engine, 'people-merges', [personId], ([id]) =>
      this.db.selectFrom('person_events').selectAll().where('person_id', '=', id as number).where('kind', '=', 'merged').orderBy('created_at', 'desc').orderBy('id', 'desc'),
    );
    return rows.flatMap((row) => {
      const event = toEvent(row);
      const m = mergeManifestOf(event);
      if (!m || m.undoneAt !== undefined || now > m.undoUntil) return [];
      return [{ eventId: event.id, survivorId: personId, merged: m.merged, mergedAt: event.createdAt, undoUntil: m.undoUntil, undoneAt: null }];
    });
  }

  // ---------------------------------------------------------------- export and forget (kysely-person-rights.ts)

  async dataOf(personId: number): Promise<PersonData | null> {
    return personDataOf(this.db, personId);
  }

  async forget(personId: number, choice: ForgetChoice, actorId: number | null, now: number): Promise<ForgetOutcome> {
    return forgetPerson(this.db, personId, choice, actorId, now);
  }

  // ---------------------------------------------------------------- duplicates

  async duplicates(personId: number | null, limit: number): Promise<DuplicateSuggestion[]> {
    const web = ['website', 'webmention'] as IdentityKind[];
    const reasons = new Map<string, { aId: number; bId: number; reasons: string[] }>();
    const add = (aId: number, bId: number, reason: string) => {
      const key = `${aId}.${bId}`;
      const entry = reasons.get(key) ?? { aId, bId, reasons: [] };
      if (!entry.reasons.includes(reason)) entry.reasons.push(reason);
      reasons.set(key, entry);
    };
    // For one person (their page), each query starts from their own rows and finds the others by index:
    // their web identities by value, people with the same name through people_name_key (migration 017).
    let shared: Array<{ aId: number; bId: number; value: string; aKind: string; bKind: string }>;
    let sameName: Array<{ aId: number; bId: number }>;
    if (personId === null) {
      shared = await this.db
        .selectFrom('person_identities as a')
        .innerJoin('person_identities as b', (j) => j.onRef('a.value', '=', 'b.value').onRef('a.person_id', '<', 'b.person_id'))
        .select(['a.person_id as aId', 'b.person_id as bId', 'a.value', 'a.kind as aKind', 'b.kind as bKind'])
        .where('a.kind', 'in', web)
        .where('b.kind', 'in', web)
        .orderBy('a.person_id')
        .orderBy('b.person_id')
        .limit(limit * 4)
        .execute();
      sameName = await this.db
        .selectFrom('people as a')
        .innerJoin('people as b', (j) => j.on(sql`lower(trim(a.name))`, '=', sql`lower(trim(b.name))`).onRef('a.id', '<', 'b.id'))
        .select(['a.id as aId', 'b.id as bId'])
        .orderBy('a.id')
        .orderBy('b.id')
        .limit(limit * 4)
        .execute();
    } else {
      const mine = await runCompiledOnce(this.db, this.engine, 'people-duplicates-shared', [personId, limit * 4], ([id, most]) =>
        this.db
          .selectFrom('person_identities as m')
          .innerJoin('person_identities as o', (j) => j.onRef('o.value', '=', 'm.value').onRef('o.person_id', '!=', 'm.person_id'))
          .select(['o.person_id as other', 'm.value', 'm.kind as mineKind', 'o.kind as otherKind'])
          .where('m.person_id', '=', id as number)
          .where('m.kind', 'in', web)
          .where('o.kind', 'in', web)
          .orderBy('o.person_id')
          .limit(most as number),
      );
      shared = mine.map((r) => (r.other < personId ? { aId: r.other, bId: personId, value: r.value, aKind: r.otherKind, bKind: r.mineKind } : { aId: personId, bId: r.other, value: r.value, aKind: r.mineKind, bKind: r.otherKind }));
      const self = await this.findById(personId);
      const namesakes = self
        ? await runCompiledOnce(this.db, this.engine, 'people-duplicates-namesakes', [self.name, personId, limit * 4], ([name, id, most]) =>
            this.db
              .selectFrom('people')
              .select('id')
              .where(sql`lower(trim(name))`, '=', sql`lower(trim(${name}))`)
              .where('id', '!=', id as number)
              .orderBy('id')
              .limit(most as number),
          )
        : [];
      sameName = namesakes.map((r) => (r.id < personId ? { aId: r.id, bId: personId } : { aId: personId, bId: r.id }));
    }
    for (const r of shared) add(r.aId, r.bId, sharedWebsiteReason(r.value, r.aKind as IdentityKind, r.bKind as IdentityKind));
    // A website of one whose h-card page (migration 014) links with rel=me to an identity of the other
    // (for one person: from their websites, then to their identities, each side by index).
    const relMe = (side: 'from' | 'to' | null) => {
      // Compiled once per side: only the person and the limit are values.
      const values = side === null ? [limit * 4] : [limit * 4, personId!];
      return runCompiledOnce(this.db, this.engine, `people-duplicates-rel-me-${side ?? 'all'}`, values, ([most, id]) => {
        let query = this.db
          .selectFrom('person_identities as a')
          .innerJoin('public_profile_links as l', 'l.website', 'a.value')
          .innerJoin('person_identities as b', (j) => j.onRef('b.value', '=', 'l.url').onRef('b.person_id', '<>', 'a.person_id'))
          .select(['a.person_id as fromId', 'b.person_id as toId', 'a.value as from', 'l.url as to'])
          .where('a.kind', 'in', web)
          .where('b.kind', 'in', [...web, 'fediverse']);
        if (side === 'from') query = query.where('a.person_id', '=', id as number);
        if (side === 'to') query = query.where('b.person_id', '=', id as number);
        return query.orderBy('a.person_id').orderBy('b.person_id').limit(most as number);
      });
    };
    const linked = personId === null ? await relMe(null) : [...(await relMe('from')), ...(await relMe('to'))];
    for (const r of linked) add(Math.min(r.fromId, r.toId), Math.max(r.fromId, r.toId), relMeReason(r.from, r.to));
    // Everyone named, and their addresses, in two statements rather than a few per pair.
    const ids = [...new Set([...shared, ...sameName].flatMap((r) => [r.aId, r.bId]).concat(linked.flatMap((r) => [r.fromId, r.toId])))];
    const people = new Map<number, Person>();
    const emails = new Map<number, string[]>();
    if (ids.length > 0) {
      for (const row of await this.db.selectFrom('people').selectAll().where('id', 'in', ids).execute()) people.set(row.id, toPerson(row));
      const rows = await this.db.selectFrom('person_identities').select(['person_id', 'value']).where('person_id', 'in', ids).where('kind', '=', 'email').execute();
      for (const r of rows) emails.set(r.person_id, [...(emails.get(r.person_id) ?? []), r.value]);
    }
    for (const r of sameName) {
      const [a, b] = [people.get(r.aId), people.get(r.bId)];
      if (!a || !b) continue;
      for (const reason of nameAndEmailReasons({ person: a, emails: emails.get(a.id) ?? [] }, { person: b, emails: emails.get(b.id) ?? [] })) add(a.id, b.id, reason);
    }
    const out: DuplicateSuggestion[] = [];
    for (const entry of [...reasons.values()].sort((x, y) => x.aId - y.aId || x.bId - y.bId).slice(0, limit)) {
      const [a, b] = [people.get(entry.aId), people.get(entry.bId)];
      if (a && b) out.push({ a, b, reasons: entry.reasons });
    }
    return out;
  }
}
