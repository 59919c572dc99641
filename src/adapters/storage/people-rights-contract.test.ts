import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DomainError } from '../../core/errors.ts';
import { FORGOTTEN_REASON, REDACTED_MAIL } from '../../core/person-rights.ts';
import type { CommentWrite, PostWrite, Store, User } from '../../core/store.ts';
import { forEachEngine, type OpenStore } from './test-engines.ts';

const NOW = Date.UTC(2024, 0, 15, 12);
const MIN = 60_000;

function postWrite(authorId: number, slug: string): PostWrite {
  return {
    type: 'post', slug, title: `Title of ${slug}`, markdown: 'Words.', html: '<p>Words.</p>', excerpt: 'Words.', status: 'published', visibility: 'public',
    publishedAt: NOW - MIN, authorId, coverImage: null, commentsMode: 'inherit', commentsCloseDays: null, tags: [],
  };
}

const is = (code: DomainError['code']) => (e: unknown) => e instanceof DomainError && e.code === code;

function personRightsContract(name: string, open: OpenStore): void {
  describe(name, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeEach(async () => ({ store, cleanup } = await open()));
    afterEach(() => cleanup());

    const comment = (over: Partial<CommentWrite> & { postId: number }) =>
      store.comments.create({ parentId: null, personId: null, userId: null, authorName: 'Reader', authorEmail: 'reader@example.com', authorUrl: null, markdown: 'Hi.', html: '<p>Hi.</p>', status: 'approved', createdAt: NOW, ...over });

    /**
     * Ada, with something in every place a person's data lives, and Bob beside her (whose
     * data must never move): returns what the tests look at.
     */
    async function adaAndBob() {
      const owner = await store.users.create({ email: 'owner@example.com', name: 'Owner', slug: 'owner', bio: '', role: 'owner', passwordHash: null, createdAt: NOW });
      const post = await store.posts.create(postWrite(owner.id, 'hello'), NOW);
      const ada = await store.people.upsertByEmail({ name: 'Ada Lovelace', email: 'ada@example.com', website: 'https://ada.example/' }, NOW);
      const bob = await store.people.upsertByEmail({ name: 'Bob', email: 'bob@example.com', website: null }, NOW);
      await store.people.addIdentity(ada.id, 'fediverse', 'https://social.example/users/ada', true, NOW);
      await store.people.addIdentity(ada.id, 'handle', '@ada@social.example', true, NOW);
      const personal = { authorName: 'Ada Lovelace', authorEmail: 'ada@example.com', authorUrl: 'https://ada.example/', ip: '198.51.100.7', userAgent: 'Analytical/1.0', editTokenHash: 'secret-hash' };
      const first = await comment({ postId: post.id, personId: ada.id, ...personal, markdown: 'The engine weaves.', html: '<p>The engine weaves.</p>', createdAt: NOW + MIN });
      const held = await comment({ postId: post.id, personId: ada.id, ...personal, markdown: 'Held words.', html: '<p>Held words.</p>', status: 'pending', createdAt: NOW + 2 * MIN });
      const bobs = await comment({ postId: post.id, personId: bob.id, authorName: 'Bob', authorEmail: 'bob@example.com', parentId: first.id, markdown: 'Bob answers Ada.', createdAt: NOW + 3 * MIN });
      await store.comments.addRevision({ commentId: first.id, markdown: 'My number is 555-0100.', html: '<p>My number is 555-0100.</p>', parentId: null, editedBy: null, editorName: 'Ada Lovelace', createdAt: NOW + MIN + 1 });
      await store.comments.addRevision({ commentId: bobs.id, markdown: 'Bob before.', html: '<p>Bob before.</p>', parentId: null, editedBy: null, editorName: 'Bob', createdAt: NOW + 3 * MIN + 1 });
      const received = await store.webmentions.receive({ source: 'https://ada.example/reply', target: 'https://blog.example/hello', postId: post.id, via: 'webmention' }, NOW);
      await store.webmentions.updateReceived(received.id, { status: 'verified', type: 'like', authorName: 'Ada L.', authorUrl: 'https://ada.example/', authorPhoto: 'https://ada.example/me.jpg', personId: ada.id, verifiedAt: NOW }, NOW);
      await store.subscriptions.subscribe({ kind: 'replies', email: 'ada@example.com', postId: post.id, commentId: first.id, token: 'ada-token', createdAt: NOW + MIN });
      await store.subscriptions.subscribe({ kind: 'post', email: 'bob@example.com', postId: post.id, commentId: null, token: 'bob-token', createdAt: NOW + MIN });
      await store.subscriptions.ensureAddress('ada@example.com', 'confirm-ada', NOW);
      await store.subscriptions.confirmAddress('ada@example.com', NOW);
      await store.outbox.enqueue({ idempotencyKey: `reply:${bobs.id}:ada@example.com`, kind: 'reply', to: 'ada@example.com', subject: 'Bob replied to your comment', text: 't', html: 'h', headers: {} }, NOW + 4 * MIN);
      await store.outbox.enqueue({ idempotencyKey: `held:${held.id}:${owner.id}`, kind: 'comment-held', to: 'owner@example.com', subject: 'Held for moderation: Ada Lovelace', text: 'Held words.', html: 'h', headers: {} }, NOW + 4 * MIN);
      await store.outbox.enqueue({ idempotencyKey: `reply:${first.id}:bob@example.com`, kind: 'post-comment', to: 'bob@example.com', subject: 'New comment from Ada Lovelace', text: 'The engine weaves.', html: 'h', headers: {} }, NOW + 4 * MIN);
      await store.outbox.enqueue({ idempotencyKey: `comment:${bobs.id}:${owner.id}`, kind: 'comment-new', to: 'owner@example.com', subject: 'New comment from Bob', text: 'Bob answers Ada.', html: 'h', headers: {} }, NOW + 4 * MIN);
      const toBob = (await store.outbox.list({ limit: 10, offset: 0 })).items.find((m) => m.idempotencyKey === `reply:${first.id}:bob@example.com`)!;
      await store.outbox.markSent(toBob.id, NOW + 5 * MIN);
      await store.rateLimits.hit('comment:email:ada@example.com', 60_000, 5, NOW);
      await store.people.addNote({ personId: ada.id, markdown: 'Met at the workshop.', html: '<p>Met at the workshop.</p>', authorId: owner.id, createdAt: NOW + 5 * MIN });
      await store.people.addLabel(ada.id, 'Mathematicians', owner.id, NOW + 5 * MIN);
      await store.people.addLabel(bob.id, 'Mathematicians', owner.id, NOW + 5 * MIN);
      await store.people.setTrust(ada.id, { trust: 'hold', reason: 'asked to look first', mutedUntil: null }, owner.id, NOW + 6 * MIN);
      const follower = (actorUri: string) => ({ actorUri, handle: null, inbox: `${actorUri}/inbox`, sharedInbox: null, status: 'accepted' as const, followId: `${actorUri}#follow` });
      await store.followers.upsert(follower('https://social.example/users/ada'), NOW);
      await store.followers.upsert(follower('https://social.example/users/bob'), NOW);
      // Her first comment came from the fediverse too; she and Bob each sent the blog a private Note.
      const actor = 'https://social.example/users/ada';
      await store.fediverseReplies.recordComment({ commentId: first.id, noteId: `${actor}/statuses/1`, actorUri: actor, handle: '@ada@social.example', url: 'https://social.example/@ada/1', inbox: `${actor}/inbox`, sharedInbox: null, createdAt: NOW + MIN });
      const mention = (who: string) => ({ noteId: `https://social.example/users/${who}/statuses/9`, actorUri: `https://social.example/users/${who}`, name: who, handle: null, profileUrl: null, url: null, visibility: 'direct' as const, inReplyTo: null, postId: post.id, html: `<p>Just for you, from ${who}</p>` });
      await store.fediverseReplies.saveMention(mention('ada'), NOW);
      await store.fediverseReplies.saveMention(mention('bob'), NOW);
      // What "who is this?" read on her website, and a look-up still queued.
      await store.whoIs.saveProfile({ website: 'https://ada.example', found: true, reason: null, reasonDetail: null, name: 'Ada L.', note: 'Countess', url: 'https://ada.example', photo: null, relMe: ['https://social.example/@ada'], fetchedAt: NOW });
      await store.jobs.enqueue({ kind: 'who-is', key: 'who-is:https://ada.example:again:1', payload: { website: 'https://ada.example' } }, NOW);
      const idea = await store.posts.create({ ...postWrite(owner.id, 'idea'), status: 'draft', publishedAt: null }, NOW + 7 * MIN);
      await store.postSources.create({ postId: idea.id, commentId: first.id, personId: ada.id, createdBy: owner.id, createdAt: NOW + 7 * MIN });
      return { owner, post, ada, bob, first, held, bobs, idea };
    }

    it('exports everything about one person — and nothing of anyone else — and nothing for someone unknown', async () => {
      const { ada, first, held, idea } = await adaAndBob();
      const data = (await store.people.dataOf(ada.id))!;
      assert.equal(data.person.name, 'Ada Lovelace');
      assert.equal(data.person.trust, 'hold');
      assert.equal(data.person.trustReason, 'asked to look first');
      assert.deepEqual(data.identities.map((i) => `${i.kind}:${i.value}:${i.verified}`), [
        'email:ada@example.com:false', 'fediverse:https://social.example/users/ada:true', 'handle:@ada@social.example:true', 'website:https://ada.example:false',
      ]);
      assert.deepEqual(data.comments.map((c) => [c.id, c.status, c.markdown]), [[first.id, 'approved', 'The engine weaves.'], [held.id, 'pending', 'Held words.']]);
      assert.deepEqual(data.commentRevisions.map((r) => r.markdown), ['My number is 555-0100.'], 'only the history of her comments');
      assert.deepEqual(data.webmentions.map((m) => m.authorPhoto), ['https://ada.example/me.jpg']);
      assert.deepEqual(data.subscriptions.map((s) => s.token), ['ada-token']);
      assert.deepEqual(data.mails.map((m) => m.subject), ['Bob replied to your comment'], 'mails to her, not the mails about her to others');
      assert.deepEqual(data.notes.map((n) => n.markdown), ['Met at the workshop.']);
      assert.deepEqual(data.labels.map((l) => l.name), ['Mathematicians']);
      assert.deepEqual(data.events.map((e) => e.kind), ['label-added', 'trust']);
      assert.deepEqual(data.follows.map((f) => f.actorUri), ['https://social.example/users/ada']);
      assert.deepEqual(data.postIdeas.map((s) => [s.postId, s.commentId]), [[idea.id, first.id]]);
      assert.deepEqual(data.fediverseComments.map((f) => [f.commentId, f.handle]), [[first.id, '@ada@social.example']]);
      assert.deepEqual(data.privateMentions.map((m) => m.html), ['<p>Just for you, from ada</p>']);
      assert.deepEqual(data.websiteProfiles.map((p) => [p.website, p.note, p.relMe]), [['https://ada.example', 'Countess', ['https://social.example/@ada']]]);
      assert.equal(await store.people.dataOf(999_999), null);
    });

    it('forgets a person in one go: identities, notes, labels, events, subscriptions, mails and follows go; comments stay as “Someone”, without their history', async () => {
      const { owner, post, ada, bob, first, held, bobs, idea } = await adaAndBob();
      const outcome = await store.people.forget(ada.id, 'anonymise', owner.id, NOW + 10 * MIN);

      assert.equal(await store.people.findById(ada.id), null);
      assert.equal(await store.people.findByEmail('ada@example.com'), null);
      assert.equal(await store.people.findByIdentity('fediverse', 'https://social.example/users/ada'), null);
      assert.deepEqual(await store.people.identities(ada.id), []);
      assert.deepEqual(await store.people.notes(ada.id), []);
      for (const id of [first.id, held.id]) {
        const c = (await store.comments.findById(id))!;
        assert.deepEqual(
          { name: c.authorName, email: c.authorEmail, url: c.authorUrl, ip: c.ip, ua: c.userAgent, token: c.editTokenHash, person: c.personId },
          { name: 'Someone', email: '', url: null, ip: null, ua: null, token: null, person: null },
        );
        assert.deepEqual(await store.comments.revisions(id), [], 'no earlier version keeps what they wrote before');
      }
      assert.equal((await store.comments.findById(first.id))!.markdown, 'The engine weaves.', 'the text stays');
      assert.equal((await store.comments.findById(first.id))!.status, 'approved');
      assert.equal((await store.comments.findById(held.id))!.status, 'pending');
      const mention = (await store.webmentions.listReceived(post.id))[0];
      assert.deepEqual([mention.authorName, mention.authorUrl, mention.authorPhoto, mention.personId, mention.status], [null, null, null, null, 'verified']);

      assert.notEqual(await store.subscriptions.findByToken('bob-token'), null, 'Bob’s subscription stays');
      assert.equal(await store.subscriptions.findByToken('ada-token'), null);
      assert.equal(await store.subscriptions.findAddress('ada@example.com'), null, 'her confirmed address is not kept either');
      const mails = (await store.outbox.list({ limit: 20, offset: 0 })).items;
      assert.deepEqual(mails.map((m) => m.to).sort(), ['bob@example.com', 'owner@example.com'], 'the mail to her and the unsent one about her are dropped');
      const redacted = mails.find((m) => m.to === 'bob@example.com')!;
      assert.equal(redacted.subject, REDACTED_MAIL.subject, 'a sent mail that quoted her keeps no text');
      assert.doesNotMatch(`${redacted.text}${redacted.html}`, /engine weaves/);
      assert.equal(mails.find((m) => m.to === 'owner@example.com')!.subject, 'New comment from Bob', 'a mail about someone else is untouched');
      assert.equal((await store.rateLimits.hit('comment:email:ada@example.com', 60_000, 1, NOW + 10 * MIN)).allowed, true, 'her rate-limit counter is gone');

      assert.equal(await store.whoIs.profile('https://ada.example'), null, 'what her website said is not kept');
      assert.deepEqual((await store.jobs.list({ kind: 'who-is', limit: 10, offset: 0 })).items, [], 'nor a look-up still to come');
      assert.equal(await store.followers.findByActor('https://social.example/users/ada'), null);
      assert.equal(await store.fediverseReplies.findByComment(first.id), null, 'her comment no longer says which account sent it');
      assert.deepEqual((await store.fediverseReplies.listMentions({ limit: 10, offset: 0 })).items.map((m) => m.name), ['bob'], 'her private Note is gone, Bob’s stays');
      assert.notEqual(await store.followers.findByActor('https://social.example/users/bob'), null);
      assert.deepEqual((await store.people.labels()).map((l) => l.name), ['Mathematicians'], 'the label itself stays for others');
      const source = (await store.postSources.find(idea.id))!;
      assert.deepEqual([source.commentId, source.personId], [first.id, null], 'the post idea keeps its comment, not the person');

      // Bob, who answered her and shares her label, keeps everything.
      assert.equal((await store.people.findById(bob.id))!.name, 'Bob');
      assert.equal((await store.comments.findById(bobs.id))!.authorName, 'Bob');
      assert.equal((await store.comments.revisions(bobs.id)).length, 1);
      assert.deepEqual((await store.people.labelsOf(bob.id)).map((l) => l.name), ['Mathematicians']);

      assert.deepEqual(outcome.counts, {
        comments: 2, revisions: 1, identities: 4, notes: 1, labels: 1, events: 2, subscriptions: 1, mails: 2, mailsRedacted: 1, webmentions: 1, follows: 1, postIdeas: 1, profiles: 1, privateMentions: 1,
      });
      const [audit] = await store.audit.list({ limit: 10 });
      assert.deepEqual(audit, outcome.audit);
      assert.equal(audit.action, 'person-forgotten');
      assert.equal(audit.actorId, owner.id);
      assert.equal(audit.detail.personId, ada.id);
      assert.equal(audit.detail.comments, 2);
      assert.doesNotMatch(JSON.stringify(audit), /ada|lovelace|example|198\.51|workshop|Mathematicians/i, 'the audit line holds no personal data');
      assert.equal(await store.people.dataOf(ada.id), null);
    });

    it('moves their comments to the trash when the author chooses, saying why, and hides their mentions', async () => {
      const { owner, post, ada, first, held } = await adaAndBob();
      await store.comments.setStatus([held.id], 'trash', ['trashed earlier'], NOW + 9 * MIN);
      const outcome = await store.people.forget(ada.id, 'trash', owner.id, NOW + 10 * MIN);
      const c = (await store.comments.findById(first.id))!;
      assert.deepEqual([c.status, c.statusChangedAt, c.authorName, c.authorEmail, c.moderationReasons], ['trash', NOW + 10 * MIN, 'Someone', '', [FORGOTTEN_REASON]]);
      assert.equal((await store.comments.findById(held.id))!.statusChangedAt, NOW + 9 * MIN, 'already in the trash: its 30 days are not extended');
      assert.equal((await store.webmentions.listReceived(post.id))[0].status, 'deleted');
      assert.deepEqual((await store.comments.listApproved(post.id)).map((x) => x.authorName), ['Bob']);
      assert.equal(outcome.choice, 'trash');
      assert.equal((await store.audit.list({ limit: 1 }))[0].detail.choice, 'trash');
    });

    it('keeps a website’s profile that someone else gives too', async () => {
      const { owner, ada } = await adaAndBob();
      const carol = await store.people.upsertByEmail({ name: 'Carol', email: 'carol@example.com', website: 'https://ada.example' }, NOW);
      const outcome = await store.people.forget(ada.id, 'anonymise', owner.id, NOW + 10 * MIN);
      assert.equal(outcome.counts.profiles, 0);
      assert.notEqual(await store.whoIs.profile('https://ada.example'), null, 'Carol’s website too');
      assert.notEqual(await store.people.findById(carol.id), null);
    });

    it('removes their name and addresses from the merge records others keep for an undo', async () => {
      const { owner, ada, bob } = await adaAndBob();
      const merged = await store.people.merge(bob.id, [ada.id], owner.id, NOW + 8 * MIN);
      await store.people.undoMerge(merged.id, owner.id, NOW + 9 * MIN);
      const bobEvents = async () => JSON.stringify((await store.people.timeline(bob.id, { limit: 50, kinds: ['event'] })).entries);
      assert.match(await bobEvents(), /ada@example\.com/, 'the merge record held her address');
      await store.people.forget(ada.id, 'anonymise', owner.id, NOW + 10 * MIN);
      const after = await bobEvents();
      assert.doesNotMatch(after, /ada@example\.com|Ada Lovelace|ada\.example/);
      assert.match(after, /"merged"/, 'the record of the merge itself stays');
    });

    it('refuses a team member’s person (422) and someone unknown (404), changing nothing', async () => {
      const { owner, post } = await adaAndBob();
      const staff = await store.people.upsertByEmail({ name: 'Owner', email: 'OWNER@example.com', website: null }, NOW);
      const theirs = await comment({ postId: post.id, personId: staff.id, authorName: 'Owner', authorEmail: 'owner@example.com' });
      await assert.rejects(store.people.forget(staff.id, 'anonymise', owner.id, NOW), (e: unknown) => is('validation_failed')(e) && /on the team/.test((e as Error).message));
      assert.equal((await store.people.findById(staff.id))!.name, 'Owner');
      assert.equal((await store.comments.findById(theirs.id))!.authorName, 'Owner');
      assert.equal((await store.people.identities(staff.id)).length, 1);
      await assert.rejects(store.people.forget(999_999, 'trash', owner.id, NOW), is('not_found'));
      assert.deepEqual(await store.audit.list({ limit: 10 }), []);
    });

    it('keeps where a post came from: one source per post, the wish to tell them, told once', async () => {
      const { owner, post, ada, first, idea } = await adaAndBob();
      assert.deepEqual(await store.postSources.find(idea.id), { postId: idea.id, commentId: first.id, personId: ada.id, createdBy: owner.id, createdAt: NOW + 7 * MIN, tellRequestedAt: null, toldAt: null });
      assert.equal(await store.postSources.find(post.id), null);
      await assert.rejects(store.postSources.create({ postId: idea.id, commentId: first.id, personId: ada.id, createdBy: owner.id, createdAt: NOW }));
      assert.deepEqual((await store.postSources.ofComments([first.id, 999])).map((s) => s.postId), [idea.id]);

      await store.postSources.setTellRequested(idea.id, NOW + 8 * MIN);
      assert.equal((await store.postSources.find(idea.id))!.tellRequestedAt, NOW + 8 * MIN);
      await store.postSources.setTellRequested(idea.id, null);
      assert.equal((await store.postSources.find(idea.id))!.tellRequestedAt, null, 'unticked again');
      await store.postSources.setTellRequested(idea.id, NOW + 9 * MIN);
      const told = await Promise.all([store.postSources.markTold(idea.id, NOW + 10 * MIN), store.postSources.markTold(idea.id, NOW + 11 * MIN)]);
      assert.deepEqual(told.sort(), [false, true], 'told once, however many try');
      assert.ok([NOW + 10 * MIN, NOW + 11 * MIN].includes((await store.postSources.find(idea.id))!.toldAt!), 'the time of the one that told');
      assert.equal(await store.postSources.markTold(idea.id, NOW + 12 * MIN), false);
      await store.postSources.setTellRequested(idea.id, null);
      assert.equal((await store.postSources.find(idea.id))!.tellRequestedAt, NOW + 9 * MIN, 'once told, the wish is history');

      // A comment deleted for good leaves the post its source, without the comment; a post deleted takes the row along.
      const lone = await comment({ postId: post.id, personId: ada.id, status: 'spam' });
      const other = await store.posts.create({ ...postWrite(owner.id, 'idea-two'), status: 'draft', publishedAt: null }, NOW);
      await store.postSources.create({ postId: other.id, commentId: lone.id, personId: ada.id, createdBy: owner.id, createdAt: NOW });
      assert.deepEqual(await store.comments.deleteForever([lone.id]), [lone.id]);
      assert.equal((await store.postSources.find(other.id))!.commentId, null);
      await store.posts.trash(idea.id, NOW);
      await store.posts.purge(idea.id);
      assert.equal(await store.postSources.find(idea.id), null);
    });

    it('lists the audit log newest first, by action, a page at a time', async () => {
      const owner: User = await store.users.create({ email: 'owner@example.com', name: 'Owner', slug: 'owner', bio: '', role: 'owner', passwordHash: null, createdAt: NOW });
      const added = [];
      for (let i = 0; i < 5; i++) added.push(await store.audit.add({ action: 'person-forgotten', detail: { personId: i + 1, comments: i }, actorId: i % 2 === 0 ? owner.id : null, createdAt: NOW + (i < 2 ? 0 : i) }));
      const first = await store.audit.list({ action: 'person-forgotten', limit: 2 });
      assert.deepEqual(first.map((e) => e.detail.personId), [5, 4]);
      const rest = await store.audit.list({ limit: 10, before: { createdAt: first[1].createdAt, id: first[1].id } });
      assert.deepEqual(rest.map((e) => e.detail.personId), [3, 2, 1], 'equal times page by id');
      assert.deepEqual(added[0].actorId, owner.id);
    });
  });
}

forEachEngine('People: export, forget and post sources', personRightsContract);
