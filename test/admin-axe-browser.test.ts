import assert from 'node:assert/strict';
import type http from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { seedSite } from '../src/migration/site-fixture.ts';
import { adminRoutes } from '../src/web/routes/admin/index.ts';
import { EmbedService } from '../src/core/embeds.ts';
import { closeGracefully, createServer, listen } from '../src/web/server.ts';
import { axeViolations, browserSkipReason, describeViolations, launchBrowser, screenshot } from './helpers/browser.ts';
import { startTestKumbaya, type TestKumbaya } from './helpers/test-kumbaya.ts';
import { blog } from './helpers/wxr-builder.ts';

const skip = browserSkipReason();
const SCHEMES = ['light', 'dark'] as const;

/** Every page the admin router answers GET with, read from the router itself: a new page is visited without changing this test. */
const adminGetPaths = [...new Set(adminRoutes().routes.filter((r) => r.method === 'GET').map((r) => r.path))];

/** What the admin answers on GET that is not a page (JSON for scripts, a download). */
const notPages = new Set(['/session', '/people/:id{[0-9]+}/export']);

describe('in Chromium: every admin page passes axe, in light and dark', { skip }, () => {
  let k: TestKumbaya;
  let server: http.Server;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Each parameterised route of the admin → a real address on the seeded site. */
  const addresses = new Map<string, string>();

  before(async () => {
    k = await startTestKumbaya();
    const { postIds, commentIds } = await seedSite(k.deps.store);
    const owner = await k.signIn('owner');
    // A post with code wider than a phone: its block scrolls, and must be reachable by keyboard.
    const code = await k.deps.posts.create(owner.user!, {
      title: 'Code on a phone',
      markdown: `Here is a long line:\n\n\`\`\`js\nconst message = ${JSON.stringify('a line of code far wider than a phone screen, '.repeat(3))};\n\`\`\`\n\n    indented code ${'that is also rather long '.repeat(4)}\n`,
    });
    await k.deps.posts.publish(owner.user!, code.id);
    const person = (await k.deps.store.people.list({ text: 'Reader', limit: 1 })).items[0].person;
    const upload = (await k.deps.store.uploads.list({ q: '', limit: 1, offset: 0 })).items[0];
    addresses.set('/posts/:id{[0-9]+}', `/posts/${postIds[0]}`);
    addresses.set('/posts/:id{[0-9]+}/revisions', `/posts/${postIds[0]}/revisions`);
    addresses.set('/posts/:id{[0-9]+}/revisions/compare', `/posts/${postIds[0]}/revisions/compare`);
    addresses.set('/posts/:id{[0-9]+}/webmentions', `/posts/${postIds[0]}/webmentions`);
    addresses.set('/comments/:id{[0-9]+}/edit', `/comments/${commentIds[0]}/edit`);
    addresses.set('/people/:id{[0-9]+}', `/people/${person.id}`);
    addresses.set('/people/:id{[0-9]+}/forget', `/people/${person.id}/forget`);
    addresses.set('/people/:id{[0-9]+}/merge', `/people/${person.id}/merge`);
    addresses.set('/people/:id{[0-9]+}/export', `/people/${person.id}/export`);
    addresses.set('/uploads/:hash{[0-9a-f]{64}}', `/uploads/${upload.hash}`);
    addresses.set('/code-post', `/${code.slug}`);
    // A page of another site with its conversation (Admin → Sites → the thread).
    const embeds = new EmbedService({ store: k.deps.store, clock: k.deps.clock, onChanged: () => {} });
    await embeds.addSite(owner.user!, 'https://notes.example');
    const { post: thread } = await embeds.threadFor('https://notes.example/a-page/', 'A page elsewhere', '203.0.113.9');
    addresses.set('/sites/threads/:id{[0-9]+}', `/sites/threads/${thread.id}`);

    server = createServer(k.app, k.deps.pageCache, k.config.siteUrl);
    base = `http://127.0.0.1:${(await listen(server, 0, '127.0.0.1')).port}`;
    browser = await launchBrowser();
    // bypassCSP only so that axe-core can be injected; the pages themselves need no exception.
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    await context.addCookies([{ name: 'kb_session', value: owner.cookies.get('kb_session')!, url: base }]);
    page = await context.newPage();

    // An import's report page needs an import: a dry run of a small WordPress export.
    await page.goto(`${base}/admin/import`);
    await page.setInputFiles('#import-file', { name: 'old-blog.xml', mimeType: 'text/xml', buffer: Buffer.from(blog('1.2')) });
    await page.check('input[name="dry_run"]');
    await page.click('[data-import-form] button[type=submit]');
    await page.waitForURL(/\/admin\/import\/[\w-]+$/);
    await page.locator('h1', { hasText: 'Dry run' }).waitFor();
    addresses.set('/import/:id', new URL(page.url()).pathname.slice('/admin'.length));
  });
  after(async () => {
    await browser?.close();
    if (server) await closeGracefully(server);
    await k?.cleanup();
  });

  it('knows an address for every page of the admin router', () => {
    const unknown = adminGetPaths.filter((path) => path.includes(':') && !addresses.has(path));
    assert.deepEqual(unknown, [], 'add an address for each new parameterised admin page to this test');
    assert.ok(adminGetPaths.length >= 30, `the router lists its pages (${adminGetPaths.length})`);
  });

  for (const path of adminGetPaths) {
    it(`/admin${path === '/' ? '' : path}`, async () => {
      const address = `/admin${addresses.get(path) ?? (path === '/' ? '' : path)}`;
      if (notPages.has(path)) {
        const res = await page.request.get(`${base}${address}`);
        assert.equal(res.status(), 200);
        assert.doesNotMatch(res.headers()['content-type'] ?? '', /text\/html/, 'listed as not a page, and it is not one');
        return;
      }
      const response = await page.goto(`${base}${address}`);
      assert.equal(response?.status(), 200, `${address} answers 200`);
      assert.match(response!.headers()['content-type'] ?? '', /text\/html/);
      // On a desktop and on a phone (where wide parts scroll), light and dark.
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 900 });
        for (const scheme of SCHEMES) {
          await page.emulateMedia({ colorScheme: scheme });
          const violations = await axeViolations(page);
          assert.equal(violations.length, 0, `${address} at ${width} px in ${scheme}:\n${describeViolations(violations)}`);
          if (path === '/settings' && width === 1280) await screenshot(page, `admin-settings-${scheme}`);
        }
      }
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.emulateMedia({ colorScheme: 'light' });
    });
  }

  it('at 390 px: a post with wide code blocks and the search page (keyboard reaches each block; one landmark per search form)', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 800 }, bypassCSP: true });
    const p = await phone.newPage();
    try {
      for (const address of [addresses.get('/code-post')!, '/search?q=code']) {
        await p.goto(`${base}${address}`);
        for (const scheme of SCHEMES) {
          await p.emulateMedia({ colorScheme: scheme });
          const violations = await axeViolations(p);
          assert.equal(violations.length, 0, `${address} in ${scheme}:\n${describeViolations(violations)}`);
        }
      }
      await p.goto(`${base}${addresses.get('/code-post')!}`);
      // Each block that scrolls sideways is reached with Tab and scrolled with the arrow keys.
      const blocks = p.locator('.e-content pre');
      assert.ok((await blocks.count()) >= 2);
      for (const block of await blocks.all()) {
        assert.ok(await block.evaluate((el) => el.scrollWidth > el.clientWidth), 'the block is wider than the phone');
        await block.focus();
        assert.equal(await block.evaluate((el) => el === document.activeElement), true, 'the block takes the keyboard focus');
        await p.keyboard.press('ArrowRight');
        await p.keyboard.press('ArrowRight');
        // Scrolling may be animated: wait for it to move.
        await block.evaluate((el) => new Promise<void>((resolve) => (el.scrollLeft > 0 ? resolve() : el.addEventListener('scroll', () => resolve(), { once: true }))));
        assert.ok(await block.evaluate((el) => el.scrollLeft > 0), 'the arrow keys scroll it');
      }
      await screenshot(p, 'code-block-390');
    } finally {
      await phone.close();
    }
  });
});
