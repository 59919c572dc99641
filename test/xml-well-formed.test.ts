import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SaxesParser } from 'saxes';
import { renderCommentMarkdown } from '../src/core/render-markdown.ts';
import type { Post } from '../src/core/store.ts';
import { faultResponse, stringResponse } from '../src/adapters/webmention/xmlrpc.ts';
import { renderFeed, type FeedSpec } from '../src/web/views/feed-views.ts';
import { writeWxrExport } from '../src/migration/export-wxr.ts';
import { startTestKumbaya, type TestKumbaya } from './helpers/test-kumbaya.ts';

/** Every character XML 1.0 forbids: C0 controls but tab, LF and CR; U+FFFE, U+FFFF; lone surrogates. */
const forbidden = [
  ...Array.from({ length: 0x20 }, (_, code) => code).filter((code) => code !== 0x09 && code !== 0x0a && code !== 0x0d),
  0xfffe,
  0xffff,
  0xd800,
  0xdbff,
  0xdc00,
  0xdfff,
].map((code) => String.fromCharCode(code));
/** Text with each forbidden character between letters (a lone surrogate stays lone: a letter follows it). */
const hostile = (label: string) => `${label}:${forbidden.map((ch, i) => `${ch}${String.fromCharCode(0x61 + (i % 26))}`).join('')}`;
/** What a reader should see of `hostile(label)`: its letters. */
const letters = (label: string) => `${label}:abcdefghijklmnopqrstuvwxyzabcdefghi`;
/**
 * Whether `text` shows `hostile(label)`'s letters. U+FFFD may stand where a character was:
 * Markdown replaces U+0000 with it, and SQLite (UTF-8) a lone surrogate.
 */
const shows = (text: string, label: string) => text.replace(/\uFFFD/g, '').includes(letters(label));

/** Parses `xml` with a strict, conforming XML 1.0 parser and returns its text content; throws on any error. */
function strictParse(xml: string): string {
  const parser = new SaxesParser({ xmlns: true });
  let text = '';
  let failure: Error | null = null;
  parser.on('error', (error) => (failure ??= error));
  parser.on('text', (t) => (text += t));
  parser.on('cdata', (t) => (text += t));
  parser.write(xml).close();
  if (failure) throw failure;
  return text;
}

const assertWellFormed = (xml: string, what: string) => assert.doesNotThrow(() => strictParse(xml), `${what} must be well-formed XML`);

describe('every XML output stays well-formed whatever people type', () => {
  let k: TestKumbaya;
  let post: Post;

  before(async () => {
    // The storage is not under test here (and PostgreSQL's text cannot hold U+0000 at all): SQLite.
    k = await startTestKumbaya({ engine: 'sqlite' });
    const { posts, store, clock } = k.deps;
    const agent = await k.signIn('owner', 'ada@example.com');
    const owner = await store.users.update(agent.user!.id, { name: hostile('Ada') });
    const created = await posts.create(owner, { title: hostile('Title'), slug: 'hostile', markdown: hostile('Body'), tags: ['Plain'] });
    await posts.publish(owner, created.id, clock.now() - 60_000);
    post = (await store.posts.findById(created.id))!;
    // SQLite keeps text as UTF-8, where a lone surrogate cannot exist (it comes back as U+FFFD);
    // the surrogates are checked on the writers directly below.
    assert.ok(forbidden.filter((ch) => !/[\uD800-\uDFFF]/.test(ch)).every((ch) => post.title.includes(ch)), 'the title is stored with every other forbidden character');
    await store.comments.create({
      postId: post.id,
      parentId: null,
      personId: null,
      userId: null,
      authorName: hostile('Name'),
      authorEmail: 'grace@example.com',
      authorUrl: null,
      markdown: hostile('Comment'),
      html: await renderCommentMarkdown(hostile('Comment')),
      status: 'approved',
      createdAt: clock.now() - 30_000,
    });
    k.deps.pageCache.clear();
    k.deps.conversationCache.clear();
  });
  after(() => k?.cleanup());

  const get = async (path: string) => {
    const res = await k.request(path);
    assert.equal(res.status, 200, path);
    return res.text();
  };

  for (const path of ['/feed.xml', '/atom.xml', '/hostile/comments/feed.xml', '/hostile/comments/atom.xml', '/tag/plain/feed.xml', '/tag/plain/atom.xml']) {
    it(`${path} parses and keeps the visible text`, async () => {
      const xml = await get(path);
      const text = strictParse(xml);
      // What people wrote is there, without the characters XML cannot carry.
      const label = path.includes('comments') ? 'Comment' : 'Title';
      assert.ok(shows(text, label), `${label} is in ${path}`);
      assert.ok(shows(text, path.includes('comments') ? 'Name' : 'Ada'), 'the author name is there');
    });
  }

  it('a feed spec holding every forbidden character, lone surrogates included, renders as well-formed RSS and Atom', async () => {
    const person = { name: hostile('Name'), url: 'https://example.com/' };
    const spec: FeedSpec = {
      id: 'tag:example.com,2026:feed',
      title: hostile('Site'),
      description: hostile('About'),
      homeUrl: 'https://example.com/',
      urls: { rss: 'https://example.com/feed.xml', atom: 'https://example.com/atom.xml', json: 'https://example.com/feed.json' },
      updated: Date.now(),
      author: person,
      items: [{ id: 'tag:example.com,2026:post:1', url: 'https://example.com/p', title: hostile('Title'), html: `<p>${hostile('Body')}</p>`, summary: hostile('Summary'), published: Date.now(), updated: Date.now(), author: person, categories: [hostile('Tag')] }],
    };
    for (const format of ['rss', 'atom'] as const) {
      const xml = await renderFeed(spec, format);
      const text = strictParse(xml);
      for (const label of ['Site', 'Title', 'Body', 'Name']) assert.ok(text.includes(letters(label)), `${format}: ${label}`);
      assert.ok(xml.includes(letters('Tag')), `${format}: the category`);
    }
    assert.equal(JSON.parse(await renderFeed(spec, 'json')).items.length, 1);
  });

  it('the JSON Feeds stay valid JSON and keep the text', async () => {
    for (const path of ['/feed.json', '/hostile/comments/feed.json']) {
      const feed = JSON.parse(await get(path));
      assert.ok(feed.items.length > 0, path);
    }
  });

  it('the sitemap parses', async () => {
    assertWellFormed(await get('/sitemap.xml'), 'sitemap.xml');
  });

  it('the WXR export parses and keeps the visible text', async () => {
    let xml = '';
    await writeWxrExport(k.deps.store, async (chunk) => void (xml += chunk), { siteUrl: k.config.siteUrl, now: Date.now(), generator: 'test' });
    const text = strictParse(xml);
    for (const label of ['Title', 'Body', 'Comment', 'Name', 'Ada']) assert.ok(shows(text, label), label);
  });

  it('XML-RPC answers parse, whatever the text they carry', async () => {
    assert.ok(strictParse(stringResponse(hostile('Answer'))).includes(letters('Answer')));
    assert.ok(strictParse(faultResponse(0, hostile('Fault'))).includes(letters('Fault')));
    // Through the route: the fault for an unknown method repeats the method name it was sent.
    const references = forbidden.slice(0, 29).map((ch) => `&#${ch.charCodeAt(0)};`).join('');
    const res = await k.request('/xmlrpc.php', {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: `<?xml version="1.0"?><methodCall><methodName>odd${references}name</methodName><params></params></methodCall>`,
    });
    assertWellFormed(await res.text(), 'the XML-RPC fault');
  });
});
