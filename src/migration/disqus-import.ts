import type { CommentStatus, Store } from '../core/store.ts';
import { legacyPathKey, normaliseLink } from './import-legacy-urls.ts';
import { skip, warn, type ImportReport } from './import-report.ts';
import { PeopleBook, runImport, saveComment, type ImportInput, type ImportOptions } from './import-run.ts';
import { ImportFormatError, child, textOf, xmlRecords, type XmlNode } from './import-xml.ts';

/**
 * Imports a Disqus export: each thread is matched to a post by its link (scheme, host,
 * `www.` and trailing slash ignored: the path decides, through the post's slug or an
 * imported WordPress address), and its comments are added with their threading. One
 * transaction; comments are matched by dsq:id, so a second run creates nothing new.
 */
export async function importDisqus(store: Store, input: ImportInput, options: ImportOptions = {}): Promise<ImportReport> {
  return runImport(store, 'disqus', options, async (tx, report) => {
    const importer = new DisqusImporter(tx, report, options.now ?? Date.now());
    const progress = ({ bytes }: { bytes: number }) => {
      report.bytes = bytes;
      options.onProgress?.(bytes);
    };
    let isDisqus = false;
    for await (const { path, node } of xmlRecords(input, 1, progress)) {
      if (path[0] !== 'disqus') throw new ImportFormatError(`This is not a Disqus export: its root element is <${path[0]}>, not <disqus>.`);
      isDisqus = true;
      if (node.name === 'thread') await importer.thread(node);
      else if (node.name === 'post') await importer.post(node);
    }
    if (!isDisqus) throw new ImportFormatError('This is not a Disqus export: it has no threads or comments in a <disqus> element.');
    await importer.finish();
  });
}

interface Thread {
  link: string;
  title: string;
  /** The post it belongs to, or null when no post answers at its link. */
  postId: number | null;
}

interface PendingPost {
  dsqId: string;
  node: XmlNode;
  thread: Thread;
  parentDsqId: string;
}

const truthy = (text: string) => text.trim().toLowerCase() === 'true';

class DisqusImporter {
  private readonly tx: Store;
  private readonly report: ImportReport;
  private readonly now: number;
  private readonly people = new PeopleBook();
  private readonly threads = new Map<string, Thread>();
  /** dsq:id → local comment id, for replies. */
  private readonly local = new Map<string, number>();
  /** Replies whose parent comes later in the file. */
  private waiting: PendingPost[] = [];

  constructor(tx: Store, report: ImportReport, now: number) {
    this.tx = tx;
    this.report = report;
    this.now = now;
  }

  async thread(node: XmlNode): Promise<void> {
    const dsqId = node.attrs['dsq:id'] ?? '';
    const link = textOf(node, 'link');
    const title = textOf(node, 'title');
    let postId = await this.postAt(link);
    // Some exports keep the blog's own id of the page (often its original URL) in <id>.
    if (postId === null && /^https?:\/\//.test(textOf(node, 'id'))) postId = await this.postAt(textOf(node, 'id'));
    this.threads.set(dsqId, { link, title, postId });
    if (postId === null) skip(this.report, { kind: 'thread', id: dsqId, label: link || title, reason: 'no post answers at this link: its comments are skipped' });
  }

  /** The live or draft post answering at a link: by its current or old slug, or by an imported WordPress address. */
  private async postAt(link: string): Promise<number | null> {
    const normal = normaliseLink(link);
    if (!normal) return null;
    const fromLegacy = await this.tx.imports.findLegacyPath(normal.path);
    if (fromLegacy !== null) return fromLegacy;
    const slug = legacyPathKey(normal.path).slice(1);
    if (!slug || slug.includes('/')) return null;
    const post = (await this.tx.posts.findBySlug(slug)) ?? (await this.tx.posts.findByOldSlug(slug));
    return post?.id ?? null;
  }

  async post(node: XmlNode): Promise<void> {
    const dsqId = node.attrs['dsq:id'];
    const author = textOf(child(node, 'author') ?? node, 'name');
    if (!dsqId) {
      skip(this.report, { kind: 'comment', id: textOf(node, 'id') || '(none)', label: author, reason: 'it has no dsq:id, so a second import could not recognise it' });
      return;
    }
    const threadId = child(node, 'thread')?.attrs['dsq:id'] ?? '';
    const thread = this.threads.get(threadId);
    if (!thread) {
      skip(this.report, { kind: 'comment', id: dsqId, label: author, reason: `its thread ${threadId || '(none)'} is not in the file` });
      return;
    }
    if (thread.postId === null) {
      skip(this.report, { kind: 'comment', id: dsqId, label: author, reason: `its thread is not matched to a post (${thread.link})` });
      return;
    }
    const date = textOf(node, 'createdAt');
    if (!Number.isFinite(Date.parse(date))) {
      skip(this.report, { kind: 'comment', id: dsqId, label: author, reason: `its date "${date}" is not a date` });
      return;
    }
    const parentDsqId = child(node, 'parent')?.attrs['dsq:id'] ?? '';
    if (parentDsqId && !this.local.has(parentDsqId) && (await this.earlier(parentDsqId)) === null) {
      this.waiting.push({ dsqId, node, thread, parentDsqId });
      return;
    }
    await this.save({ dsqId, node, thread, parentDsqId });
  }

  private async earlier(dsqId: string): Promise<number | null> {
    const id = await this.tx.imports.findKey('disqus', 'comment', dsqId);
    if (id !== null) this.local.set(dsqId, id);
    return id;
  }

  private async save({ dsqId, node, thread, parentDsqId }: PendingPost, orphan = false): Promise<void> {
    const authorNode = child(node, 'author') ?? node;
    const status: CommentStatus = truthy(textOf(node, 'isDeleted')) ? 'trash' : truthy(textOf(node, 'isSpam')) ? 'spam' : 'approved';
    const name = textOf(authorNode, 'name') || textOf(authorNode, 'username');
    if (orphan) warn(this.report, { kind: 'comment', id: dsqId, label: name, reason: `answers ${parentDsqId}, which is not in the file: kept as a top-level comment` });
    const parentId = orphan ? null : (this.local.get(parentDsqId) ?? null);
    const id = await saveComment(this.tx, this.report, this.people, {
      key: dsqId,
      kind: 'comment',
      postId: thread.postId!,
      parentId: parentId !== null && (await this.tx.comments.findById(parentId))?.postId === thread.postId ? parentId : null,
      authorName: name,
      authorEmail: textOf(authorNode, 'email'),
      authorUrl: textOf(authorNode, 'link') || null,
      ip: textOf(node, 'ipAddress') || null,
      body: textOf(node, 'message', true).trim(),
      status,
      createdAt: Date.parse(textOf(node, 'createdAt')),
      reasons: ['Imported from Disqus'],
    }, this.now);
    this.local.set(dsqId, id);
    // Replies that were waiting for this comment.
    const ready = this.waiting.filter((w) => w.parentDsqId === dsqId);
    if (ready.length > 0) {
      this.waiting = this.waiting.filter((w) => w.parentDsqId !== dsqId);
      for (const reply of ready) await this.save(reply);
    }
  }

  /** Replies whose parent never came: kept at the top level of their post, and reported. */
  async finish(): Promise<void> {
    const orphans = this.waiting;
    this.waiting = [];
    for (const orphan of orphans) if (!this.local.has(orphan.dsqId)) await this.save(orphan, true);
  }
}
