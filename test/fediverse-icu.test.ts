import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { spawnServer, tempDir } from './helpers/spawn-server.ts';

// The Temporal polyfill asks ICU about the Indian calendar when it is imported, which keeps
// ~8 MB of ICU's data in memory (src/adapters/federation/temporal-without-icu.ts). The
// server runs with a preloaded spy that reports every such question reaching Node.
test('loading Fedify leaves ICU asleep: the Temporal polyfill’s Indian-calendar check is answered without it', async () => {
  const dir = tempDir();
  const spy = path.join(dir, 'spy.mjs');
  fs.writeFileSync(
    spy,
    `const real = Date.prototype.toLocaleDateString;
Date.prototype.toLocaleDateString = function (locales, options) {
  if (String(locales).includes('-u-ca-')) process.stderr.write('ICU asked for ' + locales + '\\n');
  return real.call(this, locales, options);
};
`,
  );
  const server = await spawnServer({ DATA_DIR: dir, KUMBAYA_DEMO: 'false', LOG_LEVEL: 'warn', NODE_OPTIONS: `--import=${spy}` });
  try {
    const host = new URL(server.url).host;
    const res = await fetch(`${server.url}/.well-known/webfinger?resource=acct:blog@${host}`);
    assert.equal(res.status, 200, 'WebFinger is answered by Fedify, so Fedify and the polyfill are loaded');
    assert.doesNotMatch(server.stderr(), /ICU asked/);
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
