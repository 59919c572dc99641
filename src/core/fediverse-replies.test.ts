import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { MemoryStore } from '../adapters/storage/memory-store.ts';
import { defaultCommentSettings, type CommentSettings } from './comment-settings.ts';
import { CommentService, type SpamDefence } from './comment-service.ts';
import { FediverseReplies, MAIL_PRIVATE_MENTIONS_SETTING, type IncomingNote } from './fediverse-replies.ts';
import { countLinks, findDisallowedWords } from './spam-signals.ts';
import type { Comment, Post, Store, User } from './store.ts';

const NOW = Date.UTC(2026, 10, 1, 12);
const SITE = 'https://blog.example';

describe('replies from the fediverse (core)', () => {
  let store: Store;
  let owner: User;
  let post: Post;
  let settings: CommentSettings;
  let filterScore: number | null;
  let comments: CommentService;
  let replies: FediverseReplies;
  let published: string[];
  const staffReplies: Array<{ reply: Comment; parent: Comment }> = [];

  beforeEach(async () => {
    store = new MemoryStore();
    settings = { ...defaultCommentSettings };
    filterScore = null;
    published = [];
    staffReplies.length = 0;
    owner = await store.users.create({ email: 'owner@blog.example', name: 'Mara', slug: 'mara', bio: '', role: 'owner', passwordHash: null, createdAt: NOW });
    post = await store.posts.create(
      { type: 'post', slug: 'tea', title: 'On tea', markdown: '', html: '', excerpt: '', status: 'published', visibility: 'public', publishedAt: NOW - 1000, authorId: owner.id, coverImage: null, tags: [], commentsMode: 'inherit', commentsCloseDays: null },
      NOW,
    );
    // The real link and word checks; the filter says what each test wants.
    const spam: SpamDefence = {
      issueFormToken: () => 'token',
      verifyFormToken: () => ({ ok: true }),
      countLinks,
      findDisallowedWords,
      filterScore: async () => filterScore,
      akismet: async () => 'off',
      learn: async () => [],
      learned: () => {},
      report: async () => {},
    };
    comments = new CommentService({
      store,
      clock: { now: () => NOW },
      settings: async () => settings,
      spam,
      notifications: { commentCreated: async () => {}, commentApproved: async () => {}, subscribe: async () => ({ confirmationSent: false }) },
      publish: (topic) => published.push(topic),
      onStaffReply: (reply, parent) => staffReplies.push({ reply, parent }),
    });
    replies = new FediverseReplies({ store, clock: { now: () => NOW }, comments, siteUrl: SITE, handle: 'blog', siteTitle: async () => 'Mara’s blog' });
  });

  const ana = { actorUri: 'https://social.example/users/ana', handle: '@ana@social.example', name: 'Ana Lima', profileUrl: 'https://social.example/@ana', inbox: 'https://social.example/users/ana/inbox', sharedInbox: 'https://social.example/inbox' };
  const note = (over: Partial<IncomingNote> = {}): IncomingNote => ({
    noteId: 'https://social.example/users/ana/statuses/1',
    author: ana,
    inReplyTo: `${SITE}/tea`,
    html: '<p><span class="h-card"><a href="https://blog.example/" class="u-url mention">@<span>blog</span></a></span> Green, always.</p>',
    summary: null,
    url: 'https://social.example/@ana/1',
    visibility: 'public',
    addressesBlog: true,
    tagNames: ['@blog@blog.example'],
    ...over,
  });
  const commentOf = async (outcome: Awaited<ReturnType<FediverseReplies['received']>>) => {
    assert.equal(outcome.kind, 'comment', JSON.stringify(outcome));
    return (outcome as { comment: Comment }).comment;
  };

  it('a first public reply is held, linked to a Person with the actor and handle verified, the blog’s mention dropped', async () => {
    const comment = await commentOf(await replies.received(note()));
    assert.equal(comment.status, 'pending');
    assert.deepEqual(comment.moderationReasons, ['a reply from the fediverse (@ana@social.example)', 'first comment from this person']);
    assert.equal(comment.source, 'activitypub');
    assert.equal(comment.authorName, 'Ana Lima');
    assert.equal(comment.authorUrl, 'https://social.example/@ana');
    assert.equal(comment.html, '<p>Green, always.</p>');
    assert.equal(comment.markdown, 'Green, always.');
    const person = await store.people.findByIdentity('fediverse', ana.actorUri);
    assert.equal(comment.personId, person?.id);
    const ids = (await store.people.identities(person!.id)).map((i) => [i.kind, i.value, i.verified]).sort();
    assert.deepEqual(ids, [['fediverse', ana.actorUri, true], ['handle', '@ana@social.example', true]]);
    assert.deepEqual(await store.fediverseReplies.findByComment(comment.id), { commentId: comment.id, noteId: note().noteId, actorUri: ana.actorUri, handle: ana.handle, url: 'https://social.example/@ana/1', inbox: ana.inbox, sharedInbox: ana.sharedInbox, createdAt: NOW });
    // The same Note again (a repeated delivery) is the same comment.
    assert.equal((await commentOf(await replies.received(note()))).id, comment.id);
    assert.equal((await store.comments.listForModeration({ limit: 10, offset: 0 })).total, 1);
  });

  it('an unlisted reply to a comment here, or to a comment from the fediverse by its Note id, is threaded under it', async () => {
    const first = await commentOf(await replies.received(note()));
    await comments.moderate([first.id], 'approve');
    const bo = { ...ana, actorUri: 'https://other.example/users/bo', handle: '@bo@other.example', name: 'Bo', profileUrl: 'https://other.example/@bo', inbox: 'https://other.example/users/bo/inbox' };
    const toRemote = await commentOf(await replies.received(note({ noteId: 'https://other.example/notes/2', author: bo, inReplyTo: note().noteId, visibility: 'unlisted' })));
    assert.equal(toRemote.parentId, first.id);
    const toLocal = await commentOf(await replies.received(note({ noteId: 'https://other.example/notes/3', author: bo, inReplyTo: `${SITE}/comments/${first.id}` })));
    assert.equal(toLocal.parentId, first.id);
  });

  it('a reply to a comment that is not published yet is held even from a known person', async () => {
    const held = await commentOf(await replies.received(note()));
    await comments.moderate([(await commentOf(await replies.received(note({ noteId: 'https://social.example/users/ana/statuses/0' })))).id], 'approve');
    const answer = await commentOf(await replies.received(note({ noteId: 'https://social.example/users/ana/statuses/9', inReplyTo: note().noteId })));
    assert.equal(held.status, 'pending');
    assert.equal(answer.status, 'pending');
    assert.deepEqual(answer.moderationReasons.slice(1), ['it answers a comment that is not published']);
  });

  it('the same policy as a form comment: a known person is published, links past the limit and a filter score hold, blocked holds, spam is spam', async () => {
    await comments.moderate([(await commentOf(await replies.received(note()))).id], 'approve');
    const known = await commentOf(await replies.received(note({ noteId: 'https://social.example/users/ana/statuses/2' })));
    assert.equal(known.status, 'approved');
    const links = await commentOf(await replies.received(note({ noteId: 'https://social.example/users/ana/statuses/3', html: '<p><a href="https://a.example/">a</a> <a href="https://b.example/">b</a> https://c.example/</p>' })));
    assert.equal(links.status, 'pending');
    assert.ok(links.moderationReasons.includes('3 links'), links.moderationReasons.join());
    filterScore = 0.95;
    assert.equal((await commentOf(await replies.received(note({ noteId: 'https://social.example/users/ana/statuses/4' })))).status, 'spam');
    filterScore = null;
    const person = await store.people.findByIdentity('fediverse', ana.actorUri);
    await store.people.setTrust(person!.id, { trust: 'blocked', reason: 'rude', mutedUntil: null }, owner.id, NOW);
    const blocked = await commentOf(await replies.received(note({ noteId: 'https://social.example/users/ana/statuses/5' })));
    assert.equal(blocked.status, 'pending');
    assert.ok(blocked.moderationReasons.includes('blocked: rude'));
  });

  it('a trusted person is published at once: the signed activity proves it is them', async () => {
    settings = { ...settings, holdAll: true };
    const first = await commentOf(await replies.received(note()));
    await store.people.setTrust(first.personId!, { trust: 'trusted', reason: null, mutedUntil: null }, owner.id, NOW);
    assert.equal((await commentOf(await replies.received(note({ noteId: 'https://social.example/users/ana/statuses/6' })))).status, 'approved');
  });

  it('mentions and hashtags are not links; disallowed words in the display name count', async () => {
    settings = { ...settings, maxLinks: 0, disallowedWords: ['casino'] };
    const tagged = await commentOf(
      await replies.received(
        note({ html: '<p><a href="https://blog.example/">@blog</a> <a href="https://other.example/@bo" class="mention">@<span>bo</span></a> loves <a href="https://social.example/tags/tea" class="hashtag">#<span>tea</span></a></p>', tagNames: ['@blog@blog.example', '@bo@other.example', '#tea'] }),
      ),
    );
    assert.equal(tagged.markdown, '@bo loves #tea');
    assert.deepEqual(tagged.moderationReasons.slice(1), ['first comment from this person']);
    const named = await commentOf(await replies.received(note({ noteId: 'https://social.example/users/ana/statuses/7', author: { ...ana, name: 'Casino Ana' } })));
    assert.ok(named.moderationReasons.includes('disallowed word: casino'));
  });

  it('ignores what is not a reply to a live post here: another site, a draft, a protected post, closed comments', async () => {
    assert.equal((await replies.received(note({ inReplyTo: 'https://elsewhere.example/post' }))).kind, 'ignored');
    assert.equal((await replies.received(note({ inReplyTo: null }))).kind, 'ignored');
    for (const odd of [`${SITE}/comments/99999999999`, `${SITE}/%E0%A4%A`, `${SITE}/tea/extra`, `${SITE}/comments/12`]) assert.equal((await replies.received(note({ inReplyTo: odd }))).kind, 'ignored', odd);
    const draft = await store.posts.create({ ...post, slug: 'draft', status: 'draft', publishedAt: null, tags: [] }, NOW);
    assert.equal((await replies.received(note({ inReplyTo: `${SITE}/${draft.slug}` }))).kind, 'ignored');
    const locked = await store.posts.create({ ...post, slug: 'locked', password: 'secret', tags: [] }, NOW);
    assert.equal((await replies.received(note({ inReplyTo: `${SITE}/${locked.slug}` }))).kind, 'ignored');
    settings = { ...settings, open: false };
    const closed = await replies.received(note());
    assert.deepEqual(closed, { kind: 'ignored', reason: 'Comments are closed on this site.' });
    assert.equal((await store.comments.listForModeration({ limit: 10, offset: 0 })).total, 0);
  });

  it('Update edits the text and keeps the earlier one; an approved reply whose edit adds a link is held again', async () => {
    const comment = await commentOf(await replies.received(note()));
    await comments.moderate([comment.id], 'approve');
    const edited = await replies.updated(note({ html: '<p>Green, always. See <a href="https://tea.example/">this</a></p>' }));
    const after = await commentOf(edited);
    assert.equal(after.status, 'pending');
    assert.deepEqual(after.moderationReasons, ['edited on the fediverse to add a link']);
    assert.equal(after.markdown, 'Green, always. See [this](https://tea.example/)');
    assert.ok(after.editedAt);
    const [revision] = await store.comments.revisions(comment.id);
    assert.equal(revision.markdown, 'Green, always.');
    assert.equal(revision.editorName, 'Ana Lima (edited on the fediverse)');
    // Someone else's Update of her Note changes nothing.
    const mallory = { ...ana, actorUri: 'https://social.example/users/mallory', handle: '@mallory@social.example' };
    assert.equal((await replies.updated(note({ author: mallory, html: '<p>pwned</p>' }))).kind, 'ignored');
    assert.equal((await store.comments.findById(comment.id))?.markdown, after.markdown);
  });

  it('an Update of a Note never seen is taken as new; an edit without new links stays published', async () => {
    const comment = await commentOf(await replies.updated(note()));
    await comments.moderate([comment.id], 'approve');
    assert.equal((await commentOf(await replies.updated(note({ html: '<p>Green, mostly.</p>' })))).status, 'approved');
  });

  it('Delete trashes (restorable), only for the Note’s author; Delete of the actor trashes everything they sent and ends their follow', async () => {
    const one = await commentOf(await replies.received(note()));
    const two = await commentOf(await replies.received(note({ noteId: 'https://social.example/users/ana/statuses/2' })));
    await comments.moderate([two.id], 'approve');
    assert.equal(await replies.deleted(note().noteId, 'https://social.example/users/mallory'), 'unknown', 'only its author may delete it');
    assert.equal((await store.comments.findById(one.id))?.status, 'pending');
    assert.equal(await replies.deleted(note().noteId, ana.actorUri), 'trashed');
    const trashed = await store.comments.findById(one.id);
    assert.equal(trashed?.status, 'trash');
    assert.deepEqual(trashed?.moderationReasons, ['deleted on the fediverse by its author']);
    assert.equal((await comments.moderate([one.id], 'restore'))[0].status, 'approved');

    await store.followers.upsert({ actorUri: ana.actorUri, handle: ana.handle, inbox: ana.inbox, sharedInbox: null, status: 'accepted', followId: null }, NOW);
    await replies.received(note({ noteId: 'https://social.example/users/ana/statuses/dm', visibility: 'direct' }));
    assert.equal(await replies.deleted(ana.actorUri, ana.actorUri), 'trashed');
    for (const id of [one.id, two.id]) {
      const c = await store.comments.findById(id);
      assert.equal(c?.status, 'trash');
      assert.deepEqual(c?.moderationReasons, ['its author’s fediverse account was deleted']);
    }
    assert.equal(await store.followers.findByActor(ana.actorUri), null);
    assert.equal((await store.fediverseReplies.listMentions({ limit: 10, offset: 0 })).total, 0);
  });

  it('followers-only and direct Notes are never comments: they wait for staff, mailed to owners only when asked', async () => {
    const followersOnly = await replies.received(note({ noteId: 'https://social.example/users/ana/statuses/p1', visibility: 'followers', html: '<p>@blog just between us</p>' }));
    assert.equal(followersOnly.kind, 'private');
    assert.equal((await store.comments.listForModeration({ limit: 10, offset: 0 })).total, 0);
    assert.equal((await store.outbox.list({ limit: 10, offset: 0 })).total, 0, 'no mail unless asked');
    const mention = (followersOnly as { mention: { postId: number | null; visibility: string; name: string } }).mention;
    assert.deepEqual([mention.postId, mention.visibility, mention.name], [post.id, 'followers', 'Ana Lima']);

    await store.settings.set({ [MAIL_PRIVATE_MENTIONS_SETTING]: 'true' });
    const direct = await replies.received(note({ noteId: 'https://social.example/users/ana/statuses/p2', visibility: 'direct', inReplyTo: null, html: '<p>Can I quote you?</p>' }));
    assert.equal(direct.kind, 'private');
    const mail = (await store.outbox.list({ limit: 10, offset: 0 })).items;
    assert.equal(mail.length, 1);
    assert.equal(mail[0].to, 'owner@blog.example');
    assert.equal(mail[0].subject, 'Private mention from Ana Lima (@ana@social.example)');
    assert.match(mail[0].text, /direct message[\s\S]*Can I quote you\?[\s\S]*\/admin\/fediverse/);
    // An Update of it changes the words, and mails no one again.
    const updated = await replies.updated(note({ noteId: 'https://social.example/users/ana/statuses/p2', visibility: 'direct', inReplyTo: null, html: '<p>May I quote you?</p>' }));
    assert.equal(updated.kind === 'private' && updated.mention.html, '<p>May I quote you?</p>');
    assert.equal((await store.outbox.list({ limit: 10, offset: 0 })).total, 1);
    // Not addressed to the blog and answering nothing here: not kept.
    assert.equal((await replies.received(note({ noteId: 'https://social.example/users/ana/statuses/p3', visibility: 'direct', inReplyTo: null, addressesBlog: false }))).kind, 'ignored');
    assert.equal(await replies.deleted('https://social.example/users/ana/statuses/p2', ana.actorUri), 'removed');
    assert.equal((await store.fediverseReplies.listMentions({ limit: 10, offset: 0 })).total, 1);
  });

  it('a staff answer is announced after it is committed, with the comment it answers', async () => {
    const comment = await commentOf(await replies.received(note()));
    await comments.moderate([comment.id], 'approve');
    const { comment: answer } = await comments.submit({ postId: post.id, parentId: comment.id, body: 'Thank you!' }, { ip: '127.0.0.1', userAgent: 'test', referrer: '', user: owner }, `${SITE}/tea`);
    assert.deepEqual(staffReplies.map((r) => [r.reply.id, r.parent.id]), [[answer.id, comment.id]]);
    assert.equal((await store.comments.findById(answer.id))?.status, 'approved', 'committed before it is announced');
    assert.ok(published.includes(`comments-changed:${post.id}`));
  });
});
