import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, browserSkipReason, describeViolations, launchBrowser, screenshot } from './helpers/browser.ts';
import { spawnServer, tempDir, type RunningServer } from './helpers/spawn-server.ts';

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
