/**
 * Retraining benchmark: the whole "show it" sequence on the real files, timed — an empty LOUPE_HOME, the
 * reference data alone, then 2026-09, 2026-10 and 2026-11 dropped one at a time into the landing folder
 * (copied into a temp dir, never into the repo), each followed by `pipeline run`, and a last run with no new
 * data. Default configuration (kind, tuning budget) unless the environment says otherwise
 * (LOUPE_MODEL_KINDS, LOUPE_TUNE_BUDGET_MS).
 *
 *   npm run bench:pipeline
 *   LOUPE_MODEL_KINDS=gbdt,hedonic npm run bench:pipeline
 *   BENCH_PIPELINE_ROWS=500000 npm run bench:pipeline     (opt-in: the data at 100× — see below)
 *
 * With BENCH_PIPELINE_ROWS=N the sequence is instead: the reference data alone, then one landing file of N generated
 * appraisals (bench/synthetic-appraisals.ts, seed 1, written into the temp dir), then no new data. Target for
 * N = 500,000: that run (ingest → drift → train with tuning → evaluate → promote → report) under 10 minutes and
 * the whole process under 2 GB peak RSS; the per-step columns say which step holds it when it is not.
 *
 * Target: the whole sequence under 60 s on this machine with the default tuning budget. Peak RSS is the whole
 * process's maxRSS (the pipeline runs in this process). Beside each step's wall seconds, its CPU seconds (all threads
 * of the process, from the step's start to the next's) are summed over the sequence in the table's last row and
 * kept per run in the JSON (stepsCpu): on the shared machine the steadier figure.
 */
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loupePaths } from '../src/config/index.js';
import { pipelineConfig, runPipeline, STEPS } from '../src/pipeline/index.js';
import { listModels } from '../src/registry/index.js';
import { openDatabase } from '../src/store/db.js';
import { writeSyntheticFile } from './synthetic-appraisals.js';

const reference = loupePaths().referenceData;
const fresh = (m: string): string => join(dirname(reference), 'fresh', `${m}.csv`);
const home = mkdtempSync(join(tmpdir(), 'loupe-bench-pipeline-'));
const paths = loupePaths({}, { home, data: reference });
const config = pipelineConfig(paths);
const incoming = join(home, 'incoming');
mkdirSync(incoming, { recursive: true });

interface Row {
  batch: string;
  status: string;
  trainingRows: number | null;
  rows: string;
  model: string;
  champion: string;
  seconds: number;
  cpu: number;
  steps: Record<string, number>;
  /** CPU seconds of each step, every thread of the process (the training threads too). */
  stepsCpu: Record<string, number>;
  tuning: string | null;
}
const rows: Row[] = [];
const cpuSeconds = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const db = openDatabase(paths.database);
const generatedRows = Number(process.env.BENCH_PIPELINE_ROWS ?? 0);
if (!Number.isInteger(generatedRows) || generatedRows < 0)
  throw new RangeError(`BENCH_PIPELINE_ROWS must be a whole number of rows, got ${process.env.BENCH_PIPELINE_ROWS}`);
const generatedBatch = `${generatedRows} generated`;
const batches =
  generatedRows > 0
    ? ['reference only', generatedBatch, 'no new data']
    : ['reference only', '2026-09', '2026-10', '2026-11', 'no new data'];
try {
  for (const batch of batches) {
    if (batch === generatedBatch) {
      // Written before the clock of its run starts: generating the file is not the pipeline's work.
      await writeSyntheticFile(join(incoming, '.generated.csv.part'), generatedRows, 1);
      renameSync(join(incoming, '.generated.csv.part'), join(incoming, `generated-${generatedRows}.csv`));
    } else if (batch.startsWith('2026')) {
      copyFileSync(fresh(batch), join(incoming, `.${batch}.csv.part`));
      renameSync(join(incoming, `.${batch}.csv.part`), join(incoming, `${batch}.csv`));
    }
    const c0 = process.cpuUsage();
    const s0 = performance.now();
    // CPU per step: from one step's start to the next's (the runner's bookkeeping between steps included).
    const stepsCpu: Record<string, number> = {};
    let current: string | undefined;
    let stepCpu0 = cpuSeconds();
    const stepDone = () => {
      const now = cpuSeconds();
      if (current) stepsCpu[current] = (stepsCpu[current] ?? 0) + now - stepCpu0;
      stepCpu0 = now;
    };
    const r = await runPipeline(db, paths, {
      incoming,
      onStep(step) {
        stepDone();
        current = step;
      },
    });
    stepDone();
    const c = process.cpuUsage(c0);
    rows.push({
      batch,
      status: r.status === 'nothing_to_do' ? 'nothing to do' : r.decision?.promote ? 'promoted' : 'kept champion',
      trainingRows: r.trained.length > 0 ? (r.snapshot?.rows ?? null) : null,
      rows: r.files.map((f) => `${f.accepted}+${f.rejected}✗`).join(' ') || '—',
      model:
        r.trained.map((t) => `${t.version} ${t.kind} MAE $${t.evaluation.combined.mae.toFixed(0)}`).join(', ') || '—',
      champion: r.champion ?? '—',
      seconds: (performance.now() - s0) / 1000,
      cpu: (c.user + c.system) / 1e6,
      steps: Object.fromEntries(r.steps.map((s) => [s.name, s.ms / 1000])),
      stepsCpu,
      // How many tuning trials ran and why tuning stopped: a budget-cut search gives another champion.
      tuning: r.steps.find((s) => s.name === 'train')?.detail ?? null,
    });
  }
} finally {
  db.close();
}
const total = (performance.now() - t0) / 1000;
const cpuTotal = (process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1e6;
const maxRssMb = process.resourceUsage().maxRSS / 1024;

const pad = (s: string, n: number): string => s.padEnd(n);
console.log(
  `Retraining pipeline: kinds ${config.kinds.join(', ')}, ${config.tuneTrials} tuning trials per kind and run (upper bound ${config.tuneBudgetMs} ms)`,
);
console.log(`| batch | accepted+rejected | trained | champion | decision | wall s | CPU s | ${STEPS.join(' | ')} |`);
console.log(`| --- | --- | --- | --- | --- | ---: | ---: | ${STEPS.map(() => '---:').join(' | ')} |`);
for (const r of rows) {
  console.log(
    `| ${pad(r.batch, 14)} | ${r.rows} | ${r.model} | ${r.champion} | ${r.status} | ${r.seconds.toFixed(2)} | ${r.cpu.toFixed(2)} | ${STEPS.map((s) => (r.steps[s] === undefined ? '—' : r.steps[s].toFixed(2))).join(' | ')} |`,
  );
}
console.log(
  `| **whole sequence** | | ${listModels(openDatabase(paths.database, { readonly: true })).length} models | | | **${total.toFixed(2)}** | ${cpuTotal.toFixed(2)} | |`,
);
console.log(
  `| CPU s of each step, whole sequence | | | | | | ${cpuTotal.toFixed(2)} | ${STEPS.map((s) => rows.reduce((sum, r) => sum + (r.stepsCpu[s] ?? 0), 0).toFixed(2)).join(' | ')} |`,
);
for (const r of rows) if (r.tuning) console.log(`tuning, ${r.batch.trim()}: ${r.tuning}`);
if (generatedRows > 0) {
  const run = rows.find((r) => r.batch === generatedBatch);
  const seconds = run?.seconds ?? Infinity;
  const slowest = run ? Object.entries(run.steps).sort((a, b) => b[1] - a[1])[0] : undefined;
  console.log(
    `\npeak RSS ${maxRssMb.toFixed(0)} MB (target < 2048 MB → ${maxRssMb < 2048 ? 'met' : 'NOT met'}) · the ${generatedRows}-row run ${seconds.toFixed(0)} s (target < 600 s → ${seconds < 600 ? 'met' : 'NOT met'}); its longest step: ${slowest ? `${slowest[0]} ${slowest[1].toFixed(1)} s` : '—'}`,
  );
} else {
  console.log(
    `\npeak RSS ${maxRssMb.toFixed(0)} MB · target: whole sequence < 60 s → ${total < 60 ? 'met' : 'NOT met'}`,
  );
}
rmSync(home, { recursive: true, force: true });

// For scripts/capacity.ts: the runs that trained, with their training rows and wall time.
const trainedRuns = rows
  .filter((r) => r.trainingRows !== null)
  .map((r) => ({ rows: r.trainingRows as number, seconds: r.seconds, batch: r.batch }));
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  generatedRows > 0 ? `bench/results/pipeline-${generatedRows}.json` : 'bench/results/pipeline.json',
  `${JSON.stringify({ date: new Date().toISOString(), kinds: config.kinds, generatedRows, runs: trainedRuns, steps: rows.map((r) => ({ batch: r.batch, seconds: r.seconds, cpu: r.cpu, steps: r.steps, stepsCpu: r.stepsCpu, tuning: r.tuning })), wholeSequenceSeconds: total, cpuSeconds: cpuTotal, peakRssMb: maxRssMb, loadAverage: loadavg() }, null, 2)}\n`,
);
