/**
 * The parameters the pipeline may try for each model kind while tuning. A kind not listed here is trained
 * with its default parameters (tuning reports that). Values are those worth trying on data of this size; the
 * kind's defaults are always tried first.
 */
export type SearchSpace = Record<string, readonly unknown[]>;

export const SEARCH_SPACES: Readonly<Record<string, SearchSpace>> = {
  hedonic: { lambda: [1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2] },
  gbdt: {
    learningRate: [0.03, 0.05, 0.1],
    nEstimators: [300, 600, 1000],
    maxDepth: [3, 4, 5, 6],
    minChildWeight: [1, 3, 10],
    subsample: [0.7, 0.8, 1],
    colsampleByTree: [0.8, 1],
  },
};
