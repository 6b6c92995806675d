/**
 * `npm run synth --prefix infra` works from a fresh clone: everything the script needs is infra's own
 * dependency (not borrowed from the app's node_modules above it), and the production template it writes
 * stays within CloudFormation's 500-resource limit. It writes to a temporary folder (CDK_OUTDIR), not infra/cdk.out,
 * so a test run leaves the tree as it was.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const infra = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(infra, 'package.json'), 'utf8'));
const declared = { ...pkg.dependencies, ...pkg.devDependencies };

describe('npm run synth --prefix infra', () => {
  it('declares the runner of its synth script and every package the stack imports', () => {
    const runner = String(pkg.scripts.synth).split(' ')[0];
    expect(declared).toHaveProperty(runner);
    expect(existsSync(join(infra, 'node_modules', runner, 'package.json'))).toBe(true);
    for (const dir of ['bin', 'lib', 'config']) {
      const files = readdirSync(join(infra, dir), { recursive: true, encoding: 'utf8' }).filter((f) =>
        f.endsWith('.ts'),
      );
      const sources = files.map((f) => readFileSync(join(infra, dir, f), 'utf8')).join('\n');
      for (const spec of new Set([...sources.matchAll(/from '([^.'][^']*)'/g)].map((m) => m[1]!))) {
        if (spec.startsWith('node:')) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        expect(declared, `${dir}/ imports ${spec}`).toHaveProperty(name);
      }
    }
  });

  it('synthesises the production stack offline', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'loupe-cdk-out-'));
    try {
      const out = execFileSync('npm', ['run', '--silent', 'synth'], {
        cwd: infra,
        encoding: 'utf8',
        env: { ...process.env, LOUPE_BUNDLE_ID: 'synth-test', CDK_OUTDIR: outdir },
      });
      const match = /^Loupe: (\d+) resources → (.+)$/m.exec(out);
      expect(match, out).not.toBeNull();
      expect(Number(match![1])).toBeLessThan(500);
      expect(match![2]!.startsWith(outdir)).toBe(true);
      const template = readFileSync(match![2]!, 'utf8');
      expect(template).toContain('synth-test');
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 300_000); // synthesis takes ~10 s alone and over a minute on a loaded 2-core machine
});
