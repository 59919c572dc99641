import assert from 'node:assert/strict';
import type http from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { closeGracefully, createServer, listen } from '../src/web/server.ts';
import { browserSkipReason, launchBrowser, screenshot } from './helpers/browser.ts';
import { startTestKumbaya, type TestKumbaya } from './helpers/test-kumbaya.ts';

const skip = browserSkipReason();

describe('in Chromium: the site’s time zone, a post scheduled in it, published on its local time', { skip, timeout: 180_000 }, () => {
  let k: TestKumbaya;
  let server: http.Server;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  // The server's clock, which the test moves: 1 December 2026, 09:00 UTC (10:00 in Paris).
  let now = Date.UTC(2026, 11, 1, 9, 0);

  before(async () => {
    k = await startTestKumbaya({ clock: { now: () => now } });
    server = createServer(k.app, k.deps.pageCache, k.config.siteUrl);
    base = `http://127.0.0.1:${(await listen(server, 0, '127.0.0.1')).port}`;
    const owner = await k.signIn('owner');
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addCookies([{ name: 'kb_session', value: owner.cookies.get('kb_session')!, url: base }]);
    page = await context.newPage();
  });
  // Scheduling wakes the scheduler, whose tick may still be running on the old clock: wait it out, then tick.
  const tick = async () => {
    await k.scheduler.tick();
    await k.scheduler.tick();
  };
  after(async () => {
    await browser?.close();
    if (server) await closeGracefully(server);
    await k?.cleanup();
  });

  it('sets the site’s zone in Settings, refusing a name that is not one', async () => {
    await page.goto(`${base}/admin/settings`);
    const zone = page.getByLabel('Time zone');
    assert.equal(await zone.inputValue(), 'UTC');
    await zone.fill('Europe/Pariss');
    await page.getByRole('button', { name: 'Save settings' }).click();
    assert.equal(await page.locator('#f-timeZone-error').textContent(), '“Europe/Pariss” is not a time zone this server knows: use an IANA name such as Europe/Paris, America/New_York or UTC (names are case-sensitive).');
    await page.getByLabel('Time zone').fill('Europe/Paris');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.waitForURL(/notice=settings-saved/);
    assert.equal(await page.getByLabel('Time zone').inputValue(), 'Europe/Paris');
    assert.match((await page.locator('#f-timeZone-hint').textContent())!, /now: December 1, 2026 at 10:00 AM CET/);
    await page.locator('#f-timeZone').scrollIntoViewIfNeeded();
    await screenshot(page, 'timezone-settings');
  });

  let postId = 0;
  it('schedules a post for 14:05 Paris time: the editor reads the field in the zone and says when, with the zone named', async () => {
    await page.goto(`${base}/admin/posts/new`);
    await page.getByLabel('Title', { exact: true }).fill('Lunch in Lyon');
    await page.getByLabel('Text', { exact: true }).fill('The bouchon opens at two.');
    const when = page.locator('#f-publishedAt');
    assert.match((await page.locator('label[for="f-publishedAt"]').textContent())!, /Europe\/Paris/);
    await when.fill('2026-12-03T14:05');
    // The button says what will happen, against the server's clock in the site's zone.
    const publish = page.locator('button[name="action"][value="publish"]');
    await page.waitForFunction(() => document.querySelector('button[name="action"][value="publish"]')?.textContent === 'Schedule');
    await publish.click();
    await page.waitForURL(/\/admin\/posts\/\d+/);
    postId = Number(/\/admin\/posts\/(\d+)/.exec(page.url())![1]);
    assert.match((await page.locator('.editor-status').textContent())!, /Goes live December 3, 2026 at 2:05 PM CET/);
    assert.equal(await page.locator('#f-publishedAt').inputValue(), '2026-12-03T14:05');
    await screenshot(page, 'timezone-scheduled-editor');
    assert.equal((await k.deps.store.posts.findById(postId))!.publishedAt, Date.UTC(2026, 11, 3, 13, 5));
  });

  it('goes live at 14:05 in Paris, not a minute before, and its page shows the local time with the zone named', async () => {
    now = Date.UTC(2026, 11, 3, 13, 4);
    await tick();
    const reader = await browser.newContext();
    const readerPage = await reader.newPage();
    assert.equal((await readerPage.goto(`${base}/lunch-in-lyon`))!.status(), 404);

    now = Date.UTC(2026, 11, 3, 13, 5);
    await tick();
    assert.equal((await readerPage.goto(`${base}/lunch-in-lyon`))!.status(), 200);
    const published = readerPage.locator('article .dt-published').first();
    assert.equal(await published.textContent(), 'December 3, 2026');
    assert.equal(await published.getAttribute('datetime'), '2026-12-03T14:05:00+01:00');

    // The author answers on the page five minutes later: the comment's time is 14:10 CET.
    now = Date.UTC(2026, 11, 3, 13, 10);
    await page.goto(`${base}/lunch-in-lyon`);
    await page.fill('#c-body', 'Book a table for two.');
    now += 10_000;
    await page.click('#respond button[type=submit]');
    await page.waitForLoadState('networkidle');
    await readerPage.goto(`${base}/lunch-in-lyon`);
    const commentTime = readerPage.locator('.comment time.dt-published').first();
    assert.equal(await commentTime.textContent(), 'December 3, 2026 at 2:10 PM CET');
    assert.equal(await commentTime.getAttribute('datetime'), '2026-12-03T14:10:10+01:00');
    await screenshot(readerPage, 'timezone-published-post');
    await reader.close();

    await page.goto(`${base}/admin/posts`);
    assert.match((await page.locator('body').textContent())!, /Published\s*December 3, 2026/);
  });
});
