import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SubmitContext } from '../../../core/comment-service.ts';
import type { Comment, Post, User } from '../../../core/store.ts';
import { Agent, startTestKumbaya, testEngines, type TestKumbaya } from '../../../../test/helpers/test-kumbaya.ts';

for (const { engine, skip } of testEngines()) {
  describe(`Admin → People (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let owner: Agent;
    let post: Post;
    before(async () => {
      k = await startTestKumbaya({ engine });
      owner = await k.signIn('owner');
      const created = await k.deps.posts.create(owner.user as User, { title: 'Porch evenings', slug: 'porch-evenings', markdown: 'About porches.' });
      post = (await k.deps.posts.publish(owner.user as User, created.id)).post;
    });
    after(() => k.cleanup());

    let readers = 0;
    /** A comment through the real comment service, as the form sends it. */
    async function comment(name: string, email: string, body: string, website = ''): Promise<Comment> {
      readers++;
      const ctx: SubmitContext = { ip: `198.51.100.${readers}`, userAgent: 'test', referrer: '', user: null };
      const formToken = k.deps.spam.issueFormToken(post.id, k.deps.clock.now() - 60_000);
      return (await k.deps.comments.submit({ postId: post.id, name, email, website, body, formToken }, ctx, `http://localhost:3000/${post.slug}`)).comment;
    }

    const page = async (agent: Agent, path: string, status = 200) => {
      const res = await agent.request(path);
      assert.equal(res.status, status, path);
      return res.text();
    };

    it('lists people with their identities and whether they wait for you; finds them by name, email or website', async () => {
      const first = await comment('Grace Hopper', 'grace@example.com', 'Compilers!', 'https://grace.example/');
      await k.deps.comments.moderate([first.id], 'approve');
      await comment('Alan', 'alan@example.com', 'Hello.');
      const list = await page(owner, '/admin/people');
      assert.match(list, /<a href="\/admin\/people">People<\/a>|aria-current="page">People/, 'People is in the admin navigation');
      const grace = (await k.deps.store.people.findByEmail('grace@example.com'))!;
      const row = list.slice(list.indexOf(`/admin/people/${grace.id}"`), list.indexOf('</tr>', list.indexOf(`/admin/people/${grace.id}"`)));
      assert.match(row, /Grace Hopper/);
      assert.match(row, /grace@example\.com/);
      assert.match(row, /https:\/\/grace\.example/);
      assert.match(row, /Waiting/);
      assert.match(await page(owner, '/admin/people?q=HOPPER'), /Grace Hopper/);
      assert.doesNotMatch(await page(owner, '/admin/people?q=grace.example'), /Alan/);
      assert.match(await page(owner, '/admin/people?q=alan%40'), /Alan/);
    });

    it('merges after a preview of what moves, shows "merged from … — Undo (until …)", undoes it, and refuses bad merges with nothing changed', async () => {
      await comment('Merge Mail', 'merge.mail@example.com', 'From my address.');
      await comment('Merge Site', 'merge.site@example.org', 'From my site.', 'https://merge-site.example/');
      const mail = (await k.deps.store.people.findByEmail('merge.mail@example.com'))!;
      const site = (await k.deps.store.people.findByEmail('merge.site@example.org'))!;
      const base = `/admin/people/${mail.id}`;

      assert.match(await page(owner, base), /href="\/admin\/people\/\d+\/merge">Merge with…<\/a>/);
      const found = await page(owner, `${base}/merge?q=merge-site`);
      assert.match(found, new RegExp(`name="with" value="${site.id}"`));
      assert.doesNotMatch(found, new RegExp(`name="with" value="${mail.id}"`), 'a person is not offered to merge with themself');

      const preview = await page(owner, `${base}/merge?with=${site.id}`);
      assert.match(preview, /<strong>2<\/strong> identities/);
      assert.match(preview, /<strong>1<\/strong> comment</);
      assert.match(preview, /<th scope="row">Website<\/th><td>https:\/\/merge-site\.example\/<\/td><td>from Merge Site<\/td>/);
      assert.match(preview, /<th scope="row">Email<\/th><td>merge\.mail@example\.com<\/td><td>kept<\/td>/);
      assert.notEqual(await k.deps.store.people.findById(site.id), null, 'the preview changes nothing');

      // Bad input: with themself (422), nobody (422), someone unknown (404), without the CSRF token (403): nothing changes.
      let res = await owner.form(`${base}/merge`, { with: String(mail.id) });
      assert.equal(res.status, 422);
      assert.match(await res.text(), /A person cannot be merged with themself\./);
      assert.equal((await owner.form(`${base}/merge`, { with: 'x' })).status, 422);
      assert.equal((await owner.form(`${base}/merge`, { with: `${site.id},999999` })).status, 404);
      assert.equal((await owner.request(`${base}/merge`, { method: 'POST', body: new URLSearchParams({ with: String(site.id) }), headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status, 403);
      assert.notEqual(await k.deps.store.people.findById(site.id), null);

      res = await owner.form(`${base}/merge`, { with: String(site.id) });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), `${base}?notice=merged`);
      const merged = await page(owner, `${base}?notice=merged`);
      assert.match(merged, /Merged: everything of theirs is on this page now/);
      assert.match(merged, /Merged from Merge Site on .*Undo.*\(until <time/s);
      assert.match(merged, /From my address\./);
      assert.match(merged, /From my site\./);
      assert.match(merged, /merged Merge Site into this person/);
      assert.equal(await k.deps.store.people.findById(site.id), null);
      const [merge] = await k.deps.store.people.merges(mail.id, k.deps.clock.now());

      res = await owner.form(`${base}/merges/${merge.eventId}/undo`, {});
      assert.equal(res.status, 303);
      assert.match(await page(owner, `/admin/people/${site.id}`), /From my site\./);
      assert.doesNotMatch(await page(owner, base), /From my site\./);
      res = await owner.form(`${base}/merges/${merge.eventId}/undo`, {});
      assert.equal(res.status, 409, 'a merge is undone once');
    });

    it('lists possible duplicates, each with why, and suggests them on the person page', async () => {
      await comment('Dup One', 'dup.one@example.com', 'One.', 'https://dup.example/');
      await comment('Dup Two', 'dup.two@example.net', 'Two.', 'https://dup.example');
      const one = (await k.deps.store.people.findByEmail('dup.one@example.com'))!;
      const two = (await k.deps.store.people.findByEmail('dup.two@example.net'))!;
      const list = await page(owner, '/admin/people/duplicates');
      assert.match(list, /Dup One.*Dup Two.*both gave the website https:\/\/dup\.example/s);
      assert.match(list, new RegExp(`/admin/people/${one.id}/merge\\?with=${two.id}`));
      assert.match(await page(owner, `/admin/people/${two.id}`), /Dup One<\/a>: both gave the website https:\/\/dup\.example\./);
    });

    it('refuses People to authors, who see only their own posts\' conversations', async () => {
      const author = await k.signIn('author');
      await page(author, '/admin/people', 403);
    });

    it('keeps notes and labels, refusing a note over 20,000 characters and a label with markup (422, nothing saved)', async () => {
      await comment('Noted', 'noted@example.com', 'Hi there.');
      const person = (await k.deps.store.people.findByEmail('noted@example.com'))!;
      const base = `/admin/people/${person.id}`;
      let res = await owner.form(`${base}/notes`, { body: 'Met at the **North Georgia Tweetup**; wraps cars.' });
      assert.equal(res.status, 303);
      const shown = await page(owner, base);
      assert.match(shown, /<strong>North Georgia Tweetup<\/strong>/);

      res = await owner.form(`${base}/notes`, { body: 'x'.repeat(20_001) });
      assert.equal(res.status, 422);
      assert.match(await res.text(), /Keep a note under 20,000 characters \(this one has 20,001\)/);
      assert.equal((await k.deps.store.people.notes(person.id)).length, 1);

      const [note] = await k.deps.store.people.notes(person.id);
      res = await owner.form(`${base}/notes/${note.id}`, { body: 'y'.repeat(20_001) });
      assert.equal(res.status, 422);
      res = await owner.form(`${base}/notes/${note.id}`, { body: 'Met at the tweetup.' });
      assert.equal(res.status, 303);
      assert.equal((await k.deps.store.people.findNote(note.id))!.markdown, 'Met at the tweetup.');

      res = await owner.form(`${base}/labels`, { name: '<b>friend</b>' });
      assert.equal(res.status, 422);
      assert.match(await res.text(), /Labels are plain words: leave out &lt; and &gt;\./);
      assert.deepEqual(await k.deps.store.people.labels(), []);
      res = await owner.form(`${base}/labels`, { name: '  tweetup  ' });
      assert.equal(res.status, 303);
      const [label] = await k.deps.store.people.labelsOf(person.id);
      assert.equal(label.name, 'tweetup');
      assert.match(await page(owner, `/admin/people?label=${label.id}`), /Noted/);
      res = await owner.form(`${base}/labels/${label.id}/delete`, {});
      assert.equal(res.status, 303);
      assert.deepEqual(await k.deps.store.people.labelsOf(person.id), []);

      res = await owner.form(`${base}/notes/${note.id}/delete`, {});
      assert.equal(res.status, 303);
      assert.deepEqual(await k.deps.store.people.notes(person.id), []);
    });

    it('holds every later comment of a person set to "always hold", with that reason, from the real comment form', async () => {
      const first = await comment('Held Person', 'held@example.com', 'First.');
      await k.deps.comments.moderate([first.id], 'approve');
      const known = await comment('Held Person', 'held@example.com', 'Second, published at once.');
      assert.equal(known.status, 'approved', 'a known person is published at once');
      const person = (await k.deps.store.people.findByEmail('held@example.com'))!;
      const res = await owner.form(`/admin/people/${person.id}/trust`, { trust: 'hold', reason: '' });
      assert.equal(res.status, 303);
      const third = await comment('Held Person', 'HELD@example.com', 'Third.');
      assert.equal(third.status, 'pending');
      assert.deepEqual(third.moderationReasons, ["you asked to hold this person's comments"]);
      const inbox = await page(owner, '/admin/comments');
      assert.match(inbox, /you asked to hold this person(’|'|&#39;)s comments/);
    });

    it('mutes until a day with a reason, refusing a day in the past; blocked keeps the comment, held as "blocked"', async () => {
      await comment('Loud', 'loud@example.com', 'One.');
      const person = (await k.deps.store.people.findByEmail('loud@example.com'))!;
      let res = await owner.form(`/admin/people/${person.id}/trust`, { trust: 'muted', until: '2001-01-01', reason: 'cooling off' });
      assert.equal(res.status, 422);
      assert.match(await res.text(), /Choose a day in the future/);
      assert.equal((await k.deps.store.people.trust(person.id)).trust, 'normal', 'nothing changed');
      const until = new Date(k.deps.clock.now() + 3 * 86_400_000).toISOString().slice(0, 10);
      res = await owner.form(`/admin/people/${person.id}/trust`, { trust: 'muted', until, reason: 'cooling off' });
      assert.equal(res.status, 303);
      const muted = await comment('Loud', 'loud@example.com', 'Two.');
      assert.deepEqual(muted.moderationReasons, [`muted until ${until}: cooling off`, 'first comment from this person'], 'every reason is recorded, the mute first');
      res = await owner.form(`/admin/people/${person.id}/trust`, { trust: 'blocked', reason: '' });
      const blocked = await comment('Loud', 'loud@example.com', 'Three.');
      assert.equal(blocked.status, 'pending');
      assert.deepEqual(blocked.moderationReasons.slice(0, 1), ['blocked']);
      assert.ok(await k.deps.store.comments.findById(blocked.id), 'kept');
    });

    it('shows one timeline (their comments, your replies, notes, changes), filterable by kind, with a reply box answering their latest comment', async () => {
      const theirs = await comment('Timeline', 'timeline@example.com', 'What do you think?');
      const person = (await k.deps.store.people.findByEmail('timeline@example.com'))!;
      const base = `/admin/people/${person.id}`;
      const shown = await page(owner, base);
      assert.match(shown, new RegExp(`action="/admin/comments/${theirs.id}/reply"`));
      assert.match(shown, new RegExp(`name="back" value="${base}"`));
      const res = await owner.form(`/admin/comments/${theirs.id}/reply`, { back: base, body: 'I think yes.' });
      assert.equal(res.status, 303);
      assert.match(res.headers.get('location') ?? '', new RegExp(`^${base}\\?done=reply&reply=\\d+$`), 'back on the person page');
      await owner.form(`${base}/notes`, { body: 'Asks good questions.' });
      const all = await page(owner, base);
      assert.match(all, /What do you think\?/);
      assert.match(all, /I think yes\./);
      assert.match(all, /Asks good questions\./);
      const timelineOf = (html: string) => html.slice(html.indexOf('<ol class="timeline">'), html.indexOf('</ol>', html.indexOf('<ol class="timeline">')));
      const onlyReplies = timelineOf(await page(owner, `${base}?kind=reply`));
      assert.match(onlyReplies, /I think yes\./);
      assert.doesNotMatch(onlyReplies, /What do you think\?/);
      assert.match(await page(owner, '/admin/people'), new RegExp(`href="${base}"[^]*?You replied`));
    });

    it('shows a note badge beside the person\'s comments in the inbox and on the post page for staff only, never for readers or in feeds', async () => {
      const held = await comment('Badge Person', 'badge@example.com', 'Held words.');
      const shown = await comment('Other Name', 'badge2@example.com', 'Published words.');
      await k.deps.comments.moderate([shown.id], 'approve');
      const person = (await k.deps.store.people.findByEmail('badge@example.com'))!;
      const other = (await k.deps.store.people.findByEmail('badge2@example.com'))!;
      const badge = (id: number) => new RegExp(`class="note-badge" href="/admin/people/${id}"`);
      // A reader fills the page cache before any note exists, and again after.
      assert.doesNotMatch(await page(new Agent(k.app), `/${post.slug}`), /note-badge/);
      await owner.form(`/admin/people/${person.id}/notes`, { body: 'Wraps cars.' });
      await owner.form(`/admin/people/${other.id}/notes`, { body: 'Met at the tweetup.' });
      const inbox = await page(owner, '/admin/comments');
      const row = inbox.slice(inbox.indexOf(`id="comment-row-${held.id}"`), inbox.indexOf('</h2>', inbox.indexOf(`id="comment-row-${held.id}"`)));
      assert.match(row, badge(person.id));
      assert.match(await page(owner, `/${post.slug}`), badge(other.id), 'staff see it on the post page');
      assert.match(await page(owner, '/admin/waiting'), badge(other.id), 'and in "Waiting for you"');
      const reader = new Agent(k.app);
      for (let i = 0; i < 2; i++) assert.doesNotMatch(await page(reader, `/${post.slug}`), /note-badge|Met at the tweetup/, 'readers never do (cached or not)');
      assert.doesNotMatch(await page(owner, `/${post.slug}/comments/feed.xml`), /note-badge|tweetup/, 'nor any feed, even fetched by staff');
      const moderator = await k.signIn('moderator');
      assert.match(await page(moderator, '/admin/comments'), badge(person.id));
      const author = await k.signIn('author');
      assert.doesNotMatch(await page(author, `/${post.slug}`), /note-badge/, 'an author cannot open People, so sees no badge');
    });

    it('puts each moderation decision on the person\'s timeline, with who made it', async () => {
      const held = await comment('Decided', 'decided@example.com', 'Please approve me.');
      const person = (await k.deps.store.people.findByEmail('decided@example.com'))!;
      const res = await owner.form('/admin/comments/moderate', { ids: String(held.id), action: 'approve', back: '/admin/comments' });
      assert.equal(res.status, 303);
      const changes = await page(owner, `/admin/people/${person.id}?kind=event`);
      assert.match(changes, new RegExp(`${owner.user!.name} moved a comment to Published`));
    });

    it('answers 404 for a person who does not exist and ignores a forged cursor', async () => {
      await page(owner, '/admin/people/999999', 404);
      await page(owner, '/admin/people/abc', 404);
      await page(owner, '/admin/people?after=zzz');
      const someone = (await k.deps.store.people.findByEmail('timeline@example.com'))!;
      await page(owner, `/admin/people/${someone.id}?before=1.nope.2&kind=bogus`);
    });
  });
}
