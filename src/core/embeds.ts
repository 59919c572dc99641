import { DomainError, notFound } from './errors.ts';
import { escapeHtml } from './email-content.ts';
import { escapeMarkdownText } from './post-ideas.ts';
import type { Clock } from './clock.ts';
import type { CommentsMode, Post, PostWrite, Store, User } from './store.ts';
import { slugify } from './text.ts';

/**
 * Comments on any site (issue 13, point 2). An owner registers the sites (their origins)
 * whose pages may carry `<kumbaya-comments>`; each page becomes a thread: a post of type
 * `external`, published and unlisted, which the blog never lists but serves at its own
 * address (for readers without JavaScript, and as the permalink in mails and feeds). Its
 * comments go through the same CommentService as the blog's, so moderation, notifications,
 * People, feeds and "waiting for you" are the same.
 */

export interface EmbedSite {
  id: number;
  /** `scheme://host[:port]`, lower-cased, no default port, no path. */
  origin: string;
  createdBy: number | null;
  createdAt: number;
}

export interface EmbedThread {
  postId: number;
  /** The page's normalised address (normalisePageUrl). */
  pageUrl: string;
  origin: string;
  createdAt: number;
}

export interface EmbedSiteWithCount extends EmbedSite {
  /** Threads (pages) of this origin. */
  threads: number;
}

/** The store's `embeds` (migration 024). */
export interface EmbedRepository {
  listSites(): Promise<EmbedSiteWithCount[]>;
  findSite(origin: string): Promise<EmbedSite | null>;
  /** Adds the site; null when the origin is registered already. */
  addSite(origin: string, createdBy: number | null, at: number): Promise<EmbedSite | null>;
  /** Removes the site (its threads stay); false when there was none. */
  removeSite(id: number): Promise<boolean>;
  findThread(pageUrl: string): Promise<EmbedThread | null>;
  threadOfPost(postId: number): Promise<EmbedThread | null>;
  createThread(thread: EmbedThread): Promise<EmbedThread>;
  /** The newest threads of one origin, for the admin page. */
  threadsOf(origin: string, limit: number): Promise<EmbedThread[]>;
}

const ORIGIN_MAX = 200;
export const PAGE_URL_MAX = 2000;
export const PAGE_TITLE_MAX = 200;
/** New threads one address may open per hour (a thread is a post row: bound what a script can make). */
export const NEW_THREADS_PER_HOUR = 60;
/** Title changes a thread takes from its page per day, and one address may cause per hour. */
export const TITLE_CHANGES_PER_DAY = 10;
export const TITLE_CHANGES_PER_HOUR_PER_ADDRESS = 30;

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * A site's origin from what an owner typed: `https://example.com`, `example.com` (https
 * assumed), `http://localhost:1313`. Scheme and host lower-cased, default ports dropped; a
 * path, query or fragment is refused rather than silently dropped, so the owner sees what
 * is registered.
 */
export function normaliseOrigin(input: string): Checked<string> {
  const text = input.trim();
  if (text === '') return { ok: false, message: 'Enter the site’s address, e.g. https://example.com.' };
  if (text.length > ORIGIN_MAX) return { ok: false, message: `Keep the address under ${ORIGIN_MAX} characters.` };
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { ok: false, message: 'This is not a web address: write it as https://example.com.' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, message: 'Only http:// and https:// sites can carry comments.' };
  if (url.username || url.password) return { ok: false, message: 'Leave out the user name and password: write the address as https://example.com.' };
  if (!url.hostname || !/^[a-z0-9.[\]:-]+$/.test(url.hostname) || url.hostname.startsWith('.') || url.hostname.endsWith('.')) {
    return { ok: false, message: 'This address has no valid host name.' };
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || /\/\/[^/]+\/./.test(withScheme)) {
    return { ok: false, message: `Give the site only, without a path: ${url.origin}.` };
  }
  return { ok: true, value: url.origin };
}

const trackingParameter = /^(?:utm_[a-z_]+|fbclid|gclid|mc_cid|mc_eid|ref)$/i;

/**
 * A page's address as a thread key: http(s) only, no fragment, no tracking parameters
 * (utm_…, fbclid…), the remaining query sorted, scheme and host lower-cased by URL.
 */
export function normalisePageUrl(input: string): Checked<URL> {
  const text = input.trim();
  if (text === '') return { ok: false, message: 'Give the page’s address.' };
  if (text.length > PAGE_URL_MAX) return { ok: false, message: `The page’s address is longer than ${PAGE_URL_MAX} characters.` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, message: 'The page’s address is not a full web address (https://…).' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, message: 'The page’s address must start with http:// or https://.' };
  if (url.username || url.password) return { ok: false, message: 'The page’s address must not carry a user name or password.' };
  url.hash = '';
  const kept = [...url.searchParams].filter(([name]) => !trackingParameter.test(name)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  url.search = kept.length > 0 ? `?${new URLSearchParams(kept).toString()}` : '';
  return { ok: true, value: url };
}

/** A page title as given (or the address's path when none): one line, trimmed, at most 200 characters. */
export function pageTitle(title: string | null | undefined, url: URL): string {
  const line = (title ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  const chosen = line || `${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  return chosen.length > PAGE_TITLE_MAX ? `${chosen.slice(0, PAGE_TITLE_MAX - 1)}…` : chosen;
}

/** A thread's text: a line linking back to the page, named by its title. */
export function threadText(name: string, key: string): Pick<Post, 'markdown' | 'html' | 'excerpt'> {
  const url = new URL(key);
  const link = `${url.host}${url.pathname}`;
  return {
    markdown: `Comments on [${escapeMarkdownText(name)}](<${key.replace(/[<>]/g, encodeURIComponent)}>) (${escapeMarkdownText(link)}).`,
    html: `<p>Comments on <a href="${escapeHtml(key)}">${escapeHtml(name)}</a> (${escapeHtml(link)}).</p>`,
    excerpt: `Comments on ${name}`,
  };
}

/** Everything a post keeps when only its title and text change. */
function writeOf(post: Post): PostWrite {
  return {
    type: post.type,
    slug: post.slug,
    title: post.title,
    markdown: post.markdown,
    html: post.html,
    excerpt: post.excerpt,
    status: post.status,
    visibility: post.visibility,
    publishedAt: post.publishedAt,
    authorId: post.authorId,
    coverImage: post.coverImage,
    tags: post.tags.map((t) => t.name),
    commentsMode: post.commentsMode,
    commentsCloseDays: post.commentsCloseDays,
  };
}

export interface EmbedServiceDeps {
  store: Store;
  clock: Clock;
  /** Told after a site or a thread is added or removed (clears caches on every instance). */
  onChanged: (reason: string) => void;
}

/** Sites and threads: the owner's list, and a page's thread found or made. */
export class EmbedService {
  private readonly deps: EmbedServiceDeps;

  constructor(deps: EmbedServiceDeps) {
    this.deps = deps;
  }

  async addSite(user: User, input: string): Promise<EmbedSite> {
    if (user.role !== 'owner') throw new DomainError('forbidden', 'Only the owner can add sites.');
    const origin = normaliseOrigin(input);
    if (!origin.ok) throw new DomainError('validation_failed', origin.message, { origin: origin.message });
    const site = await this.deps.store.embeds.addSite(origin.value, user.id, this.deps.clock.now());
    if (!site) {
      const message = `${origin.value} is on the list already.`;
      throw new DomainError('conflict', message, { origin: message });
    }
    this.deps.onChanged('embed-sites-changed');
    return site;
  }

  async removeSite(user: User, id: number): Promise<void> {
    if (user.role !== 'owner') throw new DomainError('forbidden', 'Only the owner can remove sites.');
    if (!(await this.deps.store.embeds.removeSite(id))) throw notFound('The site');
    this.deps.onChanged('embed-sites-changed');
  }

  /**
   * The registered site a page belongs to, and its normalised address; a page of a site
   * not on the list is refused (403), saying so.
   */
  async pageOf(pageUrl: string): Promise<{ url: URL; site: EmbedSite }> {
    const url = normalisePageUrl(pageUrl);
    if (!url.ok) throw new DomainError('validation_failed', url.message, { url: url.message });
    const site = await this.deps.store.embeds.findSite(url.value.origin);
    if (!site) throw new DomainError('forbidden', `${url.value.origin} is not among the sites this blog takes comments for: its owner adds it in Admin → Sites.`);
    return { url: url.value, site };
  }

  /**
   * The thread of a page (its post), made on first use: a post of type `external`,
   * published now and unlisted, written by whoever added the site (else the first owner),
   * whose body links back to the page. New threads count against `ip`'s hourly limit.
   */
  async threadFor(pageUrl: string, title: string | null | undefined, ip: string): Promise<{ thread: EmbedThread; post: Post; created: boolean }> {
    const { store, clock } = this.deps;
    const { url, site } = await this.pageOf(pageUrl);
    const key = url.toString();
    const found = await this.existing(key);
    if (found) return { ...found, created: false };
    const now = clock.now();
    const limit = await store.rateLimits.hit(`embed-thread:${ip}`, 3_600_000, NEW_THREADS_PER_HOUR, now);
    if (!limit.allowed) {
      const retryAfterSeconds = Math.max(1, Math.ceil(limit.retryAfterMs / 1000));
      throw new DomainError('rate_limited', `Too many new pages from this address: try again in ${Math.ceil(retryAfterSeconds / 60)} minutes.`, {}, { retryAfterSeconds });
    }
    const name = pageTitle(title, url);
    try {
      const made = await store.transaction(async (tx) => {
        const authorId = site.createdBy ?? (await tx.users.list()).find((u) => u.role === 'owner')?.id;
        if (authorId === undefined) throw new DomainError('conflict', 'This blog has no owner yet to look after the conversation.');
        const slug = await tx.posts.freeSlug(`comments-${slugify(name) || slugify(url.host) || 'page'}`.slice(0, 80));
        const post = await tx.posts.create(
          {
            type: 'external',
            slug,
            title: name,
            ...threadText(name, key),
            status: 'published',
            visibility: 'unlisted',
            publishedAt: now,
            authorId,
            coverImage: null,
            tags: [],
            commentsMode: 'inherit',
            commentsCloseDays: null,
            password: null,
          },
          now,
        );
        const thread = await tx.embeds.createThread({ postId: post.id, pageUrl: key, origin: site.origin, createdAt: now });
        return { thread, post };
      });
      this.deps.onChanged(`embed-thread-created:${made.post.id}`);
      return { ...made, created: true };
    } catch (error) {
      // Two readers opened the page at once: the other made it.
      const again = await this.existing(key);
      if (again) return { ...again, created: false };
      throw error;
    }
  }

  /**
   * The page's title changed (a browser on the thread's own site sent another one): the
   * thread takes it, its address (slug) stays. At most TITLE_CHANGES_PER_DAY per thread and
   * TITLE_CHANGES_PER_HOUR_PER_ADDRESS per client address; past either the title is left as
   * it is (the reader's page works the same). Each change is a revision in the post's
   * history (Admin → Sites → the thread → History), the version before it too when the
   * history was empty, attributed to the thread's keeper (its post's author).
   */
  async retitle(post: Post, thread: EmbedThread, title: string | null | undefined, ip: string): Promise<Post> {
    const { store, clock } = this.deps;
    if (!title || title.trim() === '') return post;
    const name = pageTitle(title, new URL(thread.pageUrl));
    if (name === post.title) return post;
    const now = clock.now();
    if (!(await store.rateLimits.hit(`embed-title:${post.id}`, 86_400_000, TITLE_CHANGES_PER_DAY, now)).allowed) return post;
    if (!(await store.rateLimits.hit(`embed-title-ip:${ip}`, 3_600_000, TITLE_CHANGES_PER_HOUR_PER_ADDRESS, now)).allowed) return post;
    const saved = await this.save(post, { title: name, ...threadText(name, thread.pageUrl) }, post.authorId, now);
    this.deps.onChanged(`embed-thread-retitled:${post.id}`);
    return saved;
  }

  /**
   * Staff change a thread from Admin → Sites: its title (the page may change it again when
   * its own title changes) and whether it takes comments. The owner only, as for sites;
   * a revision in its history when the title changes.
   */
  async updateThread(user: User, post: Post, input: { title: string; commentsMode: CommentsMode }): Promise<Post> {
    if (user.role !== 'owner') throw new DomainError('forbidden', 'Only the owner changes the conversations of other sites.');
    const thread = await this.deps.store.embeds.threadOfPost(post.id);
    if (!thread || post.type !== 'external') throw notFound('The thread');
    if (post.deletedAt !== null) throw new DomainError('conflict', 'Restore the conversation from the trash before changing it.');
    const line = input.title.replace(/\s+/g, ' ').trim();
    if (line === '') throw new DomainError('validation_failed', 'Give the conversation a title.', { title: 'Give the conversation a title.' });
    if (line.length > PAGE_TITLE_MAX) {
      const message = `Keep the title under ${PAGE_TITLE_MAX} characters.`;
      throw new DomainError('validation_failed', message, { title: message });
    }
    const now = this.deps.clock.now();
    const saved = await this.save(post, { title: line, ...threadText(line, thread.pageUrl), commentsMode: input.commentsMode }, user.id, now);
    this.deps.onChanged(`embed-thread-updated:${post.id}`);
    return saved;
  }

  private async save(post: Post, change: Partial<PostWrite>, by: number, now: number): Promise<Post> {
    return this.deps.store.transaction(async (tx) => {
      const titleChanged = change.title !== undefined && change.title !== post.title;
      if (titleChanged && !(await tx.revisions.latest(post.id))) {
        await tx.revisions.add({ postId: post.id, authorId: post.authorId, title: post.title, markdown: post.markdown, excerpt: post.excerpt, createdAt: post.updatedAt });
      }
      const saved = await tx.posts.update(post.id, { ...writeOf(post), ...change }, now);
      if (titleChanged) await tx.revisions.add({ postId: post.id, authorId: by, title: saved.title, markdown: saved.markdown, excerpt: saved.excerpt, createdAt: now });
      return saved;
    });
  }

  private async existing(key: string): Promise<{ thread: EmbedThread; post: Post } | null> {
    const thread = await this.deps.store.embeds.findThread(key);
    if (!thread) return null;
    const post = await this.deps.store.posts.findById(thread.postId);
    return post ? { thread, post } : null;
  }
}
