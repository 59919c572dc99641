import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Comment, Store } from '../src/core/store.ts';
import { forEachEngine, type OpenStore } from '../src/adapters/storage/test-engines.ts';
import { importWordpress } from '../src/migration/wordpress-import.ts';
import { importDisqus } from '../src/migration/disqus-import.ts';
import { ImportFormatError, ImportParseError } from '../src/migration/import-xml.ts';
import { blog, wxr } from './helpers/wxr-builder.ts';

const NOW = Date.UTC(2026, 0, 1);

async function postAt(store: Store, path: string) {
  const id = await store.imports.findLegacyPath(path);
  return id === null ? null : store.posts.findById(id);
}

const byAuthor = (comments: Comment[], name: string) => comments.find((c) => c.authorName === name)!;

async function everything(store: Store) {
  const posts = (await store.posts.listAdmin({ limit: 1000, offset: 0 })).total;
  const comments = await store.comments.countByStatus();
  return { posts, comments, users: await store.users.count() };
}

function edgeCases(name: string, open: OpenStore): void {
  describe(name, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeEach(async () => ({ store, cleanup } = await open()));
    afterEach(() => cleanup());

    for (const version of ['1.0', '1.2']) {
      it(`maps a WXR ${version} blog: statuses, threads, spam and trash, pages, orphans, pingbacks, cover image`, async () => {
        const report = await importWordpress(store, [blog(version)], { now: NOW });
        assert.equal(report.format, version);
        const post = (await postAt(store, '?p=10'))!;
        assert.equal(post.title, 'Hello & welcome');
        assert.equal(post.slug, 'hello-world');
        assert.deepEqual(post.tags.map((t) => t.name), ['Travel', 'rain']);
        assert.equal(post.coverImage, 'https://cdn.example/cover.jpg', 'the featured image comes from an attachment later in the file');
        assert.match(post.html, /<p>First line<br \/>\nsecond line<\/p>/);
        assert.match(post.html, /<a href="https:\/\/example.org\/">link<\/a>/);
        assert.ok(!post.html.includes('<script') && !post.html.includes('onerror'), post.html);
        assert.equal(post.publishedAt, Date.UTC(2019, 2, 5, 10));
        assert.equal((await store.users.findById(post.authorId))?.email, 'ada@example.com');
        assert.equal((await store.users.findById(post.authorId))?.passwordHash, null);

        const comments = (await store.comments.listForModeration({ postId: post.id, limit: 100, offset: 0 })).items;
        assert.equal(comments.length, 7, 'every comment but the pingback');
        const first = byAuthor(comments, 'First');
        const replier = byAuthor(comments, 'Replier');
        const deep = byAuthor(comments, 'Deep');
        assert.equal(replier.parentId, first.id);
        assert.equal(deep.parentId, replier.id);
        assert.equal(deep.depth, 2);
        assert.equal(deep.rootId, first.id);
        assert.equal(deep.ip, '192.0.2.4');
        assert.equal(deep.authorUrl, 'https://reader4.example', 'the website as the commenter wrote it');
        assert.equal(deep.createdAt, Date.UTC(2019, 2, 5, 8, 4), 'the GMT date is used');
        const orphan = byAuthor(comments, 'Orphan');
        assert.equal(orphan.parentId, null, 'an orphaned reply is kept at the top level');
        assert.ok(report.warnings.some((w) => w.id === '5' && /answers comment 77/.test(w.reason)));
        assert.equal(byAuthor(comments, 'Spammer').status, 'spam');
        assert.equal(byAuthor(comments, 'Trashed').status, 'trash');
        assert.equal(byAuthor(comments, 'Trashed').statusChangedAt, NOW, 'trash is kept 30 days from the import');
        assert.equal(byAuthor(comments, 'Waiting').status, 'pending');
        // The pingback is a mention of the post's old address, shown under it; its author is no commenter.
        assert.equal(comments.find((c) => c.authorName === 'Other blog'), undefined);
        const [ping] = await store.webmentions.listVerified(post.id);
        assert.deepEqual(
          [ping?.source, ping?.target, ping?.via, ping?.type, ping?.authorName, ping?.content, ping?.publishedAt, ping?.personId],
          ['https://reader9.example', 'http://old.example/2019/03/05/hello-world/', 'pingback', 'mention', 'Other blog', '[…] a mention […]', Date.UTC(2019, 2, 5, 8, 9), null],
        );
        assert.equal(report.counts.mention?.created, 1);
        assert.equal(report.counts.comment?.created, 8, 'seven on the post, one on the page');
        assert.equal((await store.people.findById(first.personId!))?.email, 'reader1@example.com');

        const page = (await postAt(store, '?page_id=11'))!;
        assert.equal(page.type, 'page');
        const pageComments = (await store.comments.listForModeration({ postId: page.id, limit: 10, offset: 0 })).items;
        assert.deepEqual(pageComments.map((c) => c.authorName), ['On a page']);

        const draft = (await postAt(store, '?p=12'))!;
        assert.deepEqual([draft.status, draft.slug, draft.publishedAt], ['draft', 'unfinished', null]);
        assert.deepEqual([(await postAt(store, '?p=13'))!.status, (await postAt(store, '?p=13'))!.publishedAt], ['scheduled', Date.UTC(2030, 0, 1)]);
        const secret = (await postAt(store, '?p=14'))!;
        assert.deepEqual([secret.status, secret.visibility], ['draft', 'unlisted']);
        assert.equal((await postAt(store, '?p=15'))!.status, 'draft');
        assert.ok(report.skipped.some((s) => s.id === '16' && /nav_menu_item/.test(s.reason)));
        assert.deepEqual(report.attachments, [{ id: '99', title: 'Cover', url: 'https://cdn.example/cover.jpg' }]);

        // Years of imported conversations are not "waiting for you".
        assert.equal((await store.comments.waitingForReply(10)).total, 0);
        // Every old address of the post leads to it.
        for (const path of ['/2019/03/05/hello-world', '/2019/03/hello-world', '/hello-world', '?p=10']) assert.equal((await postAt(store, path))?.id, post.id, path);
      });
    }

    it('keeps pingbacks and trackbacks as mentions in every WordPress status, once each, and brings them up to date', async () => {
      const pings = (waiting: string) =>
        wxr('1.2', [
          {
            id: 10,
            name: 'hello-world',
            comments: [
              { id: 1, type: 'pingback', author: 'Ping 1 &laquo; B&#8217;s blog', url: 'https://b.example/ping-1/', content: '<p>[&#8230;] see <a href="x">this</a> [&#8230;]</p>' },
              { id: 2, type: 'trackback', author: 'C blog', url: ' https://c.example/tb ', content: 'Tracked' },
              { id: 3, type: 'pingback', approved: waiting, author: 'Waiting', url: 'https://d.example/p' },
              { id: 4, type: 'pingback', approved: 'spam', author: 'Spam', url: 'https://spam.example/p' },
              { id: 5, type: 'pingback', approved: 'trash', author: 'Binned', url: 'https://e.example/p' },
              { id: 6, type: 'pingback', author: 'No address', url: '' },
              { id: 7, type: 'pingback', author: 'Again', url: 'https://b.example/ping-1/' },
              { id: 8, parent: 1, author: 'Answers a ping' },
            ],
          },
        ]);
      const report = await importWordpress(store, [pings('0')], { now: NOW });
      const post = (await postAt(store, '?p=10'))!;
      const all = await store.webmentions.listReceived(post.id);
      const by = (source: string) => all.find((m) => m.source === source)!;
      assert.equal(all.length, 5);
      assert.deepEqual([by('https://b.example/ping-1/').authorName, by('https://b.example/ping-1/').content], ['Ping 1 « B’s blog', '[…] see this […]']);
      assert.deepEqual([by('https://c.example/tb').via, by('https://c.example/tb').status], ['trackback', 'verified']);
      assert.deepEqual([by('https://d.example/p').status, by('https://d.example/p').reason], ['rejected', 'awaiting moderation in WordPress when it was exported']);
      assert.deepEqual([by('https://spam.example/p').status, by('https://spam.example/p').reason], ['rejected', 'marked as spam in WordPress']);
      assert.deepEqual([by('https://e.example/p').status, by('https://e.example/p').verifiedAt], ['deleted', null]);
      assert.deepEqual((await store.webmentions.listVerified(post.id)).map((m) => m.authorName), ['Ping 1 « B’s blog', 'C blog']);
      assert.deepEqual(report.counts.mention, { created: 5, updated: 0, unchanged: 0, skipped: 2 });
      assert.ok(report.skipped.some((s) => s.id === '6' && /without the address/.test(s.reason)));
      assert.ok(report.skipped.some((s) => s.id === '7' && /already mentions this post: shown once/.test(s.reason)));
      const comments = (await store.comments.listForModeration({ postId: post.id, limit: 10, offset: 0 })).items;
      assert.deepEqual(comments.map((c) => [c.authorName, c.parentId]), [['Answers a ping', null]]);
      assert.ok(report.warnings.some((w) => w.id === '8' && /answers pingback 1, which is now a mention/.test(w.reason)));

      // Approved in WordPress since: the second run shows it, and creates nothing.
      const again = await importWordpress(store, [pings('1')], { now: NOW + 1 });
      assert.deepEqual(again.counts.mention, { created: 0, updated: 1, unchanged: 4, skipped: 2 });
      assert.equal((await store.webmentions.listReceived(post.id)).length, 5);
      const approved = (await store.webmentions.listReceived(post.id)).find((m) => m.source === 'https://d.example/p')!;
      assert.deepEqual([approved.status, approved.reason, approved.verifiedAt], ['verified', null, Date.UTC(2019, 2, 5, 8, 3)]);
    });

    it('imports twice without duplicates, and brings changed items up to date', async () => {
      await importWordpress(store, [blog('1.2')], { now: NOW });
      const before = await everything(store);
      const changed = blog('1.2').replace('<wp:comment_approved>0</wp:comment_approved>', '<wp:comment_approved>1</wp:comment_approved>').replace('Hello &amp; welcome', 'Hello again');
      const report = await importWordpress(store, [changed], { now: NOW });
      assert.deepEqual({ ...(await everything(store)), comments: null }, { ...before, comments: null });
      assert.equal(report.counts.post?.created, 0);
      assert.equal(report.counts.post?.updated, 1);
      assert.equal(report.counts.comment?.created, 0);
      assert.equal(report.counts.comment?.updated, 1);
      assert.equal((await postAt(store, '?p=10'))!.title, 'Hello again');
      assert.equal((await store.comments.countByStatus()).pending, before.comments.pending - 1);
    });

    it('leaves everything as it was when the file breaks halfway, and says where', async () => {
      const good = blog('1.2');
      const cut = good.indexOf('<item>', good.indexOf('<item>') + 1);
      // Streamed in two chunks: the first post is written before the broken part arrives.
      const broken = `${good.slice(cut)}`.replace('<wp:status>publish</wp:status>', '<wp:status>publish</wp:stat>');
      const before = await everything(store);
      await assert.rejects(importWordpress(store, [good.slice(0, cut), broken], { now: NOW }), (error: unknown) => {
        assert.ok(error instanceof ImportParseError);
        const line = good.slice(0, cut).split('\n').length - 1 + broken.slice(0, broken.indexOf('</wp:stat>')).split('\n').length;
        assert.equal(error.line, line);
        assert.match(error.message, new RegExp(`^line ${line}, column \\d+: unexpected close tag`));
        return true;
      });
      assert.deepEqual(await everything(store), before);
      assert.equal(await store.imports.findLegacyPath('?p=10'), null);
    });

    it('reads a file given as one large chunk in slices, reporting progress as it goes', async () => {
      const file = blog('1.2').replace('<wp:author>', `<!-- ${'x'.repeat(300_000)} --><wp:author>`);
      const seen: number[] = [];
      await importWordpress(store, [file], { now: NOW, onProgress: (bytes) => seen.push(bytes) });
      assert.ok(seen.length >= 5, `progress reported ${seen.length} times`);
      assert.deepEqual(seen, [...seen].sort((a, b) => a - b));
      assert.equal(seen.at(-1), Buffer.byteLength(file));
    });

    it('reports an unclosed tag at the end of the file', async () => {
      await assert.rejects(importWordpress(store, [blog('1.2').replace('</channel></rss>', '')]), /unclosed tag/);
      assert.equal((await everything(store)).posts, 0);
    });

    it('refuses a file that is not a WordPress export', async () => {
      await assert.rejects(importWordpress(store, ['<disqus><thread dsq:id="1" xmlns:dsq="http://disqus.com/disqus-internals"/></disqus>']), ImportFormatError);
      await assert.rejects(importWordpress(store, ['<rss><channel><title>A feed</title></channel></rss>']), /no <wp:wxr_version>/);
      await assert.rejects(importDisqus(store, [blog('1.2')]), ImportFormatError);
    });

    it('reports on a dry run exactly what the import then does, and changes nothing', async () => {
      const before = await everything(store);
      const dry = await importWordpress(store, [blog('1.2')], { now: NOW, dryRun: true });
      assert.equal(dry.dryRun, true);
      assert.deepEqual(await everything(store), before);
      const real = await importWordpress(store, [blog('1.2')], { now: NOW });
      assert.deepEqual(dry.counts, real.counts);
      assert.deepEqual(dry.skipped, real.skipped);
    });

    it('imports Disqus threads by link whatever the scheme, www or trailing slash; replies before parents; orphans; deleted and spam', async () => {
      await importWordpress(store, [blog('1.2')], { now: NOW });
      const thread = (id: string, link: string) => `<thread dsq:id="${id}"><link>${link}</link><title>T</title></thread>`;
      const post = (id: string, thread: string, extra = '', flags = '') =>
        `<post dsq:id="${id}"><message><![CDATA[<p>Message ${id}</p>]]></message><createdAt>2020-01-0${id.length}T10:00:00Z</createdAt>${flags || '<isDeleted>false</isDeleted><isSpam>false</isSpam>'}<author><email>p${id}@example.com</email><name>Person ${id}</name></author><ipAddress>198.51.100.1</ipAddress><thread dsq:id="${thread}"/>${extra}</post>`;
      const file = `<?xml version="1.0" encoding="utf-8"?><disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
${thread('t1', 'https://www.old.example/2019/03/05/hello-world')}${thread('t2', 'HTTP://old.example/about/')}${thread('t3', 'https://old.example/gone/')}
${post('c2', 't1', '<parent dsq:id="c1"/>')}${post('c1', 't1')}${post('c3', 't1', '<parent dsq:id="c0"/>')}
${post('c4', 't1', '', '<isDeleted>true</isDeleted><isSpam>false</isSpam>')}${post('c5', 't2', '', '<isDeleted>false</isDeleted><isSpam>true</isSpam>')}${post('c6', 't3')}
</disqus>`;
      const report = await importDisqus(store, [file], { now: NOW });
      const hello = (await postAt(store, '?p=10'))!;
      const about = (await postAt(store, '?page_id=11'))!;
      const find = async (id: string) => (await store.comments.findById((await store.imports.findKey('disqus', 'comment', id))!))!;
      const [c1, c2, c3, c4, c5] = await Promise.all(['c1', 'c2', 'c3', 'c4', 'c5'].map(find));
      assert.deepEqual([c1.postId, c2.postId, c3.postId, c4.postId, c5.postId], [hello.id, hello.id, hello.id, hello.id, about.id]);
      assert.equal(c2.parentId, c1.id, 'a reply before its parent in the file still hangs under it');
      assert.equal(c3.parentId, null);
      assert.ok(report.warnings.some((w) => w.id === 'c3'));
      assert.equal(c4.status, 'trash');
      assert.equal(c5.status, 'spam');
      assert.equal(c1.status, 'approved');
      assert.equal(c1.html, '<p>Message c1</p>');
      assert.equal((await store.people.findById(c1.personId!))?.name, 'Person c1');
      assert.ok(report.skipped.some((s) => s.kind === 'thread' && s.label === 'https://old.example/gone/'));
      assert.ok(report.skipped.some((s) => s.kind === 'comment' && s.id === 'c6'));
      assert.equal(await store.imports.findKey('disqus', 'comment', 'c6'), null);
      const again = await importDisqus(store, [file], { now: NOW });
      assert.equal(again.counts.comment?.created ?? 0, 0);
      assert.equal(again.counts.comment?.unchanged, 5);
    });
  });
}

forEachEngine('Import edge cases', edgeCases);
