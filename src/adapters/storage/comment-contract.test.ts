import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Comment, CommentWrite, Store } from '../../core/store.ts';
import { forEachEngine, type OpenStore } from './test-engines.ts';

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;

forEachEngine('Comment repository contract', (name: string, open: OpenStore) => {
  describe(name, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let postId: number;
    let otherPostId: number;
    let authorId: number;

    beforeEach(async () => {
      ({ store, cleanup } = await open());
      const user = await store.users.create({ email: 'a@example.com', name: 'A', slug: 'a', bio: '', role: 'owner', passwordHash: null, createdAt: T0 });
      authorId = user.id;
      const base = {
        type: 'post' as const, title: 'P', markdown: '', html: '', excerpt: '', status: 'published' as const, visibility: 'public' as const,
        publishedAt: T0, authorId, coverImage: null, tags: [], commentsMode: 'inherit' as const, commentsCloseDays: null,
      };
      postId = (await store.posts.create({ ...base, slug: 'p' }, T0)).id;
      otherPostId = (await store.posts.create({ ...base, slug: 'q' }, T0)).id;
    });
    afterEach(() => cleanup());

    let clock = T0;
    const write = (overrides: Partial<CommentWrite> = {}): CommentWrite => ({
      postId, parentId: null, personId: null, userId: null, authorName: 'Reader', authorEmail: 'r@example.org', authorUrl: null,
      markdown: 'hello', html: `<p>${overrides.markdown ?? 'hello'}</p>`, status: 'approved', createdAt: (clock += MIN), ...overrides,
    });

    it('derives the conversation root and depth from the parent', async () => {
      const root = await store.comments.create(write());
      const reply = await store.comments.create(write({ parentId: root.id }));
      const deeper = await store.comments.create(write({ parentId: reply.id, moderationReasons: ['4 links'], spamScore: 0.5, source: 'api' }));
      assert.deepEqual([root.rootId, root.depth], [root.id, 0]);
      assert.deepEqual([reply.rootId, reply.depth], [root.id, 1]);
      assert.deepEqual([deeper.rootId, deeper.depth], [root.id, 2]);
      assert.deepEqual(deeper.moderationReasons, ['4 links']);
      assert.equal(deeper.spamScore, 0.5);
      assert.equal(deeper.source, 'api');
      assert.equal(deeper.learnedAs, null);
      assert.deepEqual(await store.comments.findById(deeper.id), deeper);
    });

    it("stores a reader's comment with the person their address belongs to, as upsertByEmail finds or makes them", async () => {
      const { personId: _, ...reader } = write({ authorName: 'Reader', authorEmail: 'Reader@Example.org', authorUrl: 'https://reader.example/' });
      const first = await store.transaction((tx) => tx.comments.createByEmail({ name: 'Reader', email: ' Reader@Example.org ', website: 'https://reader.example/' }, reader, T0 + 1));
      const person = await store.people.findByEmail('reader@example.org');
      assert.ok(person);
      assert.deepEqual([first.personId, first.rootId, first.depth, first.authorEmail, first.status], [person.id, first.id, 0, 'Reader@Example.org', 'approved']);
      assert.deepEqual([person.name, person.website], ['Reader', 'https://reader.example/']);
      const identities = (await store.people.identities(person.id)).map((i) => [i.kind, i.value, i.lastSeen]).sort();
      assert.deepEqual(identities, [['email', 'reader@example.org', T0 + 1], ['website', 'https://reader.example', T0 + 1]].sort());
      // The same address again, under a new name and without a website: the same person, renamed,
      // their website kept; a reply takes its conversation from its parent.
      const { personId: __, ...second } = write({ authorName: 'R. Eader', authorEmail: 'reader@example.org', parentId: first.id });
      const reply = await store.comments.createByEmail({ name: 'R. Eader', email: 'reader@example.org', website: null }, second, T0 + 2);
      const { personId: ___, ...third } = write({ authorName: 'R. Eader', authorEmail: 'READER@example.org' });
      const another = await store.comments.createByEmail({ name: 'R. Eader', email: 'READER@example.org', website: null }, third, T0 + 3);
      assert.deepEqual([reply.personId, reply.rootId, reply.depth, another.personId, another.rootId], [person.id, first.id, 1, person.id, another.id]);
      const again = await store.people.findById(person.id);
      assert.deepEqual([again?.name, again?.website], ['R. Eader', 'https://reader.example/']);
      assert.deepEqual((await store.people.identities(person.id)).find((i) => i.kind === 'email')?.lastSeen, T0 + 3);
      // Someone else's address: someone else.
      const { personId: ____, ...other } = write({ authorEmail: 'other@example.org' });
      const theirs = await store.comments.createByEmail({ name: 'Other', email: 'other@example.org', website: null }, other, T0 + 4);
      assert.notEqual(theirs.personId, person.id);
      assert.equal(theirs.personId, (await store.people.findByEmail('other@example.org'))?.id);
    });

    it("stores a reader's comment with the mail it causes, built from the comment as stored, and with their person", async () => {
      const built: Comment[] = [];
      const mail = (comment: Comment) => {
        built.push(comment);
        return ['owner@example.com', 'author@example.com'].map((to) => ({
          idempotencyKey: `held:${comment.id}:${to}`, kind: 'comment-held', to, subject: `Held: ${comment.authorName}`,
          text: `“${comment.markdown}” (${comment.id}) \\ 'quoted' "twice"`, html: `<p>{${comment.id}}</p>`, headers: { 'Auto-Submitted': 'auto-generated' },
        }));
      };
      const { personId: _, ...held } = write({ authorName: 'Reader', authorEmail: 'held@example.org', markdown: 'wait, {please}', status: 'pending', moderationReasons: ['2 links'] });
      const comment = await store.comments.createByEmail({ name: 'Reader', email: 'held@example.org', website: null }, held, T0 + 5, mail);
      const person = await store.people.findByEmail('held@example.org');
      assert.ok(person);
      assert.deepEqual([comment.personId, comment.rootId, comment.status, comment.moderationReasons], [person.id, comment.id, 'pending', ['2 links']]);
      assert.deepEqual(await store.comments.findById(comment.id), comment);
      // The mail was built from the comment with its id, as it was stored.
      assert.equal(built.length, 1);
      const { personId: __, ...builtRest } = built[0];
      const { personId: ___, ...storedRest } = comment;
      assert.deepEqual(builtRest, storedRest);
      const messages = (await store.outbox.list({ limit: 10, offset: 0 })).items;
      assert.deepEqual(
        messages.map((m) => [m.idempotencyKey, m.to, m.text, m.html, m.headers, m.status, m.createdAt]).sort(),
        [
          [`held:${comment.id}:author@example.com`, 'author@example.com', `“wait, {please}” (${comment.id}) \\ 'quoted' "twice"`, `<p>{${comment.id}}</p>`, { 'Auto-Submitted': 'auto-generated' }, 'pending', T0 + 5],
          [`held:${comment.id}:owner@example.com`, 'owner@example.com', `“wait, {please}” (${comment.id}) \\ 'quoted' "twice"`, `<p>{${comment.id}}</p>`, { 'Auto-Submitted': 'auto-generated' }, 'pending', T0 + 5],
        ],
      );
      // A reply is written with its mail too (in a transaction on every engine).
      const { personId: ____, ...reply } = write({ authorEmail: 'held@example.org', parentId: comment.id, status: 'pending' });
      const answer = await store.comments.createByEmail({ name: 'Reader', email: 'held@example.org', website: null }, reply, T0 + 6, mail);
      assert.equal(answer.rootId, comment.id);
      assert.equal((await store.outbox.list({ limit: 10, offset: 0 })).items.filter((m) => m.idempotencyKey.startsWith(`held:${answer.id}:`)).length, 2);
    });

    it("starts a reader's comment with the person their address names, the staff, and (where drawn) the id the held comment's mail is built with", async () => {
      const author = await store.users.create({ email: 'author@example.com', name: 'B', slug: 'b', bio: '', role: 'author', passwordHash: 'secret', createdAt: T0 });
      const staff = (await store.users.list()).map(({ id, email, role }) => ({ id, email, role }));
      assert.deepEqual(staff.map((u) => u.id), [authorId, author.id]);
      // Someone new: no person, every user, in users.list()'s order, without their secrets.
      const fresh = await store.comments.startByEmail('New@Example.org');
      assert.deepEqual([fresh.person, fresh.staff], [null, staff]);
      // Someone known, by their primary address or by an email identity of theirs (as findByEmail finds them).
      const { personId: _, ...first } = write({ authorEmail: 'known@example.org' });
      const made = await store.comments.createByEmail({ name: 'Known', email: 'known@example.org', website: null }, first, T0 + 1);
      const known = await store.comments.startByEmail(' KNOWN@example.org ');
      assert.deepEqual(known.person, await store.people.findByEmail('known@example.org'));
      assert.equal(known.person?.id, made.personId);
      await store.people.addIdentity(made.personId as number, 'email', 'alias@example.org', false, T0 + 2);
      assert.equal((await store.comments.startByEmail('alias@example.org')).person?.id, made.personId);
      // The id drawn (PostgreSQL) is the id the held comment and its mail are written with;
      // SQLite and memory draw in the write. Ids drawn and not used leave a gap, nothing else.
      const start = await store.comments.startByEmail('held-start@example.org');
      const other = await store.comments.startByEmail('unused@example.org');
      const mailed: number[] = [];
      const mail = (comment: Comment) => {
        mailed.push(comment.id);
        return [{ idempotencyKey: `held:${comment.id}:1`, kind: 'comment-held', to: 'author@example.com', subject: 'Held', text: `${comment.id}`, html: `<p>${comment.id}</p>`, headers: {} }];
      };
      const { personId: __, ...held } = write({ authorEmail: 'held-start@example.org', status: 'pending' });
      const comment = await store.comments.createByEmail({ name: 'Held', email: 'held-start@example.org', website: null }, held, T0 + 3, mail, start.drawnId);
      if (name.endsWith('(PostgreSQL)')) {
        assert.ok(start.drawnId !== null && other.drawnId !== null && other.drawnId > start.drawnId);
        assert.equal(comment.id, start.drawnId);
      } else {
        assert.deepEqual([start.drawnId, other.drawnId], [null, null]);
      }
      assert.deepEqual(mailed, [comment.id]);
      assert.deepEqual(await store.comments.findById(comment.id), comment);
      assert.deepEqual((await store.outbox.list({ limit: 10, offset: 0 })).items.map((m) => m.idempotencyKey), [`held:${comment.id}:1`]);
      const next = await store.comments.create(write());
      assert.ok(next.id > comment.id);
    });

    it("counts a reader's comment's rate limits with its start, all or none, each result in the order asked", async () => {
      const ok = { allowed: true, retryAfterMs: 0 };
      const checks = [
        { key: 'start:email', windowMs: 1000, max: 1 },
        { key: 'start:ip', windowMs: 1000, max: 2 },
      ];
      const { personId: _, ...first } = write({ authorEmail: 'limited@example.org' });
      const made = await store.comments.createByEmail({ name: 'Limited', email: 'limited@example.org', website: null }, first, T0);
      const start = await store.comments.startByEmail('limited@example.org', { checks, now: T0 + 10 });
      assert.deepEqual(start.limits, [ok, ok]);
      assert.equal(start.person?.id, made.personId);
      // The address's second comment within its minute is refused, and counts against neither key;
      // the look-up is answered all the same.
      const refused = await store.comments.startByEmail('limited@example.org', { checks, now: T0 + 110 });
      assert.deepEqual(refused.limits, [{ allowed: false, retryAfterMs: 900 }, ok]);
      assert.equal(refused.person?.id, made.personId);
      // Without limits, nothing is counted and none is answered.
      assert.deepEqual((await store.comments.startByEmail('limited@example.org')).limits, []);
      // start:ip was counted once: its second hit in the window is allowed, its third is not.
      assert.deepEqual(await store.rateLimits.hit('start:ip', 1000, 2, T0 + 200), ok);
      assert.deepEqual(await store.rateLimits.hit('start:ip', 1000, 2, T0 + 210), { allowed: false, retryAfterMs: 800 });
      // The results follow the order of the checks, whatever order the store counted them in.
      const reversed = await store.comments.startByEmail('other@example.org', { checks: [checks[1], { key: 'start:other', windowMs: 1000, max: 1 }], now: T0 + 300 });
      assert.deepEqual(reversed.limits, [{ allowed: false, retryAfterMs: 710 }, ok]);
      assert.equal(reversed.person, null);
      // Refused again (start:ip is full), so start:other was not counted: its one hit is still free.
      assert.deepEqual(await store.rateLimits.hit('start:other', 1000, 1, T0 + 400), ok);
    });

    it('refuses a parent on another post', async () => {
      const elsewhere = await store.comments.create(write({ postId: otherPostId }));
      await assert.rejects(store.comments.create(write({ parentId: elsewhere.id })), (e: { code?: string }) => e.code === 'not_found');
    });

    it('pages conversations with a keyset cursor, keeping replies with their conversation', async () => {
      const roots: Comment[] = [];
      for (let i = 0; i < 5; i++) {
        const root = await store.comments.create(write({ markdown: `root ${i}` }));
        roots.push(root);
        await store.comments.create(write({ parentId: root.id, markdown: `reply ${i}` }));
      }
      // A conversation whose only approved comment is a reply still counts; one with nothing approved does not.
      const hiddenRoot = await store.comments.create(write({ status: 'pending', markdown: 'held root' }));
      await store.comments.create(write({ parentId: hiddenRoot.id, markdown: 'visible reply' }));
      await store.comments.create(write({ status: 'spam', markdown: 'spam root' }));

      const first = await store.comments.threadPage(postId, null, 2);
      assert.deepEqual(first.comments.map((c) => c.html), ['<p>root 0</p>', '<p>reply 0</p>', '<p>root 1</p>', '<p>reply 1</p>']);
      assert.deepEqual(first.next, { createdAt: roots[1].createdAt, id: roots[1].id });
      const second = await store.comments.threadPage(postId, first.next, 2);
      assert.deepEqual(second.comments.map((c) => c.html), ['<p>root 2</p>', '<p>reply 2</p>', '<p>root 3</p>', '<p>reply 3</p>']);
      const third = await store.comments.threadPage(postId, second.next, 2);
      assert.deepEqual(third.comments.map((c) => c.html), ['<p>root 4</p>', '<p>reply 4</p>', '<p>visible reply</p>']);
      assert.equal(third.next, null);

      assert.equal(await store.comments.conversationsBefore(roots[3].id), 3);
      assert.equal(await store.comments.conversationsBefore(hiddenRoot.id + 1), 5);
      assert.equal(await store.comments.cursorAt(postId, 0), null);
      assert.deepEqual(await store.comments.cursorAt(postId, 4), { createdAt: roots[3].createdAt, id: roots[3].id });
    });

    it('moves comments between statuses, reporting only those that changed', async () => {
      const a = await store.comments.create(write({ status: 'pending', moderationReasons: ['first comment from this person'] }));
      const b = await store.comments.create(write({ status: 'approved' }));
      const changed = await store.comments.setStatus([a.id, b.id], 'approved', [], clock + 1);
      assert.deepEqual(changed.map((c) => c.id), [a.id]);
      assert.deepEqual(changed[0].moderationReasons, []);
      assert.equal(changed[0].statusChangedAt, clock + 1);
      const kept = await store.comments.setStatus([b.id], 'spam', null, clock + 2);
      assert.deepEqual(kept[0].moderationReasons, []);
      await store.comments.setLearnedAs(b.id, 'spam');
      assert.equal((await store.comments.findById(b.id))?.learnedAs, 'spam');
      assert.deepEqual(await store.comments.countByStatus(), { pending: 0, approved: 1, spam: 1, trash: 0 });
    });

    it('edits the body and records when', async () => {
      const c = await store.comments.create(write());
      const edited = await store.comments.updateBody(c.id, 'fixed', '<p>fixed</p>', clock + 5);
      assert.equal(edited.markdown, 'fixed');
      assert.equal(edited.html, '<p>fixed</p>');
      assert.equal(edited.editedAt, clock + 5);
    });

    it('moves a reply with its replies under another comment: root and depth of the whole subtree follow', async () => {
      const a = await store.comments.create(write({ markdown: 'A' }));
      const b = await store.comments.create(write({ markdown: 'B' }));
      const a1 = await store.comments.create(write({ parentId: a.id }));
      const a11 = await store.comments.create(write({ parentId: a1.id }));
      const a111 = await store.comments.create(write({ parentId: a11.id }));
      const a2 = await store.comments.create(write({ parentId: a.id }));
      const b1 = await store.comments.create(write({ parentId: b.id }));
      const place = async (id: number) => {
        const c = (await store.comments.findById(id))!;
        return [c.parentId, c.rootId, c.depth];
      };

      // a1 (with a11 and a111 under it) moves under b1, one level deeper than before.
      const moved = await store.comments.move(a1.id, b1.id, T0 + 5);
      assert.deepEqual([moved.parentId, moved.rootId, moved.depth, moved.updatedAt], [b1.id, b.id, 2, T0 + 5]);
      assert.deepEqual(await place(a11.id), [a1.id, b.id, 3]);
      assert.deepEqual(await place(a111.id), [a11.id, b.id, 4]);
      assert.deepEqual(await place(a2.id), [a.id, a.id, 1], 'a sibling stays where it was');
      assert.deepEqual(await place(b1.id), [b.id, b.id, 1]);

      // To the top level: it starts its own conversation, and its replies come with it.
      await store.comments.move(a1.id, null, T0 + 6);
      assert.deepEqual(await place(a1.id), [null, a1.id, 0]);
      assert.deepEqual(await place(a11.id), [a1.id, a1.id, 1]);
      assert.deepEqual(await place(a111.id), [a11.id, a1.id, 2]);

      // A whole conversation moves under another one.
      await store.comments.move(b.id, a2.id, T0 + 7);
      assert.deepEqual(await place(b.id), [a2.id, a.id, 2]);
      assert.deepEqual(await place(b1.id), [b.id, a.id, 3]);

      // The threads read as they should: a1's conversation and a's, each with its replies.
      const page = await store.comments.threadPage(postId, null, 10);
      assert.deepEqual(
        page.comments.map((c) => [c.id, c.rootId, c.depth]).sort((x, y) => x[0] - y[0]),
        [[a.id, a.id, 0], [b.id, a.id, 2], [a1.id, a1.id, 0], [a11.id, a1.id, 1], [a111.id, a1.id, 2], [a2.id, a.id, 1], [b1.id, a.id, 3]],
      );
    });

    it('refuses to move a comment under itself, its own replies, another post or a missing comment, changing nothing', async () => {
      const a = await store.comments.create(write());
      const a1 = await store.comments.create(write({ parentId: a.id }));
      const a11 = await store.comments.create(write({ parentId: a1.id }));
      const elsewhere = await store.comments.create(write({ postId: otherPostId }));
      const refused = async (parentId: number, message: RegExp) =>
        assert.rejects(store.comments.move(a1.id, parentId, T0), (e: { code?: string; message: string }) => e.code === 'validation_failed' && message.test(e.message));
      await refused(a1.id, /cannot answer itself/);
      await refused(a11.id, /under one of its own replies/);
      await refused(elsewhere.id, /only move within its own post/);
      await refused(a11.id + 1000, /no comment/);
      assert.deepEqual(await store.comments.findById(a1.id), a1);
      assert.deepEqual(await store.comments.findById(a11.id), a11);
    });

    it('keeps a comment’s history, oldest first, and drops it when the comment is purged', async () => {
      const a = await store.comments.create(write());
      const b = await store.comments.create(write({ parentId: a.id, markdown: 'first' }));
      const first = await store.comments.addRevision({ commentId: b.id, markdown: 'first', html: '<p>first</p>', parentId: a.id, editedBy: authorId, editorName: 'A', createdAt: T0 + 1 });
      const second = await store.comments.addRevision({ commentId: b.id, markdown: 'second', html: '<p>second</p>', parentId: null, editedBy: null, editorName: 'Reader', createdAt: T0 + 2 });
      assert.deepEqual(first, { id: first.id, commentId: b.id, markdown: 'first', html: '<p>first</p>', parentId: a.id, editedBy: authorId, editorName: 'A', createdAt: T0 + 1 });
      assert.deepEqual(await store.comments.revisions(b.id), [first, second]);
      assert.deepEqual(await store.comments.revisions(a.id), []);

      await store.comments.setStatus([b.id], 'trash', null, T0);
      await store.comments.purgeTrash(T0 + 1);
      assert.deepEqual(await store.comments.revisions(b.id), []);
      assert.equal(await store.archive.count('commentRevisions'), 0);
    });

    it('rolls a move and its history back together', async () => {
      const a = await store.comments.create(write());
      const b = await store.comments.create(write());
      const a1 = await store.comments.create(write({ parentId: a.id }));
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.comments.addRevision({ commentId: a1.id, markdown: a1.markdown, html: a1.html, parentId: a1.parentId, editedBy: null, editorName: 'x', createdAt: T0 });
          await tx.comments.move(a1.id, b.id, T0);
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.deepEqual(await store.comments.findById(a1.id), a1);
      assert.deepEqual(await store.comments.revisions(a1.id), []);
    });

    it('deletes spam for good, with its history, unless a kept comment answers it', async () => {
      const kept = await store.comments.create(write());
      const spam = await store.comments.create(write({ status: 'spam' }));
      const spamWithReply = await store.comments.create(write({ status: 'spam' }));
      await store.comments.create(write({ parentId: spamWithReply.id }));
      const spamUnderSpam = await store.comments.create(write({ parentId: spam.id, status: 'spam' }));
      await store.comments.addRevision({ commentId: spam.id, markdown: 'x', html: 'x', parentId: null, editedBy: null, editorName: 'x', createdAt: T0 });
      const deleted = await store.comments.deleteForever([kept.id, spam.id, spamWithReply.id, spamUnderSpam.id, 999_999]);
      assert.deepEqual(deleted, [spam.id, spamUnderSpam.id]);
      assert.equal(await store.comments.findById(spam.id), null);
      assert.equal(await store.comments.findById(spamUnderSpam.id), null);
      assert.ok(await store.comments.findById(kept.id), 'an approved comment is never deleted this way');
      assert.ok(await store.comments.findById(spamWithReply.id), 'spam that a kept comment answers stays');
      assert.deepEqual(await store.comments.revisions(spam.id), []);
      assert.deepEqual(await store.comments.deleteForever([]), []);
    });

    it('lists comments for moderation by status, post, person and text, newest first', async () => {
      const person = await store.people.upsertByEmail({ name: 'Nia', email: 'nia@example.org', website: null }, T0);
      const one = await store.comments.create(write({ status: 'pending', personId: person.id, markdown: 'Cheap Pills here', authorName: 'Nia' }));
      const two = await store.comments.create(write({ status: 'pending', postId: otherPostId, markdown: 'kind words' }));
      await store.comments.create(write({ status: 'approved' }));
      assert.deepEqual((await store.comments.listForModeration({ status: 'pending', limit: 10, offset: 0 })).items.map((c) => c.id), [two.id, one.id]);
      assert.deepEqual((await store.comments.listForModeration({ postId: otherPostId, limit: 10, offset: 0 })).items.map((c) => c.id), [two.id]);
      assert.deepEqual((await store.comments.listForModeration({ personId: person.id, limit: 10, offset: 0 })).items.map((c) => c.id), [one.id]);
      const search = await store.comments.listForModeration({ text: 'cheap pills', limit: 10, offset: 0 });
      assert.deepEqual([search.total, search.items[0]?.id], [1, one.id]);
      assert.equal(await store.comments.hasApproved(person.id), false);
      await store.comments.setStatus([one.id], 'approved', [], clock);
      assert.equal(await store.comments.hasApproved(person.id), true);
    });

    it('finds conversations where a reader spoke last, oldest first', async () => {
      const answered = await store.comments.create(write({ markdown: 'answered' }));
      await store.comments.create(write({ parentId: answered.id, userId: authorId, markdown: 'the author answers' }));
      const waiting = await store.comments.create(write({ markdown: 'still waiting' }));
      const followUp = await store.comments.create(write({ parentId: answered.id, markdown: 'reader follows up' }));
      await store.comments.create(write({ parentId: waiting.id, status: 'pending', userId: authorId, markdown: 'unapproved answer' }));
      const result = await store.comments.waitingForReply(10);
      assert.deepEqual(result.items.map((c) => c.markdown), ['still waiting', 'reader follows up']);
      assert.equal(result.total, 2);
      assert.deepEqual((await store.comments.findMany([followUp.id, waiting.id])).map((c) => c.id), [waiting.id, followUp.id]);
    });

    it("narrows moderation lists, counts and waiting conversations to an author's posts outside the trash", async () => {
      const other = await store.users.create({ email: 'b@example.com', name: 'B', slug: 'b', bio: '', role: 'author', passwordHash: null, createdAt: T0 });
      const base = {
        type: 'post' as const, title: 'B', markdown: '', html: '', excerpt: '', status: 'published' as const, visibility: 'public' as const,
        publishedAt: T0, authorId: other.id, coverImage: null, tags: [], commentsMode: 'inherit' as const, commentsCloseDays: null,
      };
      const theirs = (await store.posts.create({ ...base, slug: 'b1' }, T0)).id;
      const trashed = (await store.posts.create({ ...base, slug: 'b2' }, T0)).id;
      await store.comments.create(write({ status: 'pending', markdown: 'on A' }));
      const held = await store.comments.create(write({ status: 'pending', postId: theirs, markdown: 'held on B' }));
      const approved = await store.comments.create(write({ postId: theirs, markdown: 'approved on B' }));
      await store.comments.create(write({ postId: trashed, markdown: 'on a trashed post of B' }));
      await store.posts.trash(trashed, clock);
      const list = await store.comments.listForModeration({ authorId: other.id, limit: 10, offset: 0 });
      assert.deepEqual(list.items.map((c) => c.id), [approved.id, held.id]);
      assert.equal(list.total, 2);
      assert.deepEqual((await store.comments.listForModeration({ authorId: other.id, status: 'pending', limit: 10, offset: 0 })).items.map((c) => c.id), [held.id]);
      assert.deepEqual(await store.comments.countByStatus(other.id), { pending: 1, approved: 1, spam: 0, trash: 0 });
      assert.deepEqual(await store.comments.countByStatus(), { pending: 2, approved: 2, spam: 0, trash: 0 });
      assert.deepEqual([await store.comments.countWithStatus('pending', other.id), await store.comments.countWithStatus('pending'), await store.comments.countWithStatus('spam')], [1, 2, 0], 'one status, as the admin bar counts it');
      assert.deepEqual((await store.comments.waitingForReply(10, other.id)).items.map((c) => c.id), [approved.id]);
      assert.equal((await store.comments.waitingForReply(10, authorId)).total, 0);
    });

    it('purges old trash unless a kept comment answers it', async () => {
      const parent = await store.comments.create(write({ markdown: 'parent' }));
      await store.comments.create(write({ parentId: parent.id, markdown: 'kept reply' }));
      const lonely = await store.comments.create(write({ markdown: 'lonely' }));
      const recent = await store.comments.create(write({ markdown: 'recent' }));
      await store.comments.setStatus([parent.id, lonely.id], 'trash', null, T0);
      await store.comments.setStatus([recent.id], 'trash', null, T0 + 40 * 86_400_000);
      const purged = await store.comments.purgeTrash(T0 + 30 * 86_400_000);
      assert.equal(purged, 1);
      assert.equal(await store.comments.findById(lonely.id), null);
      assert.ok(await store.comments.findById(parent.id));
      assert.ok(await store.comments.findById(recent.id));
    });

    it('finds people by normalised email', async () => {
      await store.people.upsertByEmail({ name: 'Ola', email: 'Ola@Example.org', website: null }, T0);
      assert.equal((await store.people.findByEmail(' ola@example.ORG '))?.name, 'Ola');
      assert.equal(await store.people.findByEmail('nobody@example.org'), null);
    });
  });
});
