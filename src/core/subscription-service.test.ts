import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { MemoryStore } from '../adapters/storage/memory-store.ts';
import type { Comment, Post, Store } from './store.ts';
import { SubscriptionService } from './subscription-service.ts';
import { DomainError } from './errors.ts';

const NOW = Date.UTC(2024, 0, 15, 12);

let store: Store;
let service: SubscriptionService;
let post: Post;
let comment: Comment;
let now = NOW;

beforeEach(async () => {
  now = NOW;
  store = new MemoryStore();
  service = new SubscriptionService({ store, clock: { now: () => now }, site: async () => ({ title: 'Mack’s <Blog>' }), siteUrl: () => 'https://blog.example.com' });
  const user = await store.users.create({ email: 'mack@example.com', name: 'Mack', slug: 'mack', bio: '', role: 'owner', passwordHash: null, createdAt: NOW });
  post = await store.posts.create(
    {
      type: 'post', slug: 'a-post', title: 'A post', markdown: 'x', html: '<p>x</p>', excerpt: 'x', status: 'published', visibility: 'public',
      publishedAt: NOW, authorId: user.id, coverImage: null, tags: [], commentsMode: 'inherit', commentsCloseDays: null,
    },
    NOW,
  );
  comment = await store.comments.create({
    postId: post.id, parentId: null, personId: null, userId: null, authorName: 'Kelly', authorEmail: 'kelly@example.com', authorUrl: null,
    markdown: 'Hi', html: '<p>Hi</p>', status: 'approved', createdAt: NOW,
  });
});

const mail = async () => (await store.outbox.list({ limit: 100, offset: 0 })).items;

describe('subscriptions with double opt-in, once per address', () => {
  it('sends one confirmation for an unconfirmed address, however many subscriptions wait for it', async () => {
    const first = await service.requestSubscription({ email: ' Kelly@Example.com ', kind: 'replies', postId: post.id, commentId: comment.id });
    assert.equal(first.confirmationSent, true);
    assert.equal(first.subscription.email, 'kelly@example.com');
    const second = await service.requestSubscription({ email: 'kelly@example.com', kind: 'post', postId: post.id, commentId: null });
    assert.equal(second.confirmationSent, true, 'still unconfirmed: asked again, but the outbox keeps one message');
    const messages = await mail();
    assert.equal(messages.length, 1);
    const [confirmation] = messages;
    assert.equal(confirmation.to, 'kelly@example.com');
    assert.equal(confirmation.idempotencyKey, 'confirm:kelly@example.com');
    assert.match(confirmation.subject, /Confirm your email address for Mack’s <Blog>/);
    assert.match(confirmation.html, /Mack’s &lt;Blog&gt;/);
    const address = await store.subscriptions.findAddress('kelly@example.com');
    assert.match(confirmation.text, new RegExp(`Yes, email me: https://blog\\.example\\.com/confirm-email/${address!.confirmToken}`));
    assert.deepEqual(await store.subscriptions.activeForPost(post.id), [], 'nothing takes effect before confirmation');
  });

  it('confirming proves the address for the person who gave it (their email identity becomes verified)', async () => {
    const kelly = await store.people.upsertByEmail({ name: 'Kelly', email: 'Kelly@example.com', website: null }, NOW);
    await service.requestSubscription({ email: 'kelly@example.com', kind: 'post', postId: post.id, commentId: null });
    const email = async () => (await store.people.identities(kelly.id)).find((i) => i.kind === 'email')!;
    assert.equal((await email()).verified, false, 'typed, not proven');
    await service.confirm((await store.subscriptions.findAddress('kelly@example.com'))!.confirmToken);
    assert.equal((await email()).verified, true);
  });

  it('confirming makes every subscription of the address take effect; later ones need no confirmation', async () => {
    await service.requestSubscription({ email: 'kelly@example.com', kind: 'replies', postId: post.id, commentId: comment.id });
    const address = (await store.subscriptions.findAddress('kelly@example.com'))!;
    now = NOW + 60_000;
    const confirmed = await service.confirm(address.confirmToken);
    assert.ok(confirmed.ok);
    assert.equal(confirmed.address.confirmedAt, NOW + 60_000);
    assert.equal((await service.confirm(address.confirmToken)).ok, true, 'a second click is fine');
    assert.equal((await store.subscriptions.activeForComment(comment.id)).length, 1);
    const later = await service.requestSubscription({ email: 'kelly@example.com', kind: 'post', postId: post.id, commentId: null });
    assert.equal(later.confirmationSent, false);
    assert.equal((await store.subscriptions.activeForPost(post.id)).length, 1);
    assert.equal((await mail()).length, 1);
    assert.deepEqual(await service.confirm('no-such-token'), { ok: false, reason: 'unknown-token' });
  });

  it('unsubscribes by token, twice without harm', async () => {
    const { subscription } = await service.requestSubscription({ email: 'kelly@example.com', kind: 'post', postId: post.id, commentId: null });
    const result = await service.unsubscribe(subscription.token);
    assert.ok(result.ok);
    assert.equal(result.alreadyUnsubscribed, false);
    assert.equal(result.post?.id, post.id);
    const again = await service.unsubscribe(subscription.token);
    assert.ok(again.ok && again.alreadyUnsubscribed);
    assert.deepEqual(await service.unsubscribe('nope'), { ok: false, reason: 'unknown-token' });
  });

  it('refuses a bad address, a missing post, and a comment from another post', async () => {
    await assert.rejects(service.requestSubscription({ email: 'not an email', kind: 'post', postId: post.id, commentId: null }), (e: unknown) => e instanceof DomainError && e.code === 'validation_failed');
    await assert.rejects(service.requestSubscription({ email: 'a@example.com', kind: 'post', postId: 999, commentId: null }), (e: unknown) => e instanceof DomainError && e.code === 'not_found');
    await assert.rejects(service.requestSubscription({ email: 'a@example.com', kind: 'replies', postId: post.id, commentId: 999 }), (e: unknown) => e instanceof DomainError && e.code === 'not_found');
    assert.equal((await mail()).length, 0);
  });
});
