import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Post, User } from '../../core/store.ts';
import type { MentionType, ReceivedMention } from '../../core/webmention-store.ts';
import { ApiClient } from '../../../test/helpers/api-client.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';
import { apiReceivedListSchema, apiReceivedMentionSchema, apiSentListSchema } from '../openapi-webmentions.ts';

for (const { engine, skip } of testEngines()) {
  describe(`JSON API: webmentions (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let api: ApiClient;
    let owner: { user: User; secret: string };
    let author: { user: User; secret: string };
    let moderator: { user: User; secret: string };
    let post: Post;
    let like: ReceivedMention;
    let reply: ReceivedMention;

    /** A mention received and verified, as the verify job would after fetching its source. */
    async function mention(source: string, type: MentionType, content: string | null): Promise<ReceivedMention> {
      const received = await k.deps.store.webmentions.receive({ source, target: `http://localhost:3000/${post.slug}`, postId: post.id, via: 'webmention' }, k.deps.clock.now());
      const verified = await k.deps.webmentions.applyVerification(received.id, { kind: 'links', type, authorName: 'Eve', authorUrl: 'https://eve.example/', authorPhoto: null, content, url: source, publishedAt: null });
      assert.ok(verified);
      return verified;
    }

    before(async () => {
      k = await startTestKumbaya({ engine });
      api = new ApiClient(k);
      owner = await api.token('owner');
      author = await api.token('author');
      moderator = await api.token('moderator');
      const draft = await k.deps.posts.create(author.user, { title: 'Linking out', markdown: 'See [this](https://elsewhere.example/page) and [that](https://other.example/).' });
      post = (await k.deps.posts.publish(author.user, draft.id)).post;
      like = await mention('https://eve.example/likes/1', 'like', null);
      reply = await mention('https://eve.example/notes/2', 'reply', 'What a good point.');
      await k.deps.store.webmentions.receive({ source: 'https://spam.example/x', target: `http://localhost:3000/${post.slug}`, postId: post.id, via: 'pingback' }, k.deps.clock.now());
      await k.deps.store.webmentions.recordSent(post.id, 'https://elsewhere.example/page', { status: 'failed', endpoint: 'https://elsewhere.example/wm', httpStatus: 500, error: 'The endpoint answered 500.', attempted: true }, k.deps.clock.now());
    });
    after(() => k.cleanup());

    test('lists a post’s received mentions with their status, and its sent links with what answered', async () => {
      const received = await api.expect('GET', `/api/webmentions/received?post_id=${post.id}`, 200, { token: author.secret, schema: apiReceivedListSchema });
      const byId = Object.fromEntries(received.received.map((m: any) => [m.id, m]));
      assert.equal(received.received.length, 3);
      assert.deepEqual([byId[like.id].type, byId[like.id].status, byId[like.id].author_name], ['like', 'verified', 'Eve']);
      assert.equal(byId[reply.id].comment_id, reply.commentId);
      assert.ok(byId[reply.id].comment_status);
      const queued = await api.expect('GET', `/api/webmentions/received?post_id=${post.id}&status=queued`, 200, { token: moderator.secret });
      assert.deepEqual(queued.received.map((m: any) => [m.source, m.via]), [['https://spam.example/x', 'pingback']]);
      const sent = await api.expect('GET', `/api/webmentions/sent?post_id=${post.id}`, 200, { token: owner.secret, schema: apiSentListSchema });
      assert.deepEqual(sent.sent.map((s: any) => [s.target, s.status, s.http_status, s.error, s.attempts]), [
        ['https://elsewhere.example/page', 'failed', 500, 'The endpoint answered 500.', 1],
        ['https://other.example/', 'queued', null, null, 0],
      ], 'publishing queued both links; one failed');
      const failed = await api.expect('GET', `/api/webmentions/sent?post_id=${post.id}&status=failed`, 200, { token: owner.secret });
      assert.deepEqual(failed.sent.map((s: any) => s.target), ['https://elsewhere.example/page']);
      assert.equal((await api.refused('GET', '/api/webmentions/received', 422, { token: owner.secret })).fields?.post_id, 'Use a post’s numeric id.');
      assert.equal((await api.refused('GET', `/api/webmentions/sent?post_id=${post.id}&status=lost`, 422, { token: owner.secret })).fields?.status, 'Use queued, sent, no-endpoint or failed.');
      assert.equal((await api.refused('GET', '/api/webmentions/received?post_id=999999', 404, { token: owner.secret })).message, 'The post was not found.');
    });

    test('hides a like from the post and shows it again; a new verification does not bring back what was deleted', async () => {
      const hidden = await api.expect('POST', `/api/webmentions/${like.id}/moderate`, 200, { token: moderator.secret, body: { action: 'hide' }, schema: apiReceivedMentionSchema });
      assert.deepEqual([hidden.status, hidden.reason], ['deleted', 'hidden by the site']);
      assert.deepEqual((await k.deps.store.webmentions.listVerified(post.id)).map((m) => m.id), [reply.id], 'no longer shown under the post');
      const shown = await api.expect('POST', `/api/webmentions/${like.id}/moderate`, 200, { token: author.secret, body: { action: 'approve' } });
      assert.equal(shown.status, 'verified');
      const deleted = await api.expect('POST', `/api/webmentions/${like.id}/moderate`, 200, { token: owner.secret, body: { action: 'delete' } });
      assert.deepEqual([deleted.status, deleted.reason], ['deleted', 'deleted by the site']);
      await k.deps.webmentions.applyVerification(like.id, { kind: 'links', type: 'like', authorName: 'Eve', authorUrl: 'https://eve.example/', authorPhoto: null, content: null, url: null, publishedAt: null });
      assert.equal((await k.deps.store.webmentions.findReceived(like.id))?.status, 'deleted', 'the source sending again does not bring it back');
      const refused = await api.refused('POST', `/api/webmentions/${like.id}/moderate`, 409, { token: owner.secret, body: { action: 'approve' } });
      assert.equal(refused.message, 'This mention cannot be shown: it was taken away (deleted by the site).');
      const queued = (await k.deps.store.webmentions.listReceived(post.id)).find((m) => m.status === 'queued')!;
      assert.equal((await api.refused('POST', `/api/webmentions/${queued.id}/moderate`, 409, { token: owner.secret, body: { action: 'hide' } })).message, 'This mention cannot be hidden: it is still being verified.');
    });

    test('a reply is moderated as the comment it became', async () => {
      const hidden = await api.expect('POST', `/api/webmentions/${reply.id}/moderate`, 200, { token: moderator.secret, body: { action: 'hide' } });
      assert.equal(hidden.comment_status, 'pending');
      const approved = await api.expect('POST', `/api/webmentions/${reply.id}/moderate`, 200, { token: moderator.secret, body: { action: 'approve' } });
      assert.equal(approved.comment_status, 'approved');
      assert.equal((await k.deps.store.comments.findById(reply.commentId!))?.status, 'approved');
      const trashed = await api.expect('POST', `/api/webmentions/${reply.id}/moderate`, 200, { token: owner.secret, body: { action: 'delete' } });
      assert.equal(trashed.comment_status, 'trash');
      const bad = await api.refused('POST', `/api/webmentions/${reply.id}/moderate`, 422, { token: owner.secret, body: { action: 'spam' } });
      assert.equal(bad.fields?.action, 'Use approve, hide or delete.');
      assert.equal((await api.refused('POST', '/api/webmentions/999999/moderate', 404, { token: owner.secret, body: { action: 'hide' } })).code, 'not_found');
    });

    test('resends a post’s webmentions: its links are queued again', async () => {
      const result = await api.expect('POST', '/api/webmentions/resend', 200, { token: author.secret, body: { post_id: post.id } });
      assert.equal(result.queued, 2);
      const sent = await api.expect('GET', `/api/webmentions/sent?post_id=${post.id}&status=queued`, 200, { token: author.secret });
      assert.deepEqual(sent.sent.map((s: any) => s.target).sort(), ['https://elsewhere.example/page', 'https://other.example/']);
      assert.equal((await api.refused('POST', '/api/webmentions/resend', 422, { token: author.secret, body: { post_id: 'x' } })).fields?.post_id, 'Use the post’s numeric id.');
      assert.equal((await api.refused('POST', '/api/webmentions/resend', 403, { token: moderator.secret, body: { post_id: post.id } })).message, 'Moderators do not send webmentions: the post’s author or the owner does.');
    });

    test('another author, and anonymous callers, are refused', async () => {
      const other = await api.token('author');
      assert.equal((await api.refused('GET', `/api/webmentions/received?post_id=${post.id}`, 403, { token: other.secret })).message, 'Authors look after the webmentions of their own posts only.');
      assert.equal((await api.refused('POST', `/api/webmentions/${like.id}/moderate`, 403, { token: other.secret, body: { action: 'approve' } })).code, 'forbidden');
      assert.equal((await api.refused('POST', '/api/webmentions/resend', 403, { token: other.secret, body: { post_id: post.id } })).message, 'Only the owner can resend another author’s webmentions.');
      assert.equal((await api.refused('GET', `/api/webmentions/sent?post_id=${post.id}`, 401)).code, 'unauthenticated');
    });
  });
}
