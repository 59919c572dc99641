import type { Comment, CommentRepository, CommentRevision, CommentRevisionWrite, CommentStatus, CommentWrite, ModerationQuery, OutboxWrite, Page, PersonRepository, RateLimitCount, ReaderCommentStart, ThreadCursor, ThreadPage } from '../../core/store.ts';
import { notFound } from '../../core/errors.ts';
import { descendantIds, placeMove } from '../../core/comment-move.ts';
import type { Tables } from './memory-store.ts';
import { MemoryOutboxRepository } from './memory-outbox.ts';
import { MemoryRateLimitRepository } from './memory-rate-limits.ts';

/** Callers get copies, so mutating a result never changes the store. */
const copy = <T>(value: T): T => structuredClone(value);

const oldestFirst = (a: Comment, b: Comment) => a.createdAt - b.createdAt || a.id - b.id;

/** As the foreign key cascades on SQL: a deleted comment's history goes with it. */
export function dropOrphanRevisions(tables: Tables): void {
  for (const revision of tables.commentRevisions.values()) if (!tables.comments.has(revision.commentId)) tables.commentRevisions.delete(revision.id);
}

/** CommentRepository in memory: comments, their threads and edit history. */
export class MemoryCommentRepository implements CommentRepository {
  private readonly tablesOf: () => Tables;
  private readonly nextId: (table: keyof Tables['lastId']) => number;

  private readonly people: () => PersonRepository;

  constructor(tables: () => Tables, nextId: (table: keyof Tables['lastId']) => number, people: () => PersonRepository) {
    this.tablesOf = tables;
    this.nextId = nextId;
    this.people = people;
  }

  /** The store's tables as they are now: a transaction works on a view of them. */
  private get tables(): Tables {
    return this.tablesOf();
  }

  private commentRecord(id: number): Comment {
    const comment = this.tables.comments.get(id);
    if (!comment) throw notFound('The comment');
    return comment;
  }

  /** Top-level comments of a post with at least one approved comment in their conversation, oldest first. */
  private conversations(postId: number): Comment[] {
    const live = new Set<number>();
    for (const c of this.tables.comments.values()) if (c.postId === postId && c.status === 'approved') live.add(c.rootId);
    return [...this.tables.comments.values()].filter((c) => c.postId === postId && c.depth === 0 && live.has(c.id)).sort(oldestFirst);
  }

  /** Whether the post is the user's and outside the trash. */
  private authoredBy(postId: number, authorId: number): boolean {
    const post = this.tables.posts.get(postId);
    return post !== undefined && post.authorId === authorId && post.deletedAt === null;
  }

  async startByEmail(email: string, limits?: RateLimitCount): Promise<ReaderCommentStart> {
    const counted = limits ? await new MemoryRateLimitRepository(this.tablesOf).hitAllOrNone(limits.checks, limits.now) : [];
    const staff = [...this.tables.users.values()].sort((a, b) => a.id - b.id).map(({ id, email: address, role }) => ({ id, email: address, role }));
    return { person: await this.people().findByEmail(email), staff, drawnId: null, limits: counted };
  }

  /** The memory store draws no id ahead (`startByEmail`), so `createByEmail` takes none. */
  async createByEmail(person: { name: string; email: string; website: string | null }, write: Omit<CommentWrite, 'personId'>, now: number, mail?: (comment: Comment) => OutboxWrite[]): Promise<Comment> {
    const found = await this.people().upsertByEmail(person, now);
    const created = await this.create({ ...write, personId: found.id });
    const outbox = new MemoryOutboxRepository(this.tablesOf, this.nextId);
    for (const message of mail?.(created) ?? []) await outbox.enqueue(message, now);
    return created;
  }

  async create(write: CommentWrite): Promise<Comment> {
    let rootId: number | null = null;
    let depth = 0;
    if (write.parentId !== null) {
      const parent = this.tables.comments.get(write.parentId);
      if (!parent || parent.postId !== write.postId) throw notFound('The comment being answered');
      rootId = parent.rootId;
      depth = parent.depth + 1;
    }
    const id = this.nextId('comments');
    const comment: Comment = {
      id,
      postId: write.postId,
      parentId: write.parentId,
      rootId: rootId ?? id,
      depth,
      personId: write.personId,
      userId: write.userId,
      authorName: write.authorName,
      authorEmail: write.authorEmail,
      authorUrl: write.authorUrl,
      markdown: write.markdown,
      html: write.html,
      status: write.status,
      moderationReasons: [...(write.moderationReasons ?? [])],
      spamScore: write.spamScore ?? null,
      source: write.source ?? 'form',
      createdAt: write.createdAt,
      updatedAt: write.createdAt,
      editedAt: null,
      statusChangedAt: write.createdAt,
      editTokenHash: write.editTokenHash ?? null,
      ip: write.ip ?? null,
      userAgent: write.userAgent ?? null,
      learnedAs: null,
    };
    this.tables.comments.set(comment.id, comment);
    return copy(comment);
  }

  async findById(id: number): Promise<Comment | null> {
    const comment = this.tables.comments.get(id);
    return comment ? copy(comment) : null;
  }

  async findMany(ids: number[]): Promise<Comment[]> {
    return ids
      .map((id) => this.tables.comments.get(id))
      .filter((c): c is Comment => c !== undefined)
      .sort(oldestFirst)
      .map(copy);
  }

  async listApproved(postId: number): Promise<Comment[]> {
    return [...this.tables.comments.values()].filter((c) => c.postId === postId && c.status === 'approved').sort(oldestFirst).map(copy);
  }

  async countApproved(postIds: number[]): Promise<Map<number, number>> {
    const counts = new Map<number, number>();
    for (const c of this.tables.comments.values()) {
      if (c.status === 'approved' && postIds.includes(c.postId)) counts.set(c.postId, (counts.get(c.postId) ?? 0) + 1);
    }
    return counts;
  }

  async threadPage(postId: number, after: ThreadCursor | null, limit: number): Promise<ThreadPage> {
    const roots = this.conversations(postId).filter((r) => !after || r.createdAt > after.createdAt || (r.createdAt === after.createdAt && r.id > after.id));
    const shown = roots.slice(0, limit);
    const ids = new Set(shown.map((r) => r.id));
    const comments = [...this.tables.comments.values()].filter((c) => ids.has(c.rootId) && c.status === 'approved').sort(oldestFirst).map(copy);
    const last = shown[shown.length - 1];
    return { comments, next: roots.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null };
  }

  async conversationsBefore(commentId: number): Promise<number> {
    const comment = this.commentRecord(commentId);
    const root = this.commentRecord(comment.rootId);
    return this.conversations(comment.postId).filter((r) => r.createdAt < root.createdAt || (r.createdAt === root.createdAt && r.id < root.id)).length;
  }

  async cursorAt(postId: number, offset: number): Promise<ThreadCursor | null> {
    if (offset <= 0) return null;
    const root = this.conversations(postId)[offset - 1];
    return root ? { createdAt: root.createdAt, id: root.id } : null;
  }

  async updateBody(id: number, markdown: string, html: string, now: number): Promise<Comment> {
    const comment = this.commentRecord(id);
    Object.assign(comment, { markdown, html, editedAt: now, updatedAt: now });
    return copy(comment);
  }

  async setStatus(ids: number[], status: CommentStatus, reasons: string[] | null, now: number): Promise<Comment[]> {
    const changed: Comment[] = [];
    for (const id of ids) {
      const comment = this.tables.comments.get(id);
      if (!comment || comment.status === status) continue;
      Object.assign(comment, { status, statusChangedAt: now, updatedAt: now });
      if (reasons !== null) comment.moderationReasons = [...reasons];
      changed.push(copy(comment));
    }
    return changed;
  }

  async setLearnedAs(id: number, label: 'spam' | 'ham' | null): Promise<void> {
    this.commentRecord(id).learnedAs = label;
  }

  async move(id: number, parentId: number | null, now: number): Promise<Comment> {
    const comment = this.commentRecord(id);
    if (comment.parentId === parentId) return copy(comment);
    const conversation = [...this.tables.comments.values()].filter((c) => c.rootId === comment.rootId);
    const below = descendantIds(id, conversation);
    const place = placeMove(comment, parentId === null ? null : this.tables.comments.get(parentId), parentId, below);
    const shift = place.depth - comment.depth;
    for (const replyId of below) Object.assign(this.commentRecord(replyId), { rootId: place.rootId, depth: this.commentRecord(replyId).depth + shift, updatedAt: now });
    Object.assign(comment, { parentId, rootId: place.rootId, depth: place.depth, updatedAt: now });
    return copy(comment);
  }

  async addRevision(write: CommentRevisionWrite): Promise<CommentRevision> {
    this.commentRecord(write.commentId);
    const id = this.tables.lastId.commentRevisions + 1;
    this.tables.lastId.commentRevisions = id;
    const revision: CommentRevision = { id, ...write };
    this.tables.commentRevisions.set(id, revision);
    return copy(revision);
  }

  async revisions(commentId: number): Promise<CommentRevision[]> {
    return [...this.tables.commentRevisions.values()].filter((r) => r.commentId === commentId).sort((a, b) => a.id - b.id).map(copy);
  }

  async listForModeration(q: ModerationQuery): Promise<Page<Comment>> {
    const text = q.text?.toLowerCase();
    const all = [...this.tables.comments.values()]
      .filter(
        (c) =>
          (!q.status || c.status === q.status) &&
          (q.postId === undefined || c.postId === q.postId) &&
          (q.authorId === undefined || this.authoredBy(c.postId, q.authorId)) &&
          (q.personId === undefined || c.personId === q.personId) &&
          (!text || [c.markdown, c.authorName, c.authorEmail].some((f) => f.toLowerCase().includes(text))) &&
          (q.since === undefined || c.createdAt >= q.since) &&
          (!q.before || c.createdAt < q.before.createdAt || (c.createdAt === q.before.createdAt && c.id < q.before.id)),
      )
      .sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
    return { items: all.slice(q.offset, q.offset + q.limit).map(copy), total: q.noTotal ? -1 : all.length };
  }

  async countByStatus(authorId?: number): Promise<Record<CommentStatus, number>> {
    const counts: Record<CommentStatus, number> = { pending: 0, approved: 0, spam: 0, trash: 0 };
    for (const c of this.tables.comments.values()) if (authorId === undefined || this.authoredBy(c.postId, authorId)) counts[c.status]++;
    return counts;
  }

  async countWithStatus(status: CommentStatus, authorId?: number): Promise<number> {
    let n = 0;
    for (const c of this.tables.comments.values()) if (c.status === status && (authorId === undefined || this.authoredBy(c.postId, authorId))) n++;
    return n;
  }

  async hasApproved(personId: number): Promise<boolean> {
    return [...this.tables.comments.values()].some((c) => c.personId === personId && c.status === 'approved');
  }

  async waitingForReply(limit: number, authorId?: number): Promise<Page<Comment>> {
    const latest = new Map<number, Comment>();
    const inReach = (c: Comment) => c.status === 'approved' && (authorId === undefined || this.authoredBy(c.postId, authorId));
    for (const c of [...this.tables.comments.values()].filter(inReach).sort(oldestFirst)) latest.set(c.rootId, c);
    const waiting = [...latest.values()].filter((c) => c.userId === null && c.source !== 'import').sort(oldestFirst);
    return { items: waiting.slice(0, limit).map(copy), total: waiting.length };
  }

  async purgeTrash(before: number): Promise<number> {
    const all = [...this.tables.comments.values()];
    const due = all.filter(
      (c) => c.status === 'trash' && c.statusChangedAt < before && !all.some((child) => child.parentId === c.id && child.status !== 'trash'),
    );
    const ids = new Set(due.map((c) => c.id));
    for (const c of all) if (c.parentId !== null && ids.has(c.parentId)) c.parentId = null;
    for (const id of ids) this.tables.comments.delete(id);
    dropOrphanRevisions(this.tables);
    for (const sub of this.tables.subscriptions.values()) if (sub.commentId !== null && ids.has(sub.commentId)) this.tables.subscriptions.delete(sub.id);
    return ids.size;
  }

  async deleteForever(ids: number[]): Promise<number[]> {
    const all = [...this.tables.comments.values()];
    const kept = (c: Comment) => c.status === 'approved' || c.status === 'pending';
    const due = new Set(
      ids.filter((id) => {
        const c = this.tables.comments.get(id);
        return c !== undefined && (c.status === 'spam' || c.status === 'trash') && !all.some((child) => child.parentId === id && kept(child));
      }),
    );
    for (const c of all) if (c.parentId !== null && due.has(c.parentId)) c.parentId = null;
    for (const id of due) this.tables.comments.delete(id);
    dropOrphanRevisions(this.tables);
    for (const sub of this.tables.subscriptions.values()) if (sub.commentId !== null && due.has(sub.commentId)) this.tables.subscriptions.delete(sub.id);
    for (const mention of this.tables.webmentions.received.values()) if (mention.commentId !== null && due.has(mention.commentId)) mention.commentId = null;
    return [...due].sort((a, b) => a - b);
  }
}
