import type { Context } from 'hono';
import type { LinkAction } from '../../core/notification-service.ts';
import type { Comment, Post, Subscription } from '../../core/store.ts';
import type { AppEnv } from '../context.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout } from './layout.ts';

/** The small pages behind links in emails: private, never indexed. */
function mailPage(c: Context<AppEnv>, title: string, body: SafeHtml): SafeHtml {
  return layout(c, {
    title,
    head: html`<meta name="robots" content="noindex">`,
    body: html`<section class="card narrow-wide mail-link-page">
${body}
</section>`,
  });
}

const postLink = (post: Post | null) => (post ? html`“<a href="/${post.slug}">${post.title}</a>”` : 'a post that no longer exists');

function whatItIsAbout(subscription: Subscription, post: Post | null): SafeHtml {
  return subscription.kind === 'replies' ? html`replies to your comment on ${postLink(post)}` : html`new comments on ${postLink(post)}`;
}

/** GET /unsubscribe/:token — asks first, so a link scanner opening it changes nothing. */
export function unsubscribeAskPage(c: Context<AppEnv>, subscription: Subscription, post: Post | null, token: string): SafeHtml {
  if (subscription.unsubscribedAt !== null) {
    return mailPage(c, 'Unsubscribed', html`<h1>You are unsubscribed</h1>
<p><strong>${subscription.email}</strong> gets no more emails about ${whatItIsAbout(subscription, post)}.</p>`);
  }
  return mailPage(c, 'Unsubscribe', html`<h1>Stop these emails?</h1>
<p><strong>${subscription.email}</strong> gets an email about ${whatItIsAbout(subscription, post)}.</p>
<form method="post" action="/unsubscribe/${token}" class="form-actions">
  <button type="submit">Unsubscribe</button>
</form>`);
}

/** After POST /unsubscribe/:token (the button above, or a mail client's one-click POST). */
export function unsubscribedPage(c: Context<AppEnv>, subscription: Subscription, post: Post | null): SafeHtml {
  return mailPage(c, 'Unsubscribed', html`<h1>You are unsubscribed</h1>
<p role="status"><strong>${subscription.email}</strong> gets no more emails about ${whatItIsAbout(subscription, post)}.</p>
<p>Changed your mind? Tick the box again the next time you comment.</p>`);
}

/** GET /confirm-email/:token — asks first, so a link scanner opening it confirms nothing. */
export function confirmEmailAskPage(c: Context<AppEnv>, email: string, token: string): SafeHtml {
  return mailPage(c, 'Confirm your email address', html`<h1>Confirm your email address?</h1>
<p>${c.get('site').title} will email <strong>${email}</strong> about what you asked for, and only that. Every email has a link to stop it.</p>
<form method="post" action="/confirm-email/${token}" class="form-actions">
  <button type="submit">Yes, email me</button>
</form>
<p>If you did not ask for this, close this page: nothing will be sent.</p>`);
}

export function emailConfirmedPage(c: Context<AppEnv>, email: string): SafeHtml {
  return mailPage(c, 'Email confirmed', html`<h1>Thank you: your address is confirmed</h1>
<p role="status">${c.get('site').title} will email <strong>${email}</strong> about what you asked for. Every email has a link to stop it.</p>
<p><a href="/">Back to the site</a></p>`);
}

const actionWords: Record<LinkAction, { ask: string; button: string; done: string }> = {
  approve: { ask: 'Approve this comment?', button: 'Approve', done: 'Approved: the comment is live.' },
  spam: { ask: 'Mark this comment as spam?', button: 'Mark as spam', done: 'Marked as spam. It can be restored from the moderation inbox.' },
  trash: { ask: 'Move this comment to the trash?', button: 'Move to trash', done: 'Moved to the trash. It can be restored for 30 days.' },
};

const statusWords: Record<Comment['status'], string> = { pending: 'held for moderation', approved: 'approved', spam: 'spam', trash: 'in the trash' };

/** GET /moderate/:token — shows the comment and a button; only the POST changes anything. */
export function moderateAskPage(c: Context<AppEnv>, comment: Comment, post: Post | null, action: LinkAction, token: string): SafeHtml {
  const words = actionWords[action];
  return mailPage(c, words.ask, html`<h1>${words.ask}</h1>
<p>By <strong>${comment.authorName}</strong> on ${postLink(post)}; it is ${statusWords[comment.status]} now.</p>
<blockquote class="moderated-comment">${comment.markdown}</blockquote>
<form method="post" action="/moderate/${token}" class="form-actions">
  <button type="submit"${action === 'approve' ? '' : html` class="danger"`}>${words.button}</button>
  <a href="/admin">Open the admin instead</a>
</form>`);
}

export function moderatedPage(c: Context<AppEnv>, comment: Comment, post: Post | null, action: LinkAction): SafeHtml {
  const link = post && comment.status === 'approved' ? html`<p><a href="/${post.slug}#comment-${comment.id}">See it on the post</a></p>` : '';
  return mailPage(c, 'Done', html`<h1>Done</h1>
<p role="status">${actionWords[action].done}</p>
${link}
<p><a href="/admin">Open the admin</a></p>`);
}
