import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startTestKumbaya, type TestKumbaya } from '../../../../test/helpers/test-kumbaya.ts';
import type { OutboxWrite } from '../../../core/store.ts';

const NOW = Date.UTC(2024, 0, 15, 12);
let k: TestKumbaya;

const message = (key: string, to = 'reader@example.com'): OutboxWrite => ({ idempotencyKey: key, kind: 'reply', to, subject: `About <${key}>`, text: 'x', html: '<p>x</p>', headers: {} });

before(async () => {
  k = await startTestKumbaya({ clock: { now: () => NOW } });
});
after(() => k.cleanup());

describe('admin: mail', () => {
  beforeEach(async () => {
    // Messages an earlier test left waiting are marked sent, so each test counts its own.
    for (const m of (await k.deps.store.outbox.list({ status: 'pending', limit: 100, offset: 0 })).items) await k.deps.store.outbox.markSent(m.id, NOW);
  });

  it('says in plain words that SMTP_URL is not set and how many messages wait', async () => {
    await k.deps.store.outbox.enqueue(message('a'), NOW);
    await k.deps.store.outbox.enqueue(message('b'), NOW);
    const owner = await k.signIn('owner');
    const res = await owner.request('/admin/mail');
    assert.equal(res.status, 200);
    const page = await res.text();
    assert.match(page, /<strong>SMTP_URL is not set:<\/strong> 2 messages are waiting in the outbox and will be sent once it is\. Set SMTP_URL \(e\.g\. smtp:\/\/user:pass@smtp\.example\.com:587; see “Configuration” in the README\) and restart\./);
    assert.match(page, /<a href="\/admin\/mail" aria-current="page">Mail<\/a>/);
    assert.match(page, /About &lt;a&gt;/, 'subjects are escaped');
    assert.doesNotMatch(page, /\sstyle=|<script>/);
  });

  it('says on every admin page, to every staff member, that mail waits in the outbox, how many, and how to send it', async () => {
    await k.deps.store.outbox.enqueue(message('c'), NOW);
    await k.deps.store.outbox.enqueue(message('d'), NOW);
    await k.deps.store.outbox.enqueue(message('e'), NOW);
    for (const role of ['owner', 'author', 'moderator'] as const) {
      const staff = await k.signIn(role, `${role}-banner@example.com`);
      for (const path of ['/admin', '/admin/comments', '/admin/profile']) {
        const page = await (await staff.request(path)).text();
        assert.match(page, /<strong>Email is not being sent:<\/strong> SMTP_URL is not set, so 3 emails wait in the outbox\. Set SMTP_URL \(see “Configuration” in the README\) and restart; they are sent then\./, `${role} on ${path}`);
      }
    }
  });

  it('shows no such banner when mail is sent', async () => {
    const sending = await startTestKumbaya({ clock: { now: () => NOW }, env: { SMTP_URL: 'smtp://127.0.0.1:2525' } });
    try {
      await sending.deps.store.outbox.enqueue(message('f'), NOW);
      const owner = await sending.signIn('owner');
      const page = await (await owner.request('/admin')).text();
      assert.doesNotMatch(page, /Email is not being sent/);
    } finally {
      await sending.cleanup();
    }
  });

  it('lists failed messages with their last error and a Retry button that puts them back in the queue', async () => {
    await k.deps.store.outbox.enqueue(message('bounced', 'gone@example.com'), NOW);
    const [claimed] = await k.deps.store.outbox.claimDue(NOW, 1, 60_000);
    await k.deps.store.outbox.markFailed(claimed.id, '550 5.1.1 <gone@example.com>: no such user', null, NOW);
    const owner = await k.signIn('owner');
    const page = await (await owner.request('/admin/mail')).text();
    assert.match(page, /<code>550 5\.1\.1 &lt;gone@example\.com&gt;: no such user<\/code>/);
    assert.match(page, new RegExp(`<form method="post" action="/admin/mail/${claimed.id}/retry">`));
    const res = await owner.form(`/admin/mail/${claimed.id}/retry`, {});
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/admin/mail?notice=mail-retried');
    const [row] = (await k.deps.store.outbox.list({ limit: 1, offset: 0 })).items;
    assert.equal(row.status, 'pending');
    assert.equal(row.attempts, 0);
  });

  it('shows the outbox to moderators, and to authors only their own choice', async () => {
    const moderator = await k.signIn('moderator');
    const modPage = await (await moderator.request('/admin/mail')).text();
    assert.match(modPage, /<h2 id="mail-counts">Outbox<\/h2>/);
    assert.doesNotMatch(modPage, /name="mode"/);

    const author = await k.signIn('author');
    const authorPage = await (await author.request('/admin/mail')).text();
    assert.doesNotMatch(authorPage, /Outbox|reader@example\.com/);
    assert.match(authorPage, /<input type="radio" name="mode" value="each" checked>/);
    assert.equal((await author.form('/admin/mail/retry-failed', {})).status, 403);
    assert.equal((await moderator.form('/admin/mail/preference', { mode: 'digest' })).status, 403);

    const saved = await author.form('/admin/mail/preference', { mode: 'digest' });
    assert.equal(saved.status, 303);
    assert.match(await (await author.request('/admin/mail')).text(), /<input type="radio" name="mode" value="digest" checked>/);
    assert.equal((await author.form('/admin/mail/preference', { mode: 'weekly' })).status, 422);
  });
});
