import { z } from 'zod';
import type { Clock } from './clock.ts';
import { DomainError, notFound } from './errors.ts';
import { renderPostMarkdown } from './render-markdown.ts';
import type { PostRevision } from './revisions.ts';
import type { Post, PostType, PostWrite, Store, User, Visibility } from './store.ts';
import { automaticExcerpt, isAutomaticExcerpt, slugify } from './text.ts';
import { seoInputShape, seoValue } from './post-seo.ts';

/** Paths the site itself answers; no post or page may take them. */
export const reservedSlugs = new Set([
  'admin', 'api', 'assets', 'uploads', 'tag', 'tags', 'author', 'authors', 'archive', 'search', 'setup', 'login',
  'logout', 'feed', 'feeds', 'rss', 'atom', 'healthz', 'page', 'comments', 'webmention', 'sitemap', 'robots',
  'well-known', 'inbox', 'outbox', 'users', 'p', 'favicon', 'static', 'embed', 'unsubscribe', 'people',
]);

const slugPattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const postInputSchema = z.object({
  type: z.enum(['post', 'page']).default('post'),
  title: z.string().trim().min(1, 'Give it a title.').max(200, 'Keep the title under 200 characters.'),
  markdown: z.string().max(500_000, 'The text is longer than 500,000 characters.').default(''),
  slug: z
    .string()
    .trim()
    .max(80, 'Keep the address under 80 characters.')
    .refine((s) => s === '' || slugPattern.test(s), 'Use lower-case letters, digits and single hyphens (e.g. my-first-post).')
    .refine((s) => !reservedSlugs.has(s), 'This address is reserved by the site; choose another.')
    .optional(),
  excerpt: z.string().trim().max(600, 'Keep the excerpt under 600 characters.').optional(),
  tags: z.array(z.string().trim().min(1).max(60, 'Keep each tag under 60 characters.')).max(30, 'At most 30 tags.').default([]),
  visibility: z.enum(['public', 'unlisted']).default('public'),
  coverImage: z
    .string()
    .trim()
    .max(2000)
    .refine((s) => s === '' || /^(https?:\/\/|\/uploads\/)/.test(s), 'Use an uploaded image (/uploads/…) or an http(s) address.')
    .optional(),
  /** Backdate or schedule: when the post goes (or went) live. */
  publishedAt: z.number().int().positive().nullable().optional(),
  /** Comments on this post: follow the site's setting, or always open, or closed. */
  commentsMode: z.enum(['inherit', 'open', 'closed'], { message: 'Choose inherit, open or closed for comments.' }).default('inherit'),
  /** Close comments this many days after publishing (empty: the site's setting). */
  commentsCloseDays: z.number().int('Use a whole number of days.').min(1, 'At least 1 day.').max(3650, 'At most 3650 days.').nullable().default(null),
  /** Password protected: '' or null removes the password; left out, it stays as it was. */
  password: z.string().max(255, 'Keep the password under 255 characters.').nullable().optional(),
  ...seoInputShape,
  /** A new post's editor key: saves and autosaves from one editor page make one post. */
  creationKey: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'Not an editor key.').optional(),
});

export type PostInput = z.input<typeof postInputSchema>;

export interface PostServiceDeps {
  store: Store;
  clock: Clock;
  /** Told after every change to published content (clears caches, wakes the scheduler). */
  onContentChanged: (reason: string) => void;
  /** Told of each post's state before and after a change (webmentions to the links it had and has). */
  onPostChanged?: (before: Post, after: Post) => Promise<void>;
}

export type PublishOutcome = { post: Post; state: 'published' | 'scheduled' };

/** What the editor autosaves: the text, not the settings. */
const autosaveSchema = z.object({
  type: z.enum(['post', 'page']).default('post'),
  title: z.string().max(200, 'Keep the title under 200 characters.').default(''),
  markdown: z.string().max(500_000, 'The text is longer than 500,000 characters.').default(''),
  excerpt: z.string().max(600, 'Keep the excerpt under 600 characters.').default(''),
  creationKey: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'Not an editor key.').optional(),
});

/** The excerpt the author wrote ('' when the stored one is the automatic start of the text). */
export function writtenExcerpt(post: Pick<Post, 'excerpt' | 'html'>): string {
  return isAutomaticExcerpt(post.excerpt, post.html) ? '' : post.excerpt;
}

/** The fields of a post as PostService input, for saving it again with some of them changed. */
function inputOf(post: Post): Record<string, unknown> {
  return {
    type: post.type,
    title: post.title,
    markdown: post.markdown,
    slug: post.slug,
    excerpt: writtenExcerpt(post),
    tags: post.tags.map((t) => t.name),
    visibility: post.visibility,
    coverImage: post.coverImage ?? '',
    commentsMode: post.commentsMode,
    commentsCloseDays: post.commentsCloseDays,
  };
}

function validationError(error: z.ZodError): DomainError {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? 'form');
    fields[key] ??= issue.message;
  }
  return new DomainError('validation_failed', Object.values(fields)[0] ?? 'The post is not valid.', fields);
}

/** May `user` change `post`? Owners change everything, authors their own, moderators nothing. */
export function canEditPost(user: User, post: Pick<Post, 'authorId'>): { ok: true } | { ok: false; reason: 'not-yours' | 'role' } {
  if (user.role === 'owner') return { ok: true };
  if (user.role === 'author') return post.authorId === user.id ? { ok: true } : { ok: false, reason: 'not-yours' };
  return { ok: false, reason: 'role' };
}

/**
 * Whose unpublished posts (drafts, scheduled) `user` may see listed: those they may open
 * (`canEditPost`). The owner: everyone's (undefined); an author: their own; a moderator: none.
 */
export function unpublishedVisibleTo(user: User): number | null | undefined {
  return user.role === 'owner' ? undefined : user.role === 'author' ? user.id : null;
}

/** Is `post` on the public site now: published, its time come, not in the trash. Unlisted posts are live too (reachable by link). */
export function isLive(post: Pick<Post, 'status' | 'publishedAt' | 'deletedAt'>, now: number): boolean {
  return post.status === 'published' && post.deletedAt === null && post.publishedAt !== null && post.publishedAt <= now;
}

/**
 * May this visitor read `post`, and so its comments? Anyone while it is live; before that
 * (a draft, a scheduled post) only those who may edit it preview it. Moderators look after
 * conversations, and an unpublished post has none to look after.
 */
export function mayRead(user: User | null, post: Post, now: number): boolean {
  if (isLive(post, now)) return true;
  return post.deletedAt === null && user !== null && canEditPost(user, post).ok;
}

/** Writing, publishing, scheduling and trashing posts and pages. */
export class PostService {
  private readonly deps: PostServiceDeps;

  constructor(deps: PostServiceDeps) {
    this.deps = deps;
  }

  /** The same service writing through `store` (e.g. inside a transaction). */
  withStore(store: Store): PostService {
    return new PostService({ ...this.deps, store });
  }

  parse(input: unknown): z.output<typeof postInputSchema> {
    const parsed = postInputSchema.safeParse(input);
    if (!parsed.success) throw validationError(parsed.error);
    return parsed.data;
  }

  private async uniqueSlug(base: string, exceptId?: number): Promise<string> {
    const root = base || 'untitled';
    // One query, however many posts already share the title.
    return this.deps.store.posts.freeSlug(reservedSlugs.has(root) ? `${root}-post` : root, exceptId);
  }

  private async toWrite(
    input: z.output<typeof postInputSchema>,
    base: { status: Post['status']; publishedAt: number | null; authorId: number; id?: number },
  ): Promise<PostWrite> {
    const html = await renderPostMarkdown(input.markdown);
    const slug = input.slug ? input.slug : await this.uniqueSlug(slugify(input.title), base.id);
    const excerpt = input.excerpt ? input.excerpt : automaticExcerpt(html);
    return {
      type: input.type as PostType,
      slug,
      title: input.title,
      markdown: input.markdown,
      html,
      excerpt,
      status: base.status,
      visibility: input.visibility as Visibility,
      publishedAt: input.publishedAt === undefined ? base.publishedAt : input.publishedAt,
      authorId: base.authorId,
      coverImage: input.coverImage ? input.coverImage : null,
      tags: input.tags,
      commentsMode: input.commentsMode,
      commentsCloseDays: input.commentsCloseDays,
      password: input.password === undefined ? undefined : input.password || null,
      metaDescription: seoValue(input.metaDescription),
      socialImage: seoValue(input.socialImage),
      canonicalUrl: seoValue(input.canonicalUrl),
    };
  }

  private async editable(user: User, id: number): Promise<Post> {
    const post = await this.deps.store.posts.findById(id);
    if (!post) throw notFound('The post');
    const allowed = canEditPost(user, post);
    if (!allowed.ok) {
      throw new DomainError('forbidden', allowed.reason === 'role' ? 'Moderators cannot write posts.' : 'Only the owner can change another author’s post.');
    }
    return post;
  }

  /**
   * Creates a draft (or, with publishedAt in the input, a backdated draft). With a
   * `creationKey` (the new-post editor page's), the post that key already made is saved
   * instead: a double click, Ctrl+S and the button, or an autosave racing the button make
   * one post, not several.
   */
  async create(user: User, input: unknown): Promise<Post> {
    const made = await this.createOnce(user, input);
    return made.existing ? this.update(user, made.existing.id, input) : made.post;
  }

  /** Creates the post, unless its `creationKey` already made one (then that one, untouched). */
  private async createOnce(user: User, input: unknown): Promise<{ post: Post; existing: null } | { post: null; existing: Post }> {
    if (user.role === 'moderator') throw new DomainError('forbidden', 'Moderators cannot write posts.');
    const parsed = this.parse(input);
    const key = parsed.creationKey;
    const madeBefore = key ? await this.deps.store.posts.findByCreationKey(user.id, key) : null;
    if (madeBefore) return { post: null, existing: madeBefore };
    const write = await this.toWrite(parsed, { status: 'draft', publishedAt: parsed.publishedAt ?? null, authorId: user.id });
    if (key) write.creationKey = key;
    const now = this.deps.clock.now();
    try {
      const post = await this.deps.store.transaction(async (store) => {
        const created = await store.posts.create(write, now);
        await store.revisions.add({ postId: created.id, authorId: user.id, title: created.title, markdown: created.markdown, excerpt: parsed.excerpt ?? '', createdAt: now });
        return created;
      });
      return { post, existing: null };
    } catch (error) {
      // Another request with the same key created it meanwhile.
      const made = key && error instanceof DomainError && error.context.creationKey ? await this.deps.store.posts.findByCreationKey(user.id, key) : null;
      if (made) return { post: null, existing: made };
      throw error;
    }
  }

  /** A new draft with the post's content, titled "Copy of …" and given its own address. */
  async duplicate(user: User, id: number): Promise<Post> {
    const original = await this.editable(user, id);
    const title = `Copy of ${original.title}`.slice(0, 200);
    return this.create(user, { ...inputOf(original), title, slug: '' });
  }

  /** Adds tags (by name) to a post, keeping the ones it has; its status stays as it is. */
  async addTags(user: User, id: number, names: string[]): Promise<Post> {
    const post = await this.editable(user, id);
    if (post.deletedAt !== null) throw new DomainError('conflict', 'Restore the post from the trash before editing it.');
    const have = new Set(post.tags.map((t) => t.name.toLowerCase()));
    const more = names.filter((n) => !have.has(n.toLowerCase()));
    if (more.length === 0) return post;
    return this.update(user, id, { ...inputOf(post), tags: [...post.tags.map((t) => t.name), ...more] });
  }

  /** Saves new content; the status stays as it is. */
  async update(user: User, id: number, input: unknown): Promise<Post> {
    const before = await this.editable(user, id);
    if (before.deletedAt !== null) throw new DomainError('conflict', 'Restore the post from the trash before editing it.');
    if (before.type === 'external') {
      throw new DomainError('conflict', 'This is the conversation of a page on another site: its text comes from the page’s address and title, so it is not edited here (Admin → Sites lists it).');
    }
    const parsed = this.parse(input);
    const write = await this.toWrite(parsed, { status: before.status, publishedAt: before.publishedAt, authorId: before.authorId, id });
    if (before.status === 'scheduled' && (write.publishedAt === null || write.publishedAt <= this.deps.clock.now())) {
      write.status = 'published';
      write.publishedAt ??= this.deps.clock.now();
    }
    const now = this.deps.clock.now();
    const post = await this.deps.store.transaction(async (store) => {
      const saved = await store.posts.update(id, write, now);
      await this.recordRevision(store, user, before, { title: saved.title, markdown: saved.markdown, excerpt: parsed.excerpt ?? '' }, now);
      return saved;
    });
    if (before.status !== 'draft' || post.status !== 'draft') this.deps.onContentChanged('post-updated');
    await this.deps.onPostChanged?.(before, post);
    return post;
  }

  /**
   * Records an explicit save in the post's history when its text changed, and drops the
   * saver's autosave (this save supersedes it). A post saved before revisions existed
   * gets its previous version recorded first, so the history starts from what it was.
   */
  private async recordRevision(store: Store, user: User, before: Post, text: { title: string; markdown: string; excerpt: string }, now: number): Promise<void> {
    let latest = await store.revisions.latest(before.id);
    if (!latest) {
      latest = await store.revisions.add({ postId: before.id, authorId: before.authorId, title: before.title, markdown: before.markdown, excerpt: writtenExcerpt(before), createdAt: before.updatedAt });
    }
    if (latest.title !== text.title || latest.markdown !== text.markdown || latest.excerpt !== text.excerpt) {
      await store.revisions.add({ postId: before.id, authorId: user.id, ...text, createdAt: now });
    }
    await store.revisions.deleteAutosave(before.id, user.id);
  }

  /**
   * The editor's autosave: the text as the author has it now, kept as their one autosave
   * of the post (nothing public changes). Without a post yet, the text becomes a new draft
   * (titled "Untitled" until the author names it), so a new post's first words are safe too.
   */
  async autosave(user: User, id: number | null, input: unknown): Promise<{ post: Post; autosave: PostRevision | null }> {
    if (user.role === 'moderator') throw new DomainError('forbidden', 'Moderators cannot write posts.');
    const parsed = autosaveSchema.safeParse(input);
    if (!parsed.success) throw validationError(parsed.error);
    const text = parsed.data;
    const now = this.deps.clock.now();
    if (id === null) {
      const made = await this.createOnce(user, { type: text.type, title: text.title.trim() || 'Untitled', markdown: text.markdown, excerpt: text.excerpt, creationKey: text.creationKey });
      if (made.post) return { post: made.post, autosave: null };
      // The editor's save (or another autosave) made the post already: autosave into it.
      id = made.existing.id;
    }
    const post = await this.editable(user, id);
    if (post.deletedAt !== null) throw new DomainError('conflict', 'Restore the post from the trash before editing it.');
    const autosave = await this.deps.store.revisions.saveAutosave({ postId: id, authorId: user.id, title: text.title, markdown: text.markdown, excerpt: text.excerpt, createdAt: now });
    return { post, autosave };
  }

  /** Forgets the user's autosave of a post (they chose the saved version). */
  async discardAutosave(user: User, id: number): Promise<void> {
    await this.editable(user, id);
    await this.deps.store.revisions.deleteAutosave(id, user.id);
  }

  /**
   * Makes a revision's text the post's text again, as a new save (so it is a new
   * revision, and the versions after it stay in the history). The status is unchanged:
   * a published post shows the restored text; a draft stays a draft.
   */
  async restoreRevision(user: User, id: number, revisionId: number): Promise<Post> {
    const post = await this.editable(user, id);
    const revision = await this.deps.store.revisions.find(revisionId);
    if (!revision || revision.postId !== id || revision.kind !== 'revision') throw notFound('That revision');
    return this.update(user, id, { ...inputOf(post), title: revision.title, markdown: revision.markdown, excerpt: revision.excerpt });
  }

  /**
   * Publishes now, or schedules when `at` lies in the future. A post that was live
   * before keeps its original date unless `at` is given.
   */
  async publish(user: User, id: number, at?: number | null): Promise<PublishOutcome> {
    const before = await this.editable(user, id);
    if (before.deletedAt !== null) throw new DomainError('conflict', 'Restore the post from the trash before publishing it.');
    const now = this.deps.clock.now();
    const when = at ?? (before.publishedAt !== null && before.status !== 'scheduled' ? before.publishedAt : now);
    const state = when > now ? 'scheduled' : 'published';
    const post = await this.deps.store.posts.setStatus(id, state, when, now);
    this.deps.onContentChanged(state === 'scheduled' ? 'post-scheduled' : 'post-published');
    await this.deps.onPostChanged?.(before, post);
    return { post, state };
  }

  async unpublish(user: User, id: number): Promise<Post> {
    const before = await this.editable(user, id);
    const post = await this.deps.store.posts.setStatus(id, 'draft', before.status === 'scheduled' ? null : before.publishedAt, this.deps.clock.now());
    this.deps.onContentChanged('post-unpublished');
    await this.deps.onPostChanged?.(before, post);
    return post;
  }

  async trash(user: User, id: number): Promise<void> {
    const before = await this.editable(user, id);
    await this.deps.store.posts.trash(id, this.deps.clock.now());
    this.deps.onContentChanged('post-trashed');
    await this.deps.onPostChanged?.(before, { ...before, deletedAt: this.deps.clock.now() });
  }

  async restore(user: User, id: number): Promise<void> {
    const before = await this.editable(user, id);
    await this.deps.store.posts.restore(id, this.deps.clock.now());
    this.deps.onContentChanged('post-restored');
    await this.deps.onPostChanged?.(before, { ...before, deletedAt: null });
  }

  async purge(user: User, id: number): Promise<void> {
    await this.editable(user, id);
    await this.deps.store.posts.purge(id);
    this.deps.onContentChanged('post-purged');
  }

  /** Called by the scheduler: publishes every post whose time has come. */
  async publishDue(): Promise<Post[]> {
    const posts = await this.deps.store.posts.publishDue(this.deps.clock.now());
    if (posts.length > 0) this.deps.onContentChanged('scheduled-posts-published');
    for (const post of posts) await this.deps.onPostChanged?.({ ...post, status: 'scheduled' }, post);
    return posts;
  }
}
