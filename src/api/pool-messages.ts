/**
 * The valuation pool's batches and answers in a compact form for postMessage. Structured clone copies an object
 * property by property (each key written, read back and the object made anew on the other thread), which cost the
 * two threads about 3 µs per valued stone (measured with a MessageChannel, send and receive, 6 stones a batch). So
 * a batch's stones go as one Float64Array, nine numbers a stone (grades as their index in the grade lists, NaN for
 * the measurements of a stone known by its 4Cs), and a batch's answers as one text, the lengths of each answer's
 * two parts in an Int32Array and the support levels as indices: half the cost. What is rare (a grade read in another
 * spelling, a warning, a stone the model refused) goes as a short list of [stone index, what] pairs.
 */
import { CLARITIES, COLORS, CUTS, type Normalisation, type Stone, type StoneToValue } from '../diamond/index.js';
import type { SupportLevel, WarningCode } from '../model/index.js';
import type { ValuationAnswer } from './answer-text.js';

const STRIDE = 9;
const SUPPORT_LEVELS: readonly SupportLevel[] = ['typical', 'thin', 'beyond'];

const isNumber = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);

/**
 * Stones as nine numbers each, or null when one does not fit that form (a grade outside the lists, some
 * measurements but not all): those go as objects.
 */
export function packStones(stones: readonly StoneToValue[]): Float64Array | null {
  const packed = new Float64Array(stones.length * STRIDE);
  for (let i = 0; i < stones.length; i++) {
    const s = stones[i] as Partial<Stone> & StoneToValue;
    const cut = CUTS.indexOf(s.cut);
    const color = COLORS.indexOf(s.color);
    const clarity = CLARITIES.indexOf(s.clarity);
    if (cut < 0 || color < 0 || clarity < 0 || typeof s.carat !== 'number') return null;
    const o = i * STRIDE;
    packed[o] = s.carat;
    packed[o + 1] = cut;
    packed[o + 2] = color;
    packed[o + 3] = clarity;
    const { depth, table, x, y, z } = s;
    if (depth === undefined && table === undefined && x === undefined && y === undefined && z === undefined) {
      packed.fill(Number.NaN, o + 4, o + STRIDE);
      continue;
    }
    if (!isNumber(depth) || !isNumber(table) || !isNumber(x) || !isNumber(y) || !isNumber(z)) return null;
    packed[o + 4] = depth;
    packed[o + 5] = table;
    packed[o + 6] = x;
    packed[o + 7] = y;
    packed[o + 8] = z;
  }
  return packed;
}

/** The stones packStones packed, as the objects the valuer takes (fields in the diamond schema's order). */
export function unpackStones(packed: Float64Array): StoneToValue[] {
  const stones: StoneToValue[] = new Array(packed.length / STRIDE);
  for (let i = 0; i < stones.length; i++) {
    const o = i * STRIDE;
    const carat = packed[o];
    const cut = CUTS[packed[o + 1]];
    const color = COLORS[packed[o + 2]];
    const clarity = CLARITIES[packed[o + 3]];
    stones[i] = Number.isNaN(packed[o + 4])
      ? { carat, cut, color, clarity }
      : {
          carat,
          cut,
          color,
          clarity,
          depth: packed[o + 4],
          table: packed[o + 5],
          x: packed[o + 6],
          y: packed[o + 7],
          z: packed[o + 8],
        };
  }
  return stones;
}

/** The normalisations of a batch's stones, only those that have any, by stone index. */
export function sparseNormalised(normalised: readonly (readonly Normalisation[])[]): [number, Normalisation[]][] {
  const sparse: [number, Normalisation[]][] = [];
  normalised.forEach((n, i) => {
    if (n.length > 0) sparse.push([i, [...n]]);
  });
  return sparse;
}

/** The normalisations of each of `count` stones, from sparseNormalised's list. */
export function denseNormalised(count: number, sparse: readonly [number, Normalisation[]][]): Normalisation[][] {
  const dense: Normalisation[][] = Array.from({ length: count }, () => []);
  for (const [i, n] of sparse) dense[i] = n;
  return dense;
}

/** A batch's answers (or, for a stone that could not be valued, why), packed by packAnswers. */
export interface PackedAnswers {
  /** Every answer's head then tail, one after another. */
  text: string;
  /** Per stone: its head's length and its tail's (-1, -1: it failed). */
  lengths: Int32Array;
  /** Per stone: its support level's index. */
  support: Uint8Array;
  /** The stones with warnings: index and codes. */
  warnings: [number, WarningCode[]][];
  /** The stones that failed: index and message. */
  failures: [number, string][];
}

export type AnswerResult = { ok: true; valuation: ValuationAnswer } | { ok: false; message: string };

export function packAnswers(results: readonly AnswerResult[]): PackedAnswers {
  const parts: string[] = [];
  const lengths = new Int32Array(results.length * 2);
  const support = new Uint8Array(results.length);
  const warnings: [number, WarningCode[]][] = [];
  const failures: [number, string][] = [];
  results.forEach((r, i) => {
    if (!r.ok) {
      lengths[2 * i] = -1;
      lengths[2 * i + 1] = -1;
      failures.push([i, r.message]);
      return;
    }
    const a = r.valuation;
    parts.push(a.head, a.tail);
    lengths[2 * i] = a.head.length;
    lengths[2 * i + 1] = a.tail.length;
    support[i] = SUPPORT_LEVELS.indexOf(a.support);
    if (a.warnings.length > 0) warnings.push([i, a.warnings]);
  });
  return { text: parts.join(''), lengths, support, warnings, failures };
}

export function unpackAnswers(packed: PackedAnswers): AnswerResult[] {
  const { text, lengths, support } = packed;
  const count = support.length;
  const warnings = new Map(packed.warnings);
  const failures = new Map(packed.failures);
  const results: AnswerResult[] = new Array(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const headLength = lengths[2 * i];
    if (headLength < 0) {
      results[i] = { ok: false, message: failures.get(i) ?? 'the valuation failed' };
      continue;
    }
    const tailAt = at + headLength;
    const end = tailAt + lengths[2 * i + 1];
    const head = text.slice(at, tailAt);
    const tail = text.slice(tailAt, end);
    at = end;
    results[i] = {
      ok: true,
      valuation: { head, tail, support: SUPPORT_LEVELS[support[i]], warnings: warnings.get(i) ?? [] },
    };
  }
  return results;
}
