import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, browserSkipReason, claimSite, describeViolations, launchBrowser, screenshot } from './helpers/browser.ts';
import { spawnServer, tempDir, type RunningServer } from './helpers/spawn-server.ts';
import { TestSmtpServer, decodeQuotedPrintable, type ReceivedMail } from './helpers/smtp-test-server.ts';

const skip = browserSkipReason();

describe('in Chromium: password reset and invitations by email, through a real SMTP server', { skip }, () => {
  let smtp: TestSmtpServer;
  let server: RunningServer;
  let browser: Browser;
  let ownerContext: BrowserContext;
  let owner: Page;

  before(async () => {
    smtp = await TestSmtpServer.start();
    server = await spawnServer({ DATA_DIR: tempDir('kumbaya-accounts-'), LOG_LEVEL: 'warn', SMTP_URL: smtp.url, OUTBOX_INTERVAL_MS: '200' });
    browser = await launchBrowser();
    ownerContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    owner = await ownerContext.newPage();
    await claimSite(owner, server.setupLink()!);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await smtp?.stop();
  });

  const mailTo = (address: string, subject: RegExp) => smtp.waitFor(address, subject);
  const linkIn = (mail: ReceivedMail, path: string) => {
    const match = new RegExp(`https?://[^\\s"<>]+/${path}/[A-Za-z0-9_-]+`).exec(decodeQuotedPrintable(mail.raw));
    assert.ok(match, `a /${path}/ link in the mail`);
    return match[0].replace(/^https?:\/\/[^/]+/, server.url);
  };

  it('“Forgot password?” mails a link; it sets a new password, signs out elsewhere, and sign-in works; the used link is refused', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.waitForURL(/\/forgot-password$/);
    assert.deepEqual(await axeViolations(page), [], describeViolations(await axeViolations(page)));
    await page.getByLabel('Email').fill('robin@example.com');
    await screenshot(page, 'forgot-password');
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    assert.match(await page.locator('main').innerText(), /If an account signs in with that address, a link to choose a new password is on its way/);

    const mail = await mailTo('robin@example.com', /Reset your password/);
    const link = linkIn(mail, 'reset-password');
    await page.goto(link);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    assert.deepEqual(await axeViolations(page), [], describeViolations(await axeViolations(page)));
    await page.getByLabel('New password').fill('a whole new passphrase');
    await screenshot(page, 'reset-password');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.waitForURL(/\/login\?reset=1$/);
    assert.match(await page.locator('main').innerText(), /Your new password is set/);

    // The owner's other browser was signed out by the reset.
    await owner.goto(`${server.url}/admin`);
    await owner.waitForURL(/\/login/);

    await page.getByLabel('Email').fill('robin@example.com');
    await page.getByLabel('Password').fill('a whole new passphrase');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/admin$/);

    const again = await page.goto(link);
    assert.equal(again!.status(), 410);
    assert.match(await page.locator('main').innerText(), /This link has already been used/);
    await screenshot(page, 'reset-password-used');
    await context.close();

    // Sign the owner back in for the invitation below.
    await owner.getByLabel('Email').fill('robin@example.com');
    await owner.getByLabel('Password').fill('a whole new passphrase');
    await owner.getByRole('button', { name: 'Sign in' }).click();
    await owner.waitForURL(/\/admin/);
  });

  it('the owner invites an author by email; the invitee chooses name and password and lands in the admin', async () => {
    await owner.goto(`${server.url}/admin/users`);
    await owner.getByLabel('Email', { exact: true }).fill('sam@example.com');
    await owner.getByLabel('Role', { exact: true }).selectOption('author');
    await owner.getByRole('button', { name: 'Send invitation' }).click();
    await owner.getByText('Invitation sent.').waitFor();
    assert.match(await owner.locator('.pending-invites').innerText(), /sam@example\.com\s+Author/);
    await screenshot(owner, 'invite-pending');

    const mail = await mailTo('sam@example.com', /Robin invited you to/);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(linkIn(mail, 'invite'));
    assert.match(await page.locator('main').innerText(), /You are invited as an author/);
    assert.deepEqual(await axeViolations(page), [], describeViolations(await axeViolations(page)));
    await page.getByLabel('Your name').fill('Sam');
    await page.getByLabel('Password').fill('sam chooses this one');
    await screenshot(page, 'invite-accept');
    await page.getByRole('button', { name: 'Create my account' }).click();
    await page.waitForURL(/\/admin\?notice=joined$/);
    assert.match(await page.locator('main').innerText(), /Welcome! Your account is ready/);
    await context.close();

    await owner.goto(`${server.url}/admin/users`);
    assert.match(await owner.locator('.user-table').innerText(), /Sam\s+sam@example\.com/);
    assert.equal(await owner.locator('.pending-invites').count(), 0);
  });
});
