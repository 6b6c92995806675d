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
    process.stderr.write(`loupe: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT_FAILURE;
  }
}
