import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { spawnServer, tempDir } from './helpers/spawn-server.ts';

// The staff areas are loaded with their first request, each on its own (src/web/app.ts,
// `loadStaffAreas`): a blog run from the admin never holds the JSON API's schemas in memory,
// and one fed through the API never holds the admin's editor. The server runs with a
// preloaded spy that reports each area's module as Node resolves it.
test('the admin and the JSON API are each loaded with their own first request, not before, not together', async () => {
  const dir = tempDir();
  const spy = path.join(dir, 'spy.mjs');
  fs.writeFileSync(
    spy,
    `import module from 'node:module';
module.registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    const area = /\\/src\\/web\\/routes\\/(api|admin\\/index)\\.ts$/.exec(resolved.url);
    if (area) process.stderr.write('loaded ' + area[1] + '\\n');
    return resolved;
  },
});
`,
  );
  const server = await spawnServer({ DATA_DIR: dir, KUMBAYA_DEMO: 'false', LOG_LEVEL: 'warn', NODE_OPTIONS: `--import=${spy}` });
  const loaded = () => [...new Set([...server.stderr().matchAll(/^loaded (\S+)$/gm)].map((m) => m[1]))].sort();
  try {
    const home = await fetch(server.url + '/');
    await home.arrayBuffer();
    assert.equal(home.status, 200);
    assert.deepEqual(loaded(), [], 'a reader’s page loads neither');

    const admin = await fetch(server.url + '/admin', { redirect: 'manual' });
    await admin.arrayBuffer();
    assert.equal(admin.status, 303, 'the admin sends a signed-out visitor to sign in');
    assert.match(admin.headers.get('location') ?? '', /^\/login/);
    assert.deepEqual(loaded(), ['admin/index'], 'the admin’s first request loads the admin alone');

    const api = await fetch(server.url + '/api/people');
    await api.arrayBuffer();
    assert.equal(api.status, 401, 'the API refuses a request without a token');
    assert.deepEqual(loaded(), ['admin/index', 'api']);

  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
