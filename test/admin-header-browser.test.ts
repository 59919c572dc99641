import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, browserSkipReason, claimSite, describeViolations, launchBrowser, screenshot } from './helpers/browser.ts';
import { spawnServer, tempDir, type RunningServer } from './helpers/spawn-server.ts';

const skip = browserSkipReason();
const LONG_TITLE = 'Notes from the North Georgia Tweetup and Everything After';

/** The top of each item in the admin bar's first row, and how far the page scrolls sideways. */
async function barLayout(page: Page) {
  return page.evaluate(() => {
    const tops = [...document.querySelectorAll('.admin-nav > ul > li')].map((li) => Math.round(li.getBoundingClientRect().top));
    return { tops, overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth };
  });
}

describe('in Chromium: the admin bar at common widths', { skip }, () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    server = await spawnServer({ DATA_DIR: tempDir('kumbaya-header-'), LOG_LEVEL: 'warn' });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
    page = await context.newPage();
    await claimSite(page, server.setupLink()!);
    await page.goto(`${server.url}/admin/settings`);
    await page.fill('#f-title', LONG_TITLE);
    await page.click('button:has-text("Save settings")');
    await page.waitForURL(/\/admin\/settings/);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const width of [1280, 1024, 768]) {
    it(`keeps the areas on one line at ${width} px, with nothing scrolling sideways`, async () => {
      await page.setViewportSize({ width, height: 800 });
      await page.goto(`${server.url}/admin/comments`);
      const { tops, overflow } = await barLayout(page);
      assert.equal(overflow, 0, 'the page does not scroll sideways');
      // Every area and "More" share one row: nothing wraps onto a line of its own.
      assert.equal(new Set(tops).size, 1, `one row of areas, got tops ${tops.join(', ')}`);
      await screenshot(page, `admin-header-${width}`);
    });
  }

  it('folds the areas behind Menu at 390 px, and opens them without scrolling sideways', async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto(`${server.url}/admin/comments`);
    const toggle = page.locator('.nav-toggle');
    assert.equal(await toggle.isVisible(), true);
    assert.equal(await page.locator('#admin-areas').isVisible(), false);
    await screenshot(page, 'admin-header-390');
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    assert.equal(await page.locator('.admin-nav a[href="/admin/people"]').isVisible(), true);
    assert.equal((await barLayout(page)).overflow, 0, 'the page does not scroll sideways');
    await screenshot(page, 'admin-header-390-open');
    await page.click('.admin-nav summary');
    assert.equal(await page.locator('.admin-nav a[href="/admin/settings"]').isVisible(), true);
    assert.equal((await barLayout(page)).overflow, 0, 'nor with More open');
  });

  it('folds the occasional areas into More, names the one open, and closes with Escape', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${server.url}/admin`);
    assert.equal(await page.locator('.admin-nav a[href="/admin/settings"]').isVisible(), false);
    await page.click('.admin-nav summary');
    await page.click('.admin-nav a[href="/admin/settings"]');
    await page.waitForURL(/\/admin\/settings$/);
    assert.equal((await page.locator('.admin-nav summary').textContent())!.trim(), 'More: Settings');
    await page.click('.admin-nav summary');
    assert.equal(await page.locator('.admin-nav a[href="/admin/users"]').isVisible(), true);
    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, describeViolations(violations));
    await screenshot(page, 'admin-header-more-open');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('.admin-nav a[href="/admin/users"]').isVisible(), false);
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'SUMMARY');
  });
});
