/**
 * What the live traffic window (traffic-drift.ts) compares the stones valued with: the champion's training data,
 * read once per champion from its artifact, never from the database.
 *
 *   distribution  (models trained since 2026-12-05) all nine characteristics from trainingData.distribution
 *                 (model/distribution.ts). A number is counted on the artifact's KS grid of 100 quantiles; its PSI
 *                 groups those counts into the grid's deciles, the pipeline's bins, so PSI is the pipeline's to the
 *                 last digit and KS is within 1/100 below the exact two-sample statistic. A grade is counted per
 *                 grade.
 *   support       (older files) carat, colour and clarity from the support histogram: carat over about ten groups
 *                 of its 5% log grid holding equal shares of the training stones, the grades per grade; no KS.
 *
 * Each feature owns a run of counters in one flat array per time slot; `counter(stone)` is the stone's counter
 * (−1: the stone has no such value, a 4Cs-only stone's measurements), found with a binary search over at most
 * about 110 edges — no allocation.
 */
import { CLARITIES, COLORS, type StoneFieldName, type StoneToValue } from '../diamond/index.js';
import {
  binOf,
  caratBin,
  DISTRIBUTION_GRADES,
  DISTRIBUTION_NUMBERS,
  GRADE_SCALES,
  type LoadedModel,
  type SupportHistogram,
  type TrainingDistribution,
} from '../model/index.js';

export interface FeatureReference {
  feature: StoneFieldName;
  kind: 'number' | 'grade';
  /** Where its counters start in a slot's counts, and how many there are. */
  offset: number;
  bins: number;
  counter(stone: StoneToValue): number;
  /** The PSI bin of each counter, and the training stones' share of each PSI bin. */
  psiGroupOf: Int32Array;
  psiShares: number[];
  /** Training stones per counter (the KS grid) and the bound of the binned statistic; null: no KS (grades, older files). */
  ks: { counts: number[]; rows: number; maxError: number } | null;
}

export interface Reference {
  version: string;
  source: 'distribution' | 'support';
  features: FeatureReference[];
  /** Counters per slot, all features together. */
  size: number;
}

const NINE: readonly StoneFieldName[] = ['carat', 'cut', 'color', 'clarity', 'depth', 'table', 'x', 'y', 'z'];

function gradeFeature(feature: StoneFieldName, scale: readonly string[], counts: readonly number[]): Unplaced {
  const total = counts.reduce((s, c) => s + c, 0);
  return {
    feature,
    kind: 'grade',
    bins: scale.length,
    counter: (s: StoneToValue) => scale.indexOf(s[feature as 'cut']),
    psiGroupOf: Int32Array.from(scale, (_, k) => k),
    psiShares: counts.map((c) => c / Math.max(1, total)),
    ks: null,
  };
}

type Unplaced = Omit<FeatureReference, 'offset'>;

function fromDistribution(d: TrainingDistribution): Unplaced[] {
  const numbers = new Map<StoneFieldName, Unplaced>(
    DISTRIBUTION_NUMBERS.map((feature) => {
      const { psiEdges, ksEdges, ksCounts } = d.numbers[feature];
      const rows = ksCounts.reduce((s, c) => s + c, 0);
      const edges = Float64Array.from(ksEdges);
      // Counter k is [ksEdges[k−1], ksEdges[k]); every decile edge is a grid edge, so the bin's lower end says its decile.
      const psiGroupOf = Int32Array.from(ksCounts, (_, k) => (k === 0 ? 0 : binOf(psiEdges, ksEdges[k - 1])));
      const psiShares = new Array<number>(psiEdges.length + 1).fill(0);
      ksCounts.forEach((c, k) => {
        psiShares[psiGroupOf[k]] += c / Math.max(1, rows);
      });
      return [
        feature as StoneFieldName,
        {
          feature,
          kind: 'number' as const,
          bins: ksCounts.length,
          counter: (s: StoneToValue) => {
            const v = (s as Partial<Record<StoneFieldName, unknown>>)[feature];
            return typeof v === 'number' ? binOf(edges, v) : -1;
          },
          psiGroupOf,
          psiShares,
          ks: { counts: ksCounts, rows, maxError: 1 / d.ksQuantiles },
        },
      ];
    }),
  );
  for (const f of DISTRIBUTION_GRADES) numbers.set(f, gradeFeature(f, GRADE_SCALES[f], d.grades[f]));
  return NINE.map((f) => numbers.get(f)!);
}

const CARAT_GROUPS = 10;

function fromSupport(h: SupportHistogram): Unplaced[] {
  const per = COLORS.length * CLARITIES.length;
  const caratFine = new Array<number>(h.bins).fill(0);
  const color = new Array<number>(COLORS.length).fill(0);
  const clarity = new Array<number>(CLARITIES.length).fill(0);
  let total = 0;
  h.counts.forEach((n, i) => {
    caratFine[Math.floor(i / per)] += n;
    color[Math.floor(i / CLARITIES.length) % COLORS.length] += n;
    clarity[i % CLARITIES.length] += n;
    total += n;
  });
  // Fine carat bins grouped so that each group holds about a tenth of the training stones.
  const psiGroupOf = new Int32Array(h.bins);
  const carat = new Array<number>(CARAT_GROUPS).fill(0);
  let seen = 0;
  for (let b = 0; b < h.bins; b++) {
    const group = Math.min(CARAT_GROUPS - 1, Math.floor((seen * CARAT_GROUPS) / Math.max(1, total)));
    psiGroupOf[b] = group;
    carat[group] += caratFine[b];
    seen += caratFine[b];
  }
  return [
    {
      feature: 'carat' as const,
      kind: 'number' as const,
      bins: h.bins,
      counter: (s: StoneToValue) => caratBin(s.carat),
      psiGroupOf,
      psiShares: carat.map((n) => n / Math.max(1, total)),
      ks: null,
    },
    gradeFeature('color', COLORS, color),
    gradeFeature('clarity', CLARITIES, clarity),
  ];
}

/** The reference of a model: its training distribution, or (older files) its support histogram. */
export function referenceOf(model: LoadedModel): Reference {
  const { distribution, support } = model.artifact.trainingData;
  const features = distribution ? fromDistribution(distribution) : fromSupport(support);
  let offset = 0;
  const placed = features.map((f) => {
    const at = offset;
    offset += f.bins;
    return { ...f, offset: at };
  });
  return { version: model.version, source: distribution ? 'distribution' : 'support', features: placed, size: offset };
}
