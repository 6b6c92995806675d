import {
  createWriteStream,
  fstatSync,
  openSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  type Stats,
  type WriteStream,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { namingFile } from '../store/disk-full.js';

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

/** Prints a result: JSON when asked, else the human rendering; on standard output unless told otherwise. */
export function emit<T>(
  options: OutputOptions,
  value: T,
  human: (value: T) => string,
  to: NodeJS.WritableStream = process.stdout,
): void {
  if (options.json) to.write(`${JSON.stringify(value, null, 2)}\n`);
  else to.write(`${human(value)}\n`);
}

/** Whether progress bars and colours make sense: a terminal, not --json. */
export function interactive(options: OutputOptions): boolean {
  return !options.json && Boolean(process.stderr.isTTY);
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

/** What `--out FILE` does (./output.ts outputFile), for the help of each command that has it. */
export const OUT_FILE_HELP = `--out FILE is written beside FILE and renamed onto it once complete: a run that fails or is interrupted
(Ctrl-C, SIGTERM) leaves FILE as it was, and no partial file. A symlink is written through (its target gets the
file, the link stays); a named pipe, a device (/dev/null) or standard output (/dev/stdout; a summary then goes to
stderr) is written to directly; a folder is a usage error, and so is the input file itself (by any path or link).`;

/**
 * `--out` naming the very file the command reads (the same path, another path to it, a link or a hard link to it):
 * a usage error, since the output, renamed onto it once complete, would replace the input. Compared by device and
 * inode, so only when both are regular files that exist (a new --out is never the input).
 */
export function mustNotBeTheInput(out: string, input: string, what: string): void {
  const o = statSync(out, { throwIfNoEntry: false });
  const i = statSync(input, { throwIfNoEntry: false });
  if (o?.isFile() && i?.isFile() && o.dev === i.dev && o.ino === i.ino)
    throw new CliError(
      `--out ${out} is the input file ${input}: writing it would replace ${what}; name another file`,
      EXIT_USAGE,
    );
}

/**
 * A file a command writes (`--out`). A regular file (or a new one) is complete at its path or not there at all;
 * a named pipe or a device (`/dev/null`) is written directly, as any Unix tool writes it: it cannot be replaced
 * atomically, and must not be replaced by a file. A path that is this process's standard output (`/dev/stdout`,
 * whatever that is: a pipe, a terminal, a file appended to) is written as standard output.
 */
export interface OutputFile {
  /** Where to write: for a regular file, a file of its own beside it until commit. */
  stream: Writable;
  /** The stream's first error, if any (for writeText): a failed write (a full disk) is never an unhandled event. */
  failed(): Error | undefined;
  /** Ends the stream and, for a regular file, moves the complete file to its path. */
  commit(): Promise<void>;
  /** Drops what was written (after a failure); a regular file's path is left as it was. */
  discard(): void;
  /** Whether the path is this process's standard output: a summary then goes to stderr, not into the output. */
  isStandardOutput: boolean;
}

export function outputFile(path: string): OutputFile {
  const target = outputTarget(path);
  if (target.stats && isStandardOutputFile(target.stats)) return standardOutput();
  if (target.stats?.isSocket())
    throw new CliError(`--out ${path} is a socket: name a file, a named pipe or a device to write`, EXIT_USAGE);
  if (target.stats && !target.stats.isFile()) return directOutput(path);
  return replacingOutput(target.path);
}

/**
 * What `--out` names, links followed: the final path (where a regular file is written beside and renamed onto,
 * so a symlink stays a link and its target gets the file) and what is there, if anything. A folder is a usage
 * error.
 */
function outputTarget(path: string): { path: string; stats?: Stats } {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP')
      throw new CliError(
        `--out ${path} is a symlink loop (or a chain of too many links): name the file to write`,
        EXIT_USAGE,
      );
    if (code !== 'ENOENT') throw err;
    return { path: danglingTarget(path) };
  }
  if (stats.isDirectory())
    throw new CliError(`--out ${path} is a folder: name the file to write (a new one, or one to replace)`, EXIT_USAGE);
  return { path: stats.isFile() ? realpathSync(path) : path, stats };
}

/** The missing name a chain of symlinks ends at (the path itself when it is not a link): the file to create. */
function danglingTarget(path: string): string {
  let at = path;
  // stat said ENOENT, not ELOOP: the chain ends; the bound only guards against links changed meanwhile.
  for (let hops = 0; hops < 40; hops++) {
    let link: string;
    try {
      link = readlinkSync(at);
    } catch {
      return at;
    }
    at = resolve(dirname(at), link);
  }
  return at;
}

function isStandardOutputFile(stats: Stats): boolean {
  let stdout: Stats;
  try {
    stdout = fstatSync(1);
  } catch {
    return false; // standard output closed
  }
  return stats.dev === stdout.dev && stats.ino === stdout.ino;
}

/** Standard output itself (a socket cannot be opened by its path, and a file it appends to must not be replaced). */
function standardOutput(): OutputFile {
  const stream = process.stdout;
  const errors = firstError(stream);
  return {
    stream,
    failed: errors.failed,
    isStandardOutput: true,
    async commit() {
      // Flushed, not ended: the process may still print on it.
      await new Promise<void>((resolve) => stream.write('', () => resolve()));
      errors.stop();
      const failure = errors.failed();
      if (failure) throw failure;
    },
    discard: errors.stop,
  };
}

/** A named pipe or a device: opened for writing as it is (no partial, no rename); nothing to take back. */
function directOutput(path: string): OutputFile {
  // No flush: fsync fails (EINVAL) on a pipe or a terminal.
  const stream = createWriteStream(path);
  const { failed } = firstError(stream);
  return {
    stream,
    failed,
    isStandardOutput: false,
    commit: () => endStream(stream, failed),
    discard() {
      stream.destroy();
    },
  };
}

/**
 * A regular file, new or replaced: written as `<path>.partial-PID` beside it and renamed onto it when complete.
 * Interrupted (SIGINT, SIGTERM), the partial file is removed and the signal then ends the process as it would have.
 */
function replacingOutput(path: string): OutputFile {
  const partial = `${path}.partial-${process.pid}`;
  let stream: WriteStream | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    stopListening();
    stream?.destroy();
    rmSync(partial, { force: true });
    // Unless something else listens for it (and stops the process its way), the default action: a shell sees 130
    // or 143, and a script that runs loupe stops too.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const stopListening = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  // Listening before the file exists, and opened synchronously: no moment when a signal would leave it behind.
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let fd: number;
  try {
    fd = openSync(partial, 'w');
  } catch (err) {
    stopListening();
    throw err;
  }
  const file = createWriteStream(partial, { fd, flush: true });
  stream = file;
  // Whoever hears a write fail first (the command's next write, commit), the error names the file (the same object).
  file.on('error', (err) => namingFile(err, path));
  const { failed } = firstError(file);
  return {
    stream: file,
    failed,
    isStandardOutput: false,
    async commit() {
      await endStream(file, failed);
      renameSync(partial, path);
      stopListening();
    },
    discard() {
      stopListening();
      file.destroy();
      rmSync(partial, { force: true });
    },
  };
}

/** The stream's first error from now on, so that a failed write is never an unhandled 'error' event. */
function firstError(stream: NodeJS.EventEmitter): { failed: () => Error | undefined; stop: () => void } {
  let failure: Error | undefined;
  const onError = (err: Error): void => {
    failure ??= err;
  };
  stream.on('error', onError);
  return { failed: () => failure, stop: () => void stream.off('error', onError) };
}

async function endStream(stream: WriteStream, failed: () => Error | undefined): Promise<void> {
  await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
  const failure = failed();
  if (failure) throw failure;
}
