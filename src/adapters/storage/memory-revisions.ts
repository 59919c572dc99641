import type { PostRevision, RevisionRepository, RevisionSummary, RevisionWrite } from '../../core/revisions.ts';
import type { Tables } from './memory-store.ts';

export interface MemoryRevisionTable {
  lastId: number;
  rows: Map<number, PostRevision>;
}

export const emptyRevisionTable = (): MemoryRevisionTable => ({ lastId: 0, rows: new Map() });

const newestFirst = (a: PostRevision, b: PostRevision) => b.createdAt - a.createdAt || b.id - a.id;

/** RevisionRepository in memory; its rows live in the MemoryStore's tables so transactions cover them. */
export class MemoryRevisionRepository implements RevisionRepository {
  private readonly tables: () => Tables;

  constructor(tables: () => Tables) {
    this.tables = tables;
  }

  private get table(): MemoryRevisionTable {
    return this.tables().revisions;
  }

  /** A post's rows of one kind; rows of a purged post are gone, as the SQL foreign key cascades. */
  private rowsOf(postId: number, kind: PostRevision['kind']): PostRevision[] {
    if (!this.tables().posts.has(postId)) return [];
    return [...this.table.rows.values()].filter((r) => r.postId === postId && r.kind === kind).sort(newestFirst);
  }

  async add(revision: RevisionWrite): Promise<PostRevision> {
    const row: PostRevision = { ...revision, id: ++this.table.lastId, kind: 'revision' };
    this.table.rows.set(row.id, row);
    return structuredClone(row);
  }

  async listForPost(postId: number): Promise<RevisionSummary[]> {
    return this.rowsOf(postId, 'revision').map(({ markdown, excerpt: _excerpt, ...summary }) => ({ ...summary, size: markdown.length }));
  }

  async latest(postId: number): Promise<PostRevision | null> {
    const [row] = this.rowsOf(postId, 'revision');
    return row ? structuredClone(row) : null;
  }

  async find(id: number): Promise<PostRevision | null> {
    const row = this.table.rows.get(id);
    return row && this.tables().posts.has(row.postId) ? structuredClone(row) : null;
  }

  async saveAutosave(autosave: RevisionWrite): Promise<PostRevision> {
    const existing = this.rowsOf(autosave.postId, 'autosave').find((r) => r.authorId === autosave.authorId);
    const row: PostRevision = { ...autosave, id: existing?.id ?? ++this.table.lastId, kind: 'autosave' };
    this.table.rows.set(row.id, row);
    return structuredClone(row);
  }

  async findAutosave(postId: number, authorId: number): Promise<PostRevision | null> {
    const row = this.rowsOf(postId, 'autosave').find((r) => r.authorId === authorId);
    return row ? structuredClone(row) : null;
  }

  async deleteAutosave(postId: number, authorId: number): Promise<void> {
    for (const row of this.rowsOf(postId, 'autosave')) if (row.authorId === authorId) this.table.rows.delete(row.id);
  }
}
