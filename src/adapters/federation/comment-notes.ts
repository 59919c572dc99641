import { Temporal } from '@js-temporal/polyfill';
import { Create, Mention, Note, PUBLIC_COLLECTION } from '@fedify/fedify/vocab';
import type { Clock } from '../../core/clock.ts';
import type { FediverseComment } from '../../core/fediverse-reply-store.ts';
import { toId } from '../../core/ids.ts';
import { isLive } from '../../core/post-service.ts';
import { isProtected, type Comment, type Post, type Store } from '../../core/store.ts';
import { escapeHtml } from '../../web/html.ts';
import { absoluteUrls } from '../../web/views/feed-views.ts';
import type { KumbayaFederation } from './federation.ts';

/**
 * Comments as the fediverse sees them (issue 12, point 5). A comment written here is a
 * `Note` at its own address, `/comments/<id>` (browsers asking there are sent to it on its
 * post's page), attributed to the blog actor and `inReplyTo` what it answers: the post's
 * Article, a comment's Note here, or — for a comment that came from the fediverse — its
 * original Note. A post's approved comments are its Article's `replies` collection. A staff
 * answer to a comment from the fediverse is delivered to that comment's author.
 */
export interface CommentNoteDeps {
  store: Store;
  clock: Clock;
  siteUrl: string;
  handle: string;
}

/** Comments per page of a post's replies collection. */
const REPLIES_PAGE = 50;

const instant = (ms: number) => Temporal.Instant.fromEpochMilliseconds(ms) as unknown as globalThis.Temporal.Instant;

export const commentNoteUrl = (siteUrl: string, commentId: number) => new URL(`${siteUrl}/comments/${commentId}`);

/** Whether the fediverse may read this post and its comments: what is served as an Article. */
function served(post: Post | null, now: number): post is Post {
  return post !== null && post.type === 'post' && isLive(post, now) && !isProtected(post);
}

/** The id a comment has on the fediverse: its original Note's when it came from there. */
const activityIdOf = (siteUrl: string, commentId: number, link: FediverseComment | undefined | null) => (link ? new URL(link.noteId) : commentNoteUrl(siteUrl, commentId));

/**
 * A comment written here as a Note, or null when the fediverse may not read it (not
 * approved, on a post that is not served, or a comment that came from the fediverse: its
 * Note is its author's, on their server). A reader's comment names them: the blog's actor
 * passes on their words. An answer to a comment from the fediverse mentions its author.
 */
export async function commentNote(deps: CommentNoteDeps, comment: Comment, blogActor: URL): Promise<Note | null> {
  const { store, siteUrl } = deps;
  if (comment.status !== 'approved' || (await store.fediverseReplies.findByComment(comment.id))) return null;
  const post = await store.posts.findById(comment.postId);
  if (!served(post, deps.clock.now())) return null;
  const parent = comment.parentId === null ? null : await store.comments.findById(comment.parentId);
  const parentLink = parent ? await store.fediverseReplies.findByComment(parent.id) : null;
  const inReplyTo = parent ? activityIdOf(siteUrl, parent.id, parentLink) : new URL(`${siteUrl}/${post.slug}`);
  const body = absoluteUrls(comment.html, siteUrl);
  let content = comment.userId === null ? `<p>${escapeHtml(comment.authorName)} commented:</p>${body}` : body;
  let mention: Mention | null = null;
  if (parent && parentLink) {
    const name = parentLink.handle ?? parent.authorName;
    const user = (parentLink.handle ?? '').split('@')[1] || parent.authorName;
    mention = new Mention({ href: new URL(parentLink.actorUri), name });
    // As Mastodon writes a mention: the author's page, their user name, in an h-card.
    const link = `<span class="h-card"><a href="${escapeHtml(parent.authorUrl ?? parentLink.actorUri)}" class="u-url mention">@<span>${escapeHtml(user)}</span></a></span>`;
    content = content.startsWith('<p>') ? `<p>${link} ${content.slice(3)}` : `<p>${link}</p>${content}`;
  }
  const id = commentNoteUrl(siteUrl, comment.id);
  return new Note({
    id,
    url: id,
    attribution: blogActor,
    replyTarget: inReplyTo,
    content,
    published: instant(comment.createdAt),
    updated: comment.editedAt ? instant(comment.editedAt) : null,
    tos: [PUBLIC_COLLECTION],
    ccs: parentLink ? [new URL(parentLink.actorUri)] : [],
    tags: mention ? [mention] : [],
  });
}

export function registerCommentNotes(federation: KumbayaFederation, deps: CommentNoteDeps): void {
  const { store } = deps;
  federation.setObjectDispatcher(Note, '/comments/{id}', async (ctx, values) => {
    const id = toId(values.id);
    const comment = id === null ? null : await store.comments.findById(id);
    return comment ? commentNote(deps, comment, ctx.getActorUri(deps.handle)) : null;
  });

  // A post's approved comments, oldest first, by their ids: Notes here, originals elsewhere.
  federation
    .setCollectionDispatcher('replies', Note, '/ap/posts/{id}/replies', async (_ctx, values, cursor) => {
      const post = await postOf(values.id);
      if (!post || cursor === null) return null;
      const offset = Number.parseInt(cursor, 10) || 0;
      const comments = (await store.comments.listApproved(post.id)).slice(offset, offset + REPLIES_PAGE);
      const links = new Map((await store.fediverseReplies.forComments(comments.map((c) => c.id))).map((l) => [l.commentId, l]));
      // Fedify writes a URL item as the id; its types ask for objects.
      const items = comments.map((c) => activityIdOf(deps.siteUrl, c.id, links.get(c.id))) as unknown as Note[];
      return { items, nextCursor: comments.length === REPLIES_PAGE ? String(offset + REPLIES_PAGE) : null };
    })
    .setCounter(async (_ctx, values) => {
      const post = await postOf(values.id);
      return post ? ((await store.comments.countApproved([post.id])).get(post.id) ?? 0) : null;
    })
    .setFirstCursor(() => '0');

  async function postOf(value: string): Promise<Post | null> {
    const id = toId(value);
    const post = id === null ? null : await store.posts.findById(id);
    return served(post, deps.clock.now()) ? post : null;
  }
}

/**
 * Staff answered a comment that came from the fediverse: the answer, a Note `inReplyTo`
 * the original and mentioning its author, addressed to the public and to them, is sent to
 * their inbox through the queue. False when there is nothing to send (the comment is not
 * from the fediverse, or its post is not served).
 */
export async function deliverAnswer(federation: KumbayaFederation, deps: CommentNoteDeps, reply: Comment): Promise<boolean> {
  const parentLink = reply.parentId === null ? null : await deps.store.fediverseReplies.findByComment(reply.parentId);
  if (!parentLink) return false;
  const ctx = federation.createContext(new URL(`${deps.siteUrl}/`), undefined);
  const actor = ctx.getActorUri(deps.handle);
  const note = await commentNote(deps, reply, actor);
  if (!note || !note.id) return false;
  const create = new Create({ id: new URL(`${note.id.href}#create`), actor, object: note, tos: note.toIds, ccs: note.ccIds, published: note.published });
  const recipient = { id: new URL(parentLink.actorUri), inboxId: new URL(parentLink.inbox), endpoints: parentLink.sharedInbox ? { sharedInbox: new URL(parentLink.sharedInbox) } : null };
  await ctx.sendActivity({ identifier: deps.handle }, recipient, create);
  return true;
}
