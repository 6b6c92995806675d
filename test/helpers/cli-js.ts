/**
 * The `loupe` command line as plain JavaScript, for tests that run it in a child process: tsx's loader costs about
 * 3 s of CPU per start (every module's resolve and load crosses to its hook thread), the transpiled tree about
 * 0.3 s. vitest's globalSetup (test/global-setup.ts) builds it once per run from the current sources; each file of
 * src/ is transpiled alone (esbuild, no bundling), next to a copy of its TypeScript, in a mirror of the repository
 * whose package.json, web/ and scripts/ are links to the real ones — so every `import.meta.url` path in src/
 * (worker entries, web/dist, package.json, the XGBoost trainer) resolves as it does from the sources.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { transformSync } from 'esbuild';

const ROOT = join(import.meta.dirname, '../..');
/** Under the repository, so node_modules is found by walking up; ignored by git (.cache/). */
export const CLI_JS_TREE = join(ROOT, '.cache', 'cli-js');
const ENTRY = join(CLI_JS_TREE, 'src', 'cli', 'main.js');

/** Transpiles src/ into CLI_JS_TREE (replacing what was there); returns the entry point. */
export function buildCliJs(): string {
  rmSync(CLI_JS_TREE, { recursive: true, force: true });
  for (const file of readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts')) continue;
    const source = join(ROOT, 'src', file);
    const target = join(CLI_JS_TREE, 'src', file);
    mkdirSync(dirname(target), { recursive: true });
    const { code } = transformSync(readFileSync(source, 'utf8'), {
      loader: 'ts',
      format: 'esm',
      target: 'node20',
      sourcefile: source,
    });
    writeFileSync(target.replace(/\.ts$/, '.js'), code);
    // worker threads started from a .ts URL (api/ts-worker.ts) still load the TypeScript through tsx
    copyFileSync(source, target);
  }
  for (const link of ['package.json', 'web', 'scripts']) symlinkSync(join(ROOT, link), join(CLI_JS_TREE, link));
  return ENTRY;
}

/**
 * The arguments of `node` that run the loupe command line: the transpiled tree when the global setup built it
 * (LOUPE_TEST_CLI_JS), else the sources through tsx: without the repository's vitest config, or when asked for
 * with LOUPE_TEST_CLI_JS=tsx (to compare, or to rule the transpiled tree out).
 */
export function cliArgv(...args: string[]): string[] {
  const built = process.env.LOUPE_TEST_CLI_JS;
  return built && built !== 'tsx'
    ? [built, ...args]
    : ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args];
}
