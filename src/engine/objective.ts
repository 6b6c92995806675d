/**
 * Training objectives. An objective supplies the starting score, per-row gradients and hessians of its loss with
 * respect to the current prediction, and the loss reported on the training and validation curves.
 * Only squared error is implemented (the model layer trains on log price); the interface admits others
 * (e.g. pseudo-Huber, quantile) without touching the booster.
 */

export interface Objective {
  readonly name: string;
  /** Best constant prediction for these targets. */
  baseScore(y: Float64Array): number;
  /**
   * Writes d loss / d pred into grad and d² loss / d pred² into hess for every row, and returns the mean loss of
   * pred — exactly what loss(y, pred) returns — from the same pass over the rows. With constantHessian set, hess
   * need not be written (the engine never reads it). With `sums`, sums[0] gets the gradients' sum in row order
   * (grad[0] + grad[1] + …: the root's sum when a tree takes every row, without a pass of its own).
   */
  gradients(y: Float64Array, pred: Float64Array, grad: Float64Array, hess: Float64Array, sums?: Float64Array): number;
  /** When every hessian equals this number whatever the data, the engine skips hessian sums. */
  readonly constantHessian?: number;
  /** Mean loss of predictions against targets (lower is better); the curves in the fit result report it. */
  loss(y: Float64Array, pred: Float64Array): number;
}

/** Loss ½(y − p)²: gradient p − y, hessian 1. Its reported loss is the mean squared error. */
export const squaredError: Objective = {
  name: 'squared_error',
  constantHessian: 1,
  baseScore(y) {
    let sum = 0;
    for (let i = 0; i < y.length; i++) sum += y[i];
    return y.length > 0 ? sum / y.length : 0;
  },
  gradients(y, pred, grad, _hess, sums) {
    // (p − y)² equals (y − p)² bit for bit, and the sum runs in the same order as loss(): the same number.
    let squares = 0;
    let sum = 0;
    for (let i = 0; i < y.length; i++) {
      const g = pred[i] - y[i];
      grad[i] = g;
      squares += g * g;
      sum += g;
    }
    if (sums) sums[0] = sum;
    return y.length > 0 ? squares / y.length : 0;
  },
  loss(y, pred) {
    let sum = 0;
    for (let i = 0; i < y.length; i++) {
      const d = y[i] - pred[i];
      sum += d * d;
    }
    return y.length > 0 ? sum / y.length : 0;
  },
};

const OBJECTIVES: Record<string, Objective> = { squared_error: squaredError };

export type ObjectiveName = 'squared_error';

export function objectiveByName(name: string): Objective {
  const objective = OBJECTIVES[name];
  if (!objective) throw new RangeError(`unknown objective "${name}"; known: ${Object.keys(OBJECTIVES).join(', ')}`);
  return objective;
}
