/**
 * The sync scripts are shell programs run by the AWS CLI image; here they run under /bin/sh against a fake
 * `aws` that records its calls, on a home laid out as Loupe leaves it after a run.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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
  writeFileSync(
    join(bin, 'aws'),
    `#!/bin/sh\nprintf '%s\\n' "$*" >> ${JSON.stringify(calls)}\ncat > /dev/null 2>&1 || true\nprintf '%b' ${JSON.stringify(awsPrints)}\n`,
  );
  chmodSync(join(bin, 'aws'), 0o755);
  execFileSync('/bin/sh', ['-c', script.replaceAll(HOME_MOUNT, home)], {
    env: { PATH: `${bin}:/usr/bin:/bin`, ...env },
    input: '',
  });
  return readFileSync(calls, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.replaceAll(home, '<home>'));
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
    expect(calls[1]).toMatch(
      /^s3 mv s3:\/\/land\/incoming\/2026-11\.csv s3:\/\/land\/processed\/\d{4}-\d\d-\d\dT\d{6}Z\/2026-11\.csv/,
    );
    expect(calls[2]).toMatch(/^s3 mv s3:\/\/land\/incoming\/broken\.csv s3:\/\/land\/failed\/.+\/broken\.csv/);
    expect(calls[3]).toMatch(
      /^s3 cp failed\/broken\.csv\.report\.json s3:\/\/land\/failed\/.+\/broken\.csv\.report\.json/,
    );
    expect(calls).toHaveLength(4);
    expect(calls.join('\n')).not.toContain('later.csv');
  });

  it('publishes the home even when no file was ingested', () => {
    const calls = run(publishPipelineHome, { REGISTRY_BUCKET: 'reg', LANDING_BUCKET: 'land' });
    expect(calls).toHaveLength(1);
  });
});

/**
 * A fake `aws` that keeps S3 in a folder (s3://bucket/key → <s3>/bucket/key) and implements the four s3
 * commands the bundle scripts use, so a publish and a restore can be run end to end on real files.
 */
function fakeS3() {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-s3-'));
  const s3 = join(dir, 's3');
  const bin = join(dir, 'bin');
  mkdirSync(s3);
  mkdirSync(bin);
  const calls = join(dir, 'calls.txt');
  writeFileSync(calls, '');
  writeFileSync(
    join(bin, 'aws'),
    `#!${process.execPath}
const fs = require('node:fs'), path = require('node:path');
const argv = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(calls)}, argv.join(' ') + '\\n');
const pos = [], filters = []; let recursive = false;
for (let i = 2; i < argv.length; i++) {
  if (argv[i] === '--exclude' || argv[i] === '--include') filters.push([argv[i], argv[++i]]);
  else if (argv[i] === '--recursive') recursive = true;
  else if (!argv[i].startsWith('--')) pos.push(argv[i]);
}
const loc = (p) => (p.startsWith('s3://') ? path.join(${JSON.stringify(s3)}, p.slice(5)) : p);
// As the AWS CLI: every filter is matched in order and the last one that matches decides.
const matches = (p, rel) => (p === '*' ? true : p.endsWith('/*') ? rel.startsWith(p.slice(0, -1)) : rel === p);
const skip = (rel) => filters.reduce((out, [kind, p]) => (matches(p, rel) ? kind === '--exclude' : out), false);
const tree = (from, to) => {
  for (const f of fs.readdirSync(from, { recursive: true })) {
    const src = path.join(from, f);
    if (fs.statSync(src).isDirectory() || skip(f)) continue;
    fs.mkdirSync(path.dirname(path.join(to, f)), { recursive: true });
    fs.copyFileSync(src, path.join(to, f));
  }
};
const [src, dst] = pos.map(loc);
if (argv[1] === 'ls') process.exit(fs.existsSync(src) ? 0 : 1);
if (argv[1] === 'sync') { if (fs.existsSync(src)) tree(src, dst); process.exit(0); }
if (pos[0] === '-') { fs.mkdirSync(path.dirname(dst), { recursive: true }); fs.writeFileSync(dst, fs.readFileSync(0)); process.exit(0); }
if (!fs.existsSync(src)) { console.error('fatal error: Not Found ' + pos[0]); process.exit(1); }
if (recursive) tree(src, dst);
else { fs.mkdirSync(path.dirname(dst), { recursive: true }); fs.copyFileSync(src, dst); }
`,
  );
  chmodSync(join(bin, 'aws'), 0o755);
  const exec = (script: string, env: Record<string, string>, home = join(dir, 'home')) => {
    mkdirSync(home, { recursive: true });
    writeFileSync(calls, '');
    execFileSync('/bin/sh', ['-c', script.replaceAll(HOME_MOUNT, home)], {
      env: { PATH: `${bin}:/usr/bin:/bin`, ...env },
      stdio: 'pipe',
    });
    return readFileSync(calls, 'utf8').trim().split('\n');
  };
  const put = (key: string, body: string) => {
    mkdirSync(dirname(join(s3, key)), { recursive: true });
    writeFileSync(join(s3, key), body);
  };
  return {
    s3,
    dir,
    exec,
    put,
    read: (key: string) => readFileSync(join(s3, key), 'utf8'),
    has: (key: string) => existsSync(join(s3, key)),
  };
}

function publishedRegistry() {
  const f = fakeS3();
  f.put('reg/home/loupe.db', 'database bytes');
  f.put('reg/home/models/v0007/model.json', '{"trees":[]}');
  f.put('reg/home/incoming/2026-12.csv', 'a landing file');
  f.put('reg/home/last-run.json', '{"decision":{"promote":true}}');
  const calls = f.exec(publishServingBundle, { REGISTRY_BUCKET: 'reg', BUNDLE_ID: 'retrain-1' });
  return { f, calls };
}

describe('publishing a serving bundle', () => {
  it('writes the files, then their checksummed manifest, then the APPROVED pointer', () => {
    const { f, calls } = publishedRegistry();
    expect(f.read('reg/serving/retrain-1/files/loupe.db')).toBe('database bytes');
    expect(f.read('reg/serving/retrain-1/files/models/v0007/model.json')).toBe('{"trees":[]}');
    expect(f.has('reg/serving/retrain-1/files/incoming/2026-12.csv')).toBe(false);
    expect(f.has('reg/serving/retrain-1/files/last-run.json')).toBe(false);
    const manifest = f.read('reg/serving/retrain-1/manifest.sha256').trim().split('\n');
    expect(manifest.map((l) => l.split(/\s+/)[1])).toEqual(['loupe.db', 'models/v0007/model.json']);
    expect(manifest[0]).toMatch(/^[0-9a-f]{64} {2}loupe\.db$/);
    expect(f.read('reg/serving/APPROVED')).toBe('retrain-1\n');
    const order = (needle: string) => calls.findIndex((c) => c.includes(needle));
    expect(order('serving/retrain-1/files/')).toBeLessThan(order('serving/retrain-1/manifest.sha256 --only'));
    expect(order('serving/retrain-1/manifest.sha256 --only')).toBeLessThan(order('serving/APPROVED'));
  });

  it('never writes over a published bundle', () => {
    const { f } = publishedRegistry();
    f.put('reg/home/loupe.db', 'a newer database');
    expect(() => f.exec(publishServingBundle, { REGISTRY_BUCKET: 'reg', BUNDLE_ID: 'retrain-1' })).toThrow(/immutable/);
    expect(f.read('reg/serving/retrain-1/files/loupe.db')).toBe('database bytes');
  });

  it('takes only the BUNDLE_INCLUDE prefixes when it is set (models/ when serving uses the shared database)', () => {
    const f = fakeS3();
    f.put('reg/home/loupe.db', 'database bytes');
    f.put('reg/home/models/v0007/model.json', '{"trees":[]}');
    f.put('reg/home/reports/v0007.html', 'a report');
    f.exec(publishServingBundle, { REGISTRY_BUCKET: 'reg', BUNDLE_ID: 'models-1', BUNDLE_INCLUDE: 'models/' });
    const manifest = f.read('reg/serving/models-1/manifest.sha256').trim().split('\n');
    expect(manifest.map((l) => l.split(/\s+/)[1])).toEqual(['models/v0007/model.json']);
    expect(f.has('reg/serving/models-1/files/loupe.db')).toBe(false);
  });

  it('refuses to run without a bundle id', () => {
    expect(() => fakeS3().exec(publishServingBundle, { REGISTRY_BUCKET: 'reg', BUNDLE_ID: '' })).toThrow();
  });
});

describe('restoring the pinned serving bundle', () => {
  it('fetches exactly the files of the pinned bundle and checks every checksum', () => {
    const { f } = publishedRegistry();
    const home = join(f.dir, 'serve-home');
    const calls = f.exec(restoreServingBundle, { REGISTRY_BUCKET: 'reg', LOUPE_BUNDLE_ID: 'retrain-1' }, home);
    expect(readFileSync(join(home, 'loupe.db'), 'utf8')).toBe('database bytes');
    expect(readFileSync(join(home, 'models/v0007/model.json'), 'utf8')).toBe('{"trees":[]}');
    expect(existsSync(join(home, '.manifest.sha256'))).toBe(false);
    expect(calls.join('\n')).not.toMatch(/APPROVED|CURRENT/);
  });

  it('refuses a bundle whose file does not match its manifest', () => {
    const { f } = publishedRegistry();
    f.put('reg/serving/retrain-1/files/loupe.db', 'tampered or half-written');
    expect(() =>
      f.exec(restoreServingBundle, { REGISTRY_BUCKET: 'reg', LOUPE_BUNDLE_ID: 'retrain-1' }, join(f.dir, 'h')),
    ).toThrow(/sha256sum|FAILED/);
  });

  it('refuses a bundle that was never published, and a revision that pins none', () => {
    const { f } = publishedRegistry();
    expect(() =>
      f.exec(restoreServingBundle, { REGISTRY_BUCKET: 'reg', LOUPE_BUNDLE_ID: 'unreleased' }, join(f.dir, 'h1')),
    ).toThrow(/never published/);
    expect(() => f.exec(restoreServingBundle, { REGISTRY_BUCKET: 'reg' }, join(f.dir, 'h2'))).toThrow(
      /must pin a bundle/,
    );
  });
});
