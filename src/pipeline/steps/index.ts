/**
 * The pipeline's steps, in the order a run takes them:
 *
 *   ingest    every new file of the landing folder (and the reference data, if nothing is stored yet)
 *   drift     each field's drift from the champion's training data to the new appraisals; performance drift
 *   snapshot  the training rows by content hash; if every kind already has a model on it, nothing to do
 *   train     per kind: tuning by CV inside the training rows, a fixed number of seeded trials
 *   evaluate  challenger(s) and champion on the same rows: reference test split + holdout of the newest files
 *   promote   the decision: the best challenger (by CV) against the champion, by the promotion rule
 *   register  every trained model, and the promotion if decided, in one transaction (artifacts written first)
 *   report    a model card for every model that lacks one
 *
 * A step is added here and nowhere else: the runner, the progress bar, the benchmark's columns and the crash
 * tests' points all follow this list.
 */
import { driftStep } from './drift.js';
import { evaluateStep } from './evaluate.js';
import { ingestStep } from './ingest.js';
import { promoteStep } from './promote.js';
import { registerStep } from './register.js';
import { reportStep } from './report.js';
import { snapshotStep } from './snapshot.js';
import { trainStep } from './train.js';

export const PIPELINE_STEPS = [
  ingestStep,
  driftStep,
  snapshotStep,
  trainStep,
  evaluateStep,
  promoteStep,
  registerStep,
  reportStep,
] as const;

export type StepName = (typeof PIPELINE_STEPS)[number]['name'];

export const STEPS: readonly StepName[] = PIPELINE_STEPS.map((s) => s.name);

/** Every point a run can be stopped at: each step's start, then the points inside it (`<step>:<point>`). */
export const CRASH_POINTS: readonly string[] = PIPELINE_STEPS.flatMap((s) => [
  s.name,
  ...(s.checkpoints ?? []).map((p) => `${s.name}:${p}`),
]);
