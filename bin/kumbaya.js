#!/usr/bin/env -S MALLOC_MMAP_THRESHOLD_=131072 MALLOC_TRIM_THRESHOLD_=131072 node --max-semi-space-size=8 --heap-growing-percent=20 --v8-pool-size=1 --max-optimized-bytecode-size=16384 --no-allocation-site-pretenuring
// (The memory flags `npm start` uses: a small young generation, a 20 % heap growth step and one V8 helper thread, so a long import stays under 200 MB, and no optimizing compile of functions over 16 KB of bytecode; ARCHITECTURE.md, "Memory".)
// Kumbaya's command line. The commands are TypeScript (src/cli/), which Node runs as is from
// version 24 on, so check the version before loading them.
import module from 'node:module';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `kumbaya: this needs Node.js 24 or newer, but ${process.execPath} is Node.js ${process.versions.node}.\n` +
      'Run it through npm, which uses the project\'s own Node.js 24 from node_modules:\n' +
      '  npx kumbaya --help\n' +
      '  npm run kumbaya -- --help\n',
  );
  process.exit(1);
}

// As the server does (src/main.js): with a warm compile cache the commands load without
// Node's TypeScript stripper (some 20 MB) and without compiling them again.
module.enableCompileCache?.();
const { runCli } = await import('../src/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
});
