import assert from 'node:assert/strict';
import type http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { eventually } from './helpers/eventually.ts';
import { closeGracefully, createServer, listen } from '../src/web/server.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from './helpers/test-kumbaya.ts';

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A whole Kumbaya listening on a real port, with its job queue running (as `npm start` runs it). */
async function instance(engine: 'sqlite' | 'postgres'): Promise<{ k: TestKumbaya; server: http.Server; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const k = await startTestKumbaya({ engine, env: { SITE_URL: url, WEBMENTION_ALLOW_PRIVATE: 'true', JOBS_INTERVAL_MS: '200' } });
  const server = createServer(k.app, k.deps.pageCache, k.config.siteUrl);
  await listen(server, port, '127.0.0.1');
  k.jobs.start();
  return { k, server, url };
}

for (const { engine, skip } of testEngines()) {
  describe(`two Kumbaya instances exchange webmentions (${engine})`, { skip }, () => {
    let a: Awaited<ReturnType<typeof instance>>;
    let b: Awaited<ReturnType<typeof instance>>;
    before(async () => {
      a = await instance(engine);
      b = await instance(engine);
    });
    after(async () => {
      for (const side of [b, a]) {
        if (!side) continue;
        await closeGracefully(side.server);
        await side.k.cleanup();
      }
    });

    it('a reply published on B reaches A, waits for moderation, shows in A’s thread once approved, and leaves when B deletes it', async () => {
      const ownerA = await a.k.signIn('owner');
      const original = await a.k.deps.posts.create(ownerA.user!, { title: 'Why I still write a blog', markdown: 'Owning the place where you write matters.' });
      await a.k.deps.posts.publish(ownerA.user!, original.id);
      const target = `${a.url}/${original.slug}`;

      const ownerB = await b.k.signIn('owner');
      const reply = await b.k.deps.posts.create(ownerB.user!, {
        title: 'Re: why I still write a blog',
        markdown: `<a class="u-in-reply-to" href="${target}">In reply to A</a>\n\nI agree: my words live on my own domain too.`,
      });
      await b.k.deps.posts.publish(ownerB.user!, reply.id);
      const source = `${b.url}/${reply.slug}`;

      // B discovered A's endpoint from the Link header and A accepted it.
      const sent = await eventually(async () => (await b.k.deps.store.webmentions.listSent(reply.id)).some((s) => s.status === 'sent'), 15_000);
      assert.ok(sent, `B notified A: ${JSON.stringify(await b.k.deps.store.webmentions.listSent(reply.id))}`);
      const [record] = await b.k.deps.store.webmentions.listSent(reply.id);
      assert.deepEqual([record.target, record.endpoint, record.httpStatus], [target, `${a.url}/webmention`, 202]);

      // A fetched B's page, found the h-entry replying to its post, and holds the reply.
      const held = await eventually(async () => (await a.k.deps.store.comments.listForModeration({ status: 'pending', limit: 5, offset: 0 })).total === 1, 15_000);
      assert.ok(held, 'A holds the reply for moderation');
      const [comment] = (await a.k.deps.store.comments.listForModeration({ status: 'pending', limit: 5, offset: 0 })).items;
      assert.equal(comment.source, 'webmention');
      assert.equal(comment.postId, original.id);
      assert.equal(comment.authorName, ownerB.user!.name);
      assert.equal(comment.authorUrl, `${b.url}/author/${ownerB.user!.slug}`);
      assert.match(comment.markdown, /my words live on my own domain too/);
      const [mention] = await a.k.deps.store.webmentions.listVerified(original.id);
      assert.deepEqual([mention.source, mention.type, mention.commentId], [source, 'reply', comment.id]);

      const before = await (await fetch(target)).text();
      assert.doesNotMatch(before, /my words live on my own domain too/, 'not shown while held');

      const moderator = await a.k.signIn('owner');
      const approve = await moderator.form('/admin/comments/moderate', { ids: String(comment.id), action: 'approve' });
      assert.ok(approve.status < 400, `approval answered ${approve.status}`);
      assert.equal((await a.k.deps.store.comments.findById(comment.id))?.status, 'approved');
      const page = await (await fetch(target)).text();
      assert.match(page, /my words live on my own domain too/, 'the reply is in A’s thread');
      assert.match(page, new RegExp(`href="${b.url}/author/${ownerB.user!.slug}"[^>]*>${ownerB.user!.name}`));

      // B deletes the reply: its page answers 410 Gone, B tells A, and A moves the comment to the trash (restorable).
      await b.k.deps.posts.trash(ownerB.user!, reply.id);
      assert.equal((await fetch(source)).status, 410);
      const removed = await eventually(async () => (await a.k.deps.store.comments.findById(comment.id))?.status === 'trash', 15_000);
      assert.ok(removed, 'A took the reply away');
      assert.doesNotMatch(await (await fetch(target)).text(), /my words live on my own domain too/);
      const [gone] = await a.k.deps.store.webmentions.listReceived(original.id);
      assert.deepEqual([gone.status, gone.reason], ['deleted', 'the source answered 410 Gone']);
    });
  });
}
