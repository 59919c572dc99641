import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseFeed } from '@rowanmanning/feed-parser';
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../bench/procs.ts';
import { axeViolations, browserSkipReason, describeViolations, launchBrowser, screenshot } from './helpers/browser.ts';
import { spawnServer, tempDir, type RunningServer } from './helpers/spawn-server.ts';

const skip = browserSkipReason();
const POST = '/you-cant-fail-in-social-media';

describe('in Chromium: feeds and sharing', { skip }, () => {
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    // SITE_URL names the address the server really answers at (the share links carry it).
    const port = await freePort();
    server = await spawnServer({ DATA_DIR: tempDir('kumbaya-reach-'), LOG_LEVEL: 'warn', PORT: String(port), SITE_URL: `http://localhost:${port}` });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('serves the feeds the page advertises with their content types, and they parse', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}${POST}`);
    const advertised = await page.locator('link[rel="alternate"]').evaluateAll((links) => links.map((l) => ({ type: l.getAttribute('type'), href: (l as HTMLLinkElement).href })));
    assert.equal(advertised.length, 6);
    for (const { type, href } of advertised) {
      // Fetched by the page itself, as a feed reader extension would.
      const got = await page.evaluate(async (url) => {
        const res = await fetch(url);
        return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
      }, href);
      assert.equal(got.status, 200, href);
      assert.equal(got.type, `${type}; charset=utf-8`, href);
      if (type === 'application/feed+json') assert.equal(JSON.parse(got.body).version, 'https://jsonfeed.org/version/1.1');
      else assert.ok(parseFeed(got.body).items.length > 0, `${href} has items`);
    }
    // Opened as a page: the browser shows the JSON Feed (no download, no error).
    const res = await page.goto(`${server.url}${POST}/comments/feed.json`);
    assert.equal(res!.status(), 200);
    assert.equal(res!.headers()['content-type'], 'application/feed+json; charset=utf-8');
    const shown = JSON.parse((await page.locator('body').innerText()).trim());
    assert.equal(shown.title, 'Comments on “You CAN\'T Fail in Social Media”');
    assert.equal(shown.items.length, 6);
    await context.close();
  });

  it('the post page keeps the strict CSP with its JSON-LD, and the share controls pass axe in light and dark', async () => {
    // First without bypassing the CSP: nothing on the page may be refused.
    const strict = await browser.newContext();
    const strictPage = await strict.newPage();
    const refused: string[] = [];
    strictPage.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) refused.push(msg.text());
    });
    await strictPage.goto(`${server.url}${POST}`);
    await strictPage.getByRole('button', { name: 'Copy link' }).waitFor();
    assert.deepEqual(refused, []);
    const jsonLd = JSON.parse((await strictPage.locator('script[type="application/ld+json"]').textContent())!);
    assert.equal(jsonLd['@type'], 'BlogPosting');
    await strict.close();

    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, bypassCSP: true, colorScheme });
      const page = await context.newPage();
      await page.goto(`${server.url}${POST}`);
      await page.getByRole('button', { name: 'Copy link' }).waitFor();
      await page.getByRole('button', { name: 'Mastodon' }).click();
      await page.getByLabel('Your Mastodon server').waitFor();
      const violations = await axeViolations(page);
      assert.deepEqual(violations, [], describeViolations(violations));
      await page.locator('.share').scrollIntoViewIfNeeded();
      await screenshot(page, `share-post-${colorScheme}`);
      await context.close();
    }
  });

  it('Copy link puts the post’s address on the clipboard and says so', async () => {
    const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await context.newPage();
    await page.goto(`${server.url}${POST}`);
    await page.getByRole('button', { name: 'Copy link' }).click();
    await page.getByRole('status').filter({ hasText: 'Link copied.' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), `${server.url}${POST}`);
    // The plain links work without script: email and Bluesky carry the title and address.
    const mail = await page.getByRole('link', { name: 'Email' }).getAttribute('href');
    assert.equal(mail, `mailto:?subject=${encodeURIComponent("You CAN'T Fail in Social Media")}&body=${encodeURIComponent(`${server.url}${POST}`)}`);
    const bluesky = new URL((await page.getByRole('link', { name: /Bluesky/ }).getAttribute('href'))!);
    assert.equal(bluesky.origin + bluesky.pathname, 'https://bsky.app/intent/compose');
    assert.equal(bluesky.searchParams.get('text'), `You CAN'T Fail in Social Media ${server.url}${POST}`);
    // The browser's share sheet is offered exactly when the browser has one.
    const hasShare = await page.evaluate(() => typeof navigator.share === 'function');
    assert.equal(await page.getByRole('button', { name: 'Share via…' }).isVisible(), hasShare);
    await context.close();
  });

  it('Mastodon asks for the reader’s server once, then goes straight there', async () => {
    const context = await browser.newContext();
    const opened: string[] = [];
    // Never leave this machine: answer for the Mastodon server here.
    await context.route('https://**/*', async (route) => {
      opened.push(route.request().url());
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>stub</title>' });
    });
    const page = await context.newPage();
    await page.goto(`${server.url}${POST}`);
    const waitForPopup = async (action: () => Promise<void>): Promise<Page> => {
      const popup = context.waitForEvent('page');
      await action();
      const opened = await popup;
      await opened.waitForLoadState();
      return opened;
    };

    await page.getByRole('button', { name: 'Mastodon' }).click();
    const input = page.getByLabel('Your Mastodon server');
    await input.fill('not a server');
    await page.getByRole('button', { name: 'Share on Mastodon' }).click();
    await page.getByRole('status').filter({ hasText: 'does not look like a server name' }).waitFor();
    assert.equal(opened.length, 0);

    await input.fill('https://Example.Social/@reader');
    const first = await waitForPopup(() => page.getByRole('button', { name: 'Share on Mastodon' }).click());
    // What Mastodon's share page receives: its address and the text (however the browser escapes the quote).
    const target = (url: string) => {
      const u = new URL(url);
      return `${u.origin}${u.pathname} ${u.searchParams.get('text')}`;
    };
    const expected = `https://example.social/share You CAN'T Fail in Social Media ${server.url}${POST}`;
    assert.equal(target(first.url()), expected);
    assert.equal(await page.evaluate(() => localStorage.getItem('kumbaya.mastodonInstance')), 'example.social');
    await first.close();

    // Another visit: no question, straight to the remembered server.
    await page.reload();
    const button = page.getByRole('button', { name: 'Mastodon (example.social)' });
    const second = await waitForPopup(() => button.click());
    assert.equal(target(second.url()), expected);
    assert.ok(await page.getByLabel('Your Mastodon server').isHidden(), 'the question is not asked again');
    assert.deepEqual(opened.map(target), [expected, expected]);
    await context.close();
  });
});
