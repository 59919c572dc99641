import { sql, type Kysely, type Transaction } from 'kysely';
import type { PostRevision, RevisionKind, RevisionRepository, RevisionSummary, RevisionWrite } from '../../core/revisions.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;
type RevisionRow = Database['post_revisions'];

export function toRevision(r: Omit<RevisionRow, 'id'> & { id: number }): PostRevision {
  return {
    id: Number(r.id),
    postId: Number(r.post_id),
    authorId: Number(r.author_id),
    kind: r.kind as RevisionKind,
    title: r.title,
    markdown: r.markdown,
    excerpt: r.excerpt,
    createdAt: Number(r.created_at),
  };
}

const rowOf = (r: RevisionWrite, kind: RevisionKind) => ({
  post_id: r.postId,
  author_id: r.authorId,
  kind,
  title: r.title,
  markdown: r.markdown,
  excerpt: r.excerpt,
  created_at: r.createdAt,
});

/** RevisionRepository on SQL (SQLite and PostgreSQL). */
export class KyselyRevisionRepository implements RevisionRepository {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  async add(revision: RevisionWrite): Promise<PostRevision> {
    const row = await this.db.insertInto('post_revisions').values(rowOf(revision, 'revision')).returningAll().executeTakeFirstOrThrow();
    return toRevision(row);
  }

  async listForPost(postId: number): Promise<RevisionSummary[]> {
    const rows = await this.db
      .selectFrom('post_revisions')
      .select(['id', 'post_id', 'author_id', 'kind', 'title', 'created_at', sql<number>`length(markdown)`.as('size')])
      .where('post_id', '=', postId)
      .where('kind', '=', 'revision')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      postId: Number(r.post_id),
      authorId: Number(r.author_id),
      kind: r.kind as RevisionKind,
      title: r.title,
      createdAt: Number(r.created_at),
      size: Number(r.size),
    }));
  }

  async latest(postId: number): Promise<PostRevision | null> {
    const row = await this.db
      .selectFrom('post_revisions')
      .selectAll()
      .where('post_id', '=', postId)
      .where('kind', '=', 'revision')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? toRevision(row) : null;
  }

  async find(id: number): Promise<PostRevision | null> {
    const row = await this.db.selectFrom('post_revisions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRevision(row) : null;
  }

  async saveAutosave(autosave: RevisionWrite): Promise<PostRevision> {
    const values = rowOf(autosave, 'autosave');
    // The partial unique index (post_id, author_id) where kind = 'autosave' is the conflict target;
    // SQLite matches it only when the condition is written as the index has it (a literal, not a parameter).
    const row = await this.db
      .insertInto('post_revisions')
      .values(values)
      .onConflict((oc) =>
        oc
          .columns(['post_id', 'author_id'])
          .where(sql<boolean>`kind = 'autosave'`)
          .doUpdateSet({ title: values.title, markdown: values.markdown, excerpt: values.excerpt, created_at: values.created_at }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRevision(row);
  }

  async findAutosave(postId: number, authorId: number): Promise<PostRevision | null> {
    const row = await this.db
      .selectFrom('post_revisions')
      .selectAll()
      .where('post_id', '=', postId)
      .where('author_id', '=', authorId)
      .where('kind', '=', 'autosave')
      .executeTakeFirst();
    return row ? toRevision(row) : null;
  }

  async deleteAutosave(postId: number, authorId: number): Promise<void> {
    await this.db.deleteFrom('post_revisions').where('post_id', '=', postId).where('author_id', '=', authorId).where('kind', '=', 'autosave').execute();
  }
}
