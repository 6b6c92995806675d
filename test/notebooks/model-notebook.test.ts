/** Executes notebooks/02-model.ipynb (its small configuration) once and tests that run; see run-notebook.ts. */
import { describeNotebook } from './run-notebook.js';

describeNotebook('02-model.ipynb');
