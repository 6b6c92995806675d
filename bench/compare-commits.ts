/**
 * Before/after benchmark of two commits in the same run: each commit is exported (`git archive`) into a temporary
 * directory that borrows this checkout's node_modules, then the engine, valuation, API and pipeline benchmarks (and,
 * asked for with --benches scale, two threads against one at scale) run
 * on the two trees alternately (round 1: A then B, round 2: B then A, …), one process at a time, so a change in the
 * machine's load falls on both sides alike. Prints one table: per measure the median over the rounds of each
 * commit, the range, and B against A. CPU times are the steadier figures on a shared machine.
 *
 *   npx tsx bench/compare-commits.ts A B                      # e.g. main~5 main; 3 rounds
 *   npx tsx bench/compare-commits.ts A B --rounds 5 --benches engine,api
 *   npx tsx bench/compare-commits.ts 59ad911 main --benches pipeline --env-b LOUPE_TUNE_TRIALS=1
 *
 * --env-a / --env-b KEY=VALUE (repeatable) set an environment variable for one side's benchmarks only: a like for
 * like comparison when a setting's name or default changed between the commits (e.g. 59ad911 tuned within a 3 s
 * budget, LOUPE_TUNE_BUDGET_MS, which ran one trial a run on this machine; today's pipeline runs a fixed
 * LOUPE_TUNE_TRIALS, default 8). The table's heading lists them.
 *
 * Both commits must have the benchmarks' current outputs (bench/results/training.json, api.json, pipeline.json
 * and the valuation table on stdout); a dependency added between A and B must be installed in this checkout.
 * The reference data is this checkout's (LOUPE_DATA, else ../shared/data), given to both trees.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '3' },
    benches: { type: 'string', default: 'engine,valuation,api,pipeline' },
    'env-a': { type: 'string', multiple: true, default: [] },
    'env-b': { type: 'string', multiple: true, default: [] },
  },
});
if (positionals.length !== 2) {
  process.stderr.write(
    'usage: tsx bench/compare-commits.ts COMMIT_A COMMIT_B [--rounds N] [--benches a,b] [--env-a K=V]… [--env-b K=V]…\n',
  );
  process.exit(2);
}
/** KEY=VALUE settings of one side, as an environment. */
const sideEnv = (settings: string[], option: string): Record<string, string> =>
  Object.fromEntries(
    settings.map((kv) => {
      const at = kv.indexOf('=');
      if (at < 1) throw new Error(`--${option} takes KEY=VALUE, not "${kv}"`);
      return [kv.slice(0, at), kv.slice(at + 1)];
    }),
  );
const envs = [sideEnv(args['env-a'], 'env-a'), sideEnv(args['env-b'], 'env-b')];
const rounds = Number(args.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, not ${args.rounds}`);

const ROOT = resolve(import.meta.dirname, '..');
const referenceCsv = resolve(ROOT, process.env.LOUPE_DATA ?? '../shared/data/diamonds.csv');
if (!existsSync(referenceCsv)) throw new Error(`no reference data at ${referenceCsv}: set LOUPE_DATA`);

type Measures = Record<string, number>;
const json = (tree: string, file: string) => JSON.parse(readFileSync(join(tree, 'bench', 'results', file), 'utf8'));
/** The number in column `col` (0 = label) of the table row of stdout whose label contains `label`. */
const cell = (stdout: string, label: string, col: number): number => {
  const row = stdout.split('\n').find((l) => l.startsWith('|') && l.split('|')[1].includes(label));
  const value = row ? Number.parseFloat(row.split('|')[col + 1]) : Number.NaN;
  if (!Number.isFinite(value)) throw new Error(`no number in the row "${label}", column ${col}, of the output`);
  return value;
};

/** Each benchmark: how to run it quickly enough to repeat, and the measures read from its outputs. */
const BENCHES: Record<
  string,
  { argv: string[]; env: NodeJS.ProcessEnv; read: (tree: string, out: string) => Measures }
> = {
  engine: {
    argv: ['bench/engine.ts'],
    env: { BENCH_RUNS: '5' },
    read: (tree, out) => ({
      'engine fit, CPU s': json(tree, 'training.json').fitCpuSeconds,
      'engine batch predict, CPU µs/row': cell(out, 'batch predict', 3),
    }),
  },
  valuation: {
    argv: ['bench/valuation.ts'],
    env: { BENCH_PASSES: '5' },
    read: (_tree, out) => ({
      'valuation without explanation, CPU µs': cell(out, 'valuation without explanation', 1),
      'valuation with explanation, CPU µs': cell(out, 'valuation with explanation (per factor, served)', 1),
    }),
  },
  api: {
    // the home is bootstrapped by the tree's first round and reused by the next ones (a tree whose bench/api.ts
    // predates --home bootstraps a temporary home each round, outside the measured seconds)
    argv: ['bench/api.ts', '--duration', '10', '--rounds', '1', '--home', '.bench-home'],
    env: {},
    read: (tree) => {
      const r = json(tree, 'api.json');
      return {
        'API requests/s': r.requestsPerSecond,
        'API server CPU µs/request': r.serverCpuMicrosPerRequest,
        'API p99 ms': r.p99Ms,
      };
    },
  },
  scale: {
    // Two threads against one (issue 19) at 200,000 rows and a million, each fit in a fresh process; XGBoost left
    // out (the same on both sides), so bench/scale.ts shows Loupe alone.
    argv: ['bench/scale.ts'],
    env: { BENCH_THREADS: '2', BENCH_SIZES: '200000,1000000', BENCH_RUNS: '1', LOUPE_XGBOOST_PYTHON: '/nonexistent' },
    read: (tree) => {
      const out: Measures = {};
      const fastest = (runs: { fitSeconds: number }[]) => Math.min(...runs.map((r) => r.fitSeconds));
      for (const r of json(tree, 'scale.json').results) {
        const [one, two] = [fastest(r.loupe), fastest(r.loupeThreads)];
        out[`scale ${r.rows} rows, 1 thread, s`] = one;
        out[`scale ${r.rows} rows, 2 threads, s`] = two;
        out[`scale ${r.rows} rows, 1 thread / 2 threads`] = one / two;
      }
      return out;
    },
  },
  pipeline: {
    argv: ['bench/pipeline.ts'],
    env: {},
    read: (tree) => {
      const r = json(tree, 'pipeline.json');
      return { 'pipeline whole sequence, s': r.wholeSequenceSeconds, 'pipeline CPU s': r.cpuSeconds };
    },
  },
};
const benches = args.benches.split(',');
for (const b of benches) if (!BENCHES[b]) throw new Error(`unknown benchmark ${b}; known: ${Object.keys(BENCHES)}`);

const git = (...a: string[]) => {
  const r = spawnSync('git', a, { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${a.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};
const work = mkdtempSync(join(tmpdir(), 'loupe-compare-'));
const sides = positionals.map((ref, i) => {
  const sha = git('rev-parse', '--verify', `${ref}^{commit}`);
  const tree = join(work, i === 0 ? 'a' : 'b');
  mkdirSync(tree);
  const r = spawnSync('sh', ['-c', `git archive ${sha} | tar -x -C "${tree}"`], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`could not export ${ref}`);
  symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'));
  mkdirSync(join(tree, 'bench', 'results'), { recursive: true });
  return { ref, sha: sha.slice(0, 10), tree, env: envs[i], runs: [] as Measures[] };
});

/** `argv` without the options the tree's own benchmark script does not know (older commits lack `--home`). */
const argvFor = (tree: string, argv: string[]): string[] => {
  const script = readFileSync(join(tree, argv[0]), 'utf8');
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const option = argv[i].startsWith('--') ? argv[i].slice(2) : null;
    if (option && i > 0 && !script.includes(`${option}: { type:`)) {
      i++; // skip the option's value too
      continue;
    }
    out.push(argv[i]);
  }
  return out;
};

const la = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const loadAtStart = la();
const started = Date.now();
try {
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    const measures = order.map(() => ({}) as Measures);
    for (const name of benches) {
      const bench = BENCHES[name];
      order.forEach((side, k) => {
        process.stdout.write(`round ${round + 1}/${rounds}: ${name} on ${side.ref} (${side.sha}), load ${la()}\n`);
        const r = spawnSync(join(side.tree, 'node_modules', '.bin', 'tsx'), argvFor(side.tree, bench.argv), {
          cwd: side.tree,
          encoding: 'utf8',
          env: {
            ...process.env,
            ...bench.env,
            LOUPE_DATA: referenceCsv,
            LOUPE_SHARED_DATA: dirname(referenceCsv),
            LOUPE_HOME: undefined,
            ...side.env,
          },
          maxBuffer: 64 * 2 ** 20,
        });
        if (r.status !== 0) throw new Error(`${name} on ${side.ref} failed (exit ${r.status}):\n${r.stderr}`);
        Object.assign(measures[k], bench.read(side.tree, r.stdout));
      });
    }
    order.forEach((side, k) => {
      side.runs.push(measures[k]);
    });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(3));
const [a, b] = sides;
const settings = (side: (typeof sides)[number]) =>
  Object.keys(side.env).length === 0
    ? ''
    : ` with ${Object.entries(side.env)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`;
const lines = [
  `\nBenchmarks, ${a.ref} (${a.sha})${settings(a)} = A against ${b.ref} (${b.sha})${settings(b)} = B: ${rounds} rounds, alternating; ` +
    `${((Date.now() - started) / 60000).toFixed(1)} min; load average ${loadAtStart} at start, ${la()} at end`,
  '',
  '| measure | A median | A min–max | B median | B min–max | B against A |',
  '| --- | --- | --- | --- | --- | --- |',
];
for (const key of Object.keys(a.runs[0])) {
  const xa = a.runs.map((m) => m[key]);
  const xb = b.runs.map((m) => m[key]);
  const change = (median(xb) / median(xa) - 1) * 100;
  lines.push(
    `| ${key} | ${fmt(median(xa))} | ${fmt(Math.min(...xa))}–${fmt(Math.max(...xa))} | ${fmt(median(xb))} | ` +
      `${fmt(Math.min(...xb))}–${fmt(Math.max(...xb))} | ${change >= 0 ? '+' : ''}${change.toFixed(1)} % |`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
