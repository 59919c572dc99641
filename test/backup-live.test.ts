import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { openStore } from '../src/compose.ts';
import { loadConfig } from '../src/config/config.ts';
import { issueFormToken } from '../src/core/form-token.ts';
import { freshSchemaUrl } from './helpers/pg-schema.ts';
import { projectRoot, spawnServer, tempDir, type RunningServer } from './helpers/spawn-server.ts';

const SECRET = 'live-backup-test-secret-'.padEnd(48, 'x');
const pgUrl = process.env.KUMBAYA_TEST_PG_URL;
const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Runs the real `kumbaya` command line with `env` and resolves to its exit code and output. */
function kumbaya(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/kumbaya.js', ...args], { cwd: projectRoot, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Site {
  env: Record<string, string>;
}

async function sqliteSite(): Promise<Site> {
  const dir = tempDir('kumbaya-live-');
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return { env: { DATA_DIR: dir, DATABASE_URL: '' } };
}

async function postgresSite(): Promise<Site> {
  const dir = tempDir('kumbaya-live-');
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const { url, drop } = await freshSchemaUrl(pgUrl!);
  cleanups.push(drop);
  return { env: { DATA_DIR: dir, DATABASE_URL: url } };
}

/** Posts comments one after another (from many addresses, so no rate limit applies) until stopped; records each accepted id when its answer arrives. */
function postContinuously(server: RunningServer, postId: number) {
  const answered: Array<{ id: number; body: string }> = [];
  let stopped = false;
  let n = 0;
  const worker = async () => {
    while (!stopped) {
      const i = n++;
      const body = `Live comment number ${i}, written while the backup runs.`;
      const res = await fetch(`${server.url}/comments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-forwarded-for': `198.51.${Math.floor(i / 200) % 250}.${i % 200}` },
        body: JSON.stringify({ postId, name: `Reader ${i}`, email: `reader${i}@example.com`, body, formToken: issueFormToken({ secret: SECRET, postId, issuedAt: Date.now() - 30_000 }) }),
      });
      assert.equal(res.status, 201, await res.clone().text());
      const { comment } = (await res.json()) as { comment: { id: number } };
      answered.push({ id: comment.id, body });
    }
  };
  const running = Promise.all([worker(), worker()]);
  return {
    answered,
    async stop() {
      stopped = true;
      await running;
    },
  };
}

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

for (const [engine, makeSite] of [['SQLite', sqliteSite], ['PostgreSQL', postgresSite]] as const) {
  const skip = engine === 'PostgreSQL' && !pgUrl ? (process.env.CI === 'true' ? false : 'KUMBAYA_TEST_PG_URL is not set') : false;
  describe(`backup while the site serves (${engine})`, { skip }, () => {
    it('keeps every comment answered before the backup started, and the restored site serves', async () => {
      if (engine === 'PostgreSQL') assert.ok(pgUrl, 'KUMBAYA_TEST_PG_URL is not set; CI must test PostgreSQL');
      const site = await makeSite();
      const common = { SECRET_KEY: SECRET, TRUST_PROXY: 'true', LOG_LEVEL: 'warn', OUTBOX_INTERVAL_MS: '600000' };
      const server = await spawnServer({ ...site.env, ...common, KUMBAYA_DEMO: 'true' });
      cleanups.push(() => server.stop());
      const page = await (await fetch(`${server.url}/you-cant-fail-in-social-media`)).text();
      const postId = Number(/name="postId" value="(\d+)"/.exec(page)?.[1]);
      assert.ok(postId > 0, 'the demo post has a comment form');

      const posting = postContinuously(server, postId);
      await waitFor(() => posting.answered.length >= 30);
      const before = [...posting.answered];
      const backupDir = path.join(tempDir('kumbaya-backup-'), 'snapshot');
      cleanups.push(() => fs.rmSync(path.dirname(backupDir), { recursive: true, force: true }));
      const backup = await kumbaya(['backup', '--output', backupDir], site.env);
      const duringBackup = posting.answered.length - before.length;
      await waitFor(() => posting.answered.length >= before.length + duringBackup + 5);
      await posting.stop();
      await server.stop();
      assert.equal(backup.code, 0, backup.stderr);
      assert.match(backup.stdout, /^Backed up /);
      const manifest = JSON.parse(fs.readFileSync(path.join(backupDir, 'manifest.json'), 'utf8'));
      assert.equal(manifest.engine, engine === 'SQLite' ? 'sqlite' : 'postgres');
      assert.match(manifest.sha256, /^[0-9a-f]{64}$/);

      // Into a fresh directory (or a fresh schema), then the same again is refused.
      const target = await makeSite();
      const restored = await kumbaya(['restore', backupDir], target.env);
      assert.equal(restored.code, 0, restored.stderr);
      const again = await kumbaya(['restore', backupDir], target.env);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /already exists|not empty/);

      const store = await openStore(loadConfig({ ...target.env, LOG_LEVEL: 'silent' }));
      try {
        const found = await store.comments.findMany(before.map((c) => c.id));
        assert.deepEqual(
          found.map((c) => [c.id, c.markdown]).sort((a, b) => Number(a[0]) - Number(b[0])),
          before.map((c) => [c.id, c.body]).sort((a, b) => Number(a[0]) - Number(b[0])),
          'every comment answered before the backup started is in the restored site',
        );
      } finally {
        await store.close();
      }

      const revived = await spawnServer({ ...target.env, ...common, KUMBAYA_DEMO: 'false' });
      cleanups.push(() => revived.stop());
      const health = await fetch(`${revived.url}/healthz`);
      assert.equal(health.status, 200);
      const post = await fetch(`${revived.url}/you-cant-fail-in-social-media`);
      assert.equal(post.status, 200);
      assert.match(await post.text(), /You CAN/);
      await revived.stop();
    });
  });
}
