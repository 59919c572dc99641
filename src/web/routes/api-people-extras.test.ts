import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SubmitContext } from '../../core/comment-service.ts';
import type { Comment, Post, User } from '../../core/store.ts';
import { WHO_IS_JOB } from '../../core/who-is.ts';
import { ApiClient } from '../../../test/helpers/api-client.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';
import { apiDuplicateListSchema, apiForgottenListSchema, apiLookAgainSchema } from '../openapi-people-extras.ts';
import { apiPostSchema } from '../openapi.ts';

type Tokened = { user: User; secret: string };

for (const { engine, skip } of testEngines()) {
  describe(`JSON API: duplicates, look again, forgotten people, post ideas (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let api: ApiClient;
    let owner: Tokened;
    let author: Tokened;
    let other: Tokened;
    let moderator: Tokened;
    let post: Post;
    let readers = 0;

    /** A comment through the real comment service, as the form sends it. */
    async function comment(on: Post, name: string, email: string, body: string, website = ''): Promise<Comment> {
      readers++;
      const ctx: SubmitContext = { ip: `198.51.100.${readers}`, userAgent: 'test', referrer: '', user: null };
      const formToken = k.deps.spam.issueFormToken(on.id, k.deps.clock.now() - 60_000);
      return (await k.deps.comments.submit({ postId: on.id, name, email, website, body, formToken }, ctx, `http://localhost:3000/${on.slug}`)).comment;
    }
    const whoIsJobs = async () => (await k.deps.store.jobs.list({ kind: WHO_IS_JOB, limit: 100, offset: 0 })).items;
    const scoped = async (who: Tokened, scopes: string[]) => (await k.deps.auth.createApiToken(who.user, 'narrow', { scopes: scopes as never })).secret;

    before(async () => {
      k = await startTestKumbaya({ engine });
      api = new ApiClient(k);
      owner = await api.token('owner');
      author = await api.token('author');
      other = await api.token('author');
      moderator = await api.token('moderator');
      const created = await k.deps.posts.create(author.user, { title: 'Lanterns', markdown: 'About lanterns.' });
      post = (await k.deps.posts.publish(author.user, created.id)).post;
    });
    after(() => k?.cleanup());

    test('lists possible duplicates with the reasons, as Admin → People does', async () => {
      await comment(post, 'Dup One', 'dup.one@example.com', 'One.', 'https://dup.example/');
      await comment(post, 'Dup Two', 'dup.two@example.net', 'Two.', 'https://dup.example');
      const one = (await k.deps.store.people.findByEmail('dup.one@example.com'))!;
      const two = (await k.deps.store.people.findByEmail('dup.two@example.net'))!;
      const list = await api.expect('GET', '/api/people/duplicates', 200, { token: moderator.secret, schema: apiDuplicateListSchema });
      const pair = list.duplicates.find((d: any) => [d.a.id, d.b.id].sort().join() === [one.id, two.id].sort().join());
      assert.ok(pair, 'the two are suggested');
      assert.ok(pair.reasons.some((r: string) => /both gave the website https:\/\/dup\.example/.test(r)), pair.reasons.join('; '));
      assert.deepEqual([pair.a.name, pair.b.name].sort(), ['Dup One', 'Dup Two']);
      assert.match((await api.refused('GET', '/api/people/duplicates', 403, { token: author.secret })).message, /People/);
      assert.equal((await api.refused('GET', '/api/people/duplicates', 403, { token: await scoped(owner, ['write']) })).code, 'insufficient_scope');
      assert.equal((await api.refused('GET', '/api/people/duplicates', 401)).code, 'unauthenticated');
    });

    test('“look again” queues reading their website; refused without a website, for an unknown person, or without moderate', async () => {
      await comment(post, 'Cy', 'cy@example.com', 'Hello.', 'https://cy.example/');
      const cy = (await k.deps.store.people.findByEmail('cy@example.com'))!;
      const before = (await whoIsJobs()).length;
      const queued = await api.expect('POST', `/api/people/${cy.id}/look-again`, 202, { token: moderator.secret, schema: apiLookAgainSchema });
      assert.equal(queued.website, 'https://cy.example', 'the website as People keeps it (normalised)');
      const jobs = await whoIsJobs();
      assert.equal(jobs.length, before + 1);
      assert.ok(jobs.some((j) => j.payload.website === 'https://cy.example'));

      await comment(post, 'Dee', 'dee@example.com', 'No website.');
      const dee = (await k.deps.store.people.findByEmail('dee@example.com'))!;
      assert.match((await api.refused('POST', `/api/people/${dee.id}/look-again`, 422, { token: owner.secret })).message, /They gave no website/);
      assert.equal((await api.refused('POST', '/api/people/999999/look-again', 404, { token: owner.secret })).code, 'not_found');
      assert.equal((await api.refused('POST', `/api/people/${cy.id}/look-again`, 403, { token: author.secret })).code, 'forbidden');
      assert.equal((await api.refused('POST', `/api/people/${cy.id}/look-again`, 403, { token: await scoped(moderator, ['read']) })).code, 'insufficient_scope');
      assert.equal((await api.refused('POST', `/api/people/${cy.id}/look-again`, 401)).code, 'unauthenticated');
      assert.equal((await whoIsJobs()).length, before + 1, 'nothing more queued');
    });

    test('the forgotten-people log: by number only, newest first, with who did it', async () => {
      const empty = await api.expect('GET', '/api/people/forgotten', 200, { token: owner.secret, schema: apiForgottenListSchema });
      assert.deepEqual(empty, { entries: [], next_cursor: null });
      await comment(post, 'Fay Forget', 'fay@example.com', 'Please forget me.');
      const fay = (await k.deps.store.people.findByEmail('fay@example.com'))!;
      await api.expect('POST', `/api/people/${fay.id}/forget`, 200, { token: owner.secret, body: { comments: 'anonymise' } });
      const log = await api.expect('GET', '/api/people/forgotten', 200, { token: moderator.secret, schema: apiForgottenListSchema });
      assert.equal(log.entries.length, 1);
      const [entry] = log.entries;
      assert.equal(entry.person_id, fay.id);
      assert.deepEqual(entry.by, { id: owner.user.id, name: owner.user.name });
      assert.match(entry.summary, new RegExp(`^Person #${fay.id} forgotten by ${owner.user.name}: 1 comment anonymised; 1 identity`), 'the admin’s line');
      assert.equal(entry.detail.comments, 1);
      assert.doesNotMatch(JSON.stringify(log), /Fay|fay@/, 'nothing that named her');
      assert.equal(log.next_cursor, null);
      const bad = await api.refused('GET', '/api/people/forgotten?before=yesterday', 422, { token: owner.secret });
      assert.equal(bad.fields?.before, 'Use the next_cursor of the previous page, as it was given.');
      assert.deepEqual((await api.expect('GET', `/api/people/forgotten?before=${Date.parse(entry.at)}.${entry.id}`, 200, { token: owner.secret })).entries, [], 'nothing before the only entry');
      assert.equal((await api.refused('GET', '/api/people/forgotten', 403, { token: author.secret })).code, 'forbidden');
    });

    test('makes a post idea of a comment: a draft quoting it, for the post’s author and the owner', async () => {
      const grace = await comment(post, 'Grace', 'grace@example.com', 'Would you write about paper lanterns?');
      const draft = await api.expect('POST', `/api/comments/${grace.id}/post-idea`, 201, { token: author.secret, schema: apiPostSchema });
      assert.equal(draft.status, 'draft');
      assert.match(draft.title, /Grace/);
      assert.match(draft.markdown, /Would you write about paper lanterns\?/);
      assert.equal(draft.author.id, author.user.id);
      const source = await k.deps.store.postSources.find(draft.id);
      assert.equal(source?.commentId, grace.id, 'it remembers where it came from');
      assert.equal((await api.expect('POST', `/api/comments/${grace.id}/post-idea`, 201, { token: owner.secret })).author.id, owner.user.id);

      assert.match((await api.refused('POST', `/api/comments/${grace.id}/post-idea`, 403, { token: other.secret })).message, /Only comments on your own posts/);
      assert.match((await api.refused('POST', `/api/comments/${grace.id}/post-idea`, 403, { token: moderator.secret })).message, /Moderators look after the conversation/);
      assert.equal((await api.refused('POST', `/api/comments/${grace.id}/post-idea`, 403, { token: await scoped(author, ['read']) })).code, 'insufficient_scope');
      assert.equal((await api.refused('POST', `/api/comments/${grace.id}/post-idea`, 401)).code, 'unauthenticated');
      assert.equal((await api.refused('POST', '/api/comments/999999/post-idea', 404, { token: owner.secret })).code, 'not_found');
      await k.deps.comments.moderate([grace.id], 'spam', owner.user.id);
      assert.match((await api.refused('POST', `/api/comments/${grace.id}/post-idea`, 409, { token: owner.secret })).message, /in spam: restore it/);
    });
  });
}
