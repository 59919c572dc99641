import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { startTestKumbaya, testEngines, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';
import { moderationUrl, type LinkAction } from '../../core/notification-service.ts';
import type { Comment, Post } from '../../core/store.ts';

const START = Date.UTC(2024, 0, 15, 12);

for (const { engine, skip } of testEngines()) {
  describe(`links in emails (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let now: number;
    let post: Post;
    let held: Comment;

    beforeEach(async () => {
      now = START;
      k = await startTestKumbaya({ engine, clock: { now: () => now } });
      const { store } = k.deps;
      const author = await store.users.create({ email: 'mack@example.com', name: 'Mack', slug: 'mack', bio: '', role: 'owner', passwordHash: null, createdAt: now });
      post = await store.posts.create(
        {
          type: 'post', slug: 'a-post', title: 'A <post>', markdown: 'x', html: '<p>x</p>', excerpt: 'x', status: 'published', visibility: 'public',
          publishedAt: now - 1000, authorId: author.id, coverImage: null, tags: [], commentsMode: 'inherit', commentsCloseDays: null,
        },
        now,
      );
      held = await store.comments.create({
        postId: post.id, parentId: null, personId: null, userId: null, authorName: 'Eve <b>', authorEmail: 'eve@example.com', authorUrl: null,
        markdown: 'Buy <script>alert(1)</script> now', html: '<p>x</p>', status: 'pending', createdAt: now, moderationReasons: ['4 links'],
      });
    });
    afterEach(() => k.cleanup());

    const linkFor = (action: LinkAction, at = now) => new URL(moderationUrl({ siteUrl: k.config.siteUrl, secret: k.deps.secret, now: at }, held.id, action)).pathname;

    it('moderation links show the comment and a button; opening one changes nothing', async () => {
      const res = await k.request(linkFor('approve'));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const page = await res.text();
      assert.match(page, /Approve this comment\?/);
      assert.match(page, /Buy &lt;script&gt;alert\(1\)&lt;\/script&gt; now/);
      assert.match(page, /Eve &lt;b&gt;/);
      assert.match(page, new RegExp(`<form method="post" action="${linkFor('approve').replace(/[.]/g, '\\.')}"`));
      assert.match(page, /<meta name="robots" content="noindex">/);
      assert.equal((await k.deps.store.comments.findById(held.id))!.status, 'pending');
    });

    it('the button’s POST approves and tells subscribers: the link authorises it, without cookies; another site cannot send it', async () => {
      await k.deps.store.subscriptions.ensureAddress('joe@example.com', 'confirm-joe', now);
      await k.deps.store.subscriptions.confirmAddress('joe@example.com', now);
      await k.deps.store.subscriptions.subscribe({ kind: 'post', email: 'joe@example.com', postId: post.id, commentId: null, token: 'joe-post', createdAt: now });
      const path = linkFor('approve');
      const crossSite = await k.request(path, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
      assert.equal(crossSite.status, 403, 'a form on another site cannot moderate');
      assert.equal((await k.deps.store.comments.findById(held.id))!.status, 'pending');
      // Opened on a phone, approved from the page: same origin, no cookie, no other token.
      const done = await k.request(path, { method: 'POST', headers: { origin: 'http://localhost:3000', 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
      assert.equal(done.status, 200);
      assert.match(await done.text(), /Approved: the comment is live/);
      assert.equal((await k.deps.store.comments.findById(held.id))!.status, 'approved');
      const mail = (await k.deps.store.outbox.list({ limit: 10, offset: 0 })).items;
      assert.ok(mail.some((m) => m.to === 'joe@example.com' && m.idempotencyKey === `reply:${held.id}:joe@example.com`), 'the post subscriber is told');
    });

    it('spam and trash links work the same way', async () => {
      await k.request(linkFor('spam'));
      assert.equal((await k.deps.store.comments.findById(held.id))!.status, 'pending', 'opening changes nothing');
      await k.request(linkFor('spam'), { method: 'POST' });
      assert.equal((await k.deps.store.comments.findById(held.id))!.status, 'spam');
      await k.request(linkFor('trash'), { method: 'POST' });
      assert.equal((await k.deps.store.comments.findById(held.id))!.status, 'trash');
    });

    it('refuses expired, altered and unknown links with a clear page', async () => {
      const expired = linkFor('approve', now - 15 * 86_400_000);
      const res = await k.request(expired);
      assert.equal(res.status, 410);
      assert.match(await res.text(), /This moderation link has expired/);
      const altered = linkFor('approve').replace(/.(?=\.)/, (ch) => (ch === 'A' ? 'B' : 'A'));
      assert.equal((await k.request(altered)).status, 404);
      assert.equal((await k.request('/moderate/not-a-token')).status, 404);
      assert.equal((await k.request('/unsubscribe/unknown-token')).status, 404);
      assert.equal((await k.request('/unsubscribe/unknown-token', { method: 'POST' })).status, 404);
      assert.equal((await k.request('/confirm-email/unknown-token')).status, 404);
      assert.equal((await k.request('/confirm-email/unknown-token', { method: 'POST' })).status, 404);
    });

    it('confirms an address from the button behind the link in the confirmation email; opening the link confirms nothing', async () => {
      await k.deps.mail.subscriptions.requestSubscription({ email: 'kelly@example.com', kind: 'post', postId: post.id, commentId: null });
      const [confirmation] = (await k.deps.store.outbox.list({ limit: 10, offset: 0 })).items;
      const path = /http:\/\/localhost:3000(\/confirm-email\/[A-Za-z0-9_-]+)/.exec(confirmation.text)![1];
      const opened = await k.request(path);
      assert.equal(opened.status, 200);
      assert.equal(opened.headers.get('cache-control'), 'no-store');
      const page = await opened.text();
      assert.match(page, /Confirm your email address\?/);
      assert.match(page, new RegExp(`<form method="post" action="${path}"`));
      assert.equal((await k.deps.store.subscriptions.findAddress('kelly@example.com'))!.confirmedAt, null, 'a scanner opening the link confirms nothing');
      assert.equal((await k.deps.store.subscriptions.activeForPost(post.id)).length, 0);
      const crossSite = await k.request(path, { method: 'POST', headers: { origin: 'https://evil.example' } });
      assert.equal(crossSite.status, 403);
      assert.equal((await k.deps.store.subscriptions.findAddress('kelly@example.com'))!.confirmedAt, null);
      const res = await k.request(path, { method: 'POST' });
      assert.equal(res.status, 200);
      assert.match(await res.text(), /your address is confirmed/);
      assert.match(await (await k.request(path)).text(), /your address is confirmed/, 'opening it again says so');
      assert.equal((await k.deps.store.subscriptions.findAddress('kelly@example.com'))!.confirmedAt, START);
      assert.equal((await k.deps.store.subscriptions.activeForPost(post.id)).length, 1);
    });

    it('unsubscribes from a page with a button that works without JavaScript or cookies', async () => {
      const { subscription } = await k.deps.mail.subscriptions.requestSubscription({ email: 'kelly@example.com', kind: 'post', postId: post.id, commentId: null });
      const page = await (await k.request(`/unsubscribe/${subscription.token}`)).text();
      assert.match(page, /Stop these emails\?/);
      assert.match(page, new RegExp(`<form method="post" action="/unsubscribe/${subscription.token}"`));
      assert.match(page, /new comments on “<a href="\/a-post">A &lt;post&gt;<\/a>”/);
      assert.equal((await k.deps.store.subscriptions.findByToken(subscription.token))!.unsubscribedAt, null, 'opening the page changes nothing');
      const res = await k.request(`/unsubscribe/${subscription.token}`, { method: 'POST' });
      assert.equal(res.status, 200);
      assert.equal((await k.deps.store.subscriptions.findByToken(subscription.token))!.unsubscribedAt, START);
      assert.match(await (await k.request(`/unsubscribe/${subscription.token}`)).text(), /You are unsubscribed/);
    });

    it('keeps the CSRF exemptions to the addresses of links in emails', async () => {
      for (const path of ['/unsubscribe', '/unsubscribe/a/b', '/admin/mail/retry-failed', '/moderate', '/moderate/a/b', '/confirm-email', '/confirm-email/a/b']) {
        const res = await k.request(path, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        // The admin refuses it before any token check: without a session it is a 401 (signed out).
        assert.equal(res.status, path.startsWith('/admin/') ? 401 : 403, path);
      }
    });
  });
}
