/**
 * Starting a worker thread whose module is TypeScript: the thread's first lines (plain JavaScript) register tsx's
 * loader and then import the module (a loader given by execArgv is not applied to a worker's entry on every Node 20
 * release); when the module's JavaScript twin lies beside it (a transpiled tree), they import that, without tsx. The
 * thread gets no inherited flags but CPU profiling: it registers tsx itself, whoever started this
 * process (tsx, vitest, node); under `node --cpu-prof` each thread writes its own profile too.
 *
 * On Linux the thread takes its module's name (`valuation`, `row-writer`, `similar`), or the name given, as its OS
 * thread name, so `top -H`, `ps -L` and /proc/PID/task/TID/comm tell the threads apart (bench/api.ts counts CPU
 * per thread by it).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const WORKER_BOOT = `
const { workerData } = require('node:worker_threads');
try { require('node:fs').writeFileSync('/proc/thread-self/comm', workerData.name); } catch {}
(workerData.tsxApi ? import(workerData.tsxApi).then(({ register }) => register()) : Promise.resolve())
  .then(() => import(workerData.entry))
  .catch((error) => setImmediate(() => { throw error; }));
`;

/** The CPU-profiling flags this process runs with (--cpu-prof, --cpu-prof-dir DIR, …), for its threads. */
function profilingFlags(): string[] {
  const flags: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    if (!argv[i].startsWith('--cpu-prof')) continue;
    flags.push(argv[i]);
    const takesValue = ['--cpu-prof-dir', '--cpu-prof-name', '--cpu-prof-interval'].includes(argv[i]);
    if (takesValue && i + 1 < argv.length) flags.push(argv[++i]);
  }
  return flags;
}

/** Starts `entry` (a module URL) on a new thread named `name` (default its module's); it reads `data` as workerData.data. */
export function startTsWorker(entry: URL, data: unknown = null, threadName?: string): Worker {
  // tsx's ES-module API (require.resolve would give its CommonJS build, which cannot register ES-module hooks)
  const tsxRoot = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  // an OS thread name has at most 15 characters
  const name = (threadName ?? basename(fileURLToPath(entry)).replace(/(-worker)?\.[jt]s$/, '')).slice(0, 15);
  // In a tree transpiled to JavaScript beside its TypeScript (the tests' .cache/cli-js, test/helpers/cli-js.ts), the
  // module's JavaScript twin runs as it is: registering tsx and compiling the thread's modules again costs a server
  // start several seconds of CPU.
  const source = fileURLToPath(entry);
  const twin = source.replace(/\.ts$/, '.js');
  const plain = twin !== source && existsSync(twin);
  const workerData = {
    tsxApi: plain ? null : pathToFileURL(join(tsxRoot, 'dist/esm/api/index.mjs')).href,
    entry: plain ? pathToFileURL(twin).href : entry.href,
    data,
    name,
  };
  return new Worker(WORKER_BOOT, { eval: true, workerData, execArgv: profilingFlags(), name });
}
