import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type {
  Comment,
  CommentRepository,
  CommentRevision,
  CommentRevisionWrite,
  CommentStatus,
  CommentWrite,
  ModerationQuery,
  OutboxWrite,
  Page,
  RateLimitCount,
  ReaderCommentStart,
  StaffContact,
  ThreadComment,
  ThreadCursor,
  ThreadPage,
} from '../../core/store.ts';
import { notFound } from '../../core/errors.ts';
import { descendantIds, placeMove } from '../../core/comment-move.ts';
import { transact } from './transact.ts';
import { runCompiledOnce } from './compiled-once.ts';
import { KyselyPeopleRepository, personByEmailSteps, personColumnsOfP, personIdByEmail, toPerson, type PersonRow } from './kysely-people.ts';
import { KyselyUserRepository } from './kysely-users.ts';
import { allOrNoneSql, allOrNoneValues, KyselyRateLimitRepository, verdicts } from './kysely-rate-limits.ts';
import { enqueueColumnsSql, KyselyOutboxRepository, OUTBOX_COLUMNS, outboxColumnsOf } from './kysely-outbox.ts';
import { normaliseEmail, normaliseIdentity, normaliseUrl } from '../../core/people.ts';
import type { Database, Engine } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * The columns a Comment is read from, named rather than `*` so that a column added by another
 * instance's migration cannot change a prepared statement's rows (compiled-once.ts).
 */
export const COMMENT_COLUMNS = [
  'id', 'post_id', 'parent_id', 'root_id', 'depth', 'person_id', 'user_id', 'author_name', 'author_email', 'author_url', 'markdown', 'html', 'status',
  'moderation_reasons', 'spam_score', 'source', 'created_at', 'updated_at', 'edited_at', 'status_changed_at', 'edit_token_hash', 'ip', 'user_agent', 'learned_as',
] as const;
const commentColumns = sql.join(COMMENT_COLUMNS.map((c) => sql.ref(c)));
/** A comment's row as COMMENT_COLUMNS read it. */
type CommentRow = Pick<Selectable<Database['comments']>, (typeof COMMENT_COLUMNS)[number]>;

export function toComment(row: CommentRow): Comment {
  return {
    id: row.id,
    postId: row.post_id,
    parentId: row.parent_id,
    rootId: row.root_id ?? row.id,
    depth: Number(row.depth),
    personId: row.person_id,
    userId: row.user_id,
    authorName: row.author_name,
    authorEmail: row.author_email,
    authorUrl: row.author_url,
    markdown: row.markdown,
    html: row.html,
    status: row.status as Comment['status'],
    // Most comments carry no reason: skip the JSON parser for them (a page reads hundreds).
    moderationReasons: row.moderation_reasons === '[]' ? [] : (JSON.parse(row.moderation_reasons) as string[]),
    spamScore: row.spam_score === null ? null : Number(row.spam_score),
    source: row.source as Comment['source'],
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    editedAt: row.edited_at === null ? null : Number(row.edited_at),
    statusChangedAt: Number(row.status_changed_at),
    editTokenHash: row.edit_token_hash,
    ip: row.ip,
    userAgent: row.user_agent,
    learnedAs: row.learned_as as Comment['learnedAs'],
  };
}

/**
 * What a thread shows of a comment, named as `ThreadComment` names it: each row is a
 * ThreadComment as it comes (no second object per row: a thread page reads ~200). Whole
 * numbers come back as numbers from both engines (database.ts parses PostgreSQL's bigint),
 * and a thread's rows are found by their conversation, so `root_id` is never null there.
 */
const THREAD_COLUMNS = [
  'id',
  'post_id as postId',
  'parent_id as parentId',
  'root_id as rootId',
  'depth',
  'person_id as personId',
  'user_id as userId',
  'author_name as authorName',
  'author_email as authorEmail',
  'author_url as authorUrl',
  'html',
  'status',
  'source',
  'created_at as createdAt',
  'edited_at as editedAt',
] as const;

function toCommentRevision(row: Selectable<Database['comment_revisions']>): CommentRevision {
  return {
    id: row.id,
    commentId: row.comment_id,
    markdown: row.markdown,
    html: row.html,
    parentId: row.parent_id,
    editedBy: row.edited_by,
    editorName: row.editor_name,
    createdAt: Number(row.created_at),
  };
}

/** A comment's row as stored, its conversation's root and its depth given. */
function rowOf(write: CommentWrite, rootId: number | null, depth: number) {
  return {
    post_id: write.postId,
    parent_id: write.parentId,
    root_id: rootId,
    depth,
    person_id: write.personId,
    user_id: write.userId,
    author_name: write.authorName,
    author_email: write.authorEmail,
    author_url: write.authorUrl,
    markdown: write.markdown,
    html: write.html,
    status: write.status,
    moderation_reasons: JSON.stringify(write.moderationReasons ?? []),
    spam_score: write.spamScore ?? null,
    source: write.source ?? 'form',
    edit_token_hash: write.editTokenHash ?? null,
    ip: write.ip ?? null,
    user_agent: write.userAgent ?? null,
    learned_as: null,
    created_at: write.createdAt,
    updated_at: write.createdAt,
    edited_at: null,
    status_changed_at: write.createdAt,
  };
}

/** CommentRepository on SQL (SQLite and PostgreSQL): comments, their threads and edit history. */
export class KyselyCommentRepository implements CommentRepository {
  private readonly db: Db;
  private readonly kind: Engine;

  constructor(db: Db, kind: Engine) {
    this.db = db;
    this.kind = kind;
  }

  /** A post's conversations: top-level comments (as `r`) with at least one approved comment in them. */
  private conversations(postId: number) {
    return this.db
      .selectFrom('comments as r')
      .where('r.post_id', '=', postId)
      .where('r.depth', '=', 0)
      .where((eb) => eb.exists(eb.selectFrom('comments as a').select('a.id').whereRef('a.root_id', '=', 'r.id').where('a.status', '=', 'approved')));
  }

  /** The ids of a user's posts outside the trash, as a subquery. */
  private postsOf(authorId: number) {
    return this.db.selectFrom('posts').select('id').where('author_id', '=', authorId).where('deleted_at', 'is', null);
  }

  create(write: CommentWrite): Promise<Comment> {
    return transact(this.db, async (trx) => {
      let rootId: number | null = null;
      let depth = 0;
      if (write.parentId !== null) {
        const [parent] = await runCompiledOnce(trx, this.kind, 'comment-parent', [write.parentId], ([id]) =>
          trx.selectFrom('comments').select(['id', 'root_id', 'depth', 'post_id']).where('id', '=', id as number),
        );
        if (!parent || parent.post_id !== write.postId) throw notFound('The comment being answered');
        rootId = parent.root_id ?? parent.id;
        depth = Number(parent.depth) + 1;
      }
      const values = rowOf(write, rootId, depth);
      const columns = Object.keys(values) as Array<keyof typeof values>;
      if (rootId === null) {
        // A conversation's first comment is its own root: its id is chosen first, so the row is
        // stored whole in one statement (one round trip to PostgreSQL) instead of an insert and
        // an update. PostgreSQL draws it from the sequence (the CTE runs once); SQLite takes the
        // id AUTOINCREMENT would: one past both the highest id ever given and the highest now.
        const own = columns.filter((c) => c !== 'root_id');
        const nextId =
          this.kind === 'postgres'
            ? sql`select nextval(pg_get_serial_sequence('comments', 'id')) as id`
            : sql`select max(coalesce((select seq from sqlite_sequence where name = 'comments'), 0), coalesce((select max(id) from comments), 0)) + 1 as id`;
        const [row] = await runCompiledOnce(trx, this.kind, 'comment-insert-root', own.map((c) => values[c]), (v) =>
          sql<CommentRow>`with n as (${nextId})
            insert into comments (id, root_id, ${sql.join(own.map((c) => sql.ref(c)))})
            values ((select id from n), (select id from n), ${sql.join(v)}) returning ${commentColumns}`,
        );
        if (!row) throw new Error('the comment was not stored');
        return toComment(row);
      }
      const [row] = await runCompiledOnce(trx, this.kind, 'comment-insert', Object.values(values), (v) =>
        trx
          .insertInto('comments')
          .values(Object.fromEntries(columns.map((c, i) => [c, v[i]])) as typeof values)
          .returning(COMMENT_COLUMNS),
      );
      if (!row) throw new Error('the comment was not stored');
      if (rootId === null) {
        await runCompiledOnce(trx, this.kind, 'comment-root', [row.id], ([v]) => trx.updateTable('comments').set({ root_id: v as number }).where('id', '=', v as number));
        row.root_id = row.id;
      }
      return toComment(row);
    });
  }

  /**
   * On PostgreSQL one statement where it took three (the person's look-up, the staff list,
   * and the id a held comment's mail needs): the id is drawn whether or not the comment is
   * held, as a rolled-back insert would draw it; a comment that is not held leaves it unused
   * (a gap in the ids, as sequences leave). SQLite reads in process and draws in the write.
   */
  async startByEmail(email: string, limits?: RateLimitCount): Promise<ReaderCommentStart> {
    if (this.kind !== 'postgres') {
      const [counted, person, users] = await Promise.all([
        limits ? new KyselyRateLimitRepository(this.db, this.kind).hitAllOrNone(limits.checks, limits.now) : [],
        new KyselyPeopleRepository(this.db, this.kind).findByEmail(email),
        new KyselyUserRepository(this.db, this.kind).list(),
      ]);
      return { person, staff: users.map(({ id, email: address, role }) => ({ id, email: address, role })), drawnId: null, limits: counted };
    }
    const normalised = normaliseEmail(email);
    const identity = normaliseIdentity('email', normalised) === null ? null : normalised;
    type Row = Partial<PersonRow> & { drawn_id: number; staff: Array<[number, string, string]>; limits?: Array<[string, number, number]> };
    const staffSql = sql`(select coalesce(json_agg(json_build_array(u.id, u.email, u.role) order by u.id), '[]') from users u)`;
    const from = (i: unknown, e: unknown) => sql`from (select nextval(pg_get_serial_sequence('comments', 'id')) as drawn_id) n left join people p on p.id = ${personIdByEmail(i, e)}`;
    // With limits, the function that counts them is called by the same statement: one round
    // trip where two were sent at once (a refused comment's drawn id is left unused).
    const [row] = limits
      ? await runCompiledOnce(this.db, this.kind, 'comment-start-by-email-limited', [identity, normalised, ...allOrNoneValues(limits.checks, limits.now)], ([i, e, k, x, m, at]) =>
          sql<Row>`select n.drawn_id, ${staffSql} as staff,
            (select json_agg(json_build_array(counted_key, counted_window_start, counted_hits)) from ${allOrNoneSql(k, x, m, at)}) as limits, ${personColumnsOfP}
            ${from(i, e)}`,
        )
      : await runCompiledOnce(this.db, this.kind, 'comment-start-by-email', [identity, normalised], ([i, e]) => sql<Row>`select n.drawn_id, ${staffSql} as staff, ${personColumnsOfP} ${from(i, e)}`);
    if (!row) throw new Error('the comment could not be started');
    const person = row.id === undefined || row.id === null ? null : toPerson(row as PersonRow);
    const counted = limits ? verdicts(limits.checks, (row.limits ?? []).map(([key, start, hits]) => ({ key, window_start: start, hits })), limits.now) : [];
    return { person, staff: row.staff.map(([id, address, role]) => ({ id, email: address, role: role as StaffContact['role'] })), drawnId: Number(row.drawn_id), limits: counted };
  }

  /**
   * A reader's comment with its person (`people.upsertByEmail`, then `create` with the
   * person's id) and the mail it causes, in one transaction. On PostgreSQL a conversation's
   * first comment is one statement, one round trip where it took two: the person's steps as
   * CTEs (`personByEmailSteps`), then the comment with their id, its own drawn first as
   * `create` draws it. With `mail`, the id is drawn before (`drawnId`, from `startByEmail`,
   * else a round trip of its own), the mail built from the comment as it will be stored, and
   * its rows inserted by the same statement: one statement is atomic without `begin` and
   * `commit`, so 1 round trip where a transaction took 4 (`begin`, the comment, the mail,
   * `commit`).
   */
  async createByEmail(person: { name: string; email: string; website: string | null }, write: Omit<CommentWrite, 'personId'>, now: number, mail?: (comment: Comment) => OutboxWrite[], drawnId?: number | null): Promise<Comment> {
    const email = normaliseEmail(person.email);
    if (this.kind !== 'postgres' || write.parentId !== null || normaliseIdentity('email', email) === null) {
      return transact(this.db, async (trx) => {
        const found = await new KyselyPeopleRepository(trx, this.kind).upsertByEmail(person, now);
        const created = await new KyselyCommentRepository(trx, this.kind).create({ ...write, personId: found.id });
        const outbox = new KyselyOutboxRepository(trx, this.kind);
        for (const message of mail?.(created) ?? []) await outbox.enqueue(message, now);
        return created;
      });
    }
    const site = person.website ? normaliseUrl(person.website) : null;
    const values = rowOf({ ...write, personId: null }, null, 0);
    const own = (Object.keys(values) as Array<keyof typeof values>).filter((c) => c !== 'root_id' && c !== 'person_id');
    if (mail) {
      const id = drawnId ?? Number((await runCompiledOnce(this.db, this.kind, 'comment-next-id', [], () => sql<{ id: number }>`select nextval(pg_get_serial_sequence('comments', 'id')) as id`))[0].id);
      // As it will be stored; its person is known once the statement ran.
      const messages = mail(toComment({ ...values, id, root_id: id, person_id: null }));
      const [row] = await runCompiledOnce(
        this.db,
        this.kind,
        'comment-insert-root-by-email-with-mail',
        [email, person.name, person.website, now, site, id, ...outboxColumnsOf(messages), ...own.map((c) => values[c])],
        ([e, name, website, at, s, n, ...rest]) =>
          sql<CommentRow>`with ${personByEmailSteps(e, name, website, at, s)}, mailed as (${enqueueColumnsSql(rest.slice(0, OUTBOX_COLUMNS), at)})
            insert into comments (id, root_id, person_id, ${sql.join(own.map((c) => sql.ref(c)))})
            values (cast(${n} as bigint), cast(${n} as bigint), (select id from person), ${sql.join(rest.slice(OUTBOX_COLUMNS))}) returning ${commentColumns}`,
      );
      if (!row) throw new Error('the comment was not stored');
      return toComment(row);
    }
    const [row] = await runCompiledOnce(this.db, this.kind, 'comment-insert-root-by-email', [email, person.name, person.website, now, site, ...own.map((c) => values[c])], ([e, name, website, at, s, ...v]) =>
      sql<CommentRow>`with ${personByEmailSteps(e, name, website, at, s)}, n as (select nextval(pg_get_serial_sequence('comments', 'id')) as id)
        insert into comments (id, root_id, person_id, ${sql.join(own.map((c) => sql.ref(c)))})
        values ((select id from n), (select id from n), (select id from person), ${sql.join(v)}) returning ${commentColumns}`,
    );
    if (!row) throw new Error('the comment was not stored');
    return toComment(row);
  }

  async findById(id: number): Promise<Comment | null> {
    const [row] = await runCompiledOnce(this.db, this.kind, 'comment-by-id', [id], ([v]) => this.db.selectFrom('comments').select(COMMENT_COLUMNS).where('id', '=', v as number));
    return row ? toComment(row) : null;
  }

  async findMany(ids: number[]): Promise<Comment[]> {
    if (ids.length === 0) return [];
    return (await this.db.selectFrom('comments').selectAll().where('id', 'in', ids).orderBy('created_at').orderBy('id').execute()).map(toComment);
  }

  async listApproved(postId: number): Promise<Comment[]> {
    return (
      await this.db
        .selectFrom('comments')
        .selectAll()
        .where('post_id', '=', postId)
        .where('status', '=', 'approved')
        .orderBy('created_at')
        .orderBy('id')
        .execute()
    ).map(toComment);
  }

  async countApproved(postIds: number[]): Promise<Map<number, number>> {
    const counts = new Map<number, number>();
    if (postIds.length === 0) return counts;
    const query = (ids: number[]) =>
      this.db
        .selectFrom('comments')
        .select(['post_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('post_id', 'in', ids)
        .where('status', '=', 'approved')
        .groupBy('post_id');
    // One post (every post page) is the common case: its SQL never changes.
    const rows = postIds.length === 1 ? await runCompiledOnce(this.db, this.kind, 'comments-approved-of-post', postIds, (ids) => query(ids as number[])) : await query(postIds).execute();
    for (const r of rows) counts.set(r.post_id, Number(r.n));
    return counts;
  }

  async threadPage(postId: number, after: ThreadCursor | null, limit: number): Promise<ThreadPage> {
    // Conversations (top-level comments) holding at least one approved comment, in keyset
    // order: a range scan of comments_roots from the cursor, however deep the page. Both
    // queries are compiled once (a thread page is the busiest read there is): the first
    // page's and a later page's roots, and the comments of each number of conversations.
    const page = after
      ? await runCompiledOnce(this.db, this.kind, 'thread-roots-after', [postId, after.createdAt, after.id, limit + 1], ([post, createdAt, id, n]) =>
          this.conversations(post as number)
            .select(['r.id', 'r.created_at'])
            .where(sql<boolean>`(r.created_at, r.id) > (${createdAt}, ${id})`)
            .orderBy('r.created_at')
            .orderBy('r.id')
            .limit(n as number),
        )
      : await runCompiledOnce(this.db, this.kind, 'thread-roots', [postId, limit + 1], ([post, n]) =>
          this.conversations(post as number).select(['r.id', 'r.created_at']).orderBy('r.created_at').orderBy('r.id').limit(n as number),
        );
    const more = page.length > limit;
    const shown = page.slice(0, limit);
    if (shown.length === 0) return { comments: [], next: null };
    // By conversation only (comments_by_root), the status filtered here: a status
    // condition in SQL tempts the planner into the site-wide status index.
    // Only what a thread shows (not the Markdown source, nor the sender's address and browser).
    const rows = await runCompiledOnce(
      this.db,
      this.kind,
      `thread-comments-${shown.length}`,
      shown.map((r) => r.id),
      (ids) => this.db.selectFrom('comments').select(THREAD_COLUMNS).where('root_id', 'in', ids as number[]),
    );
    const comments = (rows as ThreadComment[]).filter((row) => row.status === 'approved').sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);
    const last = shown[shown.length - 1];
    return { comments, next: more ? { createdAt: Number(last.created_at), id: last.id } : null };
  }

  async conversationsBefore(commentId: number): Promise<number> {
    const comment = await this.db.selectFrom('comments').select(['root_id', 'id', 'post_id']).where('id', '=', commentId).executeTakeFirst();
    if (!comment) throw notFound('The comment');
    const root = await this.db.selectFrom('comments').select(['id', 'created_at']).where('id', '=', comment.root_id ?? comment.id).executeTakeFirstOrThrow();
    const row = await this.conversations(comment.post_id)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(sql<boolean>`(r.created_at, r.id) < (${root.created_at}, ${root.id})`)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async cursorAt(postId: number, offset: number): Promise<ThreadCursor | null> {
    if (offset <= 0) return null;
    const row = await this.conversations(postId)
      .select(['r.id', 'r.created_at'])
      .orderBy('r.created_at')
      .orderBy('r.id')
      .offset(offset - 1)
      .limit(1)
      .executeTakeFirst();
    return row ? { createdAt: Number(row.created_at), id: row.id } : null;
  }

  async updateBody(id: number, markdown: string, html: string, now: number): Promise<Comment> {
    const row = await this.db
      .updateTable('comments')
      .set({ markdown, html, edited_at: now, updated_at: now })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw notFound('The comment');
    return toComment(row);
  }

  setStatus(ids: number[], status: CommentStatus, reasons: string[] | null, now: number): Promise<Comment[]> {
    return transact(this.db, async (trx) => {
      if (ids.length === 0) return [];
      const set: { status: string; status_changed_at: number; updated_at: number; moderation_reasons?: string } = { status, status_changed_at: now, updated_at: now };
      if (reasons !== null) set.moderation_reasons = JSON.stringify(reasons);
      const rows = await trx.updateTable('comments').set(set).where('id', 'in', ids).where('status', '!=', status).returningAll().execute();
      return rows.map(toComment);
    });
  }

  async setLearnedAs(id: number, label: 'spam' | 'ham' | null): Promise<void> {
    await this.db.updateTable('comments').set({ learned_as: label }).where('id', '=', id).execute();
  }

  move(id: number, parentId: number | null, now: number): Promise<Comment> {
    return transact(this.db, async (trx) => {
      const row = await trx.selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw notFound('The comment');
      const comment = toComment(row);
      if (comment.parentId === parentId) return comment;
      // Every reply under it is in its conversation: one read of that thread finds them all.
      const conversation = await trx.selectFrom('comments').select(['id', 'parent_id as parentId']).where('root_id', '=', comment.rootId).execute();
      const below = descendantIds(id, conversation);
      const parentRow = parentId === null ? null : await trx.selectFrom('comments').selectAll().where('id', '=', parentId).executeTakeFirst();
      const place = placeMove(comment, parentRow ? toComment(parentRow) : undefined, parentId, below);
      const shift = place.depth - comment.depth;
      if (below.size > 0) {
        await trx
          .updateTable('comments')
          .set((eb) => ({ root_id: place.rootId, depth: eb('depth', '+', shift), updated_at: now }))
          .where('id', 'in', [...below])
          .execute();
      }
      const moved = await trx
        .updateTable('comments')
        .set({ parent_id: parentId, root_id: place.rootId, depth: place.depth, updated_at: now })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toComment(moved);
    });
  }

  async addRevision(write: CommentRevisionWrite): Promise<CommentRevision> {
    const row = await this.db
      .insertInto('comment_revisions')
      .values({
        comment_id: write.commentId,
        markdown: write.markdown,
        html: write.html,
        parent_id: write.parentId,
        edited_by: write.editedBy,
        editor_name: write.editorName,
        created_at: write.createdAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toCommentRevision(row);
  }

  async revisions(commentId: number): Promise<CommentRevision[]> {
    return (await this.db.selectFrom('comment_revisions').selectAll().where('comment_id', '=', commentId).orderBy('id').execute()).map(toCommentRevision);
  }

  async listForModeration(q: ModerationQuery): Promise<Page<Comment>> {
    let base = this.db.selectFrom('comments');
    if (q.status) base = base.where('status', '=', q.status);
    if (q.postId !== undefined) base = base.where('post_id', '=', q.postId);
    if (q.authorId !== undefined) base = base.where('post_id', 'in', this.postsOf(q.authorId));
    if (q.personId !== undefined) base = base.where('person_id', '=', q.personId);
    if (q.text) {
      const like = `%${q.text.toLowerCase().replace(/[%_\\]/g, (m) => `\\${m}`)}%`;
      base = base.where(
        sql<boolean>`(lower(markdown) like ${like} escape '\\' or lower(author_name) like ${like} escape '\\' or lower(author_email) like ${like} escape '\\')`,
      );
    }
    if (q.since !== undefined) base = base.where('created_at', '>=', q.since);
    const before = q.before;
    if (before) base = base.where((eb) => eb.or([eb('created_at', '<', before.createdAt), eb.and([eb('created_at', '=', before.createdAt), eb('id', '<', before.id)])]));
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute(),
      q.noTotal ? Promise.resolve({ n: -1 }) : base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toComment), total: Number(count.n) };
  }

  async countByStatus(authorId?: number): Promise<Record<CommentStatus, number>> {
    const counts: Record<CommentStatus, number> = { pending: 0, approved: 0, spam: 0, trash: 0 };
    let base = this.db.selectFrom('comments');
    if (authorId !== undefined) base = base.where('post_id', 'in', this.postsOf(authorId));
    const rows = await base.select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
    for (const r of rows) counts[r.status as CommentStatus] = Number(r.n);
    return counts;
  }

  async countWithStatus(status: CommentStatus, authorId?: number): Promise<number> {
    if (authorId === undefined) {
      // Every admin page asks (the top bar's count): compiled once.
      const [row] = await runCompiledOnce(this.db, this.kind, 'comments-count-status', [status], ([v]) =>
        this.db.selectFrom('comments').where('status', '=', v as CommentStatus).select((eb) => eb.fn.countAll<number>().as('n')),
      );
      return Number(row?.n ?? 0);
    }
    let base = this.db.selectFrom('comments').where('status', '=', status);
    if (authorId !== undefined) base = base.where('post_id', 'in', this.postsOf(authorId));
    const row = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async hasApproved(personId: number): Promise<boolean> {
    return (await runCompiledOnce(this.db, this.kind, 'person-has-approved', [personId], ([id]) => this.db.selectFrom('comments').select('id').where('person_id', '=', id as number).where('status', '=', 'approved').limit(1))).length > 0;
  }

  async waitingForReply(limit: number, authorId?: number): Promise<Page<Comment>> {
    // The newest approved comment of each conversation, when a reader wrote it.
    let base = this.db.selectFrom('comments as c');
    if (authorId !== undefined) base = base.where('c.post_id', 'in', this.postsOf(authorId));
    const latest = base
      .where('c.status', '=', 'approved')
      .where('c.user_id', 'is', null)
      .where('c.source', '!=', 'import')
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('comments as later')
              .select('later.id')
              .whereRef('later.root_id', '=', 'c.root_id')
              .where('later.status', '=', 'approved')
              .where((l) => l.or([l('later.created_at', '>', l.ref('c.created_at')), l.and([l('later.created_at', '=', l.ref('c.created_at')), l('later.id', '>', l.ref('c.id'))])])),
          ),
        ),
      );
    const [rows, count] = await Promise.all([
      latest.selectAll('c').orderBy('c.created_at').orderBy('c.id').limit(limit).execute(),
      latest.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toComment), total: Number(count.n) };
  }

  purgeTrash(before: number): Promise<number> {
    return transact(this.db, async (trx) => {
      const due = await trx
        .selectFrom('comments as c')
        .select('c.id')
        .where('c.status', '=', 'trash')
        .where('c.status_changed_at', '<', before)
        .where((eb) =>
          eb.not(eb.exists(eb.selectFrom('comments as child').select('child.id').whereRef('child.parent_id', '=', 'c.id').where('child.status', '!=', 'trash'))),
        )
        .execute();
      if (due.length === 0) return 0;
      const ids = due.map((d) => d.id);
      // Replies that are themselves in the trash go with their parent; none kept is orphaned.
      await trx.updateTable('comments').set({ parent_id: null }).where('parent_id', 'in', ids).execute();
      await trx.deleteFrom('comment_revisions').where('comment_id', 'in', ids).execute();
      const result = await trx.deleteFrom('comments').where('id', 'in', ids).executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  deleteForever(ids: number[]): Promise<number[]> {
    return transact(this.db, async (trx) => {
      if (ids.length === 0) return [];
      const due = (
        await trx
          .selectFrom('comments as c')
          .select('c.id')
          .where('c.id', 'in', ids)
          .where('c.status', 'in', ['spam', 'trash'])
          .where((eb) =>
            eb.not(eb.exists(eb.selectFrom('comments as child').select('child.id').whereRef('child.parent_id', '=', 'c.id').where('child.status', 'in', ['approved', 'pending']))),
          )
          .orderBy('c.id')
          .execute()
      ).map((d) => d.id);
      if (due.length === 0) return [];
      // What the foreign keys would do on PostgreSQL, written out so SQLite does the same.
      await trx.updateTable('comments').set({ parent_id: null }).where('parent_id', 'in', due).execute();
      await trx.updateTable('webmentions').set({ comment_id: null }).where('comment_id', 'in', due).execute();
      await trx.deleteFrom('subscriptions').where('comment_id', 'in', due).execute();
      await trx.deleteFrom('comment_revisions').where('comment_id', 'in', due).execute();
      await trx.deleteFrom('comments').where('id', 'in', due).execute();
      return due;
    });
  }
}
