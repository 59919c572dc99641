import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verifyRequest } from '@fedify/fedify';
import type { KyselyStore } from '../src/adapters/storage/kysely-store.ts';
import type { Comment, Post } from '../src/core/store.ts';
import { blogLoader, FediversePeer, fixture, settled, until } from './helpers/fediverse-peers.ts';
import { startTestKumbaya, testEngines, type Agent, type TestKumbaya } from './helpers/test-kumbaya.ts';

const BLOG = 'https://blog.example';
const BLOG_ACTOR = `${BLOG}/@blog`;
const ACTIVITY_JSON = 'application/activity+json';
const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';

/**
 * Replies from the fediverse, end to end: each activity is a fixture in the shape its
 * server sends (test/fixtures/fediverse/), signed with the key its actor publishes on a
 * fediverse peer running on a local port, POSTed to the blog's inbox and handled through
 * the queue. What the blog sends back reaches the peer over HTTP.
 */
for (const { engine, skip } of testEngines()) {
  // A generous bound only so that a missing listener fails instead of waiting forever.
  describe(`replies from the fediverse become comments, and the author’s answer goes back (${engine})`, { skip, timeout: 240_000 }, () => {
    let k: TestKumbaya;
    let owner: Agent;
    let post: Post;
    const peer = new FediversePeer();

    before(async () => {
      await peer.start();
      k = await startTestKumbaya({ engine, env: { SITE_URL: BLOG, FEDIVERSE_ALLOW_PRIVATE: 'true' } });
      owner = await k.signIn('owner', 'mara@blog.example');
      const draft = await k.deps.posts.create(owner.user!, { type: 'post', slug: 'green-tea', title: 'How I brew green tea', markdown: 'Water at 80 degrees, two minutes.' });
      post = (await k.deps.posts.publish(owner.user!, draft.id)).post;
    });
    after(async () => {
      await k.cleanup();
      await peer.stop();
    });

    const postUrl = () => `${BLOG}/${post.slug}`;
    const values = (extra: Record<string, string> = {}) => ({ peer: peer.base, peerHost: peer.host, blog: BLOG, post: postUrl(), ...extra });
    /** Sends a fixture from its actor; the inbox answers 202 before the queue handles it. */
    async function send(name: string, extra: Record<string, string> = {}) {
      const res = await peer.send(k, fixture(name, values(extra)));
      assert.equal(res.status, 202, `${name}: ${await res.clone().text()}`);
    }
    /** The comment a Note became, once the queue has handled it. */
    async function commentOf(noteId: string): Promise<Comment> {
      const link = await until(() => k.deps.store.fediverseReplies.findByNote(noteId), (l) => l !== null);
      return (await k.deps.store.comments.findById(link!.commentId))!;
    }
    const approve = async (ids: number[]) => assert.equal((await owner.form('/admin/comments/moderate', { ids: ids.map(String), action: 'approve', back: '/admin/comments' })).status, 303);
    const page = async () => (await k.request(`/${post.slug}`)).text();
    const anaNote = () => `${peer.base}/mastodon/users/ana/statuses/113001`;

    it('a Mastodon reply is held as a first comment, approved, then shown on the post with name, handle and a link to the original', async () => {
      await send('mastodon-create-reply');
      const comment = await commentOf(anaNote());
      assert.equal(comment.status, 'pending');
      assert.deepEqual(comment.moderationReasons, [`a reply from the fediverse (@ana@${peer.host})`, 'first comment from this person']);
      assert.equal(comment.postId, post.id);
      assert.equal(comment.parentId, null);
      assert.equal(comment.authorName, 'Ana Lima');
      assert.equal(comment.authorUrl, `${peer.base}/mastodon/@ana`);
      // The blog's own mention is dropped; the hashtag stays as text.
      assert.equal(comment.markdown, 'This is how I brew it too: three minutes, no more. #tea');
      assert.doesNotMatch(comment.html, /@blog/);
      const person = await k.deps.store.people.findByIdentity('fediverse', peer.actor('mastodon'));
      assert.equal(comment.personId, person?.id);
      assert.deepEqual((await k.deps.store.people.identities(person!.id)).filter((i) => i.kind === 'handle').map((i) => [i.value, i.verified]), [[`@ana@${peer.host}`, true]]);
      assert.doesNotMatch(await page(), /three minutes, no more/, 'held: not on the post');

      await approve([comment.id]);
      const html = await page();
      assert.match(html, new RegExp(`id="comment-${comment.id}"[\\s\\S]*Ana Lima[\\s\\S]*@ana@${peer.host.replace('.', '\\.')}[\\s\\S]*three minutes, no more`));
      assert.ok(html.includes(`href="${peer.base}/mastodon/@ana/113001"`), 'links to the original');
      assert.ok(html.includes(`via <a class="u-url" href="${peer.base}/mastodon/@ana/113001"`));
    });

    it('the author answers on the blog: the peer receives a signed Create(Note) inReplyTo the original, mentioning Ana', async () => {
      const ana = await commentOf(anaNote());
      const res = await owner.form(`/admin/comments/${ana.id}/reply`, { body: 'Thank you, Ana! Two minutes for sencha, though.', back: '/admin/comments' });
      assert.equal(res.status, 303);
      const delivered = await peer.delivery((r) => r.path === '/mastodon/users/ana/inbox' && r.body.includes('"Create"'));
      const create = JSON.parse(delivered.body);
      assert.equal(create.actor, BLOG_ACTOR);
      const note = create.object;
      assert.equal(note.type, 'Note');
      assert.equal(note.inReplyTo, anaNote());
      assert.equal(note.attributedTo, BLOG_ACTOR);
      assert.match(note.content, new RegExp(`<a href="${peer.base}/mastodon/@ana" class="u-url mention">@<span>ana</span></a>`));
      assert.match(note.content, /Two minutes for sencha, though\./);
      const tags = Array.isArray(note.tag) ? note.tag : [note.tag];
      assert.deepEqual(tags.map((t: { type: string; href: string; name: string }) => [t.type, t.href, t.name]), [['Mention', peer.actor('mastodon'), `@ana@${peer.host}`]]);
      assert.deepEqual([note.to, note.cc].map((v) => [v].flat()), [[PUBLIC], [peer.actor('mastodon')]]);
      // Signed by the blog: the signature verifies against the key its actor publishes.
      const request = new Request(`${peer.base}${delivered.path}`, { method: 'POST', headers: delivered.headers, body: delivered.body });
      assert.equal((await verifyRequest(request, { documentLoader: blogLoader(k), contextLoader: blogLoader(k) }))?.ownerId?.href, BLOG_ACTOR);
      // The Note is served at its id, as the fediverse fetches it.
      const fetched = await (await k.request(note.id, { headers: { accept: ACTIVITY_JSON } })).json();
      assert.equal(fetched.inReplyTo, anaNote());
      assert.equal(fetched.content, note.content);
    });

    it('Misskey (unlisted, answering Ana’s Note), Pleroma (answering the author), Friendica, Lemmy and WordPress replies become threaded comments', async () => {
      const ana = await commentOf(anaNote());
      const answer = (await k.deps.store.comments.listApproved(post.id)).find((c) => c.userId !== null)!;
      await send('misskey-create-reply', { parent: anaNote() });
      await send('pleroma-create-reply', { parent: `${BLOG}/comments/${answer.id}` }, );
      await send('friendica-create-reply');
      await send('lemmy-create-reply');
      await send('wordpress-create-reply');
      const misskey = await commentOf(`${peer.base}/misskey/notes/9pq1r2s3t4`);
      const pleroma = await commentOf(`${peer.base}/pleroma/objects/8d2b9c1e-8f3a-4b5c-9d6e-7f8a9b0c1d2e`);
      const friendica = await commentOf(`${peer.base}/friendica/objects/0f1e2d3c-1165-a4b2-7c8d-9e0f1a2b3c4d`);
      const lemmy = await commentOf(`${peer.base}/lemmy/comment/774411`);
      const wordpress = await commentOf(`${peer.base}/wordpress/?c=12`);
      assert.deepEqual(
        [misskey, pleroma, friendica, lemmy, wordpress].map((c) => [c.authorName, c.parentId, c.status, c.source]),
        [
          ['Kumo', ana.id, 'pending', 'activitypub'],
          ['Lain', answer.id, 'pending', 'activitypub'],
          ['Mike Macgirvin', null, 'pending', 'activitypub'],
          ['Alice', null, 'pending', 'activitypub'],
          ['Nadia Osei', null, 'pending', 'activitypub'],
        ],
      );
      assert.equal(pleroma.html, 'thanks for answering, the two-minute rule works for me<br />on sencha at least');
      assert.equal(friendica.html, 'I keep a kettle thermometer for exactly this.<br />80 degrees for green, boiling for black.');
      assert.equal(wordpress.markdown, `Lovely piece. I wrote about [growing tea in a cold garden](${peer.base}/wordpress/2026/02/garden-tea/) last month.`);
      await approve([misskey.id, pleroma.id, friendica.id, lemmy.id, wordpress.id]);
      const html = await page();
      for (const handle of ['kumo', 'lain', 'mike', 'alice', 'nadia']) assert.ok(html.includes(`@${handle}@${peer.host}`), `${handle} shown with their handle`);
      // Threaded: Kumo's answer to Ana sits in Ana's replies.
      assert.match(html, new RegExp(`id="comment-${ana.id}"[\\s\\S]*<ol class="replies">[\\s\\S]*id="comment-${misskey.id}"`));
      assert.ok(html.includes(`href="${peer.base}/wordpress/2026/03/reply/#comment-12"`), 'WordPress: its comment permalink is the original');
    });

    it('Update(Note) keeps the earlier text: Mastodon’s edit adds a link, so the published comment is held again; WordPress’s does not, so it stays', async () => {
      await send('mastodon-update');
      const edited = await until(() => commentOf(anaNote()), (c) => c.editedAt !== null);
      assert.equal(edited.status, 'pending');
      assert.deepEqual(edited.moderationReasons, ['edited on the fediverse to add a link']);
      assert.match(edited.markdown, /The water matters most: https:\/\/water\.example\/soft/);
      const [revision] = await k.deps.store.comments.revisions(edited.id);
      assert.equal(revision.markdown, 'This is how I brew it too: three minutes, no more. #tea');
      assert.doesNotMatch(await page(), /water\.example/);
      await approve([edited.id]);
      assert.match(await page(), /water\.example\/soft/);

      // WordPress's edit changes a word, no links: it stays published.
      await send('wordpress-update');
      const wordpress = await until(() => commentOf(`${peer.base}/wordpress/?c=12`), (c) => c.editedAt !== null);
      assert.equal(wordpress.status, 'approved');
      assert.match(wordpress.markdown, /last winter\.$/);
      assert.match(await page(), /last winter\./);
    });

    it('followers-only (Mastodon) and direct (Misskey) mentions wait in Admin → Fediverse, never on the post; the owner is emailed when they asked', async () => {
      assert.equal((await owner.form('/admin/fediverse/mail-mentions', { mail: 'true' })).status, 303);
      await send('mastodon-followers-only');
      await send('misskey-direct');
      await until(() => k.deps.store.fediverseReplies.listMentions({ limit: 10, offset: 0 }), (p) => p.total === 2);
      assert.equal(await k.deps.store.fediverseReplies.findByNote(`${peer.base}/mastodon/users/ana/statuses/113050`), null, 'not a comment');
      const html = await page();
      assert.doesNotMatch(html, /my aunt grows this tea/);
      assert.doesNotMatch(html, /translate your tea post/);
      const admin = await (await owner.request('/admin/fediverse')).text();
      assert.match(admin, /Private mentions \(2\)/);
      assert.match(admin, /Followers only[\s\S]*answering <a href="\/green-tea">How I brew green tea<\/a>[\s\S]*my aunt grows this tea/);
      assert.match(admin, /Direct message[\s\S]*translate your tea post/);
      const mail = (await k.deps.store.outbox.list({ limit: 50, offset: 0 })).items.filter((m) => m.kind === 'private-mention');
      assert.deepEqual(mail.map((m) => [m.to, m.subject]).sort(), [
        ['mara@blog.example', `Private mention from Ana Lima (@ana@${peer.host})`],
        ['mara@blog.example', `Private mention from Kumo (@kumo@${peer.host})`],
      ]);
      // Deleting one from the list.
      const [newest] = (await k.deps.store.fediverseReplies.listMentions({ limit: 1, offset: 0 })).items;
      assert.equal((await owner.form(`/admin/fediverse/mentions/${newest.id}/delete`, {})).status, 303);
      assert.equal((await k.deps.store.fediverseReplies.listMentions({ limit: 10, offset: 0 })).total, 1);
      assert.equal((await owner.form(`/admin/fediverse/mentions/${newest.id}/delete`, {})).status, 404);
    });

    it('Delete in each server’s shape (a Tombstone, or Pleroma’s and Lemmy’s bare URI) moves the comment to the trash, restorable', async () => {
      const notes = {
        'mastodon-delete': anaNote(),
        'misskey-delete': `${peer.base}/misskey/notes/9pq1r2s3t4`,
        'pleroma-delete': `${peer.base}/pleroma/objects/8d2b9c1e-8f3a-4b5c-9d6e-7f8a9b0c1d2e`,
        'friendica-delete': `${peer.base}/friendica/objects/0f1e2d3c-1165-a4b2-7c8d-9e0f1a2b3c4d`,
        'lemmy-delete': `${peer.base}/lemmy/comment/774411`,
        'wordpress-delete': `${peer.base}/wordpress/?c=12`,
      };
      for (const [name, noteId] of Object.entries(notes)) {
        await send(name);
        const trashed = await until(() => commentOf(noteId), (c) => c.status === 'trash');
        assert.deepEqual(trashed.moderationReasons, ['deleted on the fediverse by its author'], name);
      }
      assert.doesNotMatch(await page(), /three minutes, no more/);
      const ana = await commentOf(anaNote());
      assert.equal((await owner.form('/admin/comments/moderate', { ids: String(ana.id), action: 'restore', back: '/admin/comments?status=trash' })).status, 303);
      assert.equal((await k.deps.store.comments.findById(ana.id))?.status, 'approved');
    });

    it('Delete of an actor trashes everything they sent, also when their key already answers 410 Gone', async () => {
      const gone = peer.mastodon('gone');
      for (const n of ['1', '2']) await send('mastodon-create-short', { actor: gone, user: 'gone', n, text: `Reply ${n} before I leave.` });
      const [one, two] = [await commentOf(`${gone}/statuses/1`), await commentOf(`${gone}/statuses/2`)];
      await approve([one.id]);
      await send('mastodon-delete-actor', { actor: gone });
      for (const id of [one.id, two.id]) {
        const c = await until(async () => (await k.deps.store.comments.findById(id))!, (x) => x.status === 'trash');
        assert.deepEqual(c.moderationReasons, ['its author’s fediverse account was deleted']);
      }

      // Vic's account is deleted at their server before their Delete arrives: the key answers 410.
      const vanished = peer.mastodon('vanished');
      await send('mastodon-create-short', { actor: vanished, user: 'vanished', n: '7', text: 'Here today.' });
      const vic = await commentOf(`${vanished}/statuses/7`);
      peer.gone.add('/mastodon/users/vanished');
      const { kv } = (k.deps.store as KyselyStore).federationBackends();
      for await (const entry of kv.list(['_fedify'])) if (JSON.stringify(entry.key).includes('/mastodon/users/vanished')) await kv.delete(entry.key);
      const res = await peer.send(k, fixture('mastodon-delete-actor', values({ actor: vanished })));
      assert.equal(res.status, 202, 'acknowledged, so the sender stops retrying');
      assert.equal((await k.deps.store.comments.findById(vic.id))?.status, 'trash');
      // An unverifiable Delete of someone else is not honoured.
      const ana = await commentOf(anaNote());
      const forged = await peer.send(k, { '@context': 'https://www.w3.org/ns/activitystreams', id: `${vanished}#delete-ana`, type: 'Delete', actor: vanished, object: peer.actor('mastodon') });
      assert.equal(forged.status, 401);
      assert.equal((await k.deps.store.comments.findById(ana.id))?.status, 'approved');
    });

    it('a Note attributed to someone other than its sender is not taken; a sender’s script and a page elsewhere are not kept', async () => {
      const mallory = peer.mastodon('mallory');
      const activity = fixture('mastodon-create-short', values({ actor: mallory, user: 'mallory', n: '66', text: 'I am Ana, honest.' }));
      activity.object.attributedTo = peer.actor('mastodon');
      assert.equal((await peer.send(k, activity)).status, 202);
      await settled(k);
      assert.equal(await k.deps.store.fediverseReplies.findByNote(`${mallory}/statuses/66`), null);
      assert.doesNotMatch(await page(), /I am Ana, honest/);

      // Her own Note with a script and a page elsewhere: sanitised, and "via" links to the Note itself.
      const hostile = fixture('mastodon-create-short', values({ actor: mallory, user: 'mallory', n: '67', text: 'Nice<script>alert(1)</script><img src=x onerror=alert(2)>' }));
      hostile.object.url = 'javascript:alert(3)';
      assert.equal((await peer.send(k, hostile)).status, 202);
      const comment = await commentOf(`${mallory}/statuses/67`);
      assert.equal(comment.html, '<p>Nice</p>');
      assert.equal((await k.deps.store.fediverseReplies.findByComment(comment.id))?.url, `${mallory}/statuses/67`);
    });

    it('the Article names its replies collection: approved comments by id, the originals for comments from the fediverse; a comment here is a Note', async () => {
      const article = await (await k.request(`/${post.slug}`, { headers: { accept: ACTIVITY_JSON } })).json();
      assert.equal(article.replies, `${BLOG}/ap/posts/${post.id}/replies`);
      const collection = await (await k.request(article.replies, { headers: { accept: ACTIVITY_JSON } })).json();
      const approved = await k.deps.store.comments.listApproved(post.id);
      assert.equal(collection.totalItems, approved.length);
      const first = await (await k.request(collection.first, { headers: { accept: ACTIVITY_JSON } })).json();
      const items = [first.items].flat();
      assert.ok(items.includes(anaNote()), 'Ana’s comment by its Note id');
      const answer = approved.find((c) => c.userId !== null)!;
      assert.ok(items.includes(`${BLOG}/comments/${answer.id}`), 'the author’s answer by its own id');
      assert.equal(items.length, approved.length);
      // A reader's comment is passed on by the blog's actor, naming them; a held one is not served.
      const write = { postId: post.id, parentId: null, personId: null, userId: null, authorName: 'Rosa <Reader>', authorEmail: 'rosa@example.com', authorUrl: null, markdown: 'Lovely.', html: '<p>Lovely.</p>', createdAt: Date.now(), source: 'form' as const };
      const rosa = await k.deps.store.comments.create({ ...write, status: 'approved' });
      const rosaNote = await (await k.request(`/comments/${rosa.id}`, { headers: { accept: ACTIVITY_JSON } })).json();
      assert.deepEqual([rosaNote.type, rosaNote.attributedTo, rosaNote.inReplyTo, rosaNote.content], ['Note', BLOG_ACTOR, postUrl(), '<p>Rosa &lt;Reader&gt; commented:</p><p>Lovely.</p>']);
      const held = await k.deps.store.comments.create({ ...write, status: 'pending' });
      const heldAnswer = await k.request(`/comments/${held.id}`, { headers: { accept: ACTIVITY_JSON } });
      assert.notEqual(heldAnswer.status, 200);
      assert.doesNotMatch(heldAnswer.headers.get('content-type') ?? '', /activity\+json/);
      // A browser opening a comment's id is sent to it on the post.
      const browser = await k.request(`/comments/${answer.id}`);
      assert.equal(browser.status, 302);
      assert.match(browser.headers.get('location') ?? '', new RegExp(`/${post.slug}.*#comment-${answer.id}`));
    });
  });
}
