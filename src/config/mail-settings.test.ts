import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

describe('mail settings', () => {
  it('default to no SMTP server, a sender at the site’s host, and a 2 s outbox poll', () => {
    const config = loadConfig({ SITE_URL: 'https://blog.example.com' });
    assert.equal(config.smtpUrl, null);
    assert.equal(config.mailFrom, 'Kumbaya <noreply@blog.example.com>');
    assert.equal(config.outboxIntervalMs, 2000);
  });

  it('read SMTP_URL, MAIL_FROM and OUTBOX_INTERVAL_MS', () => {
    const config = loadConfig({ SMTP_URL: 'smtps://user:p%40ss@smtp.example.com:465', MAIL_FROM: ' My Blog <blog@example.com> ', OUTBOX_INTERVAL_MS: '500' });
    assert.equal(config.smtpUrl, 'smtps://user:p%40ss@smtp.example.com:465');
    assert.equal(config.mailFrom, 'My Blog <blog@example.com>');
    assert.equal(config.outboxIntervalMs, 500);
    assert.equal(loadConfig({ SMTP_URL: 'smtp://localhost:2525/?requireTLS=true' }).smtpUrl, 'smtp://localhost:2525/?requireTLS=true');
  });

  it('say how to fix a wrong value', () => {
    assert.throws(
      () => loadConfig({ SMTP_URL: 'mail.example.com', MAIL_FROM: 'Blog <blog@example.com>\r\nBcc: x@example.com', OUTBOX_INTERVAL_MS: '5' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        const text = error.problems.join('\n');
        assert.match(text, /SMTP_URL must look like smtp:\/\/user:pass@smtp\.example\.com:587/);
        assert.match(text, /MAIL_FROM must be an address/);
        assert.match(text, /OUTBOX_INTERVAL_MS must be a whole number from 100/);
        return true;
      },
    );
  });
});
