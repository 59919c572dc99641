import type { Clock } from './clock.ts';
import { oneLine, renderEmail } from './email-content.ts';
import { DomainError, notFound } from './errors.ts';
import type { EmailAddress, OutboxWrite, Post, Store, Subscription, SubscriptionKind } from './store.ts';
import { randomToken } from './tokens.ts';

export interface SubscriptionServiceDeps {
  store: Store;
  clock: Clock;
  /** Public base URL without a trailing slash (read when needed: it may be settled after start). */
  siteUrl: () => string;
  site: () => Promise<{ title: string }>;
}

export interface SubscriptionRequest {
  email: string;
  /** 'post': every new comment on the post; 'replies': replies to `commentId`. */
  kind: SubscriptionKind;
  postId: number;
  commentId: number | null;
}

export interface SubscriptionContext {
  /** The store of the caller's transaction (the comment's), so the subscription commits with it. */
  store: Store;
  site: { title: string };
  siteUrl: string;
  now: number;
}

export type ConfirmResult = { ok: true; address: EmailAddress } | { ok: false; reason: 'unknown-token' };

export type UnsubscribeResult =
  | { ok: true; subscription: Subscription; post: Post | null; alreadyUnsubscribed: boolean }
  | { ok: false; reason: 'unknown-token' };

const emailPattern = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;

/**
 * Records a subscription and makes sure its address is known. An address not yet
 * confirmed gets one confirmation email (one per address, ever: its idempotency key is
 * the address); a confirmed address is not asked again.
 */
export async function requestSubscription(request: SubscriptionRequest, context: SubscriptionContext): Promise<{ subscription: Subscription; confirmationSent: boolean }> {
  const { store, now } = context;
  const email = request.email.trim().toLowerCase();
  if (!emailPattern.test(email) || email.length > 254) {
    throw new DomainError('validation_failed', 'That email address does not look right.', { email: 'Enter an address like name@example.com.' });
  }
  const post = await store.posts.findById(request.postId);
  if (!post || post.deletedAt !== null) throw notFound('The post');
  if (request.kind === 'replies') {
    const comment = request.commentId === null ? null : await store.comments.findById(request.commentId);
    if (!comment || comment.postId !== post.id) throw notFound('The comment');
  } else if (request.commentId !== null) {
    throw new DomainError('validation_failed', 'A subscription to a post names no comment.');
  }
  const address = await store.subscriptions.ensureAddress(email, randomToken(24), now);
  const subscription = await store.subscriptions.subscribe({ kind: request.kind, email, postId: post.id, commentId: request.kind === 'replies' ? request.commentId : null, token: randomToken(24), createdAt: now });
  if (address.confirmedAt !== null) return { subscription, confirmationSent: false };
  await store.outbox.enqueue(confirmationEmail(address, request.kind, post, context), now);
  return { subscription, confirmationSent: true };
}

export function confirmationEmail(address: EmailAddress, kind: SubscriptionKind, post: Post, context: Pick<SubscriptionContext, 'site' | 'siteUrl'>): OutboxWrite {
  const { site, siteUrl } = context;
  const what = kind === 'replies' ? `replies to your comment on “${post.title}”` : `new comments on “${post.title}”`;
  const subject = oneLine(`Confirm your email address for ${site.title}`);
  const content = renderEmail({
    title: subject,
    blocks: [
      { type: 'paragraph', text: `Someone, hopefully you, asked ${site.title} to email ${address.email} about ${what}.` },
      { type: 'link', label: 'Yes, email me', url: `${siteUrl}/confirm-email/${address.confirmToken}` },
      { type: 'paragraph', text: 'You confirm once; after that, every subscription you choose on this site simply works, and each email has a link to stop it.' },
      { type: 'paragraph', text: 'If it was not you, ignore this email: nothing more will be sent to this address.' },
    ],
    signature: site.title,
  });
  return { idempotencyKey: `confirm:${address.email}`, kind: 'confirm-email', to: address.email, subject, ...content, headers: { 'Auto-Submitted': 'auto-generated' } };
}

/**
 * Readers' email subscriptions: "email me replies to my comment" and "email me new
 * comments on this post". Double opt-in, once per address: the first subscription of an
 * address sends one confirmation email; once confirmed, every subscription of that
 * address (earlier or later) takes effect without asking again.
 */
export class SubscriptionService {
  private readonly deps: SubscriptionServiceDeps;

  constructor(deps: SubscriptionServiceDeps) {
    this.deps = deps;
  }

  /** `requestSubscription` with this service's store, clock and site. */
  async requestSubscription(request: SubscriptionRequest): Promise<{ subscription: Subscription; confirmationSent: boolean }> {
    const { store, clock, site, siteUrl } = this.deps;
    return requestSubscription(request, { store, site: await site(), siteUrl: siteUrl(), now: clock.now() });
  }

  /** The address a confirmation link is for, for the page that asks before confirming. */
  async addressForToken(token: string): Promise<EmailAddress | null> {
    return this.deps.store.subscriptions.findAddressByToken(token);
  }

  /** The button behind the link in the confirmation email. Confirming twice is fine. */
  async confirm(token: string): Promise<ConfirmResult> {
    const { store, clock } = this.deps;
    const address = await store.subscriptions.findAddressByToken(token);
    if (!address) return { ok: false, reason: 'unknown-token' };
    await store.transaction(async (tx) => {
      await tx.subscriptions.confirmAddress(address.email, clock.now());
      // The address is proven now: the person who gave it holds it verified (core/people.ts).
      await tx.people.verifyEmail(address.email, clock.now());
    });
    return { ok: true, address: (await store.subscriptions.findAddress(address.email))! };
  }

  /** What an unsubscribe link is about, for the page that asks before unsubscribing. */
  async describe(token: string): Promise<{ subscription: Subscription; post: Post | null } | null> {
    const subscription = await this.deps.store.subscriptions.findByToken(token);
    if (!subscription) return null;
    return { subscription, post: await this.deps.store.posts.findById(subscription.postId) };
  }

  /** The link in every notification, and RFC 8058 one-click unsubscribe. Unsubscribing twice is fine. */
  async unsubscribe(token: string): Promise<UnsubscribeResult> {
    const { store, clock } = this.deps;
    const before = await store.subscriptions.findByToken(token);
    if (!before) return { ok: false, reason: 'unknown-token' };
    const subscription = (await store.subscriptions.unsubscribe(token, clock.now()))!;
    return { ok: true, subscription, post: await store.posts.findById(subscription.postId), alreadyUnsubscribed: before.unsubscribedAt !== null };
  }
}
