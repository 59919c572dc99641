import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, browserSkipReason, claimSite, commentAsReader, describeViolations, launchBrowser, screenshot } from './helpers/browser.ts';
import { spawnServer, tempDir, type RunningServer } from './helpers/spawn-server.ts';

const skip = browserSkipReason();
const postPath = '/you-cant-fail-in-social-media';

describe('in Chromium: the author gets to know a commenter in Admin → People', { skip }, () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  const readerComments = (name: string, email: string, body: string, ip: string) =>
    commentAsReader(browser, `${server.url}${postPath}`, { name, email, website: 'https://wraps.example/', body, ip });

  before(async () => {
    server = await spawnServer({ DATA_DIR: tempDir('kumbaya-people-'), LOG_LEVEL: 'warn', TRUST_PROXY: 'true' });
    browser = await launchBrowser();
    // bypassCSP only so that axe-core can be injected; the pages themselves need no exception.
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    page = await context.newPage();
    await claimSite(page, server.setupLink()!);
    await readerComments('Marcus Wrap', 'marcus@wraps.example', 'Great post. I wrap cars for a living, and this is how we found our customers.', '198.51.100.31');
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const noViolations = async (what: string) => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const violations = await axeViolations(page);
      assert.equal(violations.length, 0, `${what} (${scheme}):\n${describeViolations(violations)}`);
      await screenshot(page, `people-${what.replace(/\W+/g, '-')}-${scheme}`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  };

  it('finds the commenter in People, adds a note and a label, holds them, and sees the note badge in the inbox', async () => {
    await page.goto(`${server.url}/admin`);
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'People' }).click();
    await page.waitForURL(/\/admin\/people$/);
    await noViolations('people list');

    await page.fill('#people-q', 'wraps.example');
    await page.getByRole('button', { name: 'Find' }).click();
    const rows = page.locator('.people-table tbody tr');
    assert.equal(await rows.count(), 1, 'found by website');
    assert.match((await rows.first().textContent())!, /Marcus Wrap[^]*marcus@wraps\.example/);
    await rows.first().getByRole('link', { name: 'Marcus Wrap' }).click();
    await page.waitForURL(/\/admin\/people\/\d+$/);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Marcus Wrap');
    assert.match((await page.locator('.timeline').textContent())!, /I wrap cars for a living/);

    await page.fill('#note-body', 'Met at the **North Georgia Tweetup**; wraps cars.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.waitForURL(/notice=saved/);
    assert.equal(await page.locator('.note-list strong').textContent(), 'North Georgia Tweetup');

    await page.fill('#label-name', 'tweetup');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.waitForURL(/notice=saved/);
    assert.equal((await page.locator('.person-side .label-list .label').textContent())!.replace('×', '').trim(), 'tweetup');

    await page.getByLabel('Always hold').check();
    await page.fill('#trust-reason', 'want to read first');
    await page.getByRole('button', { name: 'Save trust' }).click();
    await page.waitForURL(/notice=saved/);
    assert.equal(await page.getByLabel('Always hold').isChecked(), true);
    assert.match((await page.locator('.timeline').textContent())!, /set trust to Always hold: want to read first/);
    await noViolations('person page');

    await page.goto(`${server.url}/admin/comments`);
    const row = page.locator('[data-mod-list] > li', { hasText: 'Marcus Wrap' });
    const badge = row.locator('.note-badge');
    assert.equal(await badge.count(), 1, 'the note badge sits beside their comment');
    await screenshot(page, 'people-inbox-badge');
    await badge.click();
    await page.waitForURL(/\/admin\/people\/\d+$/);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Marcus Wrap');
  });
});
