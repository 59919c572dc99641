import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, browserSkipReason, claimSite, describeViolations, launchBrowser, screenshot } from './helpers/browser.ts';
import { projectRoot, spawnServer, tempDir, type RunningServer } from './helpers/spawn-server.ts';

/**
 * Comments on any site, for real (issue 13, point 2): Debian's hugo builds a small static
 * site (test/fixtures/embed-hugo) whose template carries the two tags; a tiny static server
 * serves it on another port with a strict Content-Security-Policy; in Chromium a reader
 * comments, the owner approves in Kumbaya, and a second reader's open page shows it live.
 */

const HUGO = process.env.KUMBAYA_TEST_HUGO || '/usr/bin/hugo';

function hugoSkipReason(): string | false {
  if (fs.existsSync(HUGO)) return false;
  const reason = `hugo not found at ${HUGO} (apt-get install -y hugo, or set KUMBAYA_TEST_HUGO)`;
  if (process.env.CI === 'true') throw new Error(reason);
  return reason;
}

const skip = browserSkipReason() || hugoSkipReason();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** Serves `root` as a static host would, with a CSP that allows only itself and the blog. */
function staticServer(root: string, port: number, blog: string): Promise<http.Server> {
  const csp = `default-src 'self'; script-src 'self' ${blog}; style-src 'self' ${blog}; connect-src ${blog}; img-src 'self' data:; base-uri 'none'; object-src 'none'`;
  const server = http.createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = path.join(root, pathname);
    if (!file.startsWith(root)) return void res.writeHead(403).end();
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!fs.existsSync(file)) return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
    res.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream', 'Content-Security-Policy': csp, 'Cache-Control': 'no-store' });
    res.end(fs.readFileSync(file));
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

describe('in Chromium: Kumbaya comments on a static Hugo site', { skip }, () => {
  let server: RunningServer;
  let site: http.Server;
  let browser: Browser;
  let blog: string;
  let notes: string;
  let owner: Page;
  const pageUrl = () => `${notes}/notes/river-walk/`;
  const comments = (page: Page) => page.locator('kumbaya-comments');

  before(async () => {
    const [blogPort, sitePort] = [await freePort(), await freePort()];
    blog = `http://localhost:${blogPort}`;
    notes = `http://127.0.0.1:${sitePort}`;
    server = await spawnServer({ DATA_DIR: tempDir('kumbaya-embed-'), LOG_LEVEL: 'warn', PORT: String(blogPort), SITE_URL: blog, TRUST_PROXY: 'true' });
    const out = tempDir('kumbaya-embed-hugo-');
    execFileSync(
      HUGO,
      ['--source', path.join(projectRoot, 'test/fixtures/embed-hugo'), '--destination', path.join(out, 'public'), '--baseURL', `${notes}/`, '--noBuildLock', '--cacheDir', path.join(out, 'cache'), '--quiet'],
      { env: { ...process.env, HUGO_PARAMS_KUMBAYA: blog, HUGO_RESOURCEDIR: path.join(out, 'resources') } },
    );
    const built = fs.readFileSync(path.join(out, 'public/notes/river-walk/index.html'), 'utf8');
    assert.ok(built.includes(`<script type="module" src="${blog}/embed.js" async></script>`), 'hugo put the loader in the page');
    site = await staticServer(path.join(out, 'public'), sitePort, blog);
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    owner = await context.newPage();
    await claimSite(owner, server.setupLink()!);
  });
  after(async () => {
    await browser?.close();
    site?.close();
    await server?.stop();
  });

  /** A reader's browser (its own storage), with CSP violations on the page recorded. */
  async function reader(options: { bypassCSP?: boolean; colorScheme?: 'light' | 'dark' } = {}): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({
      viewport: { width: 900, height: 1000 },
      bypassCSP: options.bypassCSP ?? false,
      colorScheme: options.colorScheme ?? 'light',
    });
    await context.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const page = await context.newPage();
    await page.goto(pageUrl());
    await comments(page).locator('.footer a[part="thread-link"]').waitFor();
    return { context, page };
  }

  it('the owner adds the static site on Admin → Sites and sees the snippet to paste', async () => {
    await owner.goto(`${blog}/admin/sites`);
    await owner.fill('#site-origin', notes.toUpperCase().replace('HTTP://', 'http://'));
    await owner.click('.sites-form button[type=submit]');
    await owner.waitForURL(/notice=site-added/);
    assert.equal((await owner.locator('.site-origin').allTextContents()).join(), notes);
    assert.match((await owner.locator('.snippet').textContent())!, new RegExp(`<script type="module" src="${blog}/embed\\.js" async></script>`));
    const violations = await axeViolations(owner);
    assert.deepEqual(violations, [], describeViolations(violations));
    await screenshot(owner, 'embed-admin-sites');
  });

  it('a reader comments on the static page under its strict CSP, with no cookie; the comment waits for approval', async () => {
    const { context, page } = await reader();
    const box = comments(page);
    assert.equal(await page.locator('kumbaya-comments > a').isVisible(), false, 'the light-DOM link is for readers without JavaScript');
    assert.equal(await box.locator('[part="thread-link"]').getAttribute('href'), `${blog}/comments-a-walk-along-the-river-field-notes`, 'the thread on the blog, named after the page’s title');
    assert.equal(await box.locator('.title').textContent(), 'Comments');
    await box.locator('#kc-name').fill('Wren');
    await box.locator('#kc-email').fill('wren@example.com');
    await box.locator('#kc-body').fill('The herons were out this morning *too*.');
    // The blog's choices, in the blog's words.
    await box.getByLabel('Email me replies to my comment').check();
    assert.equal(await box.getByLabel('Email me all new comments on this post').isChecked(), false);
    await box.getByLabel('Remember my name, email and website on this device').check();
    await page.waitForTimeout(3_300); // the form's minimum time to write
    await box.locator('button[type=submit]').click();
    await box.locator('.status').filter({ hasText: 'waiting for the author to approve it' }).waitFor();
    assert.match(
      (await box.locator('.status').textContent())!,
      /We sent an email to wren@example\.com: open the link in it to confirm your address, and the emails you asked for will follow\. Nothing is sent until you do\./,
      'the confirmation mail, as on the blog',
    );
    assert.equal(await box.getByLabel('Email me replies to my comment').isChecked(), false, 'the choice was for that comment');
    await owner.goto(`${blog}/admin/mail`);
    const confirmation = owner.locator('tr', { hasText: 'Confirm your email address for' });
    assert.match((await confirmation.textContent())!, /wren@example\.com/, 'the confirmation waits in the outbox for the reader');
    const mine = box.locator('li.comment.held');
    assert.match((await mine.textContent())!, /Waiting for approval: only you can see this\./);
    assert.match((await mine.locator('.body').innerHTML())!, /<em>too<\/em>/);

    assert.deepEqual(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations), [], 'nothing refused by the page’s CSP');
    assert.deepEqual(await context.cookies(), [], 'no cookie on either site');
    const kept = await page.evaluate((key) => localStorage.getItem(key), `kumbaya-comments:${blog}`);
    assert.match(kept ?? '', /"secret":"[^"]+"/, 'the edit secret stays in the page’s storage');
    const details = await page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? 'null'), `kumbaya-commenter:${blog}`);
    assert.deepEqual(details, { name: 'Wren', email: 'wren@example.com', website: '' }, 'remembered in the page’s storage, on request');

    // Reloaded, the page shows the writer their own held comment again (from that storage), and their details.
    await page.reload();
    await box.locator('li.comment.held').waitFor();
    assert.equal(await box.locator('#kc-name').inputValue(), 'Wren');
    assert.equal(await box.locator('#kc-email').inputValue(), 'wren@example.com');
    assert.equal(await box.getByLabel('Remember my name, email and website on this device').isChecked(), true);
    await box.locator('li.comment.held').scrollIntoViewIfNeeded();
    await box.screenshot({ path: path.join(projectRoot, 'test-artifacts/embed-comments-held.png') });

    // Within the edit window the writer changes it, with the secret from the page's storage.
    await box.locator('li.comment.held').getByRole('button', { name: 'Edit' }).click();
    const editor = box.locator('li.comment.held form.edit textarea');
    assert.equal(await editor.inputValue(), 'The herons were out this morning *too*.', 'the text as written');
    await editor.fill('The herons were out this morning *too*, three of them.');
    await box.locator('li.comment.held form.edit button[type=submit]').click();
    await box.locator('.status').filter({ hasText: 'Your changes are saved.' }).waitFor();
    assert.match((await box.locator('li.comment.held .body').textContent())!, /three of them/);

    // Unticked, the details are forgotten at once; the next visit starts empty.
    await box.getByLabel('Remember my name, email and website on this device').uncheck();
    assert.equal(await page.evaluate((key) => localStorage.getItem(key), `kumbaya-commenter:${blog}`), null);
    await page.reload();
    await box.locator('li.comment.held').waitFor();
    assert.equal(await box.locator('#kc-name').inputValue(), '');
    assert.deepEqual(await context.cookies(), [], 'still no cookie');
    await context.close();
  });

  it('the owner approves it in Kumbaya and a second reader’s open page shows it live; axe-clean light and dark', async () => {
    const { context, page } = await reader({ bypassCSP: true });
    const box = comments(page);
    assert.equal(await box.locator('li.comment').count(), 0, 'a held comment is not shown to others');
    await page.waitForFunction(() => true);

    await owner.goto(`${blog}/admin/comments`);
    const row = owner.locator('[data-mod-list] > li', { hasText: 'The herons were out' });
    assert.match((await row.textContent())!, /A walk along the river/);
    await row.getByRole('button', { name: /^Approve/ }).first().click();

    const fresh = box.locator('[part="new-comments"]');
    await fresh.waitFor({ state: 'visible' });
    assert.equal(await fresh.textContent(), '1 new comment — show');
    await fresh.click();
    const shown = box.locator('li.comment', { hasText: 'The herons were out' });
    await shown.waitFor();
    assert.match((await shown.locator('.author').textContent())!, /Wren/);
    assert.equal(await box.locator('.title').textContent(), '1 comment');

    await page.evaluate(() => document.querySelector('kumbaya-comments')!.scrollIntoView());
    assert.equal(await box.locator('[part="root"]').getAttribute('data-theme'), 'light');
    let violations = await axeViolations(page);
    assert.deepEqual(violations, [], `light:\n${describeViolations(violations)}`);
    await box.screenshot({ path: path.join(projectRoot, 'test-artifacts/embed-comments-light.png') });

    // `auto` follows the reader's preference as the page declares both schemes.
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForFunction(() => document.querySelector('kumbaya-comments')!.shadowRoot!.querySelector('[part="root"]')!.getAttribute('data-theme') === 'dark');
    violations = await axeViolations(page);
    assert.deepEqual(violations, [], `dark:\n${describeViolations(violations)}`);
    await box.screenshot({ path: path.join(projectRoot, 'test-artifacts/embed-comments-dark.png') });
    await screenshot(page, 'embed-hugo-page-dark');

    // setTheme() overrides it; 'auto' gives the choice back to the page.
    await page.evaluate(() => (document.querySelector('kumbaya-comments') as unknown as { setTheme(t: string): void }).setTheme('light'));
    assert.equal(await box.locator('[part="root"]').getAttribute('data-theme'), 'light');
    await page.evaluate(() => (document.querySelector('kumbaya-comments') as unknown as { setTheme(t: string): void }).setTheme('auto'));
    assert.equal(await box.locator('[part="root"]').getAttribute('data-theme'), 'dark');
    await context.close();
  });

  it('a long conversation comes a page at a time: “Show more comments” brings the next, replies under their comments', async () => {
    await owner.goto(`${blog}/admin/comments/settings`);
    await owner.fill('[name=conversationsPerPage]', '5');
    await owner.uncheck('[name=holdFirstComment]');
    await owner.click('form.comment-settings button[type=submit]');
    await owner.waitForURL(/notice=/);

    // Five more readers start conversations (from the page's own site), the last one gets a reply.
    const api = (path: string, body: unknown, ip: string) =>
      fetch(`${blog}/api/embed${path}`, { method: 'POST', headers: { origin: notes, 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify(body) }).then(async (res) => {
        const data = (await res.json()) as any;
        assert.ok(res.ok, JSON.stringify(data));
        return data;
      });
    const opened = await api('/threads', { url: pageUrl() }, '203.0.113.1');
    await new Promise((resolve) => setTimeout(resolve, 3_300));
    const words = ['kingfisher', 'otters', 'willows', 'the weir', 'moorhens'];
    const ids: number[] = [];
    for (const [n, word] of words.entries()) {
      const sent = await api(`/threads/${opened.thread.id}/comments`, { name: `Walker ${n + 1}`, email: `walker${n + 1}@example.com`, body: `Did anyone else see ${word} today?`, form_token: opened.form_token }, `203.0.113.${10 + n}`);
      assert.equal(sent.comment.status, 'approved', sent.message);
      ids.push(sent.comment.id);
    }
    const reply = await api(`/threads/${opened.thread.id}/comments`, { parent_id: ids.at(-1), name: 'Heron Fan', email: 'fan@example.com', body: 'Moorhens by the bridge, yes.', form_token: opened.form_token }, '203.0.113.40');
    assert.equal(reply.comment.status, 'approved', reply.message);

    const { context, page } = await reader({ colorScheme: 'dark', bypassCSP: true }); // axe injects a script
    const box = comments(page);
    assert.equal(await box.locator('.title').textContent(), '7 comments', 'the whole thread’s count');
    assert.equal(await box.locator('.list > li.comment').count(), 5, 'five conversations first');
    assert.equal(await box.locator(`#kc-c-${ids.at(-1)}`).count(), 0);
    const more = box.getByRole('button', { name: 'Show more comments' });
    await more.scrollIntoViewIfNeeded();
    await box.screenshot({ path: path.join(projectRoot, 'test-artifacts/embed-comments-more.png') });
    let violations = await axeViolations(page);
    assert.deepEqual(violations, [], `dark, with the options and Show more:\n${describeViolations(violations)}`);
    await more.click();
    await box.locator(`#kc-c-${ids.at(-1)}`).waitFor();
    assert.equal(await box.locator('.list > li.comment').count(), 6);
    assert.match((await box.locator(`#kc-c-${ids.at(-1)} > ol.replies > li`).textContent())!, /Moorhens by the bridge, yes\./, 'the reply under its comment');
    assert.equal(await more.isVisible(), false, 'nothing more to show');
    // The blog's initials and colours.
    assert.equal(await box.locator(`#kc-c-${ids[0]} .avatar`).textContent(), 'W1');
    assert.match((await box.locator(`#kc-c-${ids[0]} .avatar`).getAttribute('class'))!, /^avatar avatar-[0-7]$/);
    violations = await axeViolations(page);
    assert.deepEqual(violations, [], describeViolations(violations));
    await page.setViewportSize({ width: 900, height: 1800 });
    await box.screenshot({ path: path.join(projectRoot, 'test-artifacts/embed-comments-paged-dark.png') });
    await context.close();

    // The owner finds the conversation under its site, with what a thread needs (not the post editor).
    await owner.goto(`${blog}/admin/sites`);
    await owner.getByRole('link', { name: 'A walk along the river · Field Notes' }).click();
    await owner.waitForURL(new RegExp(`/admin/sites/threads/${opened.thread.id}$`));
    assert.equal(await owner.locator('.thread-page-url').textContent(), pageUrl());
    assert.match((await owner.locator('.thread-facts').textContent())!, /7 approved comments/);
    await screenshot(owner, 'embed-admin-thread');
  });

  it('a reader without JavaScript follows the link to the thread on the blog, and comments there', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(pageUrl());
    await page.click('kumbaya-comments > a');
    await page.waitForURL(`${blog}/comments-a-walk-along-the-river-field-notes#comments`);
    assert.match((await page.locator('main').textContent())!, /Comments on A walk along the river · Field Notes/);
    assert.match((await page.locator('main').textContent())!, /The herons were out this morning too, three of them\./);
    assert.equal(await page.locator('form[action="/comments"] #c-body').count(), 1, 'the blog’s own form');
    await context.close();
  });
});
