/**
 * Starting a worker thread whose module is TypeScript: the thread's first lines (plain JavaScript) register tsx's
 * loader and then import the module (a loader given by execArgv is not applied to a worker's entry on every Node 20
 * release). The thread gets no inherited flags: it registers tsx itself, whoever started this process (tsx, vitest,
 * node).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const WORKER_BOOT = `
const { workerData } = require('node:worker_threads');
import(workerData.tsxApi)
  .then(({ register }) => { register(); return import(workerData.entry); })
  .catch((error) => setImmediate(() => { throw error; }));
`;

/** Starts `entry` (a module URL) on a new thread; it reads `data` as workerData.data. */
export function startTsWorker(entry: URL, data: unknown = null): Worker {
  // tsx's ES-module API (require.resolve would give its CommonJS build, which cannot register ES-module hooks)
  const tsxRoot = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const workerData = { tsxApi: pathToFileURL(join(tsxRoot, 'dist/esm/api/index.mjs')).href, entry: entry.href, data };
  return new Worker(WORKER_BOOT, { eval: true, workerData, execArgv: [] });
}
