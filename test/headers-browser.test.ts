import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserSkipReason, claimSite, launchBrowser, screenshot } from './helpers/browser.ts';
import { spawnServer, tempDir, type RunningServer } from './helpers/spawn-server.ts';

const skip = browserSkipReason();
const LONG_TITLE = 'Notes from the North Georgia Tweetup and Everything After';
const MENU = ['Home | /', 'Archive | /archive', 'About this blog | /about', 'Projects | /projects', 'Contact | /contact'];
const WIDTHS = [1280, 1024, 768, 390];

interface Box {
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The visible boxes of a header's parts, how many rows its menu items take, and how far the page scrolls sideways. */
async function headerLayout(page: Page, parts: Record<string, string>, items: string) {
  return page.evaluate(
    ({ parts, items }) => {
      const visible = (el: Element) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
      };
      const boxes: Box[] = [];
      for (const [name, selector] of Object.entries(parts)) {
        document.querySelectorAll(selector).forEach((el, i) => {
          if (!visible(el)) return;
          const r = el.getBoundingClientRect();
          boxes.push({ name: `${name}${i ? ` ${i + 1}` : ''}`, x: r.x, y: r.y, width: r.width, height: r.height });
        });
      }
      const shown = [...document.querySelectorAll(items)].filter(visible);
      const rows = new Set(shown.map((el) => Math.round(el.getBoundingClientRect().top))).size;
      return { boxes, shownItems: shown.length, rows, overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth };
    },
    { parts, items },
  );
}

/** Pairs of boxes that overlap (touching edges do not count). */
function overlaps(boxes: Box[]): string[] {
  const found: string[] = [];
  for (const [i, a] of boxes.entries()) {
    for (const b of boxes.slice(i + 1)) {
      const apart = a.x + a.width <= b.x + 0.5 || b.x + b.width <= a.x + 0.5 || a.y + a.height <= b.y + 0.5 || b.y + b.height <= a.y + 0.5;
      if (!apart) found.push(`${a.name} overlaps ${b.name}`);
    }
  }
  return found;
}

describe('in Chromium: the public and admin headers at 1280, 1024, 768 and 390 px with a long title and five menu items', { skip }, () => {
  let server: RunningServer;
  let browser: Browser;
  let admin: BrowserContext;
  let reader: BrowserContext;
  let page: Page;
  let readerPage: Page;

  before(async () => {
    server = await spawnServer({ DATA_DIR: tempDir('kumbaya-headers-'), LOG_LEVEL: 'warn' });
    browser = await launchBrowser();
    admin = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await admin.newPage();
    await claimSite(page, server.setupLink()!);
    await page.goto(`${server.url}/admin/settings`);
    await page.fill('#f-title', LONG_TITLE);
    await page.fill('#f-navigation', MENU.join('\n'));
    await page.click('button:has-text("Save settings")');
    await page.waitForURL(/\/admin\/settings/);
    reader = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    readerPage = await reader.newPage();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const width of WIDTHS) {
    it(`public header at ${width} px: the menu on one row or folded, nothing overlapping or scrolling sideways`, async () => {
      await readerPage.setViewportSize({ width, height: 800 });
      await readerPage.goto(`${server.url}/archive`);
      await readerPage.waitForFunction(() => document.querySelector('.site-nav')?.matches('.is-collapsed') || document.querySelector('.site-nav-toggle')?.hasAttribute('hidden'));
      const parts = { title: '.site-title', item: '.site-nav li', menu: '.site-nav-toggle', search: '.site-header .search-form' };
      const layout = await headerLayout(readerPage, parts, '.site-nav li');
      await screenshot(readerPage, `header-public-${width}`);
      assert.equal(layout.overflow, 0, 'the page does not scroll sideways');
      assert.deepEqual(overlaps(layout.boxes), []);
      const folded = await readerPage.locator('.site-nav-toggle').isVisible();
      if (width >= 768) {
        // Wide enough: every item is in the bar, on one row.
        assert.equal(folded, false, 'the menu is not folded');
        assert.equal(layout.shownItems, MENU.length);
        assert.equal(layout.rows, 1, 'the menu items share one row');
      } else {
        assert.equal(folded, true, 'the menu is folded behind Menu');
        assert.equal(layout.shownItems, 0);
        const toggle = readerPage.locator('.site-nav-toggle');
        assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
        await toggle.click();
        assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
        const open = await headerLayout(readerPage, { item: '.site-nav li' }, '.site-nav li');
        assert.equal(open.shownItems, MENU.length, 'every item shows once the menu is open');
        assert.equal(open.overflow, 0, 'the open menu does not scroll sideways');
        for (const box of open.boxes) assert.ok(box.x >= 0 && box.x + box.width <= width, `${box.name} is inside the screen`);
        await screenshot(readerPage, `header-public-${width}-open`);
        await readerPage.keyboard.press('Escape');
        assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
        assert.equal(await readerPage.evaluate(() => document.activeElement?.className), 'site-nav-toggle secondary');
        assert.equal(await readerPage.locator('.site-nav a[href="/contact"]').isVisible(), false);
      }
    });

    it(`public header at ${width} px without JavaScript: the items may wrap, but nothing overlaps or scrolls sideways`, async () => {
      const plain = await browser.newContext({ viewport: { width, height: 800 }, javaScriptEnabled: false });
      try {
        const p = await plain.newPage();
        await p.goto(`${server.url}/archive`);
        const layout = await headerLayout(p, { title: '.site-title', item: '.site-nav li', search: '.site-header .search-form' }, '.site-nav li');
        assert.equal(layout.overflow, 0, 'the page does not scroll sideways');
        assert.deepEqual(overlaps(layout.boxes), []);
        assert.equal(layout.shownItems, MENU.length, 'every item shows');
        assert.equal(await p.locator('.site-nav-toggle').isVisible(), false, 'no button that would do nothing');
      } finally {
        await plain.close();
      }
    });

    it(`admin header at ${width} px: the areas on one row or folded, nothing overlapping or scrolling sideways`, async () => {
      await page.setViewportSize({ width, height: 800 });
      await page.goto(`${server.url}/admin/comments`);
      const parts = { brand: '.admin-brand', area: '#admin-areas > li', menu: '.nav-toggle', user: '.admin-user' };
      const layout = await headerLayout(page, parts, '#admin-areas > li');
      await screenshot(page, `header-admin-${width}`);
      assert.equal(layout.overflow, 0, 'the page does not scroll sideways');
      assert.deepEqual(overlaps(layout.boxes), []);
      if (width >= 768) {
        assert.ok(layout.shownItems >= 6, 'the everyday areas and More are in the bar');
        assert.equal(layout.rows, 1, 'the areas share one row');
      } else {
        assert.equal(await page.locator('.nav-toggle').isVisible(), true);
        assert.equal(layout.shownItems, 0);
      }
    });
  }
});
