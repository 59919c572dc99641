/**
 * Comment → post idea (issue 11, point 8): the team turns a reader's comment into a draft
 * that quotes it, linked to the comment and its writer; the editor shows where the draft
 * came from, and on publishing the author may tell the writer by email (through the
 * outbox, once, and only when they gave an address).
 */
import type { Clock } from './clock.ts';
import { excerpt, oneLine, renderEmail } from './email-content.ts';
import { DomainError, notFound } from './errors.ts';
import { canModerate } from './moderation-access.ts';
import { isLive, type PostService } from './post-service.ts';
import type { Comment, OutboxWrite, Person, Post, Store, User } from './store.ts';
import { slugify } from './text.ts';

/** Where a post came from: the comment it quotes and that comment's writer. */
export interface PostSource {
  postId: number;
  /** Null once the comment is deleted for good. */
  commentId: number | null;
  /** Null once the person is forgotten (or was never known: a comment without a person). */
  personId: number | null;
  /** Who made the draft. */
  createdBy: number | null;
  createdAt: number;
  /** When the author asked to tell the writer once the post is live; null: not asked. */
  tellRequestedAt: number | null;
  /** When the mail to the writer was written to the outbox; null: not yet (or never). */
  toldAt: number | null;
}

export type PostSourceWrite = Pick<PostSource, 'postId' | 'commentId' | 'personId' | 'createdBy' | 'createdAt'>;

/** The store's `postSources` (migration 015). */
export interface PostSourceRepository {
  /** Records where a new post came from (one source per post). */
  create(source: PostSourceWrite): Promise<PostSource>;
  find(postId: number): Promise<PostSource | null>;
  /** Every post made from one of these comments, oldest first. */
  ofComments(commentIds: readonly number[]): Promise<PostSource[]>;
  /** Sets (a time) or clears (null) the author's wish to tell the writer; a writer told already stays told. */
  setTellRequested(postId: number, at: number | null): Promise<void>;
  /** Marks the writer told, if they were not; true only for the one call that did (across instances). */
  markTold(postId: number, now: number): Promise<boolean>;
}

/** Who the writer is called in the draft and the mail. */
export const writerName = (comment: Pick<Comment, 'authorName'>): string => comment.authorName.trim() || 'Someone';

/** Text for a Markdown line: every character Markdown (or HTML) could act on is escaped. */
export function escapeMarkdownText(text: string): string {
  return text.replace(/[\\`*_[\]<>~|&#!]/g, (c) => `\\${c}`).replace(/\s+/g, ' ').trim();
}

/** `<` outside inline code made text (`\<`): a post's Markdown allows HTML, a comment's never did. */
function escapeTags(line: string): string {
  let out = '';
  let i = 0;
  while (i < line.length) {
    const run = /^`+/.exec(line.slice(i));
    if (run) {
      // An inline code span runs to the next run of as many backticks; inside, nothing is escaped.
      const close = line.indexOf(run[0], i + run[0].length);
      const end = close === -1 ? i + run[0].length : close + run[0].length;
      out += line.slice(i, end);
      i = end;
      continue;
    }
    // Already escaped by its writer (`\<`): left as it is.
    out += line[i] === '<' && line[i - 1] !== '\\' ? '\\<' : line[i];
    i++;
  }
  return out;
}

/**
 * A comment's Markdown as it reads in a post: raw HTML stays text, and each line break
 * stays a line break (comments break lines where their writer did; posts join lines into
 * paragraphs), except inside fenced code, which is kept as it is.
 */
export function commentAsPostMarkdown(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, '\n').trim().split('\n');
  const fence = /^\s*(`{3,}|~{3,})/;
  let inFence = false;
  return lines
    .map((line, i) => {
      if (fence.test(line)) {
        inFence = !inFence;
        return line;
      }
      if (inFence || line.trim() === '') return line;
      const next = lines[i + 1];
      const breakAfter = next !== undefined && next.trim() !== '' && !fence.test(next) && !/( {2}|\\)$/.test(line);
      return escapeTags(line) + (breakAfter ? '  ' : '');
    })
    .join('\n');
}

/**
 * The draft's Markdown: the comment as a blockquote, then the attribution with the
 * writer's name and a link to the comment's permalink.
 */
export function quoteMarkdown(o: { name: string; markdown: string; permalink: string; postTitle: string }): string {
  const quoted = commentAsPostMarkdown(o.markdown)
    .split('\n')
    .map((line) => (line.trim() === '' ? '>' : `> ${line}`))
    .join('\n');
  return `${quoted}\n>\n> — ${escapeMarkdownText(o.name)}, [in a comment on “${escapeMarkdownText(o.postTitle)}”](${o.permalink})\n\n`;
}

/** A working title the author will change: short, and saying where it came from. */
export function ideaTitle(name: string, postTitle: string): string {
  return oneLine(`After ${name}’s comment on “${postTitle}”`, 200);
}

/**
 * A post idea starts with a working title, and so an address made from it. Until it is
 * first published, an address that is still the one made from its title is shown empty in
 * the editor, so that it follows the title the author gives it.
 */
export function addressFollowsTitle(post: Pick<Post, 'slug' | 'title' | 'status' | 'publishedAt'>): boolean {
  if (post.status !== 'draft' || post.publishedAt !== null) return false;
  const made = slugify(post.title);
  return post.slug === made || (post.slug.startsWith(`${made}-`) && /^\d+$/.test(post.slug.slice(made.length + 1)));
}

/** Where a post came from, for the editor. */
export interface PostOrigin {
  source: PostSource;
  /** The quoted comment (null once deleted for good) and the post it is on. */
  comment: Comment | null;
  commentPost: Post | null;
  person: Person | null;
  /** The writer's name as the comment shows it now ("Someone" once forgotten). */
  name: string;
  /** Where "tell them" would write; null when they gave no address. */
  address: string | null;
}

export interface PostIdeaDeps {
  store: Store;
  clock: Clock;
  posts: PostService;
  site: () => Promise<{ title: string }>;
  /** Public base URL without a trailing slash. */
  siteUrl: () => string;
}

/** The address the writer gave: on the comment, else on their person record; null when none. */
export function addressOf(comment: Comment | null, person: Person | null): string | null {
  const own = comment?.authorEmail.trim();
  if (own) return own;
  return person?.email?.trim() || null;
}

export class PostIdeaService {
  private readonly deps: PostIdeaDeps;

  constructor(deps: PostIdeaDeps) {
    this.deps = deps;
  }

  private permalink(commentId: number): string {
    return `${this.deps.siteUrl()}/comments/${commentId}`;
  }

  /**
   * A draft quoting the comment, linked to it and its writer, in one transaction. Only
   * those who write posts (owner, authors) may, and only for comments they look after;
   * a comment in spam or the trash must be restored first (409).
   */
  async draftFrom(user: User, commentId: number): Promise<Post> {
    const { store, clock } = this.deps;
    if (user.role === 'moderator') throw new DomainError('forbidden', 'Moderators look after the conversation; turning a comment into a post is for the owner and authors.');
    const comment = await store.comments.findById(commentId);
    if (!comment) throw notFound('That comment');
    const post = await store.posts.findById(comment.postId);
    if (!post) throw notFound('That comment');
    if (!canModerate(user, post).ok) throw new DomainError('forbidden', 'Only comments on your own posts can become your post ideas.');
    if (comment.status !== 'approved' && comment.status !== 'pending') {
      throw new DomainError('conflict', `This comment is in ${comment.status === 'spam' ? 'spam' : 'the trash'}: restore it before making a post of it.`);
    }
    const name = writerName(comment);
    const markdown = quoteMarkdown({ name, markdown: comment.markdown, permalink: this.permalink(comment.id), postTitle: post.title });
    return store.transaction(async (tx) => {
      const draft = await this.deps.posts.withStore(tx).create(user, { title: ideaTitle(name, post.title), markdown });
      await tx.postSources.create({ postId: draft.id, commentId: comment.id, personId: comment.personId, createdBy: user.id, createdAt: clock.now() });
      return draft;
    });
  }

  async originOf(postId: number): Promise<PostOrigin | null> {
    const { store } = this.deps;
    const source = await store.postSources.find(postId);
    if (!source) return null;
    const comment = source.commentId !== null ? await store.comments.findById(source.commentId) : null;
    const [commentPost, person] = await Promise.all([
      comment ? store.posts.findById(comment.postId) : Promise.resolve(null),
      source.personId !== null ? store.people.findById(source.personId) : Promise.resolve(null),
    ]);
    return { source, comment, commentPost, person, name: comment ? writerName(comment) : (person?.name.trim() || 'Someone'), address: addressOf(comment, person) };
  }

  /**
   * The author's "tell them" box, as sent with the editor: the wish is kept until the
   * post is live, then the mail is written once (`postChanged`). Nothing is recorded for
   * a post made from no comment, or a writer without an address.
   */
  async setTell(postId: number, tell: boolean): Promise<void> {
    const origin = await this.originOf(postId);
    if (!origin || origin.source.toldAt !== null) return;
    if (tell && origin.address === null) return;
    await this.deps.store.postSources.setTellRequested(postId, tell ? this.deps.clock.now() : null);
  }

  /**
   * Told after every change to a post (publishing now, the scheduler publishing it later):
   * when a post whose author asked to tell its source's writer is live, the mail goes to
   * the outbox, once. True when a mail was written.
   */
  async postChanged(_before: Post, after: Post): Promise<boolean> {
    const { store, clock } = this.deps;
    const now = clock.now();
    if (!isLive(after, now)) return false;
    const origin = await this.originOf(after.id);
    if (!origin || origin.source.tellRequestedAt === null || origin.source.toldAt !== null || origin.address === null || !origin.comment || !origin.commentPost) return false;
    const author = await store.users.findById(after.authorId);
    const mail = toldEmail({
      site: await this.deps.site(),
      siteUrl: this.deps.siteUrl(),
      post: after,
      authorName: author?.name ?? 'The author',
      origin: { ...origin, comment: origin.comment, commentPost: origin.commentPost, address: origin.address },
    });
    return store.transaction(async (tx) => {
      if (!(await tx.postSources.markTold(after.id, now))) return false;
      await tx.outbox.enqueue(mail, now);
      return true;
    });
  }
}

/** The one message "tell them" sends: their comment became a post, with a link to it and their words. */
export function toldEmail(o: {
  site: { title: string };
  siteUrl: string;
  post: Pick<Post, 'id' | 'slug' | 'title'>;
  authorName: string;
  origin: { comment: Comment; commentPost: Pick<Post, 'title'>; name: string; address: string };
}): OutboxWrite {
  const { comment, commentPost, name, address } = o.origin;
  const subject = oneLine(`Your comment on “${commentPost.title}” became a post`);
  const content = renderEmail({
    title: subject,
    blocks: [
      { type: 'paragraph', text: `Hello ${name},` },
      { type: 'paragraph', text: `${o.authorName} turned your comment on “${commentPost.title}” into a new post on ${o.site.title}: “${o.post.title}”.` },
      { type: 'link', label: 'Read it', url: `${o.siteUrl}/${o.post.slug}` },
      { type: 'paragraph', text: 'Your words, as quoted:' },
      { type: 'quote', text: excerpt(comment.markdown, 1500) },
    ],
    signature: o.site.title,
    footer: [{ type: 'paragraph', text: `You get this one message because ${o.authorName} chose to tell you when publishing. You are not subscribed to anything.` }],
  });
  return { idempotencyKey: `post-idea:${o.post.id}`, kind: 'post-idea', to: address, subject, ...content, headers: { 'Auto-Submitted': 'auto-generated' } };
}
