import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SubmitContext } from '../../../core/comment-service.ts';
import type { Comment, Post, User } from '../../../core/store.ts';
import { TestSmtpServer, decodeQuotedPrintable } from '../../../../test/helpers/smtp-test-server.ts';
import { eventually } from '../../../../test/helpers/eventually.ts';
import { Agent, startTestKumbaya, testEngines, type TestKumbaya } from '../../../../test/helpers/test-kumbaya.ts';

const DAY = 86_400_000;

for (const { engine, skip } of testEngines()) {
  describe(`Admin: comment → post idea, a person's data, forgetting them (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let smtp: TestSmtpServer;
    let now = Date.UTC(2026, 2, 1, 9);
    let owner: Agent;
    let author: Agent;
    let moderator: Agent;
    let post: Post;
    let authorsPost: Post;
    before(async () => {
      smtp = await TestSmtpServer.start();
      k = await startTestKumbaya({ engine, clock: { now: () => now }, env: { SMTP_URL: smtp.url } });
      owner = await k.signIn('owner');
      author = await k.signIn('author');
      moderator = await k.signIn('moderator');
      const created = await k.deps.posts.create(owner.user as User, { title: 'Porch evenings', slug: 'porch-evenings', markdown: 'About porches.' });
      post = (await k.deps.posts.publish(owner.user as User, created.id)).post;
      const theirs = await k.deps.posts.create(author.user as User, { title: 'Author’s garden', slug: 'authors-garden', markdown: 'Roses.' });
      authorsPost = (await k.deps.posts.publish(author.user as User, theirs.id)).post;
    });
    after(async () => {
      await k.cleanup();
      await smtp.stop();
    });

    let readers = 0;
    /** A comment through the real comment service, as the form sends it. */
    async function comment(name: string, email: string, body: string, on: Post = post): Promise<Comment> {
      readers++;
      const ctx: SubmitContext = { ip: `198.51.100.${readers}`, userAgent: 'test', referrer: '', user: null };
      const formToken = k.deps.spam.issueFormToken(on.id, now - 60_000);
      const made = (await k.deps.comments.submit({ postId: on.id, name, email, website: '', body, formToken }, ctx, `http://localhost:3000/${on.slug}`)).comment;
      if (made.status !== 'approved') await k.deps.comments.moderate([made.id], 'approve');
      return (await k.deps.store.comments.findById(made.id))!;
    }

    const text = async (res: Response, status = 200) => {
      assert.equal(res.status, status, res.url);
      return res.text();
    };
    const makeIdea = (agent: Agent, id: number) => agent.form(`/admin/comments/${id}/post-idea`, {});
    const draftIdOf = (res: Response) => Number(/\/admin\/posts\/(\d+)\?notice=post-idea$/.exec(res.headers.get('location') ?? '')?.[1]);

    it('turns a comment into a draft that quotes it, with their name and its permalink, linked to them, shown in the editor', async () => {
      const grace = await comment('Grace <Hopper>', 'grace@example.com', 'A ship in port is safe,\nbut that is not what ships are for.\n\n<script>x()</script> and `a<b`');
      const inbox = await text(await owner.request('/admin/comments?status=approved'));
      assert.match(inbox, new RegExp(`action="/admin/comments/${grace.id}/post-idea"[^]*?Make a post of this`));

      const res = await makeIdea(owner, grace.id);
      assert.equal(res.status, 303);
      const draft = (await k.deps.store.posts.findById(draftIdOf(res)))!;
      assert.equal(draft.status, 'draft');
      assert.equal(draft.authorId, owner.user!.id);
      assert.equal(draft.title, 'After Grace <Hopper>’s comment on “Porch evenings”');
      assert.match(draft.markdown, /^> A ship in port is safe, {2}\n> but that is not what ships are for\.\n>\n> \\<script>x\(\)\\<\/script> and `a<b`\n>\n> — Grace \\<Hopper\\>, \[in a comment on “Porch evenings”\]\(http:\/\/localhost:3000\/comments\/\d+\)/);
      assert.match(draft.html, /<blockquote>/);
      assert.doesNotMatch(draft.html, /<script/, 'the commenter’s markup stays text');
      assert.match(draft.html, /&lt;script&gt;x\(\)&lt;\/script&gt;/);
      assert.match(draft.html, new RegExp(`<a href="http://localhost:3000/comments/${grace.id}">in a comment on “Porch evenings”</a>`));
      const source = (await k.deps.store.postSources.find(draft.id))!;
      assert.deepEqual([source.commentId, source.personId], [grace.id, grace.personId]);

      const editor = await text(await owner.request(`/admin/posts/${draft.id}?notice=post-idea`));
      assert.match(editor, /A draft made from the comment/);
      assert.match(editor, new RegExp(`From a comment by <a href="/admin/people/${grace.personId}">Grace &lt;Hopper&gt;</a> on <a href="/porch-evenings">Porch evenings</a> · <a href="/comments/${grace.id}">See the comment</a>`));
      assert.match(editor, /<input type="hidden" name="tellShown" value="1">/);
      assert.match(editor, /name="tellThem" value="yes" aria-describedby="tell-them-hint"> Tell Grace &lt;Hopper&gt; by email when this is published/);

      const person = await text(await owner.request(`/admin/people/${grace.personId}`));
      assert.match(person, new RegExp(`action="/admin/comments/${grace.id}/post-idea"`), 'the person page offers it on their comments');
    });

    it('lets only those who write posts make one, of comments they look after, and not of spam; nothing is written when refused', async () => {
      const ann = await comment('Ann', 'ann@example.com', 'On the owner’s post.');
      const onAuthors = await comment('Ben', 'ben@example.com', 'On the author’s post.', authorsPost);
      const posts = async () => (await k.deps.store.posts.listAdmin({ limit: 100, offset: 0 })).total;
      const count = await posts();
      assert.doesNotMatch(await text(await moderator.request('/admin/comments?status=approved')), /Make a post of this/);
      assert.match(await text(await makeIdea(moderator, ann.id), 403), /turning a comment into a post is for the owner and authors/);
      assert.match(await text(await makeIdea(author, ann.id), 403), /Only comments on your own posts/);
      const spam = await comment('Cal', 'cal@example.com', 'Buy now.');
      await k.deps.comments.moderate([spam.id], 'spam');
      assert.match(await text(await makeIdea(owner, spam.id), 409), /restore it before making a post of it/);
      await text(await makeIdea(owner, 999_999), 404);
      const noToken = await owner.request(`/admin/comments/${ann.id}/post-idea`, { method: 'POST', body: new URLSearchParams(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(noToken.status, 403);
      assert.equal(await posts(), count, 'no draft was written');
      const mine = await makeIdea(author, onAuthors.id);
      assert.equal(mine.status, 303, 'an author, of a comment on their own post');
      assert.equal((await k.deps.store.posts.findById(draftIdOf(mine)))!.authorId, author.user!.id);
    });

    it('tells the commenter by email when the post is published with “tell them” — once, through the outbox, to the SMTP server', async () => {
      const dora = await comment('Dora', 'dora@example.com', 'Porches are for talking.');
      const draftId = draftIdOf(await makeIdea(owner, dora.id));
      const editorForm = (extra: Record<string, string>) => ({ title: 'Porches are for talking', markdown: 'Dora said it.', slug: '', excerpt: '', tags: '', visibility: 'public', publishedAt: '', commentsMode: 'inherit', commentsCloseDays: '', ...extra });

      // Saved as a draft with the box ticked: nothing is sent yet, the wish is kept.
      await text(await owner.form(`/admin/posts/${draftId}`, editorForm({ action: 'save', tellShown: '1', tellThem: 'yes' })), 303);
      assert.notEqual((await k.deps.store.postSources.find(draftId))!.tellRequestedAt, null);
      assert.equal((await k.deps.store.outbox.list({ limit: 100, offset: 0 })).items.filter((m) => m.kind === 'post-idea').length, 0);
      assert.match(await text(await owner.request(`/admin/posts/${draftId}`)), /name="tellThem" value="yes" checked/);

      const published = await owner.form(`/admin/posts/${draftId}`, editorForm({ action: 'publish', tellShown: '1', tellThem: 'yes' }));
      assert.equal(published.headers.get('location'), `/admin/posts/${draftId}?notice=told`);
      await k.outbox.tick();
      const mail = await smtp.waitFor('dora@example.com', /Your comment on “Porch evenings” became a post/);
      const body = decodeQuotedPrintable(mail.raw);
      assert.match(body, /turned your comment on “Porch evenings” into a new post/);
      assert.match(body, /http:\/\/localhost:3000\/porches-are-for-talking/);
      assert.match(body, /> Porches are for talking\./);
      assert.match(await text(await owner.request(`/admin/posts/${draftId}`)), /Dora was told by email on/);

      // Saving or publishing again never tells twice.
      await text(await owner.form(`/admin/posts/${draftId}`, editorForm({ action: 'save', tellShown: '1', tellThem: 'yes' })), 303);
      await k.outbox.tick();
      assert.equal(smtp.received.filter((m) => m.to.includes('dora@example.com')).length, 1);
    });

    it('tells them when a scheduled post goes live, and not at all when unticked', async () => {
      const eve = await comment('Eve', 'eve@example.com', 'Schedule me.');
      const fay = await comment('Fay', 'fay@example.com', 'Do not tell me.');
      const scheduled = draftIdOf(await makeIdea(owner, eve.id));
      const quiet = draftIdOf(await makeIdea(owner, fay.id));
      const when = new Date(now + DAY).toISOString().slice(0, 16);
      const form = (extra: Record<string, string>) => ({ title: 'Later', markdown: 'Soon.', slug: '', excerpt: '', tags: '', visibility: 'public', commentsMode: 'inherit', commentsCloseDays: '', publishedAt: '', ...extra });
      assert.equal((await owner.form(`/admin/posts/${scheduled}`, form({ action: 'publish', publishedAt: when, tellShown: '1', tellThem: 'yes' }))).headers.get('location'), `/admin/posts/${scheduled}?notice=scheduled`);
      await text(await owner.form(`/admin/posts/${quiet}`, form({ title: 'Quiet', action: 'publish', tellShown: '1' })), 303);
      const ideaMails = async () => (await k.deps.store.outbox.list({ limit: 100, offset: 0 })).items.filter((m) => m.kind === 'post-idea').map((m) => m.to).sort();
      assert.deepEqual(await ideaMails(), ['dora@example.com']);
      now += DAY + 60_000;
      await k.deps.posts.publishDue();
      assert.deepEqual(await ideaMails(), ['dora@example.com', 'eve@example.com']);
    });

    it('says so, and sends nothing, when the commenter gave no address', async () => {
      const person = await k.deps.store.people.createWithoutEmail({ name: 'Webmention Wes', website: 'https://wes.example' }, now);
      const wes = await k.deps.store.comments.create({ postId: post.id, parentId: null, personId: person.id, userId: null, authorName: 'Webmention Wes', authorEmail: '', authorUrl: 'https://wes.example', markdown: 'From my site.', html: '<p>From my site.</p>', status: 'approved', createdAt: now, source: 'webmention' });
      const draftId = draftIdOf(await makeIdea(owner, wes.id));
      const editor = await text(await owner.request(`/admin/posts/${draftId}`));
      assert.match(editor, /<input type="checkbox" name="tellThem" value="yes" disabled aria-describedby="tell-them-hint"> Tell Webmention Wes by email when this is published/);
      assert.match(editor, /Not possible: Webmention Wes gave no email address\./);
      await text(await owner.form(`/admin/posts/${draftId}`, { title: 'Wes', markdown: 'x', slug: '', excerpt: '', tags: '', visibility: 'public', publishedAt: '', commentsMode: 'inherit', commentsCloseDays: '', action: 'publish', tellShown: '1', tellThem: 'yes' }), 303);
      assert.equal((await k.deps.store.postSources.find(draftId))!.toldAt, null);
    });

    it('downloads everything about one person as JSON, for the owner and moderators only', async () => {
      const hal = await comment('Hal', 'hal@example.com', 'Export me.');
      await k.deps.store.people.addNote({ personId: hal.personId!, markdown: 'Likes porches.', html: '<p>Likes porches.</p>', authorId: owner.user!.id, createdAt: now });
      const page = await text(await owner.request(`/admin/people/${hal.personId}`));
      assert.match(page, new RegExp(`href="/admin/people/${hal.personId}/export" download>Download their data \\(JSON\\)`));
      assert.match(page, new RegExp(`href="/admin/people/${hal.personId}/forget">Forget this person…`));
      const res = await moderator.request(`/admin/people/${hal.personId}/export`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.equal(res.headers.get('content-disposition'), `attachment; filename="person-${hal.personId}-${new Date(now).toISOString().slice(0, 10)}.json"`);
      assert.equal(res.headers.get('cache-control'), 'private, no-store');
      const doc = await res.json();
      assert.equal(doc.format, 'kumbaya-person');
      assert.equal(doc.person.name, 'Hal');
      assert.deepEqual(doc.identities.map((i: any) => i.value), ['hal@example.com']);
      assert.deepEqual(doc.comments.map((c: any) => [c.text, c.status, c.post_title]), [['Export me.', 'approved', 'Porch evenings']]);
      assert.deepEqual(doc.notes.map((n: any) => n.text), ['Likes porches.']);
      assert.equal(JSON.stringify(doc).includes('edit_token'), false, 'no secrets');
      await text(await author.request(`/admin/people/${hal.personId}/export`), 403);
      await text(await owner.request('/admin/people/999999/export'), 404);
    });

    it('forgets a person after a confirmation: their comments read “Someone”, an audit line says how much, without their name', async () => {
      const ida = await comment('Ida Forgettable', 'ida@example.com', 'Remember this porch.');
      const personId = ida.personId!;
      assert.match(await text(await k.request('/porch-evenings')), /Ida Forgettable/);

      const confirm = await text(await owner.request(`/admin/people/${personId}/forget`));
      assert.match(confirm, /<h1>Forget Ida Forgettable\?<\/h1>/);
      assert.match(confirm, /<strong>1<\/strong> identity/);
      assert.match(confirm, /<legend>Their 1 comment<\/legend>/);
      assert.match(confirm, /name="comments" value="anonymise"/);
      assert.match(confirm, /name="comments" value="trash"/);

      // No choice, no token: refused, nothing changes.
      assert.match(await text(await owner.form(`/admin/people/${personId}/forget`, {}), 422), /Choose what happens to their comments/);
      const noToken = await owner.request(`/admin/people/${personId}/forget`, { method: 'POST', body: new URLSearchParams({ comments: 'anonymise' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(noToken.status, 403);
      assert.equal(await author.form(`/admin/people/${personId}/forget`, { comments: 'anonymise' }).then((r) => r.status), 403);
      assert.notEqual(await k.deps.store.people.findById(personId), null);

      // The held-comment mail to the owner quoted her; once sent, forgetting her redacts it.
      const heldSent = async () => (await k.deps.store.outbox.list({ status: 'sent', limit: 500, offset: 0 })).items.some((m) => m.idempotencyKey.startsWith(`held:${ida.id}:`));
      assert.ok(await eventually(async () => (await k.outbox.tick(), await heldSent())));
      const res = await owner.form(`/admin/people/${personId}/forget`, { comments: 'anonymise' });
      assert.equal(res.headers.get('location'), '/admin/people/forgotten?notice=forgotten');
      const log = await text(await owner.request('/admin/people/forgotten?notice=forgotten'));
      assert.match(log, new RegExp(`Person #${personId} forgotten by ${owner.user!.name}: 1 comment anonymised; 1 identity erased; 1 sent mail that quoted them redacted\\.`));
      assert.doesNotMatch(log, /Ida/);
      await text(await owner.request(`/admin/people/${personId}`), 404);
      const page = await text(await k.request('/porch-evenings'));
      assert.doesNotMatch(page, /Ida Forgettable/, 'the cached post page is rendered afresh');
      assert.match(page, /Remember this porch\./);
      assert.equal((await k.deps.store.comments.findById(ida.id))!.authorName, 'Someone');
    });

    it('refuses to forget a team member’s person (422), with nothing offered and nothing changed', async () => {
      const staffPerson = await k.deps.store.people.upsertByEmail({ name: 'Owner as reader', email: owner.user!.email, website: null }, now);
      const page = await owner.request(`/admin/people/${staffPerson.id}/forget`);
      const html = await text(page, 422);
      assert.match(html, /This person is on the team/);
      assert.doesNotMatch(html, /name="comments"/);
      assert.match(await text(await owner.form(`/admin/people/${staffPerson.id}/forget`, { comments: 'trash' }), 422), /A team member’s person cannot be forgotten/);
      assert.notEqual(await k.deps.store.people.findById(staffPerson.id), null);
    });
  });
}
