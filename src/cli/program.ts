/**
 * The `loupe` program: every command, each from its own file, registered in one list.
 */
import { Command } from 'commander';
import { registerDb } from './db.js';
import { registerFeatures } from './features.js';
import { registerImportXGBoost } from './import-xgboost.js';
import { registerIngest } from './ingest.js';
import { registerKeys } from './keys.js';
import { registerModels } from './models.js';
import { registerPipeline } from './pipeline.js';
import { registerPredict } from './predict.js';
import { registerRejects } from './rejects.js';
import { registerServe } from './serve.js';
import { registerTrain } from './train.js';

/** A command file exports one of these; it adds its command (with help and an example) to the program. */
export type RegisterCommand = (program: Command) => void;

const COMMANDS: RegisterCommand[] = [
  // One entry per command file.
  registerIngest,
  registerRejects,
  registerServe,
  registerKeys,
  registerTrain,
  registerFeatures,
  registerImportXGBoost,
  registerModels,
  registerPipeline,
  registerDb,
  registerPredict,
];

export function buildProgram(): Command {
  const program = new Command('loupe')
    .description('Loupe — diamond appraisal: prices, explanations and ranges for every stone.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of COMMANDS) register(program);
  return program;
}
