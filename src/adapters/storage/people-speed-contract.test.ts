import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { PeopleQuery } from '../../core/people.ts';
import type { Store } from '../../core/store.ts';
import { forEachEngine, type OpenStore } from './test-engines.ts';

const NOW = Date.UTC(2024, 0, 15, 12);
const MIN = 60_000;

/**
 * The People search finds what it finds by name and identity on every engine. On SQLite it
 * reads a trigram index (migration 031) that a search fills once more than 500 people or
 * identities are newer than it, and that triggers keep true: these follow a person through a
 * new identity, a new name, a merge and its undo, and forgetting — both while they are newer
 * than the index and once they are in it (after 600 other people and a search). A person's page reads the
 * posts its timeline names in one look-up (posts.links; posts.findMany reads whole posts).
 */
function peopleSpeedContract(name: string, open: OpenStore): void {
  describe(name, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeEach(async () => ({ store, cleanup } = await open()));
    afterEach(() => cleanup());

    const found = async (text: string, more: Partial<PeopleQuery> = {}) => (await store.people.list({ text, limit: 30, ...more })).items.map((s) => s.person.name).sort();
    /** `n` other people (each with an email identity), then a search, which indexes them all on SQLite. */
    const others = async (n = 0) => {
      for (let i = 0; i < n; i++) await store.people.upsertByEmail({ name: `Reader ${i}`, email: `reader${i}@example.org`, website: null }, NOW - 1000 + i);
      assert.equal((await store.people.list({ text: 'reader', limit: 30 })).items.length, n === 0 ? 0 : 30);
    };
    const owner = () => store.users.create({ email: 'owner@example.com', name: 'Owner', slug: 'owner', bio: '', role: 'owner', passwordHash: null, createdAt: NOW });

    it('finds a person by any part of a name or identity, whatever the letters’ case, and nobody by text no one has', async () => {
      await store.people.upsertByEmail({ name: 'Ines Moreau', email: 'ines@example.com', website: 'https://ines.example' }, NOW);
      await store.people.upsertByEmail({ name: 'Bruno Silva', email: 'bruno@moreau-family.example', website: null }, NOW + 1);
      await store.people.upsertByEmail({ name: 'Chen Wei', email: 'chen@example.net', website: null }, NOW + 2);
      assert.deepEqual(await found('moreau'), ['Bruno Silva', 'Ines Moreau']);
      assert.deepEqual(await found('MOREAU'), ['Bruno Silva', 'Ines Moreau']);
      assert.deepEqual(await found('es Mo'), ['Ines Moreau']);
      assert.deepEqual(await found('ines.example'), ['Ines Moreau']);
      assert.deepEqual(await found('wei'), ['Chen Wei']);
      assert.deepEqual(await found('we'), ['Chen Wei'], 'two characters');
      assert.deepEqual(await found('zzz'), []);
      assert.deepEqual(await found('"moreau"'), [], 'quotes are text, not syntax');
      assert.deepEqual(await found('moreau', { trust: 'hold' }), [], 'with the other filters');
    });

    for (const indexed of [false, true]) {
      it(`follows a new identity, a new name and forgetting${indexed ? ', once they are indexed' : ''}`, async () => {
        const me = await owner();
        const ada = await store.people.upsertByEmail({ name: 'Ada Byron', email: 'ada@example.com', website: null }, NOW);
        await store.people.addIdentity(ada.id, 'handle', '@countess@social.example', false, NOW + 1);
        if (indexed) await others(600);
        assert.deepEqual(await found('countess'), ['Ada Byron']);
        await store.people.upsertByEmail({ name: 'Ada Lovelace', email: 'ada@example.com', website: null }, NOW + 2);
        assert.deepEqual(await found('lovelace'), ['Ada Lovelace']);
        assert.deepEqual(await found('byron'), [], 'the old name is no longer hers');
        await store.people.upsertByEmail({ name: 'Ada Lovelace', email: 'ada@example.com', website: null }, NOW + 3);
        assert.deepEqual(await found('lovelace'), ['Ada Lovelace'], 'the same name again');
        await store.people.forget(ada.id, 'anonymise', me.id, NOW + 10 * MIN);
        assert.deepEqual(await found('lovelace'), []);
        assert.deepEqual(await found('countess'), []);
        assert.deepEqual(await found('ada@example'), []);
      });

      it(`finds the merged-in identities on the survivor, and on the split person again after the undo${indexed ? ', once they are indexed' : ''}`, async () => {
        const me = await owner();
        const mail = await store.people.upsertByEmail({ name: 'Ada', email: 'ada@example.com', website: null }, NOW);
        const site = await store.people.upsertByEmail({ name: 'Ada L.', email: 'ada@work.example', website: 'https://lovelace.example' }, NOW + 1);
        if (indexed) await others(600);
        assert.deepEqual(await found('lovelace.example'), ['Ada L.']);
        const event = await store.people.merge(mail.id, [site.id], me.id, NOW + 10);
        assert.deepEqual(await found('lovelace.example'), ['Ada']);
        assert.deepEqual(await found('work.example'), ['Ada']);
        assert.deepEqual(await found('ada l.'), [], 'the merged person’s record is gone');
        await store.people.undoMerge(event.id, me.id, NOW + 20);
        assert.deepEqual(await found('lovelace.example'), ['Ada L.']);
        assert.deepEqual(await found('ada l.'), ['Ada L.']);
        assert.deepEqual(await found('ada@example'), ['Ada']);
      });
    }

    it('shows the team’s replies to a person, and when they were last answered, through a merge, its undo, a reply moved and forgetting', async () => {
      const me = await owner();
      const post = await store.posts.create({ type: 'post', slug: 'p', title: 'P', markdown: 'Words.', html: '<p>Words.</p>', excerpt: 'Words.', status: 'published', visibility: 'public', publishedAt: NOW, authorId: me.id, coverImage: null, commentsMode: 'inherit', commentsCloseDays: null, tags: [] }, NOW);
      const ada = await store.people.upsertByEmail({ name: 'Ada', email: 'ada@example.com', website: null }, NOW);
      const lovelace = await store.people.upsertByEmail({ name: 'Ada L.', email: 'ada@work.example', website: null }, NOW);
      const comment = (personId: number | null, parentId: number | null, at: number, userId: number | null = null) =>
        store.comments.create({ postId: post.id, parentId, personId, userId, authorName: userId ? 'Owner' : 'Ada', authorEmail: userId ? 'owner@example.com' : 'ada@example.com', authorUrl: null, markdown: 'Hi.', html: '<p>Hi.</p>', status: 'approved', createdAt: at });
      const a1 = await comment(ada.id, null, NOW + 1 * MIN);
      const l1 = await comment(lovelace.id, null, NOW + 2 * MIN);
      const toA = await comment(null, a1.id, NOW + 3 * MIN, me.id);
      const toL = await comment(null, l1.id, NOW + 4 * MIN, me.id);
      await comment(null, a1.id, NOW + 5 * MIN, null); // a reader's reply is not the team's
      const replies = async (personId: number) => (await store.people.timeline(personId, { kinds: ['reply'], limit: 10 })).entries.map((e) => e.id);
      const lastReply = async (personId: number) => (await store.people.summary(personId))!.lastReplyAt;
      assert.deepEqual(await replies(ada.id), [toA.id]);
      assert.equal(await lastReply(ada.id), NOW + 3 * MIN);
      const event = await store.people.merge(ada.id, [lovelace.id], me.id, NOW + 10 * MIN);
      assert.deepEqual(await replies(ada.id), [toL.id, toA.id], 'the merged person’s replies follow their comments');
      assert.equal(await lastReply(ada.id), NOW + 4 * MIN);
      await store.people.undoMerge(event.id, me.id, NOW + 11 * MIN);
      assert.deepEqual(await replies(ada.id), [toA.id]);
      assert.deepEqual(await replies(lovelace.id), [toL.id]);
      assert.equal(await lastReply(lovelace.id), NOW + 4 * MIN);
      await store.comments.move(toL.id, a1.id, NOW + 12 * MIN);
      assert.deepEqual(await replies(ada.id), [toL.id, toA.id], 'a reply moved under their comment is to them');
      assert.deepEqual(await replies(lovelace.id), []);
      assert.equal(await lastReply(lovelace.id), null);
      await store.comments.move(toA.id, null, NOW + 13 * MIN);
      assert.deepEqual(await replies(ada.id), [toL.id], 'a reply moved to the top level answers nobody');
      await store.people.forget(ada.id, 'anonymise', me.id, NOW + 14 * MIN);
      assert.deepEqual(await replies(lovelace.id), []);
    });

    it('finds many posts at once, each once, with their tags, trashed ones too, and skips ids no post has', async () => {
      const me = await owner();
      const post = (slug: string, tags: string[]) =>
        store.posts.create({ type: 'post', slug, title: `Title of ${slug}`, markdown: 'Words.', html: '<p>Words.</p>', excerpt: 'Words.', status: 'published', visibility: 'public', publishedAt: NOW, authorId: me.id, coverImage: null, commentsMode: 'inherit', commentsCloseDays: null, tags }, NOW);
      const a = await post('a', ['garden', 'tools']);
      const b = await post('b', []);
      const c = await post('c', ['garden']);
      await store.posts.trash(c.id, NOW + 1);
      const many = (await store.posts.findMany([c.id, a.id, 99_999, a.id, b.id])).sort((x, y) => x.id - y.id);
      assert.deepEqual(many, await Promise.all([a.id, b.id, c.id].map(async (id) => (await store.posts.findById(id))!)));
      assert.deepEqual(many.map((p) => p.tags.map((t) => t.name)), [['garden', 'tools'], [], ['garden']]);
      assert.deepEqual(await store.posts.findMany([]), []);
    });

    it('reads the links of many posts at once (id, slug, title), each once, trashed ones too, and skips ids no post has', async () => {
      const me = await owner();
      const post = (slug: string) =>
        store.posts.create({ type: 'post', slug, title: `Title of ${slug}`, markdown: 'Words.', html: '<p>Words.</p>', excerpt: 'Words.', status: 'published', visibility: 'public', publishedAt: NOW, authorId: me.id, coverImage: null, commentsMode: 'inherit', commentsCloseDays: null, tags: ['garden'] }, NOW);
      const a = await post('a');
      const b = await post('b');
      const c = await post('c');
      await store.posts.trash(c.id, NOW + 1);
      const links = (await store.posts.links([c.id, a.id, 99_999, a.id, b.id])).sort((x, y) => x.id - y.id);
      const whole = await Promise.all([a.id, b.id, c.id].map(async (id) => (await store.posts.findById(id))!));
      assert.deepEqual(links, whole.map((p) => ({ id: p.id, slug: p.slug, title: p.title })));
      // The same statement again with other ids (compiled once per number of ids).
      assert.deepEqual(await store.posts.links([b.id, 99_998, 99_997, b.id]), [{ id: b.id, slug: 'b', title: 'Title of b' }]);
      assert.deepEqual(await store.posts.links([]), []);
    });
  });
}

forEachEngine('People search and the person page’s look-ups', peopleSpeedContract);
