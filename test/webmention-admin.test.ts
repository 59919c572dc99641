import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { startTestKumbaya, type TestKumbaya } from './helpers/test-kumbaya.ts';

describe('webmentions in the admin', () => {
  let k: TestKumbaya;
  beforeEach(async () => {
    k = await startTestKumbaya();
  });
  afterEach(() => k.cleanup());

  it('lists a post’s notified links to those who may edit it, and queues them again on request', async () => {
    const owner = await k.signIn('owner');
    const post = await k.deps.posts.create(owner.user!, { title: 'Links', markdown: '[one](https://one.example/a) and [two](https://two.example/b) and [home](http://localhost:3000/elsewhere)' });
    await k.deps.posts.publish(owner.user!, post.id);
    const page = await (await owner.request(`/admin/posts/${post.id}/webmentions`)).text();
    assert.match(page, /https:\/\/one\.example\/a[\s\S]*Queued[\s\S]*waiting to be sent/);
    assert.match(page, /https:\/\/two\.example\/b/);
    assert.doesNotMatch(page, /localhost:3000\/elsewhere<\/a>/, 'links to this site are not notified');
    assert.match(await (await owner.request(`/admin/posts/${post.id}`)).text(), new RegExp(`href="/admin/posts/${post.id}/webmentions"`));

    const before = (await k.deps.store.jobs.list({ kind: 'webmention-send', limit: 10, offset: 0 })).total;
    const resend = await owner.form(`/admin/posts/${post.id}/webmentions/resend`, {});
    assert.equal(resend.status, 303);
    assert.equal((await k.deps.store.jobs.list({ kind: 'webmention-send', limit: 10, offset: 0 })).total, before + 2);

    const other = await k.signIn('author');
    assert.equal((await other.request(`/admin/posts/${post.id}/webmentions`)).status, 403);
  });

  it('never fetches a private address for a link (unless allowed): recorded as refused, not retried', async () => {
    const owner = await k.signIn('owner');
    const post = await k.deps.posts.create(owner.user!, { title: 'Local notes', markdown: 'My router is at [http://192.168.1.1/admin](http://192.168.1.1/admin) and [this](http://127.0.0.1:9/x).' });
    await k.deps.posts.publish(owner.user!, post.id);
    assert.equal(await k.jobs.tick(), 2);
    const sent = await k.deps.store.webmentions.listSent(post.id);
    assert.deepEqual(sent.map((s) => [s.target, s.status]), [['http://127.0.0.1:9/x', 'failed'], ['http://192.168.1.1/admin', 'failed']]);
    assert.ok(sent.every((s) => /private or reserved address/.test(s.error ?? '')), JSON.stringify(sent));
    assert.deepEqual(await k.deps.store.jobs.countByStatus(), { pending: 0, done: 2, dead: 0 });
  });

  it('shows jobs that gave up to the owner, with Retry', async () => {
    const owner = await k.signIn('owner');
    await k.deps.store.jobs.enqueue({ kind: 'webmention-send', key: 'k1', payload: { target: 'https://x.example/' } }, k.deps.clock.now());
    const [job] = await k.deps.store.jobs.claimDue(k.deps.clock.now(), 1, 60_000);
    await k.deps.store.jobs.fail(job.id, 'discovery: x.example resolves to 10.0.0.1, a private or reserved address', null, k.deps.clock.now());
    const page = await (await owner.request('/admin/jobs')).text();
    assert.match(page, /webmention-send[\s\S]*target: https:\/\/x\.example\/[\s\S]*a private or reserved address/);
    assert.equal((await owner.form(`/admin/jobs/${job.id}/retry`, {})).status, 303);
    assert.deepEqual(await k.deps.store.jobs.countByStatus(), { pending: 1, done: 0, dead: 0 });
    assert.equal((await (await k.signIn('author')).request('/admin/jobs')).status, 403);
  });
});
