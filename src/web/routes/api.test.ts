import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { Post, Role, User } from '../../core/store.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';
import { createApp, loadStaffAreas } from '../app.ts';

const DAY = 24 * 3600 * 1000;

interface Tokened {
  user: User;
  secret: string;
  tokenId: number;
}

for (const { engine, skip } of testEngines()) {
  describe(`JSON API (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let owner: Tokened;
    let author: Tokened;
    let people = 0;

    async function userWithToken(role: Role): Promise<Tokened> {
      people++;
      const user = await k.deps.auth.createUser({ name: `${role} ${people}`, email: `api-${role}-${people}@example.com`, password: 'correct horse battery' }, role);
      const { secret, token } = await k.deps.auth.createApiToken(user, 'test script');
      return { user, secret, tokenId: token.id };
    }

    /** A request with a JSON body (when given) and the bearer token (when given). */
    function call(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body: string | undefined;
      if (options.body !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      }
      return k.request(path, { method, headers, body });
    }

    async function publishedPost(title: string, user: User = owner.user, extra: Record<string, unknown> = {}): Promise<Post> {
      const post = await k.deps.posts.create(user, { title, markdown: `Body of ${title}.`, ...extra });
      return (await k.deps.posts.publish(user, post.id)).post;
    }

    async function publicSlugs(query = ''): Promise<string[]> {
      const res = await call('GET', `/api/posts${query}`);
      assert.equal(res.status, 200);
      return ((await res.json()) as { posts: Array<{ slug: string }> }).posts.map((p) => p.slug);
    }

    before(async () => {
      k = await startTestKumbaya({ engine });
      owner = await userWithToken('owner');
      author = await userWithToken('author');
    });
    after(() => k.cleanup());

    test('without a token, lists and reads only published posts, without their Markdown', async () => {
      const live = await publishedPost('Out in the open', owner.user, { tags: ['Gardening'] });
      const draft = await k.deps.posts.create(owner.user, { title: 'Still drafting' });
      const unlisted = await publishedPost('Quietly there', owner.user, { visibility: 'unlisted' });

      const res = await call('GET', '/api/posts?per_page=50');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      assert.match(res.headers.get('cache-control') ?? '', /^public, max-age=\d+$/);
      const list = (await res.json()) as { posts: Array<Record<string, unknown>>; page: number; per_page: number; total: number };
      assert.equal(list.page, 1);
      assert.equal(list.per_page, 50);
      const slugs = list.posts.map((p) => p.slug);
      assert.ok(slugs.includes(live.slug));
      assert.ok(!slugs.includes(draft.slug), 'drafts are not listed');
      assert.ok(!slugs.includes(unlisted.slug), 'unlisted posts are not listed');
      assert.equal(list.total, list.posts.length);

      const listed = list.posts.find((p) => p.slug === live.slug)!;
      assert.equal(listed.url, `http://localhost:3000/${live.slug}`);
      assert.equal(listed.status, 'published');
      assert.equal(listed.markdown, undefined, 'no Markdown without a token');
      assert.equal(typeof listed.html, 'string');
      assert.equal(listed.published_at, new Date(live.publishedAt!).toISOString());
      assert.deepEqual(listed.author, { id: owner.user.id, name: owner.user.name, slug: owner.user.slug });
      assert.deepEqual(listed.tags, [{ slug: 'gardening', name: 'Gardening' }]);

      assert.deepEqual(await publicSlugs('?tag=gardening'), [live.slug]);

      const bySlug = await call('GET', `/api/posts/${live.slug}`);
      assert.equal(bySlug.status, 200);
      assert.equal(((await bySlug.json()) as { id: number }).id, live.id);
      const byId = await call('GET', `/api/posts/${live.id}`);
      assert.equal(((await byId.json()) as { slug: string }).slug, live.slug);
      assert.equal((await call('GET', `/api/posts/${unlisted.slug}`)).status, 200, 'unlisted posts answer at their address');

      for (const ref of [draft.slug, String(draft.id), 'no-such-post']) {
        const missing = await call('GET', `/api/posts/${ref}`);
        assert.equal(missing.status, 404, ref);
        assert.equal(((await missing.json()) as { code: string }).code, 'not_found');
      }
    });

    test('lists pages apart from posts and pages through results', async () => {
      const page = await publishedPost('About this place', owner.user, { type: 'page' });
      assert.ok((await publicSlugs('?type=page')).includes(page.slug));
      assert.ok(!(await publicSlugs('?type=post')).includes(page.slug));

      const first = (await (await call('GET', '/api/posts?per_page=1&page=1')).json()) as { posts: unknown[]; total: number };
      const second = (await (await call('GET', '/api/posts?per_page=1&page=2')).json()) as { posts: Array<{ slug: string }> };
      assert.equal(first.posts.length, 1);
      assert.ok(first.total >= 2);
      assert.equal(second.posts.length, 1);

      const tooMany = await call('GET', '/api/posts?per_page=51&type=poem');
      assert.equal(tooMany.status, 422);
      const error = (await tooMany.json()) as { code: string; fields: Record<string, string> };
      assert.equal(error.code, 'validation_failed');
      assert.deepEqual(Object.keys(error.fields).sort(), ['per_page', 'type']);
    });

    test('with a token: create a draft, change it, publish it, and it is on the site', async () => {
      const created = await call('POST', '/api/posts', {
        token: owner.secret,
        body: { title: 'Written by a script', markdown: 'First *words*.', tags: ['Automation'] },
      });
      assert.equal(created.status, 201);
      assert.match(created.headers.get('cache-control') ?? '', /\bno-store\b/);
      const draft = (await created.json()) as Record<string, unknown> & { id: number; slug: string };
      assert.equal(created.headers.get('location'), `http://localhost:3000/api/posts/${draft.id}`);
      assert.equal(draft.status, 'draft');
      assert.equal(draft.markdown, 'First *words*.');
      assert.equal(draft.published_at, null);
      assert.ok(!(await publicSlugs()).includes(draft.slug));
      assert.equal((await call('GET', `/api/posts/${draft.id}`)).status, 404, 'anonymous readers do not see drafts');

      const read = await call('GET', `/api/posts/${draft.id}`, { token: owner.secret });
      assert.equal(read.status, 200);
      assert.match(read.headers.get('cache-control') ?? '', /\bno-store\b/, 'what a token sees is never cached');

      const patched = await call('PATCH', `/api/posts/${draft.id}`, { token: owner.secret, body: { title: 'Written by a careful script', markdown: 'Second *words*.' } });
      assert.equal(patched.status, 200);
      const changed = (await patched.json()) as Record<string, unknown>;
      assert.equal(changed.title, 'Written by a careful script');
      assert.equal(changed.slug, draft.slug, 'fields not sent stay as they were');
      assert.deepEqual(changed.tags, [{ slug: 'automation', name: 'Automation' }]);
      assert.match(String(changed.excerpt), /^Second words/, 'an automatic excerpt follows the new text');
      assert.equal(changed.status, 'draft');

      const published = await call('POST', `/api/posts/${draft.id}/publish`, { token: owner.secret });
      assert.equal(published.status, 200);
      const outcome = (await published.json()) as { state: string; post: { status: string; published_at: string } };
      assert.equal(outcome.state, 'published');
      assert.equal(outcome.post.status, 'published');
      assert.ok(Date.parse(outcome.post.published_at) <= Date.now());

      assert.ok((await publicSlugs()).includes(draft.slug));
      const page = await k.request(`/${draft.slug}`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /Written by a careful script/);
    });

    test('a post published with a future time is scheduled, not public', async () => {
      const draft = await k.deps.posts.create(owner.user, { title: 'Coming next week' });
      const at = new Date(Date.now() + 7 * DAY).toISOString();
      const res = await call('POST', `/api/posts/${draft.id}/publish`, { token: owner.secret, body: { published_at: at } });
      assert.equal(res.status, 200);
      const outcome = (await res.json()) as { state: string; post: { status: string; published_at: string } };
      assert.equal(outcome.state, 'scheduled');
      assert.equal(outcome.post.status, 'scheduled');
      assert.equal(outcome.post.published_at, at);

      assert.ok(!(await publicSlugs()).includes(draft.slug));
      assert.equal((await call('GET', `/api/posts/${draft.slug}`)).status, 404);
      assert.equal((await k.request(`/${draft.slug}`)).status, 404);

      const scheduled = await call('GET', '/api/posts?status=scheduled', { token: owner.secret });
      assert.ok(((await scheduled.json()) as { posts: Array<{ slug: string }> }).posts.some((p) => p.slug === draft.slug));
    });

    test('unpublish turns a post back into a draft; delete moves it to the trash', async () => {
      const post = await publishedPost('Here today');
      const unpublished = await call('POST', `/api/posts/${post.id}/unpublish`, { token: owner.secret });
      assert.equal(unpublished.status, 200);
      assert.equal(((await unpublished.json()) as { status: string }).status, 'draft');
      assert.equal((await call('GET', `/api/posts/${post.slug}`)).status, 404);

      const gone = await publishedPost('Gone tomorrow');
      const deleted = await call('DELETE', `/api/posts/${gone.id}`, { token: owner.secret });
      assert.equal(deleted.status, 204);
      assert.equal(await deleted.text(), '');
      assert.equal((await call('GET', `/api/posts/${gone.id}`, { token: owner.secret })).status, 404);
      assert.ok(!(await publicSlugs()).includes(gone.slug));
      assert.equal((await call('DELETE', `/api/posts/${gone.id}`, { token: owner.secret })).status, 404);
    });

    test('a changed slug redirects from the old one', async () => {
      const post = await publishedPost('Old name');
      const res = await call('PATCH', `/api/posts/${post.id}`, { token: owner.secret, body: { slug: 'new-name' } });
      assert.equal(res.status, 200);
      const moved = await call('GET', `/api/posts/${post.slug}`);
      assert.equal(moved.status, 301);
      assert.equal(moved.headers.get('location'), 'http://localhost:3000/api/posts/new-name');
    });

    test('status lists what the token’s user may edit: everything for an owner, their own for an author', async () => {
      const ownersDraft = await k.deps.posts.create(owner.user, { title: 'Owner’s private draft' });
      const authorsDraft = await k.deps.posts.create(author.user, { title: 'Author’s private draft' });

      const ownerView = (await (await call('GET', '/api/posts?status=draft&per_page=50', { token: owner.secret })).json()) as { posts: Array<{ id: number; markdown?: string; status: string }> };
      assert.ok(ownerView.posts.some((p) => p.id === ownersDraft.id));
      assert.ok(ownerView.posts.some((p) => p.id === authorsDraft.id));
      assert.ok(ownerView.posts.every((p) => p.status === 'draft' && typeof p.markdown === 'string'));

      const authorView = (await (await call('GET', '/api/posts?status=all&per_page=50', { token: author.secret })).json()) as { posts: Array<{ id: number }> };
      assert.deepEqual(
        authorView.posts.map((p) => p.id),
        [authorsDraft.id],
      );

      assert.equal((await call('GET', `/api/posts/${ownersDraft.id}`, { token: author.secret })).status, 404, 'an author does not see the owner’s drafts');
      const ownersLive = await publishedPost('Owner’s published post');
      const forbidden = await call('PATCH', `/api/posts/${ownersLive.id}`, { token: author.secret, body: { title: 'Mine now' } });
      assert.equal(forbidden.status, 403);
      assert.equal(((await forbidden.json()) as { code: string }).code, 'forbidden');

      const moderator = await userWithToken('moderator');
      assert.equal((await call('POST', '/api/posts', { token: moderator.secret, body: { title: 'Moderated' } })).status, 403);
      assert.equal((await call('GET', '/api/posts?status=draft', { token: moderator.secret })).status, 403);

      const anonymous = await call('GET', '/api/posts?status=draft');
      assert.equal(anonymous.status, 401);
    });

    test('an invalid body is refused with 422 and the fields at fault', async () => {
      const res = await call('POST', '/api/posts', { token: owner.secret, body: { title: '   ', tags: 'one, two', colour: 'blue', published_at: 'next Tuesday' } });
      assert.equal(res.status, 422);
      const error = (await res.json()) as { code: string; detail: string; fields: Record<string, string> };
      assert.equal(error.code, 'validation_failed');
      assert.deepEqual(Object.keys(error.fields).sort(), ['colour', 'published_at', 'tags', 'title']);
      assert.equal(error.fields.title, 'Give it a title.');
      assert.ok(error.detail.length > 0);

      const reserved = await call('POST', '/api/posts', { token: owner.secret, body: { title: 'Sneaky', slug: 'admin' } });
      assert.equal(reserved.status, 422);
      assert.ok(((await reserved.json()) as { fields: Record<string, string> }).fields.slug);

      const notAnObject = await call('POST', '/api/posts', { token: owner.secret, body: [1, 2] });
      assert.equal(notAnObject.status, 422);
    });

    test('malformed JSON is a 400, a huge body a 413, another content type a 415', async () => {
      const malformed = await call('POST', '/api/posts', { token: owner.secret, body: '{"title": "unfinished' });
      assert.equal(malformed.status, 400);
      assert.equal(((await malformed.json()) as { code: string }).code, 'invalid_json');

      const post = await k.deps.posts.create(owner.user, { title: 'Patched badly' });
      const malformedPatch = await call('PATCH', `/api/posts/${post.id}`, { token: owner.secret, body: 'title=x' });
      assert.equal(malformedPatch.status, 400);

      const huge = await call('POST', '/api/posts', { token: owner.secret, body: { title: 'Huge', markdown: 'x'.repeat(3 * 1024 * 1024) } });
      assert.equal(huge.status, 413);
      assert.equal(((await huge.json()) as { code: string }).code, 'payload_too_large');
      // Declared too large: refused from the Content-Length header, before the body is read.
      const declared = await call('POST', '/api/posts', { token: owner.secret, body: '{}', headers: { 'content-length': String(4 * 1024 * 1024) } });
      assert.equal(declared.status, 413);
      assert.equal(((await declared.json()) as { code: string }).code, 'payload_too_large');

      const form = await call('POST', '/api/posts', { token: owner.secret, body: 'title=Hello', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(form.status, 415);
      assert.equal(((await form.json()) as { code: string }).code, 'unsupported_media_type');
    });

    test('writes need a valid token: 401 with WWW-Authenticate otherwise', async () => {
      const before = await k.deps.store.posts.listAdmin({ limit: 1, offset: 0 });

      const invalid = await call('POST', '/api/posts', { token: 'kby_not-a-real-token', body: { title: 'Nope' } });
      assert.equal(invalid.status, 401);
      assert.match(invalid.headers.get('www-authenticate') ?? '', /^Bearer /);
      assert.equal(((await invalid.json()) as { code: string }).code, 'unauthenticated');

      const notBearer = await call('GET', '/api/posts', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
      assert.equal(notBearer.status, 401, 'a credential that is not a bearer token is refused, not ignored');

      // A signed-in browser session is not an API credential.
      const browser = await k.signIn('owner');
      const withCookie = await browser.request('/api/posts', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': browser.csrf },
        body: JSON.stringify({ title: 'From a cookie' }),
      });
      assert.equal(withCookie.status, 401);
      assert.equal(withCookie.headers.get('www-authenticate'), 'Bearer realm="Kumbaya"');

      const revoked = await userWithToken('author');
      assert.equal((await call('GET', '/api/posts?status=all', { token: revoked.secret })).status, 200);
      assert.ok(await k.deps.store.apiTokens.revoke(revoked.tokenId, revoked.user.id));
      const afterRevoke = await call('POST', '/api/posts', { token: revoked.secret, body: { title: 'Too late' } });
      assert.equal(afterRevoke.status, 401);
      assert.match(afterRevoke.headers.get('www-authenticate') ?? '', /error="invalid_token"/);

      const after = await k.deps.store.posts.listAdmin({ limit: 1, offset: 0 });
      assert.equal(after.total, before.total, 'nothing was written');
    });

    test(
      'a write with no credentials at all is a 401',
      async () => {
        const res = await call('POST', '/api/posts', { body: { title: 'Anonymous' } });
        assert.equal(res.status, 401);
        assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="Kumbaya"');
      },
    );

    test('writes are rate-limited per token with Retry-After', async () => {
      const busy = await userWithToken('author');
      const post = await k.deps.posts.create(busy.user, { title: 'Toggled a lot' });
      let last: Response | undefined;
      for (let i = 0; i < 121; i++) {
        last = await call('POST', `/api/posts/${post.id}/unpublish`, { token: busy.secret });
        if (last.status !== 200) break;
      }
      assert.equal(last!.status, 429);
      assert.equal(((await last!.json()) as { code: string }).code, 'rate_limited');
      assert.ok(Number(last!.headers.get('retry-after')) > 0);
      // Other tokens are not affected, and reads are not limited.
      assert.equal((await call('POST', `/api/posts/${post.id}/unpublish`, { token: owner.secret })).status, 200);
      assert.equal((await call('GET', `/api/posts/${post.id}`, { token: busy.secret })).status, 200);
    });

    test('anything else under /api is a 404 problem, never a page', async () => {
      for (const [method, path] of [
        ['GET', '/api'],
        ['GET', '/api/nothing-here'],
        ['PUT', '/api/posts/1'],
        ['PATCH', '/api/posts/not-a-number'],
      ]) {
        const res = await call(method, path, { token: owner.secret });
        assert.equal(res.status, 404, `${method} ${path}`);
        assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json$/);
        assert.equal(((await res.json()) as { code: string }).code, 'not_found');
      }
    });

    describe('openapi.json', () => {
      let doc: {
        openapi: string;
        paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }>; operationId?: string }>>;
        components: { securitySchemes: Record<string, { scheme?: string }> };
      };

      before(async () => {
        const res = await call('GET', '/api/openapi.json');
        assert.equal(res.status, 200);
        doc = JSON.parse(await res.text());
      });

      test('is a valid OpenAPI 3.1 document with every $ref resolving', async () => {
        assert.match(doc.openapi, /^3\.1\.\d+$/);
        assert.equal(doc.components.securitySchemes.bearerAuth.scheme, 'bearer');
        const validator = new Validator();
        const result = await validator.validate(structuredClone(doc));
        assert.deepEqual(result.errors ?? [], [], 'the document matches the OpenAPI 3.1 schema');
        assert.equal(result.valid, true);
        validator.resolveRefs(); // throws on a $ref that points nowhere
      });

      test('describes exactly the routes the router serves under /api', async () => {
        // The API's routes are in the complete app, which the served app builds on the first staff request.
        const complete = createApp(k.deps, await loadStaffAreas());
        const served = new Set(
          complete.routes
            .filter((r) => r.path.startsWith('/api/') && r.method !== 'ALL')
            .map((r) => `${r.method} ${r.path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}')}`),
        );
        const documented = new Set(Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`)));
        assert.ok(served.size >= 7);
        assert.deepEqual([...served].sort(), [...documented].sort());
      });

      test('declares each path parameter and gives every operation a unique id', () => {
        const ids = new Set<string>();
        for (const [path, item] of Object.entries(doc.paths)) {
          const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
          for (const [method, operation] of Object.entries(item)) {
            const declared = (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
            assert.deepEqual(declared.sort(), templated.sort(), `${method} ${path}`);
            assert.ok(operation.operationId && !ids.has(operation.operationId), `${method} ${path} has a unique operationId`);
            ids.add(operation.operationId);
          }
        }
      });
    });
  });
}
