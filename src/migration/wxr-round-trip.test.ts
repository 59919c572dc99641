import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { movePairs, needsEngines, storeOpener } from '../adapters/storage/test-engines.ts';
import { eachRecord, type ArchivedPost } from '../core/archive.ts';
import type { Store } from '../core/store.ts';
import { writeJsonExport } from './export-json.ts';
import { writeWxrExport } from './export-wxr.ts';
import { importJsonExport } from './json-import.ts';
import { FIXTURE_TIME, seedSite } from './site-fixture.ts';
import { importWordpress } from './wordpress-import.ts';

const open = storeOpener();

async function exportWxr(store: Store): Promise<string> {
  let xml = '';
  await writeWxrExport(store, async (chunk) => void (xml += chunk), { siteUrl: 'https://blog.example/', now: FIXTURE_TIME + 1_000_000, generator: 'kumbaya test' });
  return xml;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => ['item', 'wp:comment', 'wp:author', 'wp:tag', 'category', 'wp:postmeta'].includes(name),
});

type Node = Record<string, any>;
const text = (value: unknown) => (typeof value === 'object' && value !== null ? String((value as Node)['#text'] ?? '') : String(value ?? ''));

/**
 * The WXR document with what an import generates anew made comparable: post, comment,
 * author and tag ids renumbered by order of appearance (and every reference to them the
 * same way), and the documented differences (docs/export-format.md, "WXR round trip")
 * taken out: the modification time and trash time are the import's own.
 */
function normalise(xml: string): Node {
  const channel = (parser.parse(xml) as Node).rss.channel as Node;
  const maps: Record<string, Map<string, string>> = {};
  const ref = (kind: string, id: unknown) => {
    const key = text(id);
    if (key === '0' || key === '') return key;
    const map = (maps[kind] ??= new Map());
    if (!map.has(key)) map.set(key, String(map.size + 1));
    return map.get(key)!;
  };
  for (const author of channel['wp:author'] ?? []) author['wp:author_id'] = ref('user', author['wp:author_id']);
  for (const tag of channel['wp:tag'] ?? []) tag['wp:term_id'] = ref('tag', tag['wp:term_id']);
  for (const item of channel.item ?? []) {
    const id = text(item['wp:post_id']);
    item['wp:post_id'] = ref('post', id);
    item.guid['#text'] = text(item.guid).replace(`?p=${id}`, `?p=${item['wp:post_id']}`);
    delete item['wp:post_modified'];
    delete item['wp:post_modified_gmt'];
    item['wp:postmeta'] = (item['wp:postmeta'] ?? []).filter((m: Node) => text(m['wp:meta_key']) !== '_wp_trash_meta_time');
    for (const comment of item['wp:comment'] ?? []) {
      comment['wp:comment_id'] = ref('comment', comment['wp:comment_id']);
      comment['wp:comment_parent'] = ref('comment', comment['wp:comment_parent']);
      comment['wp:comment_user_id'] = ref('user', comment['wp:comment_user_id']);
    }
  }
  return channel;
}

for (const [from, to] of movePairs) {
  describe(`WXR export round trip: ${from} → ${to}`, needsEngines(from, to), () => {
    it('exports WXR, imports it into an empty site, and exports the same again', async () => {
      const source = await open(from);
      const { postIds } = await seedSite(source);
      const first = await exportWxr(source);
      const target = await open(to);
      const report = await importWordpress(target, [first], { now: FIXTURE_TIME + 2_000_000 });
      assert.deepEqual(report.skipped, []);
      // The one thing the report mentions: the protected page came in protected.
      assert.deepEqual(report.warnings.map((w) => [w.label, w.reason]), [['About', 'password protected in WordPress: imported as password protected, with the same password']]);
      const second = await exportWxr(target);

      const [a, b] = [normalise(first), normalise(second)];
      // Item by item, comment by comment, so a difference names its place.
      assert.equal(b.item.length, a.item.length);
      for (const [i, item] of (a.item as Node[]).entries()) {
        const { 'wp:comment': comments = [], ...post } = item;
        const { 'wp:comment': theirComments = [], ...theirPost } = b.item[i] as Node;
        assert.deepEqual(theirPost, post, `item ${i + 1} (${text(item.title)})`);
        assert.equal(theirComments.length, comments.length, `comments of ${text(item.title)}`);
        for (const [j, comment] of (comments as Node[]).entries()) assert.deepEqual(theirComments[j], comment, `comment ${j + 1} of ${text(item.title)}`);
      }
      assert.deepEqual(b, a);

      // What the WXR carries for Kumbaya comes back as it was, not just as text in the file.
      const hello = (await target.posts.findBySlug('hello-world'))!;
      assert.equal(hello.markdown, (await source.posts.findById(postIds[0]))!.markdown);
      assert.equal((await target.posts.findByOldSlug('hello'))?.id, hello.id);
      assert.match(first, /<wp:post_password><!\[CDATA\[open \]\]\]\]><!\[CDATA\[> sesame\]\]><\/wp:post_password>/);
      assert.equal((await target.posts.findBySlug('about'))?.password, 'open ]]> sesame', 'the protected page stays protected, with its password');
      assert.equal((await target.posts.findBySlug('hello-world'))?.password, null);
      const soon = (await target.posts.findBySlug('soon'))!;
      assert.deepEqual([soon.status, soon.visibility, soon.coverImage], ['scheduled', 'unlisted', '/uploads/abc.png']);
      const posts: ArchivedPost[] = [];
      for await (const post of eachRecord(target.archive, 'posts')) posts.push(post);
      const gone = posts.find((p) => p.slug === 'gone')!;
      assert.deepEqual([gone.status, gone.publishedAt, gone.deletedAt], ['published', FIXTURE_TIME, FIXTURE_TIME + 2_000_000]);
      const owner = await target.users.findBySlug('ada');
      const thread = await target.comments.threadPage(hello.id, null, 10);
      assert.equal(thread.comments.find((c) => c.authorName === 'Ada')?.userId, owner?.id);
    });
  });
}

// The third-party corpora live in shared/ beside the checkout (or where KUMBAYA_SHARED_DIR says).
const sharedDir = process.env.KUMBAYA_SHARED_DIR || path.join(import.meta.dirname, '../../../shared');

for (const [from, to] of movePairs.filter(([a, b]) => a !== b)) {
  describe(`A WordPress import moved with the JSON export: ${from} → ${to}`, needsEngines(from, to), () => {
    it('keeps the old addresses redirecting, and importing the file again finds every item', async () => {
      const wxr = fs.readFileSync(path.join(sharedDir, 'corpora/wxr/wordpress-importer__theme-unit-test-data.xml'));
      const source = await open(from);
      const first = await importWordpress(source, [wxr], { now: FIXTURE_TIME });
      let json = '';
      await source.archive.snapshot((archive) => writeJsonExport(archive, async (chunk) => void (json += chunk), { withSecrets: true, now: FIXTURE_TIME, generator: 'kumbaya test' }));
      const target = await open(to);
      await importJsonExport(target, Readable.from([json]), { replace: false });

      const paths = JSON.parse(json).legacy_paths as Array<{ path: string; post_id: number }>;
      assert.ok(paths.length > 100, 'the corpus leaves many old addresses');
      for (const { path: old, post_id } of paths) assert.equal(await target.imports.findLegacyPath(old), post_id, old);

      const again = await importWordpress(target, [wxr], { now: FIXTURE_TIME + 1000 });
      for (const [kind, counts] of Object.entries(again.counts)) {
        assert.deepEqual([counts.created, counts.updated], [0, 0], `${kind}: nothing new on the moved site`);
        const before = first.counts[kind as keyof typeof first.counts]!;
        assert.equal(counts.unchanged, before.created + before.unchanged, `${kind}: every one found again`);
      }
      assert.equal(await target.archive.count('posts'), await source.archive.count('posts'));
      assert.equal(await target.archive.count('comments'), await source.archive.count('comments'));
    });
  });
}

describe('WXR round trip of what WordPress has no word for', () => {
  it('brings a published unlisted post back published and unlisted, while a WordPress private post stays an unlisted draft', async () => {
    const source = await open('memory');
    const { postIds } = await seedSite(source);
    const hello = (await source.posts.findById(postIds[0]))!;
    await source.posts.update(hello.id, { ...hello, tags: hello.tags.map((t) => t.name), visibility: 'unlisted' }, FIXTURE_TIME + 70);
    const xml = await exportWxr(source);
    assert.match(xml, /<wp:post_name><!\[CDATA\[hello-world\]\]><\/wp:post_name>\s*<wp:status><!\[CDATA\[private\]\]>/);
    const target = await open('memory');
    await importWordpress(target, [xml], { now: FIXTURE_TIME + 2_000_000 });
    const back = (await target.posts.findBySlug('hello-world'))!;
    assert.deepEqual([back.status, back.visibility, back.publishedAt], ['published', 'unlisted', FIXTURE_TIME]);

    const wordpress = await open('memory');
    await importWordpress(wordpress, [xml.replace(/<wp:meta_key><!\[CDATA\[_kumbaya_visibility\]\]>/g, '<wp:meta_key><![CDATA[other]]>')], { now: FIXTURE_TIME });
    const privatePost = (await wordpress.posts.findBySlug('hello-world'))!;
    assert.deepEqual([privatePost.status, privatePost.visibility], ['draft', 'unlisted']);
  });
});
