import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestKumbaya, testEngines, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';

const DEMO = '/you-cant-fail-in-social-media';

/** The text of the element with id="comment-N"'s list item, and what encloses it. */
function commentIds(page: string): number[] {
  return [...page.matchAll(/id="comment-(\d+)"/g)].map((m) => Number(m[1]));
}

for (const { engine, skip } of testEngines()) {
describe(`public site with the demo content (${engine})`, { skip }, () => {
  let k: TestKumbaya;
  before(async () => {
    k = await startTestKumbaya({ demo: true, engine });
  });
  after(() => k.cleanup());

  it('shows http: images (in the body and as the cover) over https, which the CSP allows, instead of having them blocked', async () => {
    const owner = await k.signIn('owner', 'images-test@example.com');
    const post = await k.deps.posts.create(owner.user!, { title: 'Old pictures', slug: 'old-pictures', markdown: '![a chart](http://images.example.com/chart.png)', coverImage: 'http://images.example.com/cover.jpg' });
    await k.deps.posts.publish(owner.user!, post.id, Date.now() - 1000);
    const res = await k.request('/old-pictures');
    const page = await res.text();
    const imgSrc = /img-src ([^;]+)/.exec(res.headers.get('content-security-policy')!)![1].split(' ');
    const sources = [...page.matchAll(/<img[^>]*\ssrc="([^"]*)"/g)].map((m) => m[1]);
    assert.ok(sources.includes('https://images.example.com/chart.png'));
    assert.ok(sources.includes('https://images.example.com/cover.jpg'));
    for (const src of sources) {
      const allowed = src.startsWith('/') ? imgSrc.includes("'self'") : imgSrc.includes(`${new URL(src).protocol}`);
      assert.ok(allowed, `${src} is allowed by img-src ${imgSrc.join(' ')}`);
    }
  });

  it('answers 404 and 410 with Cache-Control: no-cache, so a restored post is seen again at once', async () => {
    const missing = await k.request('/no-such-post-here');
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('cache-control'), 'no-cache', 'missing');
    const owner = await k.signIn('owner', 'gone-test@example.com');
    const post = await k.deps.posts.create(owner.user!, { title: 'Back from the bin', slug: 'back-from-the-bin', markdown: 'Hello.' });
    await k.deps.posts.publish(owner.user!, post.id, Date.now() - 1000);
    await k.deps.posts.trash(owner.user!, post.id);
    const gone = await k.request('/back-from-the-bin');
    assert.equal(gone.status, 410);
    assert.equal(gone.headers.get('cache-control'), 'no-cache', 'gone');
    await k.deps.posts.restore(owner.user!, post.id);
    const back = await k.request('/back-from-the-bin', { headers: { 'cache-control': 'no-cache' } });
    assert.equal(back.status, 200);
    const json = await k.request('/api/nothing-here', { headers: { accept: 'application/json' } });
    assert.equal(json.status, 404);
    assert.match(json.headers.get('cache-control') ?? '', /no-cache|no-store/, 'api');
  });

  it('lists the demo post on the home page with its comment count', async () => {
    const res = await k.request('/');
    assert.equal(res.status, 200);
    const page = await res.text();
    assert.match(page, /<a class="u-url p-name" href="\/you-cant-fail-in-social-media">You CAN&#39;T Fail in Social Media<\/a>/);
    assert.match(page, /6 comments/);
    assert.match(page, /November 8, 2010/);
  });

  it('shows the post with its five paragraphs and the thread nested under each reader', async () => {
    const page = await (await k.request(DEMO)).text();
    const body = page.slice(page.indexOf('class="e-content"'), page.indexOf('id="comments"'));
    assert.equal((body.match(/<p>/g) ?? []).length, 5);
    assert.match(body, /That’s all the Kumbaya I have for today/);

    const ids = commentIds(page);
    assert.equal(ids.length, 6);
    const thread = page.slice(page.indexOf('<ol class="thread">'));
    // Each of the three readers is a top-level entry followed by James's reply nested in .replies.
    const readers = ['Charity', 'Kathy', 'Torri'];
    for (const [i, name] of readers.entries()) {
      const readerAt = thread.indexOf(`id="comment-${ids[i * 2]}"`);
      const replyAt = thread.indexOf(`id="comment-${ids[i * 2 + 1]}"`);
      const between = thread.slice(readerAt, replyAt);
      assert.match(between, new RegExp(`>${name}<`));
      assert.match(between, /<ol class="replies">/, `${name}'s comment should hold James's reply nested`);
      const reply = thread.slice(replyAt, thread.indexOf('</article>', replyAt));
      assert.match(reply, /is-author|Author<\/span>/);
      assert.match(reply, /<span class="badge"[^>]*>Author<\/span>/);
      assert.match(reply, new RegExp(`${name}, thank|Hello ${name}`));
    }
    // Readers carry no author badge.
    const charity = thread.slice(thread.indexOf(`id="comment-${ids[0]}"`), thread.indexOf('</article>'));
    assert.doesNotMatch(charity, /class="badge"/);
    // Kathy's comment has both paragraphs; Torri's name links to her website as user content.
    assert.match(page, /It seems folks are comfortable within Facebook/);
    assert.match(page, /<a class="p-name u-url" href="https:\/\/torri.example" rel="ugc nofollow noopener">Torri<\/a>/);
  });

  it('gives every comment a permalink anchor', async () => {
    const page = await (await k.request(DEMO)).text();
    for (const id of commentIds(page)) assert.ok(page.includes(`href="/you-cant-fail-in-social-media#comment-${id}"`), `permalink of comment ${id}`);
  });

  it('finds posts by words in their body', async () => {
    const page = await (await k.request('/search?q=mentor')).text();
    assert.match(page, /1 result for “mentor”/);
    assert.match(page, /href="\/you-cant-fail-in-social-media"/);
    const none = await (await k.request('/search?q=zeppelin')).text();
    assert.match(none, /Nothing matches “zeppelin”/);
  });

  it('serves tag, author and archive pages', async () => {
    assert.match(await (await k.request('/tag/social-media')).text(), /You CAN&#39;T Fail/);
    assert.match(await (await k.request('/author/james')).text(), /You CAN&#39;T Fail/);
    const archive = await (await k.request('/archive')).text();
    assert.match(archive, /href="\/archive\/2010\/11">November 2010<\/a> <span class="count">\(1\)/);
    assert.match(await (await k.request('/archive/2010/11')).text(), /You CAN&#39;T Fail/);
    assert.match(await (await k.request('/archive/2011/01')).text(), /Nothing was published that month/);
    assert.equal((await k.request('/tag/no-such-tag')).status, 404);
  });

  it('serves the About page without a comment section', async () => {
    const res = await k.request('/about');
    assert.equal(res.status, 200);
    const page = await res.text();
    assert.match(page, /<h1 class="p-name">About<\/h1>/);
    assert.doesNotMatch(page, /id="comments"/);
  });

  it('answers unknown addresses with a 404 page in the site look', async () => {
    const res = await k.request('/no-such-post');
    assert.equal(res.status, 404);
    const page = await res.text();
    assert.match(page, /Page not found/);
    assert.match(page, /class="site-header"/);
  });

  it('sends a strict Content-Security-Policy and no third-party URLs', async () => {
    const res = await k.request(DEMO);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    const page = await res.text();
    for (const [, url] of page.matchAll(/(?:src|href)="(https?:\/\/[^"]+)"/g)) {
      // Links a reader may follow (a commenter's site, the Bluesky share intent) load nothing by themselves.
      assert.ok(url.startsWith('http://localhost:3000') || url === 'https://torri.example' || url.startsWith('https://bsky.app/intent/compose?'), `unexpected third-party URL ${url}`);
    }
    // JSON-LD is a data block, not script: the only <script> without src allowed.
    assert.doesNotMatch(page, /<script(?![^>]*\bsrc=)(?![^>]*type="application\/ld\+json")/, 'no inline scripts');
    assert.doesNotMatch(page, /\sstyle="/, 'no inline styles');
  });

  it('caches pages for readers and answers 304 to a matching ETag', async () => {
    const first = await k.request('/archive');
    const etag = first.headers.get('etag');
    assert.ok(etag);
    const second = await k.request('/archive');
    assert.equal(second.headers.get('x-cache'), 'hit');
    const conditional = await k.request('/archive', { headers: { 'if-none-match': etag } });
    assert.equal(conditional.status, 304);
  });

  it('reports health with the database kind', async () => {
    const res = await k.request('/healthz');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok', database: engine, live_updates: { state: 'up', streams: { open: 0, max: 1000 } } });
  });
});

describe(`publishing as readers see it (${engine})`, { skip }, () => {
  let k: TestKumbaya;
  let now = Date.UTC(2026, 0, 10, 12, 0, 0);
  before(async () => {
    k = await startTestKumbaya({ clock: { now: () => now }, engine });
  });
  after(() => k.cleanup());

  it('shows drafts only to signed-in editors, and a published post to everyone at once', async () => {
    const owner = await k.signIn('owner');
    const post = await k.deps.posts.create(owner.user!, { title: 'Hello there', markdown: 'A **first** post.', tags: ['News'] });
    await k.request('/'); // warm the page cache
    assert.equal((await k.request('/hello-there')).status, 404);
    const preview = await owner.request('/hello-there');
    assert.equal(preview.status, 200);
    assert.match(await preview.text(), /Preview: this post is <strong>draft<\/strong>/);

    await k.deps.posts.publish(owner.user!, post.id);
    const home = await (await k.request('/')).text();
    assert.match(home, /Hello there/, 'publishing clears the cached home page');
    const page = await (await k.request('/hello-there')).text();
    assert.match(page, /A <strong>first<\/strong> post\./);
  });

  it('keeps an old address answering with a 301 after the slug changes', async () => {
    const owner = await k.signIn('owner');
    const post = await k.deps.posts.create(owner.user!, { title: 'Moving house', slug: 'old-address' });
    await k.deps.posts.publish(owner.user!, post.id);
    await k.deps.posts.update(owner.user!, post.id, { title: 'Moving house', slug: 'new-address' });
    const res = await k.request('/old-address');
    assert.equal(res.status, 301);
    assert.equal(res.headers.get('location'), '/new-address');
    assert.equal((await k.request('/new-address')).status, 200);
  });

  it('redirects an old address only to a live post: a draft’s new address is not given away', async () => {
    const owner = await k.signIn('owner');
    const post = await k.deps.posts.create(owner.user!, { title: 'Secret plans', slug: 'first-try' });
    await k.deps.posts.update(owner.user!, post.id, { title: 'Secret plans', slug: 'renamed-draft' });
    const res = await k.request('/first-try');
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('location'), null);
    assert.doesNotMatch(await res.text(), /renamed-draft/);
    // Its author, who may preview it, is still sent on.
    assert.equal((await owner.request('/first-try')).headers.get('location'), '/renamed-draft');
    await k.deps.posts.publish(owner.user!, post.id);
    assert.equal((await k.request('/first-try')).headers.get('location'), '/renamed-draft');
    await k.deps.posts.unpublish(owner.user!, post.id);
    assert.equal((await k.request('/first-try')).status, 404);
  });

  it('publishes a scheduled post when its time comes, also after a restart', async () => {
    const owner = await k.signIn('owner');
    const post = await k.deps.posts.create(owner.user!, { title: 'From the future', markdown: 'Soon.' });
    const outcome = await k.deps.posts.publish(owner.user!, post.id, now + 60_000);
    assert.equal(outcome.state, 'scheduled');
    await k.scheduler.tick();
    assert.equal((await k.request('/from-the-future')).status, 404);

    // A restart: the scheduler of a new instance over the same data picks it up.
    now += 61_000;
    const again = await startTestKumbaya({ clock: { now: () => now }, engine, pgSchema: k.pgSchema, env: { DATA_DIR: k.config.dataDir } });
    try {
      await again.scheduler.tick();
      assert.equal((await again.request('/from-the-future')).status, 200);
      assert.match(await (await again.request('/')).text(), /From the future/);
    } finally {
      await again.close();
    }
  });

  it('pages the home page and refuses pages past the end', async () => {
    const owner = await k.signIn('owner');
    await k.deps.store.settings.set({ 'site.postsPerPage': '2' });
    k.deps.changes.publish('settings-changed');
    for (const title of ['One', 'Two', 'Three']) {
      const p = await k.deps.posts.create(owner.user!, { title: `Paging ${title}` });
      now += 1000;
      await k.deps.posts.publish(owner.user!, p.id);
    }
    const first = await (await k.request('/')).text();
    assert.match(first, /Paging Three/);
    assert.match(first, /href="\/\?page=2"/);
    const second = await k.request('/?page=2');
    assert.equal(second.status, 200);
    assert.match(await second.text(), /Paging One/);
    assert.equal((await k.request('/?page=99')).status, 404);
  });

  it('renders GFM tables, footnotes and highlighted code, and strips script', async () => {
    const owner = await k.signIn('owner');
    const markdown = '| a | b |\n|---|--:|\n| 1 | 2 |\n\nSee note[^n].\n\n```js\nconst x = 1;\n```\n\n<script>alert(1)</script>\n\n[^n]: The note.';
    const post = await k.deps.posts.create(owner.user!, { title: 'Rich text', markdown });
    await k.deps.posts.publish(owner.user!, post.id);
    const page = await (await k.request('/rich-text')).text();
    assert.match(page, /<table tabindex="0">/, 'a wide table scrolls sideways: the keyboard can reach it');
    assert.match(page, /class="align-right"/);
    assert.match(page, /class="footnotes"/);
    assert.match(page, /<span class="hljs-keyword">const<\/span>/);
    assert.doesNotMatch(page, /alert\(1\)/);
  });
});
}
