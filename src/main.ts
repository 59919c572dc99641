import module from 'node:module';

// Cache V8's compiled code for the ~600 modules Kumbaya loads (os.tmpdir()/node-compile-cache);
// enabled before anything else is imported, so it covers them all.
module.enableCompileCache?.();
await import('./start.ts');
