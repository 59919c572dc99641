import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { z } from 'zod';
import type { SubmitContext } from '../../core/comment-service.ts';
import { peopleRefusal } from '../../core/person-edits.ts';
import type { Comment, Person, Post, Role, User } from '../../core/store.ts';
import { ApiClient } from '../../../test/helpers/api-client.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from '../../../test/helpers/test-kumbaya.ts';
import {
  apiLabelListSchema,
  apiMergePreviewSchema,
  apiMergeResultSchema,
  apiNoteListSchema,
  apiNoteSchema,
  apiPersonDetailSchema,
  apiPersonListSchema,
  apiTimelineSchema,
  apiForgetResultSchema,
} from '../openapi-people.ts';

const DAY = 24 * 3600 * 1000;

type Json = Record<string, any>;

/** The body, after checking it has the shape /api/openapi.json promises. */
function shaped<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  assert.ok(parsed.success, `matches the documented schema: ${JSON.stringify(parsed.error?.issues)}`);
  return parsed.data;
}

for (const { engine, skip } of testEngines()) {
  describe(`JSON API: people (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let post: Post;
    let owner: { user: User; secret: string };
    let moderator: { user: User; secret: string };
    let author: { user: User; secret: string };
    /** Moves the site's clock (the 30 days of an undo). */
    const clock = { offset: 0, now: () => Date.now() + clock.offset };

    let api: ApiClient;
    const withToken = (role: Role) => api.token(role, 'people script');
    const call = (method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) => api.call(method, path, options);

    /** A request as the owner, expecting `status`; the JSON body (or null for 204). */
    async function asOwner(method: string, path: string, status: number, body?: unknown): Promise<any> {
      const res = await call(method, path, { token: owner.secret, body });
      const text = await res.text();
      assert.equal(res.status, status, `${method} ${path}: ${text}`);
      assert.match(res.headers.get('cache-control') ?? '', /no-store/, 'what a token sees is never cached');
      return text ? JSON.parse(text) : null;
    }

    /** The API's error (an RFC 9457 problem), after checking its status. */
    async function refusal(res: Response, status: number): Promise<{ code: string; detail: string; fields?: Record<string, string> }> {
      const text = await res.text();
      assert.equal(res.status, status, text);
      assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
      const problem = JSON.parse(text);
      assert.equal(problem.status, status);
      assert.equal(problem.type, `urn:kumbaya:problem:${problem.code}`);
      return problem;
    }

    let readers = 0;
    /** A reader's comment through the real comment service, as the form sends it. */
    async function comment(name: string, email: string, body: string, website = ''): Promise<Comment> {
      readers++;
      const ctx: SubmitContext = { ip: `203.0.113.${readers}`, userAgent: 'test', referrer: '', user: null };
      const formToken = k.deps.spam.issueFormToken(post.id, k.deps.clock.now() - 60_000);
      return (await k.deps.comments.submit({ postId: post.id, name, email, website, body, formToken }, ctx, `http://localhost:3000/${post.slug}`)).comment;
    }

    async function personOf(email: string): Promise<Person> {
      const person = await k.deps.store.people.findByEmail(email);
      assert.ok(person, email);
      return person;
    }

    before(async () => {
      k = await startTestKumbaya({ engine, clock });
      api = new ApiClient(k);
      owner = await withToken('owner');
      moderator = await withToken('moderator');
      author = await withToken('author');
      const created = await k.deps.posts.create(owner.user, { title: 'Porch evenings', slug: 'porch-evenings', markdown: 'About porches.' });
      post = (await k.deps.posts.publish(owner.user, created.id)).post;
    });
    after(() => k.cleanup());

    test('lists people most recently seen first, a page at a time, found by name, email or website, filtered by label and trust', async () => {
      await comment('Ada Lovelace', 'ada@example.com', 'Engines!', 'https://ada.example/');
      await comment('Bea Bright', 'bea@example.com', 'Hello.');
      await comment('Cal Cooper', 'cal@example.org', 'Hi.');

      const first = shaped(apiPersonListSchema, await asOwner('GET', '/api/people?per_page=2', 200));
      assert.deepEqual(first.people.map((p) => p.name), ['Cal Cooper', 'Bea Bright'], 'the most recently seen first');
      assert.ok(first.next_cursor);
      const second = shaped(apiPersonListSchema, await asOwner('GET', `/api/people?per_page=2&cursor=${encodeURIComponent(first.next_cursor)}`, 200));
      assert.equal(second.people[0].name, 'Ada Lovelace', 'the next page starts where the first ended');
      const ada = second.people[0];
      assert.equal(ada.email, 'ada@example.com');
      assert.deepEqual(ada.identities.map((i) => [i.kind, i.value, i.verified]).sort(), [['email', 'ada@example.com', false], ['website', 'https://ada.example', false]]);
      assert.equal(ada.trust, 'normal');
      assert.equal(ada.last_comment?.post_id, post.id);

      const found = async (query: string) => (shaped(apiPersonListSchema, await asOwner('GET', `/api/people?${query}`, 200)).people as Array<{ name: string }>).map((p) => p.name);
      assert.deepEqual(await found('q=LOVELACE'), ['Ada Lovelace'], 'by name, case aside');
      assert.deepEqual(await found('q=ada.example'), ['Ada Lovelace'], 'by website');
      assert.deepEqual(await found('q=%40example.org'), ['Cal Cooper'], 'by email');

      const bea = await personOf('bea@example.com');
      await asOwner('PUT', `/api/people/${bea.id}/labels/north%20georgia`, 200);
      await asOwner('PUT', `/api/people/${bea.id}/trust`, 200, { trust: 'hold' });
      assert.deepEqual(await found('label=north%20georgia'), ['Bea Bright']);
      assert.deepEqual(await found('label=nobody-has-this'), []);
      assert.deepEqual(await found('trust=hold'), ['Bea Bright']);

      assert.equal((await call('GET', '/api/people', { token: moderator.secret })).status, 200, 'moderators may open People too');

      const bad = await refusal(await call('GET', '/api/people?cursor=yesterday&per_page=500&trust=friendly', { token: owner.secret }), 422);
      assert.equal(bad.code, 'validation_failed');
      assert.deepEqual(Object.keys(bad.fields ?? {}).sort(), ['cursor', 'per_page', 'trust']);
      assert.equal(bad.fields?.cursor, 'Use the next_cursor of the previous page, as it was given.');
    });

    test('reads a person: identities, every name used, first and last seen, trust, labels; notes only when asked', async () => {
      await comment('Grace', 'grace@example.com', 'First.');
      await comment('Grace Hopper', 'grace@example.com', 'Second.', 'https://grace.example');
      const grace = await personOf('grace@example.com');
      await asOwner('POST', `/api/people/${grace.id}/notes`, 201, { markdown: 'Wrote the first compiler.' });

      const read = shaped(apiPersonDetailSchema, await asOwner('GET', `/api/people/${grace.id}`, 200));
      assert.equal(read.id, grace.id);
      assert.deepEqual(read.names, ['Grace Hopper', 'Grace']);
      assert.deepEqual(read.identities.map((i) => i.value).sort(), ['grace@example.com', 'https://grace.example']);
      assert.ok(Date.parse(read.first_seen_at) <= Date.parse(read.last_seen_at));
      assert.equal(read.has_notes, true);
      assert.equal(read.notes, undefined, 'notes only with include=notes');
      assert.deepEqual(read.merges, []);

      const withNotes = shaped(apiPersonDetailSchema, await asOwner('GET', `/api/people/${grace.id}?include=notes`, 200));
      assert.deepEqual(withNotes.notes?.map((n) => n.markdown), ['Wrote the first compiler.']);
      assert.deepEqual(withNotes.notes?.[0].author, { id: owner.user.id, name: owner.user.name });

      for (const path of ['/api/people/999999', '/api/people/99999999999', '/api/people/999999/timeline', '/api/people/999999/notes']) {
        const error = await refusal(await call('GET', path, { token: owner.secret }), 404);
        assert.equal(error.code, 'not_found');
        assert.equal(error.detail, 'That person was not found.');
      }
      assert.equal((await refusal(await call('GET', `/api/people/${grace.id}?include=everything`, { token: owner.secret }), 422)).code, 'validation_failed');
    });

    test('gives one timeline of everything that passed between them and the site, filtered by kind, paged by cursor', async () => {
      const theirs = await comment('Tim Line', 'tim@example.com', 'What do you think?');
      const tim = await personOf('tim@example.com');
      await k.deps.comments.moderate([theirs.id], 'approve', owner.user.id);
      await k.deps.comments.submit({ postId: post.id, parentId: theirs.id, body: 'I think yes.' }, { ip: '192.0.2.1', userAgent: 'test', referrer: '', user: owner.user }, `http://localhost:3000/${post.slug}`);
      await asOwner('POST', `/api/people/${tim.id}/notes`, 201, { markdown: 'Asks good questions.' });
      const until = new Date(clock.now() + 3 * DAY).toISOString();
      await asOwner('PUT', `/api/people/${tim.id}/trust`, 200, { trust: 'muted', reason: 'heated', muted_until: until });

      const all = shaped(apiTimelineSchema, await asOwner('GET', `/api/people/${tim.id}/timeline`, 200));
      assert.deepEqual(all.entries.map((e) => e.kind).sort(), ['comment', 'event', 'event', 'note', 'reply']);
      // Newest first: the trust event is the latest, before the moderation decision.
      const byKind = Object.fromEntries([...all.entries].reverse().map((e) => [e.kind, e])) as Record<string, any>;
      assert.equal(byKind.comment.comment.markdown, 'What do you think?');
      assert.equal(byKind.comment.comment.status, 'approved');
      assert.equal(byKind.reply.comment.markdown, 'I think yes.');
      assert.equal(byKind.reply.to_id, theirs.id);
      assert.equal(byKind.note.note.markdown, 'Asks good questions.');
      assert.deepEqual(byKind.event.event, { kind: 'trust', actor: { id: owner.user.id, name: owner.user.name }, detail: { trust: 'muted', reason: 'heated', muted_until: until } });
      assert.equal(all.next_cursor, null);

      const onlyReplies = shaped(apiTimelineSchema, await asOwner('GET', `/api/people/${tim.id}/timeline?kinds=reply,note`, 200));
      assert.deepEqual(onlyReplies.entries.map((e) => e.kind).sort(), ['note', 'reply']);
      const decisions = (await asOwner('GET', `/api/people/${tim.id}/timeline?kinds=event`, 200)).entries.map((e: Json) => [e.event.kind, e.event.detail]);
      assert.deepEqual(decisions[1], ['moderated', { comment_id: theirs.id, post_id: post.id, from: 'pending', status: 'approved' }], 'a moderation decision, in snake_case');

      // One entry a page: each page starts after the last, and together they are the whole timeline.
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const page: z.output<typeof apiTimelineSchema> = shaped(apiTimelineSchema, await asOwner('GET', `/api/people/${tim.id}/timeline?per_page=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, 200));
        assert.ok(page.entries.length <= 1);
        paged.push(...page.entries.map((e) => `${e.kind}.${e.id}`));
        cursor = page.next_cursor;
      } while (cursor && paged.length < 10);
      assert.deepEqual(paged, all.entries.map((e) => `${e.kind}.${e.id}`));

      const bad = await refusal(await call('GET', `/api/people/${tim.id}/timeline?kinds=comment,gossip&cursor=1.nope.2`, { token: owner.secret }), 422);
      assert.deepEqual(Object.keys(bad.fields ?? {}).sort(), ['cursor', 'kinds']);
      assert.match(bad.fields!.kinds, /^List kinds separated by commas, from: comment, reply/);
    });

    test('keeps private notes: add, list, change, delete; a note over 20,000 characters or empty is refused with nothing saved', async () => {
      await comment('Noted', 'noted@example.com', 'Hi there.');
      const person = await personOf('noted@example.com');
      const base = `/api/people/${person.id}/notes`;

      const res = await call('POST', base, { token: owner.secret, body: { markdown: '  Met at the **North Georgia Tweetup**; wraps cars.\r\n' } });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('location'), `http://localhost:3000${base}`);
      const note = shaped(apiNoteSchema, await res.json());
      assert.equal(note.markdown, 'Met at the **North Georgia Tweetup**; wraps cars.', 'trimmed as the admin saves it');
      assert.match(note.html, /<strong>North Georgia Tweetup<\/strong>/);
      assert.equal(note.person_id, person.id);

      const tooLong = await refusal(await call('POST', base, { token: owner.secret, body: { markdown: 'x'.repeat(20_001) } }), 422);
      assert.equal(tooLong.code, 'validation_failed');
      assert.equal(tooLong.detail, 'Keep a note under 20,000 characters (this one has 20,001).');
      assert.deepEqual(tooLong.fields, { markdown: tooLong.detail });
      assert.equal((await refusal(await call('POST', base, { token: owner.secret, body: { markdown: '   ' } }), 422)).detail, 'Write the note first.');
      assert.deepEqual((await refusal(await call('POST', base, { token: owner.secret, body: { markdown: 'Hi', private: true } }), 422)).fields, { private: 'Unknown field.' });
      assert.equal((await k.deps.store.people.notes(person.id)).length, 1, 'nothing saved');

      const changed = shaped(apiNoteSchema, await asOwner('PATCH', `${base}/${note.id}`, 200, { markdown: 'Met at the tweetup.' }));
      assert.equal(changed.markdown, 'Met at the tweetup.');
      assert.ok(Date.parse(changed.updated_at) >= Date.parse(changed.created_at));
      await refusal(await call('PATCH', `${base}/${note.id}`, { token: owner.secret, body: { markdown: 'y'.repeat(20_001) } }), 422);
      assert.equal((await k.deps.store.people.findNote(note.id))!.markdown, 'Met at the tweetup.', 'the refused change left the note as it was');

      const listed = shaped(apiNoteListSchema, await asOwner('GET', base, 200));
      assert.deepEqual(listed.notes.map((n) => n.id), [note.id]);

      // A note is found only under its own person.
      await comment('Someone Else', 'else@example.com', 'Hello.');
      const other = await personOf('else@example.com');
      await refusal(await call('PATCH', `/api/people/${other.id}/notes/${note.id}`, { token: owner.secret, body: { markdown: 'Moved?' } }), 404);
      await refusal(await call('DELETE', `/api/people/${other.id}/notes/${note.id}`, { token: owner.secret }), 404);

      assert.equal(await asOwner('DELETE', `${base}/${note.id}`, 204), null);
      assert.deepEqual(await k.deps.store.people.notes(person.id), []);
      assert.equal((await refusal(await call('DELETE', `${base}/${note.id}`, { token: owner.secret }), 404)).detail, 'That note was not found.');
    });

    test('labels a person and takes labels off; a label with markup is refused with nothing created', async () => {
      await comment('Labelled', 'labelled@example.com', 'Hi.');
      const person = await personOf('labelled@example.com');
      const base = `/api/people/${person.id}/labels`;

      assert.deepEqual(shaped(apiLabelListSchema, await asOwner('PUT', `${base}/${encodeURIComponent('  car   wrapper ')}`, 200)).labels, ['car wrapper']);
      assert.deepEqual((await asOwner('PUT', `${base}/car%20wrapper`, 200)).labels, ['car wrapper'], 'labelling twice changes nothing');
      const markup = await refusal(await call('PUT', `${base}/${encodeURIComponent('<b>friend</b>')}`, { token: owner.secret }), 422);
      assert.equal(markup.detail, 'Labels are plain words: leave out < and >.');
      assert.deepEqual(markup.fields, { name: markup.detail });
      assert.equal((await refusal(await call('PUT', `${base}/${'x'.repeat(61)}`, { token: owner.secret }), 422)).detail, 'Keep a label under 60 characters.');
      assert.ok(!(await k.deps.store.people.labels()).some((l) => l.name.includes('friend')), 'nothing created');

      assert.ok(shaped(apiLabelListSchema, await asOwner('GET', '/api/people/labels', 200)).labels.includes('car wrapper'));
      assert.deepEqual((await asOwner('GET', `/api/people/${person.id}`, 200)).labels, ['car wrapper']);
      const events = (await asOwner('GET', `/api/people/${person.id}/timeline?kinds=event`, 200)).entries as Json[];
      assert.deepEqual(events.map((e) => [e.event.kind, e.event.detail]), [['label-added', { label: 'car wrapper' }]]);

      assert.equal(await asOwner('DELETE', `${base}/car%20wrapper`, 204), null);
      assert.deepEqual(await k.deps.store.people.labelsOf(person.id), []);
      assert.equal((await refusal(await call('DELETE', `${base}/car%20wrapper`, { token: owner.secret }), 404)).detail, 'This person has no label “car wrapper”.');
    });

    test('sets trust, which the comment form then applies; refuses a bad setting, a bad or past mute end, with nothing changed', async () => {
      const first = await comment('Trusty', 'trusty@example.com', 'First.');
      await k.deps.comments.moderate([first.id], 'approve');
      const person = await personOf('trusty@example.com');
      const base = `/api/people/${person.id}/trust`;

      const held = shaped(apiPersonDetailSchema, await asOwner('PUT', base, 200, { trust: 'hold', reason: '  asked to  ' }));
      assert.equal(held.trust, 'hold');
      assert.equal(held.trust_reason, 'asked to');
      assert.equal(held.muted_until, null);
      const later = await comment('Trusty', 'trusty@example.com', 'Second.');
      assert.equal(later.status, 'pending', 'a known person is held once asked');
      assert.deepEqual(later.moderationReasons, ["you asked to hold this person's comments: asked to"], 'with the reason given');

      const until = new Date(clock.now() + 7 * DAY).toISOString();
      const muted = shaped(apiPersonDetailSchema, await asOwner('PUT', base, 200, { trust: 'muted', muted_until: until }));
      assert.equal(muted.trust, 'muted');
      assert.equal(muted.muted_until, until);

      const cases: Array<[unknown, string, string]> = [
        [{ trust: 'friendly' }, 'trust', 'Use trusted, normal, hold, muted or blocked.'],
        [{ trust: 'muted' }, 'muted_until', 'Choose when the mute ends.'],
        [{ trust: 'muted', muted_until: '2001-01-01T00:00:00Z' }, 'muted_until', 'Choose a day in the future for the mute to end.'],
        [{ trust: 'muted', muted_until: 'next Tuesday' }, 'muted_until', 'Use an ISO 8601 date and time with a time zone, e.g. 2025-01-31T09:00:00Z.'],
        [{ trust: 'normal', muted_until: until }, 'muted_until', 'Only a mute ends on a date: leave the end out for the other trust settings.'],
        [{ trust: 'blocked', reason: 'r'.repeat(201) }, 'reason', 'Keep the reason under 200 characters.'],
        [{ trust: 'blocked', reason: 7 }, 'reason', 'Write the reason as text.'],
      ];
      for (const [body, field, message] of cases) {
        const error = await refusal(await call('PUT', base, { token: owner.secret, body }), 422);
        assert.equal(error.code, 'validation_failed');
        assert.equal(error.fields?.[field], message, JSON.stringify(body));
      }
      assert.deepEqual(await k.deps.store.people.trust(person.id), { trust: 'muted', reason: null, mutedUntil: Date.parse(until) }, 'nothing changed');
    });

    test('merges after a preview, returns the merge event, and undoes it once within 30 days; refuses a person with themself and someone unknown', async () => {
      await comment('Merge Mail', 'merge.mail@example.com', 'From my address.');
      await comment('Merge Site', 'merge.site@example.org', 'From my site.', 'https://merge-site.example/');
      const mail = await personOf('merge.mail@example.com');
      const site = await personOf('merge.site@example.org');
      const base = `/api/people/${mail.id}/merge`;

      const preview = shaped(apiMergePreviewSchema, await asOwner('POST', `${base}/preview`, 200, { others: [site.id] }));
      assert.deepEqual(preview.survivor, { id: mail.id, name: 'Merge Mail', email: 'merge.mail@example.com', website: null });
      assert.deepEqual(preview.fields.website, { value: 'https://merge-site.example/', from_id: site.id });
      assert.deepEqual(preview.fields.email, { value: 'merge.mail@example.com', from_id: mail.id });
      assert.equal(preview.moves.comments, 1);
      assert.equal(preview.moves.identities, 2);
      assert.ok(await k.deps.store.people.findById(site.id), 'the preview changes nothing');

      // Bad merges: nothing changes.
      for (const path of [`${base}/preview`, base]) {
        const self = await refusal(await call('POST', path, { token: owner.secret, body: { others: [mail.id] } }), 422);
        assert.equal(self.detail, 'A person cannot be merged with themself.');
        assert.equal((await refusal(await call('POST', path, { token: owner.secret, body: { others: [] } }), 422)).detail, 'Choose at least one other person to merge with.');
        assert.equal((await refusal(await call('POST', path, { token: owner.secret, body: { others: [site.id, 999999] } }), 404)).detail, 'Person 999999 was not found.');
        assert.equal((await refusal(await call('POST', path, { token: owner.secret, body: { others: ['two'] } }), 422)).fields?.others, 'List the ids of the people to merge in, e.g. [12, 34].');
      }
      await refusal(await call('POST', `/api/people/999999/merge`, { token: owner.secret, body: { others: [site.id] } }), 404);
      assert.ok(await k.deps.store.people.findById(site.id));
      assert.equal((await k.deps.store.people.timeline(site.id, { kinds: ['comment'], limit: 10 })).entries.length, 1, 'their comment is still theirs');

      const merged = shaped(apiMergeResultSchema, await asOwner('POST', base, 200, { others: [site.id] }));
      assert.equal(merged.merge.survivor_id, mail.id);
      assert.deepEqual(merged.merge.merged, [{ id: site.id, name: 'Merge Site' }]);
      assert.equal(Date.parse(merged.merge.undo_until) - Date.parse(merged.merge.merged_at), 30 * DAY);
      assert.equal(merged.person.website, 'https://merge-site.example/');
      assert.deepEqual(merged.person.identities.map((i) => i.value).sort(), ['https://merge-site.example', 'merge.mail@example.com', 'merge.site@example.org']);
      assert.deepEqual(merged.person.merges.map((m) => m.event_id), [merged.merge.event_id]);
      await refusal(await call('GET', `/api/people/${site.id}`, { token: owner.secret }), 404);
      const texts = (await asOwner('GET', `/api/people/${mail.id}/timeline?kinds=comment`, 200)).entries.map((e: Json) => e.comment.markdown);
      assert.deepEqual(texts.sort(), ['From my address.', 'From my site.']);

      assert.equal(await asOwner('POST', `/api/people/merges/${merged.merge.event_id}/undo`, 204), null);
      const back = shaped(apiPersonDetailSchema, await asOwner('GET', `/api/people/${site.id}`, 200));
      assert.deepEqual(back.identities.map((i) => i.value).sort(), ['https://merge-site.example', 'merge.site@example.org']);
      assert.equal((await asOwner('GET', `/api/people/${mail.id}`, 200)).website, null, 'the survivor’s own fields are back');
      const again = await refusal(await call('POST', `/api/people/merges/${merged.merge.event_id}/undo`, { token: owner.secret }), 409);
      assert.equal(again.code, 'conflict');
      assert.equal(again.detail, 'That merge has already been undone.');
      assert.equal((await refusal(await call('POST', '/api/people/merges/999999/undo', { token: owner.secret }), 404)).detail, 'That merge was not found.');

      // Thirty days on, a merge can no longer be undone.
      const late = shaped(apiMergeResultSchema, await asOwner('POST', base, 200, { others: [site.id] }));
      clock.offset = 31 * DAY;
      try {
        const expired = await refusal(await call('POST', `/api/people/merges/${late.merge.event_id}/undo`, { token: owner.secret }), 409);
        assert.equal(expired.detail, 'A merge can be undone for 30 days; this one can no longer be.');
        assert.deepEqual((await asOwner('GET', `/api/people/${mail.id}`, 200)).merges, [], 'and it is no longer offered');
        await refusal(await call('GET', `/api/people/${site.id}`, { token: owner.secret }), 404);
      } finally {
        clock.offset = 0;
      }
    });

    test('exports everything about one person, and forgets them: comments anonymised, identities and notes gone, an audit line without their name', async () => {
      const theirs = await comment('Fay Gone', 'fay@example.com', 'Please remember me fondly.', 'https://fay.example');
      await k.deps.comments.moderate([theirs.id], 'approve', owner.user.id);
      const fay = await personOf('fay@example.com');
      await asOwner('POST', `/api/people/${fay.id}/notes`, 201, { markdown: 'Met at the tweetup.' });

      const data = await asOwner('GET', `/api/people/${fay.id}/export`, 200);
      assert.deepEqual(data.comments.map((c: Json) => c.text), ['Please remember me fondly.']);
      assert.ok(data.identities.some((i: Json) => i.kind === 'email' && i.value === 'fay@example.com'));
      assert.deepEqual(data.notes.map((n: Json) => n.text), ['Met at the tweetup.']);

      const bad = await refusal(await call('POST', `/api/people/${fay.id}/forget`, { token: owner.secret, body: { comments: 'shred' } }), 422);
      assert.equal(bad.code, 'validation_failed');
      assert.ok(await k.deps.store.people.summary(fay.id), 'a refused choice changes nothing');

      const done = shaped(apiForgetResultSchema, await asOwner('POST', `/api/people/${fay.id}/forget`, 200, { comments: 'anonymise' }));
      assert.equal(done.person_id, fay.id);
      assert.equal(done.counts.comments, 1);
      assert.equal(await k.deps.store.people.summary(fay.id), null, 'the person is gone');
      const kept = (await k.deps.store.comments.findById(theirs.id))!;
      assert.deepEqual([kept.authorName, kept.authorEmail, kept.authorUrl, kept.markdown], ['Someone', '', null, 'Please remember me fondly.']);
      const [line] = await k.deps.store.audit.list({ action: 'person-forgotten', limit: 1 });
      assert.equal(line.id, done.audit_id);
      assert.doesNotMatch(JSON.stringify(line), /Fay|fay@|fay\.example|tweetup/);
      await refusal(await call('GET', `/api/people/${fay.id}/export`, { token: owner.secret }), 404);
      await refusal(await call('POST', `/api/people/${fay.id}/forget`, { token: owner.secret, body: { comments: 'trash' } }), 404);
    });

    test('refuses to forget the person of someone on the team (422), changing nothing', async () => {
      const staffPerson = await k.deps.store.people.upsertByEmail({ name: moderator.user.name, email: moderator.user.email, website: null }, clock.now());
      const refused = await refusal(await call('POST', `/api/people/${staffPerson.id}/forget`, { token: owner.secret, body: { comments: 'anonymise' } }), 422);
      assert.match(refused.detail, /on the team/);
      assert.ok(await k.deps.store.people.summary(staffPerson.id));
    });

    test('refuses an author (403, saying why) and a request without a token (401) at every people address, changing nothing', async () => {
      await comment('Private Person', 'private@example.com', 'Hello.');
      const person = await personOf('private@example.com');
      const note = await k.deps.store.people.addNote({ personId: person.id, markdown: 'Secret', html: '<p>Secret</p>', authorId: owner.user.id, createdAt: clock.now() });
      const requests: Array<[string, string, unknown?]> = [
        ['GET', '/api/people'],
        ['GET', '/api/people/labels'],
        ['GET', `/api/people/${person.id}`],
        ['GET', `/api/people/${person.id}/timeline`],
        ['GET', `/api/people/${person.id}/notes`],
        ['POST', `/api/people/${person.id}/notes`, { markdown: 'Mine' }],
        ['PATCH', `/api/people/${person.id}/notes/${note.id}`, { markdown: 'Changed' }],
        ['DELETE', `/api/people/${person.id}/notes/${note.id}`],
        ['PUT', `/api/people/${person.id}/labels/sneaky`],
        ['DELETE', `/api/people/${person.id}/labels/sneaky`],
        ['PUT', `/api/people/${person.id}/trust`, { trust: 'trusted' }],
        ['POST', `/api/people/${person.id}/merge/preview`, { others: [1] }],
        ['POST', `/api/people/${person.id}/merge`, { others: [1] }],
        ['POST', '/api/people/merges/1/undo'],
        ['GET', `/api/people/${person.id}/export`],
        ['POST', `/api/people/${person.id}/forget`, { comments: 'trash' }],
      ];
      for (const [method, path, body] of requests) {
        const forbidden = await refusal(await call(method, path, { token: author.secret, body }), 403);
        assert.equal(forbidden.code, 'forbidden', `${method} ${path}`);
        assert.equal(forbidden.detail, peopleRefusal);
        const anonymous = await call(method, path, { body });
        assert.equal((await refusal(anonymous, 401)).code, 'unauthenticated', `${method} ${path}`);
        assert.equal(anonymous.headers.get('www-authenticate'), 'Bearer realm="Kumbaya"');
      }
      assert.deepEqual((await k.deps.store.people.notes(person.id)).map((n) => n.markdown), ['Secret']);
      assert.deepEqual(await k.deps.store.people.labelsOf(person.id), []);
      assert.equal((await k.deps.store.people.trust(person.id)).trust, 'normal');
    });

    test('refuses invalid JSON (400) and another content type (415) with the API’s error, and answers JSON 404 for addresses that are not', async () => {
      await comment('Careful', 'careful@example.com', 'Hi.');
      const person = await personOf('careful@example.com');
      for (const path of [`/api/people/${person.id}/notes`, `/api/people/${person.id}/trust`, `/api/people/${person.id}/merge`]) {
        const method = path.endsWith('/trust') ? 'PUT' : 'POST';
        const malformed = await refusal(await call(method, path, { token: owner.secret, body: '{"markdown": "unfinished' }), 400);
        assert.equal(malformed.code, 'invalid_json');
        assert.match(malformed.detail, /^The body is not valid JSON: /);
        const form = await refusal(await call(method, path, { token: owner.secret, body: 'markdown=hi', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415);
        assert.equal(form.code, 'unsupported_media_type');
        assert.equal(form.detail, 'Send the body as JSON with "Content-Type: application/json".');
        const notObject = await refusal(await call(method, path, { token: owner.secret, body: [1] }), 422);
        assert.equal(notObject.code, 'validation_failed');
      }
      assert.deepEqual(await k.deps.store.people.notes(person.id), []);
      assert.equal((await k.deps.store.people.trust(person.id)).trust, 'normal');
      for (const path of [`/api/people/${person.id}/notes/abc`, `/api/people/${person.id}/gossip`, '/api/people/abc']) {
        // Not in the document, so sent without the client's check that the address is documented.
        assert.equal((await refusal(await k.request(path, { headers: { authorization: `Bearer ${owner.secret}` } }), 404)).code, 'not_found', path);
      }
    });

    test('limits writes per token like every API write (429 with Retry-After); reads are not limited', async () => {
      await comment('Busy', 'busy@example.com', 'Hi.');
      const person = await personOf('busy@example.com');
      const busy = await withToken('moderator');
      let last: Response | undefined;
      for (let i = 0; i < 121; i++) {
        last = await call('PUT', `/api/people/${person.id}/labels/busy`, { token: busy.secret });
        if (last.status !== 200) break;
        await last.body?.cancel();
      }
      assert.equal((await refusal(last!, 429)).code, 'rate_limited');
      assert.ok(Number(last!.headers.get('retry-after')) > 0);
      assert.equal((await call('GET', `/api/people/${person.id}`, { token: busy.secret })).status, 200);
      assert.equal((await call('PUT', `/api/people/${person.id}/labels/busy`, { token: owner.secret })).status, 200, 'other tokens are not affected');
    });

    test('notes never appear in anything public: the post page, its feeds, the posts API', async () => {
      const theirs = await comment('Public Person', 'public@example.com', 'A public comment.');
      await k.deps.comments.moderate([theirs.id], 'approve');
      const person = await personOf('public@example.com');
      await asOwner('POST', `/api/people/${person.id}/notes`, 201, { markdown: 'Wraps cars in tinfoil.' });
      await asOwner('PUT', `/api/people/${person.id}/labels/tinfoil-fan`, 200);

      for (const path of [`/${post.slug}`, `/${post.slug}/comments/feed.xml`, '/feed.xml', '/api/posts', `/api/posts/${post.id}`]) {
        const res = await k.request(path);
        assert.equal(res.status, 200, path);
        const text = await res.text();
        assert.doesNotMatch(text, /tinfoil/i, path);
        if (path === `/${post.slug}`) assert.match(text, /A public comment\./, 'their comment is on the page');
      }
      const withToken = await call('GET', `/api/posts/${post.id}`, { token: owner.secret });
      assert.doesNotMatch(await withToken.text(), /tinfoil/i, 'nor in what the posts API gives a token');
    });

    test('/api/openapi.json describes every people address and still validates', async () => {
      const doc = (await asOwner('GET', '/api/openapi.json', 200)) as { paths: Record<string, Record<string, Json>> };
      const validator = new Validator();
      const result = await validator.validate(structuredClone(doc));
      assert.deepEqual(result.errors ?? [], []);
      assert.equal(result.valid, true);
      validator.resolveRefs();
      const documented = Object.entries(doc.paths)
        .filter(([path]) => path.startsWith('/api/people'))
        .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
        .sort();
      assert.deepEqual(documented, [
        'DELETE /api/people/{id}/labels/{name}',
        'DELETE /api/people/{id}/notes/{noteId}',
        'GET /api/people',
        'GET /api/people/duplicates',
        'GET /api/people/forgotten',
        'GET /api/people/labels',
        'GET /api/people/{id}',
        'GET /api/people/{id}/export',
        'GET /api/people/{id}/notes',
        'GET /api/people/{id}/timeline',
        'PATCH /api/people/{id}/notes/{noteId}',
        'POST /api/people/merges/{eventId}/undo',
        'POST /api/people/{id}/forget',
        'POST /api/people/{id}/look-again',
        'POST /api/people/{id}/merge',
        'POST /api/people/{id}/merge/preview',
        'POST /api/people/{id}/notes',
        'PUT /api/people/{id}/labels/{name}',
        'PUT /api/people/{id}/trust',
      ]);
      for (const [path, item] of Object.entries(doc.paths).filter(([p]) => p.startsWith('/api/people'))) {
        for (const [method, operation] of Object.entries(item)) {
          const reads = method === 'get' || path.endsWith('/merge/preview');
          assert.deepEqual(operation.security, [{ bearerAuth: [reads ? 'read' : 'moderate'] }], `${method} ${path} needs a token with the ${reads ? 'read' : 'moderate'} scope`);
          for (const status of ['401', '403']) assert.ok(operation.responses[status], `${method} ${path} documents ${status}`);
        }
      }
    });
  });
}
