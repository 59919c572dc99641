import { excerpt, oneLine, renderEmail, type EmailBlock } from './email-content.ts';
import { signLink } from './signed-link.ts';
import type { Comment, CommentStatus, OutboxWrite, Post, StaffContact, Store, Subscription, User } from './store.ts';

/**
 * Who is told what, by email, when the conversation moves. Nothing here sends: every
 * message is written to the outbox with the store it is handed, which is the comment's
 * own transaction, so a message exists exactly when the change that caused it committed.
 * The outbox worker (src/jobs/outbox-worker.ts) sends it later, with retries.
 *
 * The comment service calls, inside its transaction and with the transactional store
 * (through src/adapters/comment-notifications.ts):
 * - `commentCreated(event)` for a reader's new comment: tells the post's author and owners;
 * - `commentApproved(event)` whenever a comment becomes approved (at once when written,
 *   the author's own replies, or later by a moderator): tells the subscribers.
 * Each message has an idempotency key, so calling either twice sends nothing twice.
 */
export interface CommentEvent {
  /** The store of the transaction that wrote the comment. */
  store: Store;
  comment: Comment;
  post: Post;
  site: { title: string };
  /** Public base URL without a trailing slash. */
  siteUrl: string;
  /** The site's secret, for signed moderation links. */
  secret: string;
  now: number;
}

/** How an author hears of new approved comments: one email each, or one a day. Held comments are always sent at once. */
export type NotificationMode = 'each' | 'digest';

export const MODERATION_LINK_PURPOSE = 'moderate';
/** Moderation links in emails work this long. */
export const MODERATION_LINK_TTL_MS = 14 * 86_400_000;

export type LinkAction = 'approve' | 'spam' | 'trash';
export const linkActionStatus: Record<LinkAction, CommentStatus> = { approve: 'approved', spam: 'spam', trash: 'trash' };

const normalise = (email: string) => email.trim().toLowerCase();

/**
 * How the keys of the mails below that quote one comment start (to staff: held, new; to
 * subscribers: the new comment). Forgetting the comment's writer drops or redacts them.
 */
export const mailKeyPrefixesAbout = (commentId: number): string[] => [`held:${commentId}:`, `comment:${commentId}:`, `reply:${commentId}:`];

export const notificationModeKey = (userId: number) => `mail.notify.${userId}`;

/** The author's choice as stored in the settings; 'each' unless they chose the digest. */
export function notificationModeOf(settings: Record<string, string>, userId: number): NotificationMode {
  return settings[notificationModeKey(userId)] === 'digest' ? 'digest' : 'each';
}

export async function setNotificationMode(store: Store, userId: number, mode: NotificationMode): Promise<void> {
  await store.settings.set({ [notificationModeKey(userId)]: mode });
}

export const postUrl = (siteUrl: string, post: Pick<Post, 'slug'>) => `${siteUrl}/${post.slug}`;
export const commentUrl = (siteUrl: string, post: Pick<Post, 'slug'>, comment: Pick<Comment, 'id'>) => `${postUrl(siteUrl, post)}#comment-${comment.id}`;
export const unsubscribeUrl = (siteUrl: string, subscription: Pick<Subscription, 'token'>) => `${siteUrl}/unsubscribe/${subscription.token}`;

/** A signed one-click link that opens a confirmation page for `action` on the comment. */
export function moderationUrl(event: Pick<CommentEvent, 'siteUrl' | 'secret' | 'now'>, commentId: number, action: LinkAction): string {
  const token = signLink(event.secret, MODERATION_LINK_PURPOSE, { c: commentId, a: action }, event.now + MODERATION_LINK_TTL_MS);
  return `${event.siteUrl}/moderate/${token}`;
}

/** RFC 8058: a mail client may unsubscribe with one POST to the link, no page visit needed. */
export function unsubscribeHeaders(siteUrl: string, subscription: Pick<Subscription, 'token'>): Record<string, string> {
  return {
    'List-Unsubscribe': `<${unsubscribeUrl(siteUrl, subscription)}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    'Auto-Submitted': 'auto-generated',
  };
}

/** The comment's words as its writer typed them (Markdown source), shortened for an email. */
const commentWords = (comment: Comment, max = 1500) => excerpt(comment.markdown, max);

function writerLine(comment: Comment): string {
  return comment.authorUrl ? `${comment.authorName} (${comment.authorUrl})` : comment.authorName;
}

/** The post's author and the site's owners among `users`, except whoever wrote the comment. */
function staffAmong<U extends StaffContact>(users: U[], post: Post, comment: Comment): U[] {
  const writer = normalise(comment.authorEmail);
  return users.filter((u) => (u.id === post.authorId || u.role === 'owner') && u.id !== comment.userId && normalise(u.email) !== writer);
}

async function staffToTell(store: Store, post: Post, comment: Comment): Promise<User[]> {
  return staffAmong(await store.users.list(), post, comment);
}

/**
 * `commentCreated` for a held comment in two steps: what it reads (the staff), then its mail
 * built from the comment, so that the store can write the comment and its mail together
 * (one statement on PostgreSQL: `comments.createByEmail` with `mail`). The staff are read
 * before the comment's write instead of inside its transaction: given (`staff`, as
 * `comments.startByEmail` read them with the person), or read here.
 */
export async function heldCommentMail(event: Omit<CommentEvent, 'comment'>, staff?: StaffContact[]): Promise<(comment: Comment) => OutboxWrite[]> {
  const users = staff ?? (await event.store.users.list());
  return (comment) => (comment.status === 'pending' ? staffAmong(users, event.post, comment).map((user) => heldCommentEmail({ ...event, comment }, user)) : []);
}

function staffFooter(event: CommentEvent, user: StaffContact, post: Post): EmailBlock[] {
  const why = user.id === post.authorId ? 'You get this because you wrote this post.' : 'You get this because you own this site.';
  return [{ type: 'paragraph', text: why }, { type: 'link', label: 'Choose how you are told about comments', url: `${event.siteUrl}/admin/mail` }];
}

/** An email to the post's author or an owner about a comment, with the staff footer. */
function staffEmail(event: CommentEvent, user: StaffContact, mail: { idempotencyKey: string; kind: string; subject: string; blocks: EmailBlock[] }): OutboxWrite {
  const content = renderEmail({ title: mail.subject, blocks: mail.blocks, signature: event.site.title, footer: staffFooter(event, user, event.post) });
  return { idempotencyKey: mail.idempotencyKey, kind: mail.kind, to: user.email, subject: mail.subject, ...content, headers: { 'Auto-Submitted': 'auto-generated' } };
}

/** To the post's author or an owner: a comment waits for moderation, with one-click links. */
export function heldCommentEmail(event: CommentEvent, user: StaffContact): OutboxWrite {
  const { comment, post } = event;
  const reasons = comment.moderationReasons.length > 0 ? comment.moderationReasons.join('; ') : 'held for review';
  return staffEmail(event, user, {
    idempotencyKey: `held:${comment.id}:${user.id}`,
    kind: 'comment-held',
    subject: oneLine(`Held for moderation: ${comment.authorName} on “${post.title}”`),
    blocks: [
      { type: 'paragraph', text: `A comment by ${writerLine(comment)} on “${post.title}” is waiting for you.\nWhy it was held: ${reasons}.` },
      { type: 'quote', text: commentWords(comment) },
      {
        type: 'actions',
        links: [
          { label: 'Approve', url: moderationUrl(event, comment.id, 'approve') },
          { label: 'Spam', url: moderationUrl(event, comment.id, 'spam') },
          { label: 'Trash', url: moderationUrl(event, comment.id, 'trash') },
        ],
      },
      { type: 'paragraph', text: `Each link asks you to confirm before anything changes. They work for ${MODERATION_LINK_TTL_MS / 86_400_000} days; after that, moderate from the admin.` },
    ],
  });
}

/** To the post's author or an owner: a new comment is live. */
export function newCommentEmail(event: CommentEvent, user: User): OutboxWrite {
  const { comment, post } = event;
  return staffEmail(event, user, {
    idempotencyKey: `comment:${comment.id}:${user.id}`,
    kind: 'comment-new',
    subject: oneLine(`New comment from ${comment.authorName} on “${post.title}”`),
    blocks: [
      { type: 'paragraph', text: `${writerLine(comment)} commented on “${post.title}”:` },
      { type: 'quote', text: commentWords(comment) },
      { type: 'link', label: 'Read and reply', url: commentUrl(event.siteUrl, post, comment) },
      {
        type: 'actions',
        links: [
          { label: 'Mark as spam', url: moderationUrl(event, comment.id, 'spam') },
          { label: 'Move to trash', url: moderationUrl(event, comment.id, 'trash') },
        ],
      },
    ],
  });
}

/** To a subscriber: a reply to their comment, or a new comment on a post they follow. */
export function subscriberEmail(event: CommentEvent, subscription: Subscription, parent: Comment | null): OutboxWrite {
  const { comment, post, site, siteUrl } = event;
  const isReply = subscription.kind === 'replies' && parent !== null;
  const subject = oneLine(isReply ? `${comment.authorName} replied to your comment on “${post.title}”` : `New comment on “${post.title}” from ${comment.authorName}`);
  const blocks: EmailBlock[] = isReply
    ? [
        { type: 'paragraph', text: `${comment.authorName} replied to your comment on “${post.title}”:` },
        { type: 'quote', text: commentWords(comment) },
        { type: 'paragraph', text: 'You wrote:' },
        { type: 'quote', text: excerpt(parent.markdown, 400) },
      ]
    : [
        { type: 'paragraph', text: `${comment.authorName} commented on “${post.title}”:` },
        { type: 'quote', text: commentWords(comment) },
      ];
  blocks.push({ type: 'link', label: 'Read and reply', url: commentUrl(siteUrl, post, comment) });
  const content = renderEmail({
    title: subject,
    blocks,
    signature: site.title,
    footer: [
      {
        type: 'paragraph',
        text: isReply
          ? `You get this because you asked to be emailed about replies to your comment on “${post.title}”.`
          : `You get this because you asked to be emailed about new comments on “${post.title}”.`,
      },
      { type: 'link', label: 'Unsubscribe', url: unsubscribeUrl(siteUrl, subscription) },
    ],
  });
  return {
    // One message per recipient per comment, whichever subscription brought them.
    idempotencyKey: `reply:${comment.id}:${subscription.email}`,
    kind: isReply ? 'reply' : 'post-comment',
    to: subscription.email,
    subject,
    ...content,
    headers: unsubscribeHeaders(siteUrl, subscription),
  };
}

/**
 * A new comment was written: tell the post's author and the owners (a held comment
 * always at once, with moderation links; an approved one at once or in their daily
 * digest, as each chose). Spam and trash tell nobody. Subscribers hear of it through
 * `commentApproved`, which the caller invokes too when the comment is approved at once.
 */
export async function commentCreated(event: CommentEvent): Promise<void> {
  const { store, comment, post, now } = event;
  if (comment.status === 'pending') {
    for (const message of (await heldCommentMail(event))(comment)) await store.outbox.enqueue(message, now);
  } else if (comment.status === 'approved') {
    const settings = await store.settings.getAll();
    for (const user of await staffToTell(store, post, comment)) {
      if (notificationModeOf(settings, user.id) === 'each') await store.outbox.enqueue(newCommentEmail(event, user), now);
    }
  }
}

/**
 * A comment is approved (at once, or by a moderator): tell the confirmed, active
 * subscribers: whoever asked for replies to the comment it answers, then whoever follows
 * the post. Never its own writer, and each address once per comment.
 */
export async function commentApproved(event: CommentEvent): Promise<void> {
  const { store, comment, post, now } = event;
  if (comment.status !== 'approved') return;
  const told = new Set([normalise(comment.authorEmail)]);
  const parent = comment.parentId !== null ? await store.comments.findById(comment.parentId) : null;
  const candidates: Subscription[] = [...(parent ? await store.subscriptions.activeForComment(parent.id) : []), ...(await store.subscriptions.activeForPost(post.id))];
  for (const subscription of candidates) {
    const email = normalise(subscription.email);
    if (told.has(email)) continue;
    told.add(email);
    await store.outbox.enqueue(subscriberEmail(event, subscription, subscription.kind === 'replies' ? parent : null), now);
  }
}

export interface DigestEntry {
  comment: Comment;
  post: Post;
}

/** The day's comments in one email to an author who chose the digest; `day` is YYYY-MM-DD (UTC). */
export function digestEmail(
  input: { user: User; day: string; entries: DigestEntry[]; site: { title: string }; siteUrl: string; secret: string; now: number },
): OutboxWrite {
  const { user, day, entries, site, siteUrl } = input;
  const count = entries.length;
  const subject = oneLine(`${count} ${count === 1 ? 'comment' : 'comments'} on ${site.title} on ${day}`);
  const blocks: EmailBlock[] = [{ type: 'paragraph', text: `What readers wrote on ${day} (UTC):` }];
  const byPost = new Map<number, DigestEntry[]>();
  for (const entry of entries) byPost.set(entry.post.id, [...(byPost.get(entry.post.id) ?? []), entry]);
  for (const group of byPost.values()) {
    const post = group[0].post;
    blocks.push({ type: 'paragraph', text: `On “${post.title}”:` });
    for (const { comment } of group) {
      const held = comment.status === 'pending' ? ' (waiting for moderation)' : '';
      blocks.push({ type: 'paragraph', text: `${comment.authorName}${held}:` });
      blocks.push({ type: 'quote', text: excerpt(comment.markdown, 400) });
      blocks.push({ type: 'link', label: 'Read and reply', url: commentUrl(siteUrl, post, comment) });
    }
  }
  const content = renderEmail({
    title: subject,
    blocks,
    signature: site.title,
    footer: [
      { type: 'paragraph', text: 'You get this daily digest because you chose it instead of one email per comment.' },
      { type: 'link', label: 'Choose how you are told about comments', url: `${siteUrl}/admin/mail` },
    ],
  });
  return { idempotencyKey: `digest:${user.id}:${day}`, kind: 'digest', to: user.email, subject, ...content, headers: { 'Auto-Submitted': 'auto-generated' } };
}

/**
 * Comments written in [from, to) that the user hears about (on their posts; on every post
 * for an owner), approved or waiting, oldest first. Reads the moderation list newest
 * first and stops at the first comment older than the day.
 */
export async function commentsForDigest(store: Store, user: User, from: number, to: number, limit = 500): Promise<DigestEntry[]> {
  const entries: DigestEntry[] = [];
  const posts = new Map<number, Post | null>();
  const pageSize = 200;
  for (let offset = 0; entries.length < limit; offset += pageSize) {
    const page = await store.comments.listForModeration({ limit: pageSize, offset });
    for (const comment of page.items) {
      if (comment.createdAt >= to || comment.createdAt < from) continue;
      if (comment.status !== 'approved' && comment.status !== 'pending') continue;
      if (comment.userId === user.id) continue;
      if (!posts.has(comment.postId)) posts.set(comment.postId, await store.posts.findById(comment.postId));
      const post = posts.get(comment.postId);
      if (post && (post.authorId === user.id || user.role === 'owner')) entries.push({ comment, post });
    }
    const last = page.items[page.items.length - 1];
    if (!last || last.createdAt < from || page.items.length < pageSize) break;
  }
  return entries.slice(0, limit).sort((a, b) => a.comment.createdAt - b.comment.createdAt || a.comment.id - b.comment.id);
}
