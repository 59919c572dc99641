import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { axeViolations, browserSkipReason, claimSite, describeViolations, launchBrowser, screenshot } from './helpers/browser.ts';
import { spawnServer, tempDir, type RunningServer } from './helpers/spawn-server.ts';

const skip = browserSkipReason();

describe('in Chromium: a password-protected post', { skip }, () => {
  let server: RunningServer;
  let browser: Browser;
  let author: Page;
  let postUrl: string;

  before(async () => {
    server = await spawnServer({ DATA_DIR: tempDir('kumbaya-post-password-'), LOG_LEVEL: 'warn' });
    browser = await launchBrowser();
    author = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await claimSite(author, server.setupLink()!);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the author sets a password in the editor, publishes, and comments under the post', async () => {
    await author.goto(`${server.url}/admin/posts/new`);
    await author.getByLabel('Title', { exact: true }).fill('Family news');
    await author.getByLabel('Text', { exact: true }).fill('Grandma turns **ninety** on Sunday.');
    await author.getByLabel('Password (optional)').fill('lighthouse');
    await author.getByRole('button', { name: 'Publish', exact: true }).click();
    await author.waitForLoadState('load');
    // The editor shows the author the password they set.
    assert.equal(await author.getByLabel('Password (optional)').inputValue(), 'lighthouse');
    postUrl = `${server.url}/family-news`;
    await author.goto(postUrl);
    await author.getByLabel('Comment', { exact: true }).fill('Cake at four, everyone.');
    await author.getByRole('button', { name: 'Post comment' }).click();
    await author.locator('.comment-body', { hasText: 'Cake at four' }).waitFor();
  });

  it('a reader sees the form, is told a wrong password is wrong, and with the right one reads the post and its comments', async () => {
    // bypassCSP only so axe can be injected; the page's own CSP is checked elsewhere.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const reader = await context.newPage();
    await reader.goto(`${server.url}/`);
    assert.match(await reader.locator('.post-summary', { hasText: 'Family news' }).innerText(), /Protected[\s\S]*password protected/i);
    await reader.getByRole('link', { name: 'Family news' }).click();
    await reader.waitForURL(postUrl);
    await reader.getByLabel('Password').waitFor();
    assert.equal(await reader.locator('.e-content').count(), 0);
    assert.doesNotMatch(await reader.locator('main').innerText(), /ninety|Cake at four/);
    const violations = await axeViolations(reader);
    assert.equal(violations.length, 0, `password form:\n${describeViolations(violations)}`);
    await screenshot(reader, 'post-password-form');

    await reader.getByLabel('Password').fill('lamppost');
    await reader.getByRole('button', { name: 'Enter' }).click();
    await reader.getByRole('alert').waitFor();
    assert.equal(await reader.getByRole('alert').innerText(), 'That password is not right. Check it and try again.');
    assert.equal(await reader.getByLabel('Password').getAttribute('aria-invalid'), 'true');
    assert.doesNotMatch(await reader.locator('main').innerText(), /ninety|Cake at four/);
    await screenshot(reader, 'post-password-wrong');

    await reader.getByLabel('Password').fill('lighthouse');
    await reader.getByRole('button', { name: 'Enter' }).click();
    await reader.waitForURL(postUrl);
    assert.match(await reader.locator('.e-content').first().innerText(), /Grandma turns ninety on Sunday/);
    assert.match(await reader.locator('#comments').innerText(), /Cake at four, everyone/);
    await reader.getByLabel('Comment', { exact: true }).waitFor();
    await screenshot(reader, 'post-password-unlocked');

    // Another reader, without the password, still sees only the form.
    const stranger = await (await browser.newContext()).newPage();
    await stranger.goto(postUrl);
    await stranger.getByLabel('Password').waitFor();
    assert.doesNotMatch(await stranger.locator('main').innerText(), /ninety|Cake at four/);
    await context.close();
  });
});
