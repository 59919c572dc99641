import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, browserSkipReason, claimSite, commentAsReader, describeViolations, launchBrowser, screenshot } from './helpers/browser.ts';
import { spawnServer, tempDir, type RunningServer } from './helpers/spawn-server.ts';

const skip = browserSkipReason();
const postPath = '/you-cant-fail-in-social-media';

describe('in Chromium: the author merges two records of one person and undoes it', { skip }, () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  const readerComments = (name: string, email: string, website: string, body: string, ip: string) =>
    commentAsReader(browser, `${server.url}${postPath}`, { name, email, website, body, ip });

  before(async () => {
    server = await spawnServer({ DATA_DIR: tempDir('kumbaya-people-merge-'), LOG_LEVEL: 'warn', TRUST_PROXY: 'true' });
    browser = await launchBrowser();
    // bypassCSP only so that axe-core can be injected; the pages themselves need no exception.
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    page = await context.newPage();
    await claimSite(page, server.setupLink()!);
    // One person, two records: an address on its own, and later another address with a website.
    await readerComments('Dana', 'dana@mail.example', '', 'Written from my mail address.', '198.51.100.41');
    await readerComments('Dana Site', 'dana@site.example', 'https://dana.example/', 'Written with my website.', '198.51.100.42');
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const timeline = async () => (await page.locator('.timeline').textContent()) ?? '';

  it('merges the email person with the website person after a preview, sees both on one page, then undoes it', async () => {
    await page.goto(`${server.url}/admin/people?q=dana%40mail`);
    await page.locator('.people-table').getByRole('link', { name: 'Dana', exact: true }).click();
    await page.waitForURL(/\/admin\/people\/\d+$/);
    const danaUrl = page.url();

    await page.getByRole('link', { name: 'Merge with…' }).click();
    await page.fill('#merge-q', 'dana.example');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByLabel(/Dana Site/).check();
    await page.getByRole('button', { name: 'Preview the merge' }).click();
    await page.waitForURL(/\/merge\?with=\d+$/);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Preview the merge');
    assert.match((await page.locator('.merge-moves').innerText()).replace(/\s+/g, ' '), /2 identities.*1 comment/);
    assert.match((await page.locator('.merge-fields').innerText()).replace(/\s+/g, ' '), /Website https:\/\/dana\.example\/ from Dana Site/);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const violations = await axeViolations(page);
      assert.equal(violations.length, 0, `merge preview (${scheme}):\n${describeViolations(violations)}`);
      await screenshot(page, `people-merge-preview-${scheme}`);
    }
    await page.emulateMedia({ colorScheme: 'light' });

    await page.getByRole('button', { name: 'Merge Dana Site into Dana' }).click();
    await page.waitForURL(/notice=merged/);
    const identities = (await page.locator('.identity-list').textContent()) ?? '';
    assert.match(identities, /dana@mail\.example/);
    assert.match(identities, /dana@site\.example/);
    assert.match(identities, /https:\/\/dana\.example/);
    assert.match(await timeline(), /Written from my mail address\./);
    assert.match(await timeline(), /Written with my website\./);
    assert.match((await page.locator('.merge-lines').innerText()).replace(/\s+/g, ' '), /Merged from Dana Site on .* — Undo the merge of Dana Site \(until .*\)/);
    await screenshot(page, 'people-merged');

    await page.getByRole('button', { name: 'Undo the merge of Dana Site' }).click();
    await page.waitForURL(/notice=split/);
    assert.equal(await page.locator('.merge-lines').count(), 0);
    assert.match(await timeline(), /Written from my mail address\./);
    assert.doesNotMatch(await timeline(), /Written with my website\./);

    await page.goto(`${server.url}/admin/people?q=dana`);
    assert.equal(await page.locator('.people-table tbody tr').count(), 2, 'two people again');
    await page.locator('.people-table').getByRole('link', { name: 'Dana Site' }).click();
    await page.waitForURL(/\/admin\/people\/\d+$/);
    assert.notEqual(page.url(), danaUrl);
    assert.match(await timeline(), /Written with my website\./);
    assert.doesNotMatch(await timeline(), /Written from my mail address\./);
  });
});
