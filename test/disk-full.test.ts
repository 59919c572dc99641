import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { composeKumbaya, databaseTarget, type Kumbaya } from '../src/compose.ts';
import { loadConfig } from '../src/config/config.ts';
import { migrateToLatest, openDatabase } from '../src/adapters/storage/database.ts';
import { KyselyStore } from '../src/adapters/storage/kysely-store.ts';
import type { NodeSqliteDatabase } from '../src/adapters/storage/node-sqlite-database.ts';
import { eachRecord } from '../src/core/archive.ts';
import { seedDemo } from '../src/demo/seed-demo.ts';
import { freshSchemaUrl } from './helpers/pg-schema.ts';
import { tempDir } from './helpers/spawn-server.ts';
import { Agent } from './helpers/test-kumbaya.ts';

const DEMO = '/you-cant-fail-in-social-media';
const pgUrl = process.env.KUMBAYA_TEST_PG_URL;
/** Long enough to need new database pages of its own. */
const BODY = `Please keep this text: ${'a careful thought that took a while to write. '.repeat(150)}`.trim();

interface Site {
  kumbaya: Kumbaya;
  reader: Agent;
  now: { value: number };
}

async function openForm(agent: Agent): Promise<{ postId: string; formToken: string }> {
  const page = await (await agent.request(DEMO)).text();
  const postId = /name="postId" value="(\d+)"/.exec(page)?.[1];
  const formToken = /name="formToken" value="([^"]+)"/.exec(page)?.[1];
  assert.ok(postId && formToken, 'the post page carries the comment form');
  return { postId, formToken };
}

/** Posts BODY as a reader would, without JavaScript (a form) or with it (JSON). */
async function postComment(site: Site, json: boolean, email = 'dana@example.org'): Promise<Response> {
  const { postId, formToken } = await openForm(site.reader);
  site.now.value += 20_000;
  const fields = { postId, formToken, name: 'Dana', email, website: '', body: BODY };
  if (json) return site.reader.request('/comments', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(fields) });
  return site.reader.request('/comments', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });
}

async function storedCopies(site: Site): Promise<number> {
  let n = 0;
  for await (const comment of eachRecord(site.kumbaya.deps.store.archive, 'comments')) if (comment.markdown === BODY) n++;
  return n;
}

/** The answer a writer gets while the store cannot write: 503, Retry-After, the reader's text kept. */
async function assertRefusedKeepingText(site: Site, problem: string, reason: RegExp): Promise<void> {
  const copies = await storedCopies(site);
  const page = await postComment(site, false);
  assert.equal(page.status, 503);
  assert.ok(Number(page.headers.get('retry-after')) > 0, 'Retry-After says when to try again');
  const text = await page.text();
  assert.match(text, reason);
  assert.match(text, /your text is still here/);
  // The form is shown again, holding what the reader wrote.
  assert.match(text, /<textarea[^>]*name="body"[^>]*>Please keep this text: a careful thought/);
  assert.ok(text.includes(BODY), 'the whole text is in the form');

  const api = await postComment(site, true);
  assert.equal(api.status, 503);
  assert.ok(Number(api.headers.get('retry-after')) > 0);
  const answer = (await api.json()) as { error: { code: string; message: string } };
  assert.equal(answer.error.code, 'storage_unavailable');
  assert.match(answer.error.message, reason);
  assert.match(answer.error.message, /your text is still here/);

  const health = await site.kumbaya.app.request('/healthz');
  assert.equal(health.status, 503);
  const status = (await health.json()) as { status: string; problem: string; message: string };
  assert.equal(status.status, 'error');
  assert.equal(status.problem, problem);
  assert.match(status.message, reason);
  assert.equal(await storedCopies(site), copies, 'nothing was written');
}

async function assertRecovered(site: Site, email: string): Promise<void> {
  const copies = await storedCopies(site);
  const health = await site.kumbaya.app.request('/healthz');
  assert.equal(health.status, 200);
  assert.equal(((await health.json()) as { status: string }).status, 'ok');
  const res = await postComment(site, false, email);
  assert.equal(res.status, 303, 'the same comment goes through once the disk takes writes again');
  assert.equal(await storedCopies(site), copies + 1);
}

describe('a full or read-only disk (SQLite, through the real database)', () => {
  let site: Site;
  let sqlite: NodeSqliteDatabase;
  let dir: string;
  const pragma = (statement: string) => sqlite.raw.prepare(statement).get() as Record<string, number> | undefined;

  before(async () => {
    dir = tempDir('kumbaya-disk-');
    const now = { value: Date.UTC(2026, 10, 1, 12) };
    const config = loadConfig({ DATA_DIR: dir, DATABASE_URL: '', LOG_LEVEL: 'silent', SECRET_KEY: 'disk-full-test-secret-'.padEnd(48, 'x'), OUTBOX_INTERVAL_MS: '600000' });
    const opened = openDatabase(databaseTarget(config));
    sqlite = opened.sqlite!;
    await migrateToLatest(opened.db, opened.engine);
    const kumbaya = await composeKumbaya(config, { store: new KyselyStore(opened.db, opened.engine), clock: { now: () => now.value }, logger: pino({ level: 'silent' }) });
    await seedDemo(kumbaya.deps.store, kumbaya.deps.posts, now.value);
    site = { kumbaya, reader: new Agent(kumbaya.app), now };
  });
  after(async () => {
    await site?.kumbaya.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('full (SQLITE_FULL): 503 with Retry-After and the text kept, /healthz failing, then recovery when space returns', async () => {
    // The file may not grow by a single page: SQLite answers SQLITE_FULL, as on a full disk.
    const pages = pragma('pragma page_count')!.page_count;
    pragma(`pragma max_page_count = ${pages}`);
    await assertRefusedKeepingText(site, 'disk_full', /disk is full/);
    pragma('pragma max_page_count = 1073741823');
    await assertRecovered(site, 'dana@example.org');
  });

  it('read-only (SQLITE_READONLY): the same, then recovery', async () => {
    pragma('pragma query_only = 1');
    await assertRefusedKeepingText(site, 'read_only', /read-only/).catch(async (error) => {
      pragma('pragma query_only = 0');
      throw error;
    });
    pragma('pragma query_only = 0');
    await assertRecovered(site, 'dana.again@example.org');
  });
});

describe('a read-only database (PostgreSQL, SQLSTATE 25006 through the real database)', { skip: !pgUrl && process.env.CI !== 'true' ? 'KUMBAYA_TEST_PG_URL is not set' : false }, () => {
  let site: Site;
  let writable: Kumbaya;
  let drop: () => Promise<void>;

  before(async () => {
    assert.ok(pgUrl, 'KUMBAYA_TEST_PG_URL is not set; CI must test PostgreSQL');
    const schema = await freshSchemaUrl(pgUrl);
    drop = schema.drop;
    const now = { value: Date.UTC(2026, 10, 1, 12) };
    const env = { DATABASE_URL: schema.url, LOG_LEVEL: 'silent', SECRET_KEY: 'disk-full-test-secret-'.padEnd(48, 'x'), OUTBOX_INTERVAL_MS: '600000' };
    writable = await composeKumbaya(loadConfig(env), { clock: { now: () => now.value }, logger: pino({ level: 'silent' }) });
    await seedDemo(writable.deps.store, writable.deps.posts, now.value);
    // A second instance whose every transaction is read-only, as on a server put in read-only mode.
    // (Its store is opened here: migrating, or LISTEN for the change feed, cannot run read-only.)
    const url = new URL(schema.url);
    url.searchParams.set('options', `${url.searchParams.get('options')} -c default_transaction_read_only=on`);
    const opened = openDatabase({ databaseUrl: url.toString() });
    const store = new KyselyStore(opened.db, opened.engine);
    const kumbaya = await composeKumbaya(loadConfig({ ...env, DATABASE_URL: '' }), { store, clock: { now: () => now.value }, logger: pino({ level: 'silent' }) });
    site = { kumbaya, reader: new Agent(kumbaya.app), now };
  });
  after(async () => {
    await site?.kumbaya.close();
    await writable?.close();
    await drop?.();
  });

  it('answers 503 with Retry-After, keeps the text, and /healthz reports it', async () => {
    await assertRefusedKeepingText(site, 'read_only', /read-only/);
  });
});
