import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Comment, CommentStatus, Post, User } from '../core/store.ts';
import { startTestKumbaya, testEngines, type TestKumbaya } from '../../test/helpers/test-kumbaya.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const node24 = path.join(root, 'node_modules/.bin/node');
const bin = path.join(root, 'bin/kumbaya.js');

for (const { engine, skip } of testEngines()) {
  describe(`kumbaya comments list|show|approve|hold|spam|trash|restore|reply (${engine})`, { skip }, () => {
    let k: TestKumbaya;
    let owner: User;
    let author: User;
    let post: Post;
    let authorsPost: Post;
    const NOW = Date.UTC(2026, 0, 5, 10);

    /** Runs the real CLI in a child process against the same database as `k`. */
    function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
      return new Promise((resolve, reject) => {
        const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: k.config.dataDir, LOG_LEVEL: 'silent', SITE_URL: 'http://blog.test', DATABASE_URL: '' };
        if (engine === 'postgres') {
          const url = process.env.KUMBAYA_TEST_PG_URL!;
          env.DATABASE_URL = `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${k.pgSchema}`)}`;
        }
        delete env.NODE_TEST_CONTEXT;
        const child = spawn(node24, [bin, ...args], { cwd: root, env, stdio: 'pipe' });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
        child.stdin.end('');
      });
    }

    let written = 0;
    async function comment(postId: number, status: CommentStatus, markdown: string, extra: Partial<Comment> = {}): Promise<Comment> {
      written++;
      const email = `reader${written}@example.com`;
      const person = await k.deps.store.people.upsertByEmail({ name: `Reader ${written}`, email, website: null }, NOW);
      return k.deps.store.comments.create({
        postId, parentId: null, personId: person.id, userId: null, authorName: `Reader ${written}`, authorEmail: email, authorUrl: null,
        markdown, html: `<p>${markdown}</p>`, status, createdAt: NOW + written * 1000, ip: '198.51.100.7', moderationReasons: status === 'pending' ? ['first comment from this person'] : [], ...extra,
      });
    }

    const statusOf = async (id: number) => (await k.deps.store.comments.findById(id))?.status;

    before(async () => {
      k = await startTestKumbaya({ engine });
      owner = await k.deps.auth.createUser({ name: 'Olive Owner', email: 'owner@example.com', password: 'correct horse battery' }, 'owner');
      author = await k.deps.auth.createUser({ name: 'Arun Author', email: 'author@example.com', password: 'correct horse battery' }, 'author');
      post = (await k.deps.posts.publish(owner, (await k.deps.posts.create(owner, { title: 'Porches', slug: 'porches', markdown: 'x' })).id)).post;
      authorsPost = (await k.deps.posts.publish(author, (await k.deps.posts.create(author, { title: 'Mine', slug: 'mine', markdown: 'y' })).id)).post;
    });
    after(() => k.cleanup());

    test('list: newest first, filtered, paged with --after without repeats; bad options are usage errors', async () => {
      const listed = [await comment(post.id, 'approved', 'First words.'), await comment(post.id, 'pending', 'Held words.'), await comment(post.id, 'spam', 'Buy   shoes\nnow.'), await comment(authorsPost.id, 'approved', 'Elsewhere.')];
      const all = await run(['comments', 'list']);
      assert.equal(all.code, 0, all.stderr);
      const lines = all.stdout.trimEnd().split('\n');
      assert.match(lines[0], /^ID +STATUS +POST +AUTHOR +WRITTEN +TEXT$/);
      assert.deepEqual(lines.slice(1).map((l) => Number(l.split(/ +/)[0])), listed.map((c) => c.id).reverse(), 'newest first');
      assert.match(lines[2], new RegExp(`^${listed[2].id} +spam +${post.id} +Reader \\d+ +2026-01-05 10:00 UTC +Buy shoes now\\.$`));

      const first = await run(['comments', 'list', '--limit', '3']);
      assert.equal(first.stdout.trimEnd().split('\n').length, 4);
      const more = /--after (\S+)/.exec(first.stderr)?.[1];
      assert.ok(more, first.stderr);
      const second = await run(['comments', 'list', '--limit', '3', '--after', more]);
      assert.deepEqual(second.stdout.trimEnd().split('\n').slice(1).map((l) => Number(l.split(/ +/)[0])), [listed[0].id]);
      assert.equal(second.stderr, '', 'the last page offers no more');

      const pending = await run(['comments', 'list', '--status', 'pending', '--post', String(post.id)]);
      assert.deepEqual(pending.stdout.trimEnd().split('\n').slice(1).map((l) => Number(l.split(/ +/)[0])), [listed[1].id]);
      assert.equal((await run(['comments', 'list', '-q', 'HELD WORDS'])).stdout.trimEnd().split('\n').length, 2);
      assert.equal((await run(['comments', 'list', '--person', String(listed[3].personId)])).stdout.trimEnd().split('\n').length, 2);
      assert.equal((await run(['comments', 'list', '--since', '2027-01-01'])).stderr, 'No comment matches.\n');

      for (const [args, message] of [
        [['--limit', '0'], /--limit must be a whole number from 1 to 500/],
        [['--status', 'held'], /--status must be one of pending, approved, spam, trash/],
        [['--after', 'yesterday'], /--after takes the value printed under the last page/],
        [['--since', 'monday'], /--since takes a date or a time/],
      ] as Array<[string[], RegExp]>) {
        const bad = await run(['comments', 'list', ...args]);
        assert.equal(bad.code, 2, args.join(' '));
        assert.match(bad.stderr, message);
      }
    });

    test('show: who, where, status with reasons, the text and its history', async () => {
      const held = await comment(post.id, 'pending', 'A *question*?');
      await k.deps.comments.editAsStaff(owner, held.id, { body: 'A *better* question?' });
      const shown = await run(['comments', 'show', String(held.id)]);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, new RegExp(`^Comment ${held.id} by Reader \\d+ <reader\\d+@example\\.com> \\(person \\d+\\)\n`));
      assert.match(shown.stdout, /On “Porches” \(post \d+\)/);
      assert.match(shown.stdout, /Status: held for review \(first comment from this person\)/);
      assert.match(shown.stdout, /\nA \*better\* question\?\n/);
      assert.match(shown.stdout, /History\n {2}\d{4}-\d\d-\d\d \d\d:\d\d UTC Olive Owner changed it; it was: A \*question\*\?/);
      const missing = await run(['comments', 'show', '999999']);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /Comment 999999/);
      assert.equal((await run(['comments', 'show', 'abc'])).code, 2);
    });

    test('approve, hold, spam, trash, restore: all or nothing, with the reason kept and the decision on the writer’s timeline', async () => {
      const a = await comment(post.id, 'pending', 'One.');
      const b = await comment(post.id, 'pending', 'Two.');
      const missing = await run(['comments', 'approve', `${a.id},999998`]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /No comment has the number 999998; nothing was changed\./);
      assert.equal(await statusOf(a.id), 'pending');

      const approved = await run(['comments', 'approve', `${a.id},${b.id}`, '--as', 'owner@example.com']);
      assert.equal(approved.code, 0, approved.stderr);
      assert.equal(approved.stdout, `Published 2 comments: ${a.id}, ${b.id}.\n`);
      assert.equal(await statusOf(b.id), 'approved');
      const again = await run(['comments', 'approve', String(a.id)]);
      assert.equal(again.stdout, `Published 0 comments. Already so: ${a.id}.\n`);

      const held = await run(['comments', 'hold', String(a.id), '--reason', 'checking the link', '--as', 'owner@example.com']);
      assert.equal(held.stdout, `Held 1 comment: ${a.id}.\n`);
      const after = await k.deps.store.comments.findById(a.id);
      assert.equal(after?.status, 'pending');
      assert.equal(after?.moderationReasons.at(-1), 'checking the link');
      const timeline = await k.deps.store.people.timeline(a.personId!, { kinds: ['event'], limit: 10, before: null });
      const event = timeline.entries.find((e) => e.kind === 'event' && e.event.kind === 'moderated' && e.event.detail.status === 'pending');
      assert.ok(event && event.kind === 'event');
      assert.equal(event.event.detail.reason, 'checking the link');
      assert.equal(event.event.actorId, owner.id);

      assert.equal((await run(['comments', 'spam', String(b.id)])).stdout, `Sent to Spam 1 comment: ${b.id}.\n`);
      assert.equal(await statusOf(b.id), 'spam');
      assert.equal((await run(['comments', 'trash', String(a.id)])).stdout, `Moved to the trash 1 comment: ${a.id}.\n`);
      assert.equal((await run(['comments', 'restore', `${a.id},${b.id}`])).stdout, `Restored 2 comments: ${a.id}, ${b.id}.\n`);
      assert.equal(await statusOf(a.id), 'approved');
      assert.equal(await statusOf(b.id), 'approved');

      const bad = await run(['comments', 'trash', '12,x']);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /IDS must be comment numbers separated by commas, like 12,34 \(not "x"\)/);
      const nobody = await run(['comments', 'trash', String(a.id), '--as', 'nobody@example.com']);
      assert.equal(nobody.code, 1);
      assert.match(nobody.stderr, /No user has the email nobody@example\.com/);
      assert.equal(await statusOf(a.id), 'approved', 'nothing changed');
    });

    test('reply: published under the team member, a held comment approved first; spam, empty text and another author’s post refused', async () => {
      const question = await comment(post.id, 'pending', 'Is it open on Sundays?');
      const replied = await run(['comments', 'reply', String(question.id), '--as', 'owner@example.com', '--body', 'Yes, *all day*.']);
      assert.equal(replied.code, 0, replied.stderr);
      const id = Number(/comment (\d+),/.exec(replied.stdout)?.[1]);
      assert.match(replied.stdout, new RegExp(`^Replied as Olive Owner: comment ${id}, http://blog\\.test/porches#comment-${id}\n$`));
      const reply = await k.deps.store.comments.findById(id);
      assert.equal(reply?.parentId, question.id);
      assert.equal(reply?.userId, owner.id);
      assert.equal(reply?.status, 'approved');
      assert.match(reply?.html ?? '', /<em>all day<\/em>/);
      assert.equal(await statusOf(question.id), 'approved', 'the question was approved first');

      const spam = await comment(post.id, 'spam', 'Buy.');
      const refused = await run(['comments', 'reply', String(spam.id), '--as', 'owner@example.com', '--body', 'No.']);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /This comment is in spam\. Restore it before answering it\./);
      const empty = await run(['comments', 'reply', String(question.id), '--as', 'owner@example.com', '--body', '  ']);
      assert.equal(empty.code, 1);
      assert.match(empty.stderr, /Write your reply first\./);
      const notTheirs = await run(['comments', 'reply', String(question.id), '--as', 'author@example.com', '--body', 'Hi.']);
      assert.equal(notTheirs.code, 1);
      assert.match(notTheirs.stderr, /Authors look after the comments on their own posts/);
      const missingBody = await run(['comments', 'reply', String(question.id), '--as', 'owner@example.com']);
      assert.equal(missingBody.code, 2);
      assert.match(missingBody.stderr, /Missing --body/);
    });
  });
}
