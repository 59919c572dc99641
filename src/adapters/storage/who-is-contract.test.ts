import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { PostWrite, Store } from '../../core/store.ts';
import type { PublicProfile } from '../../core/who-is.ts';
import { forEachEngine, type OpenStore } from './test-engines.ts';

const NOW = Date.UTC(2024, 4, 1, 12);
const DAY = 86_400_000;

const profile = (over: Partial<PublicProfile>): PublicProfile => ({
  website: 'https://ada.example', found: true, reason: null, reasonDetail: null, name: 'Ada Lovelace', note: 'Counts things.\nWrites notes.', url: 'https://ada.example/', photo: 'https://ada.example/me.jpg', relMe: [], fetchedAt: NOW, ...over,
});

function whoIsContract(name: string, open: OpenStore): void {
  describe(name, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeEach(async () => ({ store, cleanup } = await open()));
    afterEach(() => cleanup());

    it('keeps one profile per website with its rel=me links in order, and a new reading replaces the old one whole', async () => {
      assert.equal(await store.whoIs.profile('https://ada.example'), null);
      const first = profile({ relMe: ['https://social.example/@ada', 'https://github.com/ada'] });
      await store.whoIs.saveProfile(first);
      assert.deepEqual(await store.whoIs.profile('https://ada.example'), first);

      const nothing = profile({ found: false, reason: 'http-error', reasonDetail: '404', name: null, note: null, url: null, photo: null, relMe: [], fetchedAt: NOW + DAY });
      await store.whoIs.saveProfile(nothing);
      assert.deepEqual(await store.whoIs.profile('https://ada.example'), nothing, 'no link of the earlier reading is left');
      await store.whoIs.saveProfile(profile({ relMe: ['https://b.example', 'https://a.example', 'https://b.example'], fetchedAt: NOW + 2 * DAY }));
      assert.deepEqual((await store.whoIs.profile('https://ada.example'))!.relMe, ['https://b.example', 'https://a.example'], 'a link listed twice is kept once');
    });

    it('forgets profiles not read for a while, and one website on request', async () => {
      await store.whoIs.saveProfile(profile({ website: 'https://old.example', relMe: ['https://x.example'], fetchedAt: NOW - 40 * DAY }));
      await store.whoIs.saveProfile(profile({ website: 'https://new.example', fetchedAt: NOW }));
      await store.whoIs.saveProfile(profile({ website: 'https://gone.example', fetchedAt: NOW }));
      assert.equal(await store.whoIs.deleteProfilesBefore(NOW - 30 * DAY), 1);
      assert.equal(await store.whoIs.profile('https://old.example'), null);
      await store.whoIs.deleteProfile('https://gone.example');
      assert.equal(await store.whoIs.profile('https://gone.example'), null);
      assert.equal((await store.whoIs.profile('https://new.example'))?.name, 'Ada Lovelace');
      // The old profile's links went with it: saving it afresh starts empty.
      await store.whoIs.saveProfile(profile({ website: 'https://old.example', fetchedAt: NOW }));
      assert.deepEqual((await store.whoIs.profile('https://old.example'))!.relMe, []);
    });

    it('counts a person\'s comments by status and their mentions, and nobody else\'s', async () => {
      const owner = await store.users.create({ email: 'owner@example.com', name: 'Owner', slug: 'owner', bio: '', role: 'owner', passwordHash: null, createdAt: NOW });
      const post: PostWrite = {
        type: 'post', slug: 'hello', title: 'Hello', markdown: 'Words.', html: '<p>Words.</p>', excerpt: 'Words.', status: 'published', visibility: 'public',
        publishedAt: NOW - DAY, authorId: owner.id, coverImage: null, commentsMode: 'inherit', commentsCloseDays: null, tags: [],
      };
      const { id: postId } = await store.posts.create(post, NOW);
      const ada = await store.people.upsertByEmail({ name: 'Ada', email: 'ada@example.com', website: null }, NOW);
      const bea = await store.people.upsertByEmail({ name: 'Bea', email: 'bea@example.com', website: null }, NOW);
      const comment = (personId: number, status: 'approved' | 'pending' | 'spam') =>
        store.comments.create({ postId, parentId: null, personId, userId: null, authorName: 'x', authorEmail: 'x@example.com', authorUrl: null, markdown: 'Hi.', html: '<p>Hi.</p>', status, createdAt: NOW });
      await comment(ada.id, 'approved');
      await comment(ada.id, 'approved');
      await comment(ada.id, 'pending');
      await comment(bea.id, 'spam');
      const mention = await store.webmentions.receive({ source: 'https://ada.example/reply', target: 'http://blog.example/hello', postId, via: 'webmention' }, NOW);
      await store.webmentions.updateReceived(mention.id, { personId: ada.id, status: 'verified' }, NOW);
      assert.deepEqual(await store.whoIs.interactions(ada.id), { comments: { approved: 2, pending: 1, spam: 0, trash: 0 }, mentions: 1 });
      assert.deepEqual(await store.whoIs.interactions(bea.id), { comments: { approved: 0, pending: 0, spam: 1, trash: 0 }, mentions: 0 });
    });

    it('suggests two people as one when the h-card page of one\'s website names the other\'s identity with rel=me', async () => {
      const ada = await store.people.upsertByEmail({ name: 'Ada', email: 'ada@example.com', website: 'https://ada.example' }, NOW);
      const social = await store.webmentions.personForWebsite({ name: 'Ada on Social', website: 'https://social.example/@ada' }, NOW);
      const other = await store.people.upsertByEmail({ name: 'Cy', email: 'cy@example.com', website: 'https://cy.example' }, NOW);
      assert.deepEqual(await store.people.duplicates(ada.id, 10), [], 'nothing links them yet');

      await store.whoIs.saveProfile(profile({ relMe: ['https://social.example/@ada', 'https://github.com/ada'] }));
      const reason = 'the h-card page https://ada.example links to https://social.example/@ada as its own (rel=me)';
      for (const asked of [ada.id, social.id, null]) {
        const found = await store.people.duplicates(asked, 10);
        assert.deepEqual(found.map((d) => [d.a.id, d.b.id, d.reasons]), [[ada.id, social.id, [reason]]], `asked for ${asked}`);
      }
      assert.deepEqual(await store.people.duplicates(other.id, 10), []);
    });
  });
}

forEachEngine('"who is this?" repository', whoIsContract);
