import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, browserSkipReason, claimSite, describeViolations, launchBrowser, screenshot } from './helpers/browser.ts';
import { spawnServer, tempDir, type RunningServer } from './helpers/spawn-server.ts';

const skip = browserSkipReason();

describe('in Chromium: autosave, an ended session, and the revision history', { skip, timeout: 240_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    server = await spawnServer({ DATA_DIR: tempDir('kumbaya-revisions-'), LOG_LEVEL: 'warn' });
    browser = await launchBrowser();
    // bypassCSP only so that axe-core can be injected; the pages themselves need no exception.
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    page = await context.newPage();
    page.on('dialog', (dialog) => dialog.accept());
    await claimSite(page, server.setupLink()!);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const saveState = () => page.locator('[data-save-state]');
  const textArea = () => page.getByLabel('Text', { exact: true });
  const waitForState = (pattern: RegExp, timeout = 20_000) =>
    page.waitForFunction(([source]) => new RegExp(source).test(document.querySelector('[data-save-state]')?.textContent ?? ''), [pattern.source], { timeout });

  /** What the server holds as this author's autosave of the post, read through the editor in another tab. */
  async function serverAutosave(postId: number): Promise<string> {
    const other = await context.newPage();
    await other.goto(`${server.url}/admin/posts/${postId}?autosave=load`);
    const text = await other.getByLabel('Text', { exact: true }).inputValue();
    await other.close();
    return text;
  }

  const first = 'Night walks begin at the river.';
  const second = ' The lanterns come on one by one.';
  const offline = ' Written after the session ended.';
  let postId = 0;

  it('autosaves a new post while the author types: its draft is created and the text lands on the server', async () => {
    await page.goto(`${server.url}/admin/posts/new`);
    await page.getByLabel('Title', { exact: true }).fill('Night walks');
    await textArea().pressSequentially(first);
    await waitForState(/^Saved \d/);
    await page.waitForURL(/\/admin\/posts\/\d+$/);
    postId = Number(/\/admin\/posts\/(\d+)$/.exec(page.url())![1]);
    await textArea().pressSequentially(second);
    await waitForState(/^Saved \d/);
    assert.equal(await serverAutosave(postId), first + second);
    await screenshot(page, 'editor-autosaved');

    // An explicit save: the first revision of the history.
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.waitForURL(/notice=saved/);
    assert.equal(await textArea().inputValue(), first + second);
  });

  it('keeps typing after the session ended: the text stays on this device, the editor says signed out, and after signing in again in a new tab the save goes through', async () => {
    // Sign out in another tab: the session is deleted on the server.
    const elsewhere = await context.newPage();
    await elsewhere.goto(`${server.url}/admin`);
    await elsewhere.getByRole('button', { name: 'Sign out' }).click();
    await elsewhere.waitForURL(/\/login/);
    await elsewhere.close();

    await textArea().press('Control+End');
    await textArea().pressSequentially(offline);
    await waitForState(/^Signed out — kept on this device/);
    const signIn = page.locator('[data-save-signin]');
    assert.equal(await signIn.isVisible(), true);
    const local = await page.evaluate((id) => JSON.parse(localStorage.getItem(`kumbaya:draft:${id}`) ?? 'null'), postId);
    assert.equal(local?.markdown, first + second + offline);
    assert.equal(local?.synced, false);
    await screenshot(page, 'editor-signed-out');

    const [tab] = await Promise.all([context.waitForEvent('page'), signIn.click()]);
    await tab.waitForLoadState();
    await tab.getByLabel('Email').fill('robin@example.com');
    await tab.getByLabel('Password').fill('correct horse battery staple');
    await tab.getByRole('button', { name: 'Sign in' }).click();
    await tab.waitForURL(/\/admin\/signed-in/);
    await tab.close();

    await page.bringToFront();
    await waitForState(/^Saved \d/);
    assert.equal(await signIn.isVisible(), false);
    assert.equal(await serverAutosave(postId), first + second + offline);

    // The page has the new session's token: an explicit save goes through with the whole text.
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.waitForURL(/notice=saved/);
    await page.reload();
    assert.equal(await textArea().inputValue(), first + second + offline);
  });

  it('says when it cannot reach the server, keeps the text on this device, and saves once it can', async () => {
    await context.setOffline(true);
    await textArea().press('Control+End');
    await textArea().pressSequentially(' Offline words.');
    await waitForState(/^Offline — kept on this device/);
    const local = await page.evaluate((id) => JSON.parse(localStorage.getItem(`kumbaya:draft:${id}`) ?? 'null'), postId);
    assert.equal(local?.markdown, first + second + offline + ' Offline words.');
    await screenshot(page, 'editor-offline');
    await context.setOffline(false);
    await waitForState(/^Saved \d/);
    assert.equal(await serverAutosave(postId), first + second + offline + ' Offline words.');
  });

  it('offers back a local copy the server never received', async () => {
    await page.evaluate(
      ([id, markdown]) => localStorage.setItem(`kumbaya:draft:${id}`, JSON.stringify({ type: 'post', title: 'Night walks', markdown, excerpt: '', savedAt: Date.now(), synced: false })),
      [String(postId), `${first}${second}${offline} Lost in a crash.`] as const,
    );
    await page.reload();
    const offer = page.locator('[data-local-restore]');
    await offer.waitFor();
    assert.match((await offer.textContent())!, /This browser kept unsaved text from/);
    await offer.getByRole('button', { name: 'Restore it' }).click();
    assert.equal(await textArea().inputValue(), `${first}${second}${offline} Lost in a crash.`);
    await waitForState(/^Saved \d/);
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.waitForURL(/notice=saved/);
  });

  it('lists the revisions, shows what changed, and restores an earlier one', async () => {
    await page.getByRole('link', { name: /^History/ }).click();
    await page.waitForURL(/\/revisions$/);
    const rows = page.locator('.revisions-table tbody tr');
    // The draft as its first autosave created it, the save before signing out, after signing in, after restoring the local copy.
    assert.equal(await rows.count(), 4);
    await screenshot(page, 'revisions-list');
    const listViolations = await axeViolations(page);
    assert.equal(listViolations.length, 0, `history:\n${describeViolations(listViolations)}`);

    await rows.nth(1).getByRole('link', { name: 'Changes' }).click();
    await page.waitForURL(/\/revisions\/compare/);
    assert.equal((await page.locator('.diff-text ins').allTextContents()).join(''), offline.trim());
    await screenshot(page, 'revisions-diff');
    const diffViolations = await axeViolations(page);
    assert.equal(diffViolations.length, 0, `compare:\n${describeViolations(diffViolations)}`);

    await page.goto(`${server.url}/admin/posts/${postId}/revisions`);
    await rows.nth(2).getByRole('button', { name: 'Restore' }).click();
    await page.waitForURL(/notice=revision-restored/);
    assert.equal(await textArea().inputValue(), first + second);
    assert.match((await page.locator('.notice').first().textContent())!, /Revision restored/);
    assert.equal(await page.locator('.revisions-table').count(), 0);
    await page.goto(`${server.url}/admin/posts/${postId}/revisions`);
    assert.equal(await rows.count(), 5, 'restoring added a revision; none was lost');
  });

  it('without JavaScript, a save sent after the session ended comes back as a sign-in form holding the text, which saves it', async () => {
    const plain = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
    const tab = await plain.newPage();
    await tab.goto(`${server.url}/login`);
    await tab.getByLabel('Email').fill('robin@example.com');
    await tab.getByLabel('Password').fill('correct horse battery staple');
    await tab.getByRole('button', { name: 'Sign in' }).click();
    await tab.waitForURL(/\/admin/);
    await tab.goto(`${server.url}/admin/posts/${postId}`);
    const other = await plain.newPage();
    await other.goto(`${server.url}/admin`);
    await other.getByRole('button', { name: 'Sign out' }).click();
    // Closed only once signed out: closing while the sign-out is under way could cancel it.
    await other.waitForURL(/\/login/);
    await other.close();

    const text = 'Written without JavaScript, after the session ended.';
    await tab.getByLabel('Text', { exact: true }).fill(text);
    await tab.getByRole('button', { name: 'Save draft' }).click();
    await tab.getByRole('heading', { name: 'Sign in to save your text' }).waitFor();
    assert.equal(await tab.getByLabel('Text', { exact: true }).inputValue(), text);
    await screenshot(tab, 'sign-in-to-save');
    await tab.getByLabel('Email').fill('robin@example.com');
    await tab.getByLabel('Password').fill('correct horse battery staple');
    await tab.getByRole('button', { name: 'Sign in and save' }).click();
    await tab.waitForURL(new RegExp(`/admin/posts/${postId}\\?notice=saved`));
    assert.equal(await tab.getByLabel('Text', { exact: true }).inputValue(), text);
    await plain.close();
  });

  it('autosaves the text of a save the server refused, so leaving that page loses nothing', async () => {
    await page.goto(`${server.url}/admin/posts/new`);
    await page.getByLabel('Title', { exact: true }).fill('Second walk');
    await page.getByLabel('Address').fill('night-walks'); // the first post's address
    await textArea().fill('Text of a refused save.');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.locator('#form-errors').waitFor();
    assert.match((await page.locator('#form-errors').textContent())!, /already used/);
    await waitForState(/^Saved \d/);
    await page.waitForURL(/\/admin\/posts\/\d+$/);
    const draft = await context.newPage();
    await draft.goto(page.url());
    assert.equal(await draft.getByLabel('Text', { exact: true }).inputValue(), 'Text of a refused save.');
    await draft.close();
  });
});
