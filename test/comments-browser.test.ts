import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, browserSkipReason, describeViolations, launchBrowser, screenshot } from './helpers/browser.ts';
import { spawnServer, tempDir, type RunningServer } from './helpers/spawn-server.ts';
import { TestSmtpServer, decodeQuotedPrintable, type ReceivedMail } from './helpers/smtp-test-server.ts';

const skip = browserSkipReason();
const POST = '/you-cant-fail-in-social-media';

/** The form's minimum time to submit is real here: wait it out like a person would. */
const think = () => new Promise((resolve) => setTimeout(resolve, 3200));

describe('in Chromium: conversations', { skip }, () => {
  let server: RunningServer;
  let browser: Browser;
  let author: BrowserContext;
  let authorPage: Page;

  before(async () => {
    server = await spawnServer({ DATA_DIR: tempDir('kumbaya-comments-'), LOG_LEVEL: 'warn' });
    browser = await launchBrowser();
    author = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    authorPage = await author.newPage();
    await authorPage.goto(server.setupLink()!);
    await authorPage.getByLabel('Your name').fill('James');
    await authorPage.getByLabel('Email').fill('james@example.com');
    await authorPage.getByLabel('Password').fill('a long enough password');
    await authorPage.getByRole('button', { name: 'Create owner account' }).click();
    await authorPage.waitForURL(/\/admin/);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a reader comments without JavaScript and lands on the notice that it awaits approval', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.url}${POST}`);
    await page.getByLabel('Name', { exact: true }).fill('Nadia');
    await page.getByLabel(/^Email/).fill('nadia@example.org');
    await page.getByLabel('Comment', { exact: true }).fill('Reading this **without** scripts. Still works!');
    await think();
    await page.getByRole('button', { name: 'Post comment' }).click();
    await page.waitForURL(/\/comments\/\d+\/pending$/);
    assert.match(await page.locator('main').innerText(), /waiting for the author to approve it/);
    assert.equal(await page.locator('.comment-body strong').textContent(), 'without');
    await screenshot(page, 'comment-no-js-pending');
    await context.close();
  });

  it('a reader comments with JavaScript: it appears in place, and the author’s approval reaches another reader live', async () => {
    const readerContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const reader = await readerContext.newPage();
    await reader.goto(`${server.url}${POST}`);
    const watcherContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const watcher = await watcherContext.newPage();
    await watcher.goto(`${server.url}${POST}`);
    const before = await watcher.locator('article.comment').count();

    await reader.getByLabel('Name', { exact: true }).fill('Olu');
    await reader.getByLabel(/^Email/).fill('olu@example.org');
    await reader.getByLabel(/^Website/).fill('https://olu.example');
    await reader.getByLabel('Comment', { exact: true }).fill('First time commenting here. Thank you, James!');
    await think();
    const url = reader.url();
    await reader.getByRole('button', { name: 'Post comment' }).click();
    const mine = reader.locator('article.comment.is-held', { hasText: 'First time commenting here' });
    await mine.waitFor();
    assert.equal(reader.url(), url, 'no page reload');
    assert.match(await reader.locator('.form-status').innerText(), /waiting for the author to approve it/);
    await screenshot(reader, 'comment-js-held');

    // The author approves it from the moderation inbox.
    await authorPage.goto(`${server.url}/admin/comments`);
    const row = authorPage.locator('article, li, tr').filter({ hasText: 'First time commenting here' }).first();
    assert.match(await row.innerText(), /first comment from this person/);
    await row.getByRole('button', { name: /^Approve/ }).first().click();
    await authorPage.waitForLoadState('load');

    // The other reader, who kept the page open, is told and can show it without a jump.
    const pill = watcher.locator('#live-show');
    await pill.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await pill.innerText(), /1 new comment/);
    assert.equal(await watcher.locator('article.comment').count(), before, 'nothing moves until the reader asks');
    await pill.click();
    await watcher.locator('article.comment', { hasText: 'First time commenting here' }).waitFor();
    await screenshot(watcher, 'comment-arrived-live');
    await readerContext.close();
    await watcherContext.close();
  });

  it('the writer can edit inside the window', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.url}${POST}`);
    await page.getByLabel('Name', { exact: true }).fill('Charity');
    await page.getByLabel(/^Email/).fill('charity@kumbaya.example');
    await page.getByLabel('Comment', { exact: true }).fill('Charity again, with a tpyo.');
    await think();
    await page.getByRole('button', { name: 'Post comment' }).click();
    const mine = page.locator('article.comment', { hasText: 'with a tpyo' });
    await mine.waitFor();
    await mine.getByRole('link', { name: 'Edit' }).click();
    const editor = page.getByLabel('Edit your comment');
    await editor.fill('Charity again, with the typo fixed.');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('article.comment', { hasText: 'with the typo fixed' }).waitFor();
    const fresh = await browser.newContext();
    const check = await fresh.newPage();
    await check.goto(`${server.url}${POST}`);
    assert.equal(await check.locator('article.comment', { hasText: 'with the typo fixed' }).count(), 1);
    await fresh.close();
    await context.close();
  });

  it('has no automated accessibility violations on a post with comments, light and dark', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`${server.url}${POST}`);
      const violations = await axeViolations(page);
      assert.equal(violations.length, 0, `${scheme}:\n${describeViolations(violations)}`);
    }
    await screenshot(page, 'post-with-comments-dark');
    await context.close();
  });
});

describe('in Chromium: reply notifications by email, through a real SMTP server', { skip }, () => {
  let smtp: TestSmtpServer;
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    smtp = await TestSmtpServer.start();
    server = await spawnServer({ DATA_DIR: tempDir('kumbaya-mail-'), LOG_LEVEL: 'warn', SMTP_URL: smtp.url, OUTBOX_INTERVAL_MS: '200' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await smtp?.stop();
  });

  const mailTo = (address: string, subject: RegExp) => smtp.waitFor(address, subject);
  const linkIn = (mail: ReceivedMail, path: RegExp) => {
    const text = decodeQuotedPrintable(mail.raw);
    const match = new RegExp(`https?://[^\\s"<>]+${path.source}[^\\s"<>]*`).exec(text);
    assert.ok(match, `a link matching ${path} in the mail`);
    return match[0].replace(/^https?:\/\/[^/]+/, server.url);
  };

  it('a reader asks for replies, confirms once, gets the author’s reply by email and unsubscribes in one click', async () => {
    const readerContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const reader = await readerContext.newPage();
    await reader.goto(`${server.url}${POST}`);
    // Charity has an approved comment, so hers is published at once.
    await reader.getByLabel('Name', { exact: true }).fill('Charity');
    await reader.getByLabel(/^Email/).fill('charity@kumbaya.example');
    await reader.getByLabel('Comment', { exact: true }).fill('Will you write more about mentoring?');
    await reader.getByLabel('Email me replies to my comment').check();
    await think();
    await reader.getByRole('button', { name: 'Post comment' }).click();
    await reader.locator('article.comment', { hasText: 'write more about mentoring' }).waitFor();

    // Double opt-in: one confirmation message, opened in the browser.
    const confirmation = await mailTo('charity@kumbaya.example', /confirm/i);
    await reader.goto(linkIn(confirmation, /\/confirm-email\//));
    // Opening the link only asks (mail scanners open links too); the button confirms.
    await reader.getByRole('button', { name: 'Yes, email me' }).click();
    await reader.getByRole('heading', { name: /your address is confirmed/i }).waitFor();

    // The author replies from the post page.
    const author = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const authorPage = await author.newPage();
    await authorPage.goto(server.setupLink()!);
    await authorPage.getByLabel('Your name').fill('James');
    await authorPage.getByLabel('Email').fill('james@example.com');
    await authorPage.getByLabel('Password').fill('a long enough password');
    await authorPage.getByRole('button', { name: 'Create owner account' }).click();
    await authorPage.waitForURL(/\/admin/);
    await authorPage.goto(`${server.url}${POST}`);
    const comment = authorPage.locator('article.comment', { hasText: 'write more about mentoring' });
    await comment.getByRole('link', { name: /^Reply/ }).click();
    await authorPage.getByLabel('Comment', { exact: true }).fill('Yes, Charity: next week.');
    await authorPage.getByRole('button', { name: 'Post comment' }).click();
    await authorPage.locator('article.comment.is-author', { hasText: 'next week' }).waitFor();

    const notification = await mailTo('charity@kumbaya.example', /repl/i);
    assert.match(notification.headers.get('list-unsubscribe') ?? '', /^<https?:\/\/[^>]+\/unsubscribe\/[A-Za-z0-9_-]+>/);
    assert.equal(notification.headers.get('list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
    assert.match(decodeQuotedPrintable(notification.raw), /next week/);

    await reader.goto(linkIn(notification, /\/unsubscribe\//));
    await screenshot(reader, 'unsubscribe');
    await reader.getByRole('button', { name: 'Unsubscribe' }).click();
    assert.match(await reader.locator('main').innerText(), /unsubscribed/i);

    // No more replies reach her.
    const before = smtp.received.filter((m) => m.to.includes('charity@kumbaya.example')).length;
    await comment.getByRole('link', { name: /^Reply/ }).click();
    await authorPage.getByLabel('Comment', { exact: true }).fill('One more thing.');
    await authorPage.getByRole('button', { name: 'Post comment' }).click();
    await authorPage.locator('article.comment.is-author', { hasText: 'One more thing' }).waitFor();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(smtp.received.filter((m) => m.to.includes('charity@kumbaya.example')).length, before);
    await readerContext.close();
    await author.close();
  });
});
