/**
 * The revisions port: saved versions of a post's text. Every explicit save records a
 * `revision` (the history an author can compare and restore); the editor's autosave keeps
 * one `autosave` per post and author, replaced each time, so typing never floods the history.
 */

export type RevisionKind = 'revision' | 'autosave';

export interface PostRevision {
  id: number;
  postId: number;
  /** Who saved this version. */
  authorId: number;
  kind: RevisionKind;
  title: string;
  markdown: string;
  excerpt: string;
  createdAt: number;
}

/** What a revision holds, before it has an id. */
export type RevisionWrite = Omit<PostRevision, 'id' | 'kind'>;

/** A line of the history: everything but the text, with its length in characters. */
export type RevisionSummary = Omit<PostRevision, 'markdown' | 'excerpt'> & { size: number };

export interface RevisionRepository {
  /** Records a revision (an explicit save). */
  add(revision: RevisionWrite): Promise<PostRevision>;
  /** The post's revisions, newest first (autosaves are not part of the history). */
  listForPost(postId: number): Promise<RevisionSummary[]>;
  /** The newest revision of a post, or null. */
  latest(postId: number): Promise<PostRevision | null>;
  /** One revision or autosave by id, or null. */
  find(id: number): Promise<PostRevision | null>;
  /** Keeps `autosave` as the author's one autosave of the post, replacing the one before. */
  saveAutosave(autosave: RevisionWrite): Promise<PostRevision>;
  /** The author's autosave of the post, or null. */
  findAutosave(postId: number, authorId: number): Promise<PostRevision | null>;
  /** Forgets the author's autosave of the post (saved for real, or discarded). */
  deleteAutosave(postId: number, authorId: number): Promise<void>;
}
