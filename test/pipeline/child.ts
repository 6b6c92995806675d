/**
 * The `loupe pipeline` command alone, for the crash tests' child processes: the same command module and exit
 * codes as src/cli/main.ts, without loading every other command (the API server and its dependencies), so a
 * child starts in a fraction of the time on a busy machine. It pauses at the crash point LOUPE_TEST_PAUSE_AT
 * names (./pause.ts), a hook only this test entry point passes.
 */
import { Command, CommanderError } from 'commander';
import { pipelineCommand } from '../../src/cli/pipeline.js';
import { CliError, EXIT_FAILURE, EXIT_USAGE } from '../../src/cli/output.js';
import { pauseAt } from './pause.js';

const program = new Command('loupe').exitOverride();
pipelineCommand({ checkpoint: pauseAt(process.env.LOUPE_TEST_PAUSE_AT) })(program);
try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CliError) {
    process.stderr.write(`loupe: ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE;
  } else {
    process.stderr.write(`loupe: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = EXIT_FAILURE;
  }
}
