/**
 * Runs every benchmark, one after the other (never two at once: they share the machine's two cores), each in
 * its own process, and prints their tables. `npm run bench`; one benchmark alone: `npm run bench:<name>`.
 */
import { spawnSync } from 'node:child_process';

const BENCHES = [
  'ingest',
  'engine',
  'scale',
  'valuation',
  'shap',
  'accuracy',
  'model-selection',
  'pipeline',
  'api',
  'request-log',
  'web',
];
const only = process.argv.slice(2);
let failed = 0;
for (const name of only.length > 0 ? only : BENCHES) {
  process.stdout.write(`\n=== npm run bench:${name} ===\n`);
  const r = spawnSync('npm', ['run', '--silent', `bench:${name}`], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    process.stdout.write(`bench:${name} failed (exit ${r.status ?? r.signal})\n`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
