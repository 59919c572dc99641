import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SubmitContext } from '../../core/comment-service.ts';
import type { Comment, Post, User } from '../../core/store.ts';
import { ApiClient } from '../../../test/helpers/api-client.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';
import { apiDashboardSchema, apiMeSchema, apiPreviewSchema } from '../openapi-desk.ts';
import { apiPostListSchema } from '../openapi.ts';

type Tokened = { user: User; secret: string };

for (const { engine, skip } of testEngines()) {
  describe(`JSON API: search, preview, dashboard, own profile (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let api: ApiClient;
    let owner: Tokened;
    let ada: Tokened;
    let bea: Tokened;
    let moderator: Tokened;
    let live: Post;
    let readers = 0;

    async function published(user: User, title: string, markdown: string): Promise<Post> {
      const created = await k.deps.posts.create(user, { title, markdown });
      return (await k.deps.posts.publish(user, created.id)).post;
    }

    /** A reader's comment (a first comment is held; `approve` lets it through). */
    async function readerComment(on: Post, body: string, approve = false): Promise<Comment> {
      readers++;
      const ctx: SubmitContext = { ip: `198.51.100.${readers}`, userAgent: 'test', referrer: '', user: null };
      const formToken = k.deps.spam.issueFormToken(on.id, k.deps.clock.now() - 60_000);
      const { comment } = await k.deps.comments.submit({ postId: on.id, name: `Reader ${readers}`, email: `desk-reader${readers}@example.com`, body, formToken }, ctx, '');
      if (approve && comment.status !== 'approved') await k.deps.comments.moderate([comment.id], 'approve', owner.user.id);
      return (await k.deps.store.comments.findById(comment.id))!;
    }

    const scoped = async (who: Tokened, scopes: string[]) => (await k.deps.auth.createApiToken(who.user, 'narrow', { scopes: scopes as never })).secret;

    before(async () => {
      k = await startTestKumbaya({ engine });
      api = new ApiClient(k);
      owner = await api.token('owner');
      ada = await api.token('author');
      bea = await api.token('author');
      moderator = await api.token('moderator');
      live = await published(ada.user, 'Lanterns on the river', 'About the lanterns.');
      await k.deps.posts.create(ada.user, { title: 'Ada on kites', markdown: 'Kites over the harbour.' });
      await k.deps.posts.create(bea.user, { title: 'Bea on boats', markdown: 'Boats in the HARBOUR at dawn.' });
      await published(bea.user, 'Bea live', 'Nothing about water.');
    });
    after(() => k?.cleanup());

    test('GET /api/posts searches text and filters by author, as Admin → Posts does', async () => {
      const titles = (body: { posts: Array<{ title: string }> }) => body.posts.map((p) => p.title).sort();
      const all = await api.expect('GET', '/api/posts?status=all&q=harbour', 200, { token: owner.secret, schema: apiPostListSchema });
      assert.deepEqual(titles(all), ['Ada on kites', 'Bea on boats'], 'title or Markdown, any case');
      assert.equal(all.total, 2);
      const beas = await api.expect('GET', `/api/posts?status=all&author=${bea.user.id}`, 200, { token: owner.secret });
      assert.deepEqual(titles(beas), ['Bea live', 'Bea on boats']);
      const both = await api.expect('GET', `/api/posts?status=draft&q=HARBOUR&author=${ada.user.id}`, 200, { token: owner.secret });
      assert.deepEqual(titles(both), ['Ada on kites']);
      // An author searches their own posts only.
      assert.deepEqual(titles(await api.expect('GET', '/api/posts?status=all&q=harbour', 200, { token: ada.secret })), ['Ada on kites']);
      assert.deepEqual(titles(await api.expect('GET', `/api/posts?status=all&author=${ada.user.id}`, 200, { token: ada.secret })), ['Ada on kites', 'Lanterns on the river']);
      const other = await api.refused('GET', `/api/posts?status=all&author=${bea.user.id}`, 403, { token: ada.secret });
      assert.match(other.message, /only their own posts/);
      // Bad input, with the field named.
      const notId = await api.refused('GET', '/api/posts?status=all&author=bea', 422, { token: owner.secret });
      assert.equal(notId.fields?.author, 'Use the author’s numeric user id.');
      const long = await api.refused('GET', `/api/posts?status=all&q=${'x'.repeat(201)}`, 422, { token: owner.secret });
      assert.equal(long.fields?.q, 'Search with at most 200 characters.');
      const open = await api.refused('GET', '/api/posts?q=harbour', 422);
      assert.equal(open.fields?.q, 'Needs status.');
      assert.equal((await api.refused('GET', `/api/posts?author=${ada.user.id}`, 422)).fields?.author, 'Needs status.');
      assert.equal((await api.refused('GET', '/api/posts?status=all&q=harbour', 403, { token: moderator.secret })).code, 'forbidden');
    });

    test('POST /api/preview renders through the post pipeline, saves nothing, and counts words', async () => {
      const before = (await k.deps.store.posts.listAdmin({ limit: 1, offset: 0 })).total;
      const out = await api.expect('POST', '/api/preview', 200, {
        token: ada.secret,
        body: { markdown: '# Night walk\n\nThe *lanterns* float <img src=x onerror=alert(1)> down the river.\n\n```\ncode is not prose\n```' },
        schema: apiPreviewSchema,
      });
      assert.match(out.html, /<h1[^>]*>Night walk<\/h1>/);
      assert.match(out.html, /<em>lanterns<\/em>/);
      assert.doesNotMatch(out.html, /onerror/);
      assert.equal(out.excerpt, 'Night walk The lanterns float down the river.');
      assert.equal(out.word_count, 12, 'the text as readers see it, the code block too (as the editor counts)');
      assert.equal(out.reading_minutes, 1);
      assert.equal((await k.deps.store.posts.listAdmin({ limit: 1, offset: 0 })).total, before, 'nothing saved');
      const empty = await api.expect('POST', '/api/preview', 200, { token: owner.secret, body: { markdown: '' } });
      assert.deepEqual([empty.html, empty.excerpt, empty.word_count, empty.reading_minutes], ['', '', 0, 1]);
      const long = await api.expect('POST', '/api/preview', 200, { token: owner.secret, body: { markdown: 'word '.repeat(1000) } });
      assert.deepEqual([long.word_count, long.reading_minutes], [1000, 4]);

      assert.equal((await api.refused('POST', '/api/preview', 422, { token: ada.secret, body: { text: 'x' } })).fields?.markdown, 'Required.');
      assert.equal((await api.refused('POST', '/api/preview', 422, { token: ada.secret, body: { markdown: 5 } })).fields?.markdown, 'Required.');
      assert.equal((await api.refused('POST', '/api/preview', 400, { token: ada.secret, body: '{"markdown":' })).code, 'invalid_json');
      assert.equal((await api.refused('POST', '/api/preview', 413, { token: ada.secret, body: { markdown: 'x'.repeat(500_001) } })).code, 'payload_too_large');
      assert.match((await api.refused('POST', '/api/preview', 403, { token: moderator.secret, body: { markdown: 'x' } })).message, /Moderators look after the conversation/);
      assert.equal((await api.refused('POST', '/api/preview', 403, { token: await scoped(ada, ['read']), body: { markdown: 'x' } })).code, 'insufficient_scope');
      assert.equal((await api.refused('POST', '/api/preview', 401, { body: { markdown: 'x' } })).code, 'unauthenticated');
    });

    test('GET /api/dashboard gives each role the parts of the admin’s home that concern it', async () => {
      const held = await readerComment(live, 'Is the river walk open in winter?');
      const waiting = await readerComment(live, 'Beautiful photos, thank you.', true);
      const soon = await k.deps.posts.create(bea.user, { title: 'Bea next week', markdown: 'Then.' });
      await k.deps.posts.publish(bea.user, soon.id, k.deps.clock.now() + 7 * 24 * 3600 * 1000);
      const now = k.deps.clock.now();
      await k.deps.store.outbox.enqueue({ idempotencyKey: 'desk-1', kind: 'reply', to: 'r@example.com', subject: 'x', text: 'x', html: '<p>x</p>', headers: {} }, now);
      const mail = (await k.deps.store.outbox.list({ limit: 100, offset: 0 })).items.find((m) => m.to === 'r@example.com')!;
      await k.deps.store.outbox.markFailed(mail.id, 'Connection refused', null, now);
      await k.deps.store.jobs.enqueue({ kind: 'desk-test', key: 'desk-test-1', payload: {}, runAt: now + 3_600_000 }, now);
      const job = (await k.deps.store.jobs.list({ kind: 'desk-test', limit: 1, offset: 0 })).items[0];
      await k.deps.store.jobs.fail(job.id, 'unreachable', null, now);
      const outbox = await k.deps.store.outbox.countByStatus();

      const forOwner = await api.expect('GET', '/api/dashboard', 200, { token: owner.secret, schema: apiDashboardSchema });
      assert.equal(forOwner.held.total, 1);
      assert.deepEqual(forOwner.held.comments.map((c: any) => [c.id, c.post_id, c.author_name]), [[held.id, live.id, held.authorName]]);
      assert.ok(forOwner.waiting_for_you.comments.some((c: any) => c.id === waiting.id));
      assert.ok(forOwner.recent_comments.some((c: any) => c.id === waiting.id));
      assert.ok(!forOwner.recent_comments.some((c: any) => c.id === held.id), 'held comments are not among the recent');
      assert.deepEqual(forOwner.drafts.posts.map((p: any) => p.title).sort(), ['Ada on kites', 'Bea on boats'], 'the owner sees every author’s drafts');
      assert.deepEqual(forOwner.scheduled.posts.map((p: any) => p.title), ['Bea next week']);
      assert.deepEqual(forOwner.mail, { pending: outbox.pending, failed: 1 });
      assert.equal(forOwner.failed_jobs, 1);

      const forBea = await api.expect('GET', '/api/dashboard', 200, { token: bea.secret, schema: apiDashboardSchema });
      assert.deepEqual(forBea.drafts.posts.map((p: any) => p.title), ['Bea on boats'], 'an author sees only their own drafts');
      assert.equal(forBea.held.total, 0, 'comments on another author’s post are not hers');
      assert.equal(forBea.waiting_for_you.total, 0);
      assert.equal(forBea.mail, null, 'the outbox names readers: owner and moderators only');
      assert.equal(forBea.failed_jobs, null, 'jobs are the owner’s');

      const forAda = await api.expect('GET', '/api/dashboard', 200, { token: ada.secret });
      assert.equal(forAda.held.comments[0].id, held.id, 'her post’s held comment');

      const forModerator = await api.expect('GET', '/api/dashboard', 200, { token: moderator.secret, schema: apiDashboardSchema });
      assert.deepEqual([forModerator.drafts, forModerator.scheduled, forModerator.failed_jobs], [null, null, null], 'moderators do not write; jobs are the owner’s');
      assert.equal(forModerator.held.total, 1);
      assert.deepEqual(forModerator.mail, { pending: outbox.pending, failed: 1 });

      assert.equal((await api.refused('GET', '/api/dashboard', 403, { token: await scoped(owner, ['write']) })).code, 'insufficient_scope');
      assert.equal((await api.refused('GET', '/api/dashboard', 401)).code, 'unauthenticated');
    });

    test('GET and PATCH /api/me read and change one’s own name, address and bio, never the email', async () => {
      const me = await api.expect('GET', '/api/me', 200, { token: bea.secret, schema: apiMeSchema });
      assert.deepEqual([me.id, me.email, me.role], [bea.user.id, bea.user.email, 'author']);
      const saved = await api.expect('PATCH', '/api/me', 200, { token: bea.secret, body: { name: 'Bea Boatwright', bio: 'Writes about boats.', slug: 'bea-boats' }, schema: apiMeSchema });
      assert.deepEqual([saved.name, saved.bio, saved.slug, saved.email], ['Bea Boatwright', 'Writes about boats.', 'bea-boats', bea.user.email]);
      const stored = (await k.deps.store.users.findById(bea.user.id))!;
      assert.deepEqual([stored.name, stored.bio, stored.slug], ['Bea Boatwright', 'Writes about boats.', 'bea-boats']);
      const page = await k.request('/author/bea-boats');
      assert.equal(page.status, 200);
      assert.match(await page.text(), /Writes about boats\./);
      // Only what is sent changes.
      const renamed = await api.expect('PATCH', '/api/me', 200, { token: bea.secret, body: { name: 'Bea B.' } });
      assert.deepEqual([renamed.name, renamed.bio, renamed.slug], ['Bea B.', 'Writes about boats.', 'bea-boats']);
      // Moderators have a profile too.
      assert.equal((await api.expect('PATCH', '/api/me', 200, { token: moderator.secret, body: { bio: 'Keeps it kind.' } })).bio, 'Keeps it kind.');

      const taken = await api.refused('PATCH', '/api/me', 409, { token: ada.secret, body: { slug: 'bea-boats' } });
      assert.equal(taken.fields?.slug, 'Already in use.');
      const badSlug = await api.refused('PATCH', '/api/me', 422, { token: ada.secret, body: { slug: 'Not A Slug' } });
      assert.match(badSlug.fields?.slug ?? '', /lower-case letters/);
      assert.equal((await api.refused('PATCH', '/api/me', 422, { token: ada.secret, body: { name: '' } })).code, 'validation_failed');
      assert.equal((await api.refused('PATCH', '/api/me', 422, { token: ada.secret, body: { name: 7 } })).fields?.name, 'Write the name as text.');
      assert.equal((await api.refused('PATCH', '/api/me', 422, { token: ada.secret, body: { password: 'hunter2hunter2' } })).fields?.password, 'Unknown field.');
      const email = await api.refused('PATCH', '/api/me', 422, { token: ada.secret, body: { email: 'thief@example.com', name: 'Ada X' } });
      assert.equal(email.fields?.email, 'Change it in Admin → Profile.');
      const ada2 = (await k.deps.store.users.findById(ada.user.id))!;
      assert.deepEqual([ada2.email, ada2.name, ada2.slug], [ada.user.email, ada.user.name, ada.user.slug], 'nothing saved');

      assert.equal((await api.refused('PATCH', '/api/me', 403, { token: await scoped(ada, ['read']), body: { bio: 'x' } })).code, 'insufficient_scope');
      assert.equal((await api.refused('GET', '/api/me', 403, { token: await scoped(ada, ['write']) })).code, 'insufficient_scope');
      assert.equal((await api.refused('GET', '/api/me', 401)).code, 'unauthenticated');
      assert.equal((await api.refused('PATCH', '/api/me', 401, { body: { bio: 'x' } })).code, 'unauthenticated');
    });
  });
}
