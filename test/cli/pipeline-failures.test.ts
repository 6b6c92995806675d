/**
 * A pipeline run that fails in a way the README describes (every kind failed to train) ends with one line that says
 * why, exit 1 — not a stack trace (src/cli/run.ts) — and its record still says it failed.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loupeInProcess } from '../helpers/cli-in-process.js';
import { SMALL_DIFFICULTY_TREES, smallReference } from '../helpers/small-data.js';

const dir = mkdtempSync(join(tmpdir(), 'loupe-pipeline-failures-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pipeline run when every kind fails to train', () => {
  it('exit 1 and one line naming each kind and its reason; the run is recorded as failed', async () => {
    const trainer = join(dir, 'fails.sh');
    writeFileSync(trainer, '#!/bin/sh\necho "no xgboost here" >&2\nexit 2\n');
    chmodSync(trainer, 0o755);
    const home = join(dir, 'home');
    const r = await loupeInProcess(
      ['pipeline', 'run', '--home', home, '--data', smallReference(), '--kinds', 'xgboost'],
      {
        LOUPE_XGBOOST_TRAINER: `/bin/sh ${trainer}`,
        LOUPE_DIFFICULTY_TREES: String(SMALL_DIFFICULTY_TREES),
        LOG_LEVEL: 'silent',
      },
    );
    expect(r.status).toBe(1);
    const message =
      'every kind failed to train: xgboost: the trainer exited with code 2; its stderr ends: no xgboost here';
    expect(r.stderr).toMatch(new RegExp(`^loupe: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n$`, 'm'));
    expect(r.stderr).not.toMatch(/^\s+at /m);
    const runs = await loupeInProcess(['pipeline', 'runs', '--home', home, '--json']);
    expect(JSON.parse(runs.stdout)).toMatchObject([{ status: 'failed', error: message }]);
  }, 120_000);
});
