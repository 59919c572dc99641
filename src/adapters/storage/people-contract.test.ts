import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DomainError } from '../../core/errors.ts';
import type { TimelineEntry } from '../../core/people.ts';
import type { CommentWrite, PostWrite, Store } from '../../core/store.ts';
import { forEachEngine, type OpenStore } from './test-engines.ts';

const NOW = Date.UTC(2024, 0, 15, 12);
const MIN = 60_000;

function postWrite(authorId: number, slug: string): PostWrite {
  return {
    type: 'post', slug, title: `Title of ${slug}`, markdown: 'Words.', html: '<p>Words.</p>', excerpt: 'Words.', status: 'published', visibility: 'public',
    publishedAt: NOW - MIN, authorId, coverImage: null, commentsMode: 'inherit', commentsCloseDays: null, tags: [],
  };
}

const shape = (entries: TimelineEntry[]) => entries.map((e) => `${e.kind}:${e.at - NOW}`);

function peopleContract(name: string, open: OpenStore): void {
  describe(name, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeEach(async () => ({ store, cleanup } = await open()));
    afterEach(() => cleanup());

    const setup = async () => {
      const owner = await store.users.create({ email: 'owner@example.com', name: 'Owner', slug: 'owner', bio: '', role: 'owner', passwordHash: null, createdAt: NOW });
      const post = await store.posts.create(postWrite(owner.id, 'hello'), NOW);
      return { owner, post };
    };
    const comment = (over: Partial<CommentWrite> & { postId: number }) =>
      store.comments.create({ parentId: null, personId: null, userId: null, authorName: 'Reader', authorEmail: 'reader@example.com', authorUrl: null, markdown: 'Hi.', html: '<p>Hi.</p>', status: 'approved', createdAt: NOW, ...over });

    it('records the address and website a commenter gave as claimed identities, and finds them again by either spelling of the address', async () => {
      const ada = await store.people.upsertByEmail({ name: 'Ada', email: ' Ada@Example.COM ', website: 'HTTPS://Ada.Example/#me' }, NOW);
      const identities = await store.people.identities(ada.id);
      assert.deepEqual(
        identities.map((i) => [i.kind, i.value, i.verified]),
        [['email', 'ada@example.com', false], ['website', 'https://ada.example', false]],
      );
      const again = await store.people.upsertByEmail({ name: 'Ada L.', email: 'ada@example.com', website: null }, NOW + MIN);
      assert.equal(again.id, ada.id);
      assert.equal((await store.people.findById(ada.id))!.name, 'Ada L.', 'the latest name is kept');
      assert.equal((await store.people.identities(ada.id)).find((i) => i.kind === 'email')!.lastSeen, NOW + MIN);
      assert.equal((await store.people.findByIdentity('email', 'ADA@example.com'))!.id, ada.id);
    });

    it('never joins two people because one typed the other\'s website', async () => {
      const ada = await store.people.upsertByEmail({ name: 'Ada', email: 'ada@example.com', website: 'https://ada.example' }, NOW);
      const mallory = await store.people.upsertByEmail({ name: 'Ada', email: 'mallory@example.com', website: 'https://ada.example' }, NOW + 1);
      assert.notEqual(mallory.id, ada.id);
      assert.equal((await store.people.findByIdentity('website', 'https://ada.example'))!.id, ada.id, 'the oldest claim answers while nobody proved it');
    });

    it('lets a value be proven for one person only, prefers the proven holder and verifies a confirmed address', async () => {
      const ada = await store.people.upsertByEmail({ name: 'Ada', email: 'ada@example.com', website: null }, NOW);
      const other = await store.people.upsertByEmail({ name: 'Other', email: 'other@example.com', website: null }, NOW);
      await store.people.addIdentity(other.id, 'website', 'https://shared.example/', false, NOW);
      await store.people.addIdentity(ada.id, 'website', 'https://shared.example', false, NOW);
      await store.people.addIdentity(other.id, 'website', 'https://shared.example', true, NOW);
      assert.equal((await store.people.findByIdentity('website', 'https://shared.example'))!.id, other.id);
      await assert.rejects(store.people.addIdentity(ada.id, 'website', 'https://shared.example', true, NOW), (e: unknown) => e instanceof DomainError && e.code === 'conflict');
      await assert.rejects(store.people.addIdentity(ada.id, 'handle', 'not a handle', false, NOW), (e: unknown) => e instanceof DomainError && e.code === 'validation_failed');
      const handle = await store.people.addIdentity(ada.id, 'handle', '@Ada@Social.Example', false, NOW);
      assert.equal(handle.value, '@ada@social.example');

      await store.people.verifyEmail('ADA@example.com', NOW + 5);
      const email = (await store.people.identities(ada.id)).find((i) => i.kind === 'email')!;
      assert.equal(email.verified, true);
    });

    it('keeps trust with its reason and until when, and records each change as an event', async () => {
      const { owner } = await setup();
      const ada = await store.people.upsertByEmail({ name: 'Ada', email: 'ada@example.com', website: null }, NOW);
      assert.deepEqual(await store.people.trust(ada.id), { trust: 'normal', reason: null, mutedUntil: null });
      await store.people.setTrust(ada.id, { trust: 'muted', reason: 'cooling off', mutedUntil: NOW + 60 * MIN }, owner.id, NOW + 1);
      assert.deepEqual(await store.people.trust(ada.id), { trust: 'muted', reason: 'cooling off', mutedUntil: NOW + 60 * MIN });
      await store.people.setTrust(ada.id, { trust: 'hold', reason: null, mutedUntil: NOW }, owner.id, NOW + 2);
      assert.deepEqual(await store.people.trust(ada.id), { trust: 'hold', reason: null, mutedUntil: null }, 'only a mute has an end');
      const page = await store.people.timeline(ada.id, { kinds: ['event'], limit: 10 });
      assert.deepEqual(page.entries.map((e) => (e.kind === 'event' ? [e.event.kind, e.event.detail.trust, e.event.actorId] : [])), [['trust', 'hold', owner.id], ['trust', 'muted', owner.id]]);
    });

    it('keeps notes (newest first, editable, deletable) and says who has any', async () => {
      const { owner } = await setup();
      const ada = await store.people.upsertByEmail({ name: 'Ada', email: 'ada@example.com', website: null }, NOW);
      const bob = await store.people.upsertByEmail({ name: 'Bob', email: 'bob@example.com', website: null }, NOW);
      const first = await store.people.addNote({ personId: ada.id, markdown: 'Met at the *tweetup*.', html: '<p>Met at the <em>tweetup</em>.</p>', authorId: owner.id, createdAt: NOW + 1 });
      const second = await store.people.addNote({ personId: ada.id, markdown: 'Wraps cars.', html: '<p>Wraps cars.</p>', authorId: owner.id, createdAt: NOW + 2 });
      assert.deepEqual((await store.people.notes(ada.id)).map((n) => n.id), [second.id, first.id]);
      const edited = await store.people.updateNote(first.id, 'Met in Atlanta.', '<p>Met in Atlanta.</p>', NOW + 3);
      assert.equal(edited!.markdown, 'Met in Atlanta.');
      assert.equal(edited!.updatedAt, NOW + 3);
      assert.equal(edited!.createdAt, NOW + 1);
      assert.deepEqual([...(await store.people.withNotes([ada.id, bob.id]))], [ada.id]);
      assert.equal(await store.people.deleteNote(second.id), true);
      assert.equal(await store.people.deleteNote(second.id), false);
      assert.equal(await store.people.findNote(second.id), null);
      assert.equal((await store.people.summary(ada.id))!.hasNotes, true);
      assert.equal((await store.people.summary(bob.id))!.hasNotes, false);
    });

    it('labels people (one label per name), filters by label and trust, and searches names and identities', async () => {
      const { owner } = await setup();
      const ada = await store.people.upsertByEmail({ name: 'Ada Lovelace', email: 'ada@example.com', website: 'https://engines.example' }, NOW);
      const bob = await store.people.upsertByEmail({ name: 'Bob', email: 'bob@example.com', website: null }, NOW + 1);
      const cy = await store.people.upsertByEmail({ name: 'Cy', email: 'cy@100%.example', website: null }, NOW + 2);
      const friend = await store.people.addLabel(ada.id, 'tweetup', owner.id, NOW);
      const again = await store.people.addLabel(bob.id, 'tweetup', owner.id, NOW);
      assert.equal(again.id, friend.id);
      await store.people.addLabel(bob.id, 'cars', owner.id, NOW);
      assert.deepEqual((await store.people.labels()).map((l) => l.name), ['cars', 'tweetup']);
      assert.deepEqual((await store.people.labelsOf(bob.id)).map((l) => l.name), ['cars', 'tweetup']);
      const names = async (q: Parameters<Store['people']['list']>[0]) => (await store.people.list(q)).items.map((s) => s.person.name);
      assert.deepEqual(await names({ labelId: friend.id, limit: 10 }), ['Bob', 'Ada Lovelace']);
      assert.equal(await store.people.removeLabel(bob.id, friend.id, owner.id, NOW + 5), true);
      assert.deepEqual(await names({ labelId: friend.id, limit: 10 }), ['Ada Lovelace']);
      await store.people.setTrust(cy.id, { trust: 'blocked', reason: null, mutedUntil: null }, owner.id, NOW);
      assert.deepEqual(await names({ trust: 'blocked', limit: 10 }), ['Cy']);
      assert.deepEqual(await names({ text: 'LOVELACE', limit: 10 }), ['Ada Lovelace'], 'by name');
      assert.deepEqual(await names({ text: 'bob@', limit: 10 }), ['Bob'], 'by email');
      assert.deepEqual(await names({ text: 'engines.example', limit: 10 }), ['Ada Lovelace'], 'by website');
      assert.deepEqual(await names({ text: '100%', limit: 10 }), ['Cy'], 'wildcards are literal');
      assert.deepEqual(await names({ text: '%', limit: 10 }), ['Cy']);
    });

    it('lists people most recently seen first, a page at a time by keyset', async () => {
      const made: number[] = [];
      for (let i = 0; i < 5; i++) made.push((await store.people.upsertByEmail({ name: `P${i}`, email: `p${i}@example.com`, website: null }, NOW + (i % 2 === 0 ? 0 : MIN))).id);
      const seen: string[] = [];
      let after = null;
      for (let pages = 0; pages < 5; pages++) {
        const page: Awaited<ReturnType<Store['people']['list']>> = await store.people.list({ limit: 2, after });
        seen.push(...page.items.map((s) => s.person.name));
        after = page.next;
        if (!after) break;
      }
      assert.deepEqual(seen, ['P3', 'P1', 'P4', 'P2', 'P0']);
      // Writing again moves a person to the top.
      await store.people.upsertByEmail({ name: 'P0', email: 'p0@example.com', website: null }, NOW + 2 * MIN);
      assert.equal((await store.people.list({ limit: 1 })).items[0].person.name, 'P0');
    });

    it('says when the team last answered someone and whether they are waiting', async () => {
      const { owner, post } = await setup();
      const ada = await store.people.upsertByEmail({ name: 'Ada', email: 'ada@example.com', website: null }, NOW);
      const first = await comment({ postId: post.id, personId: ada.id, createdAt: NOW + 1 });
      let s = (await store.people.summary(ada.id))!;
      assert.equal(s.waiting, true);
      assert.equal(s.lastReplyAt, null);
      assert.equal(s.lastComment!.id, first.id);
      await comment({ postId: post.id, parentId: first.id, userId: owner.id, authorName: 'Owner', authorEmail: 'owner@example.com', createdAt: NOW + 2 });
      s = (await store.people.summary(ada.id))!;
      assert.equal(s.waiting, false);
      assert.equal(s.lastReplyAt, NOW + 2);
      await comment({ postId: post.id, personId: ada.id, createdAt: NOW + 3, status: 'pending' });
      assert.equal((await store.people.summary(ada.id))!.waiting, false, 'a held comment waits for moderation, not for an answer');
      assert.equal((await store.people.summary(ada.id))!.lastComment!.createdAt, NOW + 3);
    });

    it('gives one timeline of everything between a person and the site, newest first, paged by (time, kind, id) and filtered by kind', async () => {
      const { owner, post } = await setup();
      const ada = await store.people.upsertByEmail({ name: 'Ada', email: 'ada@example.com', website: null }, NOW);
      const other = await store.people.upsertByEmail({ name: 'Other', email: 'other@example.com', website: null }, NOW);
      const c1 = await comment({ postId: post.id, personId: ada.id, createdAt: NOW + 1 * MIN });
      await comment({ postId: post.id, personId: other.id, authorEmail: 'other@example.com', createdAt: NOW + 1 * MIN });
      await comment({ postId: post.id, parentId: c1.id, userId: owner.id, authorName: 'Owner', authorEmail: 'owner@example.com', createdAt: NOW + 2 * MIN });
      await store.subscriptions.subscribe({ kind: 'post', email: 'ADA@example.com', postId: post.id, commentId: null, token: 'tok-1', createdAt: NOW + 2 * MIN });
      await store.outbox.enqueue({ idempotencyKey: 'k1', kind: 'reply', to: 'ada@example.com', subject: 'Owner answered you', text: 't', html: 'h', headers: {} }, NOW + 3 * MIN);
      await store.outbox.enqueue({ idempotencyKey: 'k2', kind: 'reply', to: 'other@example.com', subject: 'Not hers', text: 't', html: 'h', headers: {} }, NOW + 3 * MIN);
      await store.people.addNote({ personId: ada.id, markdown: 'n', html: '<p>n</p>', authorId: owner.id, createdAt: NOW + 3 * MIN });
      await store.people.setTrust(ada.id, { trust: 'hold', reason: null, mutedUntil: null }, owner.id, NOW + 4 * MIN);
      await comment({ postId: post.id, personId: ada.id, status: 'spam', createdAt: NOW + 4 * MIN });

      const whole = await store.people.timeline(ada.id, { limit: 50 });
      assert.deepEqual(shape(whole.entries), [
        `event:${4 * MIN}`, `comment:${4 * MIN}`,
        `note:${3 * MIN}`, `mail:${3 * MIN}`,
        `subscription:${2 * MIN}`, `reply:${2 * MIN}`,
        `comment:${1 * MIN}`,
      ]);
      assert.equal(whole.next, null);
      const mail = whole.entries.find((e) => e.kind === 'mail');
      assert.equal(mail?.kind === 'mail' && mail.subject, 'Owner answered you');
      const spam = whole.entries.find((e) => e.kind === 'comment' && e.comment.status === 'spam');
      assert.ok(spam, 'their comments show with their status, spam included');

      const paged: string[] = [];
      let before = null;
      for (let pages = 0; pages < 10; pages++) {
        const page: Awaited<ReturnType<Store['people']['timeline']>> = await store.people.timeline(ada.id, { limit: 2, before });
        paged.push(...shape(page.entries));
        before = page.next;
        if (!before) break;
      }
      assert.deepEqual(paged, shape(whole.entries), 'pages of two give the same order, nothing twice or lost at equal times');

      const onlyTalk = await store.people.timeline(ada.id, { limit: 50, kinds: ['comment', 'reply'] });
      assert.deepEqual(shape(onlyTalk.entries), [`comment:${4 * MIN}`, `reply:${2 * MIN}`, `comment:${1 * MIN}`]);
    });

    it('forgets nothing of a person when a label goes, and a removed person takes their identities and notes along', async () => {
      const { owner } = await setup();
      const ada = await store.people.upsertByEmail({ name: 'Ada', email: 'ada@example.com', website: null }, NOW);
      await store.people.addNote({ personId: ada.id, markdown: 'n', html: '<p>n</p>', authorId: owner.id, createdAt: NOW });
      await store.archive.clear();
      assert.equal(await store.people.findByEmail('ada@example.com'), null);
      assert.deepEqual(await store.people.identities(ada.id), []);
      assert.deepEqual(await store.people.notes(ada.id), []);
    });
  });
}

forEachEngine('PeopleRepository', peopleContract);
