import { addressGroup } from './address-group.ts';
import { normaliseUrl, trustInForce } from './people.ts';
import { z } from 'zod';
import type { Clock } from './clock.ts';
import { renderCommentMarkdown } from './render-markdown.ts';
import { closedWords, commentsOpen, type CommentSettings } from './comment-settings.ts';
import { DomainError, notFound } from './errors.ts';
import { MAX_ID } from './ids.ts';
import { decideModeration, type SpamEvidence } from './moderation-policy.ts';
import { canModerate } from './moderation-access.ts';
import { linkPerson } from './following.ts';
import type { RemoteAuthor } from './fediverse-reply-store.ts';
import type { Comment, CommentRevision, CommentStatus, CommentWrite, OutboxWrite, Post, RateLimitCheck, RateLimitResult, StaffContact, Store, User } from './store.ts';
import type { SpamDocument, SpamLesson } from './spam-filter.ts';
import { randomToken, safeEqual, sha256Hex } from './tokens.ts';

/** The rate-limit counter of one commenter's address (forgetting a person removes theirs: core/person-rights.ts). */
export const emailRateLimitKey = (email: string): string => `comment:email:${email}`;

/** What a reader (or the author) sends to comment. */
export const commentInputSchema = z.object({
  postId: z.coerce.number().int().positive().max(MAX_ID),
  parentId: z.coerce.number().int().positive().max(MAX_ID).nullable().default(null),
  name: z.string().trim().max(80, 'Keep your name under 80 characters.').default(''),
  email: z.string().trim().toLowerCase().max(254, 'That email address is too long.').default(''),
  website: z
    .string()
    .trim()
    .max(300, 'Keep the website address under 300 characters.')
    .refine((v) => v === '' || /^https?:\/\/[^\s/$.?#][^\s]*$/i.test(v), 'Give the full address of your website, starting with https://.')
    .default(''),
  body: z.string().trim().min(1, 'Write something first.').max(10_000, 'Keep a comment under 10,000 characters.'),
  /** The honeypot: a field people never see or fill in. */
  honeypot: z.string().default(''),
  formToken: z.string().max(200).default(''),
  subscribeReplies: z.boolean().default(false),
  subscribePost: z.boolean().default(false),
});

export type CommentInput = z.input<typeof commentInputSchema>;

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Where a comment came from, for rate limits and the Akismet check. */
export interface SubmitContext {
  ip: string;
  userAgent: string;
  referrer: string;
  /** The signed-in user replying (the author, a moderator), or null for a reader. */
  user: User | null;
  /** Where a reader's comment came in: the form (the default) or the JSON API. */
  source?: 'form' | 'api';
}

/** The layered spam defence, as the service sees it. */
export interface SpamDefence {
  /** A signed token recording when the comment form was served, for `postId`. */
  issueFormToken(postId: number, now: number): string;
  verifyFormToken(token: string, postId: number, now: number, minSeconds: number): SpamEvidence['formToken'];
  countLinks(markdown: string): number;
  findDisallowedWords(fields: string[], words: string[]): string[];
  /** The filter's spam probability, or null while it has not learned enough. */
  filterScore(doc: SpamDocument): Promise<number | null>;
  akismet(input: { comment: CommentInput; ctx: SubmitContext; permalink: string }): Promise<SpamEvidence['akismet']>;
  /**
   * A moderator decided: the filter learns it (and forgets `previous` when reversed), in
   * `store`'s transaction. Returns what changed, for `learned` once that has committed.
   */
  learn(store: Store, doc: SpamDocument, label: 'spam' | 'ham', previous: 'spam' | 'ham' | null): Promise<SpamLesson[]>;
  /** The transaction that learned these has committed: the filter in memory takes them too. */
  learned(lessons: SpamLesson[]): void;
  /** Tells the Akismet-compatible service about a moderator's decision, when configured. */
  report(comment: Comment, label: 'spam' | 'ham'): Promise<void>;
}

/** Mail caused by comments; called inside the comment's transaction with that transaction's store. */
export interface CommentNotifications {
  commentCreated(store: Store, comment: Comment, post: Post, now: number): Promise<void>;
  commentApproved(store: Store, comment: Comment, post: Post, now: number): Promise<void>;
  /**
   * `commentCreated` of a held comment split in two, for a store that writes the comment and
   * its mail at once: reads what the mail needs, then builds it from the comment.
   */
  heldMail?(store: Store, post: Post, now: number, staff?: StaffContact[]): Promise<(comment: Comment) => OutboxWrite[]>;
  /** Subscribes an address; `confirmationSent` when this asked the address to confirm itself (by mail). */
  subscribe(store: Store, request: { email: string; kind: 'post' | 'replies'; postId: number; commentId: number | null }, now: number): Promise<{ confirmationSent: boolean }>;
}

/** How many comments one moderation request may change (a page of the inbox is far fewer). */
export const MAX_MODERATED_AT_ONCE = 500;

/** Refuses more ids than one decision may take, before anything looks them up (SQLite takes ~32,000 values per query). */
export function checkModerationBatch(ids: readonly number[]): void {
  if (ids.length > MAX_MODERATED_AT_ONCE) {
    throw new DomainError('payload_too_large', `Choose at most ${MAX_MODERATED_AT_ONCE} comments at a time; this request named ${ids.length}.`, { ids: 'Too many.' });
  }
}

export interface CommentServiceDeps {
  store: Store;
  clock: Clock;
  settings: () => Promise<CommentSettings>;
  spam: SpamDefence;
  notifications: CommentNotifications;
  /** Publishes a change: caches clear, and readers watching the post hear of approved comments. */
  publish: (topic: string) => void;
  /**
   * Told after a comment has committed from someone with a website and no approved comment
   * yet (not spam): the composition root queues the look-up of their website ("who is
   * this?", core/who-is.ts). It only queues a job; nothing is fetched while the reader waits.
   */
  newcomer?: (personId: number) => Promise<void>;
  /**
   * Staff answered a comment, and the answer has committed: the fediverse delivers it when
   * the comment came from there. Called without waiting; it must not throw.
   */
  onStaffReply?: (reply: Comment, parent: Comment, post: Post) => void;
}

/** A public or unlisted Note answering a post here (or a comment on it), ready to be a comment. */
export interface FediverseReplyInput {
  post: Post;
  /** The comment it answers; null for a reply to the post itself. */
  parent: Comment | null;
  author: RemoteAuthor;
  noteId: string;
  /** The original's page, for "via" and the link to it. */
  url: string | null;
  /** The Note's HTML, already sanitised like a comment's. */
  html: string;
  /** The same words as text (Markdown links), for the filter, edits and emails. */
  text: string;
}

export interface SubmitResult {
  comment: Comment;
  /** The secret that lets this browser edit or delete the comment for a while (readers only). */
  editSecret: string | null;
  /** The address a confirmation email was just sent to (a subscription from an unconfirmed address), else null. */
  confirmationSentTo: string | null;
}

export type ModerationAction = 'approve' | 'unapprove' | 'spam' | 'trash' | 'restore';

const targetStatus: Record<ModerationAction, CommentStatus> = {
  approve: 'approved',
  unapprove: 'pending',
  spam: 'spam',
  trash: 'trash',
  restore: 'approved',
};

/** Topic published when a comment becomes visible: readers on the post page are told live. */
export const approvedTopic = (postId: number, commentId: number) => `comment-approved:${postId}:${commentId}`;

const LIMITS = { perIpMinute: 6, perIpHour: 40, perEmailMinute: 4 };

/** The fields of the form, in the order a reader meets them (the first problem is named first). */
const formOrder = ['name', 'email', 'website', 'body'];

/**
 * One error for everything wrong with a submission, so a reader fixes it all in one go:
 * `readerProblems` (name and email, which staff do not send) join the schema's issues.
 */
function validation(error: z.ZodError | null, readerProblems: Record<string, string> = {}): DomainError {
  const found: Record<string, string> = { ...readerProblems };
  for (const issue of error?.issues ?? []) found[String(issue.path[0] ?? 'form')] ??= issue.message;
  const fields = Object.fromEntries(Object.entries(found).sort(([a], [b]) => (formOrder.indexOf(a) + 1 || 99) - (formOrder.indexOf(b) + 1 || 99)));
  const messages = Object.values(fields);
  const message = messages.length > 1 ? `Please fix the ${messages.length} marked fields: ${messages.join(' ')}` : (messages[0] ?? 'Check the comment form.');
  return new DomainError('validation_failed', message, fields);
}

/** What is wrong with a reader's name and email: missing, or an address that cannot be one. */
function readerProblems(name: unknown, email: unknown): Record<string, string> {
  const problems: Record<string, string> = {};
  const trimmedEmail = typeof email === 'string' ? email.trim() : '';
  if (typeof name !== 'string' || name.trim() === '') problems.name = 'Tell us your name.';
  if (trimmedEmail === '') problems.email = 'Enter your email address (it is never shown).';
  else if (!emailPattern.test(trimmedEmail)) problems.email = `“${trimmedEmail.slice(0, 80)}” is not a valid email address: it should look like name@example.com.`;
  return problems;
}

/**
 * The conversation: readers' comments through the spam defence and the moderation
 * policy, the author's replies, commenters' own edits, and moderators' decisions. Every
 * comment is stored, whatever happens to it: spam and trash can always be restored.
 */
export class CommentService {
  private readonly deps: CommentServiceDeps;

  constructor(deps: CommentServiceDeps) {
    this.deps = deps;
  }

  private async livePost(postId: number): Promise<Post> {
    const post = await this.deps.store.posts.findById(postId);
    if (!post || post.deletedAt !== null) throw notFound('The post');
    return post;
  }

  /** A reader's comment's three rate limits, counted all or none: a refused comment counts against none of them. */
  private rateLimits(ip: string, email: string): RateLimitCheck[] {
    return [
      { key: `comment:ip:${addressGroup(ip)}`, windowMs: 60_000, max: LIMITS.perIpMinute },
      { key: `comment:ip-hour:${addressGroup(ip)}`, windowMs: 3_600_000, max: LIMITS.perIpHour },
      { key: emailRateLimitKey(email), windowMs: 60_000, max: LIMITS.perEmailMinute },
    ];
  }

  /** Refuses a comment over any of its rate limits (as `rateLimits` counted them), saying how long to wait. */
  private enforceRateLimits(results: RateLimitResult[]): void {
    for (const result of results) {
      if (!result.allowed) {
        const retryAfterSeconds = Math.ceil(result.retryAfterMs / 1000);
        throw new DomainError('rate_limited', `You are commenting faster than we allow. Please wait ${retryAfterSeconds} seconds and send it again; your text is kept.`, {}, { retryAfterSeconds });
      }
    }
  }

  /**
   * Takes a comment from a reader, or a reply from a signed-in user, and decides where it
   * goes. `knownPost` spares a lookup when the caller has just read the post.
   */
  async submit(raw: unknown, ctx: SubmitContext, permalink: string, knownPost?: Post): Promise<SubmitResult> {
    const parsed = commentInputSchema.safeParse(raw);
    if (!parsed.success) {
      const sent = (raw ?? {}) as { name?: unknown; email?: unknown };
      throw validation(parsed.error, ctx.user ? {} : readerProblems(sent.name, sent.email));
    }
    const input = parsed.data;
    const { store, clock, spam } = this.deps;
    const now = clock.now();
    const settings = await this.deps.settings();
    const post = knownPost && knownPost.id === input.postId && knownPost.deletedAt === null ? knownPost : await this.livePost(input.postId);
    const open = commentsOpen(post, settings, now);
    const staff = ctx.user;
    if (!open.open && !(staff && open.reason !== 'not-published')) throw new DomainError('comments_closed', closedWords[open.reason]);

    let parent: Comment | null = null;
    if (input.parentId !== null) {
      parent = await store.comments.findById(input.parentId);
      if (!parent || parent.postId !== post.id || parent.status !== 'approved') {
        throw new DomainError('validation_failed', 'The comment you are answering is no longer there.', { parentId: 'Not found.' });
      }
    }

    const html = await renderCommentMarkdown(input.body);
    if (staff) {
      const comment = await store.transaction(async (tx) => {
        const created = await tx.comments.create({
          postId: post.id,
          parentId: parent?.id ?? null,
          personId: null,
          userId: staff.id,
          authorName: staff.name,
          authorEmail: staff.email,
          authorUrl: null,
          markdown: input.body,
          html,
          status: 'approved',
          createdAt: now,
          source: 'admin',
          ip: ctx.ip,
          userAgent: ctx.userAgent,
        });
        await this.deps.notifications.commentApproved(tx, created, post, now);
        return created;
      });
      this.published(comment);
      if (parent) this.deps.onStaffReply?.(comment, parent, post);
      return { comment, editSecret: null, confirmationSentTo: null };
    }

    const problems = readerProblems(input.name, input.email);
    if (Object.keys(problems).length > 0) throw validation(null, problems);
    // The person (with the staff and an id for the comment) is looked up as the limits are
    // counted (one statement on PostgreSQL); a refused comment's look-up is dropped.
    const start = await store.comments.startByEmail(input.email, { checks: this.rateLimits(ctx.ip, input.email), now });
    this.enforceRateLimits(start.limits);
    const existing = start.person;
    const evidence: SpamEvidence = {
      honeypotFilled: input.honeypot.trim() !== '',
      formToken: input.formToken ? spam.verifyFormToken(input.formToken, post.id, now, settings.minSubmitSeconds) : { ok: false, reason: 'missing' },
      linkCount: spam.countLinks(input.body),
      disallowedWords: spam.findDisallowedWords([input.body, input.name, input.email, input.website], settings.disallowedWords),
      filterScore: await spam.filterScore({ text: input.body, name: input.name, url: input.website || null }),
      akismet: await spam.akismet({ comment: input, ctx, permalink }),
      knownPerson: existing ? await store.comments.hasApproved(existing.id) : false,
      // A typed address proves nothing: a trusted person's trust does not apply, their holds do.
      trust: existing ? { state: trustInForce(await store.people.trust(existing.id), now), proven: false } : undefined,
    };
    const decision = decideModeration(evidence, settings);
    const editSecret = randomToken(24);

    const person = { name: input.name, email: input.email, website: input.website || null };
    const write: Omit<CommentWrite, 'personId'> = {
      postId: post.id,
      parentId: parent?.id ?? null,
      userId: null,
      authorName: input.name,
      authorEmail: input.email,
      authorUrl: input.website || null,
      markdown: input.body,
      html,
      status: decision.status,
      moderationReasons: decision.reasons,
      spamScore: evidence.filterScore,
      createdAt: now,
      source: ctx.source ?? 'form',
      editTokenHash: sha256Hex(editSecret),
      ip: ctx.ip,
      userAgent: ctx.userAgent.slice(0, 500),
    };
    let confirmationSentTo: string | null = null;
    // A held comment that asks for no mail of its own is written with the mail to the staff
    // in one call (one statement on PostgreSQL); anything else in the comment's transaction.
    const heldMail = decision.status === 'pending' && !input.subscribeReplies && !input.subscribePost ? await this.deps.notifications.heldMail?.(store, post, now, start.staff) : undefined;
    const comment = heldMail
      ? await store.comments.createByEmail(person, write, now, heldMail, start.drawnId)
      : await store.transaction(async (tx) => {
          confirmationSentTo = null;
          // The person found by the address (or made), and the comment with their id.
          const created = await tx.comments.createByEmail(person, write, now);
          if (decision.status !== 'spam') {
            const subscribe = async (kind: 'replies' | 'post') => {
              const { confirmationSent } = await this.deps.notifications.subscribe(tx, { email: input.email, kind, postId: post.id, commentId: kind === 'replies' ? created.id : null }, now);
              if (confirmationSent) confirmationSentTo = input.email;
            };
            if (input.subscribeReplies) await subscribe('replies');
            if (input.subscribePost) await subscribe('post');
            await this.deps.notifications.commentCreated(tx, created, post, now);
            if (decision.status === 'approved') await this.deps.notifications.commentApproved(tx, created, post, now);
          }
          return created;
        });
    if (comment.status === 'approved') this.published(comment);
    if (!evidence.knownPerson && input.website && comment.status !== 'spam' && comment.personId !== null) await this.deps.newcomer?.(comment.personId);
    return { comment, editSecret, confirmationSentTo };
  }

  /**
   * A reply received by webmention, as a comment (source 'webmention') through the same
   * moderation policy as readers' comments (no form token: the verified source stands in
   * for it). `existing` is the comment an earlier copy of the same webmention became: a
   * resend updates its text, and a reply that comes back after it was removed is held
   * for review again. The body is plain text, rendered as a comment's Markdown (sanitised).
   * `within` runs in the comment's transaction: the webmention is marked verified with its
   * comment in the same commit, so neither is ever seen (or left by a crash) without the other.
   */
  async fromWebmention(input: { post: Post; existing: Comment | null; personId: number | null; name: string; website: string | null; text: string; source: string; within?: (tx: Store, comment: Comment) => Promise<void> }): Promise<Comment> {
    const { store, clock, spam } = this.deps;
    const now = clock.now();
    const settings = await this.deps.settings();
    const body = input.text.trim().slice(0, 10_000) || '(no text)';
    const html = await renderCommentMarkdown(body);
    const existing = input.existing;
    if (existing && existing.postId === input.post.id) {
      const comment = await store.transaction(async (tx) => {
        if (body !== existing.markdown) {
          // The source changed its text: the earlier text stays in the comment's history.
          await tx.comments.addRevision({ commentId: existing.id, markdown: existing.markdown, html: existing.html, parentId: existing.parentId, editedBy: null, editorName: `${existing.authorName} (sent again by webmention)`, createdAt: now });
        }
        let updated = await tx.comments.updateBody(existing.id, body, html, now);
        if (existing.status === 'trash') [updated] = await tx.comments.setStatus([existing.id], 'pending', ['received again by webmention after it was removed'], now);
        await input.within?.(tx, updated);
        return updated;
      });
      if (comment.status === 'approved') this.deps.publish(`comments-changed:${comment.postId}`);
      return comment;
    }
    const evidence: SpamEvidence = {
      honeypotFilled: false,
      formToken: { ok: true },
      linkCount: spam.countLinks(body),
      disallowedWords: spam.findDisallowedWords([body, input.name, input.website ?? ''], settings.disallowedWords),
      filterScore: await spam.filterScore({ text: body, name: input.name, url: input.website }),
      akismet: 'off',
      knownPerson: input.personId !== null && (await store.comments.hasApproved(input.personId)),
      trust: input.personId !== null ? { state: trustInForce(await store.people.trust(input.personId), now), proven: await this.provenBySource(input.personId, input.website, input.source) } : undefined,
    };
    const decision = decideModeration(evidence, settings);
    const comment = await store.transaction(async (tx) => {
      const created = await tx.comments.create({
        postId: input.post.id,
        parentId: null,
        personId: input.personId,
        userId: null,
        authorName: input.name.slice(0, 80),
        authorEmail: '',
        authorUrl: input.website,
        markdown: body,
        html,
        status: decision.status,
        // Moderators see where it came from next to why it waits.
        moderationReasons: decision.status === 'approved' ? [] : [`a reply by webmention from ${input.source}`, ...decision.reasons],
        spamScore: evidence.filterScore,
        createdAt: now,
        source: 'webmention',
      });
      if (decision.status !== 'spam') await this.deps.notifications.commentCreated(tx, created, input.post, now);
      if (decision.status === 'approved') await this.deps.notifications.commentApproved(tx, created, input.post, now);
      await input.within?.(tx, created);
      return created;
    });
    if (comment.status === 'approved') this.published(comment);
    if (!evidence.knownPerson && input.website && comment.status !== 'spam' && input.personId !== null) await this.deps.newcomer?.(input.personId);
    return comment;
  }

  /**
   * A webmention reply proves its author when their address is a website the person holds
   * verified and the (verified) source page is on that same site.
   */
  private async provenBySource(personId: number, website: string | null, source: string): Promise<boolean> {
    const site = website ? normaliseUrl(website) : null;
    if (!site) return false;
    const held = (await this.deps.store.people.identities(personId)).some((i) => i.verified && (i.kind === 'website' || i.kind === 'webmention') && i.value === site);
    try {
      return held && new URL(site).host === new URL(source).host;
    } catch {
      return false;
    }
  }

  /**
   * A reply from the fediverse (a public or unlisted Note), as a comment (source
   * 'activitypub') through the same moderation policy as readers' comments. The signed
   * activity stands in for the form token and proves who sent it, so their Person's trust
   * applies in full, holds and blocks as much as `trusted`. The sender becomes, or is found
   * as, a Person with their actor URI and handle verified; the Note's id is kept with the
   * comment, in its transaction (Update and Delete name it; the author's answer replies to it).
   * A reply to a comment that is not published is held. Closed comments refuse it.
   */
  async fromFediverse(input: FediverseReplyInput): Promise<Comment> {
    const { store, clock, spam } = this.deps;
    const now = clock.now();
    const settings = await this.deps.settings();
    const open = commentsOpen(input.post, settings, now);
    if (!open.open) throw new DomainError('comments_closed', closedWords[open.reason]);
    const { author } = input;
    const name = (author.name?.trim() || author.handle || author.actorUri).slice(0, 80);
    const text = input.text.trim().slice(0, 10_000) || '(no text)';
    const html = input.html || (await renderCommentMarkdown(text));
    const known = (await store.people.findByIdentity('fediverse', author.actorUri)) ?? (author.handle ? await store.people.findByIdentity('handle', author.handle) : null);
    const evidence: SpamEvidence = {
      honeypotFilled: false,
      formToken: { ok: true },
      linkCount: spam.countLinks(text),
      disallowedWords: spam.findDisallowedWords([text, name, author.handle ?? '', author.profileUrl], settings.disallowedWords),
      filterScore: await spam.filterScore({ text, name, url: author.profileUrl }),
      akismet: 'off',
      knownPerson: known !== null && (await store.comments.hasApproved(known.id)),
      trust: known ? { state: trustInForce(await store.people.trust(known.id), now), proven: true } : undefined,
    };
    let decision = decideModeration(evidence, settings);
    if (input.parent && input.parent.status !== 'approved' && decision.status === 'approved') decision = { status: 'pending', reasons: ['it answers a comment that is not published'] };
    const comment = await store.transaction(async (tx) => {
      const person = await linkPerson(tx, author, now);
      const created = await tx.comments.create({
        postId: input.post.id,
        parentId: input.parent?.id ?? null,
        personId: person.id,
        userId: null,
        authorName: name,
        authorEmail: '',
        authorUrl: author.profileUrl,
        markdown: text,
        html,
        status: decision.status,
        // Moderators see where it came from next to why it waits.
        moderationReasons: decision.status === 'approved' ? [] : [`a reply from the fediverse (${author.handle ?? author.actorUri})`, ...decision.reasons],
        spamScore: evidence.filterScore,
        createdAt: now,
        source: 'activitypub',
      });
      await tx.fediverseReplies.recordComment({ commentId: created.id, noteId: input.noteId, actorUri: author.actorUri, handle: author.handle, url: input.url, inbox: author.inbox, sharedInbox: author.sharedInbox, createdAt: now });
      if (decision.status !== 'spam') await this.deps.notifications.commentCreated(tx, created, input.post, now);
      if (decision.status === 'approved') await this.deps.notifications.commentApproved(tx, created, input.post, now);
      return created;
    });
    if (comment.status === 'approved') this.published(comment);
    return comment;
  }

  /**
   * Its author edited a reply on the fediverse (Update): the new text, with the earlier one
   * in the comment's history. A published reply whose edit adds links, or a disallowed word,
   * is held again, as a reader's own edit would be.
   */
  async editFromFediverse(commentId: number, change: { html: string; text: string }): Promise<Comment> {
    const { store, spam, clock } = this.deps;
    const comment = await store.comments.findById(commentId);
    if (!comment) throw notFound('The comment');
    const text = change.text.trim().slice(0, 10_000) || '(no text)';
    if (text === comment.markdown && change.html === comment.html) return comment;
    const html = change.html || (await renderCommentMarkdown(text));
    const settings = await this.deps.settings();
    const now = clock.now();
    const before = spam.countLinks(comment.markdown);
    const links = spam.countLinks(text);
    const words = spam.findDisallowedWords([text], settings.disallowedWords);
    const reasons = [...(links > before ? [`edited on the fediverse to add ${links - before === 1 ? 'a link' : `${links - before} links`}`] : []), ...(words.length ? [`edited to include disallowed word: ${words.join(', ')}`] : [])];
    const updated = await store.transaction(async (tx) => {
      await tx.comments.addRevision({ commentId, markdown: comment.markdown, html: comment.html, parentId: comment.parentId, editedBy: null, editorName: `${comment.authorName} (edited on the fediverse)`, createdAt: now });
      let after = await tx.comments.updateBody(commentId, text, html, now);
      if (reasons.length > 0 && after.status === 'approved') [after] = await tx.comments.setStatus([commentId], 'pending', reasons, now);
      return after;
    });
    if (comment.status === 'approved') this.deps.publish(`comments-changed:${comment.postId}`);
    return updated;
  }

  /**
   * Replies their author removed from the fediverse (Delete of the Note, or of the whole
   * account): to the trash, restorable, with the reason. Spam stays in Spam.
   */
  async trashFromFediverse(ids: number[], reason: string): Promise<Comment[]> {
    if (ids.length === 0) return [];
    const live = (await this.deps.store.comments.findMany(ids)).filter((c) => c.status === 'approved' || c.status === 'pending');
    if (live.length === 0) return [];
    const changed = await this.deps.store.comments.setStatus(live.map((c) => c.id), 'trash', [reason], this.deps.clock.now());
    for (const postId of new Set(live.filter((c) => c.status === 'approved').map((c) => c.postId))) this.deps.publish(`comments-changed:${postId}`);
    return changed;
  }

  /** A webmention reply whose source is gone or no longer links here: to the trash (restorable), with the reason. */
  async removeWebmentionReply(commentId: number, reason: string): Promise<void> {
    const changed = await this.deps.store.comments.setStatus([commentId], 'trash', [reason], this.deps.clock.now());
    for (const c of changed) this.deps.publish(`comments-changed:${c.postId}`);
  }

  private published(comment: Comment): void {
    this.deps.publish(`comments-changed:${comment.postId}`);
    this.deps.publish(approvedTopic(comment.postId, comment.id));
  }

  /** The comment, if `secret` is the one its author's browser holds and the window is still open. */
  async ownComment(id: number, secret: string): Promise<{ comment: Comment; editableUntil: number }> {
    const comment = await this.deps.store.comments.findById(id);
    if (!comment || comment.status === 'trash' || !comment.editTokenHash || !safeEqual(sha256Hex(secret), comment.editTokenHash)) {
      throw new DomainError('forbidden', 'Only the person who wrote this comment can change it, from the browser they wrote it in.');
    }
    const settings = await this.deps.settings();
    const editableUntil = comment.createdAt + settings.editWindowMinutes * 60_000;
    if (this.deps.clock.now() > editableUntil) {
      throw new DomainError('forbidden', `Comments can be changed for ${settings.editWindowMinutes} minutes after they are sent, and that time has passed.`);
    }
    return { comment, editableUntil };
  }

  /** A commenter fixes their comment inside the window; new links or words are checked again. */
  async editOwn(id: number, secret: string, body: string): Promise<Comment> {
    const { comment } = await this.ownComment(id, secret);
    const text = body.trim();
    if (!text) throw new DomainError('validation_failed', 'Write something first, or delete the comment.', { body: 'Required.' });
    if (text.length > 10_000) throw new DomainError('validation_failed', 'Keep a comment under 10,000 characters.', { body: 'Too long.' });
    const { store, spam, clock } = this.deps;
    const settings = await this.deps.settings();
    const now = clock.now();
    const updated = await store.transaction(async (tx) => {
      if (text !== comment.markdown) {
        await tx.comments.addRevision({ commentId: id, markdown: comment.markdown, html: comment.html, parentId: comment.parentId, editedBy: null, editorName: comment.authorName, createdAt: now });
      }
      let after = await tx.comments.updateBody(id, text, await renderCommentMarkdown(text), now);
      const links = spam.countLinks(text);
      const words = spam.findDisallowedWords([text], settings.disallowedWords);
      const reasons = [...(links > settings.maxLinks ? [`edited to ${links} links`] : []), ...(words.length ? [`edited to include disallowed word: ${words.join(', ')}`] : [])];
      if (reasons.length > 0 && after.status === 'approved') {
        [after] = await tx.comments.setStatus([id], 'pending', reasons, now);
      }
      return after;
    });
    if (comment.status === 'approved') this.deps.publish(`comments-changed:${comment.postId}`);
    return updated;
  }

  /**
   * Staff change a comment: its text (a typo in the author's own reply, a reader's broken
   * link) and its place (a reply posted under the wrong comment moves, with its replies,
   * under another comment of the same post or to the top level). Whoever may moderate the
   * comment may edit it. What it said and where it sat are kept in its history, in the
   * same transaction as the change; the text change shows as "edited".
   */
  async editAsStaff(user: User, id: number, change: { body?: string; parentId?: number | null }): Promise<Comment> {
    const { store, clock } = this.deps;
    const comment = await store.comments.findById(id);
    const post = comment ? await store.posts.findById(comment.postId) : null;
    if (!comment || !post) throw notFound('The comment');
    if (!canModerate(user, post).ok) throw new DomainError('forbidden', 'Authors look after the comments on their own posts; this one is on another author’s post.');
    const text = change.body === undefined ? comment.markdown : change.body.replace(/\r\n/g, '\n').trim();
    if (!text) throw new DomainError('validation_failed', 'A comment cannot be empty; move it to the trash instead.', { body: 'Required.' });
    if (text.length > 10_000) throw new DomainError('validation_failed', 'Keep a comment under 10,000 characters.', { body: 'Too long.' });
    const parentId = change.parentId === undefined ? comment.parentId : change.parentId;
    const textChanged = text !== comment.markdown;
    const moved = parentId !== comment.parentId;
    if (!textChanged && !moved) return comment;
    if (moved && parentId !== null) {
      const parent = await store.comments.findById(parentId);
      if (parent && parent.postId === comment.postId && parent.status !== 'approved') {
        throw new DomainError('validation_failed', 'Move it under a published comment; that one is not published.', { parentId: 'Not published.' });
      }
    }
    const html = textChanged ? await renderCommentMarkdown(text) : comment.html;
    const now = clock.now();
    const updated = await store.transaction(async (tx) => {
      await tx.comments.addRevision({ commentId: id, markdown: comment.markdown, html: comment.html, parentId: comment.parentId, editedBy: user.id, editorName: user.name, createdAt: now });
      let after = comment;
      if (textChanged) after = await tx.comments.updateBody(id, text, html, now);
      if (moved) after = await tx.comments.move(id, parentId, now);
      return after;
    });
    this.deps.publish(`comments-changed:${comment.postId}`);
    return updated;
  }

  /** A comment's history (what it was before each edit), oldest first. */
  history(id: number): Promise<CommentRevision[]> {
    return this.deps.store.comments.revisions(id);
  }

  /** A commenter takes their comment back inside the window: it goes to the trash, restorable by a moderator. */
  async deleteOwn(id: number, secret: string): Promise<Comment> {
    const { comment } = await this.ownComment(id, secret);
    const [trashed] = await this.deps.store.comments.setStatus([id], 'trash', [...comment.moderationReasons, 'deleted by its author'], this.deps.clock.now());
    if (comment.status === 'approved') this.deps.publish(`comments-changed:${comment.postId}`);
    return trashed ?? comment;
  }

  /**
   * A moderator's decision on one or more comments. Approve and spam decisions train the
   * filter (reversing an earlier lesson when a decision is reversed), once per comment:
   * marking spam again what is already in Spam confirms it, and teaches the filter if it
   * had not learned it yet. Approving tells subscribers. Returns the comments that changed.
   * A `reason` (the JSON API's, in the moderator's words) goes on the writer's timeline and,
   * for a comment held, sent to spam or trashed, after its moderation reasons.
   */
  async moderate(ids: number[], action: ModerationAction, actorId: number | null = null, reason: string | null = null): Promise<Comment[]> {
    if (ids.length === 0) return [];
    checkModerationBatch(ids);
    const { store, clock, spam } = this.deps;
    const now = clock.now();
    const status = targetStatus[action];
    const before = new Map((await store.comments.findMany(ids)).map((c) => [c.id, c]));
    if (before.size === 0) throw notFound('The comments');
    const posts = new Map<number, Post>();
    const label = status === 'approved' ? 'ham' : status === 'spam' ? 'spam' : null;
    const lessons: SpamLesson[] = [];
    const changed = await store.transaction(async (tx) => {
      // The reasons it was held stay on record: an Undo brings it back to Pending with its why.
      let moved: Comment[];
      if (reason === null || status === 'approved') moved = await tx.comments.setStatus([...before.keys()], status, null, now);
      else {
        moved = [];
        for (const comment of before.values()) moved.push(...(await tx.comments.setStatus([comment.id], status, [...comment.moderationReasons, reason], now)));
      }
      // Every comment chosen now has this status, moved or already there: each teaches the filter once.
      if (label) for (const comment of before.values()) lessons.push(...(await this.teach(tx, comment, label)));
      for (const comment of moved) {
        // The decision goes on the writer's timeline (People), with who made it.
        const was = before.get(comment.id);
        if (comment.personId !== null && was && was.status !== comment.status) {
          await tx.people.addEvent({ personId: comment.personId, kind: 'moderated', detail: { commentId: comment.id, postId: comment.postId, from: was.status, status: comment.status, ...(reason === null ? {} : { reason }) }, actorId, createdAt: now });
        }
        if (status === 'approved') {
          let post = posts.get(comment.postId);
          if (!post) {
            post = (await tx.posts.findById(comment.postId)) ?? undefined;
            if (post) posts.set(post.id, post);
          }
          if (post) await this.deps.notifications.commentApproved(tx, comment, post, now);
        }
      }
      return moved;
    });
    spam.learned(lessons);
    for (const comment of changed) {
      const was = before.get(comment.id)!;
      if (was.status === 'approved' || comment.status === 'approved') this.deps.publish(`comments-changed:${comment.postId}`);
      if (comment.status === 'approved') this.deps.publish(approvedTopic(comment.postId, comment.id));
      const reported = comment.status === 'spam' ? 'spam' : comment.status === 'approved' && was.status === 'spam' ? 'ham' : null;
      if (reported) void spam.report(comment, reported);
    }
    return changed;
  }

  /** The filter learns `comment` as `label` unless it already has; a reversed decision is unlearned first. */
  private async teach(tx: Store, comment: Comment, label: 'spam' | 'ham'): Promise<SpamLesson[]> {
    if (comment.learnedAs === label) return [];
    // The same fields as when it was scored, so that a later reversal unlearns exactly this.
    const lessons = await this.deps.spam.learn(tx, { text: comment.markdown, name: comment.authorName, url: comment.authorUrl }, label, comment.learnedAs);
    await tx.comments.setLearnedAs(comment.id, label);
    return lessons;
  }

  /**
   * A moderator confirms spam by deleting it for good: chosen comments in Spam, or the
   * whole folder emptied (`emptySpam`). Each one the filter has not learned as spam
   * teaches it first, in the same transaction, so the decision outlives the comment.
   * Spam that a kept comment answers stays (learned). Only comments in Spam are touched.
   */
  async deleteSpam(ids: number[]): Promise<{ deleted: number[]; kept: number[] }> {
    if (ids.length === 0) return { deleted: [], kept: [] };
    if (ids.length > 500) throw new DomainError('validation_failed', 'Choose at most 500 comments at a time.');
    const { store, spam } = this.deps;
    const inSpam = (await store.comments.findMany(ids)).filter((c) => c.status === 'spam');
    const lessons: SpamLesson[] = [];
    const deleted = await store.transaction(async (tx) => {
      for (const comment of inSpam) lessons.push(...(await this.teach(tx, comment, 'spam')));
      return tx.comments.deleteForever(inSpam.map((c) => c.id));
    });
    spam.learned(lessons);
    const gone = new Set(deleted);
    return { deleted, kept: inSpam.filter((c) => !gone.has(c.id)).map((c) => c.id) };
  }

  /** Empties Spam (within an author's own posts when `authorId` is given), 500 at a time. */
  async emptySpam(authorId?: number): Promise<{ deleted: number; kept: number }> {
    let deleted = 0;
    let kept = 0;
    for (;;) {
      const page = await this.deps.store.comments.listForModeration({ status: 'spam', authorId, limit: 500, offset: kept });
      if (page.items.length === 0) return { deleted, kept };
      const result = await this.deleteSpam(page.items.map((c) => c.id));
      deleted += result.deleted.length;
      kept += result.kept.length;
      if (result.deleted.length === 0) return { deleted, kept };
    }
  }

  /** Removes trashed comments 30 days after they were trashed (the scheduler calls this). */
  async purgeTrash(days = 30): Promise<number> {
    return this.deps.store.comments.purgeTrash(this.deps.clock.now() - days * 86_400_000);
  }

  /** Where a comment's conversation sits in its post's thread (for permalinks on later pages). */
  async locate(commentId: number): Promise<{ comment: Comment; conversationsBefore: number }> {
    const comment = await this.deps.store.comments.findById(commentId);
    if (!comment) throw notFound('The comment');
    return { comment, conversationsBefore: await this.deps.store.comments.conversationsBefore(commentId) };
  }
}
