import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestSmtpServer } from '../../../test/helpers/smtp-test-server.ts';
import { PermanentMailError, messageIdFor } from '../../core/mailer.ts';
import type { OutboxMessage } from '../../core/store.ts';
import { SmtpMailer, describeSmtpUrl } from './smtp-mailer.ts';

const message = (to: string): OutboxMessage => ({
  id: 1, idempotencyKey: `reply:1:${to}`, kind: 'reply', to, subject: 'Dan replied to your comment on “Ünïcode”', text: 'Hello\n', html: '<p>Hello</p>',
  headers: { 'List-Unsubscribe': '<https://blog.example.com/unsubscribe/tok>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  status: 'pending', attempts: 0, nextAttemptAt: 0, lastError: null, createdAt: 0, sentAt: null,
});

describe('SMTP mailer', () => {
  let smtp: TestSmtpServer;
  before(async () => {
    smtp = await TestSmtpServer.start();
  });
  after(() => smtp.stop());

  it('sends with the credentials of SMTP_URL, the From of MAIL_FROM, the message headers and a Message-ID from its key', async () => {
    const mailer = new SmtpMailer({ url: `smtp://blog%40example.com:s%3Acret@127.0.0.1:${smtp.port}`, from: 'My Blog <blog@example.com>', siteUrl: () => 'https://blog.example.com' });
    try {
      await mailer.send(message('kelly@example.com'));
    } finally {
      await mailer.close();
    }
    assert.deepEqual(smtp.logins, ['blog@example.com:s:cret']);
    const [mail] = smtp.received;
    assert.equal(mail.headers.get('message-id'), messageIdFor('reply:1:kelly@example.com', 'https://blog.example.com'));
    assert.equal(mail.headers.get('from'), 'My Blog <blog@example.com>');
    assert.equal(mail.headers.get('list-unsubscribe'), '<https://blog.example.com/unsubscribe/tok>');
    assert.equal(mail.headers.get('list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
    // On the wire a non-ASCII subject is an encoded word (RFC 2047); decoded, it is the subject as written.
    assert.match(/^Subject: (.*)$/m.exec(mail.raw)?.[1] ?? '', /^=\?UTF-8\?/i, 'a non-ASCII subject is encoded');
    assert.equal(mail.headers.get('subject'), 'Dan replied to your comment on “Ünïcode”');
  });

  it('reports a refused mailbox as permanent, and an unreachable server as worth retrying', async () => {
    smtp.unknownMailboxes.add('gone@example.com');
    const mailer = new SmtpMailer({ url: smtp.url, from: 'blog@example.com', siteUrl: () => 'https://blog.example.com' });
    await assert.rejects(mailer.send(message('gone@example.com')), (e: unknown) => e instanceof PermanentMailError && /no such user/.test(e.message));
    await mailer.close();
    const closed = await TestSmtpServer.start();
    await closed.stop();
    const unreachable = new SmtpMailer({ url: closed.url, from: 'blog@example.com', siteUrl: () => 'https://blog.example.com' });
    await assert.rejects(unreachable.send(message('kelly@example.com')), (e: unknown) => !(e instanceof PermanentMailError) && /ECONNREFUSED/.test(String((e as Error).message)));
    await unreachable.close();
  });

  it('keeps its connections open for the next messages, and opens new ones once the server dropped them', async () => {
    const server = await TestSmtpServer.start();
    const mailer = new SmtpMailer({ url: server.url, from: 'blog@example.com', siteUrl: () => 'https://blog.example.com' });
    try {
      for (let i = 0; i < 6; i++) await mailer.send({ ...message(`reader${i}@example.com`), idempotencyKey: `one-by-one:${i}` });
      assert.equal(server.connections, 1, 'six messages one after another, one connection');
      await Promise.all([0, 1, 2, 3, 4, 5].map((i) => mailer.send({ ...message(`reader${i}@example.com`), idempotencyKey: `at-once:${i}` })));
      assert.ok(server.connections <= mailer.parallel, `six at once over at most ${mailer.parallel} connections (${server.connections})`);
      // The server goes away (its connections dropped) and comes back on the same port.
      await server.stop();
      await assert.rejects(mailer.send(message('kelly@example.com')), /ECONNREFUSED|closed|ECONNRESET/);
      await server.listen();
      await mailer.send({ ...message('kelly@example.com'), idempotencyKey: 'after-the-outage' });
      assert.equal(server.received.length, 13);
      assert.equal(server.received.at(-1)!.headers.get('message-id'), messageIdFor('after-the-outage', 'https://blog.example.com'));
    } finally {
      await mailer.close();
      await server.stop();
    }
  });

  it('describes the server for the admin without the password', () => {
    assert.equal(describeSmtpUrl('smtp://user:secret@smtp.example.com:587'), 'smtp.example.com:587');
    assert.equal(describeSmtpUrl('smtps://user:secret@smtp.example.com'), 'smtp.example.com:465 (TLS)');
    assert.equal(describeSmtpUrl('smtp://localhost'), 'localhost:587');
  });
});
