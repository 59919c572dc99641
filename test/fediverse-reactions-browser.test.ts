import assert from 'node:assert/strict';
import type http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { signRequest } from '@fedify/fedify';
import { FACES_SHOWN } from '../src/core/reactions.ts';
import type { Post } from '../src/core/store.ts';
import { closeGracefully, createServer, listen } from '../src/web/server.ts';
import { artifactsDir, axeViolations, browserSkipReason, describeViolations, launchBrowser, screenshot } from './helpers/browser.ts';
import { ACTIVITY_JSON, RemoteServers, until } from './helpers/fediverse-remote.ts';
import { startTestKumbaya, type TestKumbaya } from './helpers/test-kumbaya.ts';

const skip = browserSkipReason();

describe('in Chromium: fediverse likes and boosts under a post; the remote-images and quote settings', { skip }, () => {
  let k: TestKumbaya;
  let server: http.Server;
  let base: string;
  let browser: Browser;
  let admin: BrowserContext;
  let page: Page;
  let post: Post;
  const remote = new RemoteServers();

  before(async () => {
    await remote.start();
    k = await startTestKumbaya({ demo: true, env: { FEDIVERSE_ALLOW_PRIVATE: 'true' } });
    server = createServer(k.app, k.deps.pageCache, k.config.siteUrl);
    base = `http://127.0.0.1:${(await listen(server, 0, '127.0.0.1')).port}`;
    post = (await k.deps.store.posts.findBySlug('you-cant-fail-in-social-media'))!;
    const postUrl = `${k.config.siteUrl}/${post.slug}`;
    // Two accounts like the post and one boosts it, through the inbox, signed as their servers sign.
    const privateKey = await remote.rsaPrivateKey();
    const send = async (activity: Record<string, unknown>) => {
      const request = new Request(`${k.config.siteUrl}/@blog/inbox`, { method: 'POST', headers: { 'content-type': ACTIVITY_JSON }, body: JSON.stringify(activity) });
      const res = await k.app.request(await signRequest(request, privateKey, new URL(`${String(activity.actor)}#main-key`)));
      assert.equal(res.status, 202);
    };
    for (const path of ['/mastodon/users/ana', '/misskey/users/9abc']) await send({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${remote.base}${path}#like`, type: 'Like', actor: `${remote.base}${path}`, object: postUrl });
    await send({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${remote.base}/mastodon/users/lou#boost`, type: 'Announce', actor: `${remote.base}/mastodon/users/lou`, object: postUrl });
    // …and a popular post's worth of likes more, straight into the store: more than a row shows.
    for (let i = 0; i < FACES_SHOWN; i++) {
      await k.deps.store.reactions.record({ postId: post.id, kind: 'like', actorUri: `https://crowd.example/users/u${i}`, activityId: `https://crowd.example/likes/${i}`, name: `Reader ${String.fromCharCode(65 + (i % 26))}${i}`, handle: `@u${i}@crowd.example`, profileUrl: null, iconUrl: null }, k.deps.clock.now());
    }
    await until(() => k.deps.store.reactions.forPost(post.id, 1), (r) => r.likeCount === FACES_SHOWN + 2 && r.announceCount === 1);
    k.deps.changes.publish('reactions-changed');

    browser = await launchBrowser();
    const owner = await k.signIn('owner');
    // bypassCSP only so that axe-core can be injected; the pages themselves need no exception.
    admin = await browser.newContext({ viewport: { width: 1100, height: 900 }, bypassCSP: true });
    await admin.addCookies([{ name: 'kb_session', value: owner.cookies.get('kb_session')!, url: base }]);
    page = await admin.newPage();
  });
  after(async () => {
    await browser?.close();
    if (server) await closeGracefully(server);
    await k?.cleanup();
    await remote.stop();
  });

  const noViolations = async (p: Page, what: string, only?: (target: string) => boolean) => {
    for (const scheme of ['light', 'dark'] as const) {
      await p.emulateMedia({ colorScheme: scheme });
      const violations = (await axeViolations(p)).filter((v) => !only || v.nodes.some((n) => n.target.some(only)));
      assert.equal(violations.length, 0, `${what} (${scheme}):\n${describeViolations(violations)}`);
      await screenshot(p, `fediverse-reactions-${what.replace(/\W+/g, '-')}-${scheme}`);
    }
    await p.emulateMedia({ colorScheme: 'light' });
  };

  it('a reader sees the likes and the boost as faces with their counts, initials only', async () => {
    const reader = await (await browser.newContext({ viewport: { width: 1100, height: 900 }, bypassCSP: true })).newPage();
    await reader.goto(`${base}/${post.slug}`);
    const section = reader.locator('section.mentions');
    await section.scrollIntoViewIfNeeded();
    const rows = section.locator('.mention-row');
    assert.equal(await rows.nth(0).getByRole('heading').textContent(), `${FACES_SHOWN + 2} likes`);
    assert.equal(await rows.nth(0).locator('.faces > li.h-cite').count(), FACES_SHOWN, 'a row shows so many faces…');
    assert.equal((await rows.nth(0).locator('.faces-more').textContent())?.trim(), 'and 2 others', '…and says how many more');
    assert.equal(await rows.nth(1).getByRole('heading').textContent(), '1 repost');
    assert.equal(await rows.nth(1).getByRole('link', { name: /Lou Reyes/ }).getAttribute('href'), `${remote.base}/@lou`);
    assert.equal(await section.locator('img').count(), 0, 'no image from elsewhere while remote images are off');
    await section.screenshot({ path: path.join(artifactsDir, 'fediverse-reactions-faces.png') });
    await noViolations(reader, 'post faces', (t) => t.includes('mention') || t.includes('face'));
  });

  it('the owner allows remote images in Settings: Lou’s avatar becomes an image', async () => {
    await page.goto(`${base}/admin/settings`);
    const box = page.getByLabel('Load images from other sites');
    assert.equal(await box.isChecked(), false, 'off by default');
    await noViolations(page, 'settings');
    await box.check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.waitForURL(/notice=settings-saved/);
    assert.equal(await page.getByLabel('Load images from other sites').isChecked(), true);
    await page.goto(`${base}/${post.slug}`);
    const avatar = page.locator('section.mentions .mention-row').nth(1).locator('img.avatar');
    assert.equal(await avatar.getAttribute('src'), 'https://files.social.example/lou.png');
    assert.equal(await avatar.getAttribute('alt'), '', 'decorative: the name beside it is the text');
    await page.locator('section.mentions .mention-row').nth(1).screenshot({ path: path.join(artifactsDir, 'fediverse-reactions-remote-image.png') });
  });

  it('the owner refuses quote requests in Admin → Fediverse', async () => {
    await page.goto(`${base}/admin/fediverse`);
    const quotes = page.locator('section', { has: page.getByRole('heading', { name: 'Quotes' }) });
    assert.equal(await quotes.getByLabel(/Accept automatically/).isChecked(), true, 'accepting is the default');
    await quotes.getByLabel(/Refuse/).check();
    await quotes.getByRole('button', { name: /^Save/ }).click();
    await page.waitForURL(/notice=saved/);
    assert.equal(await page.locator('section', { has: page.getByRole('heading', { name: 'Quotes' }) }).getByLabel(/Refuse/).isChecked(), true);
    await noViolations(page, 'admin fediverse quotes');
  });
});
