import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { XMLValidator } from 'fast-xml-parser';
import { openStore } from '../compose.ts';
import { loadConfig } from '../config/config.ts';
import { seedSite } from '../migration/site-fixture.ts';
import { freshSchemaUrl } from '../../test/helpers/pg-schema.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const node24 = path.join(root, 'node_modules/.bin/node');
const pgUrl = process.env.KUMBAYA_TEST_PG_URL;

/** Runs the real CLI in a child process with `env` (a data directory or a database URL). */
function run(args: string[], env: Record<string, string>, input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent', DATABASE_URL: '', SITE_URL: 'http://blog.test', ...env };
    delete childEnv.NODE_TEST_CONTEXT;
    const child = spawn(node24, [path.join(root, 'bin/kumbaya.js'), ...args], { cwd: root, env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('kumbaya export, import, backup and restore commands', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kumbaya-migration-cli-'));
  const dir = (name: string) => path.join(work, name);
  const site = { DATA_DIR: dir('site') };
  const exported = dir('site.json');
  const cleanups: Array<() => Promise<void>> = [];

  before(async () => {
    const store = await openStore(loadConfig({ ...site, LOG_LEVEL: 'silent' }));
    await seedSite(store);
    await store.close();
  });
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('exports JSON to a file and to standard output, without secrets', async () => {
    const toFile = await run(['export', 'json', '--output', exported], site);
    assert.equal(toFile.code, 0, toFile.stderr);
    assert.match(toFile.stderr, /^Exported settings 3, users 2, tags 2, posts 5, people 3, comments 8, email addresses 2, subscriptions 2, uploads 1, spam totals 2, spam tokens 5, webmentions 2, webmentions sent 2, import keys 3, legacy paths 2, comment revisions 2, post revisions 3, person identities 5, fediverse followers 2, fediverse blocks 1, fediverse comments 1, fediverse reactions 2, fediverse quote authorizations 1, post sources 1, audit log 1 to .*site\.json\.\n$/);
    assert.equal(fs.existsSync(`${exported}.partial`), false);
    const file = JSON.parse(fs.readFileSync(exported, 'utf8'));
    assert.equal(file.kumbaya_export, 1);
    assert.equal(file.site.secret_key, undefined);
    const toStdout = await run(['export', 'json'], site);
    assert.equal(toStdout.code, 0);
    const streamed = JSON.parse(toStdout.stdout);
    delete streamed.exported_at;
    delete file.exported_at;
    assert.deepEqual(streamed, file);
  });

  it('imports into a fresh data directory once, then refuses the full site', async () => {
    const target = { DATA_DIR: dir('imported') };
    const first = await run(['import', 'json', exported], target);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^Imported settings 3, users 2, .*comments 8.*\.\n1 received webmention\(s\) were still being verified: they are checked again once the server runs\.\n/);
    assert.match(first.stdout, /2 user\(s\) have no password: the export was taken without --with-secrets/);
    const again = await run(['import', 'json', exported], target);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^kumbaya: This site is not empty \(it has 2 users\); restore into a fresh site, or pass --replace/);
    const replaced = await run(['import', 'json', exported, '--replace'], target);
    assert.equal(replaced.code, 0, replaced.stderr);
    const piped = await run(['import', 'json', '-'], { DATA_DIR: dir('piped') }, fs.readFileSync(exported, 'utf8'));
    assert.equal(piped.code, 0, piped.stderr);
    assert.match(piped.stdout, /comments 8/);
  });

  it('answers a malformed, missing or absent file with a precise message', async () => {
    const broken = dir('broken.json');
    fs.writeFileSync(broken, '{"kumbaya_export": 1,\n  "users": [}\n');
    const malformed = await run(['import', 'json', broken], { DATA_DIR: dir('broken') });
    assert.equal(malformed.code, 1);
    assert.equal(malformed.stderr, 'kumbaya: The file is not valid JSON at line 2, column 13: unexpected "}".\n');
    const missing = await run(['import', 'json', dir('nope.json')], { DATA_DIR: dir('broken') });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.json does not exist/);
    const usage = await run(['import', 'json'], { DATA_DIR: dir('broken') });
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /^kumbaya: Missing FILE \(the export to read, or - for standard input\)\.\nUsage: npx kumbaya import json FILE \[--replace\]/);
  });

  it('moves a site from SQLite to PostgreSQL with its accounts', { skip: !pgUrl && process.env.CI !== 'true' ? 'KUMBAYA_TEST_PG_URL is not set' : false }, async () => {
    assert.ok(pgUrl, 'KUMBAYA_TEST_PG_URL is not set; CI must test PostgreSQL');
    const { url, drop } = await freshSchemaUrl(pgUrl);
    cleanups.push(drop);
    const moving = dir('move.json');
    assert.equal((await run(['export', 'json', '--with-secrets', '--output', moving], site)).code, 0);
    const imported = await run(['import', 'json', moving], { DATABASE_URL: url });
    assert.equal(imported.code, 0, imported.stderr);
    assert.doesNotMatch(imported.stdout, /no password/);
    const store = await openStore(loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'silent' }));
    try {
      assert.match((await store.users.findByEmail('ada@example.com'))!.passwordHash!, /^\$argon2id\$/);
      assert.equal((await store.settings.getAll()).secret_key, 'k'.repeat(40));
      assert.equal((await store.comments.countByStatus()).spam, 1);
    } finally {
      await store.close();
    }
  });

  it('exports WXR to a file', async () => {
    const out = dir('wordpress.xml');
    const result = await run(['export', 'wxr', '--output', out], site);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, `Exported 5 posts and pages, 8 comments, 1 pingback/trackback, 2 tags and 2 authors to ${out}.\n`);
    assert.equal(XMLValidator.validate(fs.readFileSync(out, 'utf8')), true);
  });

  it('backs up, refuses a damaged backup, and restores a sound one', async () => {
    const backup = dir('backup');
    const made = await run(['backup', '--output', backup], site);
    assert.equal(made.code, 0, made.stderr);
    const full = await run(['backup', '--output', backup], site);
    assert.equal(full.code, 1);
    assert.match(full.stderr, /is not empty; back up into a new folder/);

    const damaged = dir('damaged');
    fs.cpSync(backup, damaged, { recursive: true });
    fs.appendFileSync(path.join(damaged, 'kumbaya.db'), 'x');
    const refused = await run(['restore', damaged, '--data-dir', dir('from-damaged')], {});
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /The backup is damaged: kumbaya\.db does not match the checksum in manifest\.json/);
    assert.equal(fs.existsSync(dir('from-damaged')), false);

    const restored = await run(['restore', backup, '--data-dir', dir('restored')], {});
    assert.equal(restored.code, 0, restored.stderr);
    const original = await run(['export', 'json'], site);
    const copy = await run(['export', 'json'], { DATA_DIR: dir('restored') });
    const strip = (text: string) => ({ ...JSON.parse(text), exported_at: null });
    assert.deepEqual(strip(copy.stdout), strip(original.stdout));

    if (!pgUrl) return;
    // The same SQLite backup onto PostgreSQL: its records stream across into the other engine.
    const { url, drop } = await freshSchemaUrl(pgUrl);
    cleanups.push(drop);
    const onPostgres = await run(['restore', backup], { DATABASE_URL: url });
    assert.equal(onPostgres.code, 0, onPostgres.stderr);
    assert.match(onPostgres.stdout, /^Restored settings 5, users 2, .*comments 8.* into PostgreSQL\.\n1 received webmention\(s\) were still being verified.*\n$/);
    const fromPostgres = await run(['export', 'json'], { DATABASE_URL: url });
    assert.deepEqual(strip(fromPostgres.stdout), strip(original.stdout));
    const twice = await run(['restore', backup], { DATABASE_URL: url });
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /^kumbaya: This site is not empty \(it has 2 users\)/);
  });
});
