import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { MemoryStore } from '../adapters/storage/memory-store.ts';
import { writeWxrExport, WXR_NAMESPACES } from './export-wxr.ts';
import { FIXTURE_TIME, seedSite } from './site-fixture.ts';

// The third-party corpora live in shared/ beside the checkout (or where KUMBAYA_SHARED_DIR says).
const sharedDir = process.env.KUMBAYA_SHARED_DIR || path.join(import.meta.dirname, '../../../shared');
const corpus = (name: string) => fs.readFileSync(path.join(sharedDir, 'corpora/wxr', name), 'utf8');

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => ['item', 'wp:comment', 'wp:author', 'wp:tag', 'wp:category', 'category', 'wp:postmeta'].includes(name),
});

type Node = Record<string, any>;
const text = (value: unknown) => (typeof value === 'object' && value !== null ? String((value as Node)['#text'] ?? '') : String(value ?? ''));
/** Child element names of a parsed element (attributes and text left out). */
const names = (node: Node) => Object.keys(node).filter((k) => !k.startsWith('@') && k !== '#text');

async function exportSite(): Promise<{ xml: string; ids: Awaited<ReturnType<typeof seedSite>> }> {
  const store = new MemoryStore();
  const ids = await seedSite(store);
  let xml = '';
  await writeWxrExport(store, async (chunk) => void (xml += chunk), { siteUrl: 'https://blog.example/', now: FIXTURE_TIME + 5_000, generator: 'kumbaya test' });
  return { xml, ids };
}

describe('WXR export', () => {
  it('is well-formed XML with the shape of a WordPress 1.2 export', async () => {
    const { xml } = await exportSite();
    assert.equal(XMLValidator.validate(xml), true);
    const ours = parser.parse(xml) as Node;
    assert.equal(ours.rss['@version'], '2.0');
    // The namespaces WordPress itself writes in a 1.2 export (the theme unit test file was edited to https).
    const written = parser.parse(corpus('wordpress-importer__wxr-utf-8-challenges.xml')) as Node;
    for (const [prefix, uri] of Object.entries(WXR_NAMESPACES)) assert.equal(ours.rss[`@xmlns:${prefix}`], written.rss[`@xmlns:${prefix}`] ?? uri, prefix);
    const channel = ours.rss.channel as Node;
    assert.equal(text(channel['wp:wxr_version']), '1.2');
    assert.equal(text(channel['wp:base_site_url']), 'https://blog.example');
    // Every element we write is one that WordPress writes in the same place (in one of the corpus files).
    const files = fs.readdirSync(path.join(sharedDir, 'corpora/wxr')).map((name) => (parser.parse(corpus(name)) as Node).rss.channel as Node);
    const known = (nodes: Node[]) => new Set(nodes.flatMap(names));
    const theirs = (pick: (channel: Node) => Node[]) => known(files.flatMap(pick));
    const theirItems = (channel: Node) => (channel.item ?? []) as Node[];
    const check = (what: string, ours: Node[], pick: (channel: Node) => Node[]) => {
      const allowed = theirs(pick);
      for (const name of known(ours)) assert.ok(allowed.has(name), `${what}/${name}`);
    };
    check('channel', [channel], (c) => [c]);
    check('wp:author', channel['wp:author'], (c) => c['wp:author'] ?? []);
    check('wp:tag', channel['wp:tag'], (c) => c['wp:tag'] ?? []);
    check('item', channel.item, theirItems);
    check('wp:comment', channel.item.flatMap((i: Node) => i['wp:comment'] ?? []), (c) => theirItems(c).flatMap((i) => i['wp:comment'] ?? []));
    check('wp:postmeta', channel.item.flatMap((i: Node) => i['wp:postmeta'] ?? []), (c) => theirItems(c).flatMap((i) => i['wp:postmeta'] ?? []));
    // And what WordPress's importer needs of every item is there.
    for (const item of channel.item as Node[]) {
      for (const name of ['title', 'link', 'guid', 'dc:creator', 'content:encoded', 'excerpt:encoded', 'wp:post_id', 'wp:post_date', 'wp:post_date_gmt', 'wp:post_name', 'wp:status', 'wp:post_type']) {
        assert.ok(name in item, `${text(item.title)} has ${name}`);
      }
    }
  });

  it('carries posts, pages, statuses, tags, old slugs and Markdown', async () => {
    const { xml, ids } = await exportSite();
    const channel = (parser.parse(xml) as Node).rss.channel as Node;
    assert.deepEqual(
      channel['wp:author'].map((a: Node) => [text(a['wp:author_login']), text(a['wp:author_email']), text(a['wp:author_display_name'])]),
      [['ada', 'ada@example.com', 'Ada'], ['bo', 'bo@example.com', 'Bo']],
    );
    assert.deepEqual(channel['wp:tag'].map((t: Node) => [text(t['wp:tag_slug']), text(t['wp:tag_name'])]), [['social-media', 'Social Media'], ['ecrire', 'Écrire']]);
    const items = channel.item as Node[];
    assert.deepEqual(
      items.map((i) => [Number(text(i['wp:post_id'])), text(i['wp:post_type']), text(i['wp:status']), text(i['wp:post_name'])]),
      [
        [ids.postIds[0], 'post', 'publish', 'hello-world'],
        [ids.postIds[1], 'page', 'publish', 'about'],
        [ids.postIds[2], 'post', 'draft', 'draft'],
        [ids.postIds[3], 'post', 'future', 'soon'],
        [ids.postIds[4], 'post', 'trash', 'gone'],
      ],
    );
    const hello = items[0];
    assert.equal(text(hello.title), 'Hello <world> & "friends"');
    // "]]>" in the body survives the CDATA split.
    assert.equal(text(hello['content:encoded']), '<p>Hi ]]&gt; there <em>you</em></p>');
    assert.equal(text(hello['wp:post_date_gmt']), '2024-03-10 09:30:00');
    assert.deepEqual(hello.category.map((c: Node) => [c['@domain'], c['@nicename'], text(c)]), [['post_tag', 'social-media', 'Social Media'], ['post_tag', 'ecrire', 'Écrire']]);
    const meta = Object.fromEntries(hello['wp:postmeta'].map((m: Node) => [text(m['wp:meta_key']), text(m['wp:meta_value'])]));
    assert.equal(meta._kumbaya_markdown, 'Hi ]]> there *you*');
    assert.equal(meta._wp_old_slug, 'hello');
    assert.equal(text(items[2]['wp:post_date_gmt']), '0000-00-00 00:00:00');
  });

  it('carries every comment with its thread, status, author, email, website and IP', async () => {
    const { xml, ids } = await exportSite();
    const items = ((parser.parse(xml) as Node).rss.channel as Node).item as Node[];
    const [top, reply, own, pending, spam, trash, onDraft, mentionReply] = ids.commentIds;
    const rows = (item: Node) =>
      (item['wp:comment'] ?? []).filter((c: Node) => text(c['wp:comment_type']) === 'comment').map((c: Node) => [Number(text(c['wp:comment_id'])), Number(text(c['wp:comment_parent'])), text(c['wp:comment_approved'])]);
    assert.deepEqual(rows(items[0]), [[top, 0, '1'], [reply, top, '1'], [own, reply, '1'], [pending, own, '0'], [spam, 0, 'spam']]);
    // The pingback still being verified is a pingback comment, not shown (WordPress's "0"), its linking page as the author's URL.
    const pings = (items[0]['wp:comment'] as Node[]).filter((c) => text(c['wp:comment_type']) === 'pingback');
    assert.deepEqual(pings.map((c) => [text(c['wp:comment_author_url']), text(c['wp:comment_approved']), Number(text(c['wp:comment_id'])) > 1_000_000_000]), [['https://later.example/like', '0', true]]);
    assert.deepEqual(rows(items[1]), [[trash, 0, 'trash'], [mentionReply, 0, '1']]);
    // A reply received by webmention is an ordinary comment to WordPress, where 'webmention' means a mention.
    assert.equal(text(items[1]['wp:comment'][1]['wp:comment_type']), 'comment');
    assert.deepEqual(rows(items[2]), [[onDraft, 0, '0']]);
    const first = items[0]['wp:comment'][0] as Node;
    assert.equal(text(first['wp:comment_author']), 'Reader');
    assert.equal(text(first['wp:comment_author_email']), 'reader@example.com');
    assert.equal(text(first['wp:comment_author_url']), 'https://reader.example');
    assert.equal(text(first['wp:comment_author_IP']), '203.0.113.7');
    assert.equal(text(first['wp:comment_content']), '<p>Edited <em>comment</em></p>');
    assert.equal(text(first['wp:comment_date_gmt']), new Date(FIXTURE_TIME + 200).toISOString().slice(0, 19).replace('T', ' '));
    assert.equal(Number(text(items[0]['wp:comment'][2]['wp:comment_user_id'])), 1);
  });
});
