import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, browserSkipReason, describeViolations, launchBrowser, screenshot } from './helpers/browser.ts';
import { spawnServer, tempDir, type RunningServer } from './helpers/spawn-server.ts';

const skip = browserSkipReason();

describe('in Chromium: a newcomer reads, claims the site, writes and publishes', { skip }, () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    server = await spawnServer({ DATA_DIR: tempDir('kumbaya-browser-'), LOG_LEVEL: 'warn' });
    browser = await launchBrowser();
    // bypassCSP only so that axe-core can be injected; the site's own pages need no exception.
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    page = await context.newPage();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the demo post with its thread nested under each reader', async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: "You CAN'T Fail in Social Media" }).click();
    await page.waitForURL(/\/you-cant-fail-in-social-media$/);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), "You CAN'T Fail in Social Media");

    const topLevel = page.locator('ol.thread > li');
    assert.equal(await topLevel.count(), 3);
    const readers = ['Charity', 'Kathy', 'Torri'];
    for (const [i, name] of readers.entries()) {
      const entry = topLevel.nth(i);
      assert.equal(await entry.locator(':scope > article .p-name').first().textContent(), name);
      const reply = entry.locator(':scope > ol.replies > li > article');
      assert.equal(await reply.count(), 1, `${name} has one nested reply`);
      assert.equal(await reply.locator('.p-name').first().textContent(), 'James');
      assert.equal(await reply.locator('.badge').textContent(), 'Author');
      // The reply is visibly indented under the reader's comment.
      const readerBox = await entry.locator(':scope > article').boundingBox();
      const replyBox = await reply.boundingBox();
      assert.ok(readerBox && replyBox && replyBox.x > readerBox.x + 10, 'reply is indented');
    }
    await screenshot(page, 'demo-post');
  });

  it('has no automated accessibility violations on the home and post pages, light and dark', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const path of ['/', '/you-cant-fail-in-social-media']) {
        await page.goto(`${server.url}${path}`);
        const violations = await axeViolations(page);
        assert.equal(violations.length, 0, `${path} (${scheme}):\n${describeViolations(violations)}`);
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('fits a 320 px wide screen without sideways scrolling', async () => {
    const narrow = await context.newPage();
    await narrow.setViewportSize({ width: 320, height: 700 });
    for (const path of ['/', '/you-cant-fail-in-social-media']) {
      await narrow.goto(`${server.url}${path}`);
      const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${path} overflows by ${overflow}px at 320px`);
    }
    await screenshot(narrow, 'demo-post-320px');
    await narrow.close();
  });

  it('claims the site through the setup link', async () => {
    const link = server.setupLink();
    assert.ok(link, 'the first start printed a setup link');
    await page.goto(link);
    await page.getByLabel('Your name').fill('James');
    await page.getByLabel('Email').fill('james@example.com');
    await page.getByLabel('Password').fill('a long enough password');
    await screenshot(page, 'setup');
    await page.getByRole('button', { name: 'Create owner account' }).click();
    await page.waitForURL(/\/admin/);
    await screenshot(page, 'admin-after-claim');
  });

  it('writes and publishes a post, then finds it on the home page and in search', async () => {
    await page.goto(`${server.url}/admin/posts/new`);
    await page.getByLabel('Title', { exact: true }).fill('Tweetups and the people behind them');
    await page.getByLabel('Text', { exact: true }).fill('We met at the **North Georgia Tweetup**, and the conversation went on from there.\n\n- comments\n- phone calls\n- a meetup');
    // The live preview renders the Markdown as the author types.
    await page.locator('.preview strong', { hasText: 'North Georgia Tweetup' }).waitFor({ timeout: 5000 });
    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, `editor:\n${describeViolations(violations)}`);
    await screenshot(page, 'editor');
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.waitForLoadState('load');

    const reader = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const readerPage = await reader.newPage();
    await readerPage.goto(`${server.url}/`);
    await readerPage.getByRole('link', { name: 'Tweetups and the people behind them' }).waitFor();
    await screenshot(readerPage, 'home-with-new-post');

    await readerPage.getByLabel('Search posts').first().fill('tweetup');
    await readerPage.getByLabel('Search posts').first().press('Enter');
    await readerPage.waitForURL(/\/search\?q=tweetup/);
    await readerPage.getByRole('link', { name: 'Tweetups and the people behind them' }).waitFor();
    await screenshot(readerPage, 'search');

    await readerPage.getByRole('link', { name: 'Tweetups and the people behind them' }).click();
    assert.equal(await readerPage.locator('.e-content strong').first().textContent(), 'North Georgia Tweetup');
    await screenshot(readerPage, 'new-post');
    await reader.close();
  });
});
