import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Post, User } from '../src/core/store.ts';
import { RemoteServers, queued, settled, signedBy, until, type Received } from './helpers/fediverse-remote.ts';
import { startTestKumbaya, testEngines, type Agent, type TestKumbaya } from './helpers/test-kumbaya.ts';

const SITE = 'https://blog.example';
const BLOG_ACTOR = `${SITE}/@blog`;
const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';

const activityOf = (r: Received) => JSON.parse(r.body) as { id: string; type: string; actor: string; object: any; to?: string | string[]; cc?: string | string[] };
const list = (value: string | string[] | undefined) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
/** What reached an inbox about one post, in order of arrival: "Create", "Update", "Delete". */
const typesFor = (remote: RemoteServers, path: string, url: string) =>
  remote.received.filter((r) => r.path === path).map(activityOf).filter((a) => (a.object?.id ?? a.object) === url).map((a) => a.type);

for (const { engine, skip } of testEngines()) {
  // A generous bound only so that a missing listener fails instead of waiting forever.
  describe(`publishing to the fediverse (${engine})`, { skip, timeout: 20_000 }, () => {
    let k: TestKumbaya;
    let owner: Agent;
    let author: User;
    /** Ana (Mastodon) and Kumo (Misskey): two shared inboxes on one server. */
    const remote = new RemoteServers();
    /** A server whose account is gone: its inbox answers 410 once the follow is made. */
    const gone = new RemoteServers();
    /** A server that fails (500) until the test mends it. */
    const broken = new RemoteServers();
    let post: Post;
    const url = () => `${SITE}/${post.slug}`;

    before(async () => {
      for (const server of [remote, gone, broken]) await server.start();
      k = await startTestKumbaya({ engine: skip ? undefined : engine, env: { SITE_URL: SITE, FEDIVERSE_ALLOW_PRIVATE: 'true' } });
      owner = await k.signIn('owner');
      author = owner.user!;
      // They follow the blog the way their servers do: a signed Follow, answered by an Accept.
      const follows = [remote.follow('/mastodon/users/ana', BLOG_ACTOR), remote.follow('/misskey/users/9abc', BLOG_ACTOR), gone.follow('/solo/users/sol', BLOG_ACTOR), broken.follow('/solo/users/sol', BLOG_ACTOR)];
      const senders = [remote, remote, gone, broken];
      for (const [i, follow] of follows.entries()) assert.equal((await k.app.request(await senders[i].signed(SITE, follow))).status, 202);
      await until(() => k.deps.store.followers.countAccepted(), (n) => n === 4);
      await settled(k);
      gone.answer = (r) => (r.path === '/solo/users/sol/inbox' ? 410 : 202);
      broken.answer = (r) => (r.path === '/solo/users/sol/inbox' ? 500 : 202);
    });
    after(async () => {
      await k?.cleanup();
      for (const server of [remote, gone, broken]) await server.stop();
    });

    it('publishing sends one signed Create(Article) per shared inbox; an edit sends Update, trashing sends Delete, in that order', async () => {
      const draft = await k.deps.posts.create(author, { title: 'Notes from the meetup', markdown: 'We talked about **federation**.', tags: ['fediverse'] });
      assert.equal(remote.received.filter((r) => r.body.includes('Notes from the meetup')).length, 0, 'a draft is not sent');
      post = (await k.deps.posts.publish(author, draft.id)).post;

      const created = await remote.delivery((r) => r.path === '/mastodon/inbox' && activityOf(r).type === 'Create');
      assert.equal(k.fediverse?.delivering, true, 'deliveries are made by the delivery thread, off the thread that serves pages');
      assert.equal(await signedBy(k, remote, created), BLOG_ACTOR, 'the HTTP signature verifies against the blog actor’s key');
      const create = activityOf(created);
      assert.equal(create.actor, BLOG_ACTOR);
      assert.equal(create.object.type, 'Article');
      assert.equal(create.object.id, url());
      assert.equal(create.object.url, url());
      assert.equal(create.object.name, 'Notes from the meetup');
      assert.match(create.object.content, /We talked about <strong>federation<\/strong>/);
      assert.equal(create.object.attributedTo, BLOG_ACTOR);
      assert.deepEqual(list(create.to), [PUBLIC]);
      assert.deepEqual(list(create.cc), [`${BLOG_ACTOR}/followers`]);
      assert.deepEqual(list(create.object.to), [PUBLIC]);

      post = await k.deps.posts.update(author, post.id, { slug: post.slug, title: 'Notes from the meetup (with slides)', markdown: 'We talked about **federation**. Slides attached.', tags: ['fediverse'] });
      const updated = activityOf(await remote.delivery((r) => r.path === '/misskey/inbox' && activityOf(r).type === 'Update'));
      assert.equal(updated.object.id, url());
      assert.equal(updated.object.name, 'Notes from the meetup (with slides)');
      assert.ok(updated.object.updated, 'an Update says when the post was edited');
      assert.notEqual(updated.id, create.id);

      await k.deps.posts.trash(author, post.id);
      const deleted = await remote.delivery((r) => r.path === '/mastodon/inbox' && activityOf(r).type === 'Delete');
      assert.equal(await signedBy(k, remote, deleted), BLOG_ACTOR);
      assert.equal(activityOf(deleted).object.type, 'Tombstone');
      assert.equal(activityOf(deleted).object.id, url());
      await remote.delivery((r) => r.path === '/misskey/inbox' && activityOf(r).type === 'Delete');

      for (const inbox of ['/mastodon/inbox', '/misskey/inbox']) assert.deepEqual(typesFor(remote, inbox, url()), ['Create', 'Update', 'Delete'], `${inbox}: each once, in order`);
      // Shared inboxes only: nothing went to the accounts' own inboxes.
      assert.deepEqual(remote.received.filter((r) => r.path.startsWith('/mastodon/users/') || r.path.startsWith('/misskey/users/')).map((r) => activityOf(r).type), ['Accept', 'Accept']);
    });

    it('an inbox that answers 410 loses its follower; the others stay', async () => {
      const sol = `${gone.base}/solo/users/sol`;
      assert.equal(await until(() => k.deps.store.followers.findByActor(sol), (f) => f === null), null);
      assert.equal((await k.deps.store.followers.findByActor(`${remote.base}/mastodon/users/ana`))?.status, 'accepted');
      assert.equal((await k.deps.store.followers.findByActor(`${broken.base}/solo/users/sol`))?.status, 'accepted', 'a failing server is retried, not dropped');
    });

    it('a failed delivery shows in Admin → Fediverse with its error, and Retry sends it (and the activities behind it) now', async () => {
      const inbox = `${broken.base}/solo/users/sol/inbox`;
      const db = (k.deps.store as unknown as { db: import('kysely').Kysely<any> }).db;
      // Everything else has been delivered; the broken server's three wait.
      const failed = await until(
        () => db.selectFrom('federation_messages').selectAll().orderBy('id').execute(),
        (rows) => rows.length === 3 && rows.every((row) => row.inbox === inbox) && rows[0].last_error !== null,
      );
      assert.deepEqual(failed.map((row) => row.activity_type), ['Create', 'Update', 'Delete'], 'the Update and Delete wait behind the failed Create');

      const page = await (await owner.request('/admin/fediverse')).text();
      const section = page.slice(page.indexOf('id="deliveries-heading"'), page.indexOf('id="followers-heading"'));
      assert.match(section, /3 deliveries<\/strong> waiting \(1 failed and will be tried again/);
      const failedTable = section.slice(section.indexOf('Failed, waiting'), section.indexOf('Waiting ('));
      assert.match(failedTable, new RegExp(`${broken.host}[^]*/solo/users/sol/inbox[^]*Create[^]*Notes from the meetup \\(with slides\\)[^]*<td data-label="Attempts">1</td>[^]*500[^]*Next try`));
      const waitingTable = section.slice(section.indexOf('Waiting ('));
      assert.equal((waitingTable.match(/After this post’s earlier activity/g) ?? []).length, 2);

      // Retry is a form like any other: without the session's token it is refused.
      const forged = await owner.request(`/admin/fediverse/deliveries/${failed[0].id}/retry`, { method: 'POST', body: new URLSearchParams({ _csrf: 'nope' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(forged.status, 403);
      assert.equal(await queued(k), 3);

      broken.answer = () => 202;
      const retried = await owner.form(`/admin/fediverse/deliveries/${failed[0].id}/retry`, {});
      assert.equal(retried.status, 303);
      assert.match(retried.headers.get('location') ?? '', /notice=delivery-retried/);
      await settled(k);
      assert.deepEqual(typesFor(broken, '/solo/users/sol/inbox', url()), ['Create', 'Update', 'Delete']);
      assert.equal(await signedBy(k, broken, broken.received.find((r) => activityOf(r).type === 'Create')!), BLOG_ACTOR);

      const after = await (await owner.request('/admin/fediverse')).text();
      assert.match(after, /Nothing waits to be delivered/);
      // A delivery that is no longer waiting cannot be retried.
      assert.equal((await owner.form(`/admin/fediverse/deliveries/${failed[0].id}/retry`, {})).status, 404);
    });

    it('a page, a draft and a password-protected post are not sent', async () => {
      const before = remote.received.length;
      const page = await k.deps.posts.create(author, { type: 'page', title: 'About', markdown: 'Hi.' });
      await k.deps.posts.publish(author, page.id);
      const locked = await k.deps.posts.create(author, { title: 'Members only', markdown: 'Shh.', password: 'secret' });
      await k.deps.posts.publish(author, locked.id);
      await k.deps.posts.create(author, { title: 'Still a draft', markdown: 'Soon.' });
      assert.equal(await queued(k), 0, 'nothing was queued');
      assert.equal(remote.received.length, before);
    });

    // Last: it stops this instance's deliveries.
    it('deliveries left waiting by a stopped instance are sent by the next one, whose delivery thread starts with it', async () => {
      await k.fediverse!.close();
      assert.equal(k.fediverse?.delivering, false, 'the delivery thread stops with the instance');
      const draft = await k.deps.posts.create(author, { title: 'Written while deliveries slept', markdown: 'Queued.' });
      // The publish's change is written to the change log after it, in a transaction of its
      // own: the next instance's connection, in this same thread, must not wait for its lock
      // (it would wait asleep, and the transaction could not end meanwhile).
      const logged = new Promise<void>((resolve) => {
        const stop = k.deps.changes.follow(() => {
          stop();
          resolve();
        });
      });
      const waiting = (await k.deps.posts.publish(author, draft.id)).post;
      await logged;
      assert.equal(await queued(k), 1, 'queued, and nobody delivers it');

      const next = await startTestKumbaya({ engine: skip ? undefined : engine, pgSchema: k.pgSchema, env: { SITE_URL: SITE, FEDIVERSE_ALLOW_PRIVATE: 'true', DATA_DIR: k.config.dataDir } });
      try {
        await next.fediverse!.resumeIfPending();
        const created = await remote.delivery((r) => r.path === '/mastodon/inbox' && activityOf(r).type === 'Create' && activityOf(r).object.id === `${SITE}/${waiting.slug}`);
        assert.equal(next.fediverse?.delivering, true);
        assert.equal(next.fediverse?.loaded, false, 'delivering loads Fedify in the delivery thread only, never on the thread that serves pages');
        // (Checking the signature fetches the blog's actor from this thread, which loads it here.)
        assert.equal(await signedBy(next, remote, created), BLOG_ACTOR);
      } finally {
        await next.cleanup();
      }
    });
  });
}

describe('publishing on a blog nobody follows yet', () => {
  it('loads nothing of Fedify and queues nothing', async (t) => {
    const k = await startTestKumbaya({ env: { SITE_URL: SITE } });
    t.after(() => k.cleanup());
    const owner = await k.signIn('owner');
    const draft = await k.deps.posts.create(owner.user!, { title: 'Into the quiet', markdown: 'Nobody follows yet.' });
    await k.deps.posts.publish(owner.user!, draft.id);
    assert.equal(k.fediverse?.loaded, false);
    assert.equal(k.fediverse?.delivering, false, 'no delivery thread is started for nothing');
    assert.equal(await queued(k), 0);
  });
});

