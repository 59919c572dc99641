import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, browserSkipReason, describeViolations, launchBrowser, screenshot, claimSite } from './helpers/browser.ts';
import { spawnServer, tempDir, type RunningServer } from './helpers/spawn-server.ts';
import { blog } from './helpers/wxr-builder.ts';

const skip = browserSkipReason();

describe('in Chromium: importing a WordPress export from the admin', { skip }, () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    server = await spawnServer({ DATA_DIR: tempDir('kumbaya-import-'), LOG_LEVEL: 'warn' });
    browser = await launchBrowser();
    // bypassCSP only so that axe-core can be injected; the pages themselves need no exception.
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    page = await context.newPage();
    await claimSite(page, server.setupLink()!);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('uploads a WXR from the Import page and shows the report', async () => {
    await page.click('.admin-nav summary'); // Import sits under More
    await page.click('.admin-nav a[href="/admin/import"]');
    await page.waitForURL(/\/admin\/import$/);
    assert.equal(await page.locator('[data-import-progress]').isHidden(), true);
    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, describeViolations(violations));
    await screenshot(page, 'import-form');
    await page.setInputFiles('#import-file', { name: 'old-blog.xml', mimeType: 'text/xml', buffer: Buffer.from(blog('1.2')) });
    await page.click('[data-import-form] button[type=submit]');
    await page.waitForURL(/\/admin\/import\/[\w-]+$/);
    await page.locator('h1', { hasText: 'Import finished' }).waitFor();
    const posts = page.locator('.import-counts tr', { has: page.locator('th', { hasText: /^posts$/ }) });
    assert.deepEqual(await posts.locator('td').allTextContents(), ['5', '0', '0', '0']);
    assert.match((await page.locator('main').textContent())!, /answers comment 77, which is not in the file/);
    const reportViolations = await axeViolations(page);
    assert.equal(reportViolations.length, 0, describeViolations(reportViolations));
    await screenshot(page, 'import-report');
  });

  it('opens an imported post with its nested thread, also from its old address', async () => {
    await page.goto(`${server.url}/2019/03/05/hello-world/`);
    assert.equal(new URL(page.url()).pathname, '/hello-world');
    await page.locator('h1', { hasText: 'Hello & welcome' }).waitFor();
    const deep = page.locator('li:has(> article[data-author="First"]) li:has(> article[data-author="Replier"]) article[data-author="Deep"]');
    assert.equal(await deep.count(), 1, 'Deep answers Replier, who answers First');
    assert.equal(await page.locator('article[data-author="Spammer"]').count(), 0);
    await deep.scrollIntoViewIfNeeded();
    await screenshot(page, 'import-post-thread');
  });

  it('works without JavaScript: the form waits for the import and shows the report; a broken file says where', async () => {
    const plain = await browser.newContext({ javaScriptEnabled: false, storageState: await context.storageState() });
    const p = await plain.newPage();
    await p.goto(`${server.url}/admin/import`);
    await p.setInputFiles('#import-file', { name: 'broken.xml', mimeType: 'text/xml', buffer: Buffer.from('<rss>\n<channel>\n<item></channel>') });
    await p.click('[data-import-form] button[type=submit]');
    await p.locator('.notice.error', { hasText: /At line 3, column \d+: unexpected close tag/ }).waitFor();
    await p.setInputFiles('#import-file', { name: 'old-blog.xml', mimeType: 'text/xml', buffer: Buffer.from(blog('1.2')) });
    await p.check('input[name="dry_run"]');
    await p.click('[data-import-form] button[type=submit]');
    await p.locator('h1', { hasText: 'Dry run: nothing was changed' }).waitFor();
    await plain.close();
  });
});
