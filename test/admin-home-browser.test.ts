import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, browserSkipReason, claimSite, commentAsReader, describeViolations, launchBrowser, screenshot } from './helpers/browser.ts';
import { spawnServer, tempDir, type RunningServer } from './helpers/spawn-server.ts';

const skip = browserSkipReason();
const postPath = '/you-cant-fail-in-social-media';

describe('in Chromium: the admin home and the posts list', { skip }, () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    server = await spawnServer({ DATA_DIR: tempDir('kumbaya-home-'), LOG_LEVEL: 'warn', TRUST_PROXY: 'true' });
    browser = await launchBrowser();
    // bypassCSP only so that axe-core can be injected; the pages themselves need no exception.
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    page = await context.newPage();
    await claimSite(page, server.setupLink()!);
    await commentAsReader(browser, `${server.url}${postPath}`, { name: 'Marta Quill', email: 'marta@example.com', body: 'Which tools did you use for the tweetup invitations?', ip: '198.51.100.41' });
    await commentAsReader(browser, `${server.url}${postPath}`, { name: 'Owen Held', email: 'owen@example.com', body: 'A first comment that waits for review.', ip: '198.51.100.42' });
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
      await screenshot(page, `admin-home-${what.replace(/\W+/g, '-')}-${scheme}`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  };

  it('answers a recent comment from the home with Ctrl+Enter, and the reply is on the post', async () => {
    // Marta's comment is approved in the inbox; Owen's stays held.
    await page.goto(`${server.url}/admin/comments`);
    await page.locator('[data-mod-list] > li', { hasText: 'Marta Quill' }).getByRole('button', { name: 'Approve' }).click();
    await page.locator('[data-mod-list] > li.is-moved', { hasText: 'Marta Quill' }).waitFor();

    await page.goto(`${server.url}/admin`);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Home');
    const held = page.getByRole('region', { name: 'Held for review' });
    assert.match((await held.textContent())!, /1 comment is held[^]*Owen Held[^]*A first comment that waits for review\./);
    const waiting = page.getByRole('region', { name: 'Waiting for you' });
    assert.match((await waiting.textContent())!, /Marta Quill/);
    await noViolations('home');

    const recent = page.getByRole('region', { name: 'Recent comments' });
    const item = recent.locator('li', { hasText: 'Marta Quill' });
    await item.locator('summary').click();
    const box = item.getByLabel('Your reply to Marta Quill');
    await box.fill('Paper cards and a shared spreadsheet, nothing fancy.');
    await screenshot(page, 'admin-home-reply-open');
    await box.press('Control+Enter');
    await page.waitForURL(/\/admin\?done=reply&reply=\d+$/);
    assert.match(await page.locator('.notice').first().innerText(), /View it on the site/);
    // Answered: Marta no longer waits.
    assert.doesNotMatch((await page.getByRole('region', { name: 'Waiting for you' }).textContent())!, /Marta Quill/);

    await page.locator('.notice a', { hasText: 'View it on the site' }).click();
    await page.waitForURL(new RegExp(`${postPath}#comment-\\d+$`));
    assert.match(await page.locator('main').innerText(), /Paper cards and a shared spreadsheet, nothing fancy\./);
  });

  it('bulk-publishes two drafts from the posts list', async () => {
    // The drafts are written with the plain form (no JavaScript, so no autosave racing the save).
    const plain = await browser.newContext({ javaScriptEnabled: false, storageState: await context.storageState() });
    const writer = await plain.newPage();
    for (const title of ['Harbour lights', 'Night ferry']) {
      await writer.goto(`${server.url}/admin/posts/new`);
      await writer.getByLabel('Title', { exact: true }).fill(title);
      await writer.getByLabel('Text', { exact: true }).fill(`About ${title.toLowerCase()}.`);
      await writer.getByLabel('Tags', { exact: true }).fill('Harbour');
      await writer.getByRole('button', { name: 'Save draft' }).click();
      await writer.waitForURL(/notice=created/);
    }
    await plain.close();
    await page.goto(`${server.url}/admin/posts`);
    await page.getByLabel('Status').selectOption('draft');
    await page.getByLabel('Tag', { exact: true }).selectOption('harbour');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/status=draft&tag=harbour/);
    const rows = page.locator('.post-table tbody tr');
    assert.equal(await rows.count(), 2);
    await noViolations('posts list');

    await page.getByLabel('Select every post on this page').check();
    assert.equal(await page.getByLabel('Select “Harbour lights”').isChecked(), true, 'select all ticks every row');
    assert.equal(await page.getByLabel('Select “Night ferry”').isChecked(), true);
    await page.getByLabel('With the selected posts').selectOption('publish');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/bulk=publish&n=2/);
    assert.match(await page.locator('.notice').first().innerText(), /2 posts published\./);
    assert.match(await page.locator('main').innerText(), /No posts match these filters/);
    await screenshot(page, 'admin-home-posts-bulk-done');

    await page.goto(`${server.url}/admin/posts`);
    const harbour = page.locator('.post-table tbody tr', { hasText: 'Harbour lights' });
    assert.match((await harbour.textContent())!, /Published/);
    const res = await page.goto(`${server.url}/harbour-lights`);
    assert.equal(res!.status(), 200);
    assert.match(await page.locator('main').innerText(), /About harbour lights\./);
  });
});
