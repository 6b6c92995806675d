/**
 * Builds the web app (web/ → web/dist) with Vite. `--if-stale` builds only when web/dist is missing or older than
 * any of its sources (the app, its config, and src/diamond, which the form imports), so `npm start` stays quick.
 *
 *   npx tsx scripts/build-web.ts             # always build
 *   npx tsx scripts/build-web.ts --if-stale  # build when needed (npm start does this)
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const WEB_CONFIG = join(ROOT, 'web', 'vite.config.ts');
const BUILT = join(ROOT, 'web', 'dist', 'index.html');
const SOURCES = ['web/index.html', 'web/vite.config.ts', 'web/public', 'web/src', 'src/diamond'].map((p) =>
  join(ROOT, p),
);

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return readdirSync(path).reduce((m, name) => Math.max(m, newest(join(path, name))), s.mtimeMs);
}

export function webIsStale(): boolean {
  if (!existsSync(BUILT)) return true;
  const built = statSync(BUILT).mtimeMs;
  return SOURCES.some((p) => newest(p) > built);
}

export async function buildWeb(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: WEB_CONFIG, logLevel: 'warn' });
}

/** Builds only when web/dist is missing or older than its sources; true when it built. */
export async function buildWebIfStale(): Promise<boolean> {
  if (!webIsStale()) return false;
  await buildWeb();
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const ifStale = process.argv.includes('--if-stale');
  if (ifStale && !webIsStale()) {
    console.log('web app: web/dist is up to date');
  } else {
    const started = Date.now();
    await buildWeb();
    console.log(`web app: built web/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}
