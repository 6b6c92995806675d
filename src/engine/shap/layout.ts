/** What the explainer (index.ts) asks of a layout. */
export interface Layout {
  /** Number of precomputed numbers held (8 bytes each). */
  readonly tableEntries: number;
  /**
   * Adds the contributions of the row x (as doubles; `missing` when a value is NaN) to phi, which holds zeros and
   * has an entry per player (the expected value, the last entry, is the caller's).
   */
  add(x: Float64Array, phi: Float64Array, missing: boolean): void;
  /**
   * The prediction of the row last given to add, equal bit for bit to predictRow's (base + tree 0 + tree 1 + …),
   * from the same comparisons.
   */
  lastPrediction(): number;
}
