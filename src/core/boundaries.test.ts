import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { describe, it } from 'node:test';

// ARCHITECTURE.md: the arrows point one way. The core reaches out only through the
// interfaces it declares, so none of its modules imports from the layers around it.
const coreDir = new URL('.', import.meta.url).pathname;
const srcDir = join(coreDir, '..');
const outerLayers = new Set(['web', 'adapters', 'jobs', 'cli', 'migration', 'config', 'demo']);
/** Every relative specifier: `from '…'`, `import '…'` and `import('…')`. */
const relativeImport = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.\.?\/[^'"]+)['"]/g;

/** The outer layer (folder of src/) a core module's import lands in, or null for the core itself. */
function layerOf(file: string, specifier: string): string | null {
  const target = relative(srcDir, join(coreDir, dirname(file), specifier));
  const top = target.split(sep)[0];
  return outerLayers.has(top) ? top : null;
}

describe('the core', () => {
  it('imports nothing from web, adapters, jobs, cli, migration, config or demo', () => {
    const offenders = readdirSync(coreDir, { recursive: true, encoding: 'utf8' })
      // Tests may build the core on an adapter (the in-memory store); the modules themselves may not.
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
      .flatMap((file) =>
        [...readFileSync(join(coreDir, file), 'utf8').matchAll(relativeImport)]
          .filter(([, specifier]) => layerOf(file, specifier) !== null)
          .map(([statement]) => `${file}: ${statement}`),
      );
    assert.deepEqual(offenders, []);
  });

  it('sees an import of the migration layer, static or dynamic, from any core folder', () => {
    assert.equal(layerOf('webmention-service.ts', '../migration/import-legacy-urls.ts'), 'migration');
    assert.equal(layerOf('spam-corpus/corpus.ts', '../../migration/backup.ts'), 'migration');
    assert.equal(layerOf('spam-corpus/corpus.ts', '../store.ts'), null);
    const found = [...`const m = await import('../migration/backup.ts');\nimport '../web/app.ts';`.matchAll(relativeImport)].map(([, s]) => s);
    assert.deepEqual(found, ['../migration/backup.ts', '../web/app.ts']);
  });
});
