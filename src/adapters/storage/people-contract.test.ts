import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DomainError } from '../../core/errors.ts';
import { linkPerson } from '../../core/following.ts';
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

    it('makes one Person of an account whose activities are handled side by side, each in its own transaction', async () => {
      const actor = { actorUri: 'https://social.example/users/ana', handle: '@ana@social.example', name: 'Ana' };
      const linked = await Promise.all([0, 1, 2].map((i) => store.transaction((tx) => linkPerson(tx, actor, NOW + i))));
      assert.equal(new Set(linked.map((p) => p.id)).size, 1, 'one Person');
      const person = await store.people.findByIdentity('fediverse', actor.actorUri);
      assert.equal(person?.id, linked[0].id);
      assert.deepEqual((await store.people.identities(person!.id)).map((i) => [i.kind, i.verified]), [['fediverse', true], ['handle', true]]);
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

    it('names every name a person wrote under, the latest first, and the name on their record', async () => {
      const { post } = await setup();
      const ada = await store.people.upsertByEmail({ name: 'Ada', email: 'ada@example.com', website: null }, NOW);
      await comment({ postId: post.id, personId: ada.id, authorName: 'Ada L.', createdAt: NOW + MIN });
      await comment({ postId: post.id, personId: ada.id, authorName: 'Ada', createdAt: NOW + 3 * MIN });
      await comment({ postId: post.id, personId: ada.id, authorName: 'A. Lovelace', createdAt: NOW + 2 * MIN });
      await comment({ postId: post.id, personId: ada.id, authorName: 'Ada L.', createdAt: NOW + 4 * MIN });
      await comment({ postId: post.id, personId: null, authorName: 'Someone Else', createdAt: NOW + 5 * MIN });
      assert.deepEqual(await store.people.namesUsed(ada.id), ['Ada L.', 'Ada', 'A. Lovelace']);
      const bob = await store.people.upsertByEmail({ name: 'Bob', email: 'bob@example.com', website: null }, NOW);
      assert.deepEqual(await store.people.namesUsed(bob.id), ['Bob']);
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

    describe('merge and undo', () => {
      const DAY = 24 * 60 * MIN;
      const twoPeople = async () => {
        const { owner, post } = await setup();
        const mail = await store.people.upsertByEmail({ name: 'Ada', email: 'ada@example.com', website: null }, NOW);
        const site = await store.people.upsertByEmail({ name: 'Ada L.', email: 'ada@work.example', website: 'https://ada.example' }, NOW + 1);
        await store.people.addIdentity(site.id, 'webmention', 'https://ada.example/about', true, NOW + 1);
        const c1 = await comment({ postId: post.id, personId: mail.id, authorEmail: 'ada@example.com', createdAt: NOW + 2 });
        const c2 = await comment({ postId: post.id, personId: site.id, authorEmail: 'ada@work.example', createdAt: NOW + 3 });
        const note = await store.people.addNote({ personId: site.id, markdown: 'n', html: '<p>n</p>', authorId: owner.id, createdAt: NOW + 4 });
        await store.people.addLabel(site.id, 'friend', owner.id, NOW + 5);
        await store.people.addLabel(mail.id, 'friend', owner.id, NOW + 5);
        await store.people.addLabel(site.id, 'maker', owner.id, NOW + 5);
        await store.people.setTrust(site.id, { trust: 'hold', reason: 'new', mutedUntil: null }, owner.id, NOW + 6);
        return { owner, post, mail, site, c1, c2, note };
      };
      const ids = (entries: TimelineEntry[], kind: string) => entries.filter((e) => e.kind === kind).map((e) => e.id).sort((a, b) => a - b);

      it('previews what moves and which fields the survivor keeps, changing nothing', async () => {
        const { mail, site } = await twoPeople();
        const preview = await store.people.previewMerge(mail.id, [site.id]);
        assert.deepEqual(preview.fields, { name: { value: 'Ada', fromId: mail.id }, email: { value: 'ada@example.com', fromId: mail.id }, website: { value: 'https://ada.example', fromId: site.id } });
        assert.equal(preview.moves.identities, 3);
        assert.equal(preview.moves.comments, 1);
        assert.equal(preview.moves.notes, 1);
        assert.equal(preview.moves.labels, 2);
        assert.ok(preview.moves.events >= 3);
        assert.notEqual(await store.people.findById(site.id), null);
      });

      it('moves identities, comments, notes, labels and events to the survivor, keeps its fields, records who merged whom, and the undo restores the split exactly', async () => {
        const { owner, post, mail, site, c1, c2, note } = await twoPeople();
        const siteIdentities = await store.people.identities(site.id);
        const siteEvents = ids((await store.people.timeline(site.id, { kinds: ['event'], limit: 50 })).entries, 'event');
        const event = await store.people.merge(mail.id, [site.id], owner.id, NOW + 10);
        assert.equal(event.kind, 'merged');
        assert.equal(event.actorId, owner.id);
        assert.deepEqual((event.detail as { merged: unknown }).merged, [{ id: site.id, name: 'Ada L.' }]);
        assert.equal(await store.people.findById(site.id), null);
        const survivor = await store.people.findById(mail.id);
        assert.deepEqual([survivor?.name, survivor?.email, survivor?.website], ['Ada', 'ada@example.com', 'https://ada.example']);
        assert.deepEqual((await store.people.identities(mail.id)).map((i) => `${i.kind}:${i.value}`), ['email:ada@example.com', 'email:ada@work.example', 'webmention:https://ada.example/about', 'website:https://ada.example']);
        const page = await store.people.timeline(mail.id, { limit: 50 });
        assert.deepEqual(ids(page.entries, 'comment'), [c1.id, c2.id]);
        assert.deepEqual(ids(page.entries, 'note'), [note.id]);
        assert.deepEqual((await store.people.labelsOf(mail.id)).map((l) => l.name), ['friend', 'maker']);
        assert.equal((await store.people.findByIdentity('webmention', 'https://ada.example/about'))?.id, mail.id);
        assert.equal((await store.people.merges(mail.id, NOW + 11)).length, 1);

        // Something new after the merge stays with the survivor.
        const later = await comment({ postId: post.id, personId: mail.id, authorEmail: 'ada@work.example', createdAt: NOW + 20 });
        await store.people.undoMerge(event.id, owner.id, NOW + 30);

        const back = await store.people.findById(site.id);
        assert.deepEqual([back?.name, back?.email, back?.website], ['Ada L.', 'ada@work.example', 'https://ada.example']);
        assert.deepEqual((await store.people.findById(mail.id))?.website, null);
        assert.deepEqual(await store.people.identities(site.id), siteIdentities);
        assert.deepEqual((await store.people.identities(mail.id)).map((i) => i.value), ['ada@example.com']);
        assert.deepEqual(ids((await store.people.timeline(site.id, { limit: 50 })).entries, 'comment'), [c2.id]);
        assert.deepEqual(ids((await store.people.timeline(mail.id, { limit: 50 })).entries, 'comment'), [c1.id, later.id]);
        assert.deepEqual((await store.people.notes(site.id)).map((n) => n.id), [note.id]);
        assert.deepEqual((await store.people.labelsOf(site.id)).map((l) => l.name), ['friend', 'maker']);
        assert.deepEqual((await store.people.labelsOf(mail.id)).map((l) => l.name), ['friend']);
        assert.deepEqual(ids((await store.people.timeline(site.id, { kinds: ['event'], limit: 50 })).entries, 'event'), siteEvents);
        assert.deepEqual((await store.people.trust(site.id)).trust, 'hold');
        const survivorEvents = (await store.people.timeline(mail.id, { kinds: ['event'], limit: 50 })).entries.map((e) => (e.kind === 'event' ? e.event.kind : ''));
        assert.ok(survivorEvents.includes('merged') && survivorEvents.includes('split'));
        assert.deepEqual(await store.people.merges(mail.id, NOW + 31), []);
        // Identities keep working after the undo: a new one gets a fresh id.
        await store.people.addIdentity(site.id, 'handle', '@ada@social.example', false, NOW + 40);
      });

      it('refuses merging a person with themself (422), someone unknown (404), and a second undo or one after 30 days (409), changing nothing', async () => {
        const { owner, mail, site } = await twoPeople();
        await assert.rejects(store.people.merge(mail.id, [mail.id], owner.id, NOW), (e: unknown) => e instanceof DomainError && e.code === 'validation_failed' && /themself/.test(e.message));
        await assert.rejects(store.people.merge(mail.id, [site.id, 9999], owner.id, NOW), (e: unknown) => e instanceof DomainError && e.code === 'not_found');
        assert.notEqual(await store.people.findById(site.id), null);
        assert.equal((await store.people.identities(site.id)).length, 3);
        const event = await store.people.merge(mail.id, [site.id], owner.id, NOW + 10);
        await assert.rejects(store.people.undoMerge(event.id, owner.id, NOW + 10 + 31 * DAY), (e: unknown) => e instanceof DomainError && e.code === 'conflict' && /30 days/.test(e.message));
        assert.equal(await store.people.findById(site.id), null);
        assert.deepEqual(await store.people.merges(mail.id, NOW + 10 + 31 * DAY), []);
        await store.people.undoMerge(event.id, owner.id, NOW + 20);
        await assert.rejects(store.people.undoMerge(event.id, owner.id, NOW + 21), (e: unknown) => e instanceof DomainError && e.code === 'conflict' && /already/.test(e.message));
      });

      it('keeps one row when both held the same identity, proven if either was, and the undo gives each theirs back', async () => {
        const { owner } = await setup();
        const a = await store.people.upsertByEmail({ name: 'Bo', email: 'bo@example.com', website: 'https://bo.example' }, NOW);
        const b = await store.people.upsertByEmail({ name: 'Bo', email: 'bo@other.example', website: null }, NOW);
        await store.people.addIdentity(b.id, 'website', 'https://bo.example', true, NOW);
        const event = await store.people.merge(a.id, [b.id], owner.id, NOW + 1);
        const sites = (await store.people.identities(a.id)).filter((i) => i.kind === 'website');
        assert.deepEqual(sites.map((i) => [i.value, i.verified]), [['https://bo.example', true]]);
        await store.people.undoMerge(event.id, owner.id, NOW + 2);
        assert.deepEqual((await store.people.identities(a.id)).filter((i) => i.kind === 'website').map((i) => i.verified), [false]);
        assert.deepEqual((await store.people.identities(b.id)).filter((i) => i.kind === 'website').map((i) => i.verified), [true]);
      });

      it('undoes an earlier merge after the survivor was merged on: the first merged person comes back, the last survivor keeps its own fields', async () => {
        const { owner } = await setup();
        const a = await store.people.upsertByEmail({ name: 'A', email: 'a@example.com', website: null }, NOW);
        const b = await store.people.upsertByEmail({ name: 'B', email: 'b@example.com', website: 'https://b.example' }, NOW);
        const z = await store.people.upsertByEmail({ name: 'Z', email: 'z@example.com', website: 'https://z.example' }, NOW);
        const first = await store.people.merge(a.id, [b.id], owner.id, NOW + 1);
        await store.people.merge(z.id, [a.id], owner.id, NOW + 2);
        assert.deepEqual((await store.people.merges(z.id, NOW + 3)).map((m) => m.merged.map((p) => p.name)), [['A'], ['B']]);
        await store.people.undoMerge(first.id, owner.id, NOW + 3);
        const zNow = await store.people.findById(z.id);
        assert.deepEqual([zNow?.name, zNow?.email, zNow?.website], ['Z', 'z@example.com', 'https://z.example']);
        assert.deepEqual((await store.people.identities(b.id)).map((i) => i.value), ['b@example.com', 'https://b.example']);
        assert.deepEqual((await store.people.identities(z.id)).map((i) => i.value), ['a@example.com', 'z@example.com', 'https://z.example']);
      });

      it('suggests duplicates with the reason: a shared website, an identity naming another, the same name with a similar address', async () => {
        await setup();
        const a = await store.people.upsertByEmail({ name: 'Ada', email: 'ada@example.com', website: 'https://ada.example' }, NOW);
        const b = await store.people.upsertByEmail({ name: 'Ada Lovelace', email: 'al@example.org', website: 'https://ada.example/' }, NOW);
        const c = await store.people.upsertByEmail({ name: 'ada', email: 'ada@work.example', website: null }, NOW);
        const d = await store.people.upsertByEmail({ name: 'Cy', email: 'cy@example.com', website: null }, NOW);
        await store.people.addIdentity(d.id, 'webmention', 'https://ada.example', false, NOW);
        const e = await store.people.upsertByEmail({ name: 'Cy', email: 'cyy@example.net', website: null }, NOW);
        await store.people.upsertByEmail({ name: 'Cy', email: 'someone.else@example.com', website: null }, NOW);
        const all = await store.people.duplicates(null, 20);
        assert.deepEqual(
          all.map((s) => [s.a.id, s.b.id, s.reasons]),
          [
            [a.id, b.id, ['both gave the website https://ada.example']],
            [a.id, c.id, ['the same name, and ada@example.com and ada@work.example share the part before the @']],
            [a.id, d.id, ["https://ada.example is one's website and the other's webmention author"]],
            [b.id, d.id, ["https://ada.example is one's website and the other's webmention author"]],
            [d.id, e.id, ['the same name, and cy@example.com and cyy@example.net differ by 1 letter before the @']],
          ],
        );
        assert.deepEqual((await store.people.duplicates(c.id, 20)).map((s) => [s.a.id, s.b.id]), [[a.id, c.id]]);
      });
    });
  });
}

forEachEngine('PeopleRepository', peopleContract);
