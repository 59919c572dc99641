import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { axeViolations, browserSkipReason, claimSite, describeViolations, launchBrowser, screenshot } from './helpers/browser.ts';
import { spawnServer, tempDir, type RunningServer } from './helpers/spawn-server.ts';

const skip = browserSkipReason();
const postPath = '/you-cant-fail-in-social-media';

describe('in Chromium: staff edit a reply and move it under the right comment', { skip }, () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    server = await spawnServer({ DATA_DIR: tempDir('kumbaya-comment-edit-'), LOG_LEVEL: 'warn' });
    browser = await launchBrowser();
    // bypassCSP only so that axe-core can be injected; the pages themselves need no exception.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    page = await context.newPage();
    await claimSite(page, server.setupLink()!);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('fixes the text in the admin, moves it, and the post page shows it under its new parent marked as edited', async () => {
    // James's answer to Torri was meant for Kathy: staff fix it from the inbox.
    await page.goto(`${server.url}/admin/comments?status=approved`);
    const row = page.locator('[data-mod-list] > li', { hasText: 'Torri, thanks for commenting' });
    await row.getByRole('link', { name: /Edit or move/ }).click();
    await page.waitForURL(/\/admin\/comments\/\d+\/edit/);
    const replyId = Number(/comments\/(\d+)\/edit/.exec(page.url())![1]);
    assert.match(await page.locator('.comment-history-section').innerText(), /Not edited yet/);

    await page.fill('#edit-body', 'Kathy, thanks for commenting. Mentoring newbies is the best way to learn.');
    const kathyOption = page.locator('#edit-parent option', { hasText: /^Kathy: / });
    const kathyId = Number(await kathyOption.getAttribute('value'));
    await page.selectOption('#edit-parent', String(kathyId));
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(/saved=1/);
    assert.match(await page.locator('.notice[role=status]').first().innerText(), /Your changes are saved/);
    const history = await page.locator('.comment-revision').innerText();
    assert.match(history, /Before the edit by .+ on .+, in reply to Torri/);
    assert.match(history, /Torri, thanks for commenting/);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const violations = await axeViolations(page);
      assert.equal(violations.length, 0, `edit page (${scheme}):\n${describeViolations(violations)}`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await screenshot(page, 'comment-edit-admin');

    await page.getByRole('link', { name: 'View it on the site' }).click();
    await page.waitForURL(new RegExp(`${postPath}.*#comment-${replyId}$`));
    const reply = page.locator(`#comment-${replyId}`);
    assert.match(await reply.locator('.comment-body').innerText(), /Mentoring newbies is the best way to learn/);
    assert.equal(await reply.locator('.edited').innerText(), 'edited');
    // Nested in Kathy's replies, no longer in Torri's.
    const parentOfReply = await reply.evaluate((el) => el.closest('ol.replies')?.parentElement?.querySelector(':scope > article')?.id);
    assert.equal(parentOfReply, `comment-${kathyId}`);
    const torri = page.locator('article.comment', { hasText: 'Nicely put, James!' });
    const torriId = await torri.getAttribute('id');
    assert.equal(await page.locator(`#${torriId} + ol.replies #comment-${replyId}`).count(), 0);
    await screenshot(page, 'comment-edit-post-page');
  });

  it('deletes chosen spam for good after asking, even with the inbox script running', async () => {
    await page.goto(`${server.url}/admin/comments?status=approved`);
    // Torri's comment has no replies left (James's answer moved to Kathy's above).
    const torri = page.locator('[data-mod-list] > li', { hasText: 'Nicely put, James!' });
    await torri.getByRole('button', { name: /^Spam/ }).click();
    await page.locator('[data-mod-list] > li[data-moved]').first().waitFor();

    await page.goto(`${server.url}/admin/comments?status=spam`);
    assert.equal(await page.locator('[data-mod-list] > li').count(), 1);
    await page.locator('[data-mod-list] > li input[data-pick]').check();
    await page.getByRole('button', { name: 'Delete selected for good' }).click();
    await page.waitForURL(/\/admin\/comments\/delete-spam$/);
    assert.match(await page.locator('h1').innerText(), /Delete this spam comment for good\?/);
    await screenshot(page, 'comment-delete-spam-confirm');
    await page.getByRole('button', { name: 'Delete for good' }).click();
    await page.waitForURL(/status=spam/);
    assert.match(await page.locator('[data-mod-notice]').innerText(), /^1 spam comment deleted for good\. The spam filter learned from it\.$/);
    assert.equal(await page.locator('[data-mod-list] > li').count(), 0);
  });
});
