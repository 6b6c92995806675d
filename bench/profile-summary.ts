/**
 * Where a CPU profile's time went: reads the .cpuprofile files node --cpu-prof wrote (one per thread; e.g. from
 * `npm run bench:api -- --profile DIR`) and prints, per file, the self time summed by function and by source
 * file, largest first. Self time is the time spent in a function's own code, not in what it calls.
 *
 *   npx tsx bench/profile-summary.ts DIR/round-1-metrics-on            # every profile in the folder
 *   npx tsx bench/profile-summary.ts FILE.cpuprofile --top 40
 *   npx tsx bench/profile-summary.ts DIR --last 10                     # only the profile's last 10 s (the load)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '30' }, last: { type: 'string' } },
});
const top = Number(args.top);
/** Only samples this close to the profile's end count (µs): the load, not the start before it. */
const lastMicros = args.last === undefined ? Number.POSITIVE_INFINITY : Number(args.last) * 1e6;

const files = positionals.flatMap((p) =>
  statSync(p).isDirectory()
    ? readdirSync(p)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => join(p, f))
    : [p],
);

/** A source location said short: node_modules/<package>/…, or the path below the working directory. */
function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const inModules = path.lastIndexOf('node_modules/');
  if (inModules >= 0) return path.slice(inModules);
  return path.startsWith('/') ? relative(process.cwd(), path) : path || '(native)';
}

function table(title: string, totals: Map<string, number>, all: number): string {
  const lines = [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(
      ([name, us]) =>
        `${((us / all) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`,
    );
  return `${title}\n${lines.join('\n')}\n`;
}

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfByFunction = new Map<string, number>();
  const selfByFile = new Map<string, number>();
  let all = 0;
  let idle = 0;
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const us = profile.timeDeltas[i] ?? 0;
    at += us;
    if (!node || profile.endTime - at > lastMicros) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idle += us;
      continue;
    }
    all += us;
    const where = shortUrl(url);
    const fn = `${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`;
    selfByFunction.set(fn, (selfByFunction.get(fn) ?? 0) + us);
    selfByFile.set(where, (selfByFile.get(where) ?? 0) + us);
  }
  process.stdout.write(
    `\n== ${file}: ${(all / 1000).toFixed(0)} ms busy, ${(idle / 1000).toFixed(0)} ms idle\n` +
      table('self time by function', selfByFunction, all) +
      table('self time by file', selfByFile, all),
  );
}
