/**
 * The xgboost kind in the pipeline: trained by a command outside Loupe (Debian's python3-xgboost running
 * scripts/train-xgboost.py, installed by scripts/setup.sh), evaluated, registered and promoted like Loupe's own
 * kinds; and a trainer that fails, hangs or writes garbage fails only its own kind, with its stderr in the run
 * record, while the other kinds go on and the champion keeps serving.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getChampion, getModel, readArtifact } from '../../src/registry/index.js';
import { loadValuer } from '../../src/model/index.js';
import { getRun, runPipeline } from '../../src/pipeline/index.js';
import { SMALL_DIFFICULTY_TREES, smallReference } from '../helpers/small-data.js';
import { FRESH, pipelineHome } from './helpers.js';

const h = pipelineHome('loupe-xgboost-kind-');
afterAll(() => {
  // A hung trainer's child the test found still running is not left behind.
  const pidFile = join(h.dir, 'hung.pid');
  if (existsSync(pidFile)) {
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  h.cleanup();
});

/** A trainer command: a shell script in the test's home. */
function trainer(name: string, body: string, timeoutMs = 60_000) {
  const path = join(h.dir, `${name}.sh`);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return { command: ['/bin/sh', path], timeoutMs, params: { num_boost_round: 10 } };
}

/**
 * Whether a process is alive. A killed child whose parent died with it is reparented to the machine's init and stays
 * a zombie until init reaps it, which in a container may be late or never: a zombie has stopped running, so it
 * counts as stopped here (its state in /proc is Z).
 */
function stillRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false; // gone between the two looks
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

const STONE = {
  carat: 0.9,
  cut: 'Ideal',
  color: 'G',
  clarity: 'VS1',
  depth: 61.8,
  table: 57,
  x: 6.2,
  y: 6.24,
  z: 3.84,
} as const;

describe('the xgboost kind in the pipeline', () => {
  it('is trained by XGBoost beside gbdt on the same snapshot; both are registered and the better one serves', async () => {
    const r = await runPipeline(h.db, h.paths, {
      incoming: h.incoming,
      // gbdt's ranges from a difficulty model of SMALL_DIFFICULTY_TREES trees: the kinds are compared by CV MAE,
      // and what is checked of a range (it holds the price) holds for any.
      config: { kinds: ['gbdt', 'xgboost'], tuneTrials: 1, difficultyTrees: SMALL_DIFFICULTY_TREES },
    });
    expect(r.status).toBe('succeeded');
    expect(r.trained.map((t) => t.kind).sort()).toEqual(['gbdt', 'xgboost']);
    const xgb = r.trained.find((t) => t.kind === 'xgboost')!;
    const gbdt = r.trained.find((t) => t.kind === 'gbdt')!;
    // Same folds, same kind of score: the out-of-fold CV MAE of each, and XGBoost is in the same class as Loupe.
    const cv = (t: typeof xgb) => t.tuning.trials[t.tuning.chosen].mae;
    expect(cv(xgb)).toBeGreaterThan(150);
    expect(cv(xgb)).toBeLessThan(cv(gbdt) * 1.25);
    expect(xgb.evaluation.combined.mae).toBeLessThan(450);

    const best = cv(xgb) < cv(gbdt) ? xgb : gbdt;
    const champion = getChampion(h.db)!;
    expect(champion.version).toBe(best.version);

    // The XGBoost model is served like any other: a price, a calibrated range, an exact explanation.
    const record = getModel(h.db, xgb.version!)!;
    expect(record.kind).toBe('xgboost');
    expect(String(record.params.monotone_constraints)).toMatch(/^\(1,0,1,1/);
    const valuer = loadValuer(readArtifact(record), record.version);
    const v = valuer.value(STONE);
    expect(v.price).toBeGreaterThan(2500);
    expect(v.price).toBeLessThan(7000);
    expect(v.range!.low).toBeLessThan(v.price);
    expect(v.range!.high).toBeGreaterThan(v.price);
    const explanation = v.explanation!;
    const steps = explanation.steps.reduce((s, x) => s + x.dollars, 0);
    expect(explanation.typicalPrice + steps).toBeCloseTo(explanation.price, 0);
  }, 240_000);

  const failures = [
    ['exits non-zero', trainer('fails', 'echo "no GPU here, boom" >&2\nexit 3'), /exited with code 3.*boom/],
    [
      'hangs past its timeout',
      // The shell starts a child that writes its pid and hangs: the timeout must stop the child too. The child's
      // stderr is not the trainer's, so a child left running would not hold the run open and would be seen below.
      trainer(
        'hangs',
        `echo "waiting for a cluster" >&2\nsh -c 'echo $$ > "${join(h.dir, 'hung.pid')}"; exec sleep 300' 2>/dev/null &\nwait`,
        1500,
      ),
      /did not finish within 1\.5 s.*waiting for a cluster/,
    ],
    [
      'writes a model that is not JSON',
      trainer(
        'garbage',
        'while [ "$1" != "--out" ]; do shift; done\nmkdir -p "$2"\necho "{not json" > "$2/model.json"\necho 1 > "$2/oof.txt"',
      ),
      /model\.json is not valid JSON/,
    ],
    [
      'writes JSON that is not a model',
      trainer(
        'not-a-model',
        'while [ "$1" != "--out" ]; do shift; done\nmkdir -p "$2"\necho "{\\"learner\\":1}" > "$2/model.json"\necho 1 > "$2/oof.txt"',
      ),
      /cannot be served|predictions/,
    ],
  ] as const;

  for (const [what, command, message] of failures) {
    it(`a trainer that ${what} fails its kind only: the run records why and the other kind goes on`, async () => {
      // A home of its own, started from the small copy of the reference data (test/helpers/small-data.ts; what is
      // checked here holds on any data and any ranges): the hedonic kind (fast, SMALL_DIFFICULTY_TREES) trains
      // beside it.
      const home = pipelineHome('loupe-xgboost-failure-', { data: smallReference() });
      try {
        const config = {
          kinds: ['hedonic', 'xgboost'],
          tuneTrials: 1,
          difficultyTrees: SMALL_DIFFICULTY_TREES,
          xgboostTrainer: command,
        };
        const r = await runPipeline(home.db, home.paths, { incoming: home.incoming, config });
        expect(r.status).toBe('succeeded');
        expect(r.trained.map((t) => t.kind)).toEqual(['hedonic']);
        const train = r.steps.find((s) => s.name === 'train')!;
        expect(train.detail).toMatch(/xgboost: FAILED/);
        expect(train.detail).toMatch(message);
        expect(getChampion(home.db)!.version).toBe(r.trained[0].version);
        // The stored run record, not only the returned result, keeps why the kind failed.
        const stored = getRun(home.db, r.runId)!;
        expect(stored.status).toBe('succeeded');
        expect(stored.steps.find((s) => s.name === 'train')!.detail).toMatch(message);
      } finally {
        home.cleanup();
      }
    }, 120_000);
  }

  it('a hung trainer is stopped with its whole process group, not only the command it ran', () => {
    const pidFile = join(h.dir, 'hung.pid');
    expect(existsSync(pidFile)).toBe(true);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(pid).toBeGreaterThan(1);
    expect(stillRunning(pid)).toBe(false);
  });

  it('when every kind fails the run fails and the champion keeps serving', async () => {
    const before = getChampion(h.db)!.version;
    h.feed(FRESH('2026-10'));
    const config = { kinds: ['xgboost'], xgboostTrainer: trainer('fails-alone', 'exit 2') };
    await expect(runPipeline(h.db, h.paths, { incoming: h.incoming, config })).rejects.toThrow(
      /every kind failed to train: xgboost: the trainer exited with code 2/,
    );
    expect(getChampion(h.db)!.version).toBe(before);
  }, 120_000);
});
