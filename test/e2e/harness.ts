/**
 * What the web app's end-to-end tests stand on: the real Loupe server (`loupe serve --open`) on a free port, on a
 * home with a first model copied from the one built once per run (homeWithFirstModel; every e2e file does this), or
 * on a fresh LOUPE_HOME (it then ingests the reference data and trains its first model, as on a first `npm start`,
 * with FIRST_START_TRIALS tuning trials instead of the default 8), and Debian's headless Chromium driven by
 * playwright-core, a fresh browser context (its own cookies and storage) for each file. Nothing is mocked.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { cliArgv } from '../helpers/cli-js.js';
import { loupeInProcess } from '../helpers/cli-in-process.js';
import { firstModelHome, runSmallPipeline } from '../helpers/prepared-home.js';
import { SMALL_DIFFICULTY_TREES } from '../helpers/small-data.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Tuning trials of a fresh home's first model: the kind and the run are the first start's, the search shorter. */
export const FIRST_START_TRIALS = 2;

export interface RunningServer {
  url: string;
  home: string;
  output: () => string;
  stop: () => Promise<void>;
}

export interface ServerOptions {
  timeoutMs: number;
  /** Serve /v1 without keys (default true). */
  open?: boolean;
  /** An existing LOUPE_HOME to share (it is then left in place on stop); default a fresh one. */
  home?: string;
  /** More environment for the server (e.g. LOUPE_SHOP_NAME). */
  env?: Record<string, string>;
}

/** Starts `loupe serve` and resolves once /readyz says a model is loaded. */
export async function startServer({
  timeoutMs,
  open = true,
  home: shared,
  env = {},
}: ServerOptions): Promise<RunningServer> {
  const home = shared ?? mkdtempSync(join(tmpdir(), 'loupe-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    process.execPath,
    cliArgv('serve', ...(open ? ['--open'] : []), '--host', '127.0.0.1', '--port', String(port), '--home', home),
    {
      cwd: ROOT,
      env: {
        ...process.env,
        LOUPE_HOME: home,
        LOG_LEVEL: 'warn',
        LOUPE_TUNE_TRIALS: String(FIRST_START_TRIALS),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    if (!shared) rmSync(home, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`loupe serve exited with ${child.exitCode} before it was ready:\n${output}`);
    }
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.ok) return { url, home, output: () => output, stop };
    } catch {
      // Not listening yet: the first start ingests and trains before it listens.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`loupe serve was not ready after ${timeoutMs} ms:\n${output}`);
}

/**
 * A fresh LOUPE_HOME whose first model the pipeline trained, small and fast (hedonic, three trials), champion by
 * the pipeline's rule: quicker than the full first start of `loupe serve` for tests that need any model.
 */
export async function homeWithFirstModel(prefix: string): Promise<string> {
  return firstModelHome(prefix); // a copy of the one home built once per run (test/helpers/prepared-home.ts)
}

/**
 * One run of the retraining pipeline on a home (hedonic, three trials), as an operator runs it, on its own
 * connection (the server serves the same home meanwhile). Its ranges' difficulty model has SMALL_DIFFICULTY_TREES
 * trees, not the default 300 (most of a small training's CPU): what an e2e test checks of a retrained model (which
 * model learned from the recorded appraisals, the screens that show it) holds for any ranges.
 */
export const retrain = (home: string): Promise<void> => runSmallPipeline(home, SMALL_DIFFICULTY_TREES);

/**
 * Runs a `loupe` command, as an operator beside the server does, in this process (test/helpers/cli-in-process.ts:
 * the same program and exit codes, without a process start of about 1.5 s of CPU); resolves with its standard
 * output, rejects with its exit code (`code`) and output when it is not 0.
 */
export async function loupe(args: string[]): Promise<string> {
  const r = await loupeInProcess(args);
  if (r.status !== 0)
    throw Object.assign(new Error(`loupe ${args.join(' ')} exited with ${r.status}:\n${r.out}`), {
      code: r.status,
      stdout: r.stdout,
    });
  return r.stdout;
}

/**
 * The one headless Chromium of this test process, started on first use: a worker runs file after file (isolate is
 * off in vitest.config.ts), and a Chromium start costs 2-4 s, more than most files' pages. Each file gets its own
 * context from it (launchBrowser), so nothing one file stores reaches another. Playwright ends the browser and
 * removes its profile when the process exits; one that crashed or was closed is started again.
 */
const running = globalThis as { loupeChromium?: Promise<Browser> };

function sharedChromium(): Promise<Browser> {
  if (!running.loupeChromium) {
    if (!existsSync(CHROMIUM)) {
      return Promise.reject(
        new Error(
          `Chromium is not installed at ${CHROMIUM}: run scripts/setup.sh (it installs Debian's chromium), or set CHROMIUM_PATH.`,
        ),
      );
    }
    const started = chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    running.loupeChromium = started;
    started.then(
      (browser) =>
        browser.on('disconnected', () => {
          if (running.loupeChromium === started) running.loupeChromium = undefined;
        }),
      () => {
        if (running.loupeChromium === started) running.loupeChromium = undefined;
      },
    );
  }
  return running.loupeChromium;
}

/**
 * A fresh browser context (no cookies, no storage) in this process's headless Chromium; close() ends the context.
 * The context keeps one blank page open until then: while a context has a page, each page a test opens and closes
 * costs Chromium about half the CPU it costs in a context left without pages between them (30 pages of the app
 * opened and closed in turn: 22 s of Chromium's CPU without it, 10–11 s with it; /tmp bench, load 9–10, shared
 * machine, 6 Dec 2026). The blank page loads nothing and no test sees it (tests use the pages they open).
 */
export async function launchBrowser(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const browser = await sharedChromium();
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1440, height: 900 } });
  await context.newPage();
  return { context, close: () => context.close() };
}

/** Screenshots are written only when asked (UPDATE_SCREENSHOTS=1), so a test run never changes the tree. */
export const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : null;
