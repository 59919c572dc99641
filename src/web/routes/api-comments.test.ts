import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { z } from 'zod';
import type { Comment, Post, Role, User } from '../../core/store.ts';
import { ApiClient } from '../../../test/helpers/api-client.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';
import {
  apiCommentDetailSchema,
  apiCommentFormSchema,
  apiCommentListSchema,
  apiDeleteSpamResultSchema,
  apiEmptySpamResultSchema,
  apiModerationCountsSchema,
  apiOwnCommentSchema,
  apiModerationResultSchema,
  apiReaderCommentResultSchema,
  apiReplyResultSchema,
  apiWaitingSchema,
} from '../openapi-comments.ts';

type Json = Record<string, any>;

/** The body, after checking it has the shape /api/openapi.json promises. */
function shaped<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  assert.ok(parsed.success, `matches the documented schema: ${JSON.stringify(parsed.error?.issues)}`);
  return parsed.data;
}

for (const { engine, skip } of testEngines()) {
  describe(`JSON API: comments (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let post: Post;
    let authorsPost: Post;
    let owner: { user: User; secret: string };
    let moderator: { user: User; secret: string };
    let author: { user: User; secret: string };
    /** The site's clock, moved forward to let a form token age like a person typing. */
    const clock = { offset: 0, now: () => Date.now() + clock.offset };

    let api: ApiClient;
    const withToken = (role: Role) => api.token(role, 'comments script');
    const call = (method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) => api.call(method, path, options);

    /** A request with `token`, expecting `status`; the JSON body. */
    async function as(token: string, method: string, path: string, status: number, body?: unknown): Promise<any> {
      const res = await call(method, path, { token, body });
      const text = await res.text();
      assert.equal(res.status, status, `${method} ${path}: ${text}`);
      assert.match(res.headers.get('cache-control') ?? '', /no-store/, 'what a token sees is never cached');
      return text ? JSON.parse(text) : null;
    }

    /** The API's error, after checking its status. */
    async function refusal(res: Response, status: number): Promise<{ code: string; message: string; fields?: Record<string, string> }> {
      const text = await res.text();
      assert.equal(res.status, status, text);
      assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
      const body = JSON.parse(text);
      return { code: body.code, message: body.detail, fields: body.fields };
    }

    let ips = 0;
    /** A fresh client address (the site trusts one proxy, which names the client). */
    const nextIp = () => `198.51.100.${++ips}`;

    /** A reader's comment as a client of the API sends it: the form's token first, then the comment a while later. */
    async function readerComment(fields: Json, options: { ip?: string; postId?: number; wait?: number } = {}): Promise<Response> {
      const postId = options.postId ?? post.id;
      const res = await call('GET', `/api/posts/${postId}/comment-form`);
      assert.equal(res.headers.get('cache-control'), 'no-store', 'a form token is never cached');
      const form = shaped(apiCommentFormSchema, await res.json());
      clock.offset += (options.wait ?? 10) * 1000;
      return call('POST', `/api/posts/${postId}/comments`, { body: { form_token: form.form_token, honeypot: '', ...fields }, headers: { 'x-forwarded-for': options.ip ?? nextIp() } });
    }

    async function readerResult(fields: Json, options: { ip?: string; postId?: number; wait?: number } = {}) {
      const res = await readerComment(fields, options);
      const text = await res.text();
      assert.equal(res.status, 201, text);
      return shaped(apiReaderCommentResultSchema, JSON.parse(text));
    }

    async function stored(id: number): Promise<Comment> {
      const comment = await k.deps.store.comments.findById(id);
      assert.ok(comment, `comment ${id} is stored`);
      return comment;
    }

    async function mailsTo(address: string): Promise<number> {
      const page = await k.deps.store.outbox.list({ limit: 1000, offset: 0 });
      return page.items.filter((m) => m.to === address).length;
    }

    /** A stand-in for the Akismet service: spam when the text says so; what it was asked, kept. */
    const akismetCalls: Array<{ method: string; params: URLSearchParams }> = [];
    const akismet = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        const params = new URLSearchParams(body);
        const method = (req.url ?? '').split('/').pop() ?? '';
        akismetCalls.push({ method, params });
        res.end(method === 'comment-check' ? String((params.get('comment_content') ?? '').includes('akismet-says-spam')) : 'Thanks for making the web a better place.');
      });
    });

    before(async () => {
      await new Promise<void>((resolve) => akismet.listen(0, '127.0.0.1', resolve));
      const endpoint = `http://127.0.0.1:${(akismet.address() as AddressInfo).port}/1.1/`;
      k = await startTestKumbaya({ engine, clock, env: { TRUST_PROXY: '1', AKISMET_KEY: 'test-key', AKISMET_ENDPOINT: endpoint } });
      api = new ApiClient(k);
      owner = await withToken('owner');
      moderator = await withToken('moderator');
      author = await withToken('author');
      post = (await k.deps.posts.publish(owner.user, (await k.deps.posts.create(owner.user, { title: 'Porch evenings', slug: 'porch-evenings', markdown: 'About porches.' })).id)).post;
      authorsPost = (await k.deps.posts.publish(author.user, (await k.deps.posts.create(author.user, { title: 'Author’s own', slug: 'authors-own', markdown: 'Mine.' })).id)).post;
    });
    after(async () => {
      await k.cleanup();
      akismet.close();
    });

    test('a reader comments without a token through the form’s policy: held first, then published, matched to their person in People', async () => {
      const ownerMails = await mailsTo(owner.user.email);
      const first = await readerResult({ name: 'Ada Lovelace', email: 'Ada@Example.com', website: 'https://ada.example', body: 'Engines *weave*.' });
      assert.equal(await mailsTo(owner.user.email), ownerMails + 1, 'the owner is told a comment waits, as from the form');
      assert.equal(first.comment.status, 'held', 'a first comment waits for the author');
      assert.match(first.message, /waiting for the author/);
      assert.equal(first.comment.url, null);
      assert.ok(first.edit_secret, 'the writer gets the secret that lets them change it');
      assert.ok(first.editable_until && Date.parse(first.editable_until) > clock.now());
      const saved = await stored(first.comment.id);
      assert.equal(saved.source, 'api');
      assert.deepEqual(saved.moderationReasons, ['first comment from this person']);
      const ada = await k.deps.store.people.findByEmail('ada@example.com');
      assert.equal(saved.personId, ada?.id, 'the writer is found or added in People by their address');
      assert.doesNotMatch(JSON.stringify(first), /first comment from this person/, 'the writer is not told the moderator’s reasons');

      await as(owner.secret, 'POST', '/api/comments/moderation', 200, { ids: [first.comment.id], action: 'approve' });
      const second = await readerResult({ name: 'Ada Lovelace', email: 'ada@example.com', body: 'Still weaving.' });
      assert.equal(second.comment.status, 'approved', 'a known person is published at once');
      assert.equal(second.comment.url, `http://localhost:3000/comments/${second.comment.id}`);
      assert.equal((await stored(second.comment.id)).personId, ada?.id);
      const page = await (await k.request(`/${post.slug}`)).text();
      assert.match(page, /Still weaving\./, 'it is on the post’s page');
    });

    test('the spam defence applies to the API: no form token, the honeypot, Akismet, a form sent too fast, too many comments from one address', async () => {
      const noToken = await call('POST', `/api/posts/${post.id}/comments`, { body: { name: 'Bot', email: 'bot@example.com', body: 'Cheap pills.' }, headers: { 'x-forwarded-for': nextIp() } });
      assert.equal(noToken.status, 201);
      const outcome = shaped(apiReaderCommentResultSchema, await noToken.json());
      assert.equal(outcome.comment.status, 'not_published');
      assert.match(outcome.message, /automatic checks set it aside/);
      assert.doesNotMatch(JSON.stringify(outcome), /token/i, 'which check caught it is not said');
      assert.equal((await stored(outcome.comment.id)).status, 'spam');
      assert.equal(await mailsTo('bot@example.com'), 0);
      const seen = shaped(apiCommentDetailSchema, await as(owner.secret, 'GET', `/api/comments/${outcome.comment.id}`, 200));
      assert.ok(seen.moderation_reasons.includes('no form token'), 'the moderator sees why');

      const honeypot = await readerResult({ name: 'Bot', email: 'bot2@example.com', body: 'Hi.', honeypot: 'http://spam.example' });
      assert.equal(honeypot.comment.status, 'not_published');
      assert.ok((await stored(honeypot.comment.id)).moderationReasons.includes('honeypot field was filled in'));

      const ip = nextIp();
      const flagged = await readerResult({ name: 'Pat', email: 'pat@example.com', body: 'Great post akismet-says-spam.' }, { ip });
      assert.equal(flagged.comment.status, 'not_published', 'Akismet, when configured, is asked as for the form');
      assert.ok((await stored(flagged.comment.id)).moderationReasons.includes('Akismet says spam'));
      const check = akismetCalls.find((call) => call.method === 'comment-check' && call.params.get('comment_author_email') === 'pat@example.com');
      assert.equal(check?.params.get('user_ip'), ip, 'with the client’s address');
      assert.equal(check?.params.get('permalink'), `http://localhost:3000/${post.slug}`);

      const fast = await readerResult({ name: 'Quick Typist', email: 'quick@example.com', body: 'Fast thoughts.' }, { wait: 0 });
      assert.equal(fast.comment.status, 'held', 'too fast alone only holds it');
      assert.match((await stored(fast.comment.id)).moderationReasons.join(' '), /after the form was served/);

      const chattyIp = nextIp();
      for (let i = 0; i < 6; i++) assert.equal((await readerComment({ name: 'Chatty', email: `chatty${i}@example.com`, body: `Message ${i}.` }, { ip: chattyIp, wait: 4 })).status, 201);
      const before = (await k.deps.store.comments.listForModeration({ postId: post.id, limit: 0, offset: 0 })).total;
      const limited = await readerComment({ name: 'Chatty', email: 'chatty9@example.com', body: 'One more.' }, { ip: chattyIp, wait: 1 });
      const error = await refusal(limited, 429);
      assert.equal(error.code, 'rate_limited');
      assert.match(error.message, /faster than we allow/);
      assert.ok(Number(limited.headers.get('retry-after')) > 0, 'the client is told when to retry');
      assert.equal((await k.deps.store.comments.listForModeration({ postId: post.id, limit: 0, offset: 0 })).total, before, 'nothing stored');
      assert.equal((await readerComment({ name: 'Other', email: 'other@example.com', body: 'Hello.' }, { ip: nextIp(), wait: 1 })).status, 201, 'another address is not held back');
    });

    test('a reader’s bad input gets a specific message, field by field, and nothing is stored', async () => {
      const before = (await k.deps.store.comments.listForModeration({ limit: 0, offset: 0 })).total;
      const missing = await refusal(await readerComment({ body: 'No name.' }), 422);
      assert.equal(missing.code, 'validation_failed');
      assert.deepEqual(missing.fields, { name: 'Tell us your name.', email: 'Enter your email address (it is never shown).' });
      const email = await refusal(await readerComment({ name: 'Bea', email: 'not-an-address', body: 'Hi.' }), 422);
      assert.match(email.fields?.email ?? '', /“not-an-address” is not a valid email address/);
      const empty = await refusal(await readerComment({ name: 'Bea', email: 'bea@example.com', body: '   ' }), 422);
      assert.equal(empty.fields?.body, 'Write something first.');
      const website = await refusal(await readerComment({ name: 'Bea', email: 'bea@example.com', website: 'ftp://x', body: 'Hi.' }), 422);
      assert.equal(website.fields?.website, 'Give the full address of your website, starting with https://.');
      const unknown = await refusal(await readerComment({ name: 'Bea', email: 'bea@example.com', body: 'Hi.', rating: 5 }), 422);
      assert.equal(unknown.fields?.rating, 'Unknown field.');
      const parent = await refusal(await readerComment({ name: 'Bea', email: 'bea@example.com', body: 'Hi.', parent_id: 999_999 }), 422);
      assert.equal(parent.message, 'The comment you are answering is no longer there.');
      assert.ok(parent.fields?.parent_id, 'named as the API names it');
      const wrongType = await refusal(await readerComment({ name: 'Bea', email: 'bea@example.com', body: 'Hi.', parent_id: 'first' }), 422);
      assert.match(wrongType.fields?.parent_id ?? '', /id of the comment you answer/);
      assert.equal((await refusal(await call('POST', `/api/posts/${post.id}/comments`, { body: '{"name":', headers: { 'x-forwarded-for': nextIp() } }), 400)).code, 'invalid_json');
      assert.equal((await refusal(await call('POST', `/api/posts/${post.id}/comments`, { body: 'name=Bea', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': nextIp() } }), 415)).code, 'unsupported_media_type');
      assert.equal((await refusal(await call('POST', '/api/posts/999999/comments', { body: { name: 'Bea', email: 'bea@example.com', body: 'Hi.' } }), 404)).code, 'not_found');
      assert.equal((await k.deps.store.comments.listForModeration({ limit: 0, offset: 0 })).total, before, 'nothing was stored');

      const draft = await k.deps.posts.create(owner.user, { title: 'Draft', slug: 'a-draft', markdown: 'Not yet.' });
      assert.equal((await refusal(await call('GET', `/api/posts/${draft.id}/comment-form`), 404)).code, 'not_found', 'a draft is not there for readers');
      const closed = (await k.deps.posts.publish(owner.user, (await k.deps.posts.create(owner.user, { title: 'Closed', slug: 'closed-one', markdown: 'Quiet.', commentsMode: 'closed' })).id)).post;
      const form = shaped(apiCommentFormSchema, await (await call('GET', `/api/posts/${closed.id}/comment-form`)).json());
      assert.equal(form.open, false);
      assert.equal(form.closed_reason, 'Comments are closed on this post.');
      const refused = await refusal(await readerComment({ name: 'Bea', email: 'bea@example.com', body: 'Hi.' }, { postId: closed.id }), 403);
      assert.equal(refused.code, 'comments_closed');
    });

    test('staff list the inbox newest first with keyset cursors: no comment twice, none missed, new ones do not shift pages', async () => {
      const paged = (await k.deps.posts.publish(owner.user, (await k.deps.posts.create(owner.user, { title: 'Many', slug: 'many-comments', markdown: 'Lots.' })).id)).post;
      const base = clock.now();
      const made: Comment[] = [];
      for (let i = 0; i < 23; i++) {
        // Groups of three share a time: the order falls back on the id.
        made.push(await k.deps.store.comments.create({ postId: paged.id, parentId: null, personId: null, userId: null, authorName: `Reader ${i}`, authorEmail: `r${i}@example.com`, authorUrl: null, markdown: `Comment ${i}`, html: `<p>Comment ${i}</p>`, status: i % 4 === 0 ? 'pending' : 'approved', createdAt: base - Math.floor(i / 3) * 1000 }));
      }
      const expected = [...made].sort((a, b) => b.createdAt - a.createdAt || b.id - a.id).map((c) => c.id);
      const seen: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const list: z.output<typeof apiCommentListSchema> = shaped(apiCommentListSchema, await as(owner.secret, 'GET', `/api/comments?post=${paged.id}&per_page=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, 200));
        seen.push(...list.comments.map((c) => c.id));
        cursor = list.next_cursor;
        pages++;
        if (pages === 2) {
          // Written while the client pages: newer than every page, it never shifts the rest.
          await k.deps.store.comments.create({ postId: paged.id, parentId: null, personId: null, userId: null, authorName: 'Late', authorEmail: 'late@example.com', authorUrl: null, markdown: 'Late.', html: '<p>Late.</p>', status: 'approved', createdAt: base + 5000 });
        }
      } while (cursor && pages < 10);
      assert.deepEqual(seen, expected, 'every comment once, in order');
      assert.equal(pages, 5);

      const pending = shaped(apiCommentListSchema, await as(owner.secret, 'GET', `/api/comments?post=${paged.id}&status=pending&per_page=50`, 200));
      assert.deepEqual(pending.comments.map((c) => c.id), made.filter((_, i) => i % 4 === 0).map((c) => c.id), 'each at its own time: newest first');
      assert.equal(pending.next_cursor, null);
      const found = shaped(apiCommentListSchema, await as(owner.secret, 'GET', `/api/comments?q=${encodeURIComponent('COMMENT 1')}&post=${paged.id}&per_page=50`, 200));
      assert.deepEqual(found.comments.map((c) => c.markdown).sort(), ['Comment 1', 'Comment 10', 'Comment 11', 'Comment 12', 'Comment 13', 'Comment 14', 'Comment 15', 'Comment 16', 'Comment 17', 'Comment 18', 'Comment 19']);
      const since = shaped(apiCommentListSchema, await as(owner.secret, 'GET', `/api/comments?post=${paged.id}&per_page=50&since=${encodeURIComponent(new Date(base - 1000).toISOString())}`, 200));
      assert.deepEqual(since.comments.map((c) => c.author_name).sort(), ['Late', 'Reader 0', 'Reader 1', 'Reader 2', 'Reader 3', 'Reader 4', 'Reader 5']);
      const ada = await k.deps.store.people.findByEmail('ada@example.com');
      const byPerson = shaped(apiCommentListSchema, await as(owner.secret, 'GET', `/api/comments?person=${ada!.id}`, 200));
      assert.deepEqual(byPerson.comments.map((c) => c.markdown), ['Still weaving.', 'Engines *weave*.']);

      const bad = await refusal(await call('GET', '/api/comments?cursor=yesterday!&per_page=500&status=held&since=monday&post=x', { token: owner.secret }), 422);
      assert.equal(bad.code, 'validation_failed');
      assert.deepEqual(Object.keys(bad.fields ?? {}).sort(), ['cursor', 'per_page', 'post', 'since', 'status']);
      assert.equal(bad.fields?.status, 'Use pending, approved, spam or trash.');
      const forged = await refusal(await call('GET', '/api/comments?cursor=bm90LWEtY3Vyc29y', { token: owner.secret }), 422);
      assert.equal(forged.fields?.cursor, 'Use the next_cursor of the previous page, as it was given.');
    });

    test('who may do what: anonymous 401, an author only on their own posts, moderators and the owner everywhere', async () => {
      const ownersComment = (await readerResult({ name: 'Cal', email: 'cal@example.com', body: 'On the owner’s post.' })).comment;
      const authorsComment = (await readerResult({ name: 'Dee', email: 'dee@example.com', body: 'On the author’s post.' }, { postId: authorsPost.id })).comment;

      for (const [method, path, body] of [
        ['GET', '/api/comments'],
        ['GET', `/api/comments/${ownersComment.id}`],
        ['PATCH', `/api/comments/${ownersComment.id}`, { body: 'x' }],
        ['POST', `/api/comments/${ownersComment.id}/replies`, { body: 'x' }],
        ['POST', `/api/comments/${ownersComment.id}/restore`],
        ['POST', '/api/comments/moderation', { ids: [ownersComment.id], action: 'approve' }],
        ['GET', '/api/moderation/counts'],
        ['GET', '/api/waiting'],
      ] as Array<[string, string, unknown?]>) {
        const res = await call(method, path, { body });
        assert.equal((await refusal(res, 401)).code, 'unauthenticated', `${method} ${path}`);
        assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
      }
      assert.equal((await refusal(await call('GET', '/api/comments', { token: 'kby_not-a-token' }), 401)).code, 'unauthenticated');
      assert.equal((await refusal(await call('GET', `/api/posts/${post.id}/comment-form`, { token: 'kby_not-a-token' }), 401)).code, 'unauthenticated', 'a token sent must be valid, even where none is needed');

      const asUser = await call('POST', `/api/posts/${authorsPost.id}/comments`, { token: author.secret, body: { body: 'Thanks for reading.' } });
      assert.equal(asUser.status, 201);
      const own = shaped(apiReaderCommentResultSchema, await asUser.json());
      assert.equal(own.comment.status, 'approved', 'with a token the comment is the user’s own, published at once');
      assert.equal(own.comment.author_name, author.user.name);
      assert.equal(own.edit_secret, null);
      assert.equal((await stored(own.comment.id)).userId, author.user.id);

      const authorList = shaped(apiCommentListSchema, await as(author.secret, 'GET', '/api/comments?per_page=50', 200));
      assert.ok(authorList.comments.length > 0);
      assert.ok(authorList.comments.every((c) => c.post_id === authorsPost.id), 'an author sees the comments on their own posts only');
      assert.equal((await refusal(await call('GET', `/api/comments?post=${post.id}`, { token: author.secret }), 403)).code, 'forbidden');
      assert.match((await refusal(await call('GET', `/api/comments/${ownersComment.id}`, { token: author.secret }), 403)).message, /Authors look after the comments on their own posts/);
      assert.equal((await refusal(await call('POST', '/api/comments/moderation', { token: author.secret, body: { ids: [authorsComment.id, ownersComment.id], action: 'approve' } }), 403)).code, 'forbidden');
      assert.equal((await stored(authorsComment.id)).status, 'pending', 'all or nothing: not even their own comment changed');
      const approved = shaped(apiModerationResultSchema, await as(author.secret, 'POST', '/api/comments/moderation', 200, { ids: [authorsComment.id], action: 'approve' }));
      assert.deepEqual(approved.changed, [authorsComment.id]);
      const counts = shaped(apiModerationCountsSchema, await as(author.secret, 'GET', '/api/moderation/counts', 200));
      assert.equal(counts.approved, 2, 'counts within their reach: the reader’s comment and their own');

      const modList = shaped(apiCommentListSchema, await as(moderator.secret, 'GET', '/api/comments?per_page=50', 200));
      assert.ok(modList.comments.some((c) => c.post_id === post.id) && modList.comments.some((c) => c.post_id === authorsPost.id), 'a moderator sees every conversation');
      const held = shaped(apiModerationResultSchema, await as(moderator.secret, 'POST', '/api/comments/moderation', 200, { ids: [ownersComment.id], action: 'hold', reason: 'checking' }));
      assert.deepEqual(held.unchanged, [ownersComment.id], 'it was held already');
    });

    test('moderating in bulk is all or nothing, says what changed, keeps the reason and tells subscribers', async () => {
      const a = (await readerResult({ name: 'Eve', email: 'eve@example.com', body: 'One.' })).comment;
      const b = (await readerResult({ name: 'Fay', email: 'fay@example.com', body: 'Two.' })).comment;
      const missing = await refusal(await call('POST', '/api/comments/moderation', { token: owner.secret, body: { ids: [a.id, 999_998], action: 'approve' } }), 404);
      assert.match(missing.message, /999998; nothing was changed/);
      assert.equal((await stored(a.id)).status, 'pending');

      const bad = await refusal(await call('POST', '/api/comments/moderation', { token: owner.secret, body: { ids: [], action: 'publish', reason: 'x'.repeat(301) } }), 422);
      assert.deepEqual(bad.fields, { ids: 'Choose at least one comment.', action: 'Use approve, hold, spam, trash or restore.', reason: 'Keep the reason under 300 characters.' });
      const tooMany = await refusal(await call('POST', '/api/comments/moderation', { token: owner.secret, body: { ids: Array.from({ length: 501 }, (_, i) => i + 1), action: 'trash' } }), 422);
      assert.match(tooMany.fields?.ids ?? '', /at most 500/);

      const watcher = 'watcher@example.com';
      await k.deps.store.subscriptions.ensureAddress(watcher, 'confirm-watcher', clock.now());
      await k.deps.store.subscriptions.confirmAddress(watcher, clock.now());
      await k.deps.store.subscriptions.subscribe({ kind: 'post', email: watcher, postId: post.id, commentId: null, token: 'unsub-watcher', createdAt: clock.now() });
      const mailsBefore = await mailsTo(watcher);
      const result = shaped(apiModerationResultSchema, await as(moderator.secret, 'POST', '/api/comments/moderation', 200, { ids: [a.id, b.id, a.id], action: 'approve' }));
      assert.deepEqual(result.changed, [a.id, b.id]);
      assert.deepEqual(result.unchanged, []);
      assert.ok(result.comments.every((c) => c.status === 'approved' && c.url));
      assert.equal(await mailsTo(watcher), mailsBefore + 2, 'each approved comment is mailed to the post’s subscribers');

      const spammed = shaped(apiModerationResultSchema, await as(owner.secret, 'POST', '/api/comments/moderation', 200, { ids: [b.id], action: 'spam', reason: 'selling shoes' }));
      assert.deepEqual(spammed.comments[0].moderation_reasons.at(-1), 'selling shoes');
      const fay = await k.deps.store.people.findByEmail('fay@example.com');
      const timeline = await as(owner.secret, 'GET', `/api/people/${fay!.id}/timeline?kinds=event`, 200);
      const event = timeline.entries.find((e: Json) => e.event.kind === 'moderated' && e.event.detail.status === 'spam');
      assert.equal(event.event.detail.reason, 'selling shoes', 'the reason is on their timeline, with who decided');
      assert.equal(event.event.actor.id, owner.user.id);

      const restored = shaped(apiCommentDetailSchema, await as(owner.secret, 'POST', `/api/comments/${b.id}/restore`, 200));
      assert.equal(restored.status, 'approved');
      const notThere = await refusal(await call('POST', `/api/comments/${b.id}/restore`, { token: owner.secret }), 409);
      assert.match(notThere.message, /Only a comment in Spam or the trash can be restored; this one is published/);
      await as(owner.secret, 'POST', '/api/comments/moderation', 200, { ids: [a.id], action: 'trash' });
      assert.equal(shaped(apiCommentDetailSchema, await as(owner.secret, 'POST', `/api/comments/${a.id}/restore`, 200, { reason: 'trashed by mistake' })).status, 'approved');
      assert.equal((await refusal(await call('POST', '/api/comments/999997/restore', { token: owner.secret }), 404)).code, 'not_found');
    });

    test('staff reply: published at once, a held comment approved first, the reader mailed; spam must be restored first', async () => {
      const asked = await readerResult({ name: 'Gil', email: 'gil@example.com', body: 'A question?', subscribe_replies: true });
      assert.equal(asked.confirmation_sent_to, 'gil@example.com', 'an unconfirmed address is asked to confirm itself');
      await k.deps.store.subscriptions.confirmAddress('gil@example.com', clock.now());
      const mailsBefore = await mailsTo('gil@example.com');

      const replied = await call('POST', `/api/comments/${asked.comment.id}/replies`, { token: author.secret, body: { body: 'Not yours.' } });
      assert.equal((await refusal(replied, 403)).code, 'forbidden', 'an author answers on their own posts only');
      const empty = await refusal(await call('POST', `/api/comments/${asked.comment.id}/replies`, { token: owner.secret, body: { body: '  ' } }), 422);
      assert.deepEqual(empty.fields, { body: 'Required.' });
      assert.equal(empty.message, 'Write your reply first.');

      const res = await call('POST', `/api/comments/${asked.comment.id}/replies`, { token: owner.secret, body: { body: 'An *answer*.' } });
      assert.equal(res.status, 201, await res.clone().text());
      const { reply, parent } = shaped(apiReplyResultSchema, await res.json());
      assert.equal(res.headers.get('location'), `http://localhost:3000/api/comments/${reply.id}`);
      assert.equal(parent.status, 'approved', 'the held question was approved first');
      assert.equal(reply.status, 'approved');
      assert.equal(reply.parent_id, asked.comment.id);
      assert.equal(reply.user_id, owner.user.id);
      assert.equal(reply.author_name, owner.user.name);
      assert.match(reply.html, /<em>answer<\/em>/);
      assert.equal(await mailsTo('gil@example.com'), mailsBefore + 1, 'the reader who asked for replies is mailed');
      const waiting = shaped(apiWaitingSchema, await as(owner.secret, 'GET', '/api/waiting?per_page=50', 200));
      assert.ok(!waiting.conversations.some((w) => w.comment.id === asked.comment.id), 'answered: no longer waiting');

      const spam = (await call('POST', `/api/posts/${post.id}/comments`, { body: { name: 'Bot', email: 'bot3@example.com', body: 'Buy.' }, headers: { 'x-forwarded-for': nextIp() } }));
      const spamId = shaped(apiReaderCommentResultSchema, await spam.json()).comment.id;
      const conflict = await refusal(await call('POST', `/api/comments/${spamId}/replies`, { token: owner.secret, body: { body: 'No.' } }), 409);
      assert.equal(conflict.message, 'This comment is in spam. Restore it before answering it.');
    });

    test('editing keeps the history, moves a reply, refuses bad input', async () => {
      const top = (await readerResult({ name: 'Hal', email: 'hal@example.com', body: 'Top.' })).comment;
      await as(owner.secret, 'POST', '/api/comments/moderation', 200, { ids: [top.id], action: 'approve' });
      const other = (await readerResult({ name: 'Ivy', email: 'ivy@example.com', body: 'Other top.' })).comment;
      await as(owner.secret, 'POST', '/api/comments/moderation', 200, { ids: [other.id], action: 'approve' });
      const reply = (await readerResult({ name: 'Hal', email: 'hal@example.com', body: 'A broken [link](http://exmaple.com).', parent_id: top.id })).comment;

      const edited = shaped(apiCommentDetailSchema, await as(moderator.secret, 'PATCH', `/api/comments/${reply.id}`, 200, { body: 'A fixed [link](http://example.com).' }));
      assert.equal(edited.markdown, 'A fixed [link](http://example.com).');
      assert.ok(edited.edited_at);
      assert.deepEqual(edited.history.map((h) => [h.markdown, h.editor, h.edited_by]), [['A broken [link](http://exmaple.com).', moderator.user.name, moderator.user.id]]);
      const moved = shaped(apiCommentDetailSchema, await as(owner.secret, 'PATCH', `/api/comments/${reply.id}`, 200, { parent_id: other.id }));
      assert.equal(moved.parent_id, other.id);
      assert.equal(moved.history.at(-1)?.parent_id, top.id, 'where it sat is in its history');
      const read = shaped(apiCommentDetailSchema, await as(owner.secret, 'GET', `/api/comments/${reply.id}`, 200));
      assert.equal(read.history.length, 2);
      assert.equal(read.post.id, post.id);

      const empty = await refusal(await call('PATCH', `/api/comments/${reply.id}`, { token: owner.secret, body: { body: ' ' } }), 422);
      assert.equal(empty.message, 'A comment cannot be empty; move it to the trash instead.');
      const self = await refusal(await call('PATCH', `/api/comments/${reply.id}`, { token: owner.secret, body: { parent_id: reply.id } }), 422);
      assert.ok(self.fields?.parent_id, `named as the API names it: ${JSON.stringify(self)}`);
      const wrong = await refusal(await call('PATCH', `/api/comments/${reply.id}`, { token: owner.secret, body: { parent_id: 'top' } }), 422);
      assert.match(wrong.fields?.parent_id ?? '', /published comment on the same post/);
      assert.equal((await refusal(await call('PATCH', `/api/comments/${reply.id}`, { token: owner.secret, body: { text: 'x' } }), 422)).fields?.text, 'Unknown field.');
      assert.equal((await refusal(await call('PATCH', '/api/comments/999996', { token: owner.secret, body: { body: 'x' } }), 404)).code, 'not_found');
      assert.equal((await refusal(await call('PATCH', `/api/comments/${reply.id}`, { token: author.secret, body: { body: 'x' } }), 403)).code, 'forbidden');
    });

    test('the writer changes or takes back their comment with its edit secret, inside the window only', async () => {
      const mine = await readerResult({ name: 'Jo', email: 'jo@example.com', body: 'Teh typo.' });
      const secret = mine.edit_secret!;
      const wrong = await refusal(await call('PATCH', `/api/comments/${mine.comment.id}/own`, { body: { secret: 'guess', body: 'Hacked.' } }), 403);
      assert.equal(wrong.message, 'Only the person who wrote this comment can change it, from the browser they wrote it in.');
      const empty = await refusal(await call('PATCH', `/api/comments/${mine.comment.id}/own`, { body: { secret, body: ' ' } }), 422);
      assert.equal(empty.message, 'Write something first, or delete the comment.');
      assert.equal((await refusal(await call('PATCH', `/api/comments/${mine.comment.id}/own`, { body: { body: 'x' } }), 422)).fields?.secret !== undefined, true);
      const res = await call('PATCH', `/api/comments/${mine.comment.id}/own`, { body: { secret, body: 'The typo, fixed.' } });
      assert.equal(res.status, 200, await res.clone().text());
      const edited = shaped(apiOwnCommentSchema, await res.json());
      assert.equal(edited.status, 'held');
      assert.match(edited.html, /The typo, fixed\./);
      assert.equal(edited.editable_until, mine.editable_until);
      assert.deepEqual((await k.deps.comments.history(mine.comment.id)).map((r) => r.markdown), ['Teh typo.'], 'the earlier text is in its history');

      clock.offset += 11 * 60_000;
      const late = await refusal(await call('PATCH', `/api/comments/${mine.comment.id}/own`, { body: { secret, body: 'Too late.' } }), 403);
      assert.match(late.message, /can be changed for 10 minutes after they are sent, and that time has passed/);

      const other = await readerResult({ name: 'Jo', email: 'jo@example.com', body: 'Second thoughts.' });
      const gone = await call('POST', `/api/comments/${other.comment.id}/own/withdraw`, { body: { secret: other.edit_secret } });
      assert.equal(gone.status, 204);
      assert.equal((await stored(other.comment.id)).status, 'trash');
      assert.equal((await refusal(await call('POST', `/api/comments/${other.comment.id}/own/withdraw`, { body: { secret: other.edit_secret } }), 403)).code, 'forbidden', 'once only');
    });

    test('spam is deleted for good, chosen or all of it, within reach', async () => {
      const bot = (n: number) => call('POST', `/api/posts/${n === 3 ? authorsPost.id : post.id}/comments`, { body: { name: 'Bot', email: `spam${n}@example.com`, body: `Spam ${n}.` }, headers: { 'x-forwarded-for': nextIp() } });
      const ids: number[] = [];
      for (const n of [1, 2, 3]) ids.push(shaped(apiReaderCommentResultSchema, await (await bot(n)).json()).comment.id);
      const kept = (await readerResult({ name: 'Kim', email: 'kim@example.com', body: 'Not spam.' })).comment.id;
      assert.equal((await refusal(await call('POST', '/api/comments/spam/delete', { token: author.secret, body: { ids: [ids[0]] } }), 403)).code, 'forbidden');
      const deleted = shaped(apiDeleteSpamResultSchema, await as(moderator.secret, 'POST', '/api/comments/spam/delete', 200, { ids: [ids[0], kept] }));
      assert.deepEqual(deleted, { deleted: [ids[0]], kept: [] });
      assert.equal(await k.deps.store.comments.findById(ids[0]), null);
      assert.equal((await stored(kept)).status, 'pending', 'a comment outside Spam is left alone');
      const authorEmptied = shaped(apiEmptySpamResultSchema, await as(author.secret, 'POST', '/api/comments/spam/empty', 200));
      assert.equal(authorEmptied.deleted, 1, 'an author empties the spam on their own posts');
      assert.equal(await k.deps.store.comments.findById(ids[2]), null);
      assert.ok(await k.deps.store.comments.findById(ids[1]), 'not the owner’s');
      const emptied = shaped(apiEmptySpamResultSchema, await as(owner.secret, 'POST', '/api/comments/spam/empty', 200));
      assert.ok(emptied.deleted >= 1);
      assert.equal((await k.deps.store.comments.countByStatus()).spam, emptied.kept);
    });

    test('the inbox counts and “waiting for you” match the admin’s', async () => {
      const counts = shaped(apiModerationCountsSchema, await as(owner.secret, 'GET', '/api/moderation/counts', 200));
      assert.deepEqual({ pending: counts.pending, approved: counts.approved, spam: counts.spam, trash: counts.trash }, await k.deps.store.comments.countByStatus());
      assert.equal(counts.waiting, (await k.deps.store.comments.waitingForReply(0)).total);
      const waiting = shaped(apiWaitingSchema, await as(moderator.secret, 'GET', '/api/waiting?per_page=2', 200));
      assert.equal(waiting.total, counts.waiting);
      assert.ok(waiting.conversations.length <= 2);
      assert.ok(waiting.conversations.every((w) => w.comment.status === 'approved' && w.comment.user_id === null && w.post.url.startsWith('http://localhost:3000/')));
      const created = waiting.conversations.map((w) => Date.parse(w.comment.created_at));
      assert.deepEqual(created, [...created].sort((x, y) => x - y), 'oldest first');
      assert.equal((await refusal(await call('GET', '/api/waiting?per_page=0', { token: owner.secret }), 422)).fields?.per_page, 'Use a whole number from 1 to 50.');
    });

    test('/api/openapi.json describes every comments address and still validates', async () => {
      const doc = (await as(owner.secret, 'GET', '/api/openapi.json', 200)) as { paths: Record<string, Record<string, Json>> };
      const validator = new Validator();
      const result = await validator.validate(structuredClone(doc));
      assert.deepEqual(result.errors ?? [], []);
      assert.equal(result.valid, true);
      const ours = Object.entries(doc.paths).filter(([path]) => path.startsWith('/api/comments') || path.startsWith('/api/moderation') || path === '/api/waiting' || /^\/api\/posts\/\{id\}\/comment/.test(path));
      assert.deepEqual(ours.flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`)).sort(), [
        'GET /api/comments',
        'GET /api/comments/{id}',
        'GET /api/moderation/counts',
        'GET /api/posts/{id}/comment-form',
        'GET /api/waiting',
        'PATCH /api/comments/{id}',
        'PATCH /api/comments/{id}/own',
        'POST /api/comments/moderation',
        'POST /api/comments/spam/delete',
        'POST /api/comments/spam/empty',
        'POST /api/comments/{id}/own/withdraw',
        'POST /api/comments/{id}/post-idea', // People's "make a post of this" (openapi-people-extras.ts)
        'POST /api/comments/{id}/replies',
        'POST /api/comments/{id}/restore',
        'POST /api/posts/{id}/comments',
      ]);
      for (const [path, item] of ours) {
        for (const [method, operation] of Object.entries(item)) {
          if (path.startsWith('/api/posts/') || path.includes('/own')) {
            assert.deepEqual(operation.security?.[0], {}, `${method} ${path} needs no token`);
            continue;
          }
          assert.ok(operation.security?.length > 0 && operation.security.every((s: Record<string, string[]>) => s.bearerAuth?.length === 1), `${method} ${path} needs a token with a named scope`);
          for (const status of ['401', '403']) assert.ok(operation.responses[status], `${method} ${path} documents ${status}`);
        }
      }
    });
  });
}
