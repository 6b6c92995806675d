/**
 * The sync scripts are shell programs run by the AWS CLI image; here they run under /bin/sh against a fake
 * `aws` that records its calls, on a home laid out as Loupe leaves it after a run.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOME_MOUNT, publishPipelineHome, publishServingBundle, restoreServingBundle } from '../lib/registry-sync.js';

function run(script: string, env: Record<string, string>, layout: (home: string) => void = () => {}, awsPrints = '') {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-sync-'));
  const home = join(dir, 'home');
  mkdirSync(join(home, 'incoming'), { recursive: true });
  layout(home);
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const calls = join(dir, 'calls.txt');
  writeFileSync(join(bin, 'aws'), `#!/bin/sh\nprintf '%s\\n' "$*" >> ${JSON.stringify(calls)}\ncat > /dev/null 2>&1 || true\nprintf '%b' ${JSON.stringify(awsPrints)}\n`);
  chmodSync(join(bin, 'aws'), 0o755);
  execFileSync('/bin/sh', ['-c', script.replaceAll(HOME_MOUNT, home)], {
    env: { PATH: `${bin}:/usr/bin:/bin`, ...env },
    input: '',
  });
  return readFileSync(calls, 'utf8').trim().split('\n').map((l) => l.replaceAll(home, '<home>'));
}

describe('publishing the pipeline home', () => {
  it('publishes the home, then moves done files to processed/ and failed files (with their report) to failed/', () => {
    const calls = run(publishPipelineHome, { REGISTRY_BUCKET: 'reg', LANDING_BUCKET: 'land' }, (home) => {
      mkdirSync(join(home, 'incoming', 'done'));
      mkdirSync(join(home, 'incoming', 'failed'));
      writeFileSync(join(home, 'incoming', 'done', '2026-11.csv'), 'x');
      writeFileSync(join(home, 'incoming', 'failed', 'broken.csv'), 'x');
      writeFileSync(join(home, 'incoming', 'failed', 'broken.csv.report.json'), '{}');
      writeFileSync(join(home, 'incoming', 'later.csv'), 'x'); // not ingested this run: stays in incoming/
    });
    expect(calls[0]).toBe('s3 sync <home>/ s3://reg/home/ --exclude incoming/* --only-show-errors --no-progress');
    expect(calls[1]).toMatch(/^s3 mv s3:\/\/land\/incoming\/2026-11\.csv s3:\/\/land\/processed\/\d{4}-\d\d-\d\dT\d{6}Z\/2026-11\.csv/);
    expect(calls[2]).toMatch(/^s3 mv s3:\/\/land\/incoming\/broken\.csv s3:\/\/land\/failed\/.+\/broken\.csv/);
    expect(calls[3]).toMatch(/^s3 cp failed\/broken\.csv\.report\.json s3:\/\/land\/failed\/.+\/broken\.csv\.report\.json/);
    expect(calls).toHaveLength(4);
    expect(calls.join('\n')).not.toContain('later.csv');
  });

  it('publishes the home even when no file was ingested', () => {
    const calls = run(publishPipelineHome, { REGISTRY_BUCKET: 'reg', LANDING_BUCKET: 'land' });
    expect(calls).toHaveLength(1);
  });
});

describe('publishing a serving bundle', () => {
  it('copies home/ to serving/<bundle>/ and only then points CURRENT at it', () => {
    const calls = run(publishServingBundle, { REGISTRY_BUCKET: 'reg', BUNDLE_ID: 'exec-1' });
    expect(calls).toEqual([
      's3 sync s3://reg/home/ s3://reg/serving/exec-1/ --exclude incoming/* --only-show-errors --no-progress',
      's3 cp - s3://reg/serving/CURRENT',
    ]);
  });

  it('refuses to run without a bundle id', () => {
    expect(() => run(publishServingBundle, { REGISTRY_BUCKET: 'reg', BUNDLE_ID: '' })).toThrow();
  });
});

describe('restoring the serving bundle', () => {
  it('reads CURRENT and syncs exactly that bundle', () => {
    const calls = run(restoreServingBundle, { REGISTRY_BUCKET: 'reg' }, () => {}, 'exec-7\n');
    expect(calls).toEqual([
      's3 cp s3://reg/serving/CURRENT -',
      's3 sync s3://reg/serving/exec-7/ <home>/ --only-show-errors --no-progress',
    ]);
  });

  it('fails, rather than start Loupe on an empty home, when CURRENT names no bundle', () => {
    expect(() => run(restoreServingBundle, { REGISTRY_BUCKET: 'reg' })).toThrow();
  });
});
