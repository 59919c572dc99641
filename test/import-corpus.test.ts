import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { parseDocument } from 'htmlparser2';
import { getElementsByTagName, textContent } from 'domutils';
import type { Comment, CommentStatus, Store } from '../src/core/store.ts';
import { forEachEngine, type OpenStore } from '../src/adapters/storage/test-engines.ts';
import { importWordpress } from '../src/migration/wordpress-import.ts';
import { importDisqus } from '../src/migration/disqus-import.ts';
import { ImportParseError } from '../src/migration/import-xml.ts';
import { writeWxrExport } from '../src/migration/export-wxr.ts';
import { depths, disqusFile, readDisqus, readWxr, wxrDir, type ExpectedComment, type ExpectedItem } from './helpers/import-corpus.ts';

const NOW = Date.UTC(2026, 0, 1);
const corpusFiles = fs.readdirSync(wxrDir).filter((f) => f.endsWith('.xml')).sort();

const postStatus: Record<string, string> = { publish: 'published', future: 'scheduled', draft: 'draft', pending: 'draft', private: 'draft', trash: 'draft' };
const commentStatus: Record<string, CommentStatus> = { '1': 'approved', '0': 'pending', spam: 'spam', trash: 'trash' };
/** Pingbacks and trackbacks are mentions: shown when approved in WordPress, kept unshown otherwise. */
const mentionStatus: Record<string, string> = { '1': 'verified', '0': 'rejected', spam: 'rejected', trash: 'deleted' };
const isMention = (c: ExpectedComment) => c.type === 'pingback' || c.type === 'trackback';
/** Text of HTML as a browser reads it (entities decoded), on one line. */
const htmlText = (fragment: string) => textContent(parseDocument(fragment)).replace(/\s+/g, ' ').trim();

/**
 * Visible text of some HTML without what no sanitiser keeps (scripts, styles, embeds,
 * forms) and without whitespace, which paragraph breaks legitimately add between blocks.
 */
function words(html: string): string {
  const doc = parseDocument(html.replace(/<br\s*\/?>/gi, ' '));
  for (const tag of ['script', 'style', 'iframe', 'object', 'embed', 'select', 'textarea', 'button', 'form', 'video', 'audio', 'noscript']) {
    for (const el of getElementsByTagName(tag, doc)) el.children = [];
  }
  return textContent(doc).replace(/\s+/g, '');
}

/** Every comment of a post, whatever its status. */
async function commentsOf(store: Store, postId: number): Promise<Comment[]> {
  return (await store.comments.listForModeration({ postId, limit: 10_000, offset: 0 })).items;
}

async function postFor(store: Store, item: ExpectedItem) {
  const id = await store.imports.findLegacyPath(`?p=${item.id}`);
  assert.notEqual(id, null, `item ${item.id} (${item.title}) has no post`);
  return (await store.posts.findById(id!))!;
}

function importCorpus(name: string, open: OpenStore): void {
  describe(name, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeEach(async () => ({ store, cleanup } = await open()));
    afterEach(() => cleanup());

    for (const file of corpusFiles) {
      it(`imports ${file} item by item, and a second time changes nothing`, async () => {
        const expected = readWxr(path.join(wxrDir, file));
        const report = await importWordpress(store, fs.createReadStream(path.join(wxrDir, file)), { now: NOW });
        assert.equal(report.format, expected.version);
        const wanted = expected.items.filter((i) => (i.type === 'post' || i.type === 'page') && i.status !== 'auto-draft');
        for (const kind of ['post', 'page'] as const) {
          assert.equal(report.counts[kind]?.created ?? 0, wanted.filter((i) => i.type === kind).length, `${kind}s created`);
        }
        assert.equal(report.attachments.length, expected.items.filter((i) => i.type === 'attachment').length);
        const others = expected.items.filter((i) => i.type !== 'post' && i.type !== 'page' && i.type !== 'attachment');
        assert.equal(report.skipped.filter((s) => s.kind === 'other').length, others.length, 'menus and other types are reported as skipped');

        for (const item of wanted) {
          const post = await postFor(store, item);
          assert.equal(post.type, item.type);
          assert.equal(post.title, item.title || '(no title)');
          assert.equal(post.status, postStatus[item.status], `status of ${item.title}`);
          assert.equal(post.deletedAt !== null, item.status === 'trash');
          if (item.status === 'private') assert.equal(post.visibility, 'unlisted');
          // HTML preserved: the same visible words, and every link and image address kept.
          assert.equal(words(post.html), words(item.content), `text of ${item.title}`);
          for (const [, url] of item.content.matchAll(/<(?:a\s[^>]*href|img\s[^>]*src)="(https?:\/\/[^"]+)"/g)) {
            assert.ok(post.html.includes(url.replaceAll('&', '&amp;')) || post.html.includes(url), `${url} kept in ${item.title}`);
          }
          assert.ok(!/<script|onerror=|javascript:/i.test(post.html), `${item.title} is sanitised`);
          const tagSlugs = post.tags.map((t) => t.name.toLowerCase());
          for (const category of item.categories) {
            if (category === 'Uncategorized') continue;
            if (/[a-z0-9]/i.test(category.normalize('NFKD'))) assert.ok(tagSlugs.includes(category.toLowerCase()), `tag ${category} on ${item.title}`);
            else assert.ok(report.warnings.some((w) => w.label === category), `tag ${category} reported as left out`);
          }

          const comments = await commentsOf(store, post.id);
          const imported = item.comments.filter((c) => commentStatus[c.approved] && !isMention(c));
          assert.equal(comments.length, imported.length, `comments on ${item.title}`);
          const depth = depths(item.comments);
          for (const c of imported) {
            const key = `${item.guid}#${item.id}#comment-${c.id}`;
            const localId = await store.imports.findKey('wordpress', 'comment', key);
            const comment = comments.find((x) => x.id === localId);
            assert.ok(comment, `comment ${c.id} on ${item.title}`);
            assert.equal(comment.status, commentStatus[c.approved]);
            assert.equal(comment.authorName, c.author || 'Anonymous');
            assert.equal(comment.authorEmail, c.email.toLowerCase());
            assert.equal(comment.depth, depth.get(c.id), `depth of comment ${c.id}`);
            const parentId = c.parent === '0' ? null : await store.imports.findKey('wordpress', 'comment', `${item.guid}#${item.id}#comment-${c.parent}`);
            assert.equal(comment.parentId, parentId);
            assert.equal(comment.source, 'import');
            if (c.dateGmt && !c.dateGmt.startsWith('0000')) assert.equal(comment.createdAt, Date.parse(`${c.dateGmt.replace(' ', 'T')}Z`));
            assert.equal(words(comment.html), words(c.content), `text of comment ${c.id}`);
            if (c.email.includes('@')) assert.equal((await store.people.findById(comment.personId!))?.email, c.email.toLowerCase());
          }

          // Pingbacks and trackbacks: received mentions of the post's old address, not comments.
          const pings = item.comments.filter(isMention);
          for (const c of pings) {
            const key = `${item.guid}#${item.id}#comment-${c.id}`;
            assert.equal(await store.imports.findKey('wordpress', 'comment', key), null, `${c.type} ${c.id} is no comment`);
            const mention = await store.webmentions.findReceived((await store.imports.findKey('wordpress', 'mention', key)) ?? 0);
            assert.ok(mention, `${c.type} ${c.id} on ${item.title} is a mention`);
            assert.deepEqual(
              [mention.postId, mention.source, mention.target, mention.via, mention.type, mention.status, mention.authorName],
              [post.id, c.url, item.link, c.type, 'mention', mentionStatus[c.approved], htmlText(c.author)],
            );
            const date = Date.parse(`${c.dateGmt.replace(' ', 'T')}Z`);
            assert.deepEqual([mention.publishedAt, mention.verifiedAt], [date, c.approved === '1' ? date : null]);
            assert.equal(mention.content?.replace(/\s+/g, ''), words(c.content), `excerpt of ${c.type} ${c.id}`);
          }
          const shown = await store.webmentions.listVerified(post.id);
          assert.deepEqual(shown.map((m) => m.source).sort(), pings.filter((c) => c.approved === '1').map((c) => c.url).sort(), `mentions shown on ${item.title}`);
        }
        const allPings = wanted.flatMap((i) => i.comments.filter(isMention));
        assert.equal(report.counts.mention?.created ?? 0, allPings.length, 'mentions counted');
        assert.equal(report.counts.comment?.created ?? 0, wanted.flatMap((i) => i.comments.filter((c) => commentStatus[c.approved] && !isMention(c))).length, 'comments counted');

        const again = await importWordpress(store, fs.createReadStream(path.join(wxrDir, file)), { now: NOW });
        for (const [kind, counts] of Object.entries(again.counts)) {
          assert.equal(counts.created, 0, `nothing new on the second run (${kind})`);
          assert.equal(counts.updated, 0, `nothing changed on the second run (${kind})`);
        }
        const total = (await store.posts.listAdmin({ limit: 1, offset: 0 })).total + (await store.posts.listAdmin({ trashed: true, limit: 1, offset: 0 })).total;
        assert.equal(total, wanted.length);
      });
    }

    it('imports the theme test data’s password-protected post 1168 protected, says so, and writes its password back in WXR', async () => {
      const file = path.join(wxrDir, 'wordpress-importer__theme-unit-test-data.xml');
      const report = await importWordpress(store, fs.createReadStream(file), { now: NOW });
      const post = (await store.posts.findById((await store.imports.findLegacyPath('?p=1168'))!))!;
      assert.equal(post.title, 'Template: Password Protected (the password is "enter")');
      assert.equal(post.password, 'enter');
      assert.ok(report.warnings.some((w) => w.id === '1168' && /password protected/.test(w.reason)), 'the report says so');
      // Its comment is imported (readers see it only with the password), and no other post of the file is protected.
      assert.deepEqual((await commentsOf(store, post.id)).map((c) => c.authorName), ['Jane Doe']);
      const protectedPosts = (await store.posts.listAdmin({ limit: 1000, offset: 0 })).items.filter((p) => p.password !== null);
      assert.deepEqual(protectedPosts.map((p) => p.id), [post.id]);
      // Its body is not searchable; its title is.
      assert.deepEqual((await store.posts.search('visible until the password', 10, NOW)).map((h) => h.post.id), []);
      assert.ok((await store.posts.search('Password Protected', 10, NOW)).some((h) => h.post.id === post.id));

      let xml = '';
      await writeWxrExport(store, async (chunk) => void (xml += chunk), { siteUrl: 'https://blog.example', now: NOW, generator: 'test' });
      const item = xml.split('<item>').find((i) => i.includes('<wp:post_name><![CDATA[template-password-protected]]>'))!;
      assert.match(item, /<wp:post_password><!\[CDATA\[enter\]\]><\/wp:post_password>/);
      assert.equal((xml.match(/<wp:post_password><!\[CDATA\[[^\]]/g) ?? []).length, 1, 'only that post has a password in the export');
    });

    it('refuses the Disqus corpus as it is (a stray character, an unquoted attribute) with lines and columns, changing nothing', async () => {
      await assert.rejects(importDisqus(store, fs.createReadStream(disqusFile), { now: NOW }), (error: unknown) => {
        assert.ok(error instanceof ImportParseError);
        assert.equal(error.line, 1);
        assert.equal(error.column, 2);
        assert.ok(error.problems.some((p) => /^line \d+, column \d+: unquoted attribute value/.test(p)), error.message);
        return true;
      });
      assert.equal((await store.comments.countByStatus()).approved, 0);
      assert.equal(await store.people.findByEmail('umputun@gmail.com'), null);
    });

    it('imports the repaired Disqus corpus onto the posts its threads link to, comment by comment', async () => {
      const repaired = fs.readFileSync(disqusFile, 'utf8').replace(/^`/, '').replace(/dsq:id=(\d+)\/>/, 'dsq:id="$1"/>');
      const expected = readDisqus(repaired);
      // The blog the comments belong to: one WordPress post per thread link but the last, which stays unmatched.
      const links = [...new Set(expected.threads.values())];
      const unmatched = links.at(-1)!;
      const items = links.slice(0, -1).map((link, i) =>
        `<item><title>Episode ${i}</title><link>${link}</link><guid>${link}</guid><wp:post_id>${i + 1}</wp:post_id><wp:post_name>episode-${i}</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type><wp:post_date_gmt>2011-03-05 10:00:00</wp:post_date_gmt><content:encoded>Show notes</content:encoded></item>`);
      await importWordpress(store, [`<rss xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><wp:wxr_version>1.2</wp:wxr_version>${items.join('')}</channel></rss>`], { now: NOW });

      const report = await importDisqus(store, [repaired], { now: NOW });
      const unmatchedThreads = [...expected.threads].filter(([, link]) => link === unmatched).map(([id]) => id);
      for (const id of unmatchedThreads) assert.ok(report.skipped.some((s) => s.kind === 'thread' && s.id === id && s.label === unmatched), `thread ${id} reported unmatched`);
      let created = 0;
      for (const post of expected.posts) {
        // A post without a dsq:id is imported too (known again by its content).
        const valid = Number.isFinite(Date.parse(post.createdAt)) && expected.threads.get(post.thread) !== unmatched;
        const localId = post.dsqId ? await store.imports.findKey('disqus', 'comment', post.dsqId) : null;
        if (!valid) {
          assert.equal(localId, null, `${post.dsqId ?? post.name} is not imported`);
          assert.ok(report.skipped.some((s) => s.id === (post.dsqId ?? s.id) && s.kind === 'comment' && (post.dsqId || s.label === post.name)), `${post.dsqId ?? post.name} reported`);
          continue;
        }
        created++;
        const postId = await store.imports.findLegacyPath(new URL(expected.threads.get(post.thread)!).pathname.replace(/\/$/, ''));
        const onPost = postId === null ? [] : await commentsOf(store, postId);
        const comment = post.dsqId ? (await store.comments.findById(localId!))! : onPost.find((c) => c.authorName === post.name && words(c.html) === words(post.message))!;
        assert.ok(comment, `${post.dsqId ?? post.name} is imported`);
        assert.equal(comment.status, post.isDeleted ? 'trash' : post.isSpam ? 'spam' : 'approved');
        assert.equal(comment.createdAt, Date.parse(post.createdAt));
        assert.equal(comment.authorName, post.name);
        assert.equal(words(comment.html), words(post.message));
        assert.equal(comment.postId, postId);
        if (post.email) assert.equal((await store.people.findById(comment.personId!))?.email, post.email.toLowerCase());
      }
      assert.ok(expected.posts.some((p) => !p.dsqId), 'the corpus has a post without a dsq:id');
      assert.equal(report.counts.comment?.created, created);
      const again = await importDisqus(store, [repaired], { now: NOW });
      assert.equal(again.counts.comment?.created ?? 0, 0);
      assert.equal(again.counts.comment?.unchanged, created);
    });
  });
}

forEachEngine('Import from the corpora', importCorpus);
