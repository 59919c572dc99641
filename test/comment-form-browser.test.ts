import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browserSkipReason, launchBrowser } from './helpers/browser.ts';
import { spawnServer, tempDir, type RunningServer } from './helpers/spawn-server.ts';

const skip = browserSkipReason();
const POST = '/you-cant-fail-in-social-media';

/** Which of the form's fields are marked invalid, and the message each one is described by. */
async function flagged(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const form = document.getElementById('respond') as HTMLFormElement;
    const out: Record<string, string> = {};
    for (const el of form.querySelectorAll('[aria-invalid="true"]')) {
      const ids = (el.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => id.endsWith('-error'));
      out[el.getAttribute('name')!] = ids.map((id) => document.getElementById(id)?.textContent ?? '(missing)').join(' ');
    }
    return out;
  });
}

const expected = { name: 'Tell us your name.', email: 'Enter your email address (it is never shown).', body: 'Write something first.' };

describe('in Chromium: the comment form', { skip }, () => {
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    server = await spawnServer({ DATA_DIR: tempDir('kumbaya-form-'), LOG_LEVEL: 'warn' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('without JavaScript: no "Remember me" box that could not work, and an empty submit flags every missing field', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${server.url}${POST}`);
    assert.equal(await page.locator('[data-remember]').isVisible(), false, 'the box needs the script, so it is not shown without it');
    await page.getByRole('button', { name: 'Post comment' }).click();
    await page.waitForURL(/\/comments$/);
    assert.deepEqual(await flagged(page), expected);
    await context.close();
  });

  it('with JavaScript: the "Remember me" box is shown, and an empty submit flags every missing field in place', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}${POST}`);
    assert.equal(await page.locator('[data-remember]').isVisible(), true);
    await page.getByRole('button', { name: 'Post comment' }).click();
    await page.locator('#respond .field-error').nth(2).waitFor();
    assert.deepEqual(await flagged(page), expected);
    assert.match((await page.locator('#respond .form-status').textContent()) ?? '', /Please fix the 3 marked fields/);
    // Fixing one field and sending again leaves only the others marked.
    await page.getByLabel('Name', { exact: true }).fill('Robin');
    await page.getByRole('button', { name: 'Post comment' }).click();
    await page.waitForFunction(() => document.querySelectorAll('#respond .field-error').length === 2);
    assert.deepEqual(await flagged(page), { email: expected.email, body: expected.body });
    await context.close();
  });

  it('with JavaScript: asking for replies by email says at once where the confirmation went', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}${POST}`);
    await page.getByLabel('Name', { exact: true }).fill('Quinn');
    await page.getByLabel(/^Email/).fill('quinn@example.org');
    await page.getByLabel('Comment', { exact: true }).fill('Tell me when someone answers, please.');
    await page.getByLabel('Email me replies to my comment').check();
    // The form's minimum time to submit is real here: wait it out like a person would.
    await new Promise((resolve) => setTimeout(resolve, 3200));
    await page.getByRole('button', { name: 'Post comment' }).click();
    await page.waitForFunction(() => /quinn@example\.org/.test(document.querySelector('#respond .form-status')?.textContent ?? ''));
    assert.match((await page.locator('#respond .form-status').textContent()) ?? '', /We sent an email to quinn@example\.org: open the link in it to confirm your address/);
    await context.close();
  });
});

