// The delivery thread's entry (delivery-thread.ts starts it), in plain JavaScript for the
// reason src/main.js is: a thread is a Node.js instance of its own, so its compile cache is
// enabled here, before the first TypeScript module loads, or Node's TypeScript stripper (a
// WebAssembly module of some 20 MB) would be loaded into it.
import module from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

module.enableCompileCache?.();
const { runDeliveryThread } = await import('./delivery-worker.ts');
await runDeliveryThread(workerData, parentPort);
