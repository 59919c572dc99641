/**
 * The storage port. Everything the core needs from a database is declared here; the
 * SQLite, PostgreSQL and in-memory adapters implement it and one contract suite
 * (src/adapters/storage/store-contract.ts) checks that they agree.
 *
 * Times are milliseconds since the epoch (UTC) everywhere.
 */
import type { ChangeLogRepository } from './change-feed.ts';
import type { RevisionRepository } from './revisions.ts';
import type { PeopleRepository } from './people.ts';
import type { JobRepository } from './jobs.ts';
import type { WhoIsRepository } from './who-is.ts';
import type { WebmentionRepository } from './webmention-store.ts';

import type { ArchiveRepository } from './archive.ts';
import type { FediverseBlockRepository, FollowerRepository } from './federation-store.ts';
import type { PersonRightsRepository } from './person-rights.ts';
import type { PostSourceRepository } from './post-ideas.ts';
import type { AuditRepository } from './audit.ts';
import type { FediverseReplyRepository } from './fediverse-reply-store.ts';
import type { ReactionRepository } from './reactions.ts';
import type { EmbedRepository } from './embeds.ts';

export type Role = 'owner' | 'author' | 'moderator';
/** `external`: the thread of a page on another site (core/embeds.ts), never listed on the blog. */
export type PostType = 'post' | 'page' | 'external';
export type PostStatus = 'draft' | 'scheduled' | 'published';
export type Visibility = 'public' | 'unlisted';
export type CommentStatus = 'pending' | 'approved' | 'spam' | 'trash';
/** Per post: follow the site's setting, or open, or closed. */
export type CommentsMode = 'inherit' | 'open' | 'closed';

export interface User {
  id: number;
  email: string;
  name: string;
  slug: string;
  bio: string;
  role: Role;
  passwordHash: string | null;
  createdAt: number;
}

export interface Tag {
  id: number;
  slug: string;
  name: string;
}

export interface TagWithCount extends Tag {
  /** Published, public posts carrying the tag. */
  postCount: number;
}

/** What a link to a post needs. */
export type PostLink = Pick<Post, 'id' | 'slug' | 'title'>;

export interface Post {
  id: number;
  type: PostType;
  slug: string;
  title: string;
  markdown: string;
  /** Sanitised HTML rendered from `markdown` when saved. */
  html: string;
  /** Plain-text summary: the author's own, or the start of the body. */
  excerpt: string;
  status: PostStatus;
  visibility: Visibility;
  /** When it went (or goes) live; null for a draft never published. */
  publishedAt: number | null;
  authorId: number;
  coverImage: string | null;
  createdAt: number;
  updatedAt: number;
  /** Set while the post is in the trash. */
  deletedAt: number | null;
  tags: Tag[];
  commentsMode: CommentsMode;
  /** Close comments this many days after publishing; null follows the site's setting. */
  commentsCloseDays: number | null;
  /** Password protected (WordPress's post_password): readers see the title until they enter it. Null: not protected. */
  password: string | null;
  /** Migration 025: the page head's description, card image and canonical address; null: the automatic ones. */
  metaDescription: string | null;
  socialImage: string | null;
  canonicalUrl: string | null;
}

/** What a writer supplies; the service fills in html, excerpt and times. */
export interface PostWrite {
  type: PostType;
  slug: string;
  title: string;
  markdown: string;
  html: string;
  excerpt: string;
  status: PostStatus;
  visibility: Visibility;
  publishedAt: number | null;
  authorId: number;
  coverImage: string | null;
  /** Tag names; tags are created as needed and matched by slug. */
  tags: string[];
  commentsMode: CommentsMode;
  commentsCloseDays: number | null;
  /** The reader's password (null: not protected); left out, an update keeps the post's own and a new post has none. */
  password?: string | null;
  /** SEO fields (null: automatic); each left out keeps the post's own (a new post has none). */
  metaDescription?: string | null;
  socialImage?: string | null;
  canonicalUrl?: string | null;
  /** A new post's editor key (create only): see PostRepository.findByCreationKey. */
  creationKey?: string;
}

/** Whether readers must enter a password to see the post's body and comments. */
export const isProtected = (post: Pick<Post, 'password'>): boolean => post.password !== null && post.password !== '';

export interface PublishedQuery {
  type?: PostType;
  tagSlug?: string;
  authorId?: number;
  /** Inclusive lower and exclusive upper bound on publishedAt (archive by month). */
  from?: number;
  to?: number;
  limit: number;
  offset: number;
}

export interface AdminPostQuery {
  type?: PostType;
  status?: PostStatus;
  /** true: only the trash; false (default): everything not in the trash. */
  trashed?: boolean;
  tagSlug?: string;
  authorId?: number;
  /** Substring of the title or the Markdown text, case-insensitive. */
  text?: string;
  /**
   * Posts not published yet (drafts, scheduled) only when written by this user; null: none
   * at all. Left out: everyone's. (See `unpublishedVisibleTo`.)
   */
  unpublishedBy?: number | null;
  limit: number;
  offset: number;
}

export interface Page<T> {
  items: T[];
  total: number;
}

export interface SearchHit {
  post: Post;
  /** Plain-text snippet around the match. */
  snippet: string;
}

export interface MonthCount {
  year: number;
  month: number;
  count: number;
}

/**
 * Publication times, newest first, counted by month (what every store's archiveMonths
 * returns): in UTC, or in the zone whose offset from UTC (seconds) at an instant `offsetAt` gives.
 */
export function countByMonth(times: number[], offsetAt?: (ms: number) => number): MonthCount[] {
  const months: MonthCount[] = [];
  for (const time of times) {
    const d = new Date(offsetAt ? time + offsetAt(time) * 1000 : time);
    const year = d.getUTCFullYear();
    const month = d.getUTCMonth() + 1;
    const last = months[months.length - 1];
    if (last && last.year === year && last.month === month) last.count++;
    else months.push({ year, month, count: 1 });
  }
  return months;
}

export type CommentSource = 'form' | 'api' | 'admin' | 'import' | 'webmention' | 'activitypub';

export interface Comment {
  id: number;
  postId: number;
  parentId: number | null;
  /** The top-level comment of this conversation (the comment itself when top-level). */
  rootId: number;
  /** 0 for a top-level comment, 1 for a reply to it, and so on. */
  depth: number;
  personId: number | null;
  /** Set when a signed-in user (the author) wrote it. */
  userId: number | null;
  authorName: string;
  /** Never shown: used to recognise the person and for notifications. */
  authorEmail: string;
  authorUrl: string | null;
  markdown: string;
  html: string;
  status: CommentStatus;
  /** Why it was held or sent to spam, in words for the moderator ("first comment from this person"). */
  moderationReasons: string[];
  /** The spam filter's probability that this is spam, when it was asked. */
  spamScore: number | null;
  source: CommentSource;
  createdAt: number;
  updatedAt: number;
  /** When its author last edited it. */
  editedAt: number | null;
  /** When its status last changed (trash is purged 30 days after this). */
  statusChangedAt: number;
  /** sha256 of the secret the commenter's browser keeps to edit or delete it. */
  editTokenHash: string | null;
  ip: string | null;
  userAgent: string | null;
  /** What the spam filter learned this comment as, after a moderator's decision. */
  learnedAs: 'spam' | 'ham' | null;
}

/** A comment as it was before someone changed its text or its place: its history, kept for staff. */
export interface CommentRevision {
  id: number;
  commentId: number;
  /** The text before the change. */
  markdown: string;
  html: string;
  /** The comment it answered before the change (null: the top level). */
  parentId: number | null;
  /** The user who changed it, or null when its writer did (inside the edit window). */
  editedBy: number | null;
  /** Who changed it, as the history shows it (kept when the account goes). */
  editorName: string;
  createdAt: number;
}

export type CommentRevisionWrite = Omit<CommentRevision, 'id'>;

/** What creating a comment needs; the store derives rootId and depth from the parent. */
export interface CommentWrite {
  postId: number;
  parentId: number | null;
  personId: number | null;
  userId: number | null;
  authorName: string;
  authorEmail: string;
  authorUrl: string | null;
  markdown: string;
  html: string;
  status: CommentStatus;
  createdAt: number;
  moderationReasons?: string[];
  spamScore?: number | null;
  source?: CommentSource;
  editTokenHash?: string | null;
  ip?: string | null;
  userAgent?: string | null;
}

/** Position in a post's list of conversations, oldest first: the top-level comment's time and id. */
export interface ThreadCursor {
  createdAt: number;
  id: number;
}

/**
 * A comment as a thread page shows it: without its Markdown source, what only moderators
 * see of its sender, or its moderation record (reasons, spam score, what the filter
 * learnt, when its status changed). A page reads hundreds, and every column costs.
 */
export type ThreadComment = Omit<Comment, 'markdown' | 'ip' | 'userAgent' | 'editTokenHash' | 'moderationReasons' | 'spamScore' | 'learnedAs' | 'statusChangedAt' | 'updatedAt'>;

export interface ThreadPage {
  /** Approved comments of the page's conversations, oldest first. */
  comments: ThreadComment[];
  /** Where the next page starts, or null on the last page. */
  next: ThreadCursor | null;
}

export interface ModerationQuery {
  status?: CommentStatus;
  postId?: number;
  /** Only comments on this user's posts that are not in the trash (an author's reach). */
  authorId?: number;
  personId?: number;
  /** Case-insensitive substring of the body, the name or the email. */
  text?: string;
  /** Only comments written at or after this time. */
  since?: number;
  /** Keyset paging: only comments after this one in the order (newest first, then highest id). */
  before?: { createdAt: number; id: number };
  /** Skip counting (`total` is then -1): a keyset page needs no total. */
  noTotal?: boolean;
  limit: number;
  offset: number;
}

export interface Person {
  id: number;
  name: string;
  /** Normalised (lower-cased, trimmed); null for people known only by website or account. */
  email: string | null;
  website: string | null;
  createdAt: number;
}

export interface Session {
  /** sha256 of the cookie value, hex. The cookie value itself is never stored. */
  idHash: string;
  userId: number;
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
}

export interface ApiToken {
  id: number;
  userId: number;
  name: string;
  /** First characters of the token, shown so the owner can tell tokens apart. */
  prefix: string;
  tokenHash: string;
  /** What it may do, space-separated (core/api-scopes.ts): e.g. "read write". */
  scopes: string;
  /** When it stops working; null: never. */
  expiresAt: number | null;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface Upload {
  /** sha256 of the bytes, hex: also the public file name. */
  hash: string;
  mime: string;
  size: number;
  originalName: string;
  data: Uint8Array;
  uploaderId: number;
  createdAt: number;
  /** Pixels, read when the image was decoded; null for an upload from before migration 022 until its job has run. */
  width: number | null;
  height: number | null;
  /** What the image shows, for readers who cannot see it ('' when not written yet). Plain text. */
  alt: string;
  /** Shown under the image when it stands alone in a paragraph. Plain text. */
  caption: string;
}

export type UploadInfo = Omit<Upload, 'data'>;

export interface RateLimitResult {
  allowed: boolean;
  /** Milliseconds until the window resets (0 when allowed). */
  retryAfterMs: number;
}

export interface PostRepository {
  create(write: PostWrite, now: number): Promise<Post>;
  /** Replaces every field; a changed slug keeps the old one redirecting. */
  update(id: number, write: PostWrite, now: number): Promise<Post>;
  findById(id: number): Promise<Post | null>;
  /** The posts with these ids that exist (trashed ones too, as findById), in no set order: one look-up for a page that names many. */
  findMany(ids: readonly number[]): Promise<Post[]>;
  /** As findMany, only what a link to each needs (id, slug, title): a page that names posts without showing them. */
  links(ids: readonly number[]): Promise<PostLink[]>;
  /** Current slug of any type; trashed posts are not found. */
  findBySlug(slug: string): Promise<Post | null>;
  /** The post that used to answer at `slug`, if it has since moved. */
  findByOldSlug(slug: string): Promise<Post | null>;
  /** The post an author's new-post editor page created (its `creationKey`), trashed or not. */
  findByCreationKey(authorId: number, key: string): Promise<Post | null>;
  /** True when `slug` is used now or was used by another post (old slugs stay reserved). */
  slugInUse(slug: string, exceptPostId?: number): Promise<boolean>;
  /**
   * `root` when no post uses it (now, or as an old slug), else the first free `root-2`,
   * `root-3`… (gaps are filled). One query, however many copies there are.
   */
  freeSlug(root: string, exceptPostId?: number): Promise<string>;
  listPublished(query: PublishedQuery, now: number): Promise<Page<Post>>;
  listAdmin(query: AdminPostQuery): Promise<Page<Post>>;
  setStatus(id: number, status: PostStatus, publishedAt: number | null, now: number): Promise<Post>;
  trash(id: number, now: number): Promise<void>;
  restore(id: number, now: number): Promise<void>;
  /** Deletes for good (only from the trash), with its comments and old slugs. */
  purge(id: number): Promise<void>;
  /** Publishes every scheduled post whose time has come; returns them. */
  publishDue(now: number): Promise<Post[]>;
  /** Next time a scheduled post is due, or null. */
  nextScheduledAt(): Promise<number | null>;
  search(text: string, limit: number, now: number): Promise<SearchHit[]>;
  archiveMonths(now: number, offsetAt?: (ms: number) => number): Promise<MonthCount[]>;
}

export interface TagRepository {
  listWithCounts(now: number): Promise<TagWithCount[]>;
  findBySlug(slug: string): Promise<Tag | null>;
  rename(id: number, name: string, slug: string): Promise<Tag>;
  /** A tag on no post yet (the API); `slug_taken` when another tag has the address. */
  create(name: string, slug: string): Promise<Tag>;
  delete(id: number): Promise<void>;
}

export interface UserRepository {
  /** Emails are stored lower-cased and trimmed, and matched that way. */
  create(user: Omit<User, 'id'>): Promise<User>;
  findById(id: number): Promise<User | null>;
  findByEmail(email: string): Promise<User | null>;
  findBySlug(slug: string): Promise<User | null>;
  list(): Promise<User[]>;
  count(): Promise<number>;
  update(id: number, patch: Partial<Pick<User, 'email' | 'name' | 'slug' | 'bio' | 'role' | 'passwordHash'>>): Promise<User>;
  /** Removes the user; their posts move to `heirId`. */
  delete(id: number, heirId: number): Promise<void>;
}

/** A member of the staff as the mail about a comment needs them. */
export type StaffContact = Pick<User, 'id' | 'email' | 'role'>;

/** `comments.startByEmail`: what a reader's comment needs read before it is written. */
export interface ReaderCommentStart {
  /** The person the address names, or null for someone new. */
  person: Person | null;
  /** Every user, as `users.list()` orders them. */
  staff: StaffContact[];
  /** An id drawn from the comments' sequence (PostgreSQL), or null where the write draws it. */
  drawnId: number | null;
  /** The rate limits asked for, counted all or none (`rateLimits.hitAllOrNone`), in the order asked; empty when none were. */
  limits: RateLimitResult[];
}

export interface CommentRepository {
  create(write: CommentWrite): Promise<Comment>;
  /**
   * A reader's comment and their person: `people.upsertByEmail`, then `create` with the
   * person's id, in one transaction. `mail`, when given, builds the outbox messages the
   * comment causes from it (its id included), written with it: both or neither.
   */
  createByEmail(person: { name: string; email: string; website: string | null }, write: Omit<CommentWrite, 'personId'>, now: number, mail?: (comment: Comment) => OutboxWrite[], drawnId?: number | null): Promise<Comment>;
  /**
   * What a reader's comment reads before it is judged and written, in one call (one
   * statement on PostgreSQL): the person their address names, the staff its mail may go to,
   * and an id drawn for it where the engine can (`createByEmail`'s `drawnId`, so that a held
   * comment's mail is built before the comment and mail are written together). With
   * `limits`, the comment's rate limits are counted in the same call, all or none, as
   * `rateLimits.hitAllOrNone` counts them (on PostgreSQL in the same statement).
   */
  startByEmail(email: string, limits?: RateLimitCount): Promise<ReaderCommentStart>;
  findById(id: number): Promise<Comment | null>;
  findMany(ids: number[]): Promise<Comment[]>;
  /** Every approved comment of a post, oldest first. */
  listApproved(postId: number): Promise<Comment[]>;
  /** Approved comments per post id. */
  countApproved(postIds: number[]): Promise<Map<number, number>>;
  /**
   * One page of a post's conversations (top-level comments with at least one approved
   * comment in them, oldest first, starting after `after`), with every approved comment
   * in them. Keyset paging: a late page costs what the first does.
   */
  threadPage(postId: number, after: ThreadCursor | null, limit: number): Promise<ThreadPage>;
  /** How many of the post's conversations come before the one holding `commentId`. */
  conversationsBefore(commentId: number): Promise<number>;
  /** The cursor that starts the page beginning at conversation number `offset` (0-based), or null for the first. */
  cursorAt(postId: number, offset: number): Promise<ThreadCursor | null>;
  updateBody(id: number, markdown: string, html: string, now: number): Promise<Comment>;
  /** Moves comments to a status; `reasons` replaces the moderation reasons when given. Returns those that changed. */
  setStatus(ids: number[], status: CommentStatus, reasons: string[] | null, now: number): Promise<Comment[]>;
  /** Records what the spam filter learned the comment as. */
  setLearnedAs(id: number, label: 'spam' | 'ham' | null): Promise<void>;
  /**
   * Moves a comment, with every reply under it, to answer `parentId` (a comment of the same
   * post) or to the top level (null); root and depth of the whole subtree follow. Refuses
   * (validation_failed) a parent that is missing, on another post, the comment itself or
   * one of its replies.
   */
  move(id: number, parentId: number | null, now: number): Promise<Comment>;
  /** Keeps what a comment was before a change (see CommentRevision). */
  addRevision(revision: CommentRevisionWrite): Promise<CommentRevision>;
  /** A comment's history, oldest first. */
  revisions(commentId: number): Promise<CommentRevision[]>;
  listForModeration(query: ModerationQuery): Promise<Page<Comment>>;
  /** Comments per status; with `authorId`, only on that user's posts that are not in the trash. */
  countByStatus(authorId?: number): Promise<Record<CommentStatus, number>>;
  /** Comments with one status (the admin bar's held ones), counted from an index: no count of every comment. */
  countWithStatus(status: CommentStatus, authorId?: number): Promise<number>;
  /** True when the person has at least one approved comment. */
  hasApproved(personId: number): Promise<boolean>;
  /**
   * "Waiting for you": the latest comment of every conversation whose latest approved
   * comment was written by a reader (no user), oldest first. Imported comments wait for no one:
   * a conversation brought in from another blog shows up only when someone writes in it here.
   */
  /** With `authorId`, only conversations on that user's posts outside the trash. */
  waitingForReply(limit: number, authorId?: number): Promise<Page<Comment>>;
  /** Deletes trashed comments whose status changed before `before` and that no kept comment answers. */
  purgeTrash(before: number): Promise<number>;
  /**
   * Deletes for good those of `ids` that are in spam or the trash and that no kept
   * (approved or pending) comment answers, with their history and subscriptions.
   * Returns the ids deleted.
   */
  deleteForever(ids: number[]): Promise<number[]>;
}

export interface EmailAddress {
  /** Normalised (lower-cased, trimmed). */
  email: string;
  confirmToken: string;
  confirmedAt: number | null;
  createdAt: number;
}

export type SubscriptionKind = 'post' | 'replies';

export interface Subscription {
  id: number;
  /** 'post': every new comment on the post; 'replies': replies to one comment. */
  kind: SubscriptionKind;
  email: string;
  postId: number;
  commentId: number | null;
  /** Secret in every email's unsubscribe link. */
  token: string;
  createdAt: number;
  unsubscribedAt: number | null;
}

export interface SubscriptionRepository {
  /** The address record, created unconfirmed with `confirmToken` if new. */
  ensureAddress(email: string, confirmToken: string, now: number): Promise<EmailAddress>;
  findAddress(email: string): Promise<EmailAddress | null>;
  findAddressByToken(confirmToken: string): Promise<EmailAddress | null>;
  confirmAddress(email: string, now: number): Promise<void>;
  /** Creates the subscription, or returns the active one with the same kind, email, post and comment. */
  subscribe(sub: Omit<Subscription, 'id' | 'unsubscribedAt'>): Promise<Subscription>;
  findByToken(token: string): Promise<Subscription | null>;
  unsubscribe(token: string, now: number): Promise<Subscription | null>;
  /** Active subscriptions of confirmed addresses: to a post's new comments, or to replies to a comment. */
  activeForPost(postId: number): Promise<Subscription[]>;
  activeForComment(commentId: number): Promise<Subscription[]>;
  /** Staff's view (the API): newest first, with whether each address is confirmed. */
  list(query: SubscriptionQuery): Promise<Page<SubscriptionRow>>;
  findById(id: number): Promise<Subscription | null>;
  /** Deletes one for good; false when there was none. */
  delete(id: number): Promise<boolean>;
}

/** `active`: not unsubscribed, address confirmed; `unconfirmed`: not unsubscribed, address not confirmed yet. */
export type SubscriptionState = 'active' | 'unconfirmed' | 'unsubscribed';

export interface SubscriptionQuery {
  postId?: number;
  /** Only these addresses (a person's); an empty list finds nothing. */
  emails?: string[];
  state?: SubscriptionState;
  limit: number;
  offset: number;
}

export interface SubscriptionRow extends Subscription {
  confirmed: boolean;
}

export type OutboxStatus = 'pending' | 'sent' | 'failed';

export interface OutboxMessage {
  id: number;
  /** Stable per logical message: enqueuing it again does nothing, and it is the Message-ID. */
  idempotencyKey: string;
  kind: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  sentAt: number | null;
}

export type OutboxWrite = Pick<OutboxMessage, 'idempotencyKey' | 'kind' | 'to' | 'subject' | 'text' | 'html' | 'headers'>;

export interface OutboxRepository {
  /** Records a message to send; a second message with the same key is ignored. */
  enqueue(message: OutboxWrite, now: number): Promise<void>;
  /** Takes up to `limit` due messages and locks them for `lockMs` so no other worker sends them meanwhile. */
  claimDue(now: number, limit: number, lockMs: number): Promise<OutboxMessage[]>;
  /**
   * Marks a message sent. With `redactedBody`, its text and HTML are replaced by that note
   * in the same write (a mail whose link is a credential is not kept once delivered).
   */
  markSent(id: number, now: number, redactedBody?: string): Promise<void>;
  /** Records a failed attempt; `retryAt` null gives up (status failed). */
  markFailed(id: number, error: string, retryAt: number | null, now: number): Promise<void>;
  /** Puts a failed message back in the queue. */
  retry(id: number, now: number): Promise<void>;
  list(query: { status?: OutboxStatus; limit: number; offset: number }): Promise<Page<OutboxMessage>>;
  countByStatus(): Promise<Record<OutboxStatus, number>>;
  /** Mails with one status (the admin bar's waiting ones), counted from an index. */
  countWithStatus(status: OutboxStatus): Promise<number>;
}

export interface SpamModelRepository {
  /** How many spam and legitimate comments the model has learned from. */
  totals(): Promise<{ spam: number; ham: number }>;
  tokenCounts(tokens: string[]): Promise<Map<string, { spam: number; ham: number }>>;
  /** Every token's counts, or null when the model holds more than `limit` tokens. */
  everyToken(limit: number): Promise<Map<string, { spam: number; ham: number }> | null>;
  /** Adds (delta 1) or removes (delta -1) one document's tokens under a label. */
  learn(tokens: string[], label: 'spam' | 'ham', delta: 1 | -1): Promise<void>;
  /** Adds counts gathered elsewhere (many documents at once, e.g. the team's corpus) in bulk. */
  addCounts(documents: { spam: number; ham: number }, tokens: Map<string, { spam: number; ham: number }>): Promise<void>;
}

/** People: finding them (below), what issue 11 added (core/people.ts), export and forget (core/person-rights.ts). */
export interface PersonRepository extends PeopleRepository, PersonRightsRepository {
  /** The person a comment form's address belongs to, or a new one (matching rules: core/people.ts, ARCHITECTURE.md "People"). */
  upsertByEmail(input: { name: string; email: string; website: string | null }, now: number): Promise<Person>;
  findById(id: number): Promise<Person | null>;
  /** A new person with no email, known by an account (a fediverse actor) whose identities the caller adds. */
  createWithoutEmail(input: { name: string; website: string | null }, now: number): Promise<Person>;
  /** By normalised email. */
  findByEmail(email: string): Promise<Person | null>;
}

export interface SessionRepository {
  create(session: Session): Promise<void>;
  find(idHash: string, now: number): Promise<Session | null>;
  delete(idHash: string): Promise<void>;
  deleteForUser(userId: number): Promise<void>;
  deleteExpired(now: number): Promise<number>;
}

export interface ApiTokenRepository {
  create(token: Omit<ApiToken, 'id' | 'lastUsedAt'>): Promise<ApiToken>;
  findByHash(tokenHash: string): Promise<ApiToken | null>;
  listForUser(userId: number): Promise<ApiToken[]>;
  revoke(id: number, userId: number): Promise<boolean>;
  touch(id: number, now: number): Promise<void>;
}

export interface UploadRepository {
  /**
   * Stores the bytes once per hash; saving the same bytes again returns the first record
   * (given alt text fills an empty one, nothing else changes).
   */
  save(upload: Upload): Promise<UploadInfo>;
  find(hash: string): Promise<Upload | null>;
  /** Without the bytes. */
  info(hash: string): Promise<UploadInfo | null>;
  /** Newest first; `q` matches the file name or the alt text (case aside). */
  list(query: UploadQuery): Promise<Page<UploadInfo>>;
  /** Sets alt text and caption; null when there is no such upload. */
  describe(hash: string, text: { alt: string; caption: string }): Promise<UploadInfo | null>;
  /** Deletes the upload and its variants; false when there was none. */
  delete(hash: string): Promise<boolean>;
  /** The posts and pages (trashed ones too) whose Markdown, HTML or cover image name each upload, by hash. */
  usage(hashes: string[]): Promise<Map<string, UploadUse[]>>;
  /** What pages need to lay each image out (size, caption, variant widths), for the uploads that exist. */
  images(hashes: string[]): Promise<Map<string, UploadImage>>;
  /** Records the decoded size and the variants of an upload, replacing earlier variants, and marks it processed. */
  saveVariants(hash: string, size: { width: number; height: number }, variants: UploadVariant[], now: number): Promise<void>;
  findVariant(hash: string, width: number): Promise<UploadVariant | null>;
  /** Uploads whose variants were never made (older ones, restored ones), oldest first. */
  unprocessed(limit: number): Promise<string[]>;
}

export interface UploadQuery {
  q?: string;
  limit: number;
  offset: number;
}

/** A post or page that shows an upload. */
export interface UploadUse {
  postId: number;
  title: string;
  slug: string;
  type: PostType;
  status: PostStatus;
  trashed: boolean;
}

/** A smaller copy of an upload, for srcset (never wider than the original). */
export interface UploadVariant {
  width: number;
  height: number;
  mime: string;
  data: Uint8Array;
}

export interface UploadImage {
  hash: string;
  mime: string;
  width: number | null;
  height: number | null;
  caption: string;
  /** Widths of the variants, smallest first (their type is WebP). */
  variantWidths: number[];
  /** The variants job has run (an image narrower than the smallest width has none). */
  processed: boolean;
}

export interface SettingRepository {
  getAll(): Promise<Record<string, string>>;
  set(values: Record<string, string>): Promise<void>;
  /** Sets the key only if absent; returns the value now stored (first writer wins across instances). */
  setIfAbsent(key: string, value: string): Promise<string>;
  /** Deletes the key if its value is `expected`; true when this call deleted it (one-time tokens). */
  takeIfEquals(key: string, expected: string): Promise<boolean>;
}

export interface RateLimitRepository {
  /** Counts a hit on `key` in a fixed window; denies once `max` hits fall in the window. */
  hit(key: string, windowMs: number, max: number, now: number): Promise<RateLimitResult>;
  /** Several `hit`s at once (distinct keys), in one statement on SQL; the results in the order of `checks`. */
  hitAll(checks: RateLimitCheck[], now: number): Promise<RateLimitResult[]>;
  /**
   * `hitAll`, all or nothing: when any check is refused, none is counted (the results say
   * what counting them would have answered). One round trip on PostgreSQL, no transaction
   * needed around it.
   */
  hitAllOrNone(checks: RateLimitCheck[], now: number): Promise<RateLimitResult[]>;
}

export interface RateLimitCheck {
  key: string;
  windowMs: number;
  max: number;
}

/** Rate limits counted together, all or none, at `now` (a reader's comment's, `CommentRepository.startByEmail`). */
export interface RateLimitCount {
  checks: RateLimitCheck[];
  now: number;
}

/** A single-use link sent by email: a password reset for an account, or an invitation to join the staff. */
export type AccountTokenKind = 'reset' | 'invite';

export interface AccountToken {
  id: number;
  kind: AccountTokenKind;
  /** sha256 of the secret in the link, hex; the secret itself is never stored. */
  tokenHash: string;
  /** Normalised address the link was sent to. */
  email: string;
  /** reset: the account whose password it sets; invite: null. */
  userId: number | null;
  /** invite: the role the new account gets; reset: null. */
  role: Role | null;
  /** Who sent the invitation (null for resets, or once that user is removed). */
  createdBy: number | null;
  createdAt: number;
  expiresAt: number;
  /** When the link was used; a used link never works again. */
  usedAt: number | null;
}

export interface AccountTokenRepository {
  create(token: Omit<AccountToken, 'id' | 'usedAt'>): Promise<AccountToken>;
  findByHash(tokenHash: string): Promise<AccountToken | null>;
  findById(id: number): Promise<AccountToken | null>;
  /** Marks the link used if it is unused and not expired; true only for the one call that did (across instances). */
  use(id: number, now: number): Promise<boolean>;
  /** A new secret and expiry for an unused link (resending an invitation); null when it is used or gone. */
  renew(id: number, tokenHash: string, expiresAt: number): Promise<AccountToken | null>;
  /** Invitations not yet accepted, expired ones included, newest first. */
  pendingInvites(): Promise<AccountToken[]>;
  /** Deletes an unused link; true when there was one. */
  revoke(id: number): Promise<boolean>;
  /** Deletes every unused reset link of an account (its password has just been set). */
  revokeResets(userId: number): Promise<void>;
  /** Deletes links used or expired before `before` (housekeeping); returns how many. */
  deleteSpent(before: number): Promise<number>;
}

/** Failed sign-ins counted under one key (an address, or an address and an account). */
export interface LoginFailures {
  failures: number;
  lastFailureAt: number;
}

export interface LoginFailureRepository {
  get(key: string): Promise<LoginFailures | null>;
  /**
   * Counts one failure at `now` and returns the new count, atomically (parallel attempts
   * each see their own count); a count whose last failure was before `forgetBefore` starts again.
   */
  add(key: string, now: number, forgetBefore: number): Promise<number>;
  /** Takes one failure back (an attempt counted in advance that turned out right). */
  forgive(key: string): Promise<void>;
  clear(key: string): Promise<void>;
  /** Deletes counts whose last failure was before `before` (housekeeping). */
  deleteStale(before: number): Promise<number>;
}

/** What an imported item became locally: a post (or page), a comment or a user. */
export type ImportKind = 'post' | 'comment' | 'user' | 'mention';

/** Remembers imported items and the old addresses of imported posts (see src/migration/). */
export interface ImportRepository {
  /** The local id the item with this external id became, or null when never imported. */
  findKey(source: string, kind: ImportKind, externalId: string): Promise<number | null>;
  /** Records (or re-points) what an imported item became. */
  saveKey(source: string, kind: ImportKind, externalId: string, localId: number): Promise<void>;
  /** Whether anything was ever imported from this source (any key of it). */
  hasKeys(source: string): Promise<boolean>;
  /** Records an old address ('/2019/03/hello', '?p=12'); an address already known moves to this post. */
  saveLegacyPath(path: string, postId: number): Promise<void>;
  /** The post that answered at an old address, if any. */
  findLegacyPath(path: string): Promise<number | null>;
  /** Every old address of a post, sorted. */
  legacyPathsOf(postId: number): Promise<string[]>;
}

/** The whole store. `transaction` gives a store whose writes commit or roll back together. */
export interface Store {
  readonly kind: 'sqlite' | 'postgres' | 'memory';
  posts: PostRepository;
  tags: TagRepository;
  users: UserRepository;
  comments: CommentRepository;
  subscriptions: SubscriptionRepository;
  outbox: OutboxRepository;
  spamModel: SpamModelRepository;
  people: PersonRepository;
  sessions: SessionRepository;
  apiTokens: ApiTokenRepository;
  uploads: UploadRepository;
  settings: SettingRepository;
  rateLimits: RateLimitRepository;
  /** Every record, paged, and written back with its ids: export, import, backup. */
  archive: ArchiveRepository;
  /** The background job queue (webmentions now; ActivityPub later). */
  jobs: JobRepository;
  webmentions: WebmentionRepository;
  imports: ImportRepository;
  /** Password-reset and invitation links (migration 007). */
  accountTokens: AccountTokenRepository;
  /** Failed sign-ins per address and per (address, account), for throttling (migration 007). */
  loginFailures: LoginFailureRepository;
  /** Saved versions of posts (the history) and each author's latest autosave. */
  revisions: RevisionRepository;
  /** The blog actor's fediverse followers (migration 011). */
  followers: FollowerRepository;
  /** Blocked fediverse accounts and domains (migration 013). */
  fediverseBlocks: FediverseBlockRepository;
  /** Where posts came from: comments turned into post ideas (migration 015). */
  postSources: PostSourceRepository;
  /** What the team did that leaves nothing else behind, without personal data (migration 015). */
  audit: AuditRepository;
  /** "Who is this?": websites' cached h-cards, and a person's counts for the card (migration 014). */
  whoIs: WhoIsRepository;
  /** What comments from the fediverse came from, and private mentions (migration 018). */
  fediverseReplies: FediverseReplyRepository;
  /** Fediverse likes, boosts and authorized quotes of posts (migration 019). */
  reactions: ReactionRepository;
  /** Every published change, numbered (migration 020; core/change-feed.ts). */
  changeLog: ChangeLogRepository;
  /** Sites whose pages carry comments, and each page's thread (migration 024; core/embeds.ts). */
  embeds: EmbedRepository;
  transaction<T>(work: (store: Store) => Promise<T>): Promise<T>;
  /** Cheap round trip for /healthz. */
  ping(): Promise<void>;
  /**
   * Writes a few kilobytes and takes them back in one transaction, through the same path
   * as every write: throws the database's own error when it cannot write now (a full or
   * read-only disk). /healthz asks it, so it also sees the disk come back.
   */
  checkWrites(): Promise<void>;
  close(): Promise<void>;
}
