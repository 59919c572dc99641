import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { MemoryStore } from '../adapters/storage/memory-store.ts';
import { movePairs, needsEngines, storeOpener } from '../adapters/storage/test-engines.ts';
import { DomainError } from '../core/errors.ts';
import { VERIFY_JOB } from '../core/webmention-service.ts';
import type { Store } from '../core/store.ts';
import { writeJsonExport } from './export-json.ts';
import { importJsonExport } from './json-import.ts';
import { FIXTURE_TIME, seedSite } from './site-fixture.ts';

const open = storeOpener();

export async function exportText(store: Store, withSecrets = false, now = FIXTURE_TIME + 1_000_000): Promise<string> {
  let text = '';
  await store.archive.snapshot((archive) => writeJsonExport(archive, async (chunk) => void (text += chunk), { withSecrets, now, generator: 'kumbaya test', pageSize: 2 }));
  return text;
}

const chunksOf = (text: string, size: number) => Readable.from(text.match(new RegExp(`[^]{1,${size}}`, 'g')) ?? []);

/** Ids in order of appearance per section, and every reference mapped the same way; the export's own time dropped. */
function normalise(text: string): unknown {
  const file = JSON.parse(text) as Record<string, any>;
  delete file.exported_at;
  const maps: Record<string, Map<number, number>> = {};
  const mapOf = (section: string) => (maps[section] ??= new Map());
  const ref = (section: string, value: unknown) => {
    if (typeof value !== 'number') return value;
    const map = mapOf(section);
    if (!map.has(value)) map.set(value, map.size + 1);
    return map.get(value);
  };
  const refs: Record<string, string> = {
    author_id: 'users', user_id: 'users', uploader_id: 'users', post_id: 'posts', parent_id: 'comments', root_id: 'comments', comment_id: 'comments', person_id: 'people',
  };
  for (const [section, records] of Object.entries(file)) {
    if (!Array.isArray(records)) continue;
    for (const record of records) {
      if ('id' in record) record.id = ref(section, record.id);
      for (const [field, target] of Object.entries(refs)) if (field in record) record[field] = ref(target, record[field]);
      if (record.tag_ids) record.tag_ids = record.tag_ids.map((id: number) => ref('tags', id));
      if (section === 'import_keys') record.local_id = ref(`${record.kind}s`, record.local_id);
    }
  }
  return file;
}

for (const [from, to] of movePairs) {
  describe(`JSON export round trip: ${from} → ${to}`, needsEngines(from, to), () => {
    it('exports everything, restores it into an empty site, and exports the same again', async () => {
      const source = await open(from);
      const { postIds, commentIds } = await seedSite(source);
      const first = await exportText(source, true);
      const target = await open(to);
      const summary = await importJsonExport(target, chunksOf(first, 97), { replace: false });
      assert.equal(summary.counts.posts, 5);
      assert.equal(summary.counts.comments, 8);
      assert.equal(summary.counts.webmentions, 2);
      assert.equal(summary.counts.webmentions_sent, 2);
      assert.equal(summary.counts.import_keys, 3);
      assert.equal(summary.counts.legacy_paths, 2);
      assert.equal(summary.counts.comment_revisions, 2);
      assert.equal(summary.counts.post_revisions, 3);
      const second = await exportText(target, true);
      assert.deepEqual(normalise(second), normalise(first));

      // The restored site works as a site: slugs, old slugs, threads, new ids past the old ones.
      const hello = await target.posts.findBySlug('hello-world');
      assert.equal(hello?.id, postIds[0]);
      assert.deepEqual(hello?.tags.map((t) => t.name), ['Social Media', 'Écrire']);
      assert.deepEqual([hello?.metaDescription, hello?.socialImage, hello?.canonicalUrl], ['Hi, said <plainly> & "quoted"', '/uploads/abc.png', 'https://first.example.org/hello?a=1&b=2'], 'the SEO fields travel');
      assert.equal((await target.posts.findByOldSlug('hello'))?.id, postIds[0]);
      assert.equal((await target.posts.search('friends', 5, FIXTURE_TIME + 1))[0]?.post.id, postIds[0]);
      const thread = await target.comments.threadPage(postIds[0], null, 10);
      assert.deepEqual(thread.comments.map((c) => [c.id, c.depth, c.rootId]), [[commentIds[0], 0, commentIds[0]], [commentIds[1], 1, commentIds[0]], [commentIds[2], 2, commentIds[0]]]);
      assert.deepEqual(await target.comments.countByStatus(), { approved: 4, pending: 2, spam: 1, trash: 1 });
      // A comment's history travels: the text before the edit, who changed it, and where it was.
      assert.deepEqual((await target.comments.revisions(commentIds[0])).map((r) => [r.markdown, r.editorName, r.parentId]), [[`Comment at ${FIXTURE_TIME + 200}`, 'Ada', null]]);
      assert.deepEqual((await target.comments.revisions(commentIds[3])).map((r) => [r.editedBy, r.parentId]), [[null, commentIds[2]]]);
      assert.ok((await target.comments.addRevision({ commentId: commentIds[0], markdown: 'x', html: 'x', parentId: null, editedBy: null, editorName: 'R', createdAt: 1 })).id > 2, 'new revisions get ids past the restored ones');

      // Webmentions: the verified reply still shows as its comment; the one being verified is verified again here.
      const about = postIds[1];
      const [verified] = await target.webmentions.listVerified(about);
      assert.deepEqual([verified.type, verified.authorName, verified.commentId], ['reply', 'Friend', commentIds[7]]);
      const [queued] = await target.webmentions.listReceived(postIds[0]);
      assert.equal(queued.status, 'queued');
      const jobs = await target.jobs.list({ kind: VERIFY_JOB, limit: 10, offset: 0 });
      assert.deepEqual(jobs.items.map((j) => [j.payload.id, j.status]), [[queued.id, 'pending']]);
      assert.equal(summary.mentionsToVerify, 1);
      const newMention = await target.webmentions.receive({ source: 'https://new.example/', target: 'https://blog.example/about', postId: about, via: 'webmention' }, FIXTURE_TIME);
      assert.ok(newMention.id > Math.max(verified.id, queued.id), 'new webmentions get ids past the restored ones');
      const newSent = await target.webmentions.recordSent(about, 'https://new.example/', { status: 'queued' }, FIXTURE_TIME);
      assert.ok(newSent.id > 2);
      assert.deepEqual((await target.webmentions.listSent(postIds[0])).map((s) => [s.target, s.status, s.endpoint, s.attempts]), [
        ['https://elsewhere.example/post', 'sent', 'https://elsewhere.example/webmention', 1],
        ['https://quiet.example/', 'no-endpoint', null, 1],
      ]);
      // Old WordPress addresses still redirect, and a re-import still finds what it imported.
      assert.equal(await target.imports.findLegacyPath('/2019/03/hello'), postIds[0]);
      assert.equal(await target.imports.findLegacyPath('?p=12'), postIds[0]);
      assert.equal(await target.imports.findKey('wordpress', 'post', 'https://old.example/?p=12#12'), postIds[0]);
      assert.equal(await target.imports.findKey('wordpress', 'comment', 'https://old.example/?p=12#12#comment-3'), commentIds[0]);
      // The post's history and the author's autosave come along; a new save gets an id past them.
      assert.deepEqual((await target.revisions.listForPost(postIds[0])).map((r) => [r.title, r.size]), [['Hello <world> & "friends"', 18], ['Hello', 8]]);
      const autosave = await target.revisions.findAutosave(postIds[0], 2);
      assert.equal(autosave?.markdown, 'Hi ]]> there *you*, and more');
      const added = await target.revisions.add({ postId: postIds[0], authorId: 1, title: 'New', markdown: 'New', excerpt: '', createdAt: FIXTURE_TIME + 700 });
      assert.ok(added.id > autosave!.id);
      const next = await target.users.create({ email: 'new@example.com', name: 'New', slug: 'new', bio: '', role: 'author', passwordHash: null, createdAt: 1 });
      assert.ok(next.id > 2);
      const post = await target.posts.create({ ...hello!, slug: 'after-restore', tags: [] }, FIXTURE_TIME);
      assert.ok(post.id > Math.max(...postIds));
      assert.equal((await target.subscriptions.findByToken('unsub-1'))?.postId, postIds[0]);
      const [upload] = (await target.uploads.list({ limit: 5, offset: 0 })).items;
      assert.deepEqual([upload.width, upload.height, upload.alt, upload.caption], [1, 1, 'A single red dot', 'The smallest picture “ever”'], 'size, alt text and caption travel');
      assert.deepEqual(await target.uploads.unprocessed(5), [upload.hash], 'variants are not exported: the restored site makes them again');
    });
  });
}

describe('JSON export contents', () => {
  it('is written a page of records at a time, never as one string', async () => {
    const store = new MemoryStore();
    await seedSite(store);
    const chunks: string[] = [];
    await writeJsonExport(store.archive, async (chunk) => void chunks.push(chunk), { withSecrets: false, now: 0, generator: 'test', pageSize: 2 });
    const recordsIn = (chunk: string) => chunk.split('\n{').length - 1;
    assert.ok(Math.max(...chunks.map(recordsIn)) <= 2, 'no chunk holds more than one page of records');
    const sections = Object.values(JSON.parse(chunks.join(''))).filter(Array.isArray) as unknown[][];
    assert.equal(chunks.map(recordsIn).reduce((a, b) => a + b), sections.reduce((n, records) => n + records.length, 0));
  });

  it('still imports an export written before webmentions and import records were exported', async () => {
    const source = new MemoryStore();
    await seedSite(source);
    const file = JSON.parse(await exportText(source, true)) as Record<string, unknown>;
    for (const section of ['webmentions', 'webmentions_sent', 'import_keys', 'legacy_paths', 'post_revisions']) {
      assert.ok(Array.isArray(file[section]), section);
      delete file[section];
    }
    const store = new MemoryStore();
    const summary = await importJsonExport(store, chunksOf(JSON.stringify(file), 50), { replace: false });
    assert.equal(summary.counts.comments, 8);
    assert.equal(summary.counts.webmentions, undefined);
    assert.equal(summary.mentionsToVerify, 0);
    assert.equal(await store.archive.count('legacyPaths'), 0);
  });

  it('queues verification again for a mention sent again whose new check had not run yet', async () => {
    const source = new MemoryStore();
    const { postIds } = await seedSite(source);
    await source.webmentions.receive({ source: 'https://friend.example/reply', target: 'https://blog.example/about', postId: postIds[1], via: 'webmention' }, FIXTURE_TIME + 600);
    const store = new MemoryStore();
    const summary = await importJsonExport(store, chunksOf(await exportText(source), 500), { replace: false, now: FIXTURE_TIME + 700 });
    assert.equal(summary.mentionsToVerify, 2);
    const jobs = await store.jobs.list({ kind: VERIFY_JOB, limit: 10, offset: 0 });
    assert.deepEqual(jobs.items.map((j) => [j.runAt, j.status]), [[FIXTURE_TIME + 700, 'pending'], [FIXTURE_TIME + 700, 'pending']]);
  });

  it('leaves secrets out unless asked, and keeps every field a move needs', async () => {
    const store = new MemoryStore();
    await seedSite(store);
    const file = JSON.parse(await exportText(store)) as Record<string, any>;
    assert.equal(file.kumbaya_export, 1);
    assert.equal(file.with_secrets, false);
    assert.equal(file.exported_at, new Date(FIXTURE_TIME + 1_000_000).toISOString());
    assert.equal(file.site.title, 'My blog');
    assert.equal(file.site.secret_key, undefined);
    assert.equal(file.site.setup_token, undefined);
    assert.equal(file.api_tokens, undefined);
    assert.ok(file.users.every((u: object) => !('password_hash' in u)));
    assert.ok(file.comments.every((c: object) => !('edit_token_hash' in c)));
    const hello = file.posts.find((p: any) => p.slug === 'hello-world');
    assert.deepEqual(hello.old_slugs, ['hello']);
    assert.equal(hello.published_at, new Date(FIXTURE_TIME).toISOString());
    assert.deepEqual(
      file.comments.map((c: any) => c.status),
      ['approved', 'approved', 'approved', 'pending', 'spam', 'trash', 'pending', 'approved'],
    );
    assert.deepEqual(file.comments[4].moderation_reasons, ['the spam filter is 99% sure']);
    assert.equal(file.comments[1].parent_id, file.comments[0].id);
    assert.equal(Buffer.from(file.uploads[0].data_base64, 'base64')[0], 137);
    const withSecrets = JSON.parse(await exportText(store, true)) as Record<string, any>;
    assert.equal(withSecrets.site.secret_key, 'k'.repeat(40));
    assert.ok(withSecrets.users[0].password_hash.startsWith('$argon2id$'));
  });

  it('carries what the team wrote about people (notes, labels, trust reasons, events) only with secrets; identities always', async () => {
    const store = new MemoryStore();
    await seedSite(store);
    const plain = await exportText(store);
    const file = JSON.parse(plain) as Record<string, any>;
    for (const section of ['person_notes', 'person_labels', 'person_label_links', 'person_events']) assert.equal(file[section], undefined, section);
    assert.doesNotMatch(plain, /tweetup|North Georgia|cooling/, 'no trace of a note, a label or a reason');
    assert.ok(file.people.every((p: object) => !('trust_reason' in p)));
    assert.equal(file.people.find((p: any) => p.name === 'Other').trust, 'muted');
    assert.deepEqual(
      file.person_identities.map((i: any) => [i.kind, i.value, i.verified]).sort(),
      [['email', 'other@example.com', false], ['email', 'reader@example.com', false], ['handle', '@reader@social.example', true], ['webmention', 'https://friend.example', false], ['website', 'https://reader.example', false]],
    );
    assert.equal(file.person_identities[0].first_seen, new Date(FIXTURE_TIME + 100).toISOString(), 'times as ISO strings');
    const full = JSON.parse(await exportText(store, true)) as Record<string, any>;
    assert.equal(full.person_notes[0].markdown, 'Met at the *tweetup*.');
    assert.deepEqual(full.person_labels.map((l: any) => l.name), ['North Georgia']);
    assert.equal(full.people.find((p: any) => p.name === 'Other').trust_reason, 'cooling <off>');
    assert.ok(full.person_events.some((e: any) => e.kind === 'trust' && e.detail.trust === 'muted'));
  });

  it('carries the fediverse followers (waiting ones too), the blocks and which comments were Notes, so a moved blog keeps its audience and conversations; private mentions only with secrets', async () => {
    const source = new MemoryStore();
    await seedSite(source);
    const file = JSON.parse(await exportText(source)) as Record<string, any>;
    assert.deepEqual(
      file.fediverse_followers.map((f: any) => [f.actor_uri, f.status, f.shared_inbox]),
      [['https://social.example/users/reader', 'accepted', 'https://social.example/inbox'], ['https://other.example/@waiting', 'pending', null]],
    );
    assert.deepEqual(file.fediverse_blocks.map((b: any) => [b.kind, b.value]), [['domain', 'spam.example']]);
    const store = new MemoryStore();
    await importJsonExport(store, chunksOf(JSON.stringify(file), 300), { replace: false });
    assert.deepEqual((await store.followers.listAccepted({ limit: 10 })).map((f) => [f.actorUri, f.inbox, f.followId]), [
      ['https://social.example/users/reader', 'https://social.example/users/reader/inbox', 'https://social.example/follows/1'],
    ]);
    assert.equal((await store.followers.listByStatus('pending')).length, 1);
    assert.equal(await store.fediverseBlocks.isBlocked('https://mail.spam.example/users/x'), true);
    // The comment that came from the fediverse is still known by its Note (an Update or Delete finds it, an answer reaches its author).
    const top = await store.fediverseReplies.findByNote('https://social.example/users/reader/statuses/1');
    assert.equal(top?.inbox, 'https://social.example/users/reader/inbox');
    assert.equal((await store.comments.findById(top!.commentId))?.authorName, 'Reader');
    // Likes and boosts still show on the post, and the authorized quote's address still answers.
    const reactions = await store.reactions.forPost((await store.comments.findById(top!.commentId))!.postId, 10);
    assert.deepEqual([reactions.likeCount, reactions.announceCount, reactions.announces[0].iconUrl], [1, 1, 'https://other.example/fan.png']);
    assert.equal((await store.reactions.findQuoteAuthorization(file.fediverse_quote_authorizations[0].id))?.quoteUri, 'https://other.example/users/fan/statuses/10');
    // A direct mention is a private message: only an export with secrets carries it.
    assert.equal(file.fediverse_private_mentions, undefined);
    assert.doesNotMatch(JSON.stringify(file), /Just between us/);
    const full = JSON.parse(await exportText(source, true)) as Record<string, any>;
    assert.deepEqual(full.fediverse_private_mentions.map((m: any) => [m.visibility, m.html]), [['direct', '<p>Just between us: lovely post.</p>']]);
    // A follower whose inbox is not an http(s) address would be delivered nowhere: refused with its place.
    file.fediverse_followers[0].inbox = 'javascript:alert(1)';
    await assert.rejects(importJsonExport(new MemoryStore(), chunksOf(JSON.stringify(file), 300), { replace: false }), (e: unknown) => e instanceof DomainError && /fediverse_followers/.test(e.message));
  });
});

describe('JSON import refuses what it cannot restore, and changes nothing', () => {
  const importText = (store: Store, text: string, replace = false) => importJsonExport(store, chunksOf(text, 5), { replace });
  const rejects = async (text: string, message: RegExp, chunk = 5) => {
    const store = new MemoryStore();
    await assert.rejects(importJsonExport(store, chunksOf(text, chunk), { replace: false }), (e: unknown) => e instanceof DomainError && message.test(e.message));
    assert.equal(await store.archive.count('users'), 0);
  };

  it('names the line and column of malformed JSON', () =>
    rejects('{"kumbaya_export": 1,\n"users": [\n{"id": 1,, "x": 2}]}', /not valid JSON at line 3, column 10: unexpected ","/));
  it('refuses text after the end of the export', async () => {
    await rejects('{"kumbaya_export": 1}\n  x', /not valid JSON at line 2, column 3/, 1000);
    await rejects('{"kumbaya_export": 1}\n  x', /not valid JSON at line 2, column 3/, 3);
  });
  it('says when the file is cut short', () => rejects('{"kumbaya_export": 1, "users": [{"id": 1', /ends in the middle/));
  it('refuses another format version', () => rejects('{"kumbaya_export": 2, "users": []}', /format version 2; this Kumbaya reads version 1: upgrade/));
  it('refuses a file without a version', () => rejects('{"users": []}', /must start with "kumbaya_export"|no "kumbaya_export"/));
  it('refuses something that is not an export', () => rejects('[1, 2]', /should be one JSON object, starting with "\{"/));
  it('names the record and field that is wrong', () =>
    rejects(
      '{"kumbaya_export": 1, "users": [{"id": 1, "email": "a@example.com", "name": "A", "slug": "a", "role": "king", "created_at": "2024-01-01T00:00:00.000Z"}]}',
      /users\[0\] \(id 1\): role: /,
    ));
  it('refuses unknown sections and sections out of order', async () => {
    await rejects('{"kumbaya_export": 1, "postz": [{}]}', /Unknown section "postz"/);
    await rejects('{"kumbaya_export": 1, "posts": [{}], "users": [{"id": 1}]}', /Section "users" comes after "posts"/, 1000);
  });
  it('rolls back everything when a late record fails', async () => {
    const source = new MemoryStore();
    await seedSite(source);
    const text = (await exportText(source)).replace('"dot.png"', '42');
    const store = new MemoryStore();
    await assert.rejects(importText(store, text), /uploads\[0\].*original_name/);
    assert.equal(await store.archive.count('posts'), 0);
  });
  it('refuses a site with content unless told to replace it', async () => {
    const source = new MemoryStore();
    await seedSite(source);
    const text = await exportText(source);
    const store = new MemoryStore();
    await store.users.create({ email: 'x@example.com', name: 'X', slug: 'x', bio: '', role: 'owner', passwordHash: null, createdAt: 1 });
    await assert.rejects(importText(store, text), (e: unknown) => e instanceof DomainError && e.code === 'conflict' && /not empty \(it has 1 user\).*--replace/.test(e.message));
    const summary = await importText(store, text, true);
    assert.equal(summary.usersWithoutPassword, 2);
    assert.equal(await store.users.findByEmail('x@example.com'), null);
    assert.equal((await store.users.list()).length, 2);
  });
});
