import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, browserSkipReason, claimSite, commentAsReader, describeViolations, launchBrowser, screenshot } from './helpers/browser.ts';
import { eventually } from './helpers/eventually.ts';
import { spawnServer, tempDir, type RunningServer } from './helpers/spawn-server.ts';

const skip = browserSkipReason();
const postPath = '/you-cant-fail-in-social-media';

/** Ada's own website, with her h-card: what the author should learn about her. */
const adaPage = `<!doctype html><html lang="en"><head><title>Ada</title>
<link rel="me" href="https://social.example/@ada"><link rel="me" href="https://github.com/ada-l"></head>
<body><main class="h-card"><h1><a class="p-name u-url u-uid" href="/">Ada Lovelace</a></h1>
<p class="p-note">I wrap cars in Atlanta and write about the Analytical Engine.</p></main></body></html>`;

describe('in Chromium: the author asks "who is this?" about a first-time commenter', { skip }, () => {
  let site: http.Server;
  let siteUrl = '';
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    site = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(adaPage));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
    // WEBMENTION_ALLOW_PRIVATE lets the look-up reach the local stand-in for Ada's website.
    server = await spawnServer({ DATA_DIR: tempDir('kumbaya-whois-'), LOG_LEVEL: 'warn', TRUST_PROXY: 'true', WEBMENTION_ALLOW_PRIVATE: 'true' });
    browser = await launchBrowser();
    // bypassCSP only so that axe-core can be injected; the pages themselves need no exception.
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    page = await context.newPage();
    await claimSite(page, server.setupLink()!);
    await commentAsReader(browser, `${server.url}${postPath}`, { name: 'Ada', email: 'ada@example.com', website: siteUrl, body: 'I found my first customers through my blog, too.', ip: '198.51.100.77' });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    site?.closeAllConnections();
    site?.close();
  });

  const noViolations = async (what: string) => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const violations = await axeViolations(page);
      assert.equal(violations.length, 0, `${what} (${scheme}):\n${describeViolations(violations)}`);
      await screenshot(page, `people-whois-${what.replace(/\W+/g, '-')}-${scheme}`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  };

  it('opens the card in the inbox and sees her name, note and rel=me links; her page says the same', async () => {
    const row = page.locator('[data-mod-list] > li', { hasText: 'I found my first customers' });
    // The look-up runs in the background job queue: the inbox shows what it found once it has.
    const found = await eventually(async () => {
      await page.goto(`${server.url}/admin/comments`);
      return (await row.locator('.who-name').count()) > 0;
    }, 15_000);
    assert.ok(found, 'the job read her website');

    const card = row.locator('details.whois');
    assert.equal(await card.evaluate((d) => (d as HTMLDetailsElement).open), false, 'folded until asked');
    await card.getByText('Who is this?').click();
    const whois = card.locator('.whois-card');
    await whois.waitFor({ state: 'visible' });
    assert.equal(await whois.locator('.who-name').textContent(), 'Ada Lovelace');
    assert.equal(await whois.locator('.who-note').textContent(), 'I wrap cars in Atlanta and write about the Analytical Engine.');
    assert.deepEqual(await whois.locator('.who-links a').allTextContents(), ['social.example/@ada', 'github.com/ada-l']);
    assert.match((await whois.textContent())!, /this is their first time here/);
    assert.match((await whois.textContent())!, /first comment from this person/);
    assert.equal(await whois.locator('img').count(), 0, 'no photo from her site: initials');
    await noViolations('inbox card');

    await whois.getByRole('link', { name: 'Everything about Ada' }).click();
    await page.waitForURL(/\/admin\/people\/\d+$/);
    const side = page.locator('section.who-is');
    assert.equal(await side.locator('.who-name').textContent(), 'Ada Lovelace');
    assert.deepEqual(await side.locator('.who-links a').allTextContents(), ['social.example/@ada', 'github.com/ada-l']);
    await noViolations('person page');

    await side.getByRole('button', { name: /Look again/ }).click();
    await page.waitForURL(/notice=lookup-queued/);
    assert.match((await page.locator('.notice').first().textContent())!, /Looking at their website again in the background/);
  });
});
