import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { MemoryStore } from '../adapters/storage/memory-store.ts';
import {
  MODERATION_LINK_PURPOSE,
  commentApproved,
  commentCreated,
  commentsForDigest,
  digestEmail,
  setNotificationMode,
  type CommentEvent,
} from './notification-service.ts';
import { verifyLink } from './signed-link.ts';
import type { Comment, CommentWrite, OutboxMessage, Post, Store, User } from './store.ts';

const NOW = Date.UTC(2024, 0, 15, 12);
const SECRET = 'a-secret-of-at-least-thirty-two-characters';
const SITE_URL = 'https://blog.example.com';

let store: Store;
let owner: User;
let author: User;
let post: Post;

function commentWrite(overrides: Partial<CommentWrite> = {}): CommentWrite {
  return {
    postId: post.id, parentId: null, personId: null, userId: null, authorName: 'Reader', authorEmail: 'reader@example.com', authorUrl: null,
    markdown: 'Nice.', html: '<p>Nice.</p>', status: 'approved', createdAt: NOW, ...overrides,
  };
}

const event = (comment: Comment, overrides: Partial<CommentEvent> = {}): CommentEvent => ({ store, comment, post, site: { title: 'Mack’s Blog' }, siteUrl: SITE_URL, secret: SECRET, now: NOW, ...overrides });

async function outbox(): Promise<OutboxMessage[]> {
  return (await store.outbox.list({ limit: 100, offset: 0 })).items.reverse();
}

/** A confirmed reader's subscription. */
async function subscribe(email: string, kind: 'post' | 'replies', commentId: number | null, token: string) {
  await store.subscriptions.ensureAddress(email, `confirm-${token}`, NOW);
  await store.subscriptions.confirmAddress(email, NOW);
  return store.subscriptions.subscribe({ kind, email, postId: post.id, commentId, token, createdAt: NOW });
}

const links = (text: string) => [...text.matchAll(/https?:\/\/\S+/g)].map((m) => m[0]);

beforeEach(async () => {
  store = new MemoryStore();
  owner = await store.users.create({ email: 'owner@example.com', name: 'Olive', slug: 'olive', bio: '', role: 'owner', passwordHash: null, createdAt: NOW });
  author = await store.users.create({ email: 'mack@example.com', name: 'Mack', slug: 'mack', bio: '', role: 'author', passwordHash: null, createdAt: NOW });
  await store.users.create({ email: 'mod@example.com', name: 'Mo', slug: 'mo', bio: '', role: 'moderator', passwordHash: null, createdAt: NOW });
  post = await store.posts.create(
    {
      type: 'post', slug: 'you-cant-fail', title: 'You CAN’T <Fail>', markdown: 'x', html: '<p>x</p>', excerpt: 'x', status: 'published', visibility: 'public',
      publishedAt: NOW, authorId: author.id, coverImage: null, tags: [], commentsMode: 'inherit', commentsCloseDays: null,
    },
    NOW,
  );
});

describe('notifications to the author and owners', () => {
  it('sends a held comment to the post author and the owners at once, with the reasons and signed one-click links', async () => {
    const comment = await store.comments.create(commentWrite({ status: 'pending', moderationReasons: ['first comment from this person', '4 links'], authorName: 'Kelly' }));
    await commentCreated(event(comment));
    const messages = await outbox();
    assert.deepEqual(messages.map((m) => m.to).sort(), ['mack@example.com', 'owner@example.com'], 'moderators are not emailed');
    const [toAuthor] = messages.filter((m) => m.to === 'mack@example.com');
    assert.equal(toAuthor.kind, 'comment-held');
    assert.equal(toAuthor.subject, 'Held for moderation: Kelly on “You CAN’T <Fail>”');
    assert.match(toAuthor.text, /Why it was held: first comment from this person; 4 links\./);
    const actions = links(toAuthor.text).filter((l) => l.includes('/moderate/'));
    assert.equal(actions.length, 3);
    const decoded = actions.map((url) => verifyLink(SECRET, MODERATION_LINK_PURPOSE, url.split('/moderate/')[1], NOW + 1000));
    assert.deepEqual(decoded.map((d) => (d.ok ? d.payload : d.reason)), [{ c: comment.id, a: 'approve' }, { c: comment.id, a: 'spam' }, { c: comment.id, a: 'trash' }]);
    assert.equal(verifyLink(SECRET, MODERATION_LINK_PURPOSE, actions[0].split('/moderate/')[1], NOW + 15 * 86_400_000).ok, false, 'the links expire');
    assert.match(toAuthor.html, /<a href="https:\/\/blog\.example\.com\/moderate\/[A-Za-z0-9_.-]+"[^>]*>Approve<\/a>/);
  });

  it('tells of an approved comment at once, unless the author chose the daily digest', async () => {
    await setNotificationMode(store, author.id, 'digest');
    const comment = await store.comments.create(commentWrite());
    await commentCreated(event(comment));
    const messages = await outbox();
    assert.deepEqual(messages.map((m) => [m.to, m.kind]), [['owner@example.com', 'comment-new']]);
    assert.match(messages[0].text, /Read and reply: https:\/\/blog\.example\.com\/you-cant-fail#comment-1/);
  });

  it('does not tell anyone of their own comment, nor of spam', async () => {
    const own = await store.comments.create(commentWrite({ userId: author.id, authorEmail: 'Mack@Example.com', authorName: 'Mack' }));
    await commentCreated(event(own));
    assert.deepEqual((await outbox()).map((m) => m.to), ['owner@example.com']);
    const spam = await store.comments.create(commentWrite({ status: 'spam' }));
    await commentCreated(event(spam));
    assert.equal((await outbox()).length, 1);
  });

  it('escapes everything a commenter wrote in the HTML, and keeps it out of headers', async () => {
    const comment = await store.comments.create(
      commentWrite({ status: 'pending', authorName: 'Eve <script>alert(1)</script>\r\nBcc: all@example.com', authorUrl: 'javascript:alert(1)', markdown: '<img src=x onerror=alert(1)> & "quotes"\n[link](javascript:alert(2))' }),
    );
    await commentCreated(event(comment));
    for (const m of await outbox()) {
      assert.doesNotMatch(m.html, /<script|<img|href="javascript/i);
      assert.match(m.html, /&lt;img src=x onerror=alert\(1\)&gt; &amp; &quot;quotes&quot;/);
      assert.match(m.html, /Eve &lt;script&gt;alert\(1\)&lt;\/script&gt;/);
      assert.match(m.html, /You CAN’T &lt;Fail&gt;/, 'the post title is escaped too');
      assert.doesNotMatch(m.subject, /[\r\n]/, 'no header injection through the subject');
      assert.doesNotMatch(m.html, /<img|src="http/i, 'no remote images');
      assert.match(m.text, /> <img src=x onerror=alert\(1\)> & "quotes"/, 'the text version quotes the words as written');
    }
  });
});

describe('notifications to subscribers', () => {
  it('tells whoever asked for replies to the parent comment, and post subscribers, once each, never the writer', async () => {
    const parent = await store.comments.create(commentWrite({ authorName: 'Kelly', authorEmail: 'kelly@example.com', markdown: 'Mine.' }));
    const replies = await subscribe('kelly@example.com', 'replies', parent.id, 'kelly-replies');
    await subscribe('kelly@example.com', 'post', null, 'kelly-post');
    await subscribe('joe@example.com', 'post', null, 'joe-post');
    await subscribe('dan@example.com', 'post', null, 'dan-post');
    const reply = await store.comments.create(commentWrite({ parentId: parent.id, authorName: 'Dan', authorEmail: 'DAN@example.com', markdown: 'Agreed!' }));
    await commentApproved(event(reply));
    await commentApproved(event(reply)); // a second call sends nothing twice
    const messages = await outbox();
    assert.deepEqual(messages.map((m) => [m.to, m.kind, m.idempotencyKey]), [
      ['kelly@example.com', 'reply', `reply:${reply.id}:kelly@example.com`],
      ['joe@example.com', 'post-comment', `reply:${reply.id}:joe@example.com`],
    ]);
    const [toKelly] = messages;
    assert.equal(toKelly.subject, 'Dan replied to your comment on “You CAN’T <Fail>”');
    assert.match(toKelly.text, /> Agreed!/);
    assert.match(toKelly.text, /You wrote:\n\n> Mine\./);
    assert.deepEqual(toKelly.headers, {
      'List-Unsubscribe': '<https://blog.example.com/unsubscribe/kelly-replies>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'Auto-Submitted': 'auto-generated',
    });
    assert.match(toKelly.text, new RegExp(`Unsubscribe: ${SITE_URL}/unsubscribe/${replies.token}`));
    assert.match(toKelly.html, /<a href="https:\/\/blog\.example\.com\/unsubscribe\/kelly-replies"[^>]*>Unsubscribe<\/a>/, 'a visible unsubscribe link');
    assert.match(toKelly.text, /— Mack’s Blog/, 'signed by the site title');
  });

  it('tells nobody while the comment is not approved, and only confirmed, active subscribers', async () => {
    await subscribe('joe@example.com', 'post', null, 'joe-post');
    await subscribe('gone@example.com', 'post', null, 'gone-post');
    await store.subscriptions.unsubscribe('gone-post', NOW);
    await store.subscriptions.ensureAddress('new@example.com', 'confirm-new', NOW);
    await store.subscriptions.subscribe({ kind: 'post', email: 'new@example.com', postId: post.id, commentId: null, token: 'new-post', createdAt: NOW });
    const held = await store.comments.create(commentWrite({ status: 'pending' }));
    await commentApproved(event(held));
    assert.deepEqual((await outbox()).filter((m) => m.kind === 'post-comment'), []);
    const [approved] = await store.comments.setStatus([held.id], 'approved', [], NOW);
    await commentApproved(event(approved));
    assert.deepEqual((await outbox()).map((m) => m.to), ['joe@example.com']);
  });
});

describe('daily digest', () => {
  it('lists the day’s comments on the author’s posts, one email per author and day', async () => {
    const day = Date.UTC(2024, 0, 14);
    await store.comments.create(commentWrite({ authorName: 'Early', createdAt: day - 1 }));
    await store.comments.create(commentWrite({ authorName: 'Kelly', createdAt: day + 3_600_000, markdown: 'First <b>bold</b>' }));
    await store.comments.create(commentWrite({ authorName: 'Joe', createdAt: day + 7_200_000, status: 'pending' }));
    await store.comments.create(commentWrite({ authorName: 'Spammer', createdAt: day + 7_300_000, status: 'spam' }));
    await store.comments.create(commentWrite({ authorName: 'Late', createdAt: day + 86_400_000 }));
    const entries = await commentsForDigest(store, author, day, day + 86_400_000);
    assert.deepEqual(entries.map((e) => e.comment.authorName), ['Kelly', 'Joe']);
    const message = digestEmail({ user: author, day: '2024-01-14', entries, site: { title: 'Mack’s Blog' }, siteUrl: SITE_URL, secret: SECRET, now: NOW });
    assert.equal(message.idempotencyKey, `digest:${author.id}:2024-01-14`);
    assert.equal(message.subject, '2 comments on Mack’s Blog on 2024-01-14');
    assert.match(message.text, /Joe \(waiting for moderation\):/);
    assert.match(message.html, /First &lt;b&gt;bold&lt;\/b&gt;/);
    const other = await store.users.create({ email: 'other@example.com', name: 'Other', slug: 'other', bio: '', role: 'author', passwordHash: null, createdAt: NOW });
    assert.deepEqual(await commentsForDigest(store, other, day, day + 86_400_000), [], 'only their own posts');
    assert.equal((await commentsForDigest(store, owner, day, day + 86_400_000)).length, 2, 'owners hear of every post');
  });
});
