/**
 * The engine's input: a column-major matrix of float features. Column-major because training reads one feature
 * at a time (binning, histograms) and because the model layer builds one column per feature.
 * Missing values are NaN; ±Infinity is refused at fit time.
 */

export interface FeatureMatrix {
  /** One Float64Array per feature, each `rows` long. */
  columns: Float64Array[];
  rows: number;
}

/** Builds a FeatureMatrix from row arrays (tests, small what-if batches). */
export function matrixFromRows(rows: ArrayLike<number>[], numFeatures?: number): FeatureMatrix {
  const nf = numFeatures ?? (rows.length > 0 ? rows[0].length : 0);
  const columns = Array.from({ length: nf }, () => new Float64Array(rows.length));
  rows.forEach((row, i) => {
    if (row.length !== nf) throw new RangeError(`row ${i} has ${row.length} values, expected ${nf}`);
    for (let f = 0; f < nf; f++) columns[f][i] = row[f];
  });
  return { columns, rows: rows.length };
}

/** Checks that every column has `rows` entries and, when given, that there are `numFeatures` columns. */
export function checkMatrix(X: FeatureMatrix, numFeatures?: number, what = 'X'): void {
  if (X === null || typeof X !== 'object' || !Array.isArray(X.columns))
    throw new TypeError(`${what} must be { columns: Float64Array[], rows: number }`);
  if (!Number.isInteger(X.rows) || X.rows < 0)
    throw new RangeError(`${what}.rows must be a non-negative integer, got ${X.rows}`);
  if (numFeatures !== undefined && X.columns.length !== numFeatures) {
    throw new RangeError(`${what} has ${X.columns.length} feature columns, the model expects ${numFeatures}`);
  }
  X.columns.forEach((col, f) => {
    if (!(col instanceof Float64Array)) throw new TypeError(`${what}.columns[${f}] must be a Float64Array`);
    if (col.length !== X.rows)
      throw new RangeError(`${what}.columns[${f}] has ${col.length} values, ${what}.rows is ${X.rows}`);
  });
}

/** The rows of X at the given indices, as a new matrix. */
export function takeRows(X: FeatureMatrix, indices: ArrayLike<number>): FeatureMatrix {
  const columns = X.columns.map((col) => {
    const out = new Float64Array(indices.length);
    for (let i = 0; i < indices.length; i++) out[i] = col[indices[i]];
    return out;
  });
  return { columns, rows: indices.length };
}
