import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, browserSkipReason, claimSite, commentAsReader, describeViolations, launchBrowser, screenshot } from './helpers/browser.ts';
import { spawnServer, tempDir, type RunningServer } from './helpers/spawn-server.ts';

const skip = browserSkipReason();
const postPath = '/you-cant-fail-in-social-media';

describe('in Chromium: moderating from the inbox, by keyboard and without JavaScript', { skip }, () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  const readerComments = (name: string, body: string, ip: string) =>
    commentAsReader(browser, `${server.url}${postPath}`, { name, email: `${name.toLowerCase()}@example.com`, body, ip });

  before(async () => {
    server = await spawnServer({ DATA_DIR: tempDir('kumbaya-moderation-'), LOG_LEVEL: 'warn', TRUST_PROXY: 'true' });
    browser = await launchBrowser();
    // bypassCSP only so that axe-core can be injected; the pages themselves need no exception.
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    page = await context.newPage();
    await claimSite(page, server.setupLink()!);
    await Promise.all([
      readerComments('Amara', 'First time here: *lovely* post.', '198.51.100.21'),
      readerComments('Jonas', 'I see it differently, but thank you.', '198.51.100.22'),
      readerComments('Priya', 'Do you have a follow-up on this?', '198.51.100.23'),
    ]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Waits until the live region announces something matching `pattern`. */
  const announced = (pattern: RegExp) =>
    page.waitForFunction(([source, flags]) => new RegExp(source, flags).test(document.querySelector('[data-mod-live]')?.textContent ?? ''), [pattern.source, pattern.flags] as const);
  const row = (name: string) => page.locator('[data-mod-list] > li', { hasText: name });

  it('shows the held comments with why, and has no accessibility violations, light and dark', async () => {
    await page.goto(`${server.url}/admin/comments`);
    assert.equal(await page.locator('[data-mod-list] > li').count(), 3);
    assert.match((await row('Amara').locator('.mod-why').textContent())!, /first comment from this person/);
    assert.equal((await page.locator('[data-nav-count="pending"] [data-n]').textContent())!.trim(), '3');
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const violations = await axeViolations(page);
      assert.equal(violations.length, 0, `inbox (${scheme}):\n${describeViolations(violations)}`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('moves with j and k, approves with a, spams with s, and keeps the count current', async () => {
    await page.goto(`${server.url}/admin/comments`);
    const order = await page.locator('[data-mod-list] > li h2').allTextContents();
    await page.keyboard.press('j');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-comment') !== null), true, 'the first comment has focus');
    await announced(new RegExp(`1 of 3: ${order[0]}`));
    await page.keyboard.press('j');
    await announced(new RegExp(`2 of 3: ${order[1]}`));

    await page.keyboard.press('a');
    await page.locator('[data-mod-list] > li[data-moved]').first().waitFor();
    assert.equal(await row(order[1]).getAttribute('data-status'), 'approved');
    assert.match((await page.locator('[data-mod-notice]').textContent())!, /1 comment approved\./);
    assert.equal((await page.locator('[data-nav-count="pending"] [data-n]').textContent())!.trim(), '2');
    assert.equal((await page.locator('[data-count="pending"]').textContent())!.trim(), '2');
    // The selection moved on to the next comment still waiting.
    await page.waitForFunction((name) => document.activeElement?.textContent?.includes(name), order[2]);

    await page.keyboard.press('s');
    await page.waitForFunction((name) => [...document.querySelectorAll('[data-mod-list] > li[data-moved]')].some((li) => li.textContent?.includes(name)), order[2]);
    assert.equal(await row(order[2]).getAttribute('data-status'), 'spam');

    // k skips the folded rows, back to the first.
    await page.keyboard.press('k');
    await announced(new RegExp(`1 of 1: ${order[0]}`));
    await page.keyboard.press('x');
    assert.equal(await row(order[0]).locator('input[data-pick]').isChecked(), true);
    await screenshot(page, 'moderation-keyboard');
  });

  it('opens the reply with r, ignores shortcuts while typing, and publishes the reply in place', async () => {
    const name = (await page.locator('[data-mod-list] > li:not([data-moved]) h2').first().textContent())!.trim();
    await page.keyboard.press('r');
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'TEXTAREA');
    await page.keyboard.type('Thank you, and stay a while: j k a s d x');
    assert.equal(await row(name).getAttribute('data-status'), 'pending', 'letters typed in the reply did nothing else');
    // Sent from the keyboard, without leaving the text.
    await page.keyboard.press('Control+Enter');
    await page.waitForFunction((n) => [...document.querySelectorAll('[data-mod-list] > li[data-moved]')].some((li) => li.textContent?.includes(n)), name);
    assert.match((await page.locator('[data-mod-notice]').textContent())!, /Your reply is published\./);
    const article = await (await fetch(`${server.url}${postPath}`)).text();
    assert.match(article, /Thank you, and stay a while/);
  });

  it('shows the shortcuts with ? and closes them with Escape', async () => {
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('Shift+?');
    assert.equal(await page.locator('dialog[data-shortcuts]').evaluate((d: HTMLDialogElement) => d.open), true);
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('dialog[data-shortcuts]').evaluate((d: HTMLDialogElement) => d.open), false);
  });

  it('works without JavaScript: the form posts and comes back with a notice and Undo', async () => {
    const noJs = await browser.newContext({ javaScriptEnabled: false, storageState: await context.storageState() });
    const p = await noJs.newPage();
    await p.goto(`${server.url}/admin/comments?status=spam`);
    await p.locator('[data-mod-list] > li').first().getByRole('button', { name: /^Not spam/ }).click();
    await p.waitForURL(/done=restore/);
    assert.match((await p.locator('.notice').first().textContent())!, /1 comment restored\./);
    await p.getByRole('button', { name: /^Undo/ }).click();
    await p.waitForURL(/done=spam/);
    assert.equal(await p.locator('[data-mod-list] > li').count(), 1);
    await noJs.close();
  });
});
