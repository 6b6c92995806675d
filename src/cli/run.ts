/**
 * Runs the `loupe` program on an argument vector and maps failures to exit codes (0 success, 1 failure, 2 usage
 * error): what the entry point (./main.ts) does with the process's arguments, and what tests that call a command in
 * their own process (test/helpers/cli-in-process.ts) do with theirs.
 */
import { CommanderError } from 'commander';
import { diskFullDetail, isDiskFull } from '../store/disk-full.js';
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
    // A full disk, wherever it was met first (opening the database, writing to it, writing a file): what to do is
    // the same. An error of a known kind that says so itself (StoreFullError) keeps its own words.
    if (knownExitCode(err) === undefined && isDiskFull(err)) {
      process.stderr.write(
        `loupe: the disk is full (${diskFullDetail(err)}); free some space and run the command again\n`,
      );
      return EXIT_FAILURE;
    }
    // The machine said no (a path that is a file, a folder not writable), or an error of a known kind
    // (KNOWN_ERRORS): the message names what is wrong, which is what the person can act on; a stack would hide it.
    const known = isSystemError(err) ? EXIT_FAILURE : knownExitCode(err);
    if (known !== undefined) {
      process.stderr.write(`loupe: ${(err as Error).message}\n`);
      return known;
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
 * Errors whose message says all a person needs — what is wrong and what to do — with the exit code each means;
 * known by their names, since importing the classes would load their modules for every command, `loupe --help`
 * included. Any other error is a bug: it keeps its stack.
 */
const KNOWN_ERRORS: Readonly<Record<string, number>> = {
  // pipeline/config.ts: a setting (an environment variable, a reference data file) the person can fix.
  ConfigError: EXIT_USAGE,
  // ingest/errors.ts: a file given to a command cannot be read as one of its kind (missing, empty, not CSV, a
  // FIFO, without the columns asked for).
  IngestFileError: EXIT_FAILURE,
  // ingest/errors.ts: the disk (or the database's page limit) filled while a file was stored; nothing of it was.
  StoreFullError: EXIT_FAILURE,
  // store/postgres/connect.ts: the database named cannot be used.
  DatabaseConfigError: EXIT_FAILURE,
  // store/db.ts: a SQLite database a newer Loupe migrated.
  NewerSchemaError: EXIT_FAILURE,
  // store/store.ts: PostgreSQL stopped answering while a command ran (what it was writing is rolled back).
  DatabaseUnavailable: EXIT_FAILURE,
  // model/artifact.ts: a model file that is not a Loupe model, or whose contents its kind cannot load.
  ArtifactError: EXIT_FAILURE,
  // model/train.ts: too few appraisals to train and calibrate a model.
  TooFewAppraisalsError: EXIT_FAILURE,
  // pipeline/steps/train.ts: every kind of a run failed to train (each kind's reason is in the message).
  EveryKindFailedError: EXIT_FAILURE,
};

function knownExitCode(err: unknown): number | undefined {
  return err instanceof Error && Object.hasOwn(KNOWN_ERRORS, err.name) ? KNOWN_ERRORS[err.name] : undefined;
}
