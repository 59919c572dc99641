import { createHash } from 'node:crypto';
import type { CommentStatus, PostWrite, Store } from '../core/store.ts';

export const FIXTURE_TIME = Date.UTC(2024, 2, 10, 9, 30);

/**
 * A small site with one of everything an export must carry: posts and pages, drafts,
 * scheduled and trashed posts, tags, an old slug, threaded comments in every status (with edit history),
 * a password-protected page, people, confirmed and unconfirmed subscriptions, an upload, settings, a spam model,
 * webmentions received (a verified reply shown as a comment, one still being verified)
 * and sent, what a WordPress import leaves behind (an import key, old addresses), and
 * revisions of a post (two saves, and an author's autosave).
 * Used by the export, import and backup tests.
 */
export async function seedSite(store: Store): Promise<{ postIds: number[]; commentIds: number[] }> {
  const t = FIXTURE_TIME;
  const owner = await store.users.create({ email: 'ada@example.com', name: 'Ada', slug: 'ada', bio: 'Writes.', role: 'owner', passwordHash: '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA', createdAt: t });
  const author = await store.users.create({ email: 'bo@example.com', name: 'Bo', slug: 'bo', bio: '', role: 'author', passwordHash: null, createdAt: t + 1 });
  const base = (over: Partial<PostWrite>): PostWrite => ({
    type: 'post', slug: 'x', title: 'X', markdown: 'Body', html: '<p>Body</p>', excerpt: 'Body', status: 'published', visibility: 'public',
    publishedAt: t, authorId: owner.id, coverImage: null, tags: [], commentsMode: 'inherit', commentsCloseDays: null, ...over,
  });
  const hello = await store.posts.create(base({ slug: 'hello', title: 'Hello <world> & "friends"', markdown: 'Hi ]]> there *you*', html: '<p>Hi ]]&gt; there <em>you</em></p><script>x</script>', tags: ['Social Media', 'Écrire'] }), t);
  await store.posts.update(hello.id, base({ slug: 'hello-world', title: 'Hello <world> & "friends"', markdown: 'Hi ]]> there *you*', html: '<p>Hi ]]&gt; there <em>you</em></p>', tags: ['Social Media', 'Écrire'], commentsMode: 'open', commentsCloseDays: 30, metaDescription: 'Hi, said <plainly> & "quoted"', socialImage: '/uploads/abc.png', canonicalUrl: 'https://first.example.org/hello?a=1&b=2' }), t + 10);
  const about = await store.posts.create(base({ type: 'page', slug: 'about', title: 'About', tags: [], password: 'open ]]> sesame' }), t + 20);
  const draft = await store.posts.create(base({ slug: 'draft', title: 'Draft', status: 'draft', publishedAt: null, authorId: author.id, tags: ['Écrire'] }), t + 30);
  const scheduled = await store.posts.create(base({ slug: 'soon', title: 'Soon', status: 'scheduled', publishedAt: t + 86_400_000, visibility: 'unlisted', coverImage: '/uploads/abc.png' }), t + 40);
  const trashed = await store.posts.create(base({ slug: 'gone', title: 'Gone' }), t + 50);
  await store.posts.trash(trashed.id, t + 60);

  const reader = await store.people.upsertByEmail({ name: 'Reader', email: 'Reader@Example.com', website: 'https://reader.example' }, t + 100);
  const other = await store.people.upsertByEmail({ name: 'Other', email: 'other@example.com', website: null }, t + 101);
  // What the team knows about people (migration 010): trust, a label, a note, a handle.
  await store.people.setTrust(other.id, { trust: 'muted', reason: 'cooling <off>', mutedUntil: t + 86_400_000 }, owner.id, t + 102);
  await store.people.addLabel(reader.id, 'North Georgia', owner.id, t + 103);
  await store.people.addNote({ personId: reader.id, markdown: 'Met at the *tweetup*.', html: '<p>Met at the <em>tweetup</em>.</p>', authorId: owner.id, createdAt: t + 104 });
  await store.people.addIdentity(reader.id, 'handle', '@Reader@Social.Example', true, t + 105);
  const comment = async (postId: number, parentId: number | null, personId: number | null, status: CommentStatus, at: number, extra: Record<string, unknown> = {}) =>
    store.comments.create({
      postId, parentId, personId, userId: null, authorName: personId === other.id ? 'Other' : 'Reader', authorEmail: personId === other.id ? 'other@example.com' : 'reader@example.com',
      authorUrl: personId === reader.id ? 'https://reader.example' : null, markdown: `Comment at ${at}`, html: `<p>Comment at ${at}</p>`, status, createdAt: at,
      ip: '203.0.113.7', userAgent: 'Mozilla/5.0', spamScore: 0.25, moderationReasons: status === 'pending' ? ['first comment from this person'] : [], ...extra,
    });
  const top = await comment(hello.id, null, reader.id, 'approved', t + 200);
  const reply = await comment(hello.id, top.id, other.id, 'approved', t + 210);
  const own = await store.comments.create({
    postId: hello.id, parentId: reply.id, personId: null, userId: owner.id, authorName: 'Ada', authorEmail: 'ada@example.com', authorUrl: null,
    markdown: 'Thanks!', html: '<p>Thanks!</p>', status: 'approved', createdAt: t + 220, source: 'admin',
  });
  const pending = await comment(hello.id, own.id, reader.id, 'pending', t + 230);
  const spam = await comment(hello.id, null, other.id, 'approved', t + 240, { moderationReasons: ['links'] });
  await store.comments.setStatus([spam.id], 'spam', ['the spam filter is 99% sure'], t + 250);
  await store.comments.setLearnedAs(spam.id, 'spam');
  const trash = await comment(about.id, null, reader.id, 'approved', t + 260);
  await store.comments.setStatus([trash.id], 'trash', null, t + 270);
  await store.comments.addRevision({ commentId: top.id, markdown: `Comment at ${t + 200}`, html: `<p>Comment at ${t + 200}</p>`, parentId: null, editedBy: owner.id, editorName: 'Ada', createdAt: t + 280 });
  await store.comments.updateBody(top.id, 'Edited *comment*', '<p>Edited <em>comment</em></p>', t + 280);
  await store.comments.addRevision({ commentId: pending.id, markdown: `Comment at ${t + 230}`, html: `<p>Comment at ${t + 230}</p>`, parentId: own.id, editedBy: null, editorName: 'Reader', createdAt: t + 285 });
  const onDraft = await comment(draft.id, null, null, 'pending', t + 290);

  const mention = await store.webmentions.receive({ source: 'https://friend.example/reply', target: 'https://blog.example/about', postId: about.id, via: 'webmention' }, t + 500);
  const friend = await store.webmentions.personForWebsite({ name: 'Friend', website: 'https://friend.example/' }, t + 510);
  const mentionReply = await store.comments.create({
    postId: about.id, parentId: null, personId: friend.id, userId: null, authorName: 'Friend', authorEmail: '', authorUrl: 'https://friend.example/',
    markdown: 'Nice page', html: '<p>Nice page</p>', status: 'approved', createdAt: t + 490, source: 'webmention',
  });
  await store.webmentions.updateReceived(mention.id, {
    status: 'verified', type: 'reply', authorName: 'Friend', authorUrl: 'https://friend.example/', authorPhoto: 'https://friend.example/me.jpg', content: 'Nice page',
    url: 'https://friend.example/reply', publishedAt: t + 490, commentId: mentionReply.id, personId: friend.id, verifiedAt: t + 510,
  }, t + 510);
  await store.webmentions.receive({ source: 'https://later.example/like', target: 'https://blog.example/hello-world', postId: hello.id, via: 'pingback' }, t + 520);
  await store.webmentions.recordSent(hello.id, 'https://elsewhere.example/post', { endpoint: 'https://elsewhere.example/webmention', status: 'sent', httpStatus: 202, attempted: true }, t + 530);
  await store.webmentions.recordSent(hello.id, 'https://quiet.example/', { status: 'no-endpoint', attempted: true }, t + 540);

  await store.revisions.add({ postId: hello.id, authorId: owner.id, title: 'Hello', markdown: 'Hi there', excerpt: '', createdAt: t });
  await store.revisions.add({ postId: hello.id, authorId: owner.id, title: 'Hello <world> & "friends"', markdown: 'Hi ]]> there *you*', excerpt: 'Hi', createdAt: t + 10 });
  await store.revisions.saveAutosave({ postId: hello.id, authorId: author.id, title: 'Hello <world>', markdown: 'Hi ]]> there *you*, and more', excerpt: '', createdAt: t + 600 });

  await store.imports.saveKey('wordpress', 'post', 'https://old.example/?p=12#12', hello.id);
  await store.imports.saveKey('wordpress', 'comment', 'https://old.example/?p=12#12#comment-3', top.id);
  await store.imports.saveKey('wordpress', 'user', 'ada', owner.id);
  await store.imports.saveLegacyPath('/2019/03/hello', hello.id);
  await store.imports.saveLegacyPath('?p=12', hello.id);

  // The fediverse: an accepted and a waiting follower, a blocked domain (migrations 011 and 013).
  await store.followers.upsert({ actorUri: 'https://social.example/users/reader', handle: '@reader@social.example', inbox: 'https://social.example/users/reader/inbox', sharedInbox: 'https://social.example/inbox', status: 'accepted', followId: 'https://social.example/follows/1' }, t + 200);
  await store.followers.upsert({ actorUri: 'https://other.example/@waiting', handle: null, inbox: 'https://other.example/@waiting/inbox', sharedInbox: null, status: 'pending', followId: null }, t + 210);
  await store.fediverseBlocks.add('domain', 'spam.example', t + 220);
  // The reader's first comment came from the fediverse as a Note; a direct mention waits for staff (migration 018).
  await store.fediverseReplies.recordComment({
    commentId: top.id, noteId: 'https://social.example/users/reader/statuses/1', actorUri: 'https://social.example/users/reader', handle: '@reader@social.example',
    url: 'https://social.example/@reader/1', inbox: 'https://social.example/users/reader/inbox', sharedInbox: 'https://social.example/inbox', createdAt: t + 200,
  });
  // A like and a boost of the first post, and a quote of it the blog authorized (migration 019).
  await store.reactions.record({ postId: hello.id, kind: 'like', actorUri: 'https://social.example/users/reader', activityId: 'https://social.example/users/reader#likes/1', name: 'Reader', handle: '@reader@social.example', profileUrl: 'https://social.example/@reader', iconUrl: null }, t + 240);
  await store.reactions.record({ postId: hello.id, kind: 'announce', actorUri: 'https://other.example/users/fan', activityId: 'https://other.example/users/fan/statuses/9/activity', name: null, handle: null, profileUrl: null, iconUrl: 'https://other.example/fan.png' }, t + 250);
  await store.reactions.authorizeQuote({ postId: hello.id, actorUri: 'https://other.example/users/fan', quoteUri: 'https://other.example/users/fan/statuses/10', requestId: 'https://other.example/users/fan/quote-requests/1' }, t + 260);
  await store.fediverseReplies.saveMention({
    noteId: 'https://social.example/users/reader/statuses/2', actorUri: 'https://social.example/users/reader', name: 'Reader', handle: '@reader@social.example',
    profileUrl: 'https://social.example/@reader', url: null, visibility: 'direct', inReplyTo: null, postId: hello.id, html: '<p>Just between us: lovely post.</p>',
  }, t + 230);
  await store.subscriptions.ensureAddress('reader@example.com', 'confirm-reader', t + 300);
  await store.subscriptions.confirmAddress('reader@example.com', t + 310);
  await store.subscriptions.ensureAddress('other@example.com', 'confirm-other', t + 320);
  await store.subscriptions.subscribe({ kind: 'post', email: 'reader@example.com', postId: hello.id, commentId: null, token: 'unsub-1', createdAt: t + 330 });
  await store.subscriptions.subscribe({ kind: 'replies', email: 'other@example.com', postId: hello.id, commentId: reply.id, token: 'unsub-2', createdAt: t + 340 });
  await store.subscriptions.unsubscribe('unsub-2', t + 350);

  // A draft made from the reader's comment, the wish to tell them; and an audit line (migration 015).
  await store.postSources.create({ postId: draft.id, commentId: top.id, personId: reader.id, createdBy: owner.id, createdAt: t + 360 });
  await store.postSources.setTellRequested(draft.id, t + 370);
  await store.audit.add({ action: 'person-forgotten', detail: { personId: 99, choice: 'anonymise', comments: 3 }, actorId: owner.id, createdAt: t + 380 });

  const bytes = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 0, 255, 1, 2, 3]);
  await store.uploads.save({ hash: createHash('sha256').update(bytes).digest('hex'), mime: 'image/png', size: bytes.length, originalName: 'dot.png', data: bytes, uploaderId: owner.id, createdAt: t + 400, width: 1, height: 1, alt: 'A single red dot', caption: 'The smallest picture “ever”' });

  await store.settings.set({ title: 'My blog', description: 'Words & more', 'comments.settings': '{"minSubmitSeconds":3}', secret_key: 'k'.repeat(40), setup_token: 'setup-secret' });
  await store.spamModel.learn(['viagra', 'cheap', 'ünïcode'], 'spam', 1);
  await store.spamModel.learn(['thanks', 'post'], 'ham', 1);
  return { postIds: [hello.id, about.id, draft.id, scheduled.id, trashed.id], commentIds: [top.id, reply.id, own.id, pending.id, spam.id, trash.id, onDraft.id, mentionReply.id] };
}
