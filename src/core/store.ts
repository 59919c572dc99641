/**
 * The storage port. Everything the core needs from a database is declared here; the
 * SQLite, PostgreSQL and in-memory adapters implement it and one contract suite
 * (src/adapters/storage/store-contract.ts) checks that they agree.
 *
 * Times are milliseconds since the epoch (UTC) everywhere.
 */

export type Role = 'owner' | 'author' | 'moderator';
export type PostType = 'post' | 'page';
export type PostStatus = 'draft' | 'scheduled' | 'published';
export type Visibility = 'public' | 'unlisted';
export type CommentStatus = 'pending' | 'approved' | 'spam' | 'trash';

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
}

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
  /** Substring of the title, case-insensitive. */
  text?: string;
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

export interface Comment {
  id: number;
  postId: number;
  parentId: number | null;
  personId: number | null;
  /** Set when a signed-in user (the author) wrote it. */
  userId: number | null;
  authorName: string;
  authorEmail: string;
  authorUrl: string | null;
  markdown: string;
  html: string;
  status: CommentStatus;
  createdAt: number;
}

export type CommentWrite = Omit<Comment, 'id'>;

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
  /** Current slug of any type; trashed posts are not found. */
  findBySlug(slug: string): Promise<Post | null>;
  /** The post that used to answer at `slug`, if it has since moved. */
  findByOldSlug(slug: string): Promise<Post | null>;
  /** True when `slug` is used now or was used by another post (old slugs stay reserved). */
  slugInUse(slug: string, exceptPostId?: number): Promise<boolean>;
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
  archiveMonths(now: number): Promise<MonthCount[]>;
}

export interface TagRepository {
  listWithCounts(now: number): Promise<TagWithCount[]>;
  findBySlug(slug: string): Promise<Tag | null>;
  rename(id: number, name: string, slug: string): Promise<Tag>;
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

export interface CommentRepository {
  create(write: CommentWrite): Promise<Comment>;
  findById(id: number): Promise<Comment | null>;
  /** Every approved comment of a post, oldest first. */
  listApproved(postId: number): Promise<Comment[]>;
  /** Approved comments per post id. */
  countApproved(postIds: number[]): Promise<Map<number, number>>;
}

export interface PersonRepository {
  /** Finds a person by normalised email or creates one. */
  upsertByEmail(input: { name: string; email: string; website: string | null }, now: number): Promise<Person>;
  findById(id: number): Promise<Person | null>;
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
  /** Stores the bytes once per hash; saving the same bytes again returns the first record. */
  save(upload: Upload): Promise<UploadInfo>;
  find(hash: string): Promise<Upload | null>;
  list(limit: number): Promise<UploadInfo[]>;
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
}

/** The whole store. `transaction` gives a store whose writes commit or roll back together. */
export interface Store {
  readonly kind: 'sqlite' | 'postgres' | 'memory';
  posts: PostRepository;
  tags: TagRepository;
  users: UserRepository;
  comments: CommentRepository;
  people: PersonRepository;
  sessions: SessionRepository;
  apiTokens: ApiTokenRepository;
  uploads: UploadRepository;
  settings: SettingRepository;
  rateLimits: RateLimitRepository;
  transaction<T>(work: (store: Store) => Promise<T>): Promise<T>;
  /** Cheap round trip for /healthz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
