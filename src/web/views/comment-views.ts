import { createHash } from 'node:crypto';
import type { CommentSettings } from '../../core/comment-settings.ts';
import type { Comment, Post, ThreadComment, ThreadCursor } from '../../core/store.ts';
import type { ThreadNode } from '../../core/thread.ts';
import type { WebmentionRepository } from '../../core/webmention-store.ts';
import type { FediverseComment, FediverseReplyRepository } from '../../core/fediverse-reply-store.ts';
import { remembered } from '../../core/remembered.ts';
import { sha256Hex } from '../../core/tokens.ts';
import { encodedOnce, html, raw, type SafeHtml } from '../html.ts';
import { formatDateTime, formatDateTimeHtml, isoDate, isoLocalHtml, plural } from './format.ts';

export const cursorParam = (cursor: ThreadCursor | null): string => (cursor ? `${cursor.createdAt.toString(36)}-${cursor.id.toString(36)}` : '');

export function parseCursor(value: string | undefined): ThreadCursor | null {
  const match = /^([0-9a-z]{1,12})-([0-9a-z]{1,10})$/.exec(value ?? '');
  if (!match) return null;
  return { createdAt: parseInt(match[1], 36), id: parseInt(match[2], 36) };
}

/** The address of the thread page that starts after `cursor`. */
export function threadPageUrl(post: Pick<Post, 'slug'>, cursor: ThreadCursor | null): string {
  return cursor ? `/${post.slug}?after=${cursorParam(cursor)}` : `/${post.slug}`;
}

// The same commenters come back on every render (hundreds on a comment page): their colour and initials are remembered (bounded).
const avatarColour = remembered((seed: string) => parseInt(sha256Hex(seed.trim().toLowerCase()).slice(0, 2), 16) % 8, 10_000);
const initialsOf = remembered((name: string) => name.trim().split(/\s+/).slice(0, 2).map((w) => w[0]?.toUpperCase() ?? '').join('') || '?', 10_000);

/** Pictures made, per setting, by the commenter's address (or name) and with the name they were made for (at most 4,096: each holds its bytes, and each comment posted renders its writer's). */
const pictures: Record<CommentSettings['avatars'], Map<string, { name: string; html: SafeHtml }>> = { local: new Map(), gravatar: new Map() };

/**
 * The commenter's picture. By default made here: initials on a colour picked from a hash
 * of the email, so readers' browsers contact nobody else. With the Gravatar setting, the
 * Gravatar image for the email's SHA-256 (an identicon when there is none).
 */
function avatar(comment: Pick<Comment, 'authorEmail' | 'authorName'>, mode: CommentSettings['avatars']): SafeHtml {
  // Made once per commenter and setting: a page shows hundreds, mostly of the same people (and Gravatar's costs a hash).
  const made = pictures[mode];
  const seed = comment.authorEmail || comment.authorName;
  const known = made.get(seed);
  if (known !== undefined && known.name === comment.authorName) return known.html;
  const parts = avatarParts(comment, mode);
  const picture = encodedOnce(
    parts.image
      ? html`<img class="avatar u-photo" src="${parts.image}" alt="" width="36" height="36" loading="lazy">`
      : html`<span class="avatar avatar-${parts.colour}" aria-hidden="true">${parts.initials}</span>`,
  );
  if (made.size >= 4_096) made.clear();
  made.set(seed, { name: comment.authorName, html: picture });
  return picture;
}

/** What the commenter's picture is made of (the blog's and `<kumbaya-comments>`'s alike): initials and colour 0–7, or an image. */
export function avatarParts(comment: Pick<Comment, 'authorEmail' | 'authorName'>, mode: CommentSettings['avatars']): { initials: string; colour: number; image: string | null } {
  const colour = avatarColour(comment.authorEmail || comment.authorName);
  const initials = initialsOf(comment.authorName);
  if (mode === 'gravatar' && comment.authorEmail) {
    const hash = createHash('sha256').update(comment.authorEmail.trim().toLowerCase()).digest('hex');
    return { initials, colour, image: `https://www.gravatar.com/avatar/${hash}?s=72&d=identicon` };
  }
  return { initials, colour, image: null };
}

export interface CommentRenderContext {
  post: Post;
  /** Users whose comments carry the "Author" badge (the post's author and the team). */
  staffIds: Set<number>;
  avatars: CommentSettings['avatars'];
  /** The thread page these comments are on: their permalinks start there. */
  pageCursor: ThreadCursor | null;
  /** Comments may be answered: show Reply links. */
  open: boolean;
  /** This reader's own comments that can still be changed, with the time the window closes. */
  own?: Map<number, number>;
  /** Comment id → the page a reply received by webmention came from (see `replySources`). */
  sources?: Map<number, string>;
  /** Comment id → the Note a reply from the fediverse came from (see `fediverseOrigins`). */
  fediverse?: Map<number, FediverseComment>;
  /**
   * People the team keeps notes about: their comments carry a badge linking to their page.
   * Only for signed-in staff, so never in a cached block (readers never see notes exist).
   */
  noted?: Set<number>;
}

/**
 * Where the webmention replies among `comments` came from, in one query for the post (none
 * when no comment came by webmention): the map `CommentRenderContext.sources` wants. The
 * entry's own u-url is used when it is on the source's site; a u-url elsewhere could name
 * any site as the reply's origin, so the source page is shown then.
 */
export async function replySources(webmentions: Pick<WebmentionRepository, 'replySources'>, postId: number, comments: ThreadComment[]): Promise<Map<number, string>> {
  if (!comments.some((c) => c.source === 'webmention')) return new Map();
  const originOf = (url: string) => URL.parse(url)?.origin;
  return new Map((await webmentions.replySources(postId)).map((r) => [r.commentId, r.url && originOf(r.url) === originOf(r.source) ? r.url : r.source]));
}

/**
 * Where the replies from the fediverse among `comments` came from (their author's handle and
 * the original's address), in one query, and none when no comment came from there.
 */
export async function fediverseOrigins(replies: Pick<FediverseReplyRepository, 'forComments'>, comments: ThreadComment[]): Promise<Map<number, FediverseComment>> {
  const ids = comments.filter((c) => c.source === 'activitypub').map((c) => c.id);
  if (ids.length === 0) return new Map();
  return new Map((await replies.forComments(ids)).map((link) => [link.commentId, link]));
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** What the writer of a comment that is not published reads on it (only they see it). */
function heldNote(status: Comment['status']): string {
  if (status === 'pending') return 'Only you can see this comment: it is waiting for the author to approve it.';
  return 'Only you can see this comment: it was not published (our automatic checks set it aside for the author to review).';
}

/** Beside a comment whose writer the team keeps notes about (staff pages only). */
export function noteBadge(personId: number, name: string): SafeHtml {
  return html`<a class="note-badge" href="/admin/people/${personId}" title="You have notes about ${name}">Note<span class="visually-hidden">s about ${name}</span></a>`;
}

const U_URL = html` class="u-url"`;

/** The thread page's own address as each comment's links start with it, escaped and encoded once per render. */
interface PageLinks {
  /** The post's first page: a conversation's first comment replies to it. */
  post: SafeHtml;
  /** `<page>#comment-`, before a comment's id. */
  comment: SafeHtml;
  /** `<page>?reply_to=` (or `&reply_to=` after a cursor), before a comment's id. */
  reply: SafeHtml;
}

const pageLinksOf = new WeakMap<CommentRenderContext, PageLinks>();
function pageLinks(ctx: CommentRenderContext): PageLinks {
  let links = pageLinksOf.get(ctx);
  if (!links) {
    const page = threadPageUrl(ctx.post, ctx.pageCursor);
    links = { post: encodedOnce(`/${ctx.post.slug}`), comment: encodedOnce(`${page}#comment-`), reply: encodedOnce(`${page}${ctx.pageCursor ? '&' : '?'}reply_to=`) };
    pageLinksOf.set(ctx, links);
  }
  return links;
}

/** One comment with its nested replies. */
export function commentView(node: ThreadNode, ctx: CommentRenderContext): SafeHtml {
  const c = node.comment;
  const isAuthor = c.userId !== null && (c.userId === ctx.post.authorId || ctx.staffIds.has(c.userId));
  const name = c.authorUrl
    ? html`<a class="p-name u-url" href="${c.authorUrl}" rel="ugc nofollow noopener">${c.authorName}</a>`
    : html`<span class="p-name">${c.authorName}</span>`;
  const links = pageLinks(ctx);
  const until = ctx.own?.get(c.id);
  // A reply received by webmention or from the fediverse lives at its source: that is its u-url; the permalink here stays a plain link.
  const remote = c.source === 'activitypub' ? ctx.fediverse?.get(c.id) : undefined;
  const original = c.source === 'webmention' ? ctx.sources?.get(c.id) : (remote?.url ?? undefined);
  return html`<li>
<article class="comment h-entry${isAuthor ? ' is-author' : ''}${c.status !== 'approved' ? ' is-held' : ''}" id="comment-${c.id}" data-comment-id="${c.id}" data-parent-id="${c.parentId}" data-author="${c.authorName}">
  <header class="comment-head">
    <span class="p-author h-card">${avatar(c, ctx.avatars)}${name}${remote?.handle ? html` <span class="comment-handle p-nickname">${remote.handle}</span>` : ''}</span>
    ${isAuthor ? html`<span class="badge" title="The author of this post">Author</span>` : ''}
    ${c.personId !== null && ctx.noted?.has(c.personId) ? noteBadge(c.personId, c.authorName) : ''}
    <time class="dt-published" datetime="${isoLocalHtml(c.createdAt)}"><a${original ? '' : U_URL} href="${links.comment}${c.id}" title="Permalink to this comment">${formatDateTimeHtml(c.createdAt)}</a></time>
    ${original ? html`<span class="comment-via">via <a class="u-url" href="${original}" rel="nofollow ugc noopener" title="${remote ? 'The original on the fediverse' : 'Where this reply was first published'}">${hostOf(original)}</a></span>` : ''}
    ${c.editedAt ? html`<span class="edited" title="Edited ${formatDateTime(c.editedAt)}">edited</span>` : ''}
  </header>
  ${node.inReplyTo ? html`<p class="in-reply-to">in reply to <a href="#comment-${node.inReplyTo.id}">${node.inReplyTo.authorName}</a></p>` : ''}
  ${c.status !== 'approved' ? html`<p class="held-note" role="status">${heldNote(c.status)}</p>` : ''}
  <data class="u-in-reply-to" value="${c.parentId === null ? links.post : links.comment}${c.parentId}"></data>
  <div class="comment-body e-content">${raw(c.html)}</div>
  <footer class="comment-actions">
    ${ctx.open && c.status === 'approved' ? html`<a class="reply-link" href="${links.reply}${c.id}#respond" data-reply-to="${c.id}">Reply<span class="visually-hidden"> to ${c.authorName}</span></a>` : ''}
    ${
      until
        ? html`<a href="/comments/${c.id}/edit" data-edit="${c.id}" data-until="${until}">Edit</a>
    <a href="/comments/${c.id}/delete" data-delete="${c.id}">Delete</a>
    <span class="edit-window">until ${formatDateTime(until)}</span>`
        : ''
    }
  </footer>
</article>
${node.replies.length > 0 ? html`<ol class="replies">${node.replies.map((r) => commentView(r, ctx))}</ol>` : ''}
</li>`;
}

export interface ThreadBlockOptions extends CommentRenderContext {
  thread: ThreadNode[];
  /** Approved comments on the whole post. */
  total: number;
  next: ThreadCursor | null;
}

/** Heading, the page's conversations and paging: the same for every reader, so it is cached as bytes. */
export function threadBlock(o: ThreadBlockOptions): SafeHtml {
  return html`<h2 id="comments-heading">${o.total === 0 ? 'No comments yet' : plural(o.total, 'comment', 'comments')}</h2>
  ${o.pageCursor === null ? '' : html`<p class="thread-pager"><a href="/${o.post.slug}#comments">← First conversations</a></p>`}
  <ol class="thread">${o.thread.map((n) => commentView(n, o))}</ol>
  ${o.next ? html`<p class="thread-pager"><a rel="next" href="${threadPageUrl(o.post, o.next)}#comments">Later conversations →</a></p>` : ''}`;
}

/** The comment section around the thread: live notice, and the form or why it is closed. */
export function conversationSection(post: Post, thread: SafeHtml, form: SafeHtml | null, closedReason: string | null): SafeHtml {
  return html`<section class="conversation" id="comments" aria-labelledby="comments-heading" data-post-id="${post.id}">
  ${thread}
  <div class="live-notice" id="live-notice" hidden><button type="button" class="secondary" id="live-show"></button></div>
  <p class="live-off" id="live-off" hidden>New comments do not appear here by themselves right now. <button type="button" class="secondary" id="live-reload">Reload to see new comments</button></p>
  ${closedReason ? html`<p class="comments-closed">${closedReason}</p>` : (form ?? '')}
</section>`;
}

export interface CommentFormOptions {
  post: Post;
  /** Signed token proving when the form was served (filled in fresh for cached pages). */
  formToken: string;
  /** The comment being answered (no-JS reply links). */
  replyTo: Comment | null;
  /** Signed-in user: post as them, no name or email fields. */
  signedInAs: { name: string; csrf: string } | null;
  values?: Partial<Record<'name' | 'email' | 'website' | 'body', string>>;
  errors?: Record<string, string>;
  message?: string;
}

/** The comment form: works as a plain form; comments.js adds posting in place and "remember me". */
export function commentForm(o: CommentFormOptions): SafeHtml {
  const v = o.values ?? {};
  const e = o.errors ?? {};
  const err = (field: string) => (e[field] ? html`<p class="field-error" id="c-${field}-error">${e[field]}</p>` : '');
  const invalid = (field: string, hint = '') => (e[field] ? html` aria-invalid="true" aria-describedby="${hint ? `${hint} ` : ''}c-${field}-error"` : hint ? html` aria-describedby="${hint}"` : '');
  return html`<form class="comment-form" id="respond" method="post" action="/comments" novalidate>
  <h3 id="respond-heading">${o.replyTo ? html`Reply to ${o.replyTo.authorName}` : 'Join the conversation'}</h3>
  ${o.message ? html`<p class="notice error" role="alert">${o.message}</p>` : ''}
  <input type="hidden" name="postId" value="${o.post.id}">
  <input type="hidden" name="parentId" value="${o.replyTo?.id ?? ''}" id="c-parent">
  <input type="hidden" name="formToken" value="${o.formToken}">
  ${o.signedInAs ? html`<input type="hidden" name="_csrf" value="${o.signedInAs.csrf}">` : ''}
  ${o.replyTo ? html`<p class="replying-to">Replying to <a href="#comment-${o.replyTo.id}">${o.replyTo.authorName}</a> · <a href="/${o.post.slug}#respond" data-cancel-reply>Cancel</a></p>` : html`<p class="replying-to" hidden></p>`}
  ${
    o.signedInAs
      ? html`<p class="signed-in-as">Commenting as <strong>${o.signedInAs.name}</strong> (marked as the author’s).</p>`
      : html`<div class="comment-fields">
    <div class="field"><label for="c-name">Name</label><input id="c-name" name="name" type="text" autocomplete="name" required maxlength="80" value="${v.name ?? ''}"${invalid('name')}>${err('name')}</div>
    <div class="field"><label for="c-email">Email <span class="hint-inline">(never shown)</span></label><input id="c-email" name="email" type="email" autocomplete="email" required maxlength="254" value="${v.email ?? ''}"${invalid('email')}>${err('email')}</div>
    <div class="field"><label for="c-website">Website <span class="hint-inline">(optional)</span></label><input id="c-website" name="website" type="url" autocomplete="url" maxlength="300" placeholder="https://" value="${v.website ?? ''}"${invalid('website')}>${err('website')}</div>
  </div>
  <div class="hp" aria-hidden="true"><label for="c-hp">Leave this empty</label><input id="c-hp" name="honeypot" tabindex="-1" autocomplete="off"></div>`
  }
  <div class="field"><label for="c-body">Comment</label><textarea id="c-body" name="body" rows="6" required maxlength="10000"${invalid('body', 'c-body-hint')}>${v.body ?? ''}</textarea>
    <p class="hint" id="c-body-hint">*emphasis*, **bold**, [links](https://…), \`code\`, &gt; quotes and lists work. No images or HTML.</p>${err('body')}</div>
  ${
    o.signedInAs
      ? ''
      : html`<fieldset class="comment-options">
    <legend class="visually-hidden">Options</legend>
    <label class="check"><input type="checkbox" name="subscribeReplies" value="1"> Email me replies to my comment</label>
    <label class="check"><input type="checkbox" name="subscribePost" value="1"> Email me all new comments on this post</label>
    <label class="check" data-remember hidden><input type="checkbox" name="remember" value="1"> Remember my name, email and website on this device</label>
  </fieldset>`
  }
  <div class="form-actions"><button type="submit">Post comment</button><span class="form-status" role="status" aria-live="polite"></span></div>
</form>`;
}
