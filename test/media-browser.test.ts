import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { axeViolations, browserSkipReason, claimSite, describeViolations, launchBrowser, screenshot } from './helpers/browser.ts';
import { eventually } from './helpers/eventually.ts';
import { spawnServer, tempDir, type RunningServer } from './helpers/spawn-server.ts';

const skip = browserSkipReason();

/** Whether the server process has sharp's native library (libvips) mapped in. */
const sharpLoaded = (server: RunningServer) => fs.readFileSync(`/proc/${server.child.pid}/maps`, 'utf8').includes('libvips');

/** A photo-like JPEG: a sky-to-sand gradient, `width` × `height`. */
async function gradient(width: number, height: number, from: [number, number, number], to: [number, number, number]): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    const t = y / (height - 1);
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) pixels[at + c] = Math.round(from[c] + (to[c] - from[c]) * t + 12 * Math.sin(x / 37));
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
}

describe('in Chromium: the media library', { skip }, () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let imageUrl = '';

  before(async () => {
    server = await spawnServer({ DATA_DIR: tempDir('kumbaya-media-'), LOG_LEVEL: 'warn' });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await claimSite(page, server.setupLink()!);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('uploads an image from the editor with its alt text, and readers get it with srcset, width and height', async () => {
    await page.goto(`${server.url}/admin/posts/new`);
    assert.equal(sharpLoaded(server), false, 'serving pages, the admin included, does not load sharp');
    await page.getByLabel('Title', { exact: true }).fill('Evening on the dunes');
    const text = page.getByLabel('Text', { exact: true });
    await text.fill('We walked out after supper.\n\n');
    await page.locator('#upload-file').setInputFiles({ name: 'dunes.jpg', mimeType: 'image/jpeg', buffer: await gradient(1800, 1100, [90, 140, 210], [230, 200, 150]) });
    await page.locator('#upload-alt').fill('Sand dunes under an evening sky');
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.locator('[data-upload-status]', { hasText: 'Uploaded and added to the text.' }).waitFor();
    const markdown = await text.inputValue();
    const snippet = /!\[Sand dunes under an evening sky\]\((\/uploads\/[0-9a-f]{64}\.jpg)\)/.exec(markdown);
    assert.ok(snippet, `the Markdown at the cursor keeps the alt text: ${markdown}`);
    imageUrl = snippet[1];
    assert.equal(sharpLoaded(server), true, 'the first upload loads it');
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.waitForLoadState('load');

    // The variants come from the background queue; the served page names them once they exist.
    const reader = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    const readerPage = await reader.newPage();
    const hasSrcset = async () => {
      await readerPage.goto(`${server.url}/evening-on-the-dunes`);
      return (await readerPage.locator('.e-content img').getAttribute('srcset')) !== null;
    };
    assert.ok(await eventually(hasSrcset, 20_000), 'srcset appears once the variants are made');
    // A reader who comes now, with nothing cached: a page loaded before the variants existed
    // fetched the original, and Chromium may reuse a larger cached candidate from a srcset.
    await reader.close();
    const fresh = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    const freshPage = await fresh.newPage();
    await freshPage.goto(`${server.url}/evening-on-the-dunes`);
    const img = freshPage.locator('.e-content img');
    assert.equal(await img.getAttribute('alt'), 'Sand dunes under an evening sky');
    assert.deepEqual([await img.getAttribute('width'), await img.getAttribute('height')], ['1800', '1100']);
    assert.match((await img.getAttribute('srcset'))!, /-480\.webp 480w, .*-960\.webp 960w, .*-1600\.webp 1600w, \/uploads\/[0-9a-f]{64}\.jpg 1800w$/);
    await img.scrollIntoViewIfNeeded();
    await freshPage.waitForFunction(() => {
      const el = document.querySelector<HTMLImageElement>('.e-content img');
      return !!el && el.complete && el.naturalWidth > 0;
    });
    // A 390 px screen at 2× wants ~700 px: the browser picks a WebP variant, not the 1800 px original.
    const chosen = await img.evaluate((el: HTMLImageElement) => el.currentSrc);
    assert.match(chosen, /-960\.webp$/, `chose ${chosen}`);
    await screenshot(freshPage, 'media-post-390');
    await fresh.close();
  });

  it('shows the library with size, dimensions, alt text and uses; axe finds nothing in light and dark', async () => {
    await page.goto(`${server.url}/admin`);
    await page.click('.admin-nav summary');
    await page.click('.admin-nav a[href="/admin/uploads"]');
    await page.waitForURL(/\/admin\/uploads$/);
    assert.equal((await page.locator('.admin-nav summary').textContent())!.trim(), 'More: Media');
    const item = page.locator('.upload-item', { hasText: 'dunes.jpg' });
    await item.waitFor();
    const words = await item.textContent();
    assert.match(words!, /1800 × 1100 px/);
    assert.match(words!, /Alt text: Sand dunes under an evening sky/);
    assert.match(words!, /Used in 1 post:\s*Evening on the dunes/);
    assert.equal(await item.locator('input.snippet').inputValue(), `![Sand dunes under an evening sky](${imageUrl})`);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const violations = await axeViolations(page);
      assert.equal(violations.length, 0, `library (${scheme}):\n${describeViolations(violations)}`);
      await screenshot(page, `media-library-${scheme}`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('deletes an unused upload, and refuses a used one, naming the post, until "Delete anyway"', async () => {
    await page.goto(`${server.url}/admin/uploads`);
    await page.locator('#upload-page-file').setInputFiles({ name: 'spare.jpg', mimeType: 'image/jpeg', buffer: await gradient(640, 400, [40, 90, 60], [200, 220, 170]) });
    await page.locator('#upload-page-alt').fill('A green field');
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.waitForURL(/notice=uploaded/);
    await page.locator('.upload-item.is-new', { hasText: 'spare.jpg' }).waitFor();

    await page.getByRole('link', { name: 'spare.jpg', exact: true }).click();
    await page.getByLabel('Caption').fill('The field behind the house');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(/notice=upload-described/);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const violations = await axeViolations(page);
      assert.equal(violations.length, 0, `one image (${scheme}):\n${describeViolations(violations)}`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await screenshot(page, 'media-image');
    await page.getByRole('button', { name: 'Delete image' }).click(); // confirm() is accepted
    await page.waitForURL(/\/admin\/uploads\?notice=upload-deleted/);
    assert.equal(await page.locator('.upload-item', { hasText: 'spare.jpg' }).count(), 0);

    await page.getByRole('link', { name: 'dunes.jpg', exact: true }).click();
    await page.getByRole('button', { name: 'Delete image' }).click();
    const refusal = page.locator('.upload-refused');
    await refusal.waitFor();
    assert.match((await refusal.textContent())!, /shown in one post or page: “Evening on the dunes”/);
    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, `refusal:\n${describeViolations(violations)}`);
    await screenshot(page, 'media-delete-refused');
    assert.equal((await page.request.get(`${server.url}${imageUrl}`)).status(), 200, 'still served');
    await refusal.getByRole('button', { name: 'Delete anyway' }).click();
    await page.waitForURL(/notice=upload-deleted/);
    assert.equal((await page.request.get(`${server.url}${imageUrl}`)).status(), 404);
  });
});
