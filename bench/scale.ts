/**
 * Training at scale, Loupe against XGBoost 1.7 hist on the same machine in the same run: rows generated from the
 * reference data (each a reference row drawn at random with ±0.5% jitter on its measurements and ±1% on its
 * price; grades kept), 200 trees of depth 6, 256 bins, learning rate 0.1, one thread. Both load raw float64 from
 * disk (so parsing is not timed), each fit runs in a process of its own (so peak RSS is that fit's), and the two
 * engines alternate run by run so load on a shared machine falls on both alike. Loupe's fit script is bundled to
 * plain JavaScript first and run by bare node: a TypeScript loader in the process would add ~50 MB to its RSS. Fit time: Loupe's fit() call;
 * XGBoost's DMatrix construction plus train(). Beside each fastest wall time, the least process CPU time of the
 * same fit over the runs (Node's process.cpuUsage, Python's time.process_time): on a machine shared with other
 * work, CPU time is the fairer comparison (time spent waiting for a core is not counted). XGBoost runs through
 * Debian's python3-xgboost (/usr/bin/python3);
 * when it is not installed the table says so and shows Loupe alone.
 *
 *   npm run bench:scale
 *   BENCH_SIZES=42810,200000 BENCH_RUNS=3 npm run bench:scale     (defaults: five sizes to 1,000,000; 2 runs)
 *   BENCH_THREADS=2 adds Loupe with that many threads as a further column; BENCH_IDLE_SPIN=100 makes its workers look
 *   for their next job 100 µs before sleeping (engine/thread-worker.ts setIdleSpin; default: a few microseconds).
 *   BENCH_DATA_DIR=dir keeps the generated files there (dir/<rows>/), e.g. to profile one fit.
 */
import { spawnSync } from 'node:child_process';
import { buildSync } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '../src/engine/random.js';
import { FEATURES, loadReference } from './reference-data.js';

const PYTHON = process.env.LOUPE_XGBOOST_PYTHON ?? '/usr/bin/python3';
const sizes = (process.env.BENCH_SIZES ?? '42810,100000,200000,500000,1000000').split(',').map(Number);
const runs = Number(process.env.BENCH_RUNS ?? 2);
const extraThreads = Number(process.env.BENCH_THREADS ?? 0);
/** BENCH_IDLE_SPIN=µs: the threaded fits' workers look that long for their next job before sleeping (setIdleSpin). */
const idleSpin = process.env.BENCH_IDLE_SPIN === undefined ? undefined : Number(process.env.BENCH_IDLE_SPIN);
const OPTIONS = { trees: 200, maxDepth: 6, maxBins: 256, learningRate: 0.1 };
/** Continuous features get jitter; the grade ranks (cut, color, clarity) are kept as they are. */
const JITTERED = new Set(['carat', 'depth', 'table', 'x', 'y', 'z']);

interface FitReport {
  fitSeconds: number;
  cpuSeconds: number;
  peakRssMB: number;
  trainRmse: number;
  version?: string;
}

/** Writes `rows` jittered reference rows as raw float64: X column-major (Loupe), X row-major (XGBoost), y. */
const reference = loadReference();

function writeDataset(dir: string, rows: number): { xColumnMajor: string; xRowMajor: string; y: string } {
  const { train, test } = reference;
  const nRef = train.X.rows + test.X.rows;
  const refValue = (f: number, i: number) =>
    i < train.X.rows ? train.X.columns[f][i] : test.X.columns[f][i - train.X.rows];
  const refY = (i: number) => (i < train.X.rows ? train.y[i] : test.y[i - train.X.rows]);
  const nf = FEATURES.length;
  const colMajor = new Float64Array(rows * nf);
  const rowMajor = new Float64Array(rows * nf);
  const y = new Float64Array(rows);
  const rng = createRng(rows);
  for (let i = 0; i < rows; i++) {
    const r = rng.nextInt(nRef);
    for (let f = 0; f < nf; f++) {
      const v = refValue(f, r);
      const jittered = JITTERED.has(FEATURES[f]) ? v * (1 + 0.01 * (rng.nextFloat() - 0.5)) : v;
      colMajor[f * rows + i] = jittered;
      rowMajor[i * nf + f] = jittered;
    }
    y[i] = refY(r) + Math.log(1 + 0.02 * (rng.nextFloat() - 0.5));
  }
  const paths = { xColumnMajor: join(dir, 'x-columns.f64'), xRowMajor: join(dir, 'x-rows.f64'), y: join(dir, 'y.f64') };
  writeFileSync(paths.xColumnMajor, colMajor);
  writeFileSync(paths.xRowMajor, rowMajor);
  writeFileSync(paths.y, y);
  return paths;
}

function runChild(command: string, args: string[]): FitReport {
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0)
    throw new Error(`${command} ${args[0]} failed (exit ${r.status ?? r.signal}): ${r.stderr.trim().slice(-2000)}`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as FitReport;
}

function xgboostAvailable(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import xgboost; print(xgboost.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const best = (reports: FitReport[]) => reports.reduce((a, b) => (b.fitSeconds < a.fitSeconds ? b : a));
/** Least process CPU time of the fit over the runs: on a shared machine it moves less with load than wall time. */
const leastCpu = (reports: FitReport[]) => Math.min(...reports.map((r) => r.cpuSeconds));
const maxRss = (reports: FitReport[]) => Math.max(...reports.map((r) => r.peakRssMB));
const secs = (x: number) => `${x.toFixed(2)} s`;
const mb = (x: number) => `${Math.round(x)} MB`;

const xgbVersion = xgboostAvailable();
const startedAt = new Date().toISOString();
const loadAtStart = load();
console.log(
  `training at scale — ${OPTIONS.trees} trees, depth ${OPTIONS.maxDepth}, ${OPTIONS.maxBins} bins, η ${OPTIONS.learningRate}; Node ${process.version}; ${runs} run(s) per engine and size, alternating; fastest run shown`,
);
console.log(
  xgbVersion
    ? `XGBoost ${xgbVersion} (${PYTHON})`
    : `XGBoost is not installed for ${PYTHON} (Debian: apt-get install python3-xgboost): Loupe alone`,
);
console.log(`load average at start: ${loadAtStart}`);
if (idleSpin !== undefined) console.log(`threaded fits: workers look ${idleSpin} µs for the next job before sleeping`);

const keepDir = process.env.BENCH_DATA_DIR;
const dir = keepDir ?? mkdtempSync(join(tmpdir(), 'loupe-scale-'));
const loupeScript = join(dir, 'loupe-fit.mjs');
buildSync({
  entryPoints: ['bench/scale/loupe-fit.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: loupeScript,
  logLevel: 'error',
});
const results: { rows: number; loupe: FitReport[]; loupeThreads: FitReport[]; xgboost: FitReport[]; load: string }[] =
  [];
try {
  for (const rows of sizes) {
    mkdirSync(join(dir, String(rows)), { recursive: true });
    const paths = writeDataset(join(dir, String(rows)), rows);
    const spec = { rows, features: FEATURES.length, ...paths, ...OPTIONS };
    const entry = {
      rows,
      loupe: [] as FitReport[],
      loupeThreads: [] as FitReport[],
      xgboost: [] as FitReport[],
      load: '',
    };
    for (let run = 0; run < runs; run++) {
      // Alternate which engine goes first, so a burst of load does not always land on the same one.
      const order = run % 2 === 0 ? ['loupe', 'xgboost'] : ['xgboost', 'loupe'];
      for (const engine of order) {
        if (engine === 'loupe') {
          entry.loupe.push(runChild(process.execPath, [loupeScript, JSON.stringify({ ...spec, threads: 1 })]));
          if (extraThreads > 1)
            entry.loupeThreads.push(
              runChild(process.execPath, [loupeScript, JSON.stringify({ ...spec, threads: extraThreads, idleSpin })]),
            );
        } else if (xgbVersion) {
          entry.xgboost.push(runChild(PYTHON, ['bench/scale/xgboost-fit.py', JSON.stringify({ ...spec, threads: 1 })]));
        }
      }
    }
    entry.load = load();
    results.push(entry);
    process.stderr.write(`${rows} rows done (load ${entry.load})\n`);
  }
} finally {
  if (!keepDir) rmSync(dir, { recursive: true, force: true });
}

const header = [
  'rows',
  'Loupe fit, 1 thread',
  'Loupe CPU',
  ...(extraThreads > 1 ? [`Loupe fit, ${extraThreads} threads (peak RSS)`] : []),
  'XGBoost hist fit, 1 thread',
  'XGBoost CPU',
  'Loupe peak RSS',
  'XGBoost peak RSS',
  'train RMSE Loupe / XGBoost',
  'load after',
];
const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
for (const e of results) {
  const l = best(e.loupe);
  const x = e.xgboost.length > 0 ? best(e.xgboost) : undefined;
  const cells = [
    e.rows.toLocaleString('en-US'),
    secs(l.fitSeconds),
    secs(leastCpu(e.loupe)),
    ...(extraThreads > 1
      ? [
          `${secs(best(e.loupeThreads).fitSeconds)} (×${(l.fitSeconds / best(e.loupeThreads).fitSeconds).toFixed(2)}, ${mb(maxRss(e.loupeThreads))})`,
        ]
      : []),
    x ? secs(x.fitSeconds) : 'not installed',
    x ? secs(leastCpu(e.xgboost)) : '—',
    mb(maxRss(e.loupe)),
    x ? mb(maxRss(e.xgboost)) : '—',
    `${l.trainRmse.toFixed(4)} / ${x ? x.trainRmse.toFixed(4) : '—'}`,
    e.load,
  ];
  lines.push(`| ${cells.join(' | ')} |`);
}
console.log('');
console.log(lines.join('\n'));
console.log(`\nload average at end: ${load()}`);

mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/scale.json',
  `${JSON.stringify({ date: startedAt, node: process.version, xgboost: xgbVersion, options: OPTIONS, runs, loadAtStart, loadAtEnd: load(), results }, null, 2)}\n`,
);
writeFileSync(
  'bench/results/scale.md',
  `Measured ${startedAt} (\`npm run bench:scale\`), load at start ${loadAtStart}; fastest of ${runs} alternating runs, CPU the least, peak RSS the largest.\n\n${lines.join('\n')}\n`,
);
