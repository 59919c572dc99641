import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SubmitContext } from '../../../core/comment-service.ts';
import type { Comment, Post, User } from '../../../core/store.ts';
import { startTestKumbaya, testEngines, type Agent, type TestKumbaya } from '../../../../test/helpers/test-kumbaya.ts';

const YEAR = 365 * 24 * 3600 * 1000;

for (const { engine, skip } of testEngines()) {
  describe(`admin home and posts list (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let owner: Agent;
    let ada: Agent;
    let bea: Agent;
    let moderator: Agent;
    let live: Post;
    let readers = 0;

    before(async () => {
      k = await startTestKumbaya({ engine });
      owner = await k.signIn('owner');
      ada = await k.signIn('author');
      bea = await k.signIn('author');
      moderator = await k.signIn('moderator');
      live = await published(ada.user!, 'Lanterns on the river', 'lanterns');
    });
    after(() => k?.cleanup());

    async function published(user: User, title: string, slug: string): Promise<Post> {
      const created = await k.deps.posts.create(user, { title, slug, markdown: `About ${title}.` });
      return (await k.deps.posts.publish(user, created.id)).post;
    }

    /** A reader's comment (a first comment is held; `approve` lets it through). */
    async function readerComment(on: Post, body: string, approve = false): Promise<Comment> {
      readers++;
      const ctx: SubmitContext = { ip: `198.51.100.${readers}`, userAgent: 'test', referrer: '', user: null };
      const formToken = k.deps.spam.issueFormToken(on.id, k.deps.clock.now() - 60_000);
      const { comment } = await k.deps.comments.submit({ postId: on.id, name: `Reader ${readers}`, email: `reader${readers}@example.com`, body, formToken }, ctx, '');
      if (approve && comment.status !== 'approved') await k.deps.comments.moderate([comment.id], 'approve', owner.user!.id);
      return (await k.deps.store.comments.findById(comment.id))!;
    }

    async function page(agent: Agent, path: string): Promise<string> {
      const res = await agent.request(path);
      assert.equal(res.status, 200, path);
      return res.text();
    }

    /** The home's part with this heading id, up to the next part. */
    function part(html: string, id: string): string | null {
      const start = html.indexOf(`aria-labelledby="${id}"`);
      if (start < 0) return null;
      return html.slice(start, html.indexOf('</section>', start));
    }

    it('shows each role what needs it, and only that', async () => {
      const held = await readerComment(live, 'Is the river walk open in winter?');
      const waiting = await readerComment(live, 'Beautiful photos, thank you.', true);
      await k.deps.posts.create(ada.user!, { title: 'Ada half-written', markdown: 'Soon.' });
      await k.deps.posts.create(bea.user!, { title: 'Bea half-written', markdown: 'Later.' });
      const soon = await k.deps.posts.create(bea.user!, { title: 'Bea next week', markdown: 'Then.' });
      await k.deps.posts.publish(bea.user!, soon.id, k.deps.clock.now() + 7 * 24 * 3600 * 1000);
      await k.deps.store.outbox.enqueue({ idempotencyKey: 'home-1', kind: 'reply', to: 'r@example.com', subject: 'x', text: 'x', html: '<p>x</p>', headers: {} }, k.deps.clock.now());
      const far = k.deps.clock.now() + 10 * YEAR;
      await k.deps.store.jobs.enqueue({ kind: 'home-test', key: 'home-test-1', payload: {}, runAt: far }, k.deps.clock.now());
      const [job] = await k.deps.store.jobs.claimDue(far, 10, 60_000);
      await k.deps.store.jobs.fail(job.id, 'unreachable', null, far);

      // Comments and accounts queue mail of their own (no SMTP in tests): count what waits.
      const outbox = await k.deps.store.outbox.countByStatus();
      assert.ok(outbox.pending >= 1);
      const waits = new RegExp(`${outbox.pending} emails? waits? to be sent`);

      const forOwner = await page(owner, '/admin');
      assert.match(forOwner, /<h1>Home<\/h1>/);
      assert.match(forOwner, /aria-current="page">Home/);
      assert.match(part(forOwner, 'home-held')!, /1 comment is held/);
      assert.match(part(forOwner, 'home-held')!, /Is the river walk open in winter\?/);
      assert.match(part(forOwner, 'home-held')!, /href="\/admin\/comments\?status=pending"/);
      assert.match(part(forOwner, 'home-waiting')!, /Beautiful photos, thank you\./);
      assert.match(part(forOwner, 'home-waiting')!, new RegExp(`href="/admin/waiting#comment-row-${waiting.id}"`));
      const writing = part(forOwner, 'home-writing')!;
      assert.match(writing, /Ada half-written/);
      assert.match(writing, /Bea half-written/, 'the owner sees every author’s drafts');
      assert.match(writing, /Bea next week/);
      assert.match(part(forOwner, 'home-mail')!, waits);
      assert.match(part(forOwner, 'home-jobs')!, /1 job gave up/);
      assert.match(part(forOwner, 'home-jobs')!, /href="\/admin\/jobs"/);
      assert.match(part(forOwner, 'home-recent')!, new RegExp(`action="/admin/comments/${waiting.id}/reply"`));
      assert.doesNotMatch(part(forOwner, 'home-recent')!, new RegExp(`action="/admin/comments/${held.id}/reply"`), 'held comments wait in their own part');

      const forBea = await page(bea, '/admin');
      assert.match(part(forBea, 'home-writing')!, /Bea half-written/);
      assert.doesNotMatch(forBea, /Ada half-written/, 'an author sees only their own drafts');
      assert.match(part(forBea, 'home-held')!, /No comments are waiting for approval/, 'comments on another author’s post are not hers');
      assert.equal(part(forBea, 'home-jobs'), null, 'jobs are the owner’s');
      assert.equal(part(forBea, 'home-mail'), null, 'the outbox names readers: owner and moderators only');
      assert.doesNotMatch(forBea, /Beautiful photos/);

      const forModerator = await page(moderator, '/admin');
      assert.equal(part(forModerator, 'home-writing'), null, 'moderators do not write');
      assert.doesNotMatch(forModerator, /half-written/);
      assert.match(part(forModerator, 'home-held')!, /Is the river walk open in winter\?/);
      assert.match(part(forModerator, 'home-mail')!, waits);
      assert.equal(part(forModerator, 'home-jobs'), null);
      assert.equal((await moderator.request('/admin/jobs')).status, 403);
    });

    it('publishes a reply from the home and comes back to it', async () => {
      const question = await readerComment(live, 'Which bridge is in the third photo?', true);
      const res = await ada.form(`/admin/comments/${question.id}/reply`, { body: 'The old stone one, upstream.', back: '/admin' });
      assert.equal(res.status, 303);
      const location = res.headers.get('location')!;
      assert.match(location, /^\/admin\?done=reply&reply=\d+$/);
      const reply = await k.deps.store.comments.findById(Number(/reply=(\d+)/.exec(location)![1]));
      assert.equal(reply!.status, 'approved');
      assert.equal(reply!.parentId, question.id);
      assert.equal(reply!.userId, ada.user!.id);
      const after = await page(ada, location);
      assert.match(after, /View it on the site/);
      assert.match(await (await k.request('/lanterns')).text(), /The old stone one, upstream\./);
      // Without a reply there is nothing to send, and the reason is said.
      const empty = await ada.form(`/admin/comments/${question.id}/reply`, { body: '  ', back: '/admin' });
      assert.equal(empty.status, 422);
    });

    it('counts comments per post in one query, however many posts are listed', async () => {
      const counted = await published(owner.user!, 'Counted', 'counted');
      await readerComment(counted, 'One.', true);
      await readerComment(counted, 'Two.', true);
      await readerComment(counted, 'Held, not counted.');
      const list = await page(owner, '/admin/posts?q=Counted');
      assert.match(list, new RegExp(`href="/admin/comments\\?status=approved&amp;post=${counted.id}">2 comments`));

      // Calls into the comments repository for one listed post and for twenty are the same.
      const store = k.deps.store as unknown as { comments: Record<string, unknown> };
      const real = store.comments;
      let calls = 0;
      store.comments = new Proxy(real, {
        get(target, name, receiver) {
          const value = Reflect.get(target, name, receiver);
          return typeof value === 'function' ? (...args: unknown[]) => (calls++, (value as (...a: unknown[]) => unknown).apply(target, args)) : value;
        },
      });
      try {
        await page(owner, '/admin/posts?q=Counted');
        const forOne = calls;
        for (let i = 0; i < 20; i++) await k.deps.posts.create(owner.user!, { title: `Filler ${i}`, markdown: 'x' });
        calls = 0;
        const full = await page(owner, '/admin/posts');
        assert.match(full, /Page 1 of/);
        assert.equal(calls, forOne, 'no query per row');
      } finally {
        store.comments = real;
      }
    });

    it('duplicates a post as a draft, and refuses another author’s', async () => {
      const original = await k.deps.posts.create(ada.user!, { title: 'Autumn notes', markdown: 'Leaves *fall*.', tags: ['Seasons'] });
      const res = await ada.form(`/admin/posts/${original.id}/duplicate`, {});
      assert.equal(res.status, 303);
      const copyId = Number(/\/admin\/posts\/(\d+)\?notice=duplicated/.exec(res.headers.get('location')!)![1]);
      const copy = (await k.deps.store.posts.findById(copyId))!;
      assert.equal(copy.title, 'Copy of Autumn notes');
      assert.equal(copy.status, 'draft');
      assert.equal(copy.markdown, 'Leaves *fall*.');
      assert.deepEqual(copy.tags.map((t) => t.name), ['Seasons']);
      assert.notEqual(copy.slug, original.slug);
      assert.equal(copy.authorId, ada.user!.id);
      assert.match(await page(ada, res.headers.get('location')!), /A copy, saved as a draft/);

      const refused = await bea.form(`/admin/posts/${original.id}/duplicate`, {});
      assert.equal(refused.status, 403);
      assert.equal((await moderator.form(`/admin/posts/${original.id}/duplicate`, {})).status, 403);
      const withoutCsrf = await ada.request(`/admin/posts/${original.id}/duplicate`, { method: 'POST', body: new URLSearchParams({}) });
      assert.equal(withoutCsrf.status, 403, 'CSRF');
    });

    it('trashes a post from its row and comes back to the filtered list', async () => {
      const doomed = await k.deps.posts.create(bea.user!, { title: 'Doomed draft', markdown: 'x' });
      assert.equal((await ada.form(`/admin/posts/${doomed.id}/trash`, { back: '/admin/posts' })).status, 403);
      const res = await bea.form(`/admin/posts/${doomed.id}/trash`, { back: '/admin/posts?status=draft' });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), `/admin/posts?status=draft&notice=trashed&id=${doomed.id}`);
      assert.notEqual((await k.deps.store.posts.findById(doomed.id))!.deletedAt, null);
      const away = await bea.form(`/admin/posts/${doomed.id}/restore`, {});
      assert.equal(away.status, 303);
      // A `back` elsewhere is not followed.
      await k.deps.posts.trash(bea.user!, doomed.id);
      await k.deps.posts.restore(bea.user!, doomed.id);
      const elsewhere = await bea.form(`/admin/posts/${doomed.id}/trash`, { back: 'https://evil.example/' });
      assert.match(elsewhere.headers.get('location')!, /^\/admin\/posts\?notice=trashed/);
    });

    it('publishes in bulk what the user may, and says what it refused', async () => {
      const mine1 = await k.deps.posts.create(bea.user!, { title: 'Bulk mine one', markdown: 'x' });
      const mine2 = await k.deps.posts.create(bea.user!, { title: 'Bulk mine two', markdown: 'x' });
      const adas = await k.deps.posts.create(ada.user!, { title: 'Bulk Ada', markdown: 'x' });
      const res = await bea.form('/admin/posts/bulk', { action: 'publish', ids: [String(mine1.id), String(mine2.id), String(adas.id)], back: '/admin/posts?q=Bulk' });
      assert.equal(res.status, 303);
      const location = res.headers.get('location')!;
      assert.equal(location, '/admin/posts?q=Bulk&bulk=publish&n=2&refused=1&why=not-yours');
      assert.equal((await k.deps.store.posts.findById(mine1.id))!.status, 'published');
      assert.equal((await k.deps.store.posts.findById(mine2.id))!.status, 'published');
      assert.equal((await k.deps.store.posts.findById(adas.id))!.status, 'draft', 'an author cannot publish another’s post');
      assert.match(await page(bea, location), /2 posts published\. 1 post refused: only the owner can change another author’s post\./);

      // The owner may: unpublish, tag, trash.
      const ids = [String(mine1.id), String(adas.id)];
      assert.equal((await owner.form('/admin/posts/bulk', { action: 'unpublish', ids, back: '/admin/posts' })).headers.get('location'), '/admin/posts?bulk=unpublish&n=1');
      assert.equal((await k.deps.store.posts.findById(mine1.id))!.status, 'draft');
      assert.equal((await owner.form('/admin/posts/bulk', { action: 'tag', tag: 'Winter', ids, back: '/admin/posts' })).headers.get('location'), '/admin/posts?bulk=tag&n=2');
      for (const id of [mine1.id, adas.id]) assert.deepEqual((await k.deps.store.posts.findById(id))!.tags.map((t) => t.name), ['Winter']);
      assert.match(await page(owner, '/admin/posts?tag=winter'), /2 matches/);
      // A moderator changes nothing.
      const byModerator = await moderator.form('/admin/posts/bulk', { action: 'trash', ids, back: '/admin/posts' });
      assert.equal(byModerator.headers.get('location'), '/admin/posts?bulk=trash&n=0&refused=2&why=role');
      assert.equal((await k.deps.store.posts.findById(mine1.id))!.deletedAt, null);
      assert.equal((await owner.form('/admin/posts/bulk', { action: 'trash', ids, back: '/admin/posts' })).headers.get('location'), '/admin/posts?bulk=trash&n=2');
      assert.notEqual((await k.deps.store.posts.findById(adas.id))!.deletedAt, null);

      // Bad input: said, and nothing done.
      assert.equal((await owner.form('/admin/posts/bulk', { action: 'explode', ids, back: '/admin/posts' })).status, 422);
      assert.equal((await owner.form('/admin/posts/bulk', { action: 'publish', back: '/admin/posts' })).status, 422);
      assert.equal((await owner.form('/admin/posts/bulk', { action: 'tag', tag: ' ', ids: [String(mine2.id)], back: '/admin/posts' })).status, 422);
      assert.equal((await owner.request('/admin/posts/bulk', { method: 'POST', body: new URLSearchParams({ action: 'trash', ids: String(mine2.id) }) })).status, 403, 'CSRF');
      assert.equal((await k.deps.store.posts.findById(mine2.id))!.deletedAt, null);
    });

    it('filters by author and finds words in the text, not only the title', async () => {
      await k.deps.posts.create(ada.user!, { title: 'Plain title', markdown: 'Mentions the heron by the weir.' });
      await k.deps.posts.create(owner.user!, { title: 'Another heron', markdown: 'x' });
      const byText = await page(owner, '/admin/posts?q=heron');
      assert.match(byText, /2 matches/);
      const byAda = await page(owner, `/admin/posts?q=heron&author=${ada.user!.id}`);
      assert.match(byAda, /1 match\b/);
      assert.match(byAda, /Plain title/);
      assert.doesNotMatch(byAda, /Another heron/);
      assert.match(byAda, new RegExp(`<option value="${ada.user!.id}" selected>`));
    });
  });
}
