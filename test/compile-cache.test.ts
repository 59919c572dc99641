import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { spawnServer, tempDir } from './helpers/spawn-server.ts';

// Node strips a TypeScript module's types with a WebAssembly module that stays in the
// process once loaded (some 30 MB of RSS); a warm compile cache spares it. `npm ci` runs
// scripts/warm-compile-cache.js as `postinstall`, so the first start after an install is as
// lean as later ones. The server runs with a preloaded spy that says at exit whether the
// stripper was loaded, after serving a post, WebFinger (Fedify) and the admin (staff areas):
// the modules loaded on first use as well as at start.
const projectRoot = path.resolve(import.meta.dirname, '..');

async function strippedTypeScript(cacheDir: string): Promise<boolean> {
  const dir = tempDir();
  const spy = path.join(dir, 'spy.mjs');
  fs.writeFileSync(
    spy,
    `process.on('exit', () => {
  const loaded = process.moduleLoadList.some((m) => m.includes('internal/deps/amaro'));
  process.stderr.write('TypeScript stripper loaded: ' + (loaded ? 'yes' : 'no') + '\\n');
});
`,
  );
  const server = await spawnServer({ DATA_DIR: dir, LOG_LEVEL: 'warn', NODE_COMPILE_CACHE: cacheDir, NODE_OPTIONS: `--import=${spy}` });
  try {
    const host = new URL(server.url).host;
    for (const [url, status] of [
      ['/', 200],
      [`/.well-known/webfinger?resource=acct:blog@${host}`, 200],
      ['/admin', 303],
    ] as const) {
      const res = await fetch(server.url + url, { redirect: 'manual' });
      await res.arrayBuffer();
      assert.equal(res.status, status, `GET ${url}`);
    }
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const said = /TypeScript stripper loaded: (yes|no)/.exec(server.stderr());
  assert.ok(said, `the spy reported at exit:\n${server.stderr()}`);
  return said[1] === 'yes';
}

test('after the install step warms the compile cache, the server never loads Node’s TypeScript stripper', async () => {
  const cache = tempDir('kumbaya-compile-cache-');
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['scripts/warm-compile-cache.js'], {
      cwd: projectRoot,
      env: { ...process.env, NODE_COMPILE_CACHE: cache },
    });
    assert.match(stdout, /warm-compile-cache: (\d+) of \1 modules compiled/);
    assert.equal(await strippedTypeScript(cache), false);
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
});

test('with a cold compile cache the same server does load it (what the install step spares)', async () => {
  const cache = tempDir('kumbaya-compile-cache-');
  try {
    assert.equal(await strippedTypeScript(cache), true);
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
});

test('npm runs the warm-up after installing', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.equal(pkg.scripts.postinstall, 'node scripts/warm-compile-cache.js');
});
