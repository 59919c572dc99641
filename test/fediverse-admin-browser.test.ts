import assert from 'node:assert/strict';
import { generateKeyPairSync, webcrypto } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { signRequest } from '@fedify/fedify';
import { axeViolations, browserSkipReason, claimSite, describeViolations, launchBrowser, screenshot } from './helpers/browser.ts';
import { spawnServer, tempDir, type RunningServer } from './helpers/spawn-server.ts';

const skip = browserSkipReason();
const ACTIVITY_JSON = 'application/activity+json';

/** A free local port for the blog, so that its SITE_URL (and so its actor's id) is known before it starts. */
async function freePort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('in Chromium: the author accepts a follow request and blocks a domain in Admin → Fediverse', { skip }, () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let remote: http.Server;
  let remoteBase = '';
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const inbox: string[] = [];
  /** What Wren's inbox answers: 202, or a 503 while their server is down. */
  let inboxStatus = 202;

  before(async () => {
    // A Mastodon-like account on a local port, with an inbox that keeps what it receives.
    remote = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString('utf8')));
      req.on('end', () => {
        if (req.method === 'POST') {
          if (inboxStatus === 202) inbox.push(body);
          res.writeHead(inboxStatus).end();
          return;
        }
        const id = `${remoteBase}/users/wren`;
        res.writeHead(req.url === '/users/wren' ? 200 : 404, { 'content-type': ACTIVITY_JSON });
        res.end(JSON.stringify({ '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'], id, type: 'Person', preferredUsername: 'wren', name: 'Wren Marsh', inbox: `${id}/inbox`, publicKey: { id: `${id}#main-key`, owner: id, publicKeyPem: keys.publicKey.export({ type: 'spki', format: 'pem' }) } }));
      });
    });
    await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', resolve));
    remoteBase = `http://127.0.0.1:${(remote.address() as AddressInfo).port}`;
    const port = await freePort();
    server = await spawnServer({ DATA_DIR: tempDir('kumbaya-fediverse-'), LOG_LEVEL: 'warn', PORT: String(port), SITE_URL: `http://localhost:${port}`, FEDIVERSE_ALLOW_PRIVATE: 'true' });
    browser = await launchBrowser();
    // bypassCSP only so that axe-core can be injected; the pages themselves need no exception.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    page = await context.newPage();
    await claimSite(page, server.setupLink()!);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await new Promise<void>((resolve) => remote?.close(() => resolve()));
  });

  const noViolations = async (what: string) => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const violations = await axeViolations(page);
      assert.equal(violations.length, 0, `${what} (${scheme}):\n${describeViolations(violations)}`);
      await screenshot(page, `fediverse-${what.replace(/\W+/g, '-')}-${scheme}`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  };

  /** Wren follows the blog: a signed Follow to its inbox, as Mastodon sends it. */
  async function wrenFollows(): Promise<void> {
    const actor = `${remoteBase}/users/wren`;
    const privateKey = (await webcrypto.subtle.importKey('pkcs8', keys.privateKey.export({ type: 'pkcs8', format: 'der' }), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, true, ['sign'])) as CryptoKey;
    const follow = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${remoteBase}/follows/wren-1`, type: 'Follow', actor, object: `${server.url}/@blog` };
    const request = new Request(`${server.url}/@blog/inbox`, { method: 'POST', headers: { 'content-type': ACTIVITY_JSON, accept: ACTIVITY_JSON }, body: JSON.stringify(follow) });
    const res = await fetch(await signRequest(request, privateKey, new URL(`${actor}#main-key`)));
    assert.equal(res.status, 202, await res.text());
  }

  it('turns on approval, accepts the held request (an Accept reaches Wren), then blocks a domain', async () => {
    await page.goto(`${server.url}/admin`);
    const nav = page.getByRole('navigation', { name: 'Admin' });
    await nav.locator('summary', { hasText: 'More' }).click(); // Fediverse sits under More
    await nav.getByRole('link', { name: 'Fediverse' }).click();
    await page.waitForURL(/\/admin\/fediverse$/);
    await page.getByLabel(/Approve followers/).check();
    await page.locator('form[action="/admin/fediverse/approval"]').getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/notice=saved/);

    await wrenFollows();
    // The inbox hands the Follow to the queue: reload until the request shows.
    const request = page.locator('.follow-requests li', { hasText: '@wren@' });
    for (let i = 0; (await request.count()) === 0; i++) {
      await page.reload();
      if (i > 0) await page.waitForTimeout(250);
    }
    await noViolations('follow request');

    await request.getByRole('button', { name: /Accept/ }).click();
    await page.waitForURL(/notice=follower-accepted/);
    const row = page.locator('.admin-table tbody tr', { hasText: '@wren@' });
    assert.equal(await row.count(), 1);
    assert.match((await row.textContent())!, /Wren Marsh[^]*accepted/);
    for (let i = 0; !inbox.some((body) => body.includes('"Accept"') && body.includes('wren-1')); i++) await page.waitForTimeout(100);

    await page.fill('#block-domain', 'spam.example');
    await page.getByRole('button', { name: 'Block domain' }).click();
    await page.waitForURL(/notice=fediverse-blocked/);
    assert.match((await page.locator('.block-list').textContent())!, /Domain\s+spam\.example/);
    await noViolations('followers and blocks');
  });

  it('a post published while Wren’s server is down shows as a failed delivery; Retry now sends it', async () => {
    inboxStatus = 503;
    await page.goto(`${server.url}/admin/posts/new`);
    await page.getByLabel('Title', { exact: true }).fill('Field notes from the fediverse');
    await page.getByLabel('Text', { exact: true }).fill('Written for the people who follow from Mastodon.');
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.waitForLoadState('load');

    await page.goto(`${server.url}/admin/fediverse`);
    // Listed as waiting first, then as failed once Wren's server has answered 503.
    const failed = page.locator('table[aria-labelledby="failed-deliveries-heading"] tbody tr', { hasText: 'Field notes from the fediverse' });
    for (let i = 0; (await failed.count()) === 0; i++) {
      await page.waitForTimeout(250);
      await page.reload();
    }
    const row = (await failed.first().textContent())!;
    assert.match(row, /127\.0\.0\.1:\d+\s*\/users\/wren\/inbox\s*Create\s*Field notes from the fediverse\s*1\s*503 Service Unavailable/);
    assert.match((await page.locator('.delivery-summary').textContent())!, /1 delivery waiting \(1 failed and will be tried again, 0 being sent now\)/);
    await noViolations('failed delivery');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'fediverse-failed-delivery-phone');
    await page.setViewportSize({ width: 1280, height: 900 });

    inboxStatus = 202;
    await failed.getByRole('button', { name: /Retry now/ }).click();
    await page.waitForURL(/notice=delivery-retried/);
    for (let i = 0; !inbox.some((body) => body.includes('"Create"') && body.includes('Field notes from the fediverse')); i++) await page.waitForTimeout(100);
    for (let i = 0; (await page.locator('.deliveries-table').count()) > 0; i++) {
      await page.waitForTimeout(250);
      await page.reload();
    }
    assert.match((await page.locator('#deliveries-heading + p + p').textContent())!, /Nothing waits to be delivered/);
  });
});
