/**
 * The `loupe` command line (and the other entry points tests start as child processes, e.g. test/pipeline/child.ts)
 * as plain JavaScript: through tsx's loader a start of the CLI costs about 3.3 s of CPU (every module's resolve and
 * load crosses to its hook thread), from the transpiled tree about 1.4 s. vitest's globalSetup (test/global-setup.ts)
 * builds it once per run from the current sources: each file of src/ and each non-test file of test/ is transpiled
 * alone (esbuild, no bundling), next to a copy of its TypeScript, in a mirror of the repository whose package.json,
 * web/ and scripts/ are links to the real ones — so every `import.meta.url` path in src/ (worker entries, web/dist,
 * package.json, the XGBoost trainer) resolves as it does from the sources.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildSync, transformSync } from 'esbuild';

const ROOT = join(import.meta.dirname, '../..');
/** Under the repository, so node_modules is found by walking up; ignored by git (.cache/). */
export const CLI_JS_TREE = join(ROOT, '.cache', 'cli-js');

/** The files transpiled: all of src/, and the entry points tests start from test/ (every file but the tests). */
function sources(): string[] {
  const under = (dir: string) =>
    readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' }).map((file) => join(dir, file));
  return [...under('src'), ...under('test').filter((file) => !file.endsWith('.test.ts'))].filter((file) =>
    file.endsWith('.ts'),
  );
}

/** Transpiles the sources into CLI_JS_TREE (replacing what was there); returns the tree. */
export function buildCliJs(): string {
  rmSync(CLI_JS_TREE, { recursive: true, force: true });
  for (const file of sources()) {
    const source = join(ROOT, file);
    const target = join(CLI_JS_TREE, file);
    mkdirSync(dirname(target), { recursive: true });
    const { code } = transformSync(readFileSync(source, 'utf8'), {
      loader: 'ts',
      format: 'esm',
      target: 'node20',
      sourcefile: source,
    });
    writeFileSync(target.replace(/\.ts$/, '.js'), code);
    // worker threads are started from a .ts URL: api/ts-worker.ts finds the .js twin beside it and runs that
    copyFileSync(source, target);
  }
  for (const link of ['package.json', 'web', 'scripts']) symlinkSync(join(ROOT, link), join(CLI_JS_TREE, link));
  bundleTypebox();
  return CLI_JS_TREE;
}

/**
 * typebox as the tree's own package, bundled: its published build is about 680 small modules, and loading them
 * cost each process that imports it (every `loupe` command: the diamond schemas and the registry's metrics contract)
 * about 0.5 s of CPU, against under 0.1 s for the same code in a few files. Each of typebox's entry points becomes
 * one file, their shared code split into chunks they all import, so `typebox`, `typebox/value`, `typebox/system` …
 * still share one copy of its state (settings, formats) as they do in node_modules. Node finds it before the real
 * one from any module in the tree; the tests' own process still loads the real one.
 */
function bundleTypebox(): void {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'node_modules/typebox/package.json'), 'utf8')) as {
    version: string;
    exports: Record<string, string | { import: string }>;
  };
  // The entries are built from small files that re-export each entry point of the real package (by its path).
  const entries = join(ROOT, '.cache', 'typebox-entries');
  rmSync(entries, { recursive: true, force: true });
  mkdirSync(entries, { recursive: true });
  const names: Record<string, string> = {};
  const exports: Record<string, string> = {};
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    const name = subpath === '.' ? 'index' : subpath.slice(2);
    const file = join(ROOT, 'node_modules/typebox', typeof target === 'string' ? target : target.import);
    const hasDefault = /^export default /m.test(readFileSync(file, 'utf8'));
    const entry = join(entries, `${name}.mjs`);
    const from = JSON.stringify(file);
    writeFileSync(entry, `export * from ${from};\n${hasDefault ? `export { default } from ${from};\n` : ''}`);
    names[name] = entry;
    exports[subpath] = `./${name}.mjs`;
  }
  const out = join(CLI_JS_TREE, 'node_modules', 'typebox');
  buildSync({
    entryPoints: names,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir: out,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'error',
  });
  writeFileSync(
    join(out, 'package.json'),
    `${JSON.stringify({ name: 'typebox', version: manifest.version, type: 'module', exports }, null, 2)}\n`,
  );
  rmSync(entries, { recursive: true, force: true });
}

/**
 * The arguments of `node` that run `entry` (a TypeScript file, relative to the repository): its transpiled copy
 * when the global setup built the tree (LOUPE_TEST_CLI_JS), else the source through tsx — without the repository's
 * vitest config, or when asked for with LOUPE_TEST_CLI_JS=tsx (to compare, or to rule the transpiled tree out).
 */
export function nodeArgv(entry: string, ...args: string[]): string[] {
  const tree = process.env.LOUPE_TEST_CLI_JS;
  return tree && tree !== 'tsx'
    ? [join(tree, entry.replace(/\.ts$/, '.js')), ...args]
    : ['--import', 'tsx', join(ROOT, entry), ...args];
}

/**
 * The environment of a child that trains but whose test checks nothing about training threads (model/parallel
 * does): one training thread, because a worker thread compiles the engine a second time (about 0.6 s of CPU per
 * child that trains).
 */
export const ONE_TRAINING_THREAD = { LOUPE_TRAIN_THREADS: '1' } as const;

/** The arguments of `node` that run the loupe command line with `args`. */
export function cliArgv(...args: string[]): string[] {
  return nodeArgv('src/cli/main.ts', ...args);
}
