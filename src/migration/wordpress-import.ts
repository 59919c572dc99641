import { decodeHTML } from 'entities';
import { sanitizeCommentHtml } from '../core/comment-markdown.ts';
import { sanitizePostHtml } from '../core/markdown.ts';
import { reservedSlugs } from '../core/post-service.ts';
import type { CommentStatus, Post, PostStatus, PostType, PostWrite, Store, Visibility } from '../core/store.ts';
import type { ImportedMention, ReceivedVia } from '../core/webmention-store.ts';
import { automaticExcerpt, EXCERPT_LENGTH, plainText, slugify, truncateWords } from '../core/text.ts';
import { autop } from './import-html.ts';
import { legacyPathsFor } from './import-legacy-urls.ts';
import { count, skip, warn, type ImportReport } from './import-report.ts';
import type { ImportKeys } from './import-keys.ts';
import { PeopleBook, parseUtc, runImport, safeUrl, saveComment, type ImportInput, type ImportOptions } from './import-run.ts';
import { ImportFormatError, childrenNamed, textOf, xmlRecords, type XmlNode } from './import-xml.ts';

/**
 * Imports a WordPress export (WXR 1.0 to 1.2) into the store, streaming: one <item> in
 * memory at a time. Everything happens in one transaction (a malformed file changes
 * nothing); running it again matches items by GUID and comment id and creates no
 * duplicates. See ARCHITECTURE.md ("Import") for how WordPress maps onto Kumbaya.
 */
export async function importWordpress(store: Store, input: ImportInput, options: ImportOptions = {}): Promise<ImportReport> {
  return runImport(store, 'wordpress', options, async (tx, report, keys) => {
    const importer = new WxrImporter(tx, report, keys, options.now ?? Date.now());
    let isWxr = false;
    const progress = ({ bytes }: { bytes: number }) => {
      report.bytes = bytes;
      options.onProgress?.(bytes);
    };
    for await (const { path, node } of xmlRecords(input, 2, progress)) {
      if (path[0] !== 'rss' || path[1] !== 'channel') throw new ImportFormatError(`This is not a WordPress export: <${node.name}> is inside <${path.join('><')}>, not <rss><channel>.`);
      if (node.name === 'wp:wxr_version') isWxr = true;
      await importer.record(node);
    }
    if (!isWxr) throw new ImportFormatError('This is not a WordPress export (WXR): it has no <wp:wxr_version>. Export it from WordPress under Tools → Export.');
    await importer.finish();
  });
}

const STATUS: Record<string, { status: PostStatus; visibility: Visibility; dated: boolean } | undefined> = {
  publish: { status: 'published', visibility: 'public', dated: true },
  future: { status: 'scheduled', visibility: 'public', dated: true },
  draft: { status: 'draft', visibility: 'public', dated: false },
  pending: { status: 'draft', visibility: 'public', dated: false },
  // Private: seen only by its author. A draft stays out of public sight; unlisted keeps it off lists if published later.
  private: { status: 'draft', visibility: 'unlisted', dated: true },
  // Imported, then moved to Kumbaya's trash.
  trash: { status: 'draft', visibility: 'public', dated: false },
};

const COMMENT_STATUS: Record<string, CommentStatus | undefined> = { '1': 'approved', '0': 'pending', spam: 'spam', trash: 'trash', 'post-trashed': 'trash' };

/**
 * A pingback or trackback as a received mention: an approved one is shown ("verified" on
 * its WordPress date); one awaiting moderation or marked as spam is kept but not shown
 * (rejected, with why: the site may send it again, and it is then checked like any other);
 * one in the trash is kept as removed.
 */
const MENTION_STATUS: Record<string, Pick<ImportedMention, 'status' | 'reason'> | undefined> = {
  '1': { status: 'verified', reason: null },
  '0': { status: 'rejected', reason: 'awaiting moderation in WordPress when it was exported' },
  spam: { status: 'rejected', reason: 'marked as spam in WordPress' },
  trash: { status: 'deleted', reason: 'in the trash in WordPress' },
  'post-trashed': { status: 'deleted', reason: 'in the trash in WordPress' },
};

const MENTION_VIA: Record<string, ReceivedVia | undefined> = { pingback: 'pingback', trackback: 'trackback', webmention: 'webmention' };

/** Text of WordPress-stored HTML (which keeps entities such as &laquo; even in names), on one line: blocks apart, inline tags dropped. */
function flatText(htmlText: string): string {
  const text = htmlText.replace(/<\/?(?:p|br|div|li|ul|ol|blockquote|h[1-6]|tr|td|th|pre|hr)\b[^>]*>/gi, ' ').replace(/<[^>]*>/g, '');
  return decodeHTML(text).replace(/\s+/g, ' ').trim();
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

class WxrImporter {
  private readonly tx: Store;
  private readonly report: ImportReport;
  private readonly keys: ImportKeys;
  private readonly now: number;
  private readonly people = new PeopleBook();
  private baseSiteUrl = '';
  /** Author login → user id. */
  private readonly authors = new Map<string, number>();
  /** WordPress author id → user id (a comment written by a user names its author id). */
  private readonly authorIds = new Map<string, number>();
  /** Attachment post id → its URL (for featured images, which may come before their attachment). */
  private readonly attachmentUrls = new Map<string, string>();
  private readonly pendingCovers: Array<{ postId: number; attachmentId: string; title: string }> = [];
  private fallbackAuthor: number | null = null;
  private readonly leftOutTags = new Set<string>();

  constructor(tx: Store, report: ImportReport, keys: ImportKeys, now: number) {
    this.tx = tx;
    this.report = report;
    this.keys = keys;
    this.now = now;
  }

  async record(node: XmlNode): Promise<void> {
    switch (node.name) {
      case 'wp:wxr_version':
        this.report.format = node.text.trim();
        return;
      case 'wp:base_site_url':
        this.baseSiteUrl = node.text.trim().replace(/\/+$/, '');
        return;
      case 'wp:author':
        await this.author({ login: textOf(node, 'wp:author_login'), email: textOf(node, 'wp:author_email'), name: textOf(node, 'wp:author_display_name'), wpId: textOf(node, 'wp:author_id') });
        return;
      case 'item':
        await this.item(node);
        return;
      default:
      // Categories and tags are created as posts use them; menus, terms and settings have no counterpart.
    }
  }

  /** A user for a WordPress author: matched by email, then login; created without a password otherwise. */
  private async author(input: { login: string; email: string; name: string; wpId?: string }): Promise<number> {
    const login = input.login || input.email || 'wordpress';
    const known = this.authors.get(login);
    if (known !== undefined) return known;
    const users = this.tx.users;
    const keyed = await this.keys.find('user', login);
    let user = keyed === null ? null : await users.findById(keyed);
    if (!user && input.email) user = await users.findByEmail(input.email);
    if (!user && slugify(login)) user = await users.findBySlug(slugify(login));
    if (user) {
      count(this.report, 'user', 'unchanged');
    } else {
      const base = slugify(login) || slugify(input.name) || 'author';
      let slug = base;
      for (let n = 2; await users.findBySlug(slug); n++) slug = `${base}-${n}`;
      // Users need an email; an author exported without one gets an address that can never receive mail.
      const email = input.email.trim().toLowerCase() || `${slug}@wordpress-import.invalid`;
      user = await users.create({ email, name: input.name || login, slug, bio: '', role: 'author', passwordHash: null, createdAt: this.now });
      count(this.report, 'user', 'created');
    }
    await this.keys.save('user', login, user.id);
    this.authors.set(login, user.id);
    if (input.wpId) this.authorIds.set(input.wpId, user.id);
    return user.id;
  }

  private async authorOf(login: string): Promise<number> {
    if (login) return this.authors.get(login) ?? this.author({ login, email: '', name: '' });
    if (this.fallbackAuthor === null) {
      const users = await this.tx.users.list();
      this.fallbackAuthor = (users.find((u) => u.role === 'owner') ?? users[0])?.id ?? (await this.author({ login: 'wordpress', email: '', name: 'WordPress' }));
    }
    return this.fallbackAuthor;
  }

  private async item(node: XmlNode): Promise<void> {
    const wpId = textOf(node, 'wp:post_id');
    const type = textOf(node, 'wp:post_type') || 'post';
    const title = textOf(node, 'title');
    const comments = childrenNamed(node, 'wp:comment');
    const withComments = comments.length > 0 ? ` (and its ${comments.length} comment${comments.length === 1 ? '' : 's'})` : '';
    if (type === 'attachment') {
      const url = textOf(node, 'wp:attachment_url') || textOf(node, 'guid');
      this.attachmentUrls.set(wpId, url);
      this.report.attachments.push({ id: wpId, title, url });
      if (comments.length > 0) skip(this.report, { kind: 'comment', id: wpId, label: title, reason: `${comments.length} comment(s) on an attachment page: Kumbaya has no attachment pages` });
      return;
    }
    if (type !== 'post' && type !== 'page') {
      skip(this.report, { kind: 'other', id: wpId, label: title || type, reason: `a WordPress "${type}"${withComments} has no counterpart in Kumbaya` });
      return;
    }
    const wpStatus = textOf(node, 'wp:status');
    const meta = new Map<string, string[]>();
    for (const m of childrenNamed(node, 'wp:postmeta')) meta.set(textOf(m, 'wp:meta_key'), [...(meta.get(textOf(m, 'wp:meta_key')) ?? []), textOf(m, 'wp:meta_value', true)]);
    const metaValue = (key: string) => meta.get(key)?.[0].trim();
    // A trashed post keeps the status it had before (WordPress's _wp_trash_meta_status), else it is a draft in the trash.
    const trashedFrom = wpStatus === 'trash' ? metaValue('_wp_trash_meta_status') : undefined;
    const status = trashedFrom && trashedFrom !== 'trash' && STATUS[trashedFrom] ? trashedFrom : wpStatus;
    // Unlisted is Kumbaya's own (export-wxr.ts): a published unlisted post is "private" in WXR, so WordPress keeps it hidden.
    const unlisted = metaValue('_kumbaya_visibility') === 'unlisted';
    const known = unlisted && status === 'private' ? STATUS.publish : STATUS[status];
    const mapped = known && unlisted ? { ...known, visibility: 'unlisted' as const } : known;
    if (!mapped) {
      const reason = wpStatus === 'auto-draft' ? 'an auto-draft WordPress saved on its own, never written' : `unknown status "${wpStatus}"`;
      skip(this.report, { kind: type, id: wpId, label: title, reason: reason + withComments });
      return;
    }
    // The GUID survives a change of domain; the post id tells apart the items some exports give the same GUID.
    const key = `${textOf(node, 'guid') || this.baseSiteUrl}#${wpId}`;
    const date = parseUtc(textOf(node, 'wp:post_date_gmt')) ?? parseUtc(textOf(node, 'wp:post_date')) ?? (Date.parse(textOf(node, 'pubDate')) || null);
    const html = sanitizePostHtml(autop(textOf(node, 'content:encoded', true)));
    const excerptSource = plainText(sanitizePostHtml(textOf(node, 'excerpt:encoded', true)));
    // Categories and tags both become tags (one per slug); WordPress's default "Uncategorized" is no tag.
    const tagsBySlug = new Map<string, string>();
    for (const category of childrenNamed(node, 'category')) {
      const domain = category.attrs.domain;
      const name = category.text.trim();
      if ((domain !== 'category' && domain !== 'post_tag') || category.attrs.nicename === 'uncategorized' || !name) continue;
      const slug = slugify(name);
      if (slug) tagsBySlug.set(slug, tagsBySlug.get(slug) ?? name);
      else this.untaggable(name);
    }
    const tags = [...tagsBySlug.values()];
    const write: PostWrite = {
      type: type as PostType,
      slug: '',
      title: title || '(no title)',
      // Markdown accepts HTML, so the editor shows the imported HTML and saving it renders the same; a Kumbaya export carries its Markdown.
      markdown: meta.get('_kumbaya_markdown')?.[0] ?? html,
      html,
      excerpt: excerptSource ? truncateWords(excerptSource, EXCERPT_LENGTH) : automaticExcerpt(html),
      status: mapped.status,
      visibility: mapped.visibility,
      publishedAt: mapped.dated ? (date ?? this.now) : null,
      authorId: await this.authorOf(textOf(node, 'dc:creator')),
      coverImage: metaValue('_kumbaya_cover_image') ?? null,
      tags,
      commentsMode: textOf(node, 'wp:comment_status') === 'closed' ? 'closed' : 'inherit',
      commentsCloseDays: null,
      // WordPress keeps the password as typed; so does Kumbaya (export-wxr.ts writes it back).
      password: textOf(node, 'wp:post_password') || null,
    };

    const existingId = await this.keys.find('post', key);
    let post = existingId === null ? null : await this.tx.posts.findById(existingId);
    if (post) {
      write.slug = post.slug;
      write.coverImage = post.coverImage;
      write.commentsCloseDays = post.commentsCloseDays;
      if (samePost(post, write)) {
        count(this.report, type, 'unchanged');
      } else {
        post = await this.tx.posts.update(post.id, write, this.now);
        count(this.report, type, 'updated');
      }
    } else {
      write.slug = await this.freeSlug(slugify(decode(textOf(node, 'wp:post_name'))) || slugify(title) || `${type}-${wpId}`);
      // Created when WordPress says it was (a draft's date is when it was started), renamed through its old slugs now.
      post = await this.withOldSlugs(write, meta.get('_wp_old_slug') ?? [], date ?? this.now);
      await this.keys.save('post', key, post.id);
      count(this.report, type, 'created');
      if (wpStatus === 'trash') await this.tx.posts.trash(post.id, this.now);
    }
    if (write.password) warn(this.report, { kind: type, id: wpId, label: title, reason: 'password protected in WordPress: imported as password protected, with the same password' });
    if (wpStatus === 'private' && !unlisted) warn(this.report, { kind: type, id: wpId, label: title, reason: 'private in WordPress: imported as an unlisted draft' });

    for (const path of oldAddresses(node, meta, { wpId, type: type as PostType })) await this.tx.imports.saveLegacyPath(path, post.id);
    for (const attachmentId of meta.get('_thumbnail_id') ?? []) this.pendingCovers.push({ postId: post.id, attachmentId: attachmentId.trim(), title });
    const target = safeUrl(textOf(node, 'link')) ?? safeUrl(textOf(node, 'guid')) ?? `${this.baseSiteUrl || 'http://wordpress.invalid'}/?p=${wpId}`;
    await this.comments(post, key, target, comments);
  }

  /** Creates the post; its old slugs (`_wp_old_slug`, which WordPress redirects) become Kumbaya's old slugs, which redirect too. */
  private async withOldSlugs(write: PostWrite, oldSlugs: string[], createdAt: number): Promise<Post> {
    const free = async (slug: string) => slug !== '' && slug !== write.slug && !(await this.tx.posts.slugInUse(slug)) && !(await this.tx.posts.findByOldSlug(slug));
    const usable: string[] = [];
    for (const slug of new Set(oldSlugs.map((s) => slugify(decode(s))))) if (await free(slug)) usable.push(slug);
    // Renaming records the slug it leaves as an old slug: create under the first, rename through the rest.
    let post = await this.tx.posts.create({ ...write, slug: usable[0] ?? write.slug }, createdAt);
    for (const slug of [...usable.slice(1), write.slug]) if (post.slug !== slug) post = await this.tx.posts.update(post.id, { ...write, slug }, this.now);
    return post;
  }

  /** Tag addresses are made of Latin letters and digits; a name with none cannot be a tag. Reported once. */
  private untaggable(name: string): void {
    if (this.leftOutTags.has(name)) return;
    this.leftOutTags.add(name);
    warn(this.report, { kind: 'other', id: 'tag', label: name, reason: 'this category or tag has no Latin letters or digits to make its address from, so posts were imported without it' });
  }

  /** The slug if free, else the first free `slug-2`, `slug-3`… (addresses the site itself uses are avoided too). */
  private async freeSlug(base: string): Promise<string> {
    return this.tx.posts.freeSlug(reservedSlugs.has(base) ? `${base}-page` : base);
  }

  /** A post's comments, parents before replies, each reply under its parent; pingbacks and trackbacks as mentions of `target` (the post's WordPress address). */
  private async comments(post: Post, postKey: string, target: string, nodes: XmlNode[]): Promise<void> {
    const byId = new Map(nodes.map((n) => [textOf(n, 'wp:comment_id'), n]));
    const local = new Map<string, number>();
    const visiting = new Set<string>();
    const mentions = new Set<string>();
    const save = async (wpId: string, node: XmlNode): Promise<void> => {
      if (local.has(wpId) || visiting.has(wpId)) return;
      visiting.add(wpId);
      const type = textOf(node, 'wp:comment_type');
      const author = textOf(node, 'wp:comment_author');
      const approved = textOf(node, 'wp:comment_approved');
      const via = MENTION_VIA[type];
      if (via) {
        mentions.add(wpId);
        await this.mention(post, `${postKey}#comment-${wpId}`, target, { wpId, via, node, approved });
        return;
      }
      const kind = type === '' || type === 'comment' || type === 'review' ? 'comment' : null;
      const status = COMMENT_STATUS[approved];
      if (!kind || !status) {
        skip(this.report, { kind: 'comment', id: wpId, label: `${author} on “${post.title}”`, reason: kind ? `unknown status "${approved}"` : `a "${type}" comment has no counterpart in Kumbaya` });
        return;
      }
      const parentWpId = textOf(node, 'wp:comment_parent');
      let parentId: number | null = null;
      if (parentWpId && parentWpId !== '0') {
        const parentNode = byId.get(parentWpId);
        if (parentNode && !visiting.has(parentWpId)) await save(parentWpId, parentNode);
        parentId = local.get(parentWpId) ?? (await this.earlierComment(post.id, `${postKey}#comment-${parentWpId}`));
        if (parentId === null) {
          const missing = mentions.has(parentWpId) ? `answers ${textOf(byId.get(parentWpId)!, 'wp:comment_type')} ${parentWpId}, which is now a mention` : `answers comment ${parentWpId}, which is not in the file`;
          warn(this.report, { kind, id: wpId, label: `${author} on “${post.title}”`, reason: `${missing}: kept as a top-level comment` });
        }
      }
      const id = await saveComment(this.tx, this.report, this.keys, this.people, {
        key: `${postKey}#comment-${wpId}`,
        kind,
        postId: post.id,
        parentId,
        userId: this.authorIds.get(textOf(node, 'wp:comment_user_id')) ?? null,
        authorName: author,
        authorEmail: textOf(node, 'wp:comment_author_email'),
        authorUrl: textOf(node, 'wp:comment_author_url') || null,
        ip: textOf(node, 'wp:comment_author_IP') || null,
        body: textOf(node, 'wp:comment_content', true),
        status,
        createdAt: parseUtc(textOf(node, 'wp:comment_date_gmt')) ?? parseUtc(textOf(node, 'wp:comment_date')) ?? post.publishedAt ?? this.now,
        reasons: ['Imported from WordPress'],
      }, this.now);
      local.set(wpId, id);
    };
    for (const [wpId, node] of byId) await save(wpId, node);
  }

  /**
   * A pingback or trackback (or a webmention a WordPress plugin received) as a received
   * mention: source = the linking page (WordPress keeps it as the author's URL), author =
   * its title or blog name, the excerpt WordPress kept as its text. Matched on re-import by
   * its import key; a second one from the same page to the same post is shown once.
   */
  private async mention(post: Post, key: string, target: string, m: { wpId: string; via: ReceivedVia; node: XmlNode; approved: string }): Promise<void> {
    const label = `${textOf(m.node, 'wp:comment_author') || 'A site'} on “${post.title}”`;
    const state = MENTION_STATUS[m.approved];
    const source = safeUrl(textOf(m.node, 'wp:comment_author_url'));
    if (!state || !source) {
      const reason = state ? `a ${m.via} without the address (http or https) of the page that linked here` : `unknown status "${m.approved}"`;
      skip(this.report, { kind: 'mention', id: m.wpId, label, reason });
      return;
    }
    const keyed = await this.keys.find('mention', key);
    const existing = keyed === null ? null : await this.tx.webmentions.findReceived(keyed);
    const date = parseUtc(textOf(m.node, 'wp:comment_date_gmt')) ?? parseUtc(textOf(m.node, 'wp:comment_date')) ?? post.publishedAt ?? this.now;
    if (existing) {
      if (existing.status === state.status && existing.reason === state.reason) {
        count(this.report, 'mention', 'unchanged');
      } else {
        await this.tx.webmentions.updateReceived(existing.id, { ...state, verifiedAt: state.status === 'verified' ? (existing.verifiedAt ?? date) : existing.verifiedAt }, this.now);
        count(this.report, 'mention', 'updated');
      }
      return;
    }
    const { mention, created } = await this.tx.webmentions.importReceived(
      {
        source,
        target,
        postId: post.id,
        via: m.via,
        ...state,
        type: 'mention',
        authorName: flatText(textOf(m.node, 'wp:comment_author')).slice(0, 200) || new URL(source).host,
        authorUrl: null,
        content: flatText(sanitizeCommentHtml(textOf(m.node, 'wp:comment_content', true))) || null,
        url: source,
        publishedAt: date,
        receivedAt: date,
        verifiedAt: state.status === 'verified' ? date : null,
      },
      this.now,
    );
    if (!created) {
      skip(this.report, { kind: 'mention', id: m.wpId, label, reason: mention.postId === post.id ? `the same page (${source}) already mentions this post: shown once` : `${source} is already recorded as mentioning ${target}` });
      return;
    }
    await this.keys.save('mention', key, mention.id);
    count(this.report, 'mention', 'created');
  }

  /** A parent imported by an earlier run, if it is on the same post. */
  private async earlierComment(postId: number, key: string): Promise<number | null> {
    const id = await this.keys.find('comment', key);
    const comment = id === null ? null : await this.tx.comments.findById(id);
    return comment && comment.postId === postId ? comment.id : null;
  }

  /** Featured images, now that every attachment has been read. */
  async finish(): Promise<void> {
    for (const { postId, attachmentId, title } of this.pendingCovers) {
      const url = this.attachmentUrls.get(attachmentId);
      if (!url) {
        warn(this.report, { kind: 'attachment', id: attachmentId, label: title, reason: 'the featured image is not in the file: imported without a cover image' });
        continue;
      }
      const post = await this.tx.posts.findById(postId);
      if (post && post.coverImage !== url) await this.tx.posts.update(post.id, { ...post, tags: post.tags.map((t) => t.name), coverImage: url }, this.now);
    }
  }
}

/**
 * The old addresses to redirect to the post. A Kumbaya export (it carries `_kumbaya_markdown`)
 * lists them itself in `_kumbaya_legacy_path`, exactly as the site had them: its wp:post_id is
 * Kumbaya's id, and a `?p=` made of it would take the place of the WordPress id the site
 * first came from. Any other file: every address WordPress may have served the item at.
 */
function oldAddresses(node: XmlNode, meta: Map<string, string[]>, item: { wpId: string; type: PostType }): string[] {
  if (meta.has('_kumbaya_markdown')) return (meta.get('_kumbaya_legacy_path') ?? []).map((path) => path.trim()).filter((path) => path.startsWith('/') || path.startsWith('?'));
  return legacyPathsFor({ ...item, name: textOf(node, 'wp:post_name'), link: textOf(node, 'link'), localDate: textOf(node, 'wp:post_date') });
}

function samePost(post: Post, write: PostWrite): boolean {
  return (
    post.title === write.title &&
    post.html === write.html &&
    post.markdown === write.markdown &&
    post.status === write.status &&
    post.visibility === write.visibility &&
    post.publishedAt === write.publishedAt &&
    post.authorId === write.authorId &&
    post.commentsMode === write.commentsMode &&
    post.password === (write.password ?? null) &&
    post.tags.map((t) => t.slug).join('\n') === write.tags.map(slugify).join('\n')
  );
}
