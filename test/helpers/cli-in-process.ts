/**
 * A `loupe` command run in the test's own process: the same program and exit codes as the entry point
 * (src/cli/run.ts), with the given environment, its standard output and error captured. For tests whose subject is
 * what a command does (a promotion both servers serve, a key revoked), not the process: a start of the command line
 * as a child costs about 1.5 s of CPU (its modules), the call here almost nothing. The tests of the process
 * boundary itself (exit codes of a real process, signals, what a process prints) keep starting one (./cli-js.ts).
 *
 * The environment variables given are set for the call and restored after it, and so are process.exitCode and the
 * output streams: a file runs its tests one at a time, so nothing else in this process sees them meanwhile.
 */
import { vi } from 'vitest';
import { runCli } from '../../src/cli/run.js';

export interface InProcessResult {
  status: number;
  stdout: string;
  stderr: string;
  /** stdout then stderr, as a test reading a child's combined output sees them. */
  out: string;
}

export async function loupeInProcess(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<InProcessResult> {
  let stdout = '';
  let stderr = '';
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const exitCode = process.exitCode;
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  process.exitCode = undefined;
  try {
    const status = await runCli(['node', 'loupe', ...args]);
    return { status, stdout, stderr, out: `${stdout}${stderr}` };
  } finally {
    out.mockRestore();
    err.mockRestore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    process.exitCode = exitCode;
  }
}
