import { Hono, type Context } from 'hono';
import { MODERATION_LINK_PURPOSE, type LinkAction } from '../../core/notification-service.ts';
import { verifyLink } from '../../core/signed-link.ts';
import type { Comment } from '../../core/store.ts';
import type { AppEnv, WebDeps } from '../context.ts';
import type { SafeHtml } from '../html.ts';
import { errorPage } from '../views/error-page.ts';
import { confirmEmailAskPage, emailConfirmedPage, moderateAskPage, moderatedPage, unsubscribeAskPage, unsubscribedPage } from '../views/mail-pages.ts';

/**
 * The single place where a moderation link from an email changes a comment: through the
 * comment service, so the filter learns, subscribers are told and caches clear as for
 * any moderator's decision.
 */
export async function moderateFromLink(deps: WebDeps, commentId: number, action: LinkAction): Promise<void> {
  await deps.comments.moderate([commentId], action);
}

/** Pages carrying a secret token in their address: private, not kept, not indexed. */
function privatePage(c: Context<AppEnv>, page: SafeHtml, status: 200 | 404 | 410 = 200) {
  return c.html(page.value, status, { 'Cache-Control': 'no-store', 'X-Robots-Tag': 'noindex' });
}

async function linkError(c: Context<AppEnv>, status: 404 | 410, message: string) {
  return privatePage(c, await errorPage(c, status, message), status);
}

const notValid = 'This link is not valid. Copy the whole address from the email, or ask for a new email.';

const linkActions = new Set<string>(['approve', 'spam', 'trash']);

/** The comment and action a signed moderation link names, or why it cannot be used. */
async function moderationTarget(c: Context<AppEnv>): Promise<{ ok: true; comment: Comment; action: LinkAction } | { ok: false; response: Response }> {
  const { secret, clock, store } = c.get('deps');
  const check = verifyLink(secret, MODERATION_LINK_PURPOSE, c.req.param('token') ?? '', clock.now());
  if (!check.ok) {
    const response = check.reason === 'expired' ? await linkError(c, 410, 'This moderation link has expired. Moderate the comment from the admin instead.') : await linkError(c, 404, notValid);
    return { ok: false, response };
  }
  const { c: commentId, a: action } = check.payload;
  if (typeof commentId !== 'number' || typeof action !== 'string' || !linkActions.has(action)) return { ok: false, response: await linkError(c, 404, notValid) };
  const comment = await store.comments.findById(commentId);
  if (!comment) return { ok: false, response: await linkError(c, 404, 'That comment no longer exists.') };
  return { ok: true, comment, action: action as LinkAction };
}

/**
 * Links in emails: unsubscribe (and RFC 8058 one-click POST), address confirmation and
 * moderation. Opening a link (GET) only shows what it would do and a button; only the
 * POST acts, so a mail scanner that opens every link changes nothing. The secret in the
 * link authorises the POST (verifyCsrf checks its origin, not a cookie token: the person
 * may be signed out, in another browser than the one the mail was read in).
 */
export function mailLinkRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/unsubscribe/:token{[A-Za-z0-9_-]{1,200}}', async (c) => {
    const token = c.req.param('token');
    const found = await c.get('deps').mail.subscriptions.describe(token);
    if (!found) return linkError(c, 404, notValid);
    return privatePage(c, unsubscribeAskPage(c, found.subscription, found.post, token));
  });

  app.post('/unsubscribe/:token{[A-Za-z0-9_-]{1,200}}', async (c) => {
    const result = await c.get('deps').mail.subscriptions.unsubscribe(c.req.param('token'));
    if (!result.ok) return linkError(c, 404, notValid);
    c.get('deps').logger.info({ subscriptionId: result.subscription.id, kind: result.subscription.kind }, 'unsubscribed');
    return privatePage(c, unsubscribedPage(c, result.subscription, result.post));
  });

  app.get('/confirm-email/:token{[A-Za-z0-9_-]{1,200}}', async (c) => {
    const token = c.req.param('token');
    const address = await c.get('deps').mail.subscriptions.addressForToken(token);
    if (!address) return linkError(c, 404, notValid);
    if (address.confirmedAt !== null) return privatePage(c, emailConfirmedPage(c, address.email));
    return privatePage(c, confirmEmailAskPage(c, address.email, token));
  });

  app.post('/confirm-email/:token{[A-Za-z0-9_-]{1,200}}', async (c) => {
    const result = await c.get('deps').mail.subscriptions.confirm(c.req.param('token'));
    if (!result.ok) return linkError(c, 404, notValid);
    return privatePage(c, emailConfirmedPage(c, result.address.email));
  });

  app.get('/moderate/:token{[A-Za-z0-9_.-]{1,2100}}', async (c) => {
    const target = await moderationTarget(c);
    if (!target.ok) return target.response;
    const post = await c.get('deps').store.posts.findById(target.comment.postId);
    return privatePage(c, moderateAskPage(c, target.comment, post, target.action, c.req.param('token')));
  });

  app.post('/moderate/:token{[A-Za-z0-9_.-]{1,2100}}', async (c) => {
    const target = await moderationTarget(c);
    if (!target.ok) return target.response;
    const deps = c.get('deps');
    await moderateFromLink(deps, target.comment.id, target.action);
    const comment = (await deps.store.comments.findById(target.comment.id)) ?? target.comment;
    const post = await deps.store.posts.findById(comment.postId);
    deps.logger.info({ commentId: comment.id, action: target.action }, 'comment moderated from an email link');
    return privatePage(c, moderatedPage(c, comment, post, target.action));
  });

  return app;
}
