import { sanitizeCommentHtml } from '../core/comment-markdown.ts';
import type { CommentStatus, Store } from '../core/store.ts';
import { autop } from './import-html.ts';
import { ImportKeys } from './import-keys.ts';
import { count, emptyReport, type ImportReport, type ImportSource, type ReportKind } from './import-report.ts';

export interface ImportOptions {
  /** Do everything, report it, then roll it all back. */
  dryRun?: boolean;
  /** Told the bytes read so far, as the file streams in. */
  onProgress?: (bytesRead: number) => void;
  /** The time recorded as "now" (tests); Date.now() otherwise. */
  now?: number;
}

/** What an import reads: the file's bytes as they arrive (a file stream, an upload's stream…). */
export type ImportInput = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

class DryRunRollback extends Error {
  constructor() {
    super('dry run: rolled back');
  }
}

/**
 * Runs an import in one transaction: the whole file or nothing. A parse error (or any
 * failure) rolls everything back and is thrown; a dry run rolls back on purpose and
 * returns the report of what it would have done.
 */
export async function runImport(
  store: Store,
  source: ImportSource,
  options: ImportOptions,
  work: (tx: Store, report: ImportReport, keys: ImportKeys) => Promise<void>,
): Promise<ImportReport> {
  const report = emptyReport(source, options.dryRun ?? false);
  const started = performance.now();
  try {
    await store.transaction(async (tx) => {
      await work(tx, report, new ImportKeys(tx.imports, source));
      if (report.dryRun) throw new DryRunRollback();
    });
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error;
  }
  report.durationMs = Math.round(performance.now() - started);
  return report;
}

/** Remembers the people already seen in this import, so 100,000 comments do not ask the store 100,000 times. */
export class PeopleBook {
  private readonly known = new Map<string, number>();

  /** The person with this email (found or created), or null for a comment without a usable email. */
  async personFor(tx: Store, report: ImportReport, input: { name: string; email: string; website: string | null }, now: number): Promise<number | null> {
    const email = input.email.trim().toLowerCase();
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) return null;
    const seen = this.known.get(email);
    if (seen !== undefined) return seen;
    const existing = await tx.people.findByEmail(email);
    const person = existing ?? (await tx.people.upsertByEmail({ name: input.name || email, email, website: input.website }, now));
    count(report, 'person', existing ? 'unchanged' : 'created');
    // Bounded: a huge import with many commenters forgets the oldest and asks the store again.
    if (this.known.size >= 20_000) this.known.clear();
    this.known.set(email, person.id);
    return person.id;
  }
}

export interface IncomingComment {
  /** Stable id in the source (import key). */
  key: string;
  kind: Extract<ReportKind, 'comment' | 'mention'>;
  postId: number;
  parentId: number | null;
  /** The user who wrote it (one of the imported authors), or null for a visitor. */
  userId?: number | null;
  authorName: string;
  authorEmail: string;
  authorUrl: string | null;
  ip: string | null;
  /** The body as the source stores it (HTML, maybe without paragraphs). */
  body: string;
  status: CommentStatus;
  createdAt: number;
  /** Shown to moderators: where the comment came from. */
  reasons: string[];
}

/** Creates the comment, or finds it from an earlier import (its status brought up to date). Returns its local id. */
export async function saveComment(tx: Store, report: ImportReport, keys: ImportKeys, people: PeopleBook, incoming: IncomingComment, now: number): Promise<number> {
  const existingId = await keys.find('comment', incoming.key);
  const existing = existingId === null ? null : await tx.comments.findById(existingId);
  if (existing) {
    if (existing.status === incoming.status) {
      count(report, incoming.kind, 'unchanged');
    } else {
      await tx.comments.setStatus([existing.id], incoming.status, null, now);
      count(report, incoming.kind, 'updated');
    }
    return existing.id;
  }
  const userId = incoming.userId ?? null;
  // A user's own comment is theirs, not a visitor's (as when they answer from the admin).
  const personId = userId === null ? await people.personFor(tx, report, { name: incoming.authorName, email: incoming.authorEmail, website: incoming.authorUrl }, now) : null;
  const comment = await tx.comments.create({
    postId: incoming.postId,
    parentId: incoming.parentId,
    personId,
    userId,
    authorName: incoming.authorName || 'Anonymous',
    authorEmail: incoming.authorEmail.trim().toLowerCase(),
    authorUrl: safeUrl(incoming.authorUrl),
    markdown: incoming.body,
    html: sanitizeCommentHtml(autop(incoming.body)),
    // Trash is purged 30 days after it was trashed: count those days from the import, not from the comment's date.
    status: incoming.status === 'trash' ? 'pending' : incoming.status,
    createdAt: incoming.createdAt,
    moderationReasons: incoming.reasons,
    source: 'import',
    ip: incoming.ip || null,
  });
  if (incoming.status === 'trash') await tx.comments.setStatus([comment.id], 'trash', null, now);
  await keys.save('comment', incoming.key, comment.id);
  count(report, incoming.kind, 'created');
  return comment.id;
}

/** An http(s) URL, or null: a commenter's website is shown as a link. */
export function safeUrl(url: string | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url.trim());
    // Kept as written (as the comment form keeps it), once it is known to be a web address.
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? url.trim() : null;
  } catch {
    return null;
  }
}

/** Milliseconds from 'YYYY-MM-DD hh:mm:ss' read as UTC, or null for WordPress's '0000-00-00 00:00:00' and nonsense. */
export function parseUtc(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(text.trim());
  if (!m || m[1] === '0000') return null;
  const time = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isFinite(time) ? time : null;
}
