import { createWriteStream, renameSync, rmSync, type WriteStream } from 'node:fs';

/**
 * Conventions every command follows: human-readable output on a terminal, `--json` for machines,
 * exit code 0 on success, 1 on failure, 2 on a usage error.
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** An error the user can act on: printed as its message alone (no stack), with an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
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

/** LOUPE_MAX_CARAT (or --max-carat): the heaviest stone Loupe prices, a number of carats > 0; undefined when not set. */
export function parseMaxCarat(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new CliError(
      `the carat limit (LOUPE_MAX_CARAT) must be a number of carats above 0, such as 7.5, not "${text}"`,
      EXIT_USAGE,
    );
  return value;
}

/**
 * Writes text, waiting for the stream to drain when its buffer is full; rejects if the stream fails or closes
 * meanwhile, or has already (`failed()`: its error, recorded by the caller's listener). For output that may be
 * large (a slow pipe, `| less`, must not make it pile up in memory).
 */
export function writeText(
  stream: NodeJS.WritableStream,
  text: string,
  failed: () => Error | undefined = () => undefined,
): Promise<void> {
  const before = failed();
  if (before) return Promise.reject(before);
  if (stream.write(text)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onDrain = () => finish();
    const onClose = () => finish(failed() ?? new Error('the output closed before every row was written'));
    const finish = (err?: Error) => {
      stream.off('drain', onDrain);
      stream.off('error', finish);
      stream.off('close', onClose);
      const failure = err ?? failed();
      if (failure) reject(failure);
      else resolve();
    };
    stream.once('drain', onDrain);
    stream.once('error', finish);
    stream.once('close', onClose);
  });
}

/** A file a command writes (`--out`): complete at its path, or not there at all. */
export interface OutputFile {
  /** Where to write: a file of its own beside the path until commit. */
  stream: WriteStream;
  /** The stream's first error, if any (for writeText): a failed write (a full disk) is never an unhandled event. */
  failed(): Error | undefined;
  /** Ends the stream and moves the complete file to its path. */
  commit(): Promise<void>;
  /** Drops what was written (after a failure); the path is left as it was. */
  discard(): void;
}

export function outputFile(path: string): OutputFile {
  const partial = `${path}.partial-${process.pid}`;
  const stream = createWriteStream(partial, { flush: true });
  let failure: Error | undefined;
  stream.on('error', (err) => {
    failure ??= err;
  });
  return {
    stream,
    failed: () => failure,
    async commit() {
      await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
      if (failure) throw failure;
      renameSync(partial, path);
    },
    discard() {
      stream.destroy();
      rmSync(partial, { force: true });
    },
  };
}
