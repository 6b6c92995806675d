/**
 * Runs the `loupe` program on an argument vector and maps failures to exit codes (0 success, 1 failure, 2 usage
 * error): what the entry point (./main.ts) does with the process's arguments, and what tests that call a command in
 * their own process (test/helpers/cli-in-process.ts) do with theirs.
 */
import { CommanderError } from 'commander';
import { CliError, EXIT_FAILURE, EXIT_USAGE } from './output.js';
import { buildProgram } from './program.js';

export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return err.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (err instanceof CliError) {
      process.stderr.write(`loupe: ${err.message}\n`);
      return err.exitCode;
    }
    if (isNamed(err, 'ConfigError')) {
      // pipeline/config.ts: a setting (an environment variable, a reference data file) the person can fix.
      process.stderr.write(`loupe: ${err.message}\n`);
      return EXIT_USAGE;
    }
    if (isSystemError(err) || isNamed(err, 'IngestFileError') || isNamed(err, 'DatabaseConfigError')) {
      // The machine said no (a path that is a file, a folder not writable, a full disk), a file given to a command
      // cannot be read as one of its kind, or the database named cannot be used: the message names what is wrong,
      // which is what the person can act on; a stack trace would only hide it.
      process.stderr.write(`loupe: ${err.message}\n`);
      return EXIT_FAILURE;
    }
    process.stderr.write(`loupe: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT_FAILURE;
  }
}

/** An error of a call into the operating system (Node's fs, net, child_process): it has an errno code and a syscall. */
function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  const e = err as NodeJS.ErrnoException;
  return (
    err instanceof Error && typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code) && typeof e.syscall === 'string'
  );
}

/**
 * An error of a class known by its name — ingest/errors.ts IngestFileError (a file missing, empty, not CSV, without
 * the columns asked for), pipeline/config.ts ConfigError, store/postgres/connect.ts DatabaseConfigError: importing
 * the classes would load their modules for every command, `loupe --help` included.
 */
function isNamed(err: unknown, name: string): err is Error {
  return err instanceof Error && err.name === name;
}
