import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestKumbaya, type TestKumbaya } from '../../../../test/helpers/test-kumbaya.ts';

let k: TestKumbaya;

before(async () => {
  k = await startTestKumbaya({ demo: true });
});
after(() => k.cleanup());

const pages = ['/admin', '/admin/posts', '/admin/pages', '/admin/trash', '/admin/posts/new', '/admin/tags', '/admin/uploads', '/admin/settings', '/admin/users', '/admin/tokens', '/admin/profile'];

describe('admin access', () => {
  it('sends visitors without a session to sign in, coming back afterwards', async () => {
    for (const path of ['/admin', '/admin/settings', '/admin/posts/new?type=page']) {
      const res = await k.request(path);
      assert.equal(res.status, 303, path);
      assert.equal(res.headers.get('location'), `/login?next=${encodeURIComponent(path)}`);
      assert.equal(res.headers.get('cache-control'), 'private, no-store');
    }
  });

  it('serves every admin page privately, never cached, not indexed, with the layout', async () => {
    const owner = await k.signIn('owner');
    for (const path of pages) {
      const res = await owner.request(path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('cache-control'), 'private, no-store', path);
      const page = await res.text();
      assert.match(page, /<meta name="robots" content="noindex">/, path);
      assert.match(page, /<nav class="admin-nav" aria-label="Admin">/, path);
      assert.match(page, /<form method="post" action="\/logout">\s*<input type="hidden" name="_csrf"/, path);
      assert.doesNotMatch(page, /\sstyle=|\son[a-z]+=|<script>/i, `${path}: no inline style, handler or script`);
      assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    }
  });

  it('marks the current area in the navigation', async () => {
    const owner = await k.signIn('owner');
    const page = await (await owner.request('/admin/tags')).text();
    assert.match(page, /<a href="\/admin\/tags" aria-current="page">Tags<\/a>/);
    assert.doesNotMatch(page, /<a href="\/admin" aria-current/);
  });

  it('keeps settings and users to the owner', async () => {
    const author = await k.signIn('author');
    const moderator = await k.signIn('moderator');
    for (const agent of [author, moderator]) {
      for (const path of ['/admin/settings', '/admin/users']) {
        const res = await agent.request(path);
        assert.equal(res.status, 403, `${agent.user!.role} ${path}`);
        assert.equal(res.headers.get('cache-control'), 'private, no-store');
      }
      assert.equal((await agent.form('/admin/settings', { title: 'Taken over', description: '', navigation: '', customCss: '', postsPerPage: '10' })).status, 403);
      assert.equal((await agent.form('/admin/users', { name: 'Sneaky', email: 'sneaky@example.com', password: 'long enough password', role: 'owner' })).status, 403);
    }
    assert.equal((await k.deps.site()).title === 'Taken over', false);
    assert.equal(await k.deps.store.users.findByEmail('sneaky@example.com'), null);
    // Their top bar does not offer what they cannot open.
    const nav = await (await author.request('/admin')).text();
    assert.doesNotMatch(nav, /href="\/admin\/settings"/);
    assert.doesNotMatch(nav, /href="\/admin\/users"/);
    assert.match(nav, /href="\/admin\/tags"/);
  });

  it('keeps tags and uploads from moderators', async () => {
    const moderator = await k.signIn('moderator');
    assert.equal((await moderator.request('/admin/tags')).status, 403);
    assert.equal((await moderator.request('/admin/uploads')).status, 403);
    assert.equal((await moderator.request('/admin/profile')).status, 200);
    assert.equal((await moderator.request('/admin/tokens')).status, 200);
  });

  it('refuses a form sent without the CSRF token', async () => {
    const owner = await k.signIn('owner');
    const before = (await k.deps.store.posts.listAdmin({ limit: 1, offset: 0 })).total;
    const res = await owner.request('/admin/posts', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ title: 'Forged', markdown: 'x', action: 'publish' }),
    });
    assert.equal(res.status, 403);
    assert.equal((await k.deps.store.posts.listAdmin({ limit: 1, offset: 0 })).total, before);
    const wrong = await owner.request('/admin/preview', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': 'not-the-token' },
      body: JSON.stringify({ markdown: 'x' }),
    });
    assert.equal(wrong.status, 403);
  });

  it('lists to each role only the unpublished posts it may open: an author their own, a moderator none', async () => {
    const owner = await k.signIn('owner');
    const ada = await k.signIn('author');
    const bea = await k.signIn('author');
    const moderator = await k.signIn('moderator');
    await k.deps.posts.create(ada.user!, { title: 'Ada’s unfinished draft' });
    const scheduled = await k.deps.posts.create(ada.user!, { title: 'Ada’s scheduled post' });
    await k.deps.posts.publish(ada.user!, scheduled.id, k.deps.clock.now() + 86_400_000);
    const trashed = await k.deps.posts.create(ada.user!, { title: 'Ada’s trashed draft' });
    await k.deps.posts.trash(ada.user!, trashed.id);
    await k.deps.posts.create(bea.user!, { title: 'Bea’s own draft' });
    const seen = async (agent: typeof owner, path: string) => (await agent.request(path)).text();
    const adas = /Ada’s unfinished draft|Ada’s scheduled post/;

    for (const path of ['/admin/posts', '/admin/posts?status=draft', '/admin/posts?status=scheduled', '/admin/posts?q=Ada', '/admin/comments?status=pending']) {
      assert.match(await seen(owner, path), adas, `the owner sees everything (${path})`);
      const forBea = await seen(bea, path);
      assert.doesNotMatch(forBea, adas, `an author does not see another’s drafts (${path})`);
      const forModerator = await seen(moderator, path);
      assert.doesNotMatch(forModerator, adas, `a moderator sees no drafts (${path})`);
      assert.doesNotMatch(forModerator, /Bea’s own draft/, path);
    }
    assert.match(await seen(bea, '/admin/posts'), /Bea’s own draft/);
    const forAda = await seen(ada, '/admin/posts');
    assert.match(forAda, /Ada’s unfinished draft/);
    assert.match(forAda, /Ada’s scheduled post/);
    assert.match(await seen(moderator, '/admin/posts'), /You CAN&#39;T Fail in Social Media/, 'published posts stay listed');
    assert.doesNotMatch(await seen(moderator, '/admin/trash'), /Ada’s trashed draft/);
    assert.doesNotMatch(await seen(bea, '/admin/trash'), /Ada’s trashed draft/);
    // And what is not listed cannot be opened: the moderator's preview of a draft is a 404.
    const slug = (await k.deps.store.posts.findById(scheduled.id))!.slug;
    assert.equal((await moderator.request(`/${slug}`)).status, 404);
    assert.equal((await bea.request(`/${slug}`)).status, 404);
    assert.equal((await ada.request(`/${slug}`)).status, 200);
  });
});
