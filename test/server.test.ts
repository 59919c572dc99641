import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { openStore } from '../src/compose.ts';
import { loadConfig } from '../src/config/config.ts';
import { projectRoot, spawnServer, tempDir as makeTempDir } from './helpers/spawn-server.ts';

const root = projectRoot;
const nodeBin = process.execPath;
const startServer = spawnServer;
const tempDir = () => makeTempDir('kumbaya-server-');

describe('the server as started by npm start', () => {
  const cleanups: Array<() => void> = [];
  after(() => cleanups.forEach((f) => f()));

  it('creates the demo content on first start, prints the setup link, and serves it', async () => {
    const dir = tempDir();
    const server = await startServer({ DATA_DIR: dir });
    cleanups.push(() => server.child.kill('SIGKILL'));
    assert.ok(fs.existsSync(path.join(dir, 'kumbaya.db')), 'SQLite file under DATA_DIR');
    const link = /Claim your site \(this link works once\): (http:\/\/\S+)/.exec(server.stderr())?.[1];
    assert.ok(link, 'setup link printed');
    const setupPath = new URL(link).pathname;
    const setup = await fetch(`http://127.0.0.1:${server.port}${setupPath}`);
    assert.equal(setup.status, 200);
    assert.match(await setup.text(), /Create owner account/);
    const home = await (await fetch(`http://127.0.0.1:${server.port}/`)).text();
    assert.match(home, /You CAN&#39;T Fail in Social Media/);
    // Every log line is JSON.
    for (const line of server.stdout().trim().split('\n')) assert.doesNotThrow(() => JSON.parse(line), line);
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);
  });

  it('says at start, without SMTP_URL, that mail waits in the outbox, how many, and how to send it', async () => {
    const dir = tempDir();
    const store = await openStore(loadConfig({ DATA_DIR: dir, DATABASE_URL: '', LOG_LEVEL: 'silent' }));
    for (const key of ['one', 'two']) await store.outbox.enqueue({ idempotencyKey: key, kind: 'reply', to: 'reader@example.com', subject: key, text: 'x', html: '<p>x</p>', headers: {} }, Date.now());
    await store.close();
    const server = await startServer({ DATA_DIR: dir, DATABASE_URL: '', KUMBAYA_DEMO: 'false', SMTP_URL: '' });
    cleanups.push(() => server.child.kill('SIGKILL'));
    assert.match(server.stderr(), /Email is not being sent: SMTP_URL is not set, so 2 emails wait in the outbox\. Set SMTP_URL \(e\.g\. smtp:\/\/user:pass@smtp\.example\.com:587; see "Configuration" in the README\) and restart\./);
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0, server.stderr() + server.stdout());
  });

  it('starts empty with KUMBAYA_DEMO=false', async () => {
    const server = await startServer({ DATA_DIR: tempDir(), KUMBAYA_DEMO: 'false' });
    cleanups.push(() => server.child.kill('SIGKILL'));
    const home = await (await fetch(`http://127.0.0.1:${server.port}/`)).text();
    assert.match(home, /Nothing published yet/);
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);
  });

  it('lets an in-flight request finish on SIGTERM, then exits', async () => {
    const server = await startServer({ DATA_DIR: tempDir(), KUMBAYA_DEMO: 'false' });
    cleanups.push(() => server.child.kill('SIGKILL'));
    // A request whose body is still arriving when the signal comes.
    const response = new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: server.port, method: 'POST', path: '/login', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '43' } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.write('email=a%40b.c&');
      setTimeout(() => {
        server.child.kill('SIGTERM');
        setTimeout(() => req.end('password=x&_csrf=abcdefghijkl'), 300);
      }, 200);
    });
    const status = await response;
    assert.equal(status, 403, 'the request was answered (CSRF refusal), not cut off');
    assert.equal(await server.exited, 0);
    // New connections are refused once it stopped.
    await assert.rejects(fetch(`http://127.0.0.1:${server.port}/healthz`));
  });

  it('refuses to start with a wrong setting and says how to fix it', async () => {
    const child = spawn(nodeBin, ['src/main.js'], { cwd: root, env: { ...process.env, PORT: 'abc', DATA_DIR: tempDir() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 78);
    assert.match(err, /PORT must be a whole number from 0 to 65535/);
  });
});
