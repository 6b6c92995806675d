/**
 * The pipeline as a list of steps: the runner calls each in order, reports every crash point to the hook a test
 * injects (and nothing of the kind is left in production code), and a run with nothing new skips to the report.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CRASH_POINTS, listRuns, runPipeline, STEPS } from '../../src/pipeline/index.js';
import { PIPELINE_STEPS } from '../../src/pipeline/steps/index.js';
// What is checked is the order of the steps, which holds for any ranges: FAST_ANY_RANGES.
import { FAST_ANY_RANGES as QUICK, FRESH, pipelineHome } from './helpers.js';

const h = pipelineHome('loupe-steps-');
afterAll(() => h.cleanup());

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('pipeline steps', () => {
  it('are modules of { name, run, describe }, named once each, in the documented order', () => {
    expect(STEPS).toEqual(['ingest', 'drift', 'snapshot', 'train', 'evaluate', 'promote', 'register', 'report']);
    for (const step of PIPELINE_STEPS) {
      expect(typeof step.run).toBe('function');
      expect(typeof step.describe).toBe('function');
    }
  });

  it('ship no test hook: the crash tests inject their pause', () => {
    const offenders = sources(join(import.meta.dirname, '../../src')).filter((f) =>
      /LOUPE_TEST_|pausePoint/.test(readFileSync(f, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('report every crash point, in order, to the checkpoint hook; a run with nothing new goes from snapshot to report', async () => {
    const first: string[] = [];
    h.feed(FRESH('2026-09'));
    const r = await runPipeline(h.db, h.paths, {
      incoming: h.incoming,
      config: QUICK,
      checkpoint: (p) => first.push(p),
    });
    expect(r.status).toBe('succeeded');
    // Two files (the reference data, then 2026-09 from the landing folder): one file-stored point, for the landed one.
    expect(first).toEqual(CRASH_POINTS);
    expect(r.steps.map((s) => s.name)).toEqual(STEPS);
    expect(r.message).toMatch(/^no champion yet: v0001 becomes the first champion/);
    expect(r.steps.find((s) => s.name === 'promote')!.detail).toMatch(
      /^no champion yet: the hedonic challenger becomes/,
    );

    const again: string[] = [];
    const s = await runPipeline(h.db, h.paths, {
      incoming: h.incoming,
      config: QUICK,
      checkpoint: (p) => again.push(p),
    });
    expect(s.status).toBe('nothing_to_do');
    expect(again).toEqual(['ingest', 'drift', 'snapshot', 'report']);
    expect(listRuns(h.db)[0].steps.map((x) => x.name)).toEqual(['ingest', 'drift', 'snapshot', 'report']);
  });
});
