/**
 * Commands with their variables set to nothing (a compose file or cron line writing `LOUPE_INCOMING=$UNSET`): each
 * means its default, as if unset — the landing folder is LOUPE_HOME/incoming, `serve` takes its defaults, the log
 * its level.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandLogger } from '../../src/cli/log.js';
import { loupeInProcess } from '../helpers/cli-in-process.js';
import { prepareSmallFirstModelHome, smallFirstModelHome } from '../helpers/prepared-home.js';
import { SMALL_DIFFICULTY_TREES, smallReference } from '../helpers/small-data.js';

const scratch: string[] = [];
beforeAll(prepareSmallFirstModelHome);
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

describe('variables set to nothing', () => {
  it('pipeline run with LOUPE_INCOMING empty ingests LOUPE_HOME/incoming', async () => {
    const home = await smallFirstModelHome('loupe-empty-env-');
    scratch.push(home);
    // Already stored (the home's reference data): the run moves it to done/ and has nothing to train.
    copyFileSync(smallReference(), join(home, 'incoming', 'again.csv'));
    const r = await loupeInProcess(['pipeline', 'run', '--home', home, '--data', smallReference()], {
      LOUPE_INCOMING: '',
      LOUPE_MODEL_KINDS: 'hedonic',
      LOUPE_TUNE_TRIALS: '1',
      LOUPE_DIFFICULTY_TREES: String(SMALL_DIFFICULTY_TREES),
      LOUPE_LOG_FORMAT: '',
    });
    expect(r.status, r.out).toBe(0);
    expect(r.stdout).toMatch(/again\.csv: already ingested/);
    expect(existsSync(join(home, 'incoming', 'done', 'again.csv'))).toBe(true);
  }, 120_000);

  it('serve takes the defaults of empty variables, and stops at the first one set wrong', async () => {
    const blank = [
      'HOST',
      'PORT',
      'LOUPE_POLL_MS',
      'LOUPE_VALUATION_THREADS',
      'LOUPE_MAX_CARAT',
      'LOUPE_VALUATION_RETENTION_DAYS',
      'LOUPE_CORS_ORIGINS',
      'LOUPE_METRICS',
      'LOUPE_SHOP_NAME',
      'LOUPE_REQUEST_LOG_DAYS',
      'LOUPE_REQUEST_LOG_MAX_MB',
      'LOUPE_PG_STATEMENT_TIMEOUT_MS',
    ];
    // The variable read last before the server starts is set wrong, so the command ends there, having read the rest.
    const home = mkdtempSync(join(tmpdir(), 'loupe-empty-env-serve-'));
    scratch.push(home);
    const r = await loupeInProcess(['serve', '--home', home], {
      ...Object.fromEntries(blank.map((name, i) => [name, i % 2 === 0 ? '' : '  '])),
      LOUPE_KEYLESS_REJECTS_PER_MINUTE: 'many',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'loupe: LOUPE_KEYLESS_REJECTS_PER_MINUTE must be a whole number from 0 to 1000000, not "many"\n',
    );
  });

  it('an empty LOG_LEVEL is the default level', () => {
    expect(commandLogger({ fd: 2, env: { LOG_LEVEL: '', LOUPE_LOG_FORMAT: 'json' } }).level).toBe('info');
  });
});
