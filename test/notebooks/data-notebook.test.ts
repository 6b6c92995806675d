/** Executes notebooks/01-data.ipynb once and tests that run; see run-notebook.ts. */
import { describeNotebook } from './run-notebook.js';

describeNotebook('01-data.ipynb');
