import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { openStore } from '../src/compose.ts';
import { loadConfig } from '../src/config/config.ts';
import { axeViolations, browserSkipReason, describeViolations, launchBrowser, screenshot } from './helpers/browser.ts';
import { spawnServer, tempDir, type RunningServer } from './helpers/spawn-server.ts';

const skip = browserSkipReason();
const POST = '/you-cant-fail-in-social-media';

/** Open streams, as this instance's /healthz counts them. */
async function openStreams(server: RunningServer): Promise<number> {
  const health = (await (await fetch(`${server.url}/healthz`)).json()) as { live_updates: { streams: { open: number } } };
  return health.live_updates.streams.open;
}

async function until(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('in Chromium: live comments when the server cannot keep the page live', { skip }, () => {
  const dataDir = tempDir('kumbaya-live-browser-');
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    server = await spawnServer({ DATA_DIR: dataDir, LOG_LEVEL: 'warn', LIVE_STREAMS_MAX: '1' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function reader(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1100, height: 800 }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${server.url}${POST}`);
    return page;
  }

  it('past LIVE_STREAMS_MAX, a page says to reload for new comments instead of staying silent', async () => {
    const first = await reader();
    await until('the first page holds the one live stream', async () => (await openStreams(server)) === 1);
    assert.equal(await first.locator('#live-off').isVisible(), false, 'a page with a stream says nothing');

    const second = await reader();
    const note = second.locator('#live-off');
    await note.waitFor({ state: 'visible' });
    assert.match(await note.innerText(), /New comments do not appear here by themselves right now\.\s*Reload to see new comments/);
    await note.scrollIntoViewIfNeeded();
    await screenshot(second, 'live-streams-full');
    for (const scheme of ['light', 'dark'] as const) {
      await second.emulateMedia({ colorScheme: scheme });
      const violations = await axeViolations(second);
      assert.equal(violations.length, 0, `${scheme}:\n${describeViolations(violations)}`);
    }
    await first.context().close();
    await until('the place is free again', async () => (await openStreams(server)) === 0);
    // Its button reloads the page, which now gets the free place and stays live.
    await second.getByRole('button', { name: 'Reload to see new comments' }).click();
    await second.waitForLoadState('load');
    await until('the reloaded page holds the stream', async () => (await openStreams(server)) === 1);
    assert.equal(await second.locator('#live-off').isVisible(), false);
    await second.context().close();
  });

  it('a page that was away longer than the change log remembers is told to reload, and the reload shows the comment', async () => {
    const page = await reader();
    await until('the page is live', async () => (await openStreams(server)) === 1);
    const port = server.port;
    // The server goes away (a restart): the browser's stream ends and EventSource keeps
    // trying to reconnect, with the last id it was given.
    await server.stop();
    const store = await openStore(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
    try {
      // Meanwhile a comment is approved, and housekeeping prunes the change log past the page's last id.
      const post = (await store.posts.findBySlug('you-cant-fail-in-social-media'))!;
      const comment = await store.comments.create({
        postId: post.id, parentId: null, personId: null, userId: null, authorName: 'Wren', authorEmail: 'wren@example.org', authorUrl: null, markdown: 'Written while you were away.', html: '<p>Written while you were away.</p>', status: 'approved', createdAt: Date.now(),
      });
      await store.changeLog.append([`comments-changed:${post.id}`, `comment-approved:${post.id}:${comment.id}`], Date.now());
      assert.ok((await store.changeLog.prune(Date.now() + 3_600_000)) > 0);
    } finally {
      await store.close();
    }
    server = await spawnServer({ DATA_DIR: dataDir, LOG_LEVEL: 'warn', LIVE_STREAMS_MAX: '1', PORT: String(port) });

    const pill = page.locator('#live-show');
    // EventSource tries again every 5 s until the server is back.
    await pill.waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(await pill.innerText(), 'New comments may have arrived — reload to see them');
    await screenshot(page, 'live-missed-reload');
    await pill.click();
    await page.locator('article.comment', { hasText: 'Written while you were away.' }).waitFor();
    await page.context().close();
  });
});
