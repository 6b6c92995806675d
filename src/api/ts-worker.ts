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
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
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

/** The repository (or the transpiled tree) this module lies in. */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The JavaScript twin of a thread's TypeScript module, when there is one: registering tsx and compiling the thread's
 * modules again costs each thread start about a second of CPU. It lies beside the module in a tree transpiled to
 * JavaScript (the tests' .cache/cli-js, test/helpers/cli-js.ts), or in LOUPE_JS_MIRROR, such a tree mirroring this
 * repository (the test processes, which run the TypeScript sources, start their threads from it).
 */
function javaScriptTwin(source: string): string | undefined {
  if (!source.endsWith('.ts')) return undefined;
  const beside = source.replace(/\.ts$/, '.js');
  if (existsSync(beside)) return beside;
  const mirror = process.env.LOUPE_JS_MIRROR;
  const inside = relative(ROOT, source);
  if (!mirror || inside.startsWith('..') || isAbsolute(inside)) return undefined;
  const mirrored = join(mirror, inside).replace(/\.ts$/, '.js');
  return existsSync(mirrored) ? mirrored : undefined;
}

/** Starts `entry` (a module URL) on a new thread named `name` (default its module's); it reads `data` as workerData.data. */
export function startTsWorker(entry: URL, data: unknown = null, threadName?: string): Worker {
  // tsx's ES-module API (require.resolve would give its CommonJS build, which cannot register ES-module hooks)
  const tsxRoot = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  // an OS thread name has at most 15 characters
  const name = (threadName ?? basename(fileURLToPath(entry)).replace(/(-worker)?\.[jt]s$/, '')).slice(0, 15);
  const twin = javaScriptTwin(fileURLToPath(entry));
  const workerData = {
    tsxApi: twin ? null : pathToFileURL(join(tsxRoot, 'dist/esm/api/index.mjs')).href,
    entry: twin ? pathToFileURL(twin).href : entry.href,
    data,
    name,
  };
  return new Worker(WORKER_BOOT, { eval: true, workerData, execArgv: profilingFlags(), name });
}
