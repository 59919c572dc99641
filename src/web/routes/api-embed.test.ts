import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { z } from 'zod';
import { startTestKumbaya, testEngines, type Agent, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';
import { apiEmbedCommentSchema, apiEmbedPageSchema, apiEmbedSubmitResultSchema, apiEmbedThreadSchema } from '../openapi-embed.ts';

const SITE = 'https://notes.example';
const PAGE = `${SITE}/posts/first/`;

function shaped<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  assert.ok(parsed.success, `matches the documented schema: ${JSON.stringify(parsed.error?.issues)}`);
  return parsed.data;
}

for (const { engine, skip } of testEngines()) {
  describe(`comments on other sites (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let owner: Agent;
    const clock = { offset: 0, now: () => Date.now() + clock.offset };

    const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      k.request(path, {
        method,
        headers: { origin: SITE, ...(body === undefined ? {} : { 'content-type': 'application/json' }), 'x-forwarded-for': '198.51.100.7', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    async function json(res: Response, status: number): Promise<any> {
      const text = await res.text();
      assert.equal(res.status, status, text);
      return text ? JSON.parse(text) : null;
    }

    before(async () => {
      k = await startTestKumbaya({ engine, clock, env: { TRUST_PROXY: 'true' } });
      owner = await k.signIn('owner');
    });
    after(() => k.cleanup());

    test('the owner adds a site on Admin → Sites: normalised, validated, listed with the snippet; others may not', async () => {
      const page = await owner.request('/admin/sites');
      const html = await page.text();
      assert.equal(page.status, 200);
      assert.match(html, /No sites yet/);
      assert.match(html, /&lt;script type=&quot;module&quot; src=&quot;http:\/\/localhost:3000\/embed\.js&quot; async&gt;&lt;\/script&gt;/);
      assert.match(html, /&lt;kumbaya-comments&gt;/);
      assert.match(html, /href="\/admin\/sites"/, 'the admin bar links to it');

      const bad = await owner.form('/admin/sites', { origin: 'https://notes.example/blog/' });
      assert.equal(bad.status, 422);
      assert.match(await bad.text(), /Give the site only, without a path: https:\/\/notes\.example\./);

      const added = await owner.form('/admin/sites', { origin: 'Notes.Example' });
      assert.equal(added.status, 303);
      assert.equal(added.headers.get('location'), '/admin/sites?notice=site-added');
      const twice = await owner.form('/admin/sites', { origin: 'https://notes.example/' });
      assert.equal(twice.status, 409);
      assert.match(await twice.text(), /https:\/\/notes\.example is on the list already/);
      assert.match(await (await owner.request('/admin/sites')).text(), /<h3 class="site-origin">https:\/\/notes\.example<\/h3>/);

      const author = await k.signIn('author');
      assert.equal((await author.request('/admin/sites')).status, 403);
      assert.equal((await author.form('/admin/sites', { origin: 'https://evil.example' })).status, 403);
    });

    test('CORS answers registered sites only, preflight included', async () => {
      const preflight = await call('OPTIONS', '/api/embed/threads', undefined, { 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers.get('access-control-allow-origin'), SITE);
      assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /POST/);
      assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Content-Type/);
      assert.match(preflight.headers.get('vary') ?? '', /Origin/);

      const stranger = await call('OPTIONS', '/api/embed/threads', undefined, { origin: 'https://evil.example', 'access-control-request-method': 'POST' });
      assert.equal(stranger.status, 403);
      assert.equal(stranger.headers.get('access-control-allow-origin'), null);
      const refused = await call('POST', '/api/embed/threads', { url: 'https://evil.example/x' }, { origin: 'https://evil.example' });
      assert.equal(refused.status, 403);
      assert.equal(refused.headers.get('access-control-allow-origin'), null);
      assert.match((await refused.json()).detail, /https:\/\/evil\.example is not among the sites/);

      const loader = await k.request('/embed.js', { headers: { origin: SITE } });
      assert.equal(loader.status, 200);
      assert.equal(loader.headers.get('access-control-allow-origin'), SITE);
      const componentPath = /'(\/embed\/comments\.[0-9a-f]{12}\.js)'/.exec(await loader.text())?.[1];
      assert.ok(componentPath, 'the loader names the component');
      const component = await k.request(componentPath, { headers: { origin: 'https://evil.example' } });
      assert.equal(component.status, 200);
      assert.equal(component.headers.get('access-control-allow-origin'), null, 'no CORS for an unregistered site');
      assert.doesNotMatch(await component.text(), /__KUMBAYA_CSS__/);
    });

    test('a page becomes a thread: made once, never listed on the blog, its own page and feed there', async () => {
      const first = await call('POST', '/api/embed/threads', { url: `${PAGE}#top`, title: 'First post' });
      assert.equal(first.headers.get('access-control-allow-origin'), SITE);
      const made = shaped(apiEmbedThreadSchema, await json(first, 201));
      assert.equal(made.thread.page_url, PAGE);
      assert.equal(made.thread.title, 'First post');
      assert.equal(made.thread.comments_open, true);
      assert.deepEqual(made.comments, []);
      const again = shaped(apiEmbedThreadSchema, await json(await call('POST', '/api/embed/threads', { url: `${PAGE}?utm_source=feed`, title: 'First post' }), 200));
      assert.equal(again.thread.id, made.thread.id);
      assert.equal(again.next, null);
      assert.equal(again.comment_count, 0);

      const otherSite = await call('POST', '/api/embed/threads', { url: 'https://elsewhere.example/p' });
      assert.equal(otherSite.status, 403);
      assert.equal((await json(await call('POST', '/api/embed/threads', { url: 'not a url' }), 422)).code, 'validation_failed');

      const post = await k.deps.store.posts.findById(made.thread.id);
      assert.equal(post?.type, 'external');
      const home = await (await k.request('/')).text();
      assert.doesNotMatch(home, /First post/, 'not on the home page');
      assert.doesNotMatch(await (await k.request('/feed.xml')).text(), /First post/, 'not in the feed');
      assert.doesNotMatch(await (await k.request('/sitemap.xml')).text(), new RegExp(post!.slug));
      assert.equal(((await (await k.request('/api/posts')).json()) as any).posts.some((p: any) => p.id === post!.id), false);
      const onBlog = await k.request(new URL(made.thread.url).pathname);
      assert.equal(onBlog.status, 200);
      const blogHtml = await onBlog.text();
      assert.match(blogHtml, /Comments on <a href="https:\/\/notes\.example\/posts\/first\/">First post<\/a>/);
      assert.match(blogHtml, /<form[^>]+action="\/comments"/, 'readers without JavaScript comment there');
      assert.equal((await k.request(new URL(made.thread.feed_url).pathname)).status, 200, 'its comments feed');

      const noScript = await k.request(`/embed/thread?url=${encodeURIComponent(PAGE)}`);
      assert.equal(noScript.status, 303);
      assert.equal(noScript.headers.get('location'), `/${post!.slug}#comments`);
    });

    test('readers comment through the blog’s comment service: held, approved, edited with the secret, live', async () => {
      const opened = shaped(apiEmbedThreadSchema, await json(await call('POST', '/api/embed/threads', { url: PAGE }), 200));
      const id = opened.thread.id;
      const form = { name: 'Ada', email: 'ada@example.com', website: 'https://ada.example', body: 'Lovely *page*.', form_token: opened.form_token };

      const missingRes = await call('POST', `/api/embed/threads/${id}/comments`, { ...form, email: '' });
      assert.equal(missingRes.headers.get('access-control-allow-origin'), SITE, 'the page can read why it was refused');
      const missing = await json(missingRes, 422);
      assert.ok(missing.fields.email);

      clock.offset += 10_000;
      const sent = shaped(apiEmbedSubmitResultSchema, await json(await call('POST', `/api/embed/threads/${id}/comments`, form), 201));
      assert.equal(sent.comment.status, 'pending', 'a first comment waits for approval, as on the blog');
      assert.match(sent.message, /waiting for the author/);
      assert.ok(sent.edit_secret);
      assert.equal(sent.comment.markdown, 'Lovely *page*.');

      const stored = await k.deps.store.comments.findById(sent.comment.id);
      assert.equal(stored?.postId, id);
      assert.ok(stored?.personId, 'a People record');
      assert.match((await (await owner.request('/admin/comments?status=pending')).text()), /Lovely/, 'in the moderation inbox');
      const mail = (await k.deps.store.outbox.list({ limit: 50, offset: 0 })).items.find((m) => m.to === owner.user!.email && m.text.includes('Lovely'));
      assert.ok(mail, 'the owner is told, as for a comment on the blog');
      assert.match(mail.text, /on “First post” is waiting for you\.[\s\S]*Approve: http:\/\/localhost:3000\/moderate\//, 'with the one-click links');

      const reopened = shaped(apiEmbedThreadSchema, await json(await call('POST', '/api/embed/threads', { url: PAGE, own: [{ id: sent.comment.id, secret: sent.edit_secret! }] }), 200));
      assert.deepEqual(reopened.comments.map((c) => [c.id, c.status]), [[sent.comment.id, 'pending']], 'its writer sees it held');
      const stranger = shaped(apiEmbedThreadSchema, await json(await call('POST', '/api/embed/threads', { url: PAGE, own: [{ id: sent.comment.id, secret: 'guess' }] }), 200));
      assert.deepEqual(stranger.comments, [], 'nobody else does');

      const honeypot = shaped(apiEmbedSubmitResultSchema, await json(await call('POST', `/api/embed/threads/${id}/comments`, { ...form, email: 'bot@example.com', honeypot: 'http://spam.example' }), 201));
      assert.equal(honeypot.comment.status, 'not-published');

      assert.equal((await call('GET', `/api/embed/comments/${sent.comment.id}`)).status, 404, 'held comments are not public');
      await k.deps.comments.moderate([sent.comment.id], 'approve', owner.user!.id);
      assert.match(await (await owner.request('/admin/waiting')).text(), /Lovely/, 'an approved reader’s comment waits for an answer, as on the blog');
      const one = shaped(apiEmbedCommentSchema, await json(await call('GET', `/api/embed/comments/${sent.comment.id}`), 200));
      assert.equal(one.author_name, 'Ada');
      assert.match(one.html, /<em>page<\/em>/);
      assert.equal(one.markdown, undefined, 'the text as written is for its writer only');
      assert.deepEqual(one.avatar, { initials: 'A', colour: one.avatar.colour, image: null }, 'initials, as the blog shows them');
      const onBlog = await (await k.request(`/${(await k.deps.store.posts.findById(id))!.slug}`)).text();
      assert.match(onBlog, new RegExp(`<span class="avatar avatar-${one.avatar.colour}" aria-hidden="true">A</span>`), 'the same colour as on the blog');

      const wrong = await call('PATCH', `/api/embed/comments/${sent.comment.id}`, { secret: 'not-it', body: 'Changed' });
      assert.equal(wrong.status, 403);
      const edited = shaped(apiEmbedCommentSchema, await json(await call('PATCH', `/api/embed/comments/${sent.comment.id}`, { secret: sent.edit_secret, body: 'Lovely **page**.' }), 200));
      assert.match(edited.html, /<strong>page<\/strong>/);

      const fromOther = await call('GET', `/api/embed/comments/${sent.comment.id}`, undefined, { origin: 'https://evil.example' });
      assert.equal(fromOther.status, 403);
    });

    test('the live stream announces approved comments with CORS headers', async () => {
      const opened = shaped(apiEmbedThreadSchema, await json(await call('POST', '/api/embed/threads', { url: `${SITE}/live/` }), 201));
      const controller = new AbortController();
      const res = await k.request(new URL(opened.live_url).pathname, { headers: { origin: SITE }, signal: controller.signal });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('access-control-allow-origin'), SITE);
      assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
      assert.match(res.headers.get('cache-control') ?? '', /no-store/);
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      while (!text.includes('event: ready')) text += decoder.decode((await reader.read()).value);
      clock.offset += 10_000;
      const sent = shaped(
        apiEmbedSubmitResultSchema,
        await json(await call('POST', `/api/embed/threads/${opened.thread.id}/comments`, { name: 'Bo', email: 'bo@example.com', body: 'Live one.', form_token: opened.form_token }), 201),
      );
      await k.deps.comments.moderate([sent.comment.id], 'approve', owner.user!.id);
      while (!text.includes('event: comment')) text += decoder.decode((await reader.read()).value);
      assert.match(text, new RegExp(`data: \\{"id":${sent.comment.id}\\}`));
      await reader.cancel();
      controller.abort();
    });

    test('a long thread pages by conversation in the blog’s order (keyset), each conversation whole, replies in their place', async () => {
      const settings = {
        open: '1', closeAfterDays: '', holdFirstComment: '1', maxLinks: '2', disallowedWords: '', disallowedAction: 'hold',
        editWindowMinutes: '10', minSubmitSeconds: '3', conversationsPerPage: '5', avatars: 'local',
      };
      assert.equal((await owner.form('/admin/comments/settings', settings)).status, 303);
      const opened = shaped(apiEmbedThreadSchema, await json(await call('POST', '/api/embed/threads', { url: `${SITE}/long/` }), 201));
      const postId = opened.thread.id;
      const base = Date.now() - 3_600_000;
      const made: number[] = [];
      for (let n = 0; n < 12; n++) {
        const top = await k.deps.store.comments.create({
          postId, parentId: null, personId: null, userId: null, authorName: `Reader ${n}`, authorEmail: `r${n}@example.com`, authorUrl: null,
          markdown: `Conversation ${n}`, html: `<p>Conversation ${n}</p>`, status: 'approved', createdAt: base + n * 1000,
        });
        made.push(top.id);
      }
      // A late reply to the first conversation: it belongs on the first page, under its comment.
      const reply = await k.deps.store.comments.create({
        postId, parentId: made[0], personId: null, userId: null, authorName: 'Late', authorEmail: 'late@example.com', authorUrl: null,
        markdown: 'A late reply', html: '<p>A late reply</p>', status: 'approved', createdAt: base + 100_000,
      });
      k.deps.conversationCache.clear();

      const first = shaped(apiEmbedThreadSchema, await json(await call('POST', '/api/embed/threads', { url: `${SITE}/long/` }), 200));
      assert.equal(first.comment_count, 13);
      assert.deepEqual(first.comments.map((c) => c.id), [...made.slice(0, 5), reply.id], 'five conversations whole (oldest first, each comment after its parent), the late reply with its own');
      assert.equal(first.comments.find((c) => c.id === reply.id)?.parent_id, made[0]);
      assert.ok(first.next);
      const seen = first.comments.map((c) => c.id);
      let next: string | null = first.next;
      let pages = 1;
      while (next) {
        const res = await call('GET', `/api/embed/threads/${postId}/comments?after=${encodeURIComponent(next)}`);
        assert.equal(res.headers.get('access-control-allow-origin'), SITE);
        const page = shaped(apiEmbedPageSchema, await json(res, 200));
        seen.push(...page.comments.map((c) => c.id));
        next = page.next;
        pages++;
      }
      assert.equal(pages, 3);
      assert.deepEqual(seen, [...made.slice(0, 5), reply.id, ...made.slice(5)], 'every comment once, in order');

      const bad = await json(await call('GET', `/api/embed/threads/${postId}/comments?after=not%20a%20cursor`), 422);
      assert.ok(bad.fields.after);
      assert.equal((await call('GET', `/api/embed/threads/${postId}/comments`, undefined, { origin: 'https://evil.example' })).status, 403);
      assert.equal((await owner.form('/admin/comments/settings', { ...settings, conversationsPerPage: '50' })).status, 303);
    });

    test('a page’s new title renames its thread: from its own site only, rate limited, kept in the history', async () => {
      const url = `${SITE}/renamed/`;
      const opened = shaped(apiEmbedThreadSchema, await json(await call('POST', '/api/embed/threads', { url, title: 'Draft title' }), 201));
      const id = opened.thread.id;
      const slug = (await k.deps.store.posts.findById(id))!.slug;

      // Without an Origin (not a browser on the page's site) the title stays.
      const headless = await k.request('/api/embed/threads', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url, title: 'Spoofed' }) });
      assert.equal(shaped(apiEmbedThreadSchema, await json(headless, 200)).thread.title, 'Draft title');
      // No title at all changes nothing either.
      assert.equal(shaped(apiEmbedThreadSchema, await json(await call('POST', '/api/embed/threads', { url }), 200)).thread.title, 'Draft title');

      const renamed = shaped(apiEmbedThreadSchema, await json(await call('POST', '/api/embed/threads', { url, title: '  The   final title ' }), 200));
      assert.equal(renamed.thread.title, 'The final title');
      const post = (await k.deps.store.posts.findById(id))!;
      assert.equal(post.slug, slug, 'its address stays');
      assert.match(post.html, /Comments on <a href="https:\/\/notes\.example\/renamed\/">The final title<\/a>/);
      const history = await k.deps.store.revisions.listForPost(id);
      assert.deepEqual(history.map((r) => r.title), ['The final title', 'Draft title'], 'the version before and the new one, newest first');
      assert.match(await (await owner.request(`/admin/posts/${id}/revisions`)).text(), /Draft title/, 'staff see it in the history');

      // At most ten changes a day per thread: past that the page still opens, the title stays.
      for (let n = 2; n <= 10; n++) assert.equal(shaped(apiEmbedThreadSchema, await json(await call('POST', '/api/embed/threads', { url, title: `Title ${n}` }), 200)).thread.title, `Title ${n}`);
      const limited = shaped(apiEmbedThreadSchema, await json(await call('POST', '/api/embed/threads', { url, title: 'One too many' }), 200));
      assert.equal(limited.thread.title, 'Title 10');
      clock.offset += 86_400_000;
      assert.equal(shaped(apiEmbedThreadSchema, await json(await call('POST', '/api/embed/threads', { url, title: 'Next day' }), 200)).thread.title, 'Next day');
    });

    test('Admin → Sites gives a thread its own page (address, title, open or closed, trash); the post editor sends it there', async () => {
      const url = `${SITE}/admin-thread/`;
      const opened = shaped(apiEmbedThreadSchema, await json(await call('POST', '/api/embed/threads', { url, title: 'Kept here' }), 201));
      const id = opened.thread.id;
      const editor = await owner.request(`/admin/posts/${id}`);
      assert.equal(editor.status, 303);
      assert.equal(editor.headers.get('location'), `/admin/sites/threads/${id}`);
      const page = await owner.request(`/admin/sites/threads/${id}`);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /<a href="https:\/\/notes\.example\/admin-thread\/" rel="noopener" class="thread-page-url">/);
      assert.match(html, /id="thread-title" name="title" value="Kept here"/);
      assert.match(await (await owner.request('/admin/sites')).text(), new RegExp(`<a href="/admin/sites/threads/${id}">Kept here</a>`), 'listed under its site');

      const empty = await owner.form(`/admin/sites/threads/${id}`, { title: '  ', commentsMode: 'inherit' });
      assert.equal(empty.status, 422);
      assert.match(await empty.text(), /id="thread-title-error">Give the conversation a title\./);
      const saved = await owner.form(`/admin/sites/threads/${id}`, { title: 'Renamed by the owner', commentsMode: 'closed' });
      assert.equal(saved.status, 303);
      assert.equal(saved.headers.get('location'), `/admin/sites/threads/${id}?notice=thread-saved`);
      const closed = shaped(apiEmbedThreadSchema, await json(await call('POST', '/api/embed/threads', { url }), 200));
      assert.equal(closed.thread.title, 'Renamed by the owner');
      assert.equal(closed.thread.comments_open, false, 'the page shows no form');
      assert.ok(closed.thread.closed_message);
      const refused = await call('POST', `/api/embed/threads/${id}/comments`, { name: 'X', email: 'x@example.com', body: 'Closed?', form_token: closed.form_token });
      assert.equal(refused.status, 403);
      assert.deepEqual((await k.deps.store.revisions.listForPost(id)).map((r) => r.title), ['Renamed by the owner', 'Kept here']);

      const author = await k.signIn('author');
      assert.equal((await author.form(`/admin/sites/threads/${id}`, { title: 'Mine now', commentsMode: 'open' })).status, 403);

      const trashed = await owner.form(`/admin/sites/threads/${id}/trash`, {});
      assert.equal(trashed.status, 303);
      assert.equal(trashed.headers.get('location'), `/admin/sites?notice=trashed&id=${id}`);
      assert.equal((await call('POST', '/api/embed/threads', { url })).status, 404, 'the page shows no conversation');
      assert.match(await (await owner.request('/admin/trash')).text(), /Renamed by the owner/, 'in Admin → Trash');
      assert.equal((await owner.request(`/admin/sites/threads/${id}`)).headers.get('location'), `/admin/posts/${id}`, 'a trashed one is restored from the trash');
      assert.equal((await owner.form(`/admin/posts/${id}/restore`, {})).status, 303);
      assert.equal((await call('POST', '/api/embed/threads', { url })).status, 200, 'restored, it is back');
    });

    test('the blog’s rate limits apply: a fifth comment in a minute from one address is refused with Retry-After the page can read', async () => {
      const opened = shaped(apiEmbedThreadSchema, await json(await call('POST', '/api/embed/threads', { url: `${SITE}/busy/` }), 201));
      clock.offset += 10_000;
      const send = (n: number) =>
        call('POST', `/api/embed/threads/${opened.thread.id}/comments`, { name: 'Quick', email: 'quick@example.com', body: `Comment ${n}`, form_token: opened.form_token }, { 'x-forwarded-for': '198.51.100.99' });
      for (let n = 1; n <= 4; n++) await json(await send(n), 201);
      const refused = await send(5);
      assert.equal(refused.status, 429);
      assert.match(refused.headers.get('retry-after') ?? '', /^[0-9]+$/);
      assert.equal(refused.headers.get('access-control-allow-origin'), SITE);
      assert.match(refused.headers.get('access-control-expose-headers') ?? '', /Retry-After/);
      assert.match((await refused.json()).detail, /faster than we allow/);
    });

    test('removing a site stops its pages’ comments and keeps the conversations on the blog', async () => {
      const site = (await k.deps.store.embeds.listSites()).find((s) => s.origin === SITE)!;
      const thread = await k.deps.store.embeds.findThread(PAGE);
      const post = await k.deps.store.posts.findById(thread!.postId);
      const removed = await owner.form(`/admin/sites/${site.id}/delete`, { confirm: 'yes' });
      assert.equal(removed.status, 303);
      assert.equal(removed.headers.get('location'), '/admin/sites?notice=site-removed');
      const refused = await call('POST', '/api/embed/threads', { url: PAGE });
      assert.equal(refused.status, 403);
      assert.equal(refused.headers.get('access-control-allow-origin'), null);
      assert.equal((await k.request(`/${post!.slug}`)).status, 200, 'the thread stays on the blog');
      // Added again, the same page finds the same conversation.
      assert.equal((await owner.form('/admin/sites', { origin: SITE })).status, 303);
      assert.equal(shaped(apiEmbedThreadSchema, await json(await call('POST', '/api/embed/threads', { url: PAGE }), 200)).thread.id, post!.id);
    });

    test('/api/openapi.json describes every embed route and is a valid OpenAPI 3.1 document', async () => {
      const doc = (await (await k.request('/api/openapi.json')).json()) as any;
      const validator = new Validator();
      const result = await validator.validate(structuredClone(doc));
      assert.deepEqual(result.errors ?? [], []);
      const documented = Object.entries(doc.paths as Record<string, object>)
        .filter(([path]) => path.startsWith('/api/embed'))
        .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
        .sort();
      assert.deepEqual(documented, [
        'DELETE /api/embed/comments/{id}',
        'GET /api/embed/comments/{id}',
        'GET /api/embed/threads/{id}/comments',
        'GET /api/embed/threads/{id}/live',
        'OPTIONS /api/embed/comments/{id}',
        'OPTIONS /api/embed/threads',
        'OPTIONS /api/embed/threads/{id}/comments',
        'PATCH /api/embed/comments/{id}',
        'POST /api/embed/threads',
        'POST /api/embed/threads/{id}/comments',
      ]);
    });
  });
}
