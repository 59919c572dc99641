import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, startTestKumbaya, testEngines, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';

const DEMO = '/you-cant-fail-in-social-media';
const MINUTE = 60_000;

/** Opens the post page as a reader and reads the form's hidden fields. */
async function openForm(agent: Agent, path = DEMO): Promise<{ postId: string; formToken: string; page: string }> {
  const page = await (await agent.request(path)).text();
  const postId = /name="postId" value="(\d+)"/.exec(page)?.[1];
  const formToken = /name="formToken" value="([^"]+)"/.exec(page)?.[1];
  assert.ok(postId && formToken, 'the post page carries the comment form');
  return { postId, formToken, page };
}

function send(agent: Agent, fields: Record<string, string>, json = false) {
  if (json) {
    return agent.request('/comments', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(fields),
    });
  }
  return agent.request('/comments', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });
}

for (const { engine, skip } of testEngines()) {
  describe(`commenting as a reader (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let now = Date.UTC(2026, 10, 1, 12);
    before(async () => {
      k = await startTestKumbaya({ demo: true, engine, clock: { now: () => now } });
    });
    after(() => k.cleanup());
    const later = (ms: number) => {
      now += ms;
    };

    it('holds a first comment: the reader sees it, nobody else does', async () => {
      const reader = new Agent(k.app);
      const { postId, formToken } = await openForm(reader);
      later(10_000);
      const res = await send(reader, { postId, formToken, name: 'Dana', email: 'Dana@Example.org', website: '', body: 'First time here. *Lovely* post!' });
      assert.equal(res.status, 303);
      const location = res.headers.get('location')!;
      assert.match(location, /^\/comments\/\d+\/pending$/);
      const pending = await (await reader.request(location)).text();
      assert.match(pending, /waiting for the author to approve it/);
      assert.match(pending, /<em>Lovely<\/em>/);

      // On the post page the reader sees it marked as held; a stranger does not see it.
      const own = await (await reader.request(DEMO)).text();
      assert.match(own, /Only you can see this comment/);
      const stranger = await (await k.request(DEMO)).text();
      assert.doesNotMatch(stranger, /First time here/);

      const stored = await k.deps.store.comments.findById(Number(location.split('/')[2]));
      assert.equal(stored?.status, 'pending');
      assert.deepEqual(stored?.moderationReasons, ['first comment from this person']);
      assert.equal(stored?.authorEmail, 'dana@example.org');
      // The staff are told, with moderation links: the mail is in the outbox with the comment.
      const users = await k.deps.store.users.list();
      const mail = (await k.deps.store.outbox.list({ limit: 50, offset: 0 })).items.filter((m) => m.idempotencyKey.startsWith(`held:${stored!.id}:`));
      assert.deepEqual(mail.map((m) => m.to).sort(), users.map((u) => u.email).sort());
      for (const m of mail) {
        assert.match(m.subject, /^Held for moderation: Dana on/);
        assert.match(m.text, /Why it was held: first comment from this person/);
        assert.match(m.text, /\/moderate\//);
      }
    });

    it('publishes a known person’s comment at once and lands on it', async () => {
      // Charity has an approved comment in the demo thread.
      const reader = new Agent(k.app);
      const { postId, formToken } = await openForm(reader);
      later(10_000);
      const res = await send(reader, { postId, formToken, name: 'Charity', email: 'charity@kumbaya.example', body: 'Coming back to say this still holds.' });
      assert.equal(res.status, 303);
      const location = res.headers.get('location')!;
      assert.match(location, /^\/you-cant-fail-in-social-media#comment-\d+$/);
      const page = await (await k.request(DEMO)).text();
      assert.match(page, /Coming back to say this still holds/);
      assert.match(page, /7 comments/);
    });

    it('flags every missing field of an empty submit at once, each marked and explained (no JS and JSON)', async () => {
      const reader = new Agent(k.app);
      const { postId, formToken } = await openForm(reader);
      later(10_000);
      const res = await send(reader, { postId, formToken, name: '', email: '', website: '', body: '' });
      assert.equal(res.status, 422);
      const page = await res.text();
      for (const [field, message] of [['name', 'Tell us your name.'], ['email', 'Enter your email address (it is never shown).'], ['body', 'Write something first.']]) {
        assert.match(page, new RegExp(`<(input|textarea) id="c-${field}"[^>]* aria-invalid="true" aria-describedby="[^"]*c-${field}-error"`), `${field} is marked`);
        assert.match(page, new RegExp(`<p class="field-error" id="c-${field}-error">${message.replace(/[().]/g, '\\$&')}</p>`), `${field} says why`);
      }
      assert.doesNotMatch(page, /id="c-website"[^>]* aria-invalid/, 'an empty optional website is fine');

      const json = await send(reader, { postId, formToken, name: '', email: '', website: '', body: '' }, true);
      assert.equal(json.status, 422);
      const { error } = (await json.json()) as { error: { fields: Record<string, string> } };
      assert.deepEqual(Object.keys(error.fields), ['name', 'email', 'body']);
    });

    it('says an invalid email address is invalid, not missing', async () => {
      const reader = new Agent(k.app);
      const { postId, formToken } = await openForm(reader);
      later(10_000);
      const res = await send(reader, { postId, formToken, name: 'Pat', email: 'pat-at-example', body: 'Hello there.' }, true);
      assert.equal(res.status, 422);
      const { error } = (await res.json()) as { error: { message: string; fields: Record<string, string> } };
      assert.deepEqual(Object.keys(error.fields), ['email']);
      assert.match(error.fields.email, /“pat-at-example” is not a valid email address/);
      assert.doesNotMatch(error.fields.email, /Enter your email/);
      // With other problems too, the address is still called invalid.
      const both = await send(reader, { postId, formToken, name: 'Pat', email: 'pat-at-example', body: '' }, true);
      const fields = ((await both.json()) as { error: { fields: Record<string, string> } }).error.fields;
      assert.match(fields.email, /is not a valid email address/);
      assert.equal(fields.body, 'Write something first.');
    });

    it('tells the reader at once that a confirmation email was sent, and to which address (no JS and JS)', async () => {
      const reader = new Agent(k.app);
      let { postId, formToken } = await openForm(reader);
      later(10_000);
      const res = await send(reader, { postId, formToken, name: 'Sam', email: 'Sam@Example.net', body: 'Please tell me when someone answers.', subscribeReplies: '1' });
      assert.equal(res.status, 303);
      const location = res.headers.get('location')!;
      assert.match(location, /^\/comments\/\d+\/pending\?confirmation=sent$/);
      const page = await (await reader.request(location)).text();
      assert.match(page, /We sent an email to sam@example\.net: open the link in it to confirm your address/);
      // Someone else opening the same address sees nothing of it.
      assert.equal((await k.request(location)).status, 404);

      ({ postId, formToken } = await openForm(reader));
      later(10_000);
      const json = await send(reader, { postId, formToken, name: 'Kim', email: 'kim@example.net', body: 'New comments, please.', subscribePost: true } as unknown as Record<string, string>, true);
      assert.equal(json.status, 201);
      const answer = (await json.json()) as { message: string; confirmationSentTo: string | null };
      assert.equal(answer.confirmationSentTo, 'kim@example.net');
      assert.match(answer.message, /We sent an email to kim@example\.net: open the link in it to confirm your address/);

      // Without a subscription, nothing is said about email.
      ({ postId, formToken } = await openForm(reader));
      later(10_000);
      const plain = (await (await send(reader, { postId, formToken, name: 'Lee', email: 'lee@example.net', body: 'Just a thought.' }, true)).json()) as { message: string; confirmationSentTo: string | null };
      assert.equal(plain.confirmationSentTo, null);
      assert.doesNotMatch(plain.message, /email/);
    });

    it('posts a reply with JavaScript and answers with the comment to insert', async () => {
      const reader = new Agent(k.app);
      const { postId, formToken, page } = await openForm(reader);
      const firstComment = /id="comment-(\d+)"/.exec(page)![1];
      later(10_000);
      const res = await send(reader, { postId, formToken, parentId: firstComment, name: 'Kathy', email: 'kathy@kumbaya.example', body: 'Replying <script>alert(1)</script> here' }, true);
      assert.equal(res.status, 201);
      const answer = (await res.json()) as { comment: { id: number; status: string; parentId: number }; html: string; editSecret: string };
      assert.equal(answer.comment.status, 'approved');
      assert.equal(answer.comment.parentId, Number(firstComment));
      assert.match(answer.html, /^<li>\s*<article class="comment/);
      assert.doesNotMatch(answer.html, /<script>/);
      assert.match(answer.html, /&lt;script&gt;/);
      assert.ok(answer.editSecret.length > 20);
      const thread = await (await k.request(DEMO)).text();
      const parentAt = thread.indexOf(`id="comment-${firstComment}"`);
      const replyAt = thread.indexOf(`id="comment-${answer.comment.id}"`);
      assert.ok(parentAt > 0 && replyAt > parentAt, 'the reply is in the thread after its parent');
      assert.match(thread.slice(parentAt, replyAt), /<ol class="replies">/);
    });

    it('keeps everything the reader wrote when the form has a mistake', async () => {
      const reader = new Agent(k.app);
      const { postId, formToken } = await openForm(reader);
      later(10_000);
      const res = await send(reader, { postId, formToken, name: 'Eve', email: 'not an email', website: 'ftp://x', body: 'My long thoughts…' });
      assert.equal(res.status, 422);
      const page = await res.text();
      assert.match(page, /Give the full address of your website/);
      assert.match(page, /My long thoughts…<\/textarea>/);
      assert.match(page, /value="Eve"/);
    });

    it('stores a honeypot comment as spam with the reason, and never shows it', async () => {
      const reader = new Agent(k.app);
      const { postId, formToken } = await openForm(reader);
      later(10_000);
      const res = await send(reader, { postId, formToken, name: 'Bot', email: 'bot@spam.example', honeypot: 'http://cheap.example', body: 'Buy now' }, true);
      assert.equal(res.status, 201);
      const { comment } = (await res.json()) as { comment: { id: number } };
      const stored = await k.deps.store.comments.findById(comment.id);
      assert.equal(stored?.status, 'spam');
      assert.ok(stored?.moderationReasons.includes('honeypot field was filled in'));
      assert.doesNotMatch(await (await k.request(DEMO)).text(), /Buy now/);
    });

    it('holds a comment sent faster than the minimum time, tells the reader so, and shows it in Pending', async () => {
      later(2 * MINUTE); // past the per-address limit earlier tests used up
      const reader = new Agent(k.app);
      const { postId, formToken } = await openForm(reader);
      later(1_000);
      const res = await send(reader, { postId, formToken, name: 'Quick Typist', email: 'quick@example.org', body: 'Pasted from my notes: great post.' });
      assert.equal(res.status, 303);
      const location = res.headers.get('location')!;
      assert.match(location, /^\/comments\/\d+\/pending$/);
      const told = await (await reader.request(location)).text();
      assert.match(told, /waiting for the author to approve it/);
      assert.doesNotMatch(told, /not published/);

      const id = Number(location.split('/')[2]);
      const stored = await k.deps.store.comments.findById(id);
      assert.equal(stored?.status, 'pending');
      assert.deepEqual(stored?.moderationReasons, ['submitted 1.0 s after the form was served (minimum 3 s)', 'first comment from this person']);
      const owner = await k.signIn('owner');
      const inbox = await (await owner.request('/admin/comments?status=pending')).text();
      assert.match(inbox, /Pasted from my notes/);
      assert.match(inbox, /submitted 1\.0 s after the form was served/);
    });

    it('tells a reader whose comment the spam checks set aside that it was not published, without saying why', async () => {
      later(2 * MINUTE); // past the per-address limit earlier tests used up
      const reader = new Agent(k.app);
      const { postId, formToken } = await openForm(reader);
      later(10_000);
      const json = await send(reader, { postId, formToken, name: 'Bot', email: 'bot2@spam.example', honeypot: 'x', body: 'Visit my shop' }, true);
      const answer = (await json.json()) as { comment: { id: number; status: string; url: string }; message: string; html: string };
      assert.equal(answer.comment.status, 'not-published');
      assert.match(answer.message, /was not published/);
      assert.doesNotMatch(answer.message, /waiting for the author to approve|honeypot/);
      assert.match(answer.html, /it was not published/);
      assert.equal((await k.deps.store.comments.findById(answer.comment.id))?.status, 'spam');

      const form = await send(reader, { postId, formToken, name: 'Bot', email: 'bot3@spam.example', honeypot: 'x', body: 'Visit my other shop' });
      const page = await (await reader.request(form.headers.get('location')!)).text();
      assert.match(page, /<title>Your comment was not published/);
      assert.match(page, /was not published: our automatic checks set it aside/);
      assert.doesNotMatch(page, /waiting for the author to approve it|honeypot/);
    });

    it('limits how fast one address can comment, with Retry-After', async () => {
      const reader = new Agent(k.app);
      const { postId, formToken } = await openForm(reader);
      later(10_000);
      let last: Response | null = null;
      for (let i = 0; i < 6; i++) last = await send(reader, { postId, formToken, name: 'Flood', email: 'flood@example.org', body: `Message ${i}` }, true);
      assert.equal(last!.status, 429);
      assert.ok(Number(last!.headers.get('retry-after')) > 0);
      later(2 * MINUTE);
    });

    it('lets the writer edit inside the window, and not after it', async () => {
      const reader = new Agent(k.app);
      const { postId, formToken } = await openForm(reader);
      later(10_000);
      const res = await send(reader, { postId, formToken, name: 'Charity', email: 'charity@kumbaya.example', body: 'Teh typo' });
      const id = Number(/comment-(\d+)/.exec(res.headers.get('location')!)![1]);
      const page = await (await reader.request(DEMO)).text();
      assert.match(page, new RegExp(`href="/comments/${id}/edit"`), 'the writer sees Edit on their comment');

      const edit = await reader.request(`/comments/${id}/edit`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ body: 'The typo, fixed' }) });
      assert.equal(edit.status, 303);
      assert.match(await (await k.request(DEMO)).text(), /The typo, fixed/);

      const other = new Agent(k.app);
      const forged = await other.request(`/comments/${id}/edit`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ body: 'hijacked' }) });
      assert.equal(forged.status, 403);

      later(11 * MINUTE);
      const late = await reader.request(`/comments/${id}/edit`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ body: 'Too late' }) });
      assert.equal(late.status, 403);
      assert.match(await late.text(), /that time has passed/);
    });

    it('lets the writer delete their comment: it goes to the trash, not away', async () => {
      const reader = new Agent(k.app);
      const { postId, formToken } = await openForm(reader);
      later(10_000);
      const res = await send(reader, { postId, formToken, name: 'Charity', email: 'charity@kumbaya.example', body: 'Regrettable words' });
      const id = Number(/comment-(\d+)/.exec(res.headers.get('location')!)![1]);
      const del = await reader.request(`/comments/${id}/delete`, { method: 'POST' });
      assert.equal(del.status, 303);
      assert.doesNotMatch(await (await k.request(DEMO)).text(), /Regrettable words/);
      const stored = await k.deps.store.comments.findById(id);
      assert.equal(stored?.status, 'trash');
      assert.ok(stored?.moderationReasons.includes('deleted by its author'));
    });

    it('marks the signed-in author’s reply as the author’s', async () => {
      const owner = await k.signIn('owner');
      const page = await (await owner.request(DEMO)).text();
      assert.match(page, /Commenting as <strong>Owner/);
      const postId = /name="postId" value="(\d+)"/.exec(page)![1];
      const res = await owner.form('/comments', { postId, body: 'Thanks, all of you.' });
      assert.equal(res.status, 303);
      const thread = await (await k.request(DEMO)).text();
      const at = thread.indexOf('Thanks, all of you.');
      const article = thread.lastIndexOf('<article', at);
      assert.match(thread.slice(article, at), /is-author/);
    });

    it('gives cached copies of the page a fresh form token, shared only within a tenth of a second', async () => {
      await k.request(DEMO);
      const first = await k.request(DEMO);
      assert.equal(first.headers.get('x-cache'), 'hit');
      const tokenA = /name="formToken" value="([^"]+)"/.exec(await first.text())![1];
      later(50);
      const close = await k.request(DEMO);
      assert.equal(/name="formToken" value="([^"]+)"/.exec(await close.text())![1], tokenA, 'served 50 ms later: the same token');
      later(5_000);
      const second = await k.request(DEMO);
      const tokenB = /name="formToken" value="([^"]+)"/.exec(await second.text())![1];
      assert.equal(second.headers.get('x-cache'), 'hit');
      assert.notEqual(tokenA, tokenB);
      assert.equal(first.headers.get('etag'), second.headers.get('etag'));
    });

    it('refuses comments when the post closes them, saying so', async () => {
      const owner = await k.signIn('owner');
      const post = (await k.deps.store.posts.findBySlug('you-cant-fail-in-social-media'))!;
      // A comment before: its post is read once and kept until a change is published (closing
      // comments is one), so the comment after is judged on the post as it is now.
      const before = await send(new Agent(k.app), { postId: String(post.id), formToken: 'x', name: 'Early', email: 'early@example.org', body: 'Hello!' }, true);
      assert.equal(before.status, 201);
      await k.deps.posts.update(owner.user!, post.id, { title: post.title, slug: post.slug, markdown: post.markdown, tags: post.tags.map((t) => t.name), commentsMode: 'closed' });
      const page = await (await k.request(DEMO)).text();
      assert.match(page, /Comments are closed on this post/);
      assert.doesNotMatch(page, /id="respond"/);
      const reader = new Agent(k.app);
      const res = await send(reader, { postId: String(post.id), formToken: 'x', name: 'Late', email: 'late@example.org', body: 'Hello?' }, true);
      assert.equal(res.status, 403);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'comments_closed');
    });
  });
}

describe('long threads', () => {
  let k: TestKumbaya;
  let postSlug = '';
  const ids: number[] = [];
  before(async () => {
    k = await startTestKumbaya();
    const owner = await k.signIn('owner');
    const post = await k.deps.posts.create(owner.user!, { title: 'Busy post', markdown: 'Talk to me.' });
    await k.deps.posts.publish(owner.user!, post.id, Date.UTC(2026, 0, 1));
    postSlug = post.slug;
    const person = await k.deps.store.people.upsertByEmail({ name: 'Reader', email: 'r@example.org', website: null }, 1);
    for (let i = 0; i < 120; i++) {
      const at = Date.UTC(2026, 0, 2) + i * MINUTE;
      const root = await k.deps.store.comments.create({
        postId: post.id, parentId: null, personId: person.id, userId: null, authorName: `Reader ${i}`, authorEmail: 'r@example.org', authorUrl: null,
        markdown: `Conversation ${i}`, html: `<p>Conversation ${i}</p>`, status: 'approved', createdAt: at,
      });
      await k.deps.store.comments.create({
        postId: post.id, parentId: root.id, personId: person.id, userId: null, authorName: 'Replier', authorEmail: 'r@example.org', authorUrl: null,
        markdown: `Reply ${i}`, html: `<p>Reply ${i}</p>`, status: 'approved', createdAt: at + 1000,
      });
      ids.push(root.id);
    }
  });
  after(() => k.cleanup());

  it('pages by conversation, 50 at a time, with replies kept with their conversation', async () => {
    const first = await (await k.request(`/${postSlug}`)).text();
    assert.match(first, /240 comments/);
    assert.match(first, /Conversation 0</);
    assert.match(first, /Reply 49</);
    assert.doesNotMatch(first, /Conversation 50</);
    const next = /rel="next" href="([^"]+)"/.exec(first)![1].replace(/&amp;/g, '&');
    const second = await (await k.request(next)).text();
    assert.match(second, /Conversation 50</);
    assert.match(second, /Conversation 99</);
    assert.doesNotMatch(second, /Conversation 49</);
  });

  it('sends a permalink to a later page to the page that holds it', async () => {
    const res = await k.request(`/comments/${ids[110]}`);
    assert.equal(res.status, 302);
    const location = res.headers.get('location')!;
    assert.match(location, new RegExp(`^/${postSlug}\\?after=[0-9a-z]+-[0-9a-z]+#comment-${ids[110]}$`));
    const page = await (await k.request(location.split('#')[0])).text();
    assert.match(page, new RegExp(`id="comment-${ids[110]}"`));
    assert.match(page, /Conversation 110</);
  });

  it('answers a comment on a later page in place: its Reply link keeps the page and opens the form for it', async () => {
    const page = await (await k.request(`/comments/${ids[110]}`)).headers.get('location')!.split('#')[0];
    const html = await (await k.request(page)).text();
    const href = new RegExp(`class="reply-link" href="([^"]+)" data-reply-to="${ids[110]}"`).exec(html)![1].replace(/&amp;/g, '&');
    const link = new URL(href, 'http://blog.example');
    assert.deepEqual([link.pathname + `?after=${link.searchParams.get('after')}`, link.searchParams.get('reply_to'), link.hash], [page, String(ids[110]), '#respond']);
    assert.match(await (await k.request(href)).text(), new RegExp(`name="parentId" value="${ids[110]}"`));
  });
});
