import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { axeViolations, browserSkipReason, claimSite, describeViolations, launchBrowser, screenshot } from './helpers/browser.ts';
import { FediversePeer, fixture } from './helpers/fediverse-peers.ts';
import { spawnServer, tempDir, type RunningServer } from './helpers/spawn-server.ts';

const skip = browserSkipReason();
const postPath = '/you-cant-fail-in-social-media';

/** A free local port for the blog, so that its SITE_URL (and so its actor's id) is known before it starts. */
async function freePort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('in Chromium: a reply from Mastodon is held, approved, shown on the post with its handle, and the author answers it', { skip }, () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const peer = new FediversePeer();

  before(async () => {
    await peer.start();
    const port = await freePort();
    server = await spawnServer({ DATA_DIR: tempDir('kumbaya-fediverse-replies-'), LOG_LEVEL: 'warn', PORT: String(port), SITE_URL: `http://localhost:${port}`, FEDIVERSE_ALLOW_PRIVATE: 'true' });
    browser = await launchBrowser();
    // bypassCSP only so that axe-core can be injected; the pages themselves need no exception.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    page = await context.newPage();
    await claimSite(page, server.setupLink()!);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await peer.stop();
  });

  const values = () => ({ peer: peer.base, peerHost: peer.host, blog: server.url, post: `${server.url}${postPath}` });
  async function send(name: string) {
    const res = await peer.post(`${server.url}/@blog/inbox`, fixture(name, values()));
    assert.equal(res.status, 202, await res.text());
  }
  /** Axe on the page, light and dark, with a screenshot of each (test-artifacts/). */
  async function noViolations(p: Page, what: string, scope?: string) {
    for (const scheme of ['light', 'dark'] as const) {
      await p.emulateMedia({ colorScheme: scheme });
      const violations = (await axeViolations(p)).filter((v) => !scope || v.nodes.some((n) => n.target.some((t) => t.includes(scope))));
      assert.equal(violations.length, 0, `${what} (${scheme}):\n${describeViolations(violations)}`);
      await screenshot(p, `fediverse-replies-${what.replace(/\W+/g, '-')}-${scheme}`);
    }
    await p.emulateMedia({ colorScheme: 'light' });
  }
  /** The inbox hands activities to the queue: reload until `locator` finds something. */
  async function reloadUntil(p: Page, selector: string, hasText: string | RegExp) {
    const found = p.locator(selector, { hasText });
    for (let i = 0; (await found.count()) === 0; i++) {
      if (i > 0) await p.waitForTimeout(250);
      await p.reload();
    }
    return found;
  }

  it('holds Ana’s reply in the inbox with why, the owner approves it, and readers see it with @ana@host and a link to the original', async () => {
    await send('mastodon-create-reply');
    await page.goto(`${server.url}/admin/comments`);
    const row = await reloadUntil(page, '[data-mod-list] > li', 'Ana Lima');
    assert.match((await row.locator('.mod-why').textContent())!, /a reply from the fediverse \(@ana@127\.0\.0\.1:\d+\) · first comment from this person/);
    assert.equal(await row.locator('.mod-contact a').getAttribute('href'), `${peer.base}/mastodon/@ana`);
    await noViolations(page, 'held in the inbox');
    await row.getByRole('button', { name: 'Approve the comment by Ana Lima' }).click();
    await page.locator('[data-mod-list] > li.is-moved', { hasText: 'Ana Lima' }).waitFor();

    const reader = await browser.newContext({ viewport: { width: 1100, height: 900 }, bypassCSP: true });
    const readerPage = await reader.newPage();
    await readerPage.goto(`${server.url}${postPath}`);
    const comment = readerPage.locator('article.comment', { hasText: 'three minutes, no more' });
    await comment.scrollIntoViewIfNeeded();
    assert.equal((await comment.locator('.p-name').textContent())?.trim(), 'Ana Lima');
    assert.match((await comment.locator('.comment-handle').textContent())!, /^@ana@127\.0\.0\.1:\d+$/);
    const original = comment.getByRole('link', { name: /127\.0\.0\.1/ });
    assert.equal(await original.getAttribute('href'), `${peer.base}/mastodon/@ana/113001`);
    assert.doesNotMatch((await comment.locator('.e-content').textContent())!, /@blog/, 'the mention of the blog is not repeated');
    await noViolations(readerPage, 'on the post', 'comment');
    await reader.close();
  });

  it('the author answers on the post; Ana’s server receives the Note in reply to hers, mentioning her', async () => {
    await page.goto(`${server.url}${postPath}`);
    const ana = page.locator('article.comment', { hasText: 'three minutes, no more' });
    await ana.getByRole('link', { name: 'Reply to Ana Lima' }).click();
    await page.fill('#c-body', 'Thank you, Ana! Two minutes for *sencha*, though.');
    await page.click('#respond button[type=submit]');
    const answer = page.locator('article.comment.is-author', { hasText: 'Two minutes for sencha' });
    await answer.waitFor();
    assert.equal(await answer.evaluate((el) => el.closest('ol.replies')?.parentElement?.querySelector(':scope > article')?.textContent?.includes('three minutes')), true, 'threaded under Ana’s reply');

    const delivered = await peer.delivery((r) => r.path === '/mastodon/users/ana/inbox' && r.body.includes('sencha'));
    const note = JSON.parse(delivered.body).object;
    assert.equal(note.inReplyTo, `${peer.base}/mastodon/users/ana/statuses/113001`);
    assert.match(note.content, /class="u-url mention">@<span>ana<\/span><\/a><\/span> Thank you, Ana! Two minutes for <em>sencha<\/em>, though\./);
    assert.deepEqual([note.tag].flat().map((t: { type: string; href: string }) => [t.type, t.href]), [['Mention', peer.actor('mastodon')]]);
  });

  it('a followers-only mention waits in Admin → Fediverse, never on the post', async () => {
    await send('mastodon-followers-only');
    await page.goto(`${server.url}/admin/fediverse`);
    const mention = await reloadUntil(page, '.private-mention', 'my aunt grows this tea');
    assert.match((await mention.textContent())!, /Ana Lima[\s\S]*@ana@127\.0\.0\.1:\d+[\s\S]*Followers only[\s\S]*answering/);
    assert.equal(await mention.getByRole('link', { name: /Open the original/ }).getAttribute('href'), `${peer.base}/mastodon/@ana/113050`);
    await noViolations(page, 'private mentions');
    await page.goto(`${server.url}${postPath}`);
    assert.doesNotMatch(await page.content(), /my aunt grows this tea/);
  });
});
