/**
 * Conventions every command follows: human-readable output on a terminal, `--json` for machines,
 * exit code 0 on success, 1 on failure, 2 on a usage error.
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** An error the user can act on: printed as its message alone (no stack), with an exit code. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT_FAILURE) {
    super(message);
    this.name = 'CliError';
  }
}

export interface OutputOptions {
  json?: boolean;
}

/** Prints a result: JSON when asked, else the human rendering. */
export function emit<T>(options: OutputOptions, value: T, human: (value: T) => string): void {
  if (options.json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  else process.stdout.write(`${human(value)}\n`);
}

/** Whether progress bars and colours make sense: a terminal, not --json. */
export function interactive(options: OutputOptions): boolean {
  return !options.json && Boolean(process.stderr.isTTY);
}
