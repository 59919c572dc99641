// Fills Node's compile cache with every module Kumbaya may load, so that the first start after
// an install (npm runs this as `postinstall`) or after a change to the code starts as later ones
// do: without Node's TypeScript stripper, a WebAssembly module that would otherwise stay in the
// server's memory (some 20–40 MB; ARCHITECTURE.md, "Memory"). Plain JavaScript for the same
// reason as src/main.js. Importing a module here only defines it: src/main.js, the one module
// that starts something when imported, is left out (it is plain JavaScript, cached at first start).
import fs from 'node:fs';
import module from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24 || !module.enableCompileCache) {
  // npm ran this with a Node.js that cannot load TypeScript: the project's own Node (node@24,
  // node_modules/.bin) is the one that will run Kumbaya, and it warms its own cache at first start.
  process.exit(0);
}
module.enableCompileCache();

const root = path.resolve(import.meta.dirname, '..');
const modules = fs
  .readdirSync(path.join(root, 'src'), { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts'))
  .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
  .sort();

let failed = 0;
for (const file of modules) {
  try {
    await import(pathToFileURL(path.join(root, file)).href);
  } catch (err) {
    failed++;
    process.stderr.write(`warm-compile-cache: ${file}: ${err instanceof Error ? err.message : err}\n`);
  }
}
module.flushCompileCache?.();
process.stdout.write(`warm-compile-cache: ${modules.length - failed} of ${modules.length} modules compiled into ${module.getCompileCacheDir?.() ?? 'the compile cache'}\n`);
