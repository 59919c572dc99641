import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, browserSkipReason, claimSite, commentAsReader, describeViolations, launchBrowser, screenshot } from './helpers/browser.ts';
import { decodeQuotedPrintable, TestSmtpServer } from './helpers/smtp-test-server.ts';
import { spawnServer, tempDir, type RunningServer } from './helpers/spawn-server.ts';

const skip = browserSkipReason();
const postPath = '/you-cant-fail-in-social-media';
// The demo post's title.
const title = "You CAN'T Fail in Social Media";

describe('in Chromium: a comment becomes a post idea and its writer is told; a person is forgotten', { skip }, () => {
  let smtp: TestSmtpServer;
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    smtp = await TestSmtpServer.start();
    server = await spawnServer({ DATA_DIR: tempDir('kumbaya-people-rights-'), LOG_LEVEL: 'warn', TRUST_PROXY: 'true', SMTP_URL: smtp.url, OUTBOX_INTERVAL_MS: '200' });
    browser = await launchBrowser();
    // bypassCSP only so that axe-core can be injected; the pages themselves need no exception.
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    page = await context.newPage();
    await claimSite(page, server.setupLink()!);
    await commentAsReader(browser, `${server.url}${postPath}`, {
      name: 'Nell Porter', email: 'nell@porch.example', body: 'Porches are where neighbours *become* friends.\nEvery evening, ours fills up.', ip: '198.51.100.61',
    });
    await commentAsReader(browser, `${server.url}${postPath}`, { name: 'Quentin Forget', email: 'quentin@gone.example', website: 'https://quentin.example/', body: 'Please remember this porch.', ip: '198.51.100.62' });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await smtp?.stop();
  });

  const noViolations = async (what: string) => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const violations = await axeViolations(page);
      assert.equal(violations.length, 0, `${what} (${scheme}):\n${describeViolations(violations)}`);
      await screenshot(page, `people-rights-${what.replace(/\W+/g, '-')}-${scheme}`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  };

  it('turns a comment from the inbox into a draft that quotes it, publishes it with “tell them”, and the mail reaches the SMTP server', async () => {
    await page.goto(`${server.url}/admin/comments`);
    const row = page.locator('[data-mod-list] > li', { hasText: 'Nell Porter' });
    await noViolations('inbox with make a post of this');
    await row.getByRole('button', { name: 'Make a post of this (the comment by Nell Porter)' }).click();
    await page.waitForURL(/\/admin\/posts\/\d+\?notice=post-idea$/);
    assert.match(await page.locator('.notice.ok').innerText(), /A draft made from the comment/);
    assert.equal((await page.locator('[data-post-origin]').innerText()).replace(/\s+/g, ' '), `From a comment by Nell Porter on ${title} (held for moderation)`);
    assert.equal(await page.inputValue('#f-title'), `After Nell Porter’s comment on “${title}”`);
    assert.equal(await page.inputValue('#f-slug'), '', 'the address follows the title the author gives it');
    const markdown = await page.inputValue('#f-markdown');
    assert.match(markdown, /^> Porches are where neighbours \*become\* friends\. {2}\n> Every evening, ours fills up\.\n>\n> — Nell Porter, \[in a comment on “You CAN'T Fail in Social Media”\]\(http:\/\/[^)]+\/comments\/\d+\)/);
    const preview = page.locator('[data-preview] blockquote');
    assert.match(await preview.innerText(), /Porches are where neighbours become friends\.\nEvery evening, ours fills up\./);
    assert.equal(await preview.getByRole('link', { name: /in a comment on/ }).count(), 1);
    const tell = page.getByLabel('Tell Nell Porter by email when this is published');
    assert.equal(await tell.isChecked(), false);
    await noViolations('post idea editor');

    await page.fill('#f-title', 'Where neighbours become friends');
    await page.fill('#f-markdown', `${markdown}Nell is right, and here is why.`);
    await tell.check();
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.waitForURL(/notice=told/);
    assert.match(await page.locator('.notice.ok').innerText(), /they are told by email/);
    assert.match(await page.locator('[data-tell-them]').innerText(), /Nell Porter was told by email on/);

    const mail = await smtp.waitFor('nell@porch.example', /Your comment on “You CAN'T Fail in Social Media” became a post/);
    const body = decodeQuotedPrintable(mail.raw);
    assert.match(body, /Robin turned your comment on “You CAN'T Fail in Social Media” into a new post/);
    assert.match(body, /\/where-neighbours-become-friends/);
    assert.match(body, /> Porches are where neighbours \*become\* friends\./);

    await page.goto(`${server.url}/where-neighbours-become-friends`);
    assert.match(await page.locator('blockquote').innerText(), /— Nell Porter, in a comment on “You CAN.T Fail in Social Media”/, 'the post’s typography curls the apostrophe');
  });

  it('downloads a person’s data and forgets them after a confirmation: their comment reads “Someone”, the audit line names no one', async () => {
    await page.goto(`${server.url}/admin/people?q=quentin`);
    await page.locator('.people-table').getByRole('link', { name: 'Quentin Forget' }).click();
    await page.waitForURL(/\/admin\/people\/\d+$/);
    const personId = page.url().split('/').pop();
    await noViolations('person page with their data');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download their data (JSON)' }).click()]);
    assert.equal(download.suggestedFilename(), `person-${personId}-${new Date().toISOString().slice(0, 10)}.json`);
    const chunks: Buffer[] = [];
    for await (const chunk of (await download.createReadStream())!) chunks.push(chunk as Buffer);
    const doc = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    assert.equal(doc.person.name, 'Quentin Forget');
    assert.deepEqual(doc.comments.map((c: { text: string }) => c.text), ['Please remember this porch.']);

    await page.getByRole('link', { name: 'Forget this person…' }).click();
    await page.waitForURL(/\/forget$/);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Forget Quentin Forget?');
    await noViolations('forget confirmation');
    // Without a choice the browser asks for one; sent anyway (no validation), the server says the same.
    await page.locator('form.forget-form').evaluate((form: HTMLFormElement) => form.setAttribute('novalidate', ''));
    await page.getByRole('button', { name: 'Forget Quentin Forget' }).click();
    assert.match(await page.locator('#forget-problem').innerText(), /Choose what happens to their comments/);
    await page.getByLabel(/Keep them, anonymised/).check();
    await page.getByRole('button', { name: 'Forget Quentin Forget' }).click();
    await page.waitForURL(/\/admin\/people\/forgotten\?notice=forgotten$/);
    const line = await page.locator('.audit-line').first().innerText();
    assert.match(line, new RegExp(`Person #${personId} forgotten by Robin: 1 comment anonymised; 2 identities (and 1 website profile )?erased`), 'the profile “who is this?” read of their website, if its look-up has run');
    assert.doesNotMatch(await page.locator('main').innerText(), /Quentin/);
    await noViolations('forgotten people');

    await page.goto(`${server.url}/admin/comments`);
    const row = page.locator('[data-mod-list] > li', { hasText: 'Please remember this porch.' });
    assert.equal(await row.locator('.mod-name').innerText(), 'Someone');
    assert.equal(await row.locator('.mod-contact').innerText(), '', 'no email, website or IP address left');
    assert.equal((await page.goto(`${server.url}/admin/people/${personId}`))!.status(), 404);
  });
});
