import assert from 'node:assert/strict';
import type http from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { closeGracefully, createServer, listen } from '../src/web/server.ts';
import { browserSkipReason, launchBrowser, screenshot } from './helpers/browser.ts';
import { startTestKumbaya, type TestKumbaya } from './helpers/test-kumbaya.ts';

const skip = browserSkipReason();

/** The number in the bar's "Waiting for you" badge (0 when it is hidden). */
const badge = (page: Page) =>
  page.evaluate(() => {
    const el = document.querySelector<HTMLElement>('[data-nav-count="waiting"]');
    return !el || el.hidden ? 0 : Number(el.querySelector('[data-n]')!.textContent!.replace(/,/g, ''));
  });

describe('in Chromium: the "waiting for you" count follows each reply, in the bar and on the page', { skip }, () => {
  let k: TestKumbaya;
  let server: http.Server;
  let base: string;
  let browser: Browser;
  let page: Page;
  let waiting: number;

  before(async () => {
    k = await startTestKumbaya({ demo: true });
    const post = (await k.deps.store.posts.findBySlug('you-cant-fail-in-social-media'))!;
    // Three readers wrote and nobody has answered yet.
    for (const [i, name] of ['Marta Quill', 'Jonas Reed', 'Ife Bello'].entries()) {
      const person = await k.deps.store.people.upsertByEmail({ name, email: `reader${i}@example.com`, website: null }, k.deps.clock.now());
      await k.deps.store.comments.create({
        postId: post.id, parentId: null, personId: person.id, userId: null, authorName: name, authorEmail: `reader${i}@example.com`, authorUrl: null,
        markdown: `A question from ${name}?`, html: `<p>A question from ${name}?</p>`, status: 'approved', createdAt: k.deps.clock.now() + i,
        ip: '203.0.113.9', userAgent: 'Mozilla/5.0', spamScore: 0, moderationReasons: [],
      });
    }
    k.deps.changes.publish('comments-changed');
    const owner = await k.signIn('owner');
    server = createServer(k.app, k.deps.pageCache, k.config.siteUrl);
    base = `http://127.0.0.1:${(await listen(server, 0, '127.0.0.1')).port}`;
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addCookies([{ name: 'kb_session', value: owner.cookies.get('kb_session')!, url: base }]);
    page = await context.newPage();
  });
  after(async () => {
    await browser?.close();
    if (server) await closeGracefully(server);
    await k?.cleanup();
  });

  it('counts one fewer after a reply on "Waiting for you", sent with Ctrl+Enter', async () => {
    await page.goto(`${base}/admin/waiting`);
    waiting = await badge(page);
    assert.ok(waiting >= 3, `at least the three readers wait (${waiting})`);
    assert.equal(await page.locator('[data-waiting-total]').textContent(), `${waiting} conversations`);
    const card = page.locator('.wait-item', { hasText: 'Marta Quill' });
    await card.locator('textarea').fill('Good question, Marta: yes.');
    await card.locator('textarea').press('Control+Enter');
    await page.waitForFunction((n) => document.querySelector('[data-nav-count="waiting"] [data-n]')?.textContent === String(n), waiting - 1);
    assert.equal(await page.locator('[data-waiting-total]').textContent(), `${waiting - 1} conversations`);
    await screenshot(page, 'waiting-count-after-reply');
  });

  it('counts one fewer after a reply from the inbox too, and the server agrees on the next page', async () => {
    await page.goto(`${base}/admin/comments?status=approved`);
    assert.equal(await badge(page), waiting - 1);
    const row = page.locator('[data-mod-list] > li', { hasText: 'A question from Jonas Reed?' });
    await row.locator('summary', { hasText: 'Reply' }).click();
    await row.locator('textarea').fill('Thanks, Jonas.');
    await row.locator('textarea').press('Control+Enter');
    await page.waitForFunction((n) => document.querySelector('[data-nav-count="waiting"] [data-n]')?.textContent === String(n), waiting - 2);
    await page.goto(`${base}/admin`);
    assert.equal(await badge(page), waiting - 2);
  });
});
