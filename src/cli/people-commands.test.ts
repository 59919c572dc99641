import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { composeKumbaya, type Kumbaya } from '../compose.ts';
import { loadConfig } from '../config/config.ts';
import type { Comment, Person } from '../core/store.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const node24 = path.join(root, 'node_modules/.bin/node');
const bin = path.join(root, 'bin/kumbaya.js');
const SITE_URL = 'http://blog.test';

/** Runs the real CLI in a child process; standard input is `input`, then closed (never a terminal). */
function run(dataDir: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent', DATABASE_URL: '', SITE_URL };
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

async function withKumbaya<T>(dataDir: string, work: (k: Kumbaya) => Promise<T>): Promise<T> {
  const k = await composeKumbaya(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', SITE_URL }), { logger: pino({ level: 'silent' }) });
  try {
    return await work(k);
  } finally {
    await k.close();
  }
}

describe('kumbaya people list|show|export|forget', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kumbaya-people-cli-'));
  let ada: Person;
  let owner: Person;
  let adaComment: Comment;
  const NOW = Date.UTC(2026, 0, 5, 10);
  before(async () => {
    await withKumbaya(dir, async ({ deps: { store } }) => {
      const user = await store.users.create({ email: 'owner@example.com', name: 'Owner', slug: 'owner', bio: '', role: 'owner', passwordHash: null, createdAt: NOW });
      const post = await store.posts.create({ type: 'post', slug: 'porches', title: 'Porches', markdown: 'x', html: '<p>x</p>', excerpt: 'x', status: 'published', visibility: 'public', publishedAt: NOW, authorId: user.id, coverImage: null, tags: [], commentsMode: 'inherit', commentsCloseDays: null }, NOW);
      ada = await store.people.upsertByEmail({ name: 'Ada Lovelace', email: 'ada@example.com', website: 'https://ada.example' }, NOW + 1);
      owner = await store.people.upsertByEmail({ name: 'Owner', email: 'owner@example.com', website: null }, NOW);
      for (let i = 0; i < 3; i++) await store.people.upsertByEmail({ name: `Reader ${i}`, email: `reader${i}@example.com`, website: null }, NOW - 1000 * (i + 1));
      const write = { postId: post.id, parentId: null, userId: null, authorName: 'Ada Lovelace', authorEmail: 'ada@example.com', authorUrl: 'https://ada.example', html: '<p>x</p>', createdAt: NOW + 2, ip: '198.51.100.9' };
      adaComment = await store.comments.create({ ...write, personId: ada.id, markdown: 'Engines weave.', status: 'approved' });
      await store.comments.create({ ...write, personId: ada.id, markdown: 'Held one.', status: 'pending' });
      await store.people.addLabel(ada.id, 'Mathematicians', user.id, NOW);
    });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('list pages the people, most recently seen first, and searches them', async () => {
    const first = await run(dir, ['people', 'list', '--limit', '2']);
    assert.equal(first.code, 0, first.stderr);
    const lines = first.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^ID +NAME +IDENTITIES +LAST SEEN +TRUST +WAITING$/);
    assert.match(lines[1], new RegExp(`^${ada.id} +Ada Lovelace +ada@example\\.com, https://ada\\.example +2026-01-05 +normal +yes$`));
    assert.equal(lines.length, 3);
    const more = /--after (\S+)/.exec(first.stderr)?.[1];
    assert.ok(more, first.stderr);
    const second = await run(dir, ['people', 'list', '--limit', '2', '--after', more]);
    assert.deepEqual(second.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/ {2,}/)[1]), ['Reader 0', 'Reader 1']);
    const found = await run(dir, ['people', 'list', '-q', 'ADA.example']);
    assert.equal(found.stdout.trimEnd().split('\n').length, 2);
    assert.equal((await run(dir, ['people', 'list', '-q', 'nobody-like-this'])).stderr, 'Nobody matches.\n');
    const bad = await run(dir, ['people', 'list', '--limit', '0']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--limit must be a whole number from 1 to 500/);
  });

  test('show prints their identities, labels and what passed between you', async () => {
    const { code, stdout } = await run(dir, ['people', 'show', String(ada.id)]);
    assert.equal(code, 0);
    assert.match(stdout, new RegExp(`^Ada Lovelace \\(person ${ada.id}\\)\n`));
    assert.match(stdout, /Trust: normal\. Waiting for you: yes\./);
    assert.match(stdout, /email +ada@example\.com +claimed/);
    assert.match(stdout, /Labels: Mathematicians/);
    assert.match(stdout, /comments +2 \(1 published, 1 held\)/);
    const missing = await run(dir, ['people', 'show', '99999']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'kumbaya: Person 99999 was not found.\n');
  });

  test('export writes their data as JSON to a file or to standard output', async () => {
    const file = path.join(dir, 'ada.json');
    const toFile = await run(dir, ['people', 'export', String(ada.id), '--output', file]);
    assert.equal(toFile.code, 0, toFile.stderr);
    assert.match(toFile.stderr, /^Exported person \d+: 2 comment\(s\), 2 identities to .*ada\.json\.\n$/);
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(doc.format, 'kumbaya-person');
    assert.deepEqual(doc.comments.map((c: { text: string; status: string }) => [c.text, c.status]), [['Engines weave.', 'approved'], ['Held one.', 'pending']]);
    assert.equal(doc.comments[0].ip, '198.51.100.9');
    const toStdout = await run(dir, ['people', 'export', String(ada.id)]);
    assert.deepEqual({ ...JSON.parse(toStdout.stdout), exported_at: null }, { ...doc, exported_at: null });
  });

  test('forget asks for --yes when it cannot ask, refuses a team member, then forgets and prints the audit line', async () => {
    const unasked = await run(dir, ['people', 'forget', String(ada.id), '--comments', 'anonymise']);
    assert.equal(unasked.code, 1);
    assert.match(unasked.stderr, /This forgets Ada Lovelace .* It cannot be undone\.\nkumbaya: Nothing was changed: add --yes to forget them/s);
    const noChoice = await run(dir, ['people', 'forget', String(ada.id), '--yes']);
    assert.equal(noChoice.code, 2);
    assert.match(noChoice.stderr, /Missing --comments/);
    const wrong = await run(dir, ['people', 'forget', String(ada.id), '--comments', 'delete', '--yes']);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /--comments must be one of anonymise, trash \(got "delete"\)/);
    const staff = await run(dir, ['people', 'forget', String(owner.id), '--comments', 'trash', '--yes']);
    assert.equal(staff.code, 1);
    assert.match(staff.stderr, /This person is on the team/);
    await withKumbaya(dir, async ({ deps: { store } }) => assert.equal((await store.people.findById(ada.id))!.name, 'Ada Lovelace'));

    const done = await run(dir, ['people', 'forget', String(ada.id), '--comments', 'trash', '--yes']);
    assert.equal(done.code, 0, done.stderr);
    assert.equal(done.stdout, `Person #${ada.id} forgotten from the command line: 2 comments moved to the trash, without their name; 2 identities and 1 label erased.\n`);
    await withKumbaya(dir, async ({ deps: { store } }) => {
      assert.equal(await store.people.findById(ada.id), null);
      const c = (await store.comments.findById(adaComment.id))!;
      assert.deepEqual([c.status, c.authorName, c.authorEmail, c.ip], ['trash', 'Someone', '', null]);
      assert.equal((await store.audit.list({ limit: 5 }))[0].detail.commandLine, true);
    });
    assert.equal((await run(dir, ['people', 'forget', String(ada.id), '--comments', 'trash', '--yes'])).code, 1, 'someone unknown');
  });
});
