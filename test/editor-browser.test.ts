import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import path from 'node:path';
import { artifactsDir, axeViolations, browserSkipReason, claimSite, describeViolations, launchBrowser, screenshot } from './helpers/browser.ts';
import { eventually } from './helpers/eventually.ts';
import { spawnServer, tempDir, type RunningServer } from './helpers/spawn-server.ts';

const skip = browserSkipReason();

/** A screenshot-like PNG, wide enough for variants: bands of colour. */
function picture(width: number, height: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 3;
      pixels[at] = 40 + Math.round((180 * x) / width);
      pixels[at + 1] = 120 + Math.round(60 * Math.sin(y / 40));
      pixels[at + 2] = 200 - Math.round((120 * y) / height);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** Selects `part` of the text (its first occurrence), as a writer would with the mouse. */
async function select(page: Page, part: string): Promise<void> {
  await page.locator('#f-markdown').evaluate((el: HTMLTextAreaElement, p: string) => {
    const at = el.value.indexOf(p);
    if (at === -1) throw new Error(`"${p}" is not in the text`);
    el.focus();
    el.setSelectionRange(at, at + p.length);
  }, part);
}

/** Puts the cursor at the end of the text. */
async function cursorAtEnd(page: Page): Promise<void> {
  await page.locator('#f-markdown').evaluate((el: HTMLTextAreaElement) => {
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  });
}

/** What the writer sees without scrolling (the full-page shots draw sticky parts where the page was scrolled). */
async function viewport(page: Page, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(artifactsDir, `${name}.png`) });
}

const text = (page: Page) => page.locator('#f-markdown').inputValue();

describe('in Chromium: the writing desk', { skip }, () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let imageUrl = '';

  before(async () => {
    server = await spawnServer({ DATA_DIR: tempDir('kumbaya-editor-'), LOG_LEVEL: 'warn' });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    page = await context.newPage();
    await claimSite(page, server.setupLink()!);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('formats with the toolbar and the shortcuts, keeping undo, with a live preview and word count', async () => {
    await page.goto(`${server.url}/admin/posts/new`);
    await page.getByLabel('Title', { exact: true }).fill('Herons at dawn');
    const area = page.getByLabel('Text', { exact: true });
    await area.click();
    await page.keyboard.type('Morning notes\nThe herons stood still in the mist by the river.\nbring a thermos\nbring boots');

    // The toolbar: a heading for the first line.
    await select(page, 'Morning notes');
    const toolbar = page.getByRole('toolbar', { name: 'Formatting' });
    await toolbar.getByRole('button', { name: 'Heading' }).click();
    assert.match(await text(page), /^## Morning notes\n/);

    // Bold from the toolbar, italic from Ctrl+I; Ctrl+Z takes the italic back, Ctrl+I again puts it on.
    await select(page, 'herons');
    await toolbar.getByRole('button', { name: 'Bold' }).click();
    await select(page, 'mist');
    await page.keyboard.press('Control+I');
    assert.match(await text(page), /The \*\*herons\*\* stood still in the _mist_ by the river\./);
    await page.keyboard.press('Control+Z');
    assert.match(await text(page), /in the mist by/, 'undo takes the formatting back');
    await select(page, 'mist');
    await page.keyboard.press('Control+I');

    // Ctrl+K makes a link with the address to type or paste next; Ctrl+Shift+8 a bulleted list.
    await select(page, 'river');
    await page.keyboard.press('Control+K');
    await page.keyboard.type('https://example.org/river');
    await select(page, 'bring a thermos\nbring boots');
    await page.keyboard.press('Control+Shift+8');
    const written = await text(page);
    assert.match(written, /\[river\]\(https:\/\/example\.org\/river\)/);
    assert.match(written, /\n- bring a thermos\n- bring boots$/);

    // The tooltips and the help name the shortcuts; the toolbar is one tab stop with arrow keys inside.
    assert.equal(await toolbar.getByRole('button', { name: 'Bold' }).getAttribute('title'), 'Bold (Ctrl+B)');
    assert.equal(await toolbar.getByRole('button', { name: 'Link' }).getAttribute('aria-keyshortcuts'), 'Control+K');
    await page.getByRole('button', { name: 'Heading' }).focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-md')), 'bold');
    assert.equal(await toolbar.locator('button[tabindex="0"]').count(), 1);

    // The preview is the publishing pipeline's HTML; the count is of the words readers read.
    const preview = page.locator('[data-preview]');
    await preview.locator('strong', { hasText: 'herons' }).waitFor();
    await preview.locator('a[href="https://example.org/river"]').waitFor();
    await preview.locator('h2', { hasText: 'Morning notes' }).waitFor();
    await page.locator('[data-word-count]', { hasText: '17 words · 1 min read' }).waitFor();
    // The excerpt field shows the automatic excerpt as its placeholder.
    await eventually(async () => /^Morning notes The herons stood still/.test((await page.locator('#f-excerpt').getAttribute('placeholder')) ?? ''), 5000);
  });

  it('asks for alt text in a dialog when an image is pasted, uploads it and inserts it at the cursor; a drop asks the same', async () => {
    await cursorAtEnd(page);
    await page.keyboard.type('\n\n');
    const png = await picture(1400, 800);
    await page.locator('#f-markdown').evaluate((el: HTMLTextAreaElement, bytes: number[]) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], 'image.png', { type: 'image/png' }));
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, [...png]);
    const dialog = page.getByRole('dialog', { name: 'Describe this image' });
    await dialog.waitFor();
    await screenshot(page, 'editor-alt-dialog-1280');
    // Not described: the dialog says what it needs and stays.
    await dialog.getByRole('button', { name: 'Upload and insert' }).click();
    await dialog.getByText('Describe the image, or tick “decorative”').waitFor();
    await dialog.getByLabel('Alt text').fill('Two herons standing in shallow water at dawn');
    await dialog.getByRole('button', { name: 'Upload and insert' }).click();
    await page.locator('[data-upload-status]', { hasText: 'Uploaded and added to the text with its description.' }).waitFor();
    const snippet = /!\[Two herons standing in shallow water at dawn\]\((\/uploads\/[0-9a-f]{64}\.png)\)\n$/.exec(await text(page));
    assert.ok(snippet, `the image's Markdown is at the cursor: ${await text(page)}`);
    imageUrl = snippet[1];
    await page.locator('[data-preview] img[alt="Two herons standing in shallow water at dawn"]').waitFor();

    // Something that is not an image is refused with a message, nothing asked.
    await page.locator('#f-markdown').evaluate((el: HTMLTextAreaElement) => {
      const data = new DataTransfer();
      data.items.add(new File(['<svg/>'], 'logo.svg', { type: 'image/svg+xml' }));
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    await page.locator('[data-upload-status][role="alert"]', { hasText: 'is not an image Kumbaya takes' }).waitFor();

    // Dropped on the text: the same dialog; cancelled, nothing is uploaded or inserted.
    const before = await text(page);
    await page.locator('[data-md-drop]').evaluate((zone: HTMLElement, bytes: number[]) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], 'second.png', { type: 'image/png' }));
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, [...png]);
    await dialog.waitFor();
    assert.match((await dialog.locator('[data-alt-file]').textContent()) ?? '', /^second\.png · \d+ KB$/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('[data-upload-status]', { hasText: 'Image not added.' }).waitFor();
    assert.equal(await text(page), before);
  });

  it('previews the link card from the SEO fields, publishes one post, and readers get srcset, the alt text and the head', async () => {
    await page.getByLabel('Meta description').fill('Herons, mist and a thermos: notes from a dawn walk.');
    await page.getByLabel('Social image').fill(imageUrl);
    await page.getByLabel('Canonical URL').fill('https://first.example.com/herons');
    const card = page.locator('[data-link-card]');
    await card.locator('[data-card-description]', { hasText: 'Herons, mist and a thermos: notes from a dawn walk.' }).waitFor();
    await card.locator(`img[src="${imageUrl}"]`).waitFor();
    assert.equal((await card.locator('[data-card-title]').textContent())?.trim(), 'Herons at dawn');
    await page.locator('[data-char-count]', { hasText: '51 of about 155 characters' }).waitFor();

    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const violations = await axeViolations(page);
      assert.equal(violations.length, 0, `editor (${scheme}):\n${describeViolations(violations)}`);
      await screenshot(page, `editor-1280-${scheme}`);
      await viewport(page, `editor-1280-${scheme}-top`);
    }
    await page.emulateMedia({ colorScheme: 'light' });

    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.waitForURL(/\/admin\/posts\/\d+\?notice=published/);
    // Autosaves ran while writing; the explicit save went to the same post.
    await page.goto(`${server.url}/admin/posts`);
    assert.equal(await page.locator('tbody tr', { hasText: 'Herons at dawn' }).count(), 1, 'one post');

    const reader = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    const readerPage = await reader.newPage();
    const hasSrcset = async () => {
      await readerPage.goto(`${server.url}/herons-at-dawn`);
      return (await readerPage.locator('.e-content img').getAttribute('srcset')) !== null;
    };
    assert.ok(await eventually(hasSrcset, 20_000), 'srcset appears once the variants are made');
    const img = readerPage.locator('.e-content img');
    assert.equal(await img.getAttribute('alt'), 'Two herons standing in shallow water at dawn');
    assert.match((await img.getAttribute('srcset'))!, /-480\.webp 480w, .*-960\.webp 960w, \/uploads\/[0-9a-f]{64}\.png 1400w$/);
    assert.equal(await readerPage.locator('meta[name="description"]').getAttribute('content'), 'Herons, mist and a thermos: notes from a dawn walk.');
    assert.equal(await readerPage.locator('meta[property="og:image"]').getAttribute('content'), `${server.url}${imageUrl}`);
    assert.equal(await readerPage.locator('meta[name="twitter:image"]').getAttribute('content'), `${server.url}${imageUrl}`);
    assert.equal(await readerPage.locator('link[rel="canonical"]').getAttribute('href'), 'https://first.example.com/herons');
    assert.match(await readerPage.locator('.e-content').innerHTML(), /<strong>herons<\/strong>.*<em>mist<\/em>/s);
    await reader.close();
  });

  it('switches between Write and Preview with tabs on a phone', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true, storageState: await context.storageState() });
    const p = await phone.newPage();
    await p.goto(`${server.url}/admin/posts`);
    await p.locator('tbody tr', { hasText: 'Herons at dawn' }).getByRole('link', { name: /Herons at dawn|Edit/ }).first().click();
    await p.waitForURL(/\/admin\/posts\/\d+$/);
    assert.equal(await p.locator('.notice', { hasText: 'You have an autosave' }).count(), 0, 'no autosave newer than the published post');
    const tabs = p.getByRole('tablist', { name: 'Text or preview' });
    await tabs.waitFor();
    assert.equal(await p.locator('#f-markdown').isVisible(), true);
    assert.equal(await p.locator('[data-preview]').isVisible(), false, 'one pane at a time');
    await screenshot(p, 'editor-390-write');
    await viewport(p, 'editor-390-write-top');
    await tabs.getByRole('tab', { name: 'Preview' }).click();
    assert.equal(await p.locator('[data-preview]').isVisible(), true);
    assert.equal(await p.locator('#f-markdown').isVisible(), false);
    assert.equal(await tabs.getByRole('tab', { name: 'Preview' }).getAttribute('aria-selected'), 'true');
    await screenshot(p, 'editor-390-preview');
    await viewport(p, 'editor-390-preview-top');
    await tabs.getByRole('tab', { name: 'Preview' }).press('ArrowLeft');
    assert.equal(await p.locator('#f-markdown').isVisible(), true, 'arrow keys move between the tabs');
    const violations = await axeViolations(p);
    assert.equal(violations.length, 0, `editor at 390 px:\n${describeViolations(violations)}`);
    await phone.close();
  });
});
