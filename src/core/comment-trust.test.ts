import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { MemoryStore } from '../adapters/storage/memory-store.ts';
import { defaultCommentSettings } from './comment-settings.ts';
import { CommentService, type SpamDefence } from './comment-service.ts';
import type { Post, Store } from './store.ts';

const NOW = Date.UTC(2026, 10, 1, 12);

/** A spam defence that sees nothing wrong: what is tested here is the person, not the text. */
const quiet: SpamDefence = {
  issueFormToken: () => 'token',
  verifyFormToken: () => ({ ok: true }),
  countLinks: () => 0,
  findDisallowedWords: () => [],
  filterScore: async () => null,
  akismet: async () => 'off',
  learn: async () => [],
  learned: () => {},
  report: async () => {},
};

describe('trust applies when the channel proves who wrote (webmention replies)', () => {
  let store: Store;
  let service: CommentService;
  let post: Post;
  beforeEach(async () => {
    store = new MemoryStore();
    const owner = await store.users.create({ email: 'o@example.com', name: 'O', slug: 'o', bio: '', role: 'owner', passwordHash: null, createdAt: NOW });
    post = await store.posts.create(
      { type: 'post', slug: 'p', title: 'P', markdown: '', html: '', excerpt: '', status: 'published', visibility: 'public', publishedAt: NOW - 1000, authorId: owner.id, coverImage: null, tags: [], commentsMode: 'inherit', commentsCloseDays: null },
      NOW,
    );
    service = new CommentService({
      store,
      clock: { now: () => NOW },
      settings: async () => ({ ...defaultCommentSettings, holdAll: true }),
      spam: quiet,
      notifications: { commentCreated: async () => {}, commentApproved: async () => {}, subscribe: async () => ({ confirmationSent: false }) },
      publish: () => {},
    });
  });

  const reply = (personId: number, source: string) =>
    service.fromWebmention({ post, existing: null, personId, name: 'Friend', website: 'https://friend.example/', text: 'Nice.', source });

  it('approves a trusted person\'s reply from their verified site past every hold', async () => {
    const friend = await store.webmentions.personForWebsite({ name: 'Friend', website: 'https://friend.example/' }, NOW);
    await store.people.addIdentity(friend.id, 'website', 'https://friend.example', true, NOW);
    await store.people.setTrust(friend.id, { trust: 'trusted', reason: null, mutedUntil: null }, null, NOW);
    assert.equal((await reply(friend.id, 'https://friend.example/2026/reply')).status, 'approved');
  });

  it('holds it when the page that sent it is on another site, or the website is only claimed', async () => {
    const friend = await store.webmentions.personForWebsite({ name: 'Friend', website: 'https://friend.example/' }, NOW);
    await store.people.setTrust(friend.id, { trust: 'trusted', reason: null, mutedUntil: null }, null, NOW);
    assert.equal((await reply(friend.id, 'https://friend.example/reply')).status, 'pending', 'claimed, not proven');
    await store.people.addIdentity(friend.id, 'website', 'https://friend.example', true, NOW);
    const elsewhere = await reply(friend.id, 'https://impostor.example/claims-to-be-friend');
    assert.equal(elsewhere.status, 'pending');
    assert.deepEqual(elsewhere.moderationReasons.slice(1), ['every comment is held for review (setting)']);
  });

  it('holds a blocked person\'s webmention reply, with the reason', async () => {
    const friend = await store.webmentions.personForWebsite({ name: 'Friend', website: 'https://friend.example/' }, NOW);
    await store.people.setTrust(friend.id, { trust: 'blocked', reason: null, mutedUntil: null }, null, NOW);
    const held = await reply(friend.id, 'https://friend.example/reply');
    assert.equal(held.status, 'pending');
    assert.ok(held.moderationReasons.includes('blocked'));
  });
});
