/**
 * Entry point of the `loupe` command line: runs the program on this process's arguments and exits with its code
 * (0 success, 1 failure, 2 usage error; ./run.ts).
 */
import { runCli } from './run.js';

process.exitCode = await runCli(process.argv);
