import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Post, User } from '../../core/store.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';
import { SseReader } from '../../../test/helpers/sse.ts';

for (const { engine, skip } of testEngines()) {
  describe(`the live comment stream (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let owner: User;
    let post: Post;
    const open: SseReader[] = [];
    beforeEach(async () => {
      k = await startTestKumbaya({ engine, env: { LIVE_STREAMS_MAX: '2' } });
      owner = (await k.signIn('owner')).user!;
      post = await k.deps.posts.create(owner, { title: 'On listening', markdown: 'Listening is most of a conversation.' });
      await k.deps.posts.publish(owner, post.id);
    });
    afterEach(async () => {
      for (const reader of open.splice(0)) await reader.close();
      await k.cleanup();
    });

    async function connect(headers: Record<string, string> = {}): Promise<SseReader> {
      const res = await k.request(`/comments/live/${post.id}`, { headers: { accept: 'text/event-stream', ...headers } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'text/event-stream');
      const reader = new SseReader(res);
      open.push(reader);
      await reader.waitFor((e) => e.event === 'ready');
      return reader;
    }

    /** A reader's comment, held, then approved by the owner: what a live stream announces. */
    async function approvedComment(body: string): Promise<number> {
      const held = await k.deps.store.comments.create({
        postId: post.id, parentId: null, personId: null, userId: null, authorName: 'Dana', authorEmail: 'dana@example.org', authorUrl: null, markdown: body, html: `<p>${body}</p>`, status: 'pending', createdAt: Date.now(),
      });
      await k.deps.comments.moderate([held.id], 'approve', owner.id);
      return held.id;
    }

    it('announces an approved comment with its id in the change log', async () => {
      const stream = await connect();
      const ready = stream.events.find((e) => e.event === 'ready')!;
      assert.match(ready.id ?? '', /^[0-9]+$/, 'even the first event names where to resume');
      const id = await approvedComment('Approved while you read.');
      const event = await stream.waitFor((e) => e.event === 'comment');
      assert.deepEqual(JSON.parse(event.data), { id });
      assert.ok(Number(event.id) > Number(ready.id), 'ids grow');
    });

    it('sends a reconnecting browser what it missed, after its Last-Event-ID, and nothing twice', async () => {
      const first = await connect();
      const seen = await approvedComment('Seen live.');
      await first.waitFor((e) => e.event === 'comment');
      const lastEventId = first.lastEventId!;
      await first.close();

      // Away: two comments are approved (and one on another post, which is not this page's).
      const other = await k.deps.posts.create(owner, { title: 'Elsewhere', markdown: 'Another post.' });
      await k.deps.posts.publish(owner, other.id);
      const missed1 = await approvedComment('Missed one.');
      const missed2 = await approvedComment('Missed two.');
      await k.deps.comments.moderate(
        [(await k.deps.store.comments.create({ postId: other.id, parentId: null, personId: null, userId: null, authorName: 'Eli', authorEmail: 'eli@example.org', authorUrl: null, markdown: 'x', html: '<p>x</p>', status: 'pending', createdAt: Date.now() })).id],
        'approve',
      );

      const again = await connect({ 'last-event-id': lastEventId });
      await again.waitFor((e) => e.event === 'comment' && JSON.parse(e.data).id === missed2);
      // And it carries on live.
      const live = await approvedComment('After coming back.');
      await again.waitFor((e) => e.event === 'comment' && JSON.parse(e.data).id === live);
      const comments = again.events.filter((e) => e.event === 'comment').map((e) => JSON.parse(e.data).id);
      assert.deepEqual(comments, [missed1, missed2, live], `not ${seen} again, nor the other post's`);
      const ids = again.events.filter((e) => e.id !== null).map((e) => Number(e.id));
      assert.deepEqual([...ids].sort((a, b) => a - b), ids, 'ids only grow');
    });

    it('tells a browser back from too long away (or from another site) that only a reload shows what it missed', async () => {
      const stream = await connect({ 'last-event-id': '999999999' });
      const missed = stream.events.find((e) => e.event === 'missed');
      assert.ok(missed, JSON.stringify(stream.events));
      assert.ok(Number(missed.id) < 999999999, 'it resumes from this site’s own ids');
    });

    it('keeps at most LIVE_STREAMS_MAX streams open, and says so past it', async () => {
      const a = await connect();
      await connect();
      const refused = await k.request(`/comments/live/${post.id}`, { headers: { accept: 'text/event-stream' } });
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get('retry-after'), '30');
      assert.match(await refused.text(), /as many live readers as it can take: reload the page in a while to see new comments/);
      const health = (await (await k.request('/healthz')).json()) as { live_updates: { streams: { open: number; max: number } } };
      assert.deepEqual(health.live_updates.streams, { open: 2, max: 2 });

      // A reader leaves: their place is free again.
      await a.close();
      for (let i = 0; i < 100 && k.deps.liveStreams.open > 1; i++) await new Promise((r) => setTimeout(r, 20));
      await connect();
    });
  });
}
