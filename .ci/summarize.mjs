// Prints vitest's JSON results: the ten slowest test files (where the suite's time goes), then the closing line CI
// reads: "N passed, N failed".
import { readFileSync, existsSync } from 'node:fs';
import { relative } from 'node:path';

const file = process.argv[2];
if (!file || !existsSync(file)) {
  console.log('0 passed, 1 failed');
  process.exit(0);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
// A test file that fails to load counts as a failure even though it ran no test.
const brokenFiles = (r.testResults ?? []).filter(
  (f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0,
).length;
const slowest = (r.testResults ?? [])
  .map((f) => ({ seconds: (f.endTime - f.startTime) / 1000, name: relative(process.cwd(), f.name) }))
  .sort((a, b) => b.seconds - a.seconds)
  .slice(0, 10);
console.log('slowest test files (wall s):');
for (const f of slowest) console.log(`${f.seconds.toFixed(1).padStart(7)}  ${f.name}`);
console.log(`${r.numPassedTests} passed, ${r.numFailedTests + brokenFiles} failed`);
