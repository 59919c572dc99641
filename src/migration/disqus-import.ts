import { createHash } from 'node:crypto';
import type { CommentStatus, Store } from '../core/store.ts';
import { legacyPathKey } from '../core/legacy-paths.ts';
import { normaliseLink } from './import-legacy-urls.ts';
import { skip, warn, type ImportReport, type UnmatchedThread } from './import-report.ts';
import type { ImportKeys } from './import-keys.ts';
import { PeopleBook, runImport, saveComment, type ImportInput, type ImportOptions } from './import-run.ts';
import { ImportFormatError, child, textOf, xmlRecords, type XmlNode } from './import-xml.ts';

export interface DisqusOptions extends ImportOptions {
  /** Threads to put on a post chosen by hand: Disqus thread id (dsq:id) → the post's slug. Wins over the thread's link. */
  threadMap?: Record<string, string>;
}

/**
 * Imports a Disqus export: each thread is matched to a post by its link (scheme, host,
 * `www.` and trailing slash ignored: the path decides, through the post's slug or an
 * imported WordPress address), a thread at the site's root by its title, or by hand
 * (`threadMap`); its comments are added with their threading. Threads deleted in Disqus
 * bring their comments in the trash. One transaction; comments are matched by dsq:id (or,
 * without one, by their content), so a second run creates nothing new.
 */
export async function importDisqus(store: Store, input: ImportInput, options: DisqusOptions = {}): Promise<ImportReport> {
  return runImport(store, 'disqus', options, async (tx, report, keys) => {
    const importer = new DisqusImporter(tx, report, keys, options.now ?? Date.now(), options.threadMap ?? {});
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
  /** Deleted in Disqus: its comments are not to be published. */
  deleted: boolean;
  /** When unmatched: its entry in the report, counting its comments. */
  unmatched: UnmatchedThread | null;
}

interface PendingPost {
  dsqId: string;
  node: XmlNode;
  thread: Thread;
  parentDsqId: string;
}

const truthy = (text: string) => text.trim().toLowerCase() === 'true';

/** A link with no path of its own (the site's root), or none at all. */
function atRoot(link: string): boolean {
  if (!link.trim()) return true;
  const normal = normaliseLink(link);
  return normal !== null && normal.path === '/';
}

const sameTitle = (title: string) => title.trim().replace(/\s+/g, ' ').toLowerCase();

/** The import key of a Disqus post without a dsq:id: a digest of its thread, author, date and message. */
function contentKey(threadId: string, node: XmlNode): string {
  const author = child(node, 'author') ?? node;
  const parts = [threadId, textOf(author, 'name'), textOf(author, 'email'), textOf(node, 'createdAt'), textOf(node, 'message', true).trim()];
  return `content:${createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32)}`;
}

class DisqusImporter {
  private readonly tx: Store;
  private readonly report: ImportReport;
  private readonly keys: ImportKeys;
  private readonly now: number;
  private readonly people = new PeopleBook();
  private readonly threadMap: Record<string, string>;
  private readonly threads = new Map<string, Thread>();
  /** dsq:id → local comment id, for replies. */
  private readonly local = new Map<string, number>();
  /** Replies whose parent comes later in the file. */
  private waiting: PendingPost[] = [];

  constructor(tx: Store, report: ImportReport, keys: ImportKeys, now: number, threadMap: Record<string, string>) {
    this.keys = keys;
    this.tx = tx;
    this.report = report;
    this.now = now;
    this.threadMap = threadMap;
  }

  async thread(node: XmlNode): Promise<void> {
    const dsqId = node.attrs['dsq:id'] ?? '';
    const link = textOf(node, 'link');
    const title = textOf(node, 'title');
    const deleted = truthy(textOf(node, 'isDeleted'));
    const chosen = this.threadMap[dsqId];
    let postId = chosen !== undefined ? await this.postBySlug(dsqId, chosen) : await this.postAt(link);
    // Some exports keep the blog's own id of the page (often its original URL) in <id>.
    if (postId === null && chosen === undefined && /^https?:\/\//.test(textOf(node, 'id'))) postId = await this.postAt(textOf(node, 'id'));
    // A thread at the site's root (a widget on the home page, or a link Disqus never learnt) can only be told by its title.
    if (postId === null && chosen === undefined && atRoot(link) && title) {
      postId = await this.postTitled(title);
      if (postId !== null) warn(this.report, { kind: 'thread', id: dsqId, label: title, reason: `its link is the site's root (${link || 'none'}): matched to the post with the same title` });
    }
    const unmatched = postId === null ? { id: dsqId, link, title, comments: 0 } : null;
    this.threads.set(dsqId, { link, title, postId, deleted, unmatched });
    if (unmatched) {
      (this.report.unmatchedThreads ??= []).push(unmatched);
      const reason = atRoot(link) ? 'its link is the site’s root and no post has its title: choose its post in the report (or --map THREAD_ID=SLUG)' : 'no post answers at this link: choose its post in the report (or --map THREAD_ID=SLUG)';
      skip(this.report, { kind: 'thread', id: dsqId, label: link || title, reason: `${reason}; its comments are skipped` });
    }
    if (deleted && postId !== null) warn(this.report, { kind: 'thread', id: dsqId, label: link || title, reason: 'deleted in Disqus: its comments are imported in the trash, not published' });
  }

  /** The post a thread was assigned to by hand; an unknown slug is reported. */
  private async postBySlug(dsqId: string, slug: string): Promise<number | null> {
    const post = (await this.tx.posts.findBySlug(slug)) ?? (await this.tx.posts.findByOldSlug(slug));
    if (!post) warn(this.report, { kind: 'thread', id: dsqId, label: slug, reason: `no post has the address "${slug}" to put this thread on` });
    return post?.id ?? null;
  }

  /** The one post (not in the trash) whose title is exactly this, ignoring case and spacing; null when none or several. */
  private async postTitled(title: string): Promise<number | null> {
    const wanted = sameTitle(title);
    const { items } = await this.tx.posts.listAdmin({ text: title.trim(), limit: 20, offset: 0 });
    const matches = items.filter((p) => sameTitle(p.title) === wanted);
    return matches.length === 1 ? matches[0].id : null;
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
    const author = textOf(child(node, 'author') ?? node, 'name');
    const threadId = child(node, 'thread')?.attrs['dsq:id'] ?? '';
    // Without a dsq:id (some exports have such posts) it is known again by what it says, where, when and by whom.
    const dsqId = node.attrs['dsq:id'] || contentKey(threadId, node);
    const thread = this.threads.get(threadId);
    if (!thread) {
      skip(this.report, { kind: 'comment', id: dsqId, label: author, reason: `its thread ${threadId || '(none)'} is not in the file` });
      return;
    }
    if (thread.postId === null) {
      if (thread.unmatched) thread.unmatched.comments++;
      skip(this.report, { kind: 'comment', id: dsqId, label: author, reason: `its thread is not matched to a post (${thread.link || thread.title})` });
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
    const id = await this.keys.find('comment', dsqId);
    if (id !== null) this.local.set(dsqId, id);
    return id;
  }

  private async save({ dsqId, node, thread, parentDsqId }: PendingPost, orphan = false): Promise<void> {
    const authorNode = child(node, 'author') ?? node;
    // A comment deleted in Disqus, or on a thread deleted there, is never published: it goes to the trash.
    const status: CommentStatus = truthy(textOf(node, 'isDeleted')) || thread.deleted ? 'trash' : truthy(textOf(node, 'isSpam')) ? 'spam' : 'approved';
    const name = textOf(authorNode, 'name') || textOf(authorNode, 'username');
    if (orphan) warn(this.report, { kind: 'comment', id: dsqId, label: name, reason: `answers ${parentDsqId}, which is not in the file: kept as a top-level comment` });
    const parentId = orphan ? null : (this.local.get(parentDsqId) ?? null);
    const id = await saveComment(this.tx, this.report, this.keys, this.people, {
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
