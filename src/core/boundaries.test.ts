import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

// ARCHITECTURE.md: the arrows point one way. The core reaches out only through the
// interfaces it declares, so none of its modules imports from the layers around it.
const coreDir = new URL('.', import.meta.url).pathname;
const outerLayers = /from\s+['"]\.\.\/(web|adapters|jobs|cli|migration|config|demo)\//;

describe('the core', () => {
  it('imports nothing from web, adapters, jobs, cli, migration, config or demo', () => {
    const offenders = readdirSync(coreDir, { recursive: true, encoding: 'utf8' })
      // Tests may build the core on an adapter (the in-memory store); the modules themselves may not.
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
      .flatMap((file) =>
        readFileSync(join(coreDir, file), 'utf8')
          .split('\n')
          .filter((line) => outerLayers.test(line))
          .map((line) => `${file}: ${line.trim()}`),
      );
    assert.deepEqual(offenders, []);
  });
});
