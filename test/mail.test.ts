import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { messageIdFor } from '../src/core/mailer.ts';
import { commentApproved } from '../src/core/notification-service.ts';
import type { Comment, Post, User } from '../src/core/store.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from './helpers/test-kumbaya.ts';
import { decodeQuotedPrintable, TestSmtpServer } from './helpers/smtp-test-server.ts';
import { eventually } from './helpers/eventually.ts';

/**
 * Email end to end against a real SMTP server in this process: the SMTP mailer and the
 * outbox worker of a whole Kumbaya, with a test clock (no waiting on timers).
 */
const START = Date.UTC(2024, 0, 15, 12);

for (const { engine, skip } of testEngines()) {
  describe(`email through a real SMTP server (${engine})`, { skip }, () => {
    let smtp: TestSmtpServer;
    let k: TestKumbaya;
    let now: number;
    let author: User;
    let post: Post;
    let parent: Comment;
    let subscriptionToken: string;

    before(async () => {
      smtp = await TestSmtpServer.start();
    });
    after(() => smtp.stop());

    beforeEach(async () => {
      now = START;
      smtp.received.length = 0;
      if (!smtp.running) await smtp.listen();
      k = await startTestKumbaya({ engine, clock: { now: () => now }, env: { SMTP_URL: smtp.url } });
      const { store } = k.deps;
      author = await store.users.create({ email: 'mack@example.com', name: 'Mack', slug: 'mack', bio: '', role: 'owner', passwordHash: null, createdAt: now });
      post = await store.posts.create(
        {
          type: 'post', slug: 'you-cant-fail', title: 'You CAN’T Fail in Social Media', markdown: 'x', html: '<p>x</p>', excerpt: 'x', status: 'published',
          visibility: 'public', publishedAt: now - 1000, authorId: author.id, coverImage: null, tags: [], commentsMode: 'inherit', commentsCloseDays: null,
        },
        now,
      );
      parent = await store.comments.create({
        postId: post.id, parentId: null, personId: null, userId: null, authorName: 'Kelly', authorEmail: 'kelly@example.com', authorUrl: null,
        markdown: 'Give me some of your take.', html: '<p>x</p>', status: 'approved', createdAt: now,
      });
      // Kelly asked for replies and confirmed her address.
      const { subscription } = await k.deps.mail.subscriptions.requestSubscription({ email: 'kelly@example.com', kind: 'replies', postId: post.id, commentId: parent.id });
      const address = (await store.subscriptions.findAddress('kelly@example.com'))!;
      assert.equal((await k.deps.mail.subscriptions.confirm(address.confirmToken)).ok, true);
      subscriptionToken = subscription.token;
    });

    afterEach(() => k.cleanup());

    /** What the comment service does for an approved reply: the comment and its mail in one transaction. */
    async function reply(name: string, body: string): Promise<Comment> {
      return k.deps.store.transaction(async (tx) => {
        const comment = await tx.comments.create({
          postId: post.id, parentId: parent.id, personId: null, userId: null, authorName: name, authorEmail: `${name.toLowerCase()}@example.com`, authorUrl: null,
          markdown: body, html: `<p>${body}</p>`, status: 'approved', createdAt: now,
        });
        await commentApproved({ store: tx, comment, post, site: await k.deps.site(), siteUrl: k.config.siteUrl, secret: k.deps.secret, now });
        return comment;
      });
    }

    const toKelly = () => smtp.received.filter((m) => m.to.includes('kelly@example.com') && m.headers.get('subject')?.includes('replied'));

    it('delivers a password reset with its link, then keeps only a note in the outbox', async () => {
      await k.outbox.tick(); // Kelly's confirmation email.
      await k.deps.store.users.update(author.id, { passwordHash: 'argon2id-hash-of-an-old-password' });
      await k.deps.accounts.requestReset('mack@example.com', '192.0.2.7');
      // The enqueue wakes the worker, whose round may be under way: wait until the outbox has recorded the sending.
      const sentRows = async () => (await k.deps.store.outbox.list({ status: 'sent', limit: 10, offset: 0 })).items.filter((m) => m.kind === 'password-reset');
      assert.ok(await eventually(async () => (await k.outbox.tick(), (await sentRows()).length === 1)), 'the reset mail is sent');
      const mail = smtp.received.find((m) => m.to.includes('mack@example.com'));
      const link = /\/reset-password\/[A-Za-z0-9_-]+/.exec(decodeQuotedPrintable(mail?.raw ?? ''));
      assert.ok(link, 'the mail the recipient received carries the link');
      const [row] = await sentRows();
      assert.ok(!row.text.includes(link[0]) && !row.html.includes(link[0]), 'the outbox no longer holds the link');
      assert.match(row.text, /not kept once sent/);
      assert.equal((await k.deps.accounts.checkReset(link[0].split('/').pop()!)).ok, true, 'the link itself still works');
    });

    it('delivers a queued message once, with its unsubscribe headers and a Message-ID from its key', async () => {
      // The confirmation email went first.
      assert.equal((await k.outbox.tick()).sent, 1);
      assert.match(smtp.received[0].headers.get('subject') ?? '', /Confirm your email address/);

      const comment = await reply('Dan', 'Agreed: you can’t fail if you show up.');
      assert.deepEqual(await k.outbox.tick(), { sent: 1, retrying: 0, gaveUp: 0 });
      assert.deepEqual(await k.outbox.tick(), { sent: 0, retrying: 0, gaveUp: 0 });
      const mails = toKelly();
      assert.equal(mails.length, 1);
      const [mail] = mails;
      const h = mail.headers;
      assert.equal(h.get('message-id'), messageIdFor(`reply:${comment.id}:kelly@example.com`, k.config.siteUrl));
      assert.equal(h.get('list-unsubscribe'), `<http://localhost:3000/unsubscribe/${subscriptionToken}>`);
      assert.equal(h.get('list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
      assert.equal(h.get('from'), 'Kumbaya <noreply@localhost>');
      assert.equal(h.get('to'), 'kelly@example.com');
      assert.match(h.get('content-type') ?? '', /^multipart\/alternative/);
      assert.deepEqual(mail.to, ['kelly@example.com']);
      assert.equal(mail.from, 'noreply@localhost');
      const body = decodeQuotedPrintable(mail.raw);
      assert.match(body, /Content-Type: text\/plain/);
      assert.match(body, /Content-Type: text\/html/);
      assert.match(body, /Agreed: you can’t fail if you show up\./);
      assert.match(body, new RegExp(`Unsubscribe: http://localhost:3000/unsubscribe/${subscriptionToken}`));

      const [row] = (await k.deps.store.outbox.list({ status: 'sent', limit: 1, offset: 0 })).items;
      assert.equal(row.sentAt, START);
    });

    it('survives an SMTP outage: mail waits, backs off, and each message arrives exactly once when the server is back', async () => {
      await k.outbox.tick(); // the confirmation
      await smtp.stop();

      const comments = [await reply('Dan', 'One'), await reply('Joe', 'Two'), await reply('Ann', 'Three')];
      assert.deepEqual(await k.outbox.tick(), { sent: 0, retrying: 3, gaveUp: 0 });
      const waiting = (await k.deps.store.outbox.list({ status: 'pending', limit: 10, offset: 0 })).items;
      assert.equal(waiting.length, 3);
      for (const m of waiting) {
        assert.equal(m.attempts, 1);
        assert.equal(m.nextAttemptAt, START + 30_000);
        assert.match(m.lastError ?? '', /ECONNREFUSED|connect/i);
      }
      assert.equal((await k.deps.store.outbox.countByStatus()).pending, 3);

      await smtp.listen(); // back, on the same port
      assert.deepEqual(await k.outbox.tick(), { sent: 0, retrying: 0, gaveUp: 0 }, 'the backoff is kept even though the server is back');
      now = START + 30_000;
      assert.deepEqual(await k.outbox.tick(), { sent: 3, retrying: 0, gaveUp: 0 });
      now += 3_600_000;
      assert.deepEqual(await k.outbox.tick(), { sent: 0, retrying: 0, gaveUp: 0 });

      for (const comment of comments) {
        const id = messageIdFor(`reply:${comment.id}:kelly@example.com`, k.config.siteUrl);
        assert.equal(smtp.withMessageId(id).length, 1, `${id} delivered exactly once`);
      }
      assert.equal(toKelly().length, 3);
      assert.deepEqual(await k.deps.store.outbox.countByStatus(), { pending: 0, sent: 4, failed: 0 });
    });

    it('has an unsubscribe link that works through the app: one-click POST without cookie or token, and the page', async () => {
      await reply('Dan', 'First reply');
      await k.outbox.tick();
      const [mail] = toKelly();
      const oneClick = /^<(http:\/\/localhost:3000(\/unsubscribe\/[A-Za-z0-9_-]+))>$/.exec(mail.headers.get('list-unsubscribe') ?? '');
      assert.ok(oneClick, 'List-Unsubscribe names an https-or-http URL of this site');
      const path = oneClick[2];

      // What Gmail and others do (RFC 8058): a bare POST, no cookie, no CSRF token.
      const res = await k.request(path, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(res.status, 200);
      assert.match(await res.text(), /You are unsubscribed/);
      const subscription = await k.deps.store.subscriptions.findByToken(subscriptionToken);
      assert.equal(subscription!.unsubscribedAt, START);

      // The visible link in the email opens a page that says so.
      const visible = new RegExp(`Unsubscribe: (http://localhost:3000${path})`).exec(decodeQuotedPrintable(mail.raw));
      assert.ok(visible);
      const page = await k.request(visible[1].replace('http://localhost:3000', ''));
      assert.equal(page.status, 200);
      assert.match(await page.text(), /gets no more emails about replies to your comment/);

      await reply('Joe', 'Second reply');
      await k.outbox.tick();
      assert.equal(toKelly().length, 1, 'no more replies reach her');
    });
  });
}
