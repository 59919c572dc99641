import { Hono, type Context } from 'hono';
import { streamApprovedComments } from '../approved-comments-stream.ts';
import type { SubmitContext } from '../../core/comment-service.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import { toId } from '../../core/ids.ts';
import { mayRead } from '../../core/post-service.ts';
import { isProtected, type Comment, type CommentStatus, type Post } from '../../core/store.ts';
import { storageUnavailable } from '../../adapters/storage/storage-errors.ts';
import { clientIp } from '../client-ip.ts';
import type { AppEnv } from '../context.ts';
import { readJsonBody, statusFor } from '../errors.ts';
import { html } from '../html.ts';
import { commentForm, commentView, fediverseOrigins, replySources, threadPageUrl } from '../views/comment-views.ts';
import { notice } from '../views/forms.ts';
import { formatDateTime } from '../views/format.ts';
import { layout } from '../views/layout.ts';
import { holdsSecretOf, ownComments, ownSecret, rememberOwnComment } from './own-comments.ts';
import { passwordEntered } from '../post-password.ts';

type C = Context<AppEnv>;

/** The `:id` (or other) path parameter as a comment or post id; a number no record can have is a 404. */
function idParam(c: C, name = 'id'): number {
  const id = toId(c.req.param(name));
  if (id === null) throw notFound('The comment');
  return id;
}

const wantsJson = (c: C) => (c.req.header('accept') ?? '').includes('application/json') || (c.req.header('content-type') ?? '').startsWith('application/json');

const sentAsJson = (c: C) => (c.req.header('content-type') ?? '').startsWith('application/json');

/** The fields of a JSON body (none when it is not an object). */
async function jsonFields(c: C): Promise<Record<string, unknown>> {
  const body = await readJsonBody(c);
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
}

async function readInput(c: C): Promise<Record<string, unknown>> {
  if (sentAsJson(c)) return jsonFields(c);
  const form = await c.req.parseBody();
  const text = (name: string) => (typeof form[name] === 'string' ? (form[name] as string) : '');
  return {
    postId: text('postId'),
    parentId: text('parentId') || null,
    name: text('name'),
    email: text('email'),
    website: text('website'),
    body: text('body'),
    honeypot: text('honeypot'),
    formToken: text('formToken'),
    subscribeReplies: text('subscribeReplies') !== '',
    subscribePost: text('subscribePost') !== '',
  };
}

async function staffIds(c: C, post: Post): Promise<Set<number>> {
  const staff = await c.get('deps').store.users.list();
  return new Set(staff.filter((u) => u.role !== 'moderator' || u.id === post.authorId).map((u) => u.id));
}

/** Where a comment lives: its post's thread page that holds its conversation, with the anchor. */
async function permalinkOf(c: C, comment: Comment, post: Post): Promise<string> {
  const { comments } = c.get('deps');
  const settings = await c.get('deps').commentSettings();
  const { conversationsBefore } = await comments.locate(comment.id);
  const pageStart = Math.floor(conversationsBefore / settings.conversationsPerPage) * settings.conversationsPerPage;
  const cursor = await c.get('deps').store.comments.cursorAt(post.id, pageStart);
  return `${threadPageUrl(post, cursor)}#comment-${comment.id}`;
}

/** One comment as the thread shows it, for inserting in place (posting with JS, live updates). */
async function fragment(c: C, comment: Comment, post: Post, own: Map<number, number>): Promise<string> {
  const settings = await c.get('deps').commentSettings();
  return commentView(
    { comment, replies: [], inReplyTo: null },
    // Only a signed-in user's comment can be marked as the staff's: a reader's needs no lookup.
    { post, staffIds: comment.userId === null ? new Set<number>() : await staffIds(c, post), avatars: settings.avatars, pageCursor: null, open: true, own, sources: await replySources(c.get('deps').store.webmentions, post.id, [comment]), fediverse: await fediverseOrigins(c.get('deps').store.fediverseReplies, [comment]) },
  ).value;
}

/** The fields of a form or JSON request body (Hono keeps the parsed body, so reading twice is free). */
async function fields(c: C): Promise<Record<string, unknown>> {
  if (c.req.method !== 'POST') return {};
  if (sentAsJson(c)) return jsonFields(c);
  return c.req.parseBody();
}

/** The secret proving this browser wrote comment `id`: its cookie, or `secret` sent with the request. */
async function secretFor(c: C, id: number): Promise<string> {
  const secret = ownSecret(c, id) ?? (await fields(c)).secret;
  if (typeof secret !== 'string' || secret === '') {
    throw new DomainError('forbidden', 'Only the person who wrote this comment can change it, from the browser they wrote it in.');
  }
  return secret;
}

/**
 * The post `comment` belongs to, if this visitor may read it (as its page decides: live, or
 * previewed by staff). A comment of a draft, scheduled or trashed post is not found.
 */
async function readablePost(c: C, postId: number): Promise<Post> {
  const post = await c.get('deps').store.posts.findById(postId);
  // A post this visitor may not read (not live, or protected by a password they have not entered) has no comments for them.
  if (!post || !mayRead(c.get('user'), post, c.get('deps').clock.now()) || !passwordEntered(c, post)) throw notFound('The comment');
  return post;
}

function simplePage(c: C, title: string, body: ReturnType<typeof html>, status: 200 | 403 | 404 | 409 | 422 | 429 | 503 = 200) {
  c.header('Cache-Control', 'private, no-store');
  return c.html(layout(c, { title, body, head: html`<meta name="robots" content="noindex">` }).value, status);
}

/**
 * What the reader is told about where their comment went, and it is always where it
 * went: published, held for the author (pending), or set aside by the spam checks. The
 * last says it was not published without saying which check caught it, so that a
 * spammer learns nothing to work around, while a person wrongly caught knows the author
 * may still let it through.
 */
function outcomeOf(status: CommentStatus): { status: 'approved' | 'pending' | 'not-published'; title: string; message: string } {
  if (status === 'approved') return { status: 'approved', title: 'Your comment is published', message: 'Thank you! Your comment is published.' };
  if (status === 'pending') {
    return { status: 'pending', title: 'Your comment is waiting for approval', message: 'Thank you! Your comment is waiting for the author to approve it; only you can see it until then.' };
  }
  return {
    status: 'not-published',
    title: 'Your comment was not published',
    message: 'Your comment was not published: our automatic checks set it aside. It will appear only if the author reviews it and lets it through.',
  };
}

/** What a reader who asked for email is told at once: the mail to confirm the address is on its way. */
const confirmationText = (email: string) => `We sent an email to ${email}: open the link in it to confirm your address, and the emails you asked for will follow. Nothing is sent until you do.`;

/** Posting, editing and deleting comments, their permalinks, and the live stream of new ones. */
export function commentRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/comments', async (c) => {
    const deps = c.get('deps');
    const input = await readInput(c);
    const postId = toId(input.postId);
    // Read once until a change is published, as the post's page and the comment settings
    // are (a comment's post is read on every comment: a round trip less on PostgreSQL).
    const post = postId === null ? null : await deps.conversationCache.postData(`post-id:${postId}`, () => deps.store.posts.findById(postId));
    // A post this visitor may not read is not there: not even its title is shown back.
    if (!post || !mayRead(c.get('user'), post, deps.clock.now())) throw notFound('The post');
    if (!passwordEntered(c, post)) throw new DomainError('forbidden', 'This post is password protected: enter its password on the post’s page before commenting.');
    const ctx: SubmitContext = { ip: clientIp(c), userAgent: c.req.header('user-agent') ?? '', referrer: c.req.header('referer') ?? '', user: c.get('user') };
    const permalink = `${deps.config.siteUrl}/${post.slug}`;
    try {
      const { comment, editSecret, confirmationSentTo } = await deps.comments.submit(input, ctx, permalink, post);
      const settings = await deps.commentSettings();
      if (editSecret) rememberOwnComment(c, comment.id, editSecret, settings.editWindowMinutes);
      const own = new Map<number, number>();
      if (editSecret) own.set(comment.id, comment.createdAt + settings.editWindowMinutes * 60_000);
      const held = comment.status !== 'approved';
      const outcome = outcomeOf(comment.status);
      const message = `${outcome.message}${confirmationSentTo ? ` ${confirmationText(confirmationSentTo)}` : ''}`;
      // Without JavaScript, a reader asked to confirm an address lands where that is said (their comment's own page).
      const url = held || confirmationSentTo ? `/comments/${comment.id}/pending${confirmationSentTo ? '?confirmation=sent' : ''}` : await permalinkOf(c, comment, post);
      if (wantsJson(c)) {
        return c.json(
          {
            comment: { id: comment.id, status: outcome.status, parentId: comment.parentId, url },
            html: await fragment(c, comment, post, own),
            message,
            confirmationSentTo,
            editSecret,
            editableUntil: editSecret ? comment.createdAt + settings.editWindowMinutes * 60_000 : null,
          },
          201,
        );
      }
      return c.redirect(url, 303);
    } catch (caught) {
      const error = storageUnavailable(caught, 'Your comment was not saved, and your text is still here.') ?? caught;
      if (!(error instanceof DomainError) || wantsJson(c)) throw error;
      if (!['validation_failed', 'rate_limited', 'comments_closed', 'storage_unavailable'].includes(error.code)) throw error;
      // Without JavaScript: show the form again with everything the reader wrote.
      const retry = error.context.retryAfterSeconds;
      if (typeof retry === 'number') c.header('Retry-After', String(retry));
      const values = { name: String(input.name ?? ''), email: String(input.email ?? ''), website: String(input.website ?? ''), body: String(input.body ?? '') };
      const parentId = toId(input.parentId);
      const replyTo = parentId === null ? null : await deps.store.comments.findById(parentId);
      const user = c.get('user');
      return simplePage(
        c,
        'Check your comment',
        html`<div class="narrow-wide">
<p><a href="/${post.slug}">← ${post.title}</a></p>
${commentForm({
  post,
  formToken: String(input.formToken ?? '') || deps.spam.issueFormToken(post.id, deps.clock.now()),
  replyTo: replyTo && replyTo.postId === post.id ? replyTo : null,
  signedInAs: user ? { name: user.name, csrf: c.get('session')!.csrfToken } : null,
  values,
  errors: error.fields,
  message: error.message,
})}
</div>`,
        statusFor[error.code] as 403 | 422 | 429 | 503,
      );
    }
  });

  // Approved comments of one post, live, as server-sent events. Each event carries its id
  // in the change log, so a browser that reconnects (EventSource does, sending the last id
  // as Last-Event-ID, to whichever instance answers) is sent what it missed.
  app.get('/comments/live/:postId{[0-9]+}', async (c) => {
    const postId = idParam(c, 'postId');
    await readablePost(c, postId);
    return streamApprovedComments(c, postId);
  });

  app.get('/comments/:id{[0-9]+}/fragment', async (c) => {
    const { store } = c.get('deps');
    const comment = await store.comments.findById(idParam(c));
    if (!comment || comment.status !== 'approved') throw notFound('The comment');
    const post = await readablePost(c, comment.postId);
    c.header('Cache-Control', isProtected(post) ? 'private, no-store' : 'public, max-age=5');
    return c.html(await fragment(c, comment, post, await ownComments(c, post.id)));
  });

  app.get('/comments/token/:postId{[0-9]+}', (c) => {
    const { spam, clock } = c.get('deps');
    c.header('Cache-Control', 'no-store');
    return c.json({ formToken: spam.issueFormToken(Number(c.req.param('postId')), clock.now()) });
  });

  // A permalink that works from anywhere (emails, feeds): it finds the page holding the comment.
  app.get('/comments/:id{[0-9]+}', async (c) => {
    const { store } = c.get('deps');
    const comment = await store.comments.findById(idParam(c));
    if (!comment || comment.status !== 'approved') throw notFound('The comment');
    return c.redirect(await permalinkOf(c, comment, await readablePost(c, comment.postId)), 302);
  });

  app.get('/comments/:id{[0-9]+}/pending', async (c) => {
    const { store } = c.get('deps');
    const id = idParam(c);
    const comment = await store.comments.findById(id);
    // Only the browser holding this comment's own secret (compared in constant time) sees it.
    if (!comment || comment.status === 'trash' || !holdsSecretOf(c, comment)) throw notFound('The comment');
    const post = await readablePost(c, comment.postId);
    const own = await ownComments(c, post.id);
    // Only the writer reaches this page (their cookie), so it may name the address they gave.
    const confirmation = c.req.query('confirmation') === 'sent' ? comment.authorEmail : null;
    if (comment.status === 'approved' && !confirmation) return c.redirect(await permalinkOf(c, comment, post), 303);
    const held = comment.status !== 'approved';
    const outcome = outcomeOf(comment.status);
    return simplePage(
      c,
      outcome.title,
      html`<h1>Thank you, ${comment.authorName}</h1>
${held ? notice('info', outcome.message) : notice('ok', html`Your comment is published. <a href="${await permalinkOf(c, comment, post)}">See it in the conversation</a>.`)}
${confirmation ? notice('info', confirmationText(confirmation)) : ''}
${held ? html`<ol class="thread">${commentView({ comment, replies: [], inReplyTo: null }, { post, staffIds: new Set(), avatars: 'local', pageCursor: null, open: false, own })}</ol>` : ''}
<p><a href="/${post.slug}#comments">Back to “${post.title}”</a></p>`,
    );
  });

  async function ownFromRequest(c: C, id: number): Promise<{ secret: string; comment: Comment; editableUntil: number; post: Post }> {
    const secret = await secretFor(c, id);
    const { comment, editableUntil } = await c.get('deps').comments.ownComment(id, secret);
    return { secret, comment, editableUntil, post: await readablePost(c, comment.postId) };
  }

  app.get('/comments/:id{[0-9]+}/edit', async (c) => {
    const { comment, editableUntil, post } = await ownFromRequest(c, idParam(c));
    return simplePage(
      c,
      'Edit your comment',
      html`<h1>Edit your comment</h1>
<p>On <a href="/${post.slug}#comment-${comment.id}">${post.title}</a>. You can change it until ${formatDateTime(editableUntil)}.</p>
<form method="post" action="/comments/${comment.id}/edit" class="comment-form">
  <div class="field"><label for="e-body">Comment</label><textarea id="e-body" name="body" rows="8" required maxlength="10000">${comment.markdown}</textarea></div>
  <div class="form-actions"><button type="submit">Save changes</button> <a href="/${post.slug}#comment-${comment.id}">Cancel</a></div>
</form>`,
    );
  });

  app.post('/comments/:id{[0-9]+}/edit', async (c) => {
    const id = idParam(c);
    const json = wantsJson(c);
    const body = await fields(c);
    const { secret, post } = await ownFromRequest(c, id);
    const updated = await c.get('deps').comments.editOwn(id, secret, typeof body.body === 'string' ? body.body : '');
    if (json) return c.json({ comment: { id: updated.id, status: updated.status }, html: await fragment(c, updated, post, await ownComments(c, post.id)) });
    return c.redirect(updated.status === 'approved' ? await permalinkOf(c, updated, post) : `/comments/${id}/pending`, 303);
  });

  app.get('/comments/:id{[0-9]+}/delete', async (c) => {
    const { comment, post } = await ownFromRequest(c, idParam(c));
    return simplePage(
      c,
      'Delete your comment?',
      html`<h1>Delete your comment?</h1>
<p>Your comment on <a href="/${post.slug}#comment-${comment.id}">${post.title}</a> will be removed from the page.</p>
<form method="post" action="/comments/${comment.id}/delete"><button type="submit" class="danger">Delete my comment</button> <a href="/${post.slug}#comment-${comment.id}">Keep it</a></form>`,
    );
  });

  app.post('/comments/:id{[0-9]+}/delete', async (c) => {
    const id = idParam(c);
    const { secret, post } = await ownFromRequest(c, id);
    await c.get('deps').comments.deleteOwn(id, secret);
    if (wantsJson(c)) return c.json({ deleted: true });
    return c.redirect(`/${post.slug}#comments`, 303);
  });

  return app;
}
