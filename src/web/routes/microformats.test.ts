import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mf2 } from 'microformats-parser';
import { defaultCommentSettings } from '../../core/comment-settings.ts';
import { useReachSite } from '../../../test/helpers/reach-fixture.ts';
import { testEngines } from '../../../test/helpers/test-kumbaya.ts';

const SITE = 'http://localhost:3000';

type Item = { type: string[]; properties: Record<string, unknown[]>; children?: Item[]; value?: unknown };
const text = (value: unknown): string => (typeof value === 'string' ? value : String((value as { value?: string; html?: string }).value ?? ''));

/** Every h-entry that replies to something, in document order, however deeply nested. */
function repliesIn(list: Item[], found: Item[] = []): Item[] {
  for (const item of list) {
    if (item.type.includes('h-entry') && item.properties['in-reply-to']) found.push(item);
    repliesIn(item.children ?? [], found);
  }
  return found;
}

for (const { engine, skip } of testEngines()) {
  describe(`microformats2 on the public pages (${engine})`, { skip }, () => {
    const site = useReachSite(engine);

    const parse = async (path: string) => mf2(await (await site.k.request(path)).text(), { baseUrl: `${SITE}${path}` }).items as Item[];

    it('the home page is an h-feed of h-entries, with the owner’s representative h-card', async () => {
      const items = await parse('/');
      const feed = items.find((i) => i.type.includes('h-feed'))!;
      assert.ok(feed, 'an h-feed');
      assert.deepEqual(feed.properties.name, ['Kumbaya']);
      const entries = feed.children!.filter((c) => c.type.includes('h-entry'));
      assert.deepEqual(entries.map((e) => e.properties.name[0]), ['Feeds <and> friends', 'An older note']);
      const entry = entries[0];
      assert.deepEqual(entry.properties.url, [`${SITE}/feeds-and-friends`]);
      assert.equal(entry.properties.published[0], new Date(site.s.post.publishedAt!).toISOString());
      assert.deepEqual(entry.properties.category, ['Open Web', 'Notes']);
      const author = entry.properties.author[0] as Item;
      assert.deepEqual(author.properties.name, ['Ada Lovelace']);
      assert.deepEqual(author.properties.url, [`${SITE}/author/ada`]);
      // The representative h-card (https://microformats.org/wiki/representative-h-card-parsing): url and uid are the page.
      const card = items.find((i) => i.type.includes('h-card'))!;
      assert.deepEqual(card.properties.url, [`${SITE}/`]);
      assert.deepEqual(card.properties.uid, [`${SITE}/`]);
      assert.deepEqual(card.properties.name, ['Ada Lovelace']);
      assert.deepEqual(card.properties.note, ['Writes about engines & the open web.']);
    });

    it('tag, author, archive and search pages are h-feeds of the right posts', async () => {
      const month = new Date(site.s.post.publishedAt!);
      const archive = `/archive/${month.getUTCFullYear()}/${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
      for (const [path, names] of [
        ['/tag/open-web', ['Feeds <and> friends']],
        ['/author/ada', ['Feeds <and> friends', 'An older note']],
        ['/search?q=paragraph', ['Feeds <and> friends']],
      ] as const) {
        const feed = (await parse(path)).find((i) => i.type.includes('h-feed'))!;
        assert.ok(feed, `${path} has an h-feed`);
        assert.deepEqual(feed.children!.filter((c) => c.type.includes('h-entry')).map((e) => e.properties.name[0]), names, path);
      }
      const archived = (await parse(archive)).find((i) => i.type.includes('h-feed'))!;
      assert.ok(archived.children!.some((e) => e.properties.name[0] === 'Feeds <and> friends'));
      const author = (await parse('/author/ada')).find((i) => i.type.includes('h-feed'))!.properties.author[0] as Item;
      assert.deepEqual(author.properties.name, ['Ada Lovelace']);
      assert.deepEqual(author.properties.note, ['Writes about engines & the open web.']);
    });

    it('a post is an h-entry; its comments are h-entries replying to the post or the parent comment', async () => {
      const items = await parse('/feeds-and-friends');
      const post = items.find((i) => i.type.includes('h-entry') && i.properties.content)!;
      assert.deepEqual(post.properties.name, ['Feeds <and> friends']);
      assert.deepEqual(post.properties.url, [`${SITE}/feeds-and-friends`]);
      assert.equal(post.properties.published[0], new Date(site.s.post.publishedAt!).toISOString());
      assert.deepEqual(post.properties.category, ['Open Web', 'Notes']);
      assert.match((post.properties.content[0] as { html: string }).html, /A second paragraph\./);
      assert.deepEqual((post.properties.author[0] as Item).properties.name, ['Ada Lovelace']);

      const comments = repliesIn(items);
      assert.equal(comments.length, 2, 'the two approved comments; held and spam ones are not on the page');
      const [first, reply] = comments;
      const grace = first.properties.author[0] as Item;
      assert.deepEqual(grace.type, ['h-card']);
      assert.deepEqual(grace.properties.name, ['Grace Hopper']);
      assert.deepEqual(grace.properties.url, ['https://grace.example/']);
      assert.equal(first.properties.published[0], new Date(site.s.comment.createdAt).toISOString());
      assert.deepEqual(first.properties.url, [`${SITE}/feeds-and-friends#comment-${site.s.comment.id}`]);
      assert.deepEqual(first.properties['in-reply-to'], [`${SITE}/feeds-and-friends`]);
      assert.match(text(first.properties.content[0]), /Lovely post, truly\./);
      assert.deepEqual(reply.properties['in-reply-to'], [`${SITE}/feeds-and-friends#comment-${site.s.comment.id}`]);
      assert.deepEqual((reply.properties.author[0] as Item).properties.name, ['Ada Lovelace']);
      const all = JSON.stringify(items);
      assert.ok(!all.includes('Waiting for approval') && !all.includes('Buy cheap'));
    });

    it('with Gravatar avatars, the commenter’s h-card carries the photo', async () => {
      await site.k.deps.store.settings.set({ 'comments.settings': JSON.stringify({ ...defaultCommentSettings, avatars: 'gravatar' }) });
      site.k.deps.changes.publish('settings-changed');
      try {
        const items = await parse('/feeds-and-friends');
        const comment = repliesIn(items)[0];
        const photo = (comment.properties.author[0] as Item).properties.photo[0];
        assert.match(typeof photo === 'string' ? photo : text(photo), /^https:\/\/www\.gravatar\.com\/avatar\/[0-9a-f]{64}\?s=72&d=identicon$/);
      } finally {
        await site.k.deps.store.settings.set({ 'comments.settings': JSON.stringify(defaultCommentSettings) });
        site.k.deps.changes.publish('settings-changed');
      }
    });
  });
}
