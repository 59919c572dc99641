import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseDocument } from 'htmlparser2';
import { findAll, textContent } from 'domutils';
import { Element } from 'domhandler';
import { openStore } from '../src/adapters/storage/open-store.ts';
import { loadConfig } from '../src/config/config.ts';
import { freshSchemaUrl } from './helpers/pg-schema.ts';
import { startTestKumbaya, testEngines, type Agent, type TestKumbaya } from './helpers/test-kumbaya.ts';
import { blog } from './helpers/wxr-builder.ts';

const NOW = Date.UTC(2026, 0, 1);
const clock = { now: () => NOW };

function upload(agent: Agent, file: string, fields: Record<string, string> = {}, json = false): Promise<Response> {
  const form = new FormData();
  form.set('_csrf', agent.csrf);
  form.set('source', 'wordpress');
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set('file', new File([file], 'old-blog.xml', { type: 'text/xml' }));
  return agent.request('/admin/import', { method: 'POST', body: form, headers: json ? { accept: 'application/json' } : {} });
}

for (const { engine, skip } of testEngines()) {
  describe(`Import from the admin, and old addresses (${engine})`, { skip }, () => {
    let kb: TestKumbaya;
    let owner: Agent;
    before(async () => {
      kb = await startTestKumbaya({ engine, clock });
      owner = await kb.signIn('owner');
    });
    after(() => kb?.cleanup());

    it('is for the owner only, and linked in the owner’s navigation', async () => {
      const author = await kb.signIn('author');
      assert.equal((await author.request('/admin/import')).status, 403);
      assert.equal((await upload(author, blog('1.2'))).status, 403);
      assert.ok(!(await (await author.request('/admin')).text()).includes('href="/admin/import"'));
      const page = await owner.request('/admin/import');
      assert.equal(page.status, 200);
      const text = await page.text();
      assert.match(text, /<a href="\/admin\/import" aria-current="page">Import<\/a>/);
      assert.match(text, /enctype="multipart\/form-data"/);
    });

    it('refuses a malformed file with its line and column, and imports nothing', async () => {
      const res = await upload(owner, blog('1.2').replace('<wp:post_type>page</wp:post_type>', '<wp:post_type>page</wp:post_typ>'));
      assert.equal(res.status, 422);
      const text = await res.text();
      assert.match(text, /not well-formed XML, so nothing was imported\. At line \d+, column \d+: unexpected close tag/);
      assert.equal((await kb.deps.store.posts.listAdmin({ limit: 1, offset: 0 })).total, 0);
    });

    it('shows what a dry run would do, changing nothing', async () => {
      const res = await upload(owner, blog('1.2'), { dry_run: '1' });
      assert.equal(res.status, 303);
      const report = await (await owner.request(res.headers.get('location')!)).text();
      assert.match(report, /Dry run: nothing was changed/);
      assert.match(report, /<th scope="row">posts<\/th><td>5<\/td>/);
      assert.equal((await kb.deps.store.posts.listAdmin({ limit: 1, offset: 0 })).total, 0);
    });

    it('imports an upload in the background with progress to poll, then shows the report', async () => {
      const res = await upload(owner, blog('1.2'), {}, true);
      assert.equal(res.status, 202);
      const { status, page } = (await res.json()) as { status: string; page: string };
      let state = 'running';
      while (state === 'running') {
        const s = (await (await owner.request(status, { headers: { accept: 'application/json' } })).json()) as { state: string; bytesRead: number; totalBytes: number };
        assert.ok(s.bytesRead <= s.totalBytes);
        state = s.state;
        if (state === 'running') await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(state, 'done');
      // The status is answered without a session (on SQLite the import holds the connection); its random id is the key.
      assert.equal((await kb.request(status)).status, 200);
      assert.equal((await kb.request('/admin/import/not-a-job/status')).status, 404);
      const report = await (await owner.request(page)).text();
      assert.match(report, /Import finished/);
      assert.match(report, /<th scope="row">posts<\/th><td>5<\/td><td>0<\/td>/);
      assert.match(report, /<th scope="row">comments<\/th><td>8<\/td>/);
      assert.match(report, /answers comment 77, which is not in the file: kept as a top-level comment/);
      assert.match(report, /nav_menu_item/);
      assert.match(report, /https:\/\/cdn.example\/cover.jpg/);
    });

    it('answers old WordPress addresses with a 301 to the new one', async () => {
      for (const old of ['/?p=10', '/2019/03/05/hello-world/', '/2019/03/hello-world/', '/hello-world/', '/2019/03/05/hello-world']) {
        const res = await kb.request(old);
        assert.equal(res.status, 301, old);
        assert.equal(res.headers.get('location'), '/hello-world', old);
      }
      const page = await kb.request('/?page_id=11');
      assert.equal(page.status, 301);
      assert.equal(page.headers.get('location'), '/about');
      // Drafts, private and scheduled posts stay hidden; unknown addresses stay 404.
      assert.equal((await kb.request('/?p=12')).status, 200, 'the home page, not the draft');
      assert.equal((await kb.request('/2019/03/05/secret/')).status, 404);
      assert.equal((await kb.request('/2019/03/05/nothing-here/')).status, 404);
      assert.equal((await kb.request('/hello-world')).status, 200);
    });

    it('shows the imported post with its nested thread and only approved comments', async () => {
      const text = await (await kb.request('/hello-world')).text();
      assert.match(text, /Hello &amp; welcome/);
      for (const name of ['First', 'Replier', 'Deep', 'Orphan']) assert.ok(text.includes(name), name);
      for (const name of ['Spammer', 'Trashed', 'Waiting']) assert.ok(!text.includes(name), name);
      // Each reply sits in the list item of the comment it answers.
      const doc = parseDocument(text);
      const articles = findAll((el) => el.name === 'article' && el.attribs['data-author'] !== undefined, doc.children);
      const chain = (author: string) => {
        const names: string[] = [];
        let node = articles.find((a) => a.attribs['data-author'] === author)?.parent as Element | null;
        while (node) {
          if (node.name === 'li') names.push((node.children.find((ch) => ch instanceof Element && ch.name === 'article') as Element).attribs['data-author']);
          node = node.parent as Element | null;
        }
        return names;
      };
      assert.deepEqual(chain('Deep'), ['Deep', 'Replier', 'First']);
      assert.deepEqual(chain('Orphan'), ['Orphan']);
      // The pingback is in "Mentioned by", linking to the page that linked here, not in the thread.
      assert.equal(articles.find((a) => a.attribs['data-author'] === 'Other blog'), undefined);
      const mentioned = findAll((el) => el.name === 'ul' && el.attribs.class === 'mentioned-by', doc.children);
      assert.equal(mentioned.length, 1);
      const links = findAll((el) => el.name === 'a', mentioned[0].children).map((a) => [a.attribs.href, textContent(a).trim()]);
      assert.deepEqual(links, [['https://reader9.example', 'Other blog'], ['https://reader9.example', 'reader9.example']]);
      assert.match(textContent(mentioned[0]), /mentioned this in[\s\S]*\[…\] a mention \[…\]/);
    });
  });
}

describe('kumbaya import (the command)', () => {
  const root = path.join(import.meta.dirname, '..');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kumbaya-import-cli-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function run(args: string[], databaseUrl = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'silent', DATABASE_URL: databaseUrl, SITE_URL: 'http://blog.test' };
      delete env.NODE_TEST_CONTEXT;
      const child = spawn(path.join(root, 'node_modules/.bin/node'), [path.join(root, 'bin/kumbaya.js'), ...args], { cwd: root, env, stdio: 'pipe' });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end();
    });
  }

  it('imports with progress on stderr and the report on stdout; --dry-run first, then for real, then again without duplicates', async () => {
    const file = path.join(dir, 'blog.xml');
    fs.writeFileSync(file, blog('1.1'));
    const dry = await run(['import', 'wordpress', file, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^Dry run of WordPress export \(WXR 1\.1\): nothing was changed/);
    assert.match(dry.stderr, /100% \(0\.0 of 0\.0 MB read\)/);
    const real = await run(['import', 'wordpress', file]);
    assert.equal(real.code, 0, real.stderr);
    assert.match(real.stdout, /posts +5 created +0 updated +0 unchanged +0 skipped/);
    assert.match(real.stdout, /Skipped \(1\):\n  other 16 \(Item 16\): a WordPress "nav_menu_item" has no counterpart in Kumbaya/);
    const again = await run(['import', 'wordpress', file]);
    assert.match(again.stdout, /posts +0 created +0 updated +5 unchanged/);
    assert.match(again.stdout, /comments +0 created +0 updated +8 unchanged/);
    // Each real import told running instances (through the change log) to drop their cached pages; the dry run did not.
    const store = await openStore(loadConfig({ DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'silent' }));
    try {
      const topics = ((await store.changeLog.after(1, { limit: 100 })) ?? []).map((e) => e.topic);
      assert.deepEqual(topics.filter((t) => t === 'content-imported'), ['content-imported', 'content-imported']);
    } finally {
      await store.close();
    }
  });

  it('imports into PostgreSQL too, and records the change there for the other instances', { skip: process.env.KUMBAYA_TEST_PG_URL ? false : 'KUMBAYA_TEST_PG_URL not set' }, async () => {
    const file = path.join(dir, 'blog-pg.xml');
    fs.writeFileSync(file, blog('1.2'));
    const { url, drop } = await freshSchemaUrl(process.env.KUMBAYA_TEST_PG_URL!);
    try {
      const real = await run(['import', 'wordpress', file], url);
      assert.equal(real.code, 0, real.stderr);
      assert.match(real.stdout, /posts +5 created +0 updated +0 unchanged +0 skipped/);
      const store = await openStore(loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'silent' }));
      try {
        const topics = ((await store.changeLog.after(1, { limit: 100 })) ?? []).map((e) => e.topic);
        assert.deepEqual(topics, ['content-imported']);
      } finally {
        await store.close();
      }
    } finally {
      await drop();
    }
  });

  it('fails with the line and column of a malformed file, and a missing file or argument is explained', async () => {
    const file = path.join(dir, 'broken.xml');
    fs.writeFileSync(file, '<rss>\n<channel>\n  <item>\n</channel></rss>');
    const broken = await run(['import', 'disqus', file]);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /broken\.xml is not well-formed XML, so nothing was imported: line 4, column 10: unexpected close tag/);
    const missing = await run(['import', 'wordpress', path.join(dir, 'nope.xml')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Cannot read .*nope\.xml: no such file/);
    const usage = await run(['import', 'wordpress']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /Missing FILE/);
  });
});
