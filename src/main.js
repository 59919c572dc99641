// Kumbaya's entry point, in plain JavaScript so that a start with a warm compile cache never
// loads Node's TypeScript stripper (a WebAssembly module of some 20 MB): the cache keeps the
// stripped and compiled code of the ~600 modules Kumbaya loads (os.tmpdir()/node-compile-cache).
// Enabled before anything else is imported, so it covers them all.
import module from 'node:module';

module.enableCompileCache?.();
const { start } = await import('./start.ts');
start();
