import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Post } from '../../core/store.ts';
import { startTestKumbaya, testEngines, type Agent, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';

/** Bad input of every kind gets a 4xx that says what is wrong, never a 500. */
for (const { engine, skip } of testEngines()) {
  describe(`bad input answers 4xx, not 500 (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let owner: Agent;
    let post: Post;
    before(async () => {
      k = await startTestKumbaya({ engine });
      owner = await k.signIn('owner');
      const created = await k.deps.posts.create(owner.user!, { title: 'Porch evenings', markdown: 'About porches.' });
      post = (await k.deps.posts.publish(owner.user!, created.id)).post;
    });
    after(() => k.cleanup());

    const pingback = (inner: string) =>
      k.request('/xmlrpc.php', {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body: `<?xml version="1.0"?><methodCall><methodName>pingback.ping</methodName><params><param><value>${inner}</value></param></params></methodCall>`,
      });

    it('refuses XML-RPC nested deeper than any pingback (101 and 1,000 levels) with 400 and a parse-error fault', async () => {
      for (const depth of [101, 1000]) {
        const res = await pingback(`${'<struct>'.repeat(depth)}x${'</struct>'.repeat(depth)}`);
        assert.equal(res.status, 400, `${depth} levels`);
        const body = await res.text();
        assert.match(body, /<name>faultCode<\/name><value><int>-32700<\/int>/);
        assert.match(body, /nested more than 20 elements deep/);
      }
      // An ordinary pingback still gets its Pingback fault (the source is missing), at 200.
      const ordinary = await pingback('<string></string>');
      assert.equal(ordinary.status, 200);
      assert.match(await ordinary.text(), /<int>16<\/int>/);
    });

    it('shows the form again (422) when a comment with a bad or impossible parentId is also invalid', async () => {
      for (const parentId of ['abc', '1.5', '-3', '99999999999', '1e3']) {
        const res = await k.request('/comments', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ postId: String(post.id), parentId, name: '', email: 'not an address', body: '' }),
        });
        assert.equal(res.status, 422, parentId);
        assert.match(await res.text(), /Check your comment/, parentId);
      }
      const json = await k.request('/comments', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ postId: post.id, parentId: 'abc', name: '', email: '', body: '' }),
      });
      assert.equal(json.status, 422);
    });

    it('answers 400 (invalid_json) to a JSON body that does not parse: a comment, its edit and delete, the editor’s preview and autosave', async () => {
      const ctx = { ip: '198.51.100.9', userAgent: 'test', referrer: '', user: null };
      const { comment } = await k.deps.comments.submit({ postId: post.id, name: 'Ann', email: 'ann@example.org', body: 'Hello.' }, ctx, `${k.config.siteUrl}/${post.slug}`, post);
      const json = { 'content-type': 'application/json', accept: 'application/json' };
      for (const [path, agent] of [
        ['/comments', k],
        [`/comments/${comment.id}/edit`, k],
        [`/comments/${comment.id}/delete`, k],
        ['/admin/preview', owner],
        ['/admin/posts/autosave', owner],
      ] as const) {
        const res = await agent.request(path, { method: 'POST', headers: { ...json, 'x-csrf-token': owner.csrf }, body: '{"body": "Hel' });
        assert.equal(res.status, 400, path);
        const answer = (await res.json()) as { error: { code: string; message: string } };
        assert.equal(answer.error.code, 'invalid_json', path);
        assert.match(answer.error.message, /JSON/, path);
      }
      // Nothing changed: the comment keeps its text.
      assert.equal((await k.deps.store.comments.findById(comment.id))?.markdown, 'Hello.');
    });

    it('answers 404 for ids no record can have, in paths and fields', async () => {
      const huge = '99999999999';
      for (const path of [`/comments/${huge}/fragment`, `/comments/${huge}`, `/comments/${huge}/pending`, `/comments/${huge}/edit`, `/comments/live/${huge}`, `/webmention/${huge}`, `/api/posts/${huge}`]) {
        assert.equal((await k.request(path)).status, 404, path);
      }
      assert.equal((await owner.request(`/admin/posts/${huge}`)).status, 404);
      const res = await k.request('/comments', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ postId: huge, name: 'Ann', email: 'ann@example.org', body: 'Hello' }),
      });
      assert.equal(res.status, 404);
      assert.equal((await k.request(`/${post.slug}?reply_to=${huge}`)).status, 200);
    });

    it('refuses to moderate more than 500 comments in one request (413, saying so), by form and by script, changing nothing', async () => {
      const ctx = { ip: '198.51.100.7', userAgent: 'test', referrer: '', user: null };
      const { comment } = await k.deps.comments.submit(
        { postId: post.id, name: 'Ann', email: 'ann@example.org', body: 'Held, and kept held.', formToken: k.deps.spam.issueFormToken(post.id, k.deps.clock.now() - 60_000) },
        ctx,
        '',
      );
      assert.equal(comment.status, 'pending');
      const body = new URLSearchParams({ _csrf: owner.csrf, action: 'approve', back: '/admin/comments', from: 'pending' });
      body.append('ids', String(comment.id));
      for (let id = 1_000_000; id < 1_032_000; id++) body.append('ids', String(id));
      for (const accept of ['text/html', 'application/json']) {
        const res = await owner.request('/admin/comments/moderate', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept }, body });
        assert.equal(res.status, 413, accept);
        assert.match(await res.text(), /Choose at most 500 comments at a time; this request named 32001/, accept);
      }
      assert.equal((await k.deps.store.comments.findById(comment.id))?.status, 'pending');
    });
  });
}
