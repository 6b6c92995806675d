/**
 * Speed work on the engine must not change what it learns: these models' serialised bytes are pinned by their
 * SHA-256, recorded from the engine before the single-thread speed-ups of issue 19 (row ranges, histogram and
 * partition loops). A change that moves any split, threshold, leaf value or cover by one bit fails here. When a
 * change is meant to alter models, re-record the hashes and say why in the commit.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fit, serialize, type FitOptions } from '../../src/engine/index.js';
import { synthetic } from './helpers.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** `wide`: 9 features (the diamond data's count, odd), the extra 5 being noise with missing values and few levels. */
function modelHash(rows: number, seed: number, options: Partial<FitOptions>, wide = false): string {
  const { X, y } = synthetic(rows, seed);
  if (wide) {
    const noise = synthetic(rows, seed + 100).X.columns;
    X.columns.push(
      ...noise,
      Float64Array.from(noise[0], (v) => Math.floor(v / 2)),
    );
  }
  return sha256(serialize(fit(X, y, options).model));
}

describe('models are byte-identical to the recorded ones', () => {
  it('depth-wise, all rows and features, with missing values', () => {
    expect(modelHash(3000, 21, { nEstimators: 40, maxDepth: 6, learningRate: 0.1 })).toBe(
      'c8eb93edec895d633152da6a0f3ea21fd887a64d2287eeb424d740357bd41214',
    );
    expect(modelHash(3000, 21, { nEstimators: 40, maxDepth: 6, learningRate: 0.1 }, true)).toBe(
      '9ad35b0e075b9524614cbed5048f45f2b2097409d0fe9cf86e5fc3127a2bd3d4',
    );
  });

  it('with row and column subsampling', () => {
    expect(modelHash(3000, 22, { nEstimators: 40, maxDepth: 5, subsample: 0.7, colsampleByTree: 0.6, seed: 9 })).toBe(
      'cf228f8749ac2bacccf098770922c1e8ab545d05b305756fd4f3c20262b3a88b',
    );
  });

  it('leaf-wise with monotone constraints', () => {
    expect(modelHash(3000, 23, { nEstimators: 30, maxDepth: 0, maxLeaves: 20, monotone: [1, -1, 0, 0], seed: 4 })).toBe(
      'b6cddb43e54cc04a48fc0a42b64b71a3c0a2c5a123905a1eec70b434b3f8d61e',
    );
  });

  it('with a validation split and early stopping', () => {
    expect(
      modelHash(3000, 24, { nEstimators: 200, maxDepth: 4, validationFraction: 0.2, earlyStoppingRounds: 5 }),
    ).toBe('f199f0881a8be51e3a8d5d700d26c945caa5c7c8dfb798703491efab9b49bf42');
  });

  it('on enough rows for worker threads, on 1 and 2 threads', () => {
    const options = { nEstimators: 12, maxDepth: 6, subsample: 0.9, seed: 2 };
    expect(modelHash(40_000, 25, { ...options, threads: 1 }, true)).toBe(
      '6d08363e4cdf6cf2bc50b8fe3fd265c91d5ce4923a7cbec98e3b4af867c86169',
    );
    expect(modelHash(40_000, 25, { ...options, threads: 2, minRowsForThreads: 0 }, true)).toBe(
      '6d08363e4cdf6cf2bc50b8fe3fd265c91d5ce4923a7cbec98e3b4af867c86169',
    );
  }, 60_000);
});
