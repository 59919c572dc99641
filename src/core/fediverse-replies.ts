import type { Clock } from './clock.ts';
import type { CommentService } from './comment-service.ts';
import { renderEmail, excerpt, oneLine } from './email-content.ts';
import { DomainError } from './errors.ts';
import type { FediverseComment, NoteVisibility, PrivateMention, RemoteAuthor } from './fediverse-reply-store.ts';
import { linkPerson } from './following.ts';
import { toId } from './ids.ts';
import { isLive } from './post-service.ts';
import type * as RemoteHtml from './remote-html.ts';
import { isProtected, type Comment, type Post, type Store } from './store.ts';

/**
 * The sanitiser for remote HTML (sanitize-html, htmlparser2, markdown-it: a few MB of heap),
 * loaded with the first Note, so that a server receiving only likes and boosts never loads it.
 */
let remoteHtml: Promise<typeof RemoteHtml> | undefined;
const loadRemoteHtml = (): Promise<typeof RemoteHtml> => (remoteHtml ??= import('./remote-html.ts'));

/**
 * Replies from the fediverse (issue 12, point 4). The inbox listeners
 * (adapters/federation/inbox-replies.ts) translate Create, Update and Delete into these
 * calls; the rules are here and in CommentService:
 *
 * - a public or unlisted Note answering a post here, or a comment on one (also a comment
 *   that came from the fediverse, found by its Note id), becomes a comment threaded under
 *   it, through the same moderation as a form comment (`CommentService.fromFediverse`);
 * - a followers-only or direct Note is never a comment: it waits in the staff's private
 *   list, and the owners are emailed when they asked to be;
 * - Update edits (the earlier text kept), Delete trashes (restorable), and Delete of an
 *   actor trashes everything they sent. Only the Note's own author may do either.
 */

/** Site setting: when 'true', the owners get an email for each private mention. */
export const MAIL_PRIVATE_MENTIONS_SETTING = 'fediverse.mailPrivateMentions';

/** A Note as the inbox received it (the activity's signature proved `author`). */
export interface IncomingNote {
  noteId: string;
  author: RemoteAuthor;
  /** What it answers: a post's or comment's address here, or another Note's id. */
  inReplyTo: string | null;
  /** As sent: untrusted HTML. */
  html: string;
  /** A content warning. */
  summary: string | null;
  /** The original's page. */
  url: string | null;
  visibility: NoteVisibility;
  /** The Note names the blog's actor (a Mention, or the actor among its recipients). */
  addressesBlog: boolean;
  /** The names of its Mention and Hashtag tags ("@ana@social.example", "#tea"). */
  tagNames: string[];
}

export type ReplyOutcome =
  | { kind: 'comment'; comment: Comment }
  | { kind: 'private'; mention: PrivateMention }
  | { kind: 'ignored'; reason: string };

export interface FediverseRepliesDeps {
  store: Store;
  clock: Clock;
  comments: CommentService;
  /** Public base URL without a trailing slash. */
  siteUrl: string;
  /** The blog actor's user name ("blog"). */
  handle: string;
  siteTitle: () => Promise<string>;
  /** Tells every instance that published content changed (a deleted account's likes go from post pages). */
  publish?: (topic: string) => void;
}

function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

const DELETED_NOTE = 'deleted on the fediverse by its author';
const DELETED_ACTOR = 'its author’s fediverse account was deleted';

export class FediverseReplies {
  private readonly deps: FediverseRepliesDeps;

  constructor(deps: FediverseRepliesDeps) {
    this.deps = deps;
  }

  /** Create(Note). A Note already received is not taken twice. */
  async received(note: IncomingNote): Promise<ReplyOutcome> {
    const { store } = this.deps;
    const known = await store.fediverseReplies.findByNote(note.noteId);
    if (known) {
      const comment = await store.comments.findById(known.commentId);
      if (comment) return { kind: 'comment', comment };
    }
    const target = await this.replyTarget(note.inReplyTo);
    if (note.visibility === 'public' || note.visibility === 'unlisted') {
      if (!target) return { kind: 'ignored', reason: 'it does not answer a post here' };
      const { remoteCommentHtml, remoteCommentText } = await loadRemoteHtml();
      const html = remoteCommentHtml(note.html, note.summary, this.blogName());
      try {
        const comment = await this.deps.comments.fromFediverse({ ...target, author: note.author, noteId: note.noteId, url: note.url, html, text: remoteCommentText(html, note.tagNames) });
        return { kind: 'comment', comment };
      } catch (error) {
        if (error instanceof DomainError) return { kind: 'ignored', reason: error.message };
        throw error;
      }
    }
    if (!target && !note.addressesBlog) return { kind: 'ignored', reason: 'it is not addressed to the blog' };
    return { kind: 'private', mention: await this.keepPrivate(note, target?.post ?? null) };
  }

  /** Update(Note): its author changed it. One never seen before is taken as new. */
  async updated(note: IncomingNote): Promise<ReplyOutcome> {
    const { store } = this.deps;
    const link = await store.fediverseReplies.findByNote(note.noteId);
    if (link) {
      if (link.actorUri !== note.author.actorUri) return { kind: 'ignored', reason: 'only its author may change it' };
      const { remoteCommentHtml, remoteCommentText } = await loadRemoteHtml();
      const html = remoteCommentHtml(note.html, note.summary, this.blogName());
      return { kind: 'comment', comment: await this.deps.comments.editFromFediverse(link.commentId, { html, text: remoteCommentText(html, note.tagNames) }) };
    }
    const mention = await store.fediverseReplies.findMention(note.noteId);
    if (mention) {
      if (mention.actorUri !== note.author.actorUri) return { kind: 'ignored', reason: 'only its author may change it' };
      return { kind: 'private', mention: await this.keepPrivate(note, mention.postId === null ? null : await store.posts.findById(mention.postId)) };
    }
    return this.received(note);
  }

  /**
   * Delete of a Note (or its Tombstone, or only its id, as Pleroma sends it) by `actorUri`:
   * its comment goes to the trash, a private mention is removed. A Delete whose object is
   * the actor itself is the account's end.
   */
  async deleted(objectId: string, actorUri: string): Promise<'trashed' | 'removed' | 'unknown'> {
    if (objectId === actorUri) {
      const { comments, mentions } = await this.actorDeleted(actorUri);
      return comments + mentions > 0 ? 'trashed' : 'unknown';
    }
    const { store } = this.deps;
    const link = await store.fediverseReplies.findByNote(objectId);
    if (link && link.actorUri === actorUri) {
      await this.deps.comments.trashFromFediverse([link.commentId], DELETED_NOTE);
      return 'trashed';
    }
    const mention = await store.fediverseReplies.findMention(objectId);
    if (mention && mention.actorUri === actorUri) {
      await store.fediverseReplies.deleteMentionByNote(objectId);
      return 'removed';
    }
    return 'unknown';
  }

  /** Delete of an actor: everything they sent goes (comments to the trash, likes and boosts), and their follow ends. */
  async actorDeleted(actorUri: string): Promise<{ comments: number; mentions: number }> {
    const { store } = this.deps;
    const trashed = await this.deps.comments.trashFromFediverse(await store.fediverseReplies.commentIdsByActor(actorUri), DELETED_ACTOR);
    const { mentions, reactions } = await store.transaction(async (tx) => {
      await tx.followers.remove(actorUri);
      return { mentions: await tx.fediverseReplies.deleteMentionsByActor(actorUri), reactions: await tx.reactions.removeByActor(actorUri) };
    });
    if (reactions > 0) this.deps.publish?.('reactions-changed');
    return { comments: trashed.length, mentions };
  }

  /**
   * What a Note answers, when it is here: a live post that is served to the fediverse (its
   * address), or a comment on one (its address `/comments/<id>`, or the Note id a comment
   * from the fediverse came from). Anything else is not a reply to this blog.
   */
  async replyTarget(inReplyTo: string | null): Promise<{ post: Post; parent: Comment | null } | null> {
    if (!inReplyTo) return null;
    const { store, siteUrl } = this.deps;
    let parent: Comment | null = null;
    let post: Post | null = null;
    const url = URL.parse(inReplyTo);
    const site = new URL(siteUrl);
    const base = site.pathname.replace(/\/+$/, '');
    if (url && url.origin === site.origin && url.pathname.startsWith(`${base}/`)) {
      const path = url.pathname.slice(base.length).replace(/\/+$/, '');
      const commentId = toId(/^\/comments\/(\d+)$/.exec(path)?.[1]);
      const slug = /^\/([^/]+)$/.exec(path)?.[1];
      if (commentId !== null) {
        parent = await store.comments.findById(commentId);
        post = parent ? await store.posts.findById(parent.postId) : null;
      } else if (slug) {
        const decoded = safeDecode(slug);
        post = decoded ? await store.posts.findBySlug(decoded) : null;
      }
    } else {
      const link: FediverseComment | null = await store.fediverseReplies.findByNote(inReplyTo);
      parent = link ? await store.comments.findById(link.commentId) : null;
      post = parent ? await store.posts.findById(parent.postId) : null;
    }
    if (!post || post.type !== 'post' || !isLive(post, this.deps.clock.now()) || isProtected(post)) return null;
    if (parent && (parent.postId !== post.id || parent.status === 'spam')) return null;
    return { post, parent };
  }

  /** A followers-only or direct Note to the blog: kept for staff (and mailed to the owners if they asked). */
  private async keepPrivate(note: IncomingNote, post: Post | null): Promise<PrivateMention> {
    const { store, clock } = this.deps;
    const now = clock.now();
    const { remoteCommentHtml, remoteCommentText } = await loadRemoteHtml();
    const html = remoteCommentHtml(note.html, note.summary, this.blogName());
    const { author } = note;
    const visibility = note.visibility === 'followers' ? 'followers' : 'direct';
    return store.transaction(async (tx) => {
      const isNew = (await tx.fediverseReplies.findMention(note.noteId)) === null;
      const mention = await tx.fediverseReplies.saveMention(
        { noteId: note.noteId, actorUri: author.actorUri, name: (author.name?.trim() || author.handle || author.actorUri).slice(0, 80), handle: author.handle, profileUrl: author.profileUrl, url: note.url, visibility, inReplyTo: note.inReplyTo, postId: post?.id ?? null, html },
        now,
      );
      await linkPerson(tx, author, now);
      if (isNew && (await tx.settings.getAll())[MAIL_PRIVATE_MENTIONS_SETTING] === 'true') await this.mailOwners(tx, mention, remoteCommentText(html, note.tagNames), post, now);
      return mention;
    });
  }

  /** One email per owner, through the outbox in the mention's transaction; the words stay private to them. */
  private async mailOwners(tx: Store, mention: PrivateMention, text: string, post: Post | null, now: number): Promise<void> {
    const title = await this.deps.siteTitle();
    const who = mention.handle ? `${mention.name} (${mention.handle})` : mention.name;
    const kind = mention.visibility === 'direct' ? 'a direct message' : 'a followers-only post';
    const subject = oneLine(`Private mention from ${who}`);
    for (const owner of (await tx.users.list()).filter((u) => u.role === 'owner')) {
      const content = renderEmail({
        title: subject,
        blocks: [
          { type: 'paragraph', text: `${who} mentioned the blog in ${kind}${post ? `, answering “${post.title}”` : ''}. It is not published anywhere on the blog.` },
          { type: 'quote', text: excerpt(text, 1500) },
          ...(mention.url ? [{ type: 'link' as const, label: 'Open it where it was written', url: mention.url }] : []),
          { type: 'link', label: 'Private mentions in Admin → Fediverse', url: `${this.deps.siteUrl}/admin/fediverse#private-mentions` },
        ],
        signature: title,
        footer: [{ type: 'paragraph', text: 'You get this because you asked to be emailed about private mentions (Admin → Fediverse).' }],
      });
      await tx.outbox.enqueue({ idempotencyKey: `private-mention:${mention.id}:${owner.id}`, kind: 'private-mention', to: owner.email, subject, ...content, headers: { 'Auto-Submitted': 'auto-generated' } }, now);
    }
  }

  private blogName() {
    return { handle: this.deps.handle, host: new URL(this.deps.siteUrl).host };
  }
}
