import assert from 'node:assert/strict';
import type http from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Post } from '../src/core/store.ts';
import type { MentionType } from '../src/core/webmention-store.ts';
import { closeGracefully, createServer, listen } from '../src/web/server.ts';
import { axeViolations, browserSkipReason, describeViolations, launchBrowser, screenshot } from './helpers/browser.ts';
import { importWordpress } from '../src/migration/wordpress-import.ts';
import { startTestKumbaya, type TestKumbaya } from './helpers/test-kumbaya.ts';
import { wxr } from './helpers/wxr-builder.ts';

const skip = browserSkipReason();

describe('in Chromium: webmentions under a post and in the admin', { skip }, () => {
  let k: TestKumbaya;
  let server: http.Server;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let post: Post;
  let sessionToken: string;

  before(async () => {
    k = await startTestKumbaya({ demo: true });
    server = createServer(k.app, k.deps.pageCache, k.config.siteUrl);
    const address = await listen(server, 0, '127.0.0.1');
    base = `http://127.0.0.1:${address.port}`;
    const owner = await k.signIn('owner');
    sessionToken = owner.cookies.get('kb_session')!;
    post = (await k.deps.store.posts.findBySlug('you-cant-fail-in-social-media'))!;
    const { store } = k.deps;
    const now = Date.now();
    const people: Array<[string, string, MentionType, string | null]> = [
      ['Ada Lovelace', 'https://ada.example/', 'like', null],
      ['Grace Hopper', 'https://grace.example/', 'like', null],
      ['Tim Berners-Lee', 'https://timbl.example/', 'like', null],
      ['Margaret Hamilton', 'https://margaret.example/', 'repost', null],
      ['Aaron Parecki', 'https://aaron.example/', 'mention', 'A good read on why conversation beats broadcasting: the post argues you cannot fail if you keep listening.'],
      ['Tantek Çelik', 'https://tantek.example/', 'bookmark', null],
    ];
    for (const [i, [name, url, type, content]] of people.entries()) {
      const m = await store.webmentions.receive({ source: `${url}notes/${i}`, target: `${k.config.siteUrl}/${post.slug}`, postId: post.id, via: 'webmention' }, now + i);
      await store.webmentions.updateReceived(m.id, { status: 'verified', type, authorName: name, authorUrl: url, content, url: `${url}notes/${i}`, publishedAt: now - 86_400_000, verifiedAt: now + i }, now + i);
    }
    const rejected = await store.webmentions.receive({ source: 'https://spam.example/x', target: `${k.config.siteUrl}/${post.slug}`, postId: post.id, via: 'pingback' }, now);
    await store.webmentions.updateReceived(rejected.id, { status: 'rejected', reason: 'the source does not link to the target' }, now);
    await store.webmentions.recordSent(post.id, 'https://indieweb.example/post', { status: 'sent', endpoint: 'https://indieweb.example/webmention', httpStatus: 202, attempted: true }, now);
    await store.webmentions.recordSent(post.id, 'https://plain.example/article', { status: 'no-endpoint', attempted: true }, now);
    await store.webmentions.recordSent(post.id, 'https://down.example/page', { status: 'failed', endpoint: 'https://down.example/wm', httpStatus: 503, error: 'Service Unavailable', attempted: true }, now);

    await k.deps.comments.fromWebmention({ post, existing: null, personId: null, name: 'Bea Writer', website: 'https://bea.example/', text: 'I wrote a whole post in reply: failing in public is how we learn.', source: 'https://bea.example/notes/reply' });

    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1100, height: 900 }, bypassCSP: true });
    page = await context.newPage();
    await context.addCookies([{ name: 'kb_session', value: sessionToken, url: base }]);
  });
  after(async () => {
    await browser?.close();
    if (server) await closeGracefully(server);
    await k?.cleanup();
  });

  it('shows likes and reposts as faces and the other mentions in a list, accessibly', async () => {
    // As a reader: a context without the session.
    const reader = await browser.newContext({ viewport: { width: 1100, height: 900 }, bypassCSP: true });
    const page = await reader.newPage();
    await page.goto(`${base}/${post.slug}`);
    const section = page.locator('section.mentions');
    await section.scrollIntoViewIfNeeded();
    assert.equal(await section.getByRole('heading', { level: 2 }).textContent(), 'Around the web');
    assert.equal(await section.locator('.faces').first().locator('li').count(), 3, 'three likes');
    assert.equal(await section.getByRole('link', { name: /Grace Hopper/ }).getAttribute('href'), 'https://grace.example/');
    const faces = await section.locator('.faces').first().boundingBox();
    assert.ok(faces && faces.height < 60, 'the faces sit in one row');
    assert.match((await section.locator('.mentioned-by').textContent()) ?? '', /Aaron Parecki\s+mentioned this[\s\S]*Tantek Çelik\s+bookmarked this/);
    const violations = (await axeViolations(page)).filter((v) => v.nodes.some((n) => n.target.some((t) => t.includes('mention') || t.includes('face'))));
    assert.equal(violations.length, 0, describeViolations(violations));
    await section.screenshot({ path: (await screenshot(page, 'webmentions-post')).replace('.png', '-section.png') });
    await reader.close();
  });

  it('shows imported pingbacks and trackbacks under "Mentioned by", and a webmention reply "via" its site', async () => {
    const { store } = k.deps;
    const wxrFile = wxr('1.2', [
      {
        id: 40,
        name: 'a-year-of-listening',
        title: 'A year of listening',
        content: 'What a year of reading every comment taught me.',
        comments: [
          { id: 1, author: 'Sam Reader', content: 'This one stayed with me.' },
          { id: 2, type: 'pingback', author: 'Notes &laquo; Kim&#8217;s weblog', url: 'https://kim.example/2019/03/notes/', content: '[&#8230;] Robin wrote about <a href="x">a year of listening</a>, and it is worth your time [&#8230;]' },
          { id: 3, type: 'trackback', author: 'Lee on the web', url: 'https://lee.example/linked', content: 'A short trackback excerpt.' },
          { id: 4, type: 'pingback', approved: 'spam', author: 'Cheap pills', url: 'https://spam.example/p' },
        ],
      },
    ]);
    const report = await importWordpress(store, [wxrFile], {});
    assert.equal(report.counts.mention?.created, 3);
    const imported = (await store.posts.findById((await store.imports.findLegacyPath('?p=40'))!))!;
    // A reply by webmention, approved, on the imported post.
    const reply = await k.deps.comments.fromWebmention({ post: imported, existing: null, personId: null, name: 'Bea Writer', website: 'https://bea.example/', text: 'Replied on my own site: listening is the work.', source: 'https://bea.example/notes/42' });
    const m = await store.webmentions.receive({ source: 'https://bea.example/notes/42', target: `${k.config.siteUrl}/${imported.slug}`, postId: imported.id, via: 'webmention' }, Date.now());
    await store.webmentions.updateReceived(m.id, { status: 'verified', type: 'reply', authorName: 'Bea Writer', url: 'https://bea.example/notes/42', commentId: reply.id, verifiedAt: Date.now() }, Date.now());
    await k.deps.comments.moderate([reply.id], 'approve');

    const reader = await browser.newContext({ viewport: { width: 1100, height: 900 }, bypassCSP: true });
    const view = await reader.newPage();
    await view.goto(`${base}/${imported.slug}`);
    const mentioned = view.locator('.mentioned-by');
    assert.match((await mentioned.textContent()) ?? '', /Notes « Kim’s weblog\s+mentioned this in\s+kim\.example[\s\S]*Robin wrote about a year of listening, and it is worth your time \[…\][\s\S]*Lee on the web\s+mentioned this in\s+lee\.example/);
    assert.deepEqual(await mentioned.locator('.avatar').allTextContents(), ['NK', 'LO'], 'initials from words, not from «');
    assert.doesNotMatch((await view.locator('main').textContent()) ?? '', /Cheap pills/);
    assert.equal(await view.locator('article.comment', { hasText: 'Notes' }).count(), 0, 'pingbacks are not comments');
    const via = view.locator('article.comment', { hasText: 'Bea Writer' }).locator('.comment-via a');
    assert.equal(await via.textContent(), 'bea.example');
    assert.equal(await via.getAttribute('href'), 'https://bea.example/notes/42');
    assert.ok(await via.isVisible());
    const violations = (await axeViolations(view)).filter((v) => v.nodes.some((n) => n.target.some((t) => /mention|comment/.test(t))));
    assert.equal(violations.length, 0, describeViolations(violations));
    await view.locator('section.mentions').scrollIntoViewIfNeeded();
    await screenshot(view, 'imported-pingbacks-mentions');
    await view.locator('#comments').screenshot({ path: (await screenshot(view, 'webmention-reply-via')).replace('.png', '-thread.png') });
    await reader.close();
  });

  it('shows the author which links were notified and what each endpoint answered', async () => {
    await page.goto(`${base}/admin/posts/${post.id}`);
    await page.getByRole('link', { name: /Webmentions: links notified/ }).click();
    await page.waitForURL(/\/webmentions$/);
    const rows = page.locator('table').first().locator('tbody tr');
    assert.equal(await rows.count(), 3);
    const text = (await page.locator('table').first().textContent()) ?? '';
    assert.match(text, /indieweb\.example\/post\s*Notified\s*https:\/\/indieweb\.example\/webmention\s*HTTP 202/);
    assert.match(text, /down\.example\/page\s*Failed[\s\S]*HTTP 503\s*Service Unavailable/);
    assert.match(text, /plain\.example\/article\s*No endpoint/);
    assert.match((await page.locator('table').nth(1).textContent()) ?? '', /spam\.example[\s\S]*Rejected\s*the source does not link to the target/);
    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, describeViolations(violations));
    await screenshot(page, 'webmentions-admin');
  });

  it('holds a webmention reply in the moderation inbox, saying where it came from', async () => {
    await page.goto(`${base}/admin/comments?status=pending`);
    const item = page.locator('li.mod-item', { hasText: 'Bea Writer' }).first();
    assert.match((await item.textContent()) ?? '', /a reply by webmention from https:\/\/bea\.example\/notes\/reply/);
    assert.match((await item.textContent()) ?? '', /failing in public is how we learn/);
    await screenshot(page, 'webmentions-inbox');
  });

  it('lists background jobs that gave up, with their last error and Retry', async () => {
    const { store } = k.deps;
    await store.jobs.enqueue({ kind: 'webmention-send', key: 'dead-1', payload: { postId: post.id, source: `${k.config.siteUrl}/${post.slug}`, target: 'https://down.example/page' } }, Date.now());
    const [job] = await store.jobs.claimDue(Date.now(), 1, 60_000);
    await store.jobs.fail(job.id, 'down.example: connect ETIMEDOUT', null, Date.now());
    await page.goto(`${base}/admin/jobs`);
    const row = page.locator('tbody tr', { hasText: 'down.example' });
    assert.match((await row.textContent()) ?? '', /connect ETIMEDOUT/);
    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, describeViolations(violations));
    await screenshot(page, 'webmentions-jobs');
    await row.getByRole('button', { name: 'Retry' }).click();
    await page.waitForURL(/notice=job-retried/);
    assert.match((await page.locator('main').textContent()) ?? '', /Back in the queue: it runs again shortly/);
  });
});
