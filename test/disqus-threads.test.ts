import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { forEachEngine, type OpenStore } from '../src/adapters/storage/test-engines.ts';
import type { PostWrite, Store } from '../src/core/store.ts';
import { importDisqus } from '../src/migration/disqus-import.ts';
import { parseThreadMap } from '../src/cli/import.ts';
import { startTestKumbaya, testEngines, type Agent, type TestKumbaya } from './helpers/test-kumbaya.ts';

const NOW = Date.UTC(2026, 0, 1);

function write(authorId: number, slug: string, title: string): PostWrite {
  return {
    type: 'post', slug, title, markdown: 'Body', html: '<p>Body</p>', excerpt: 'Body', status: 'published', visibility: 'public',
    publishedAt: NOW - 86_400_000, authorId, coverImage: null, tags: [], commentsMode: 'inherit', commentsCloseDays: null,
  };
}

async function seedPosts(store: Store): Promise<void> {
  const owner = await store.users.create({ email: 'o@example.com', name: 'Owner', slug: 'owner', bio: '', role: 'owner', passwordHash: null, createdAt: NOW });
  await store.posts.create(write(owner.id, 'episode-229', 'Radio-T 229'), NOW);
  await store.posts.create(write(owner.id, 'summer-notes', 'Summer notes'), NOW);
  await store.posts.create(write(owner.id, 'twin-a', 'Twins'), NOW);
  await store.posts.create(write(owner.id, 'twin-b', 'Twins'), NOW);
}

const thread = (id: string, link: string, title: string, extra = '') => `<thread dsq:id="${id}"><link>${link}</link><title>${title}</title>${extra}</thread>`;
const post = (id: string | null, threadId: string, message: string, extra = '') =>
  `<post${id ? ` dsq:id="${id}"` : ''}><message><![CDATA[<p>${message}</p>]]></message><createdAt>2020-01-02T10:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam><author><email>reader@example.com</email><name>Reader</name></author><thread dsq:id="${threadId}"/>${extra}</post>`;
const disqus = (body: string) => `<?xml version="1.0" encoding="utf-8"?><disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">${body}</disqus>`;

/** Threads: one deleted in Disqus, one at the site's root whose title is a post's, one at the root with no such post, one at the root whose title two posts share. */
const FILE = disqus(`
${thread('t-deleted', 'https://blog.example/episode-229/', 'Radio-T 229', '<isDeleted>true</isDeleted>')}
${thread('t-root', 'https://blog.example/', 'Summer notes')}
${thread('t-lost', 'https://blog.example', 'A page that was never imported')}
${thread('t-twins', 'http://www.blog.example/', 'Twins')}
${post('d1', 't-deleted', 'On a deleted thread')}${post('d2', 't-deleted', 'A reply on a deleted thread', '<parent dsq:id="d1"/>')}
${post('r1', 't-root', 'Matched by title')}
${post(null, 't-root', 'No dsq:id at all')}
${post('l1', 't-lost', 'Waiting for its post')}${post('l2', 't-lost', 'Also waiting')}
${post('w1', 't-twins', 'Which twin?')}
`);

function threads(name: string, open: OpenStore): void {
  describe(name, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, cleanup } = await open());
      await seedPosts(store);
    });
    afterEach(() => cleanup());

    const commentsOn = async (slug: string) => {
      const p = (await store.posts.findBySlug(slug))!;
      return (await store.comments.listForModeration({ postId: p.id, limit: 100, offset: 0 })).items.map((c) => `${c.status}: ${c.markdown.replace(/<\/?p>/g, '')}`).sort();
    };

    it('imports the comments of a thread deleted in Disqus into the trash, never published, and says so', async () => {
      const report = await importDisqus(store, [FILE], { now: NOW });
      assert.deepEqual(await commentsOn('episode-229'), ['trash: A reply on a deleted thread', 'trash: On a deleted thread']);
      assert.ok(report.warnings.some((w) => w.kind === 'thread' && w.id === 't-deleted' && /deleted in Disqus: its comments are imported in the trash/.test(w.reason)));
      assert.equal((await store.comments.listApproved((await store.posts.findBySlug('episode-229'))!.id)).length, 0);
    });

    it('matches a thread at the site’s root by its title, and imports a post without a dsq:id, once', async () => {
      const report = await importDisqus(store, [FILE], { now: NOW });
      assert.deepEqual(await commentsOn('summer-notes'), ['approved: Matched by title', 'approved: No dsq:id at all']);
      assert.ok(report.warnings.some((w) => w.id === 't-root' && /matched to the post with the same title/.test(w.reason)));
      assert.ok(!report.skipped.some((s) => s.kind === 'comment' && /dsq:id/.test(s.reason)), 'no comment skipped for lacking a dsq:id');
      const again = await importDisqus(store, [FILE], { now: NOW });
      assert.equal(again.counts.comment?.created ?? 0, 0, 'a second run creates nothing, the comment without dsq:id included');
      assert.equal(again.counts.comment?.unchanged, 4, 'the two on the deleted thread and the two on the root thread');
      assert.deepEqual(await commentsOn('summer-notes'), ['approved: Matched by title', 'approved: No dsq:id at all']);
    });

    it('lists threads matched to no post (none by that title, or two) with their comment counts, and --map puts them on a post', async () => {
      const report = await importDisqus(store, [FILE], { now: NOW });
      assert.deepEqual(report.unmatchedThreads, [
        { id: 't-lost', link: 'https://blog.example', title: 'A page that was never imported', comments: 2 },
        { id: 't-twins', link: 'http://www.blog.example/', title: 'Twins', comments: 1 },
      ]);
      assert.deepEqual([await commentsOn('twin-a'), await commentsOn('twin-b')], [[], []]);

      const mapped = await importDisqus(store, [FILE], { now: NOW, threadMap: { 't-lost': 'summer-notes', 't-twins': 'twin-b' } });
      assert.equal(mapped.counts.comment?.created, 3);
      assert.equal(mapped.unmatchedThreads, undefined);
      assert.deepEqual(await commentsOn('twin-b'), ['approved: Which twin?']);
      assert.deepEqual(await commentsOn('summer-notes'), ['approved: Also waiting', 'approved: Matched by title', 'approved: No dsq:id at all', 'approved: Waiting for its post']);
      const unknown = await importDisqus(store, [FILE], { now: NOW, threadMap: { 't-twins': 'no-such-post' } });
      assert.ok(unknown.warnings.some((w) => w.id === 't-twins' && /no post has the address "no-such-post"/.test(w.reason)));
    });
  });
}

forEachEngine('Disqus threads: deleted, at the root, without ids, chosen by hand', threads);

describe('--map THREAD_ID=SLUG', () => {
  it('reads comma-separated pairs and refuses anything else with the form it wants', () => {
    assert.deepEqual(parseThreadMap('247918464=episode-229, t-2=about'), { '247918464': 'episode-229', 't-2': 'about' });
    assert.throws(() => parseThreadMap('247918464:episode'), /--map wants THREAD_ID=SLUG pairs/);
  });

  it('imports the comments of an unmatched thread from the command line', async () => {
    const root = path.join(import.meta.dirname, '..');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kumbaya-disqus-map-'));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'silent', DATABASE_URL: '', SITE_URL: 'http://blog.test' };
    delete env.NODE_TEST_CONTEXT;
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(path.join(root, 'node_modules/.bin/node'), [path.join(root, 'bin/kumbaya.js'), ...args], { cwd: root, env, stdio: 'pipe' });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
        child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
        child.stdin.end();
      });
    const wxr = path.join(dir, 'blog.xml');
    fs.writeFileSync(wxr, `<rss xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><wp:wxr_version>1.2</wp:wxr_version><item><title>Summer notes</title><wp:post_id>5</wp:post_id><wp:post_name>summer-notes</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type><wp:post_date_gmt>2019-06-01 10:00:00</wp:post_date_gmt><content:encoded>Hi</content:encoded></item></channel></rss>`);
    assert.equal((await run(['import', 'wordpress', wxr])).code, 0);
    const file = path.join(dir, 'disqus.xml');
    fs.writeFileSync(file, disqus(`${thread('t-lost', 'https://blog.example/', 'Gone')}${post('l1', 't-lost', 'Hello')}`));
    const first = await run(['import', 'disqus', file]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Threads matched to no post \(1\); import their comments with --map THREAD_ID=SLUG,…:\n  t-lost “Gone” https:\/\/blog.example\/: 1 comment/);
    const mapped = await run(['import', 'disqus', file, '--map', 't-lost=summer-notes']);
    assert.equal(mapped.code, 0, mapped.stderr);
    assert.match(mapped.stdout, /comments +1 created/);
    const wrong = await run(['import', 'disqus', file, '--map', 'nonsense']);
    assert.equal(wrong.code, 2);
  });
});

for (const { engine, skip } of testEngines()) {
  describe(`the admin import report: choose a post for an unmatched Disqus thread (${engine})`, { skip }, () => {
    let kb: TestKumbaya;
    let owner: Agent;
    before(async () => {
      kb = await startTestKumbaya({ engine });
      owner = await kb.signIn('owner');
      await seedPosts(kb.deps.store);
    });
    after(() => kb?.cleanup());

    it('shows a select of posts per unmatched thread, and the button imports its comments onto the chosen post', async () => {
      const form = new FormData();
      form.set('_csrf', owner.csrf);
      form.set('source', 'disqus');
      form.set('file', new File([FILE], 'disqus.xml', { type: 'text/xml' }));
      const res = await owner.request('/admin/import', { method: 'POST', body: form });
      assert.equal(res.status, 303);
      const reportUrl = res.headers.get('location')!;
      const page = await (await owner.request(reportUrl)).text();
      assert.match(page, /Threads matched to no post \(2\)/);
      assert.match(page, /<select id="thread-t-lost" name="thread:t-lost">/);
      assert.match(page, /<option value="summer-notes">Summer notes \(\/summer-notes\)<\/option>/);
      const action = /<form class="card import-assign" method="post" action="([^"]+)"/.exec(page)?.[1];
      assert.equal(action, `${reportUrl}/assign`);

      const assigned = await owner.form(action!, { 'thread:t-lost': 'twin-a', 'thread:t-twins': '' });
      assert.equal(assigned.status, 303);
      const second = await (await owner.request(assigned.headers.get('location')!)).text();
      assert.match(second, /Import finished/);
      assert.match(second, /Threads matched to no post \(1\)/, 'the thread left out is still offered');
      const twinA = (await kb.deps.store.posts.findBySlug('twin-a'))!;
      assert.deepEqual((await kb.deps.store.comments.listApproved(twinA.id)).map((c) => c.authorName), ['Reader', 'Reader']);
      // The first report's file moved to the second job: assigning from it again is refused, not done twice.
      assert.equal((await owner.form(action!, { 'thread:t-lost': 'twin-a' })).status, 404);
    });
  });
}
