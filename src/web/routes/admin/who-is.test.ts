import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { SubmitContext } from '../../../core/comment-service.ts';
import type { Comment, Post, User } from '../../../core/store.ts';
import { REFRESH_MS, WHO_IS_JOB } from '../../../core/who-is.ts';
import { Agent, startTestKumbaya, testEngines, type TestKumbaya } from '../../../../test/helpers/test-kumbaya.ts';

/** Commenters' websites: each path one site, each request counted. */
const sites = new Map<string, { status: number; body: string; type?: string }>();
const requested: string[] = [];
let remote: http.Server;
let REMOTE = '';
before(async () => {
  remote = http.createServer((req, res) => {
    requested.push(req.url ?? '/');
    const site = sites.get(req.url ?? '/') ?? { status: 404, body: 'not here' };
    res.writeHead(site.status, { 'content-type': site.type ?? 'text/html; charset=utf-8' }).end(site.body);
  });
  await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', resolve));
  REMOTE = `http://127.0.0.1:${(remote.address() as AddressInfo).port}`;
});
after(() => {
  remote.closeAllConnections();
  remote.close();
});

const hCardPage = (path: string, card: string, head = '') => `<!doctype html><html><head>${head}</head><body><div class="h-card"><a class="p-name u-url u-uid" href="${path}">${card}</a></div></body></html>`;

for (const { engine, skip } of testEngines()) {
  describe(`"Who is this?" in the inbox and on a person's page (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let owner: Agent;
    let post: Post;
    let now = Date.UTC(2024, 4, 1, 12);
    before(async () => {
      sites.clear();
      k = await startTestKumbaya({ engine, env: { WEBMENTION_ALLOW_PRIVATE: 'true' }, clock: { now: () => now } });
      owner = await k.signIn('owner');
      const created = await k.deps.posts.create(owner.user as User, { title: 'Porch evenings', slug: 'porch-evenings', markdown: 'About porches.' });
      post = (await k.deps.posts.publish(owner.user as User, created.id)).post;
    });
    after(() => k.cleanup());

    let readers = 0;
    async function comment(name: string, email: string, body: string, website = '', onPost = post, honeypot = ''): Promise<Comment> {
      readers++;
      const ctx: SubmitContext = { ip: `198.51.100.${readers}`, userAgent: 'test', referrer: '', user: null };
      const formToken = k.deps.spam.issueFormToken(onPost.id, now - 60_000);
      return (await k.deps.comments.submit({ postId: onPost.id, name, email, website, body, formToken, honeypot }, ctx, `http://localhost:3000/${onPost.slug}`)).comment;
    }
    const page = async (agent: Agent, path: string) => {
      const res = await agent.request(path);
      assert.equal(res.status, 200, path);
      return res.text();
    };
    const whoIsJobs = async () => (await k.deps.store.jobs.list({ kind: WHO_IS_JOB, limit: 100, offset: 0 })).items;
    /** The inbox row of a comment, up to the next row. */
    const row = (inbox: string, id: number) => {
      const start = inbox.indexOf(`id="comment-row-${id}"`);
      assert.ok(start > 0, `row ${id} is in the inbox`);
      const end = inbox.indexOf('<li class="mod-item', start + 10);
      return inbox.slice(start, end < 0 ? undefined : end);
    };

    it('queues the look-up once the first comment is in, reads nothing while the reader waits, and shows what the job found', async () => {
      sites.set('/ada', {
        status: 200,
        body: hCardPage('/ada', 'Ada Lovelace', '<link rel="me" href="https://social.example/@ada"><link rel="me" href="https://github.com/ada">').replace('</a>', '</a><p class="p-note">I write about the Analytical Engine.</p>'),
      });
      requested.length = 0;
      const first = await comment('Ada', 'ada@example.com', 'Lovely post. See https://example.com and https://example.org', `${REMOTE}/ada`);
      assert.equal(first.status, 'pending', 'a first comment is held');
      assert.deepEqual((await whoIsJobs()).map((j) => [j.status, j.payload.website]), [['pending', `${REMOTE}/ada`]]);
      assert.deepEqual(requested, [], 'nothing was fetched while the reader waited');

      let card = row(await page(owner, '/admin/comments'), first.id);
      assert.match(card, /<summary>Who is this\?<span class="visually-hidden"> \(Ada\)<\/span><\/summary>/);
      assert.match(card, /Looking at <a href="http:\/\/127\.0\.0\.1:\d+\/ada"[^>]*>127\.0\.0\.1:\d+\/ada<\/a> in the background/);
      assert.match(card, /this is their first time here/);
      assert.match(card, /first comment from this person/, 'the signals on the comment: why it is held');
      assert.match(card, /The spam filter has not learned enough to judge it yet\./, 'a new site\'s filter is untrained');
      assert.match(card, /2 links in the text\./);

      assert.equal(await k.jobs.tick(), 1);
      assert.deepEqual(requested, ['/ada']);
      card = row(await page(owner, '/admin/comments'), first.id);
      assert.match(card, /<p class="who-name">Ada Lovelace<\/p>/);
      assert.match(card, /<p class="who-note">I write about the Analytical Engine\.<\/p>/);
      assert.match(card, /<a href="https:\/\/social\.example\/@ada" rel="nofollow ugc noopener noreferrer">social\.example\/@ada<\/a>/);
      assert.match(card, /<a href="https:\/\/github\.com\/ada" rel="nofollow ugc noopener noreferrer">github\.com\/ada<\/a>/);
      assert.match(card, /<span class="avatar avatar-\d" aria-hidden="true">AL<\/span>/, 'initials, no remote photo');
      assert.match(card, /From the h-card on .*, read <time/);

      const ada = (await k.deps.store.people.findByEmail('ada@example.com'))!;
      const person = await page(owner, `/admin/people/${ada.id}`);
      assert.match(person, /<h2 id="whois-head">Their website<\/h2>/);
      assert.match(person, /<p class="who-name">Ada Lovelace<\/p>/);
      assert.equal((await whoIsJobs()).length, 1, 'a fresh profile queues nothing more');
    });

    it('tells the team about other identities and earlier comments, and leaves known commenters alone', async () => {
      sites.set('/bea', { status: 200, body: hCardPage('/bea', 'Bea') });
      const first = await comment('Bea', 'bea@example.com', 'First.', `${REMOTE}/bea`);
      const bea = (await k.deps.store.people.findByEmail('bea@example.com'))!;
      await k.deps.store.people.addIdentity(bea.id, 'handle', '@bea@social.example', false, now);
      await k.deps.store.comments.setStatus([first.id], 'spam', ['a test'], now);
      const second = await comment('Bea', 'bea@example.com', 'Second.', `${REMOTE}/bea`);
      const card = row(await page(owner, '/admin/comments'), second.id);
      assert.match(card, /Besides this comment: 1 comment \(1 in spam\)\./);
      assert.match(card, /<span class="identity-kind">fediverse handle<\/span> @bea@social\.example <span class="muted">\(claimed\)<\/span>/);
      assert.doesNotMatch(card, /bea@example\.com <span/, 'the identities this comment carries are not repeated');

      await k.deps.comments.moderate([second.id], 'approve');
      const third = await comment('Bea', 'bea@example.com', 'Third.', `${REMOTE}/bea`);
      assert.equal(third.status, 'approved', 'known now');
      const jobs = (await whoIsJobs()).filter((j) => j.payload.website === `${REMOTE}/bea`);
      assert.equal(jobs.length, 1, 'one look-up for Bea, however often she writes');

      const spam = await comment('Bot', 'bot@example.com', 'Buy now.', `${REMOTE}/bot`, post, 'filled by a bot');
      assert.equal(spam.status, 'spam');
      assert.equal((await whoIsJobs()).filter((j) => j.payload.website === `${REMOTE}/bot`).length, 0, 'spam sends us to nobody\'s website');
    });

    it('says "nothing found" and why, in words, with a button to look again (CSRF-checked), which queues a job', async () => {
      const gone = await comment('Cy', 'cy@example.com', 'Hi.', `${REMOTE}/cy-missing`);
      await k.jobs.tick();
      const inbox = await page(owner, '/admin/comments');
      const card = row(inbox, gone.id);
      assert.match(card, /<strong>Nothing found<\/strong> at <a [^>]*>127\.0\.0\.1:\d+\/cy-missing<\/a>: the site answered with an error \(HTTP 404\)\./);
      const cy = (await k.deps.store.people.findByEmail('cy@example.com'))!;
      assert.match(card, new RegExp(`<form method="post" action="/admin/people/${cy.id}/look-again"`));

      const before = (await whoIsJobs()).length;
      const bare = await owner.request(`/admin/people/${cy.id}/look-again`, { method: 'POST', body: new URLSearchParams({ back: '/admin/comments' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(bare.status, 403, 'without the form token');
      assert.equal((await whoIsJobs()).length, before);

      let res = await owner.form(`/admin/people/${cy.id}/look-again`, { back: '/admin/comments?status=pending' });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), '/admin/comments?status=pending&notice=lookup-queued');
      assert.equal((await whoIsJobs()).length, before + 1);
      res = await owner.form(`/admin/people/${cy.id}/look-again`, { back: 'https://evil.example/' });
      assert.equal(res.headers.get('location'), `/admin/people/${cy.id}?notice=lookup-queued`, 'back only to the inbox or the person');
      assert.match(await page(owner, `/admin/people/${cy.id}?notice=lookup-queued`), /Looking at their website again in the background/);

      sites.set('/cy-missing', { status: 200, body: hCardPage('/cy-missing', 'Cy Found') });
      await k.jobs.tick();
      assert.match(await page(owner, `/admin/people/${cy.id}`), /<p class="who-name">Cy Found<\/p>/);

      const noSite = await comment('Dee', 'dee@example.com', 'No website.');
      const dee = (await k.deps.store.people.findByEmail('dee@example.com'))!;
      assert.match(row(await page(owner, '/admin/comments'), noSite.id), /They gave no website, so there is nothing public to look up\./);
      res = await owner.form(`/admin/people/${dee.id}/look-again`, { back: '/admin/comments' });
      assert.equal(res.status, 422);
      assert.match(await res.text(), /They gave no website/);
      assert.equal((await owner.form('/admin/people/999999/look-again', {})).status, 404);
    });

    it('reads a profile again once it is seven days old, when the person\'s page is opened (queued once)', async () => {
      const ada = (await k.deps.store.people.findByEmail('ada@example.com'))!;
      const count = async () => (await whoIsJobs()).filter((j) => j.payload.website === `${REMOTE}/ada`).length;
      const before = await count();
      now += REFRESH_MS;
      assert.match(await page(owner, `/admin/people/${ada.id}`), /\(being read again\)/);
      await page(owner, `/admin/people/${ada.id}`);
      assert.equal(await count(), before + 1);
      await k.jobs.tick();
      assert.doesNotMatch(await page(owner, `/admin/people/${ada.id}`), /being read again/);
    });

    it('escapes a hostile h-card and shows its photo only when the site allows images from other sites', async () => {
      sites.set('/eve', {
        status: 200,
        body: `<!doctype html><div class="h-card"><a class="u-url u-uid" href="/eve"><span class="p-name">Eve &lt;img src=x onerror=alert(1)&gt;<script>alert(2)</script></span></a><img class="u-photo" src="http://photos.example/eve.jpg" alt=""><a rel="me" href="https://x.example/&quot;&gt;&lt;script&gt;">me</a></div>`,
      });
      const eve = await comment('Eve', 'eve@example.com', 'Hello.', `${REMOTE}/eve`);
      await k.jobs.tick();
      let card = row(await page(owner, '/admin/comments'), eve.id);
      assert.match(card, /<p class="who-name">Eve &lt;img src=x onerror=alert\(1\)&gt;<\/p>/);
      assert.doesNotMatch(card, /<script>|<img src=x/);
      assert.doesNotMatch(card, /photos\.example/, 'no remote image by default');
      assert.match(card, /<span class="avatar avatar-\d" aria-hidden="true">ES<\/span>/, 'initials from the words, not the markup');

      const settings = await page(owner, '/admin/settings');
      assert.match(settings, /<input type="checkbox" id="f-loadRemoteImages" name="loadRemoteImages" value="1" aria-describedby/, 'off by default');
      const res = await owner.form('/admin/settings', { title: 'Kumbaya', description: '', navigation: 'Home | /', customCss: '', postsPerPage: '10', feedItems: '20', loadRemoteImages: '1' });
      assert.equal(res.status, 303);
      assert.match(await page(owner, '/admin/settings'), /name="loadRemoteImages" value="1" checked/);
      card = row(await page(owner, '/admin/comments'), eve.id);
      assert.match(card, /<img class="who-photo" src="https:\/\/photos\.example\/eve\.jpg" alt="" width="48" height="48" referrerpolicy="no-referrer" loading="lazy">/, 'asked for over https');
      await owner.form('/admin/settings', { title: 'Kumbaya', description: '', navigation: 'Home | /', customCss: '', postsPerPage: '10', feedItems: '20' });
      assert.equal((await k.deps.site()).loadRemoteImages, false, 'unticked is off again');
    });

    it('is for staff who may open People: an author moderating their own post sees no card', async () => {
      const author = await k.signIn('author');
      const created = await k.deps.posts.create(author.user as User, { title: 'My own', slug: 'my-own', markdown: 'Mine.' });
      const own = (await k.deps.posts.publish(author.user as User, created.id)).post;
      const held = await comment('Fay', 'fay@example.com', 'On your post.', `${REMOTE}/ada`, own);
      const inbox = await page(author, '/admin/comments');
      assert.match(row(inbox, held.id), /On your post\./);
      assert.doesNotMatch(inbox, /Who is this\?/);
      const moderator = await k.signIn('moderator');
      assert.match(row(await page(moderator, '/admin/comments'), held.id), /Who is this\?/);
    });

    it('shows why an approved comment was held as history, not as a live reason', async () => {
      const bea = await k.deps.store.people.upsertByEmail({ name: 'Bea', email: 'bea@example.com', website: null }, now);
      const held = await k.deps.store.comments.create({
        postId: post.id, parentId: null, personId: bea.id, userId: null, authorName: 'Bea', authorEmail: 'bea@example.com', authorUrl: null,
        markdown: 'A first word from Bea.', html: '<p>A first word from Bea.</p>', status: 'pending', createdAt: now,
        ip: '198.51.100.99', userAgent: 'test', spamScore: 0.1, moderationReasons: ['first comment from this person'],
      });
      assert.match(row(await page(owner, '/admin/comments'), held.id), /Held for review:<\/span> first comment from this person</);
      const res = await owner.form('/admin/comments/moderate', { action: 'approve', ids: String(held.id), back: '/admin/comments' });
      assert.equal(res.status, 303);
      const card = row(await page(owner, '/admin/comments?status=approved'), held.id);
      assert.match(card, /<span class="mod-why-label">Held when it arrived, approved since:<\/span> first comment from this person/);
      // Nowhere on the row (nor in a "who is this?" card) as a reason that still holds.
      assert.doesNotMatch(card, /<li>first comment from this person<\/li>/);
      assert.doesNotMatch(card, /Held for review/);
    });
  });
}
