import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFeed } from '@rowanmanning/feed-parser';
import { DomUtils, parseDocument } from 'htmlparser2';
import { useReachSite } from '../../../test/helpers/reach-fixture.ts';
import { testEngines } from '../../../test/helpers/test-kumbaya.ts';

const SITE = 'http://localhost:3000';

/** JSON Feed 1.1 (https://jsonfeed.org/version/1.1): the fields a reader relies on, with their types. */
function checkJsonFeed(feed: Record<string, unknown>): Array<Record<string, unknown>> {
  assert.equal(feed.version, 'https://jsonfeed.org/version/1.1');
  assert.equal(typeof feed.title, 'string');
  assert.match(String(feed.home_page_url), /^https?:\/\//);
  assert.match(String(feed.feed_url), /^https?:\/\//);
  assert.ok(Array.isArray(feed.items), 'items is an array');
  const allowed = new Set(['version', 'title', 'home_page_url', 'feed_url', 'description', 'user_comment', 'next_url', 'icon', 'favicon', 'authors', 'language', 'expired', 'hubs', 'items']);
  for (const key of Object.keys(feed)) assert.ok(allowed.has(key) || key.startsWith('_'), `unknown top-level field ${key}`);
  const items = feed.items as Array<Record<string, unknown>>;
  for (const item of items) {
    assert.equal(typeof item.id, 'string');
    assert.ok(typeof item.content_html === 'string' || typeof item.content_text === 'string', 'an item has content_html or content_text');
    for (const date of ['date_published', 'date_modified']) if (item[date] !== undefined) assert.match(String(item[date]), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/, `${date} is RFC 3339`);
    if (item.authors !== undefined) for (const a of item.authors as Array<Record<string, unknown>>) assert.equal(typeof a.name, 'string');
    if (item.tags !== undefined) assert.ok((item.tags as unknown[]).every((t) => typeof t === 'string'));
  }
  return items;
}

for (const { engine, skip } of testEngines()) {
  describe(`feeds (${engine})`, { skip }, () => {
    const site = useReachSite(engine);

    const get = async (path: string, headers: Record<string, string> = {}) => {
      const res = await site.k.request(path, { headers });
      return { res, text: await res.text() };
    };

    for (const path of ['/feed.xml', '/atom.xml']) {
      it(`${path}: the live public posts, newest first, with full content, ids, dates, authors and tags`, async () => {
        const { res, text } = await get(path);
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type')!, path === '/feed.xml' ? /^application\/rss\+xml; charset=utf-8/ : /^application\/atom\+xml; charset=utf-8/);
        const feed = parseFeed(text);
        assert.equal(feed.title, 'Kumbaya');
        assert.equal(feed.url, `${SITE}/`);
        assert.equal(feed.self, `${SITE}${path}`);
        assert.deepEqual(feed.items.map((i) => i.title), ['Feeds <and> friends', 'An older note']);
        const [item, older] = feed.items;
        assert.equal(item.url, `${SITE}/feeds-and-friends`);
        assert.equal(item.id, `tag:localhost,${new Date(site.s.post.createdAt).getUTCFullYear()}:post:${site.s.post.id}`);
        assert.equal(Math.floor(item.published!.getTime() / 1000), Math.floor(site.s.post.publishedAt! / 1000));
        assert.equal(Math.floor(older.published!.getTime() / 1000), Math.floor(site.s.older.publishedAt! / 1000));
        if (path === '/atom.xml') assert.equal(Math.floor(item.updated!.getTime() / 1000), Math.floor(site.s.post.updatedAt / 1000));
        assert.deepEqual(item.authors.map((a) => a.name), ['Ada Lovelace']);
        assert.deepEqual(item.categories.map((c) => c.term ?? c.label).sort(), ['Notes', 'Open Web']);
        // The whole stored HTML, with root-relative links made absolute for feed readers.
        assert.match(item.content!, /A second paragraph\./);
        assert.match(item.content!, new RegExp(`href="${SITE}/older-note"`));
        assert.match(item.content!, new RegExp(`src="${SITE}/uploads/b{64}\\.png"`));
        for (const hidden of ['A secret draft', 'Scheduled for later', 'Unlisted aside', 'Thrown away', 'About this blog']) assert.ok(!text.includes(hidden), `${hidden} must not appear`);
      });
    }

    it('/atom.xml: each post links to its comments with the RFC 4685 count', async () => {
      const doc = parseDocument((await get('/atom.xml')).text, { xmlMode: true });
      const entry = DomUtils.getElementsByTagName('entry', doc)[0];
      const replies = DomUtils.getElementsByTagName('link', entry).filter((l) => l.attribs.rel === 'replies');
      const atomReplies = replies.find((l) => l.attribs.type === 'application/atom+xml')!;
      assert.equal(atomReplies.attribs.href, `${SITE}/feeds-and-friends/comments/atom.xml`);
      assert.equal(atomReplies.attribs['thr:count'], '2', 'two approved comments; held and spam are not counted');
      assert.equal(DomUtils.textContent(DomUtils.getElementsByTagName('thr:total', entry)[0]), '2');
    });

    it('/feed.json: JSON Feed 1.1 with the same posts', async () => {
      const { res, text } = await get('/feed.json');
      assert.match(res.headers.get('content-type')!, /^application\/feed\+json; charset=utf-8/);
      const feed = JSON.parse(text);
      const items = checkJsonFeed(feed);
      assert.equal(feed.feed_url, `${SITE}/feed.json`);
      assert.deepEqual(items.map((i) => i.title), ['Feeds <and> friends', 'An older note']);
      assert.equal(items[0].id, `tag:localhost,${new Date(site.s.post.createdAt).getUTCFullYear()}:post:${site.s.post.id}`);
      assert.equal(items[0].url, `${SITE}/feeds-and-friends`);
      assert.equal(items[0].date_published, new Date(site.s.post.publishedAt!).toISOString());
      assert.equal(items[0].image, `${SITE}/uploads/${'a'.repeat(64)}.png`);
      assert.deepEqual(items[0].authors, [{ name: 'Ada Lovelace', url: `${SITE}/author/ada` }]);
      assert.match(String(items[0].content_html), /A second paragraph/);
      assert.ok(!text.includes('A secret draft') && !text.includes('Unlisted aside') && !text.includes('Thrown away') && !text.includes('Scheduled for later'));
    });

    it('tag feeds hold only that tag’s live public posts', async () => {
      for (const file of ['feed.xml', 'atom.xml']) {
        const feed = parseFeed((await get(`/tag/open-web/${file}`)).text);
        assert.deepEqual(feed.items.map((i) => i.title), ['Feeds <and> friends']);
        assert.equal(feed.self, `${SITE}/tag/open-web/${file}`);
      }
      const json = JSON.parse((await get('/tag/notes/feed.json')).text);
      assert.deepEqual(checkJsonFeed(json).map((i) => i.title), ['Feeds <and> friends', 'An older note']);
      assert.equal((await get('/tag/no-such-tag/atom.xml')).res.status, 404);
    });

    it('comment feeds: approved comments only, newest first, with threading in Atom', async () => {
      const atomText = (await get('/feeds-and-friends/comments/atom.xml')).text;
      const atom = parseFeed(atomText);
      assert.equal(atom.title, 'Comments on “Feeds <and> friends”');
      assert.deepEqual(atom.items.map((i) => i.authors[0]?.name), ['Ada Lovelace', 'Grace Hopper']);
      const [reply, first] = atom.items;
      assert.equal(first.id, `tag:localhost,${new Date(site.s.comment.createdAt).getUTCFullYear()}:comment:${site.s.comment.id}`);
      assert.equal(first.url, `${SITE}/comments/${site.s.comment.id}`);
      assert.equal(first.authors[0].url, 'https://grace.example/');
      assert.match(first.content!, /<em>truly<\/em>/);
      assert.equal(Math.floor(reply.published!.getTime() / 1000), Math.floor(site.s.reply.createdAt / 1000));
      const entries = DomUtils.getElementsByTagName('entry', parseDocument(atomText, { xmlMode: true }));
      const inReplyTo = (entry: (typeof entries)[0]) => DomUtils.getElementsByTagName('thr:in-reply-to', entry)[0].attribs;
      // Exactly the text, without whitespace from the XML printer (it is significant in Atom text).
      const titleOf = (entry: (typeof entries)[0]) => DomUtils.textContent(DomUtils.getElementsByTagName('title', entry)[0]);
      assert.equal(titleOf(entries[0]), 'Ada Lovelace on “Feeds <and> friends”');
      assert.deepEqual(inReplyTo(entries[0]), { ref: first.id!, href: `${SITE}/comments/${site.s.comment.id}`, type: 'text/html' });
      assert.deepEqual(inReplyTo(entries[1]), { ref: `tag:localhost,${new Date(site.s.post.createdAt).getUTCFullYear()}:post:${site.s.post.id}`, href: `${SITE}/feeds-and-friends`, type: 'text/html' });
      for (const text of [atomText, (await get('/feeds-and-friends/comments/feed.xml')).text, (await get('/feeds-and-friends/comments/feed.json')).text]) {
        assert.ok(!text.includes('Waiting for approval') && !text.includes('Buy cheap'), 'held and spam comments stay out');
        assert.ok(!text.includes('@example.com'), 'commenters’ emails are never published');
      }
      const rss = parseFeed((await get('/feeds-and-friends/comments/feed.xml')).text);
      assert.deepEqual(rss.items.map((i) => i.url), [`${SITE}/comments/${site.s.reply.id}`, `${SITE}/comments/${site.s.comment.id}`]);
      const json = checkJsonFeed(JSON.parse((await get('/feeds-and-friends/comments/feed.json')).text));
      assert.deepEqual(json.map((i) => (i.authors as Array<{ name: string }>)[0].name), ['Ada Lovelace', 'Grace Hopper']);
    });

    it('comment feeds of drafts, scheduled, unlisted and trashed posts do not exist', async () => {
      for (const slug of ['secret-draft', 'scheduled-later', 'unlisted-aside', 'thrown-away', 'no-such-post']) {
        assert.equal((await get(`/${slug}/comments/atom.xml`)).res.status, 404, slug);
      }
    });

    it('answers 304 to If-None-Match and If-Modified-Since, and changes after new content', async () => {
      const first = await get('/atom.xml');
      const etag = first.res.headers.get('etag')!;
      const lastModified = first.res.headers.get('last-modified')!;
      assert.ok(etag && lastModified);
      assert.equal((await get('/atom.xml', { 'if-none-match': etag })).res.status, 304);
      assert.equal((await get('/atom.xml', { 'if-modified-since': lastModified })).res.status, 304);
      assert.equal((await get('/atom.xml', { 'if-none-match': '"other"' })).res.status, 200);
      assert.equal((await get('/atom.xml', { 'if-modified-since': new Date(Date.parse(lastModified) - 60_000).toUTCString() })).res.status, 200);
      const fresh = await site.k.deps.posts.create(site.s.owner, { title: 'Brand new', slug: 'brand-new' });
      await site.k.deps.posts.publish(site.s.owner, fresh.id);
      const after = await get('/atom.xml', { 'if-none-match': etag });
      assert.equal(after.res.status, 200);
      assert.equal(parseFeed(after.text).items[0].title, 'Brand new');
      await site.k.deps.posts.trash(site.s.owner, fresh.id);
    });

    it('holds the configured number of items', async () => {
      await site.k.deps.store.settings.set({ 'site.feedItems': '1' });
      site.k.deps.changes.publish('settings-changed');
      try {
        assert.equal(parseFeed((await get('/feed.xml')).text).items.length, 1);
        assert.equal(JSON.parse((await get('/feeds-and-friends/comments/feed.json')).text).items.length, 1);
      } finally {
        await site.k.deps.store.settings.set({ 'site.feedItems': '20' });
        site.k.deps.changes.publish('settings-changed');
      }
    });

    it('follows a renamed post’s comment feed to its new address', async () => {
      await site.k.deps.posts.update(site.s.owner, site.s.older.id, { title: site.s.older.title, slug: 'older-note-renamed', markdown: site.s.older.markdown, tags: ['Notes'] });
      const res = await site.k.request('/older-note/comments/atom.xml');
      assert.equal(res.status, 301);
      assert.equal(res.headers.get('location'), '/older-note-renamed/comments/atom.xml');
      const feed = parseFeed((await get('/feed.xml')).text);
      const moved = feed.items.find((i) => i.title === 'An older note')!;
      assert.equal(moved.id, `tag:localhost,${new Date(site.s.older.createdAt).getUTCFullYear()}:post:${site.s.older.id}`, 'the id survives the new slug');
    });
  });
}
