/**
 * Stones in the database most like a given one, with their appraised prices.
 * - `grades`: the same cut, colour and clarity and the closest carat (ties: the closest proportions, then the oldest).
 * - `all`: the smallest distance over all nine characteristics, each standardised by its spread in the database
 *   (grades by their rank on the scale), so that no characteristic counts more because of its unit.
 *
 * `all` ranks only the stones in a window around the given one: every characteristic within R standard deviations
 * (carat by index range, the others checked from the same index, which holds all nine). A stone outside the
 * window differs by more than R in some standardised characteristic, so its distance exceeds R: when the window
 * holds n stones and the n-th is at most R away, no stone outside can come closer, and the answer is exactly the
 * whole table's. Else R doubles and the window is asked again, up to the whole table (a stone far from all others).
 */
import { FIELDS, STONE_FIELDS, type Appraisal, type GradeFieldName, type Stone } from '../diamond/index.js';
import type { Db } from './db.js';
import { APPRAISAL_COLUMNS_SQL } from './ingestion-schema.js';

export type SimilarityMode = 'grades' | 'all';

export interface SimilarStone extends Appraisal {
  id: number;
  /** How far from the given stone: |Δcarat| in `grades` mode, the standardised distance in `all` mode. */
  distance: number;
}

const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** SQL for a grade's rank (0 = worst) and a column's value, per characteristic. */
export function valueSql(name: keyof Stone): string {
  const f = FIELDS[name];
  if (f.kind === 'number') return `"${name}"`;
  return `(CASE "${name}" ${f.scale.map((g, i) => `WHEN ${sqlString(g.code)} THEN ${i}`).join(' ')} END)`;
}

export function stoneValue(stone: Stone, name: keyof Stone): number {
  const f = FIELDS[name];
  if (f.kind === 'number') return stone[name] as number;
  return f.scale.findIndex((g) => g.code === stone[name as GradeFieldName]);
}

export interface Spread {
  rows: number;
  maxId: number;
  sd: number[];
  /** The smallest and largest value of each characteristic (rank for grades). */
  min: number[];
  max: number[];
}

/** What the spreads are computed from: the table's size (to know when to compute them again), then moments. */
export const TABLE_VERSION_SQL = 'SELECT count(*) AS rows, coalesce(max(id), 0) AS "maxId" FROM diamonds';
export const MOMENTS_SQL = `SELECT ${STONE_FIELDS.map(
  (f, i) =>
    `avg(${valueSql(f)}) AS m${i}, avg(${valueSql(f)} * ${valueSql(f)}) AS s${i}, min(${valueSql(f)}) AS lo${i}, max(${valueSql(f)}) AS hi${i}`,
).join(', ')} FROM diamonds`;

/** The spreads from the moments row (a driver may give numbers as strings: PostgreSQL's numeric). */
export function spreadFromRow(version: { rows: number; maxId: number }, m: Record<string, unknown>): Spread {
  const num = (v: unknown): number => Number(v ?? 0);
  const sd = STONE_FIELDS.map((_, i) => {
    const mean = num(m[`m${i}`]);
    const variance = num(m[`s${i}`]) - mean * mean;
    return variance > 1e-12 ? Math.sqrt(variance) : 1;
  });
  return {
    rows: Number(version.rows),
    maxId: Number(version.maxId),
    sd,
    min: STONE_FIELDS.map((_, i) => num(m[`lo${i}`])),
    max: STONE_FIELDS.map((_, i) => num(m[`hi${i}`])),
  };
}

/** The window of half-width r standard deviations around the stone: grade codes within reach, number ranges. */
export interface SimilarWindow {
  grades: Record<GradeFieldName, string[]>;
  ranges: Partial<Record<keyof Stone, [number, number]>>;
  /** The window holds every stone: its answer is the answer, however many it found. */
  whole: boolean;
}

export function similarWindow(values: readonly number[], spread: Spread, r: number): SimilarWindow {
  const grades = {} as Record<GradeFieldName, string[]>;
  const ranges: SimilarWindow['ranges'] = {};
  let whole = true;
  for (const [i, f] of STONE_FIELDS.entries()) {
    const field = FIELDS[f];
    const lo = values[i] - r * spread.sd[i];
    const hi = values[i] + r * spread.sd[i];
    if (lo > spread.min[i] || hi < spread.max[i]) whole = false;
    if (field.kind === 'grade')
      grades[f as GradeFieldName] = field.scale.filter((_, rank) => rank >= lo && rank <= hi).map((g) => g.code);
    else ranges[f] = [lo, hi];
  }
  return { grades, ranges, whole };
}

/** The window's answer is the whole table's: it holds every stone, or n stones the n-th of which is within r. */
export const windowAnswers = (w: SimilarWindow, found: readonly SimilarStone[], n: number, r: number): boolean =>
  w.whole || (found.length === n && found[n - 1].distance <= r);

/** The stone's value of each characteristic (grade ranks), in STONE_FIELDS order; all mode needs every one. */
export function stoneValues(stone: SimilarTo): number[] {
  for (const f of STONE_FIELDS) {
    if (stone[f] === undefined) throw new RangeError(`similarity over all characteristics needs ${f}`);
  }
  return STONE_FIELDS.map((f) => stoneValue(stone as Stone, f));
}

/** The first window's half-width, in standard deviations of each characteristic; it doubles when too small. */
export const FIRST_WINDOW_SD = 0.25;

/** The stone to compare with: grades mode needs carat and the three grades; all mode needs every characteristic. */
export type SimilarTo = Pick<Stone, 'carat' | 'cut' | 'color' | 'clarity'> & Partial<Stone>;

export interface SimilarFinder {
  /** `scan: true` ranks the whole table, as before the window (for benchmarks and the test of equal answers). */
  find(stone: SimilarTo, n: number, mode: SimilarityMode, options?: { scan?: boolean }): SimilarStone[];
  /** How SQLite runs the windowed `all` query (EXPLAIN QUERY PLAN): what the benchmark prints, the test checks. */
  windowPlan(): string[];
  /** Computes the spreads now (a pass over the table), rather than in the first `all` search. */
  warm(): void;
}

/** Prepares the queries once; the spreads for `all` are recomputed only when the diamonds table changes. */
export function similarFinder(db: Db): SimilarFinder {
  const columns = `id, ${APPRAISAL_COLUMNS_SQL}`;
  const byGrades = db.prepare(
    `SELECT ${columns}, round(abs(carat - @carat), 6) AS distance FROM diamonds
     WHERE cut = @cut AND color = @color AND clarity = @clarity
     ORDER BY distance, abs(depth - @depth) + abs("table" - @table), id LIMIT @n`,
  );
  const version = db.prepare(TABLE_VERSION_SQL);
  const moments = db.prepare(MOMENTS_SQL);
  const terms = STONE_FIELDS.map(
    (f, i) => `((${valueSql(f)} - @v${i}) * @w${i}) * ((${valueSql(f)} - @v${i}) * @w${i})`,
  );
  const byAll = db.prepare(
    `SELECT ${columns}, sqrt(${terms.join(' + ')}) AS distance FROM diamonds ORDER BY distance, id LIMIT @n`,
  );
  // Grades as lists of the codes within reach (seeks on the index's leading columns), measurements as ranges.
  const inWindow = STONE_FIELDS.map((f) =>
    FIELDS[f].kind === 'grade'
      ? `"${f}" IN (SELECT value FROM json_each(@in_${f}))`
      : `"${f}" BETWEEN @lo_${f} AND @hi_${f}`,
  ).join(' AND ');
  const byAllInWindow = db.prepare(
    `SELECT ${columns}, sqrt(${terms.join(' + ')}) AS distance FROM diamonds INDEXED BY diamonds_by_measurements
     WHERE ${inWindow} ORDER BY distance, id LIMIT @n`,
  );
  let spread: Spread | undefined;

  /** The query's parameters: the stone (v0…v8), the weights (w0…w8) and the window. */
  function windowParams(params: Record<string, number>, w: SimilarWindow): Record<string, number | string> {
    const out: Record<string, number | string> = { ...params };
    for (const [f, codes] of Object.entries(w.grades)) out[`in_${f}`] = JSON.stringify(codes);
    for (const [f, [lo, hi]] of Object.entries(w.ranges) as [string, [number, number]][])
      Object.assign(out, { [`lo_${f}`]: lo, [`hi_${f}`]: hi });
    return out;
  }

  function currentSpread(): Spread {
    const v = version.get() as { rows: number; maxId: number };
    if (spread && spread.rows === v.rows && spread.maxId === v.maxId) return spread;
    spread = spreadFromRow(v, moments.get() as Record<string, unknown>);
    return spread;
  }

  return {
    warm() {
      currentSpread();
    },
    windowPlan() {
      const params: Record<string, number> = { n: 1 };
      STONE_FIELDS.forEach((_f, i) => {
        params[`v${i}`] = 0;
        params[`w${i}`] = 1;
      });
      const unit: Spread = { rows: 0, maxId: 0, sd: STONE_FIELDS.map(() => 1), min: [], max: [] };
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${byAllInWindow.source}`).all(
        windowParams(
          params,
          similarWindow(
            STONE_FIELDS.map(() => 0),
            unit,
            1,
          ),
        ),
      ) as { detail: string }[];
      return plan.map((p) => p.detail);
    },
    find(stone, n, mode, options = {}) {
      if (mode === 'grades') {
        // Without depth and table, ties in carat are broken by age alone (abs(NULL) sorts them equal).
        const { carat, cut, color, clarity } = stone;
        return byGrades.all({
          carat,
          cut,
          color,
          clarity,
          depth: stone.depth ?? null,
          table: stone.table ?? null,
          n,
        }) as SimilarStone[];
      }
      const values = stoneValues(stone);
      const current = currentSpread();
      const params: Record<string, number> = { n };
      values.forEach((v, i) => {
        params[`v${i}`] = v;
        params[`w${i}`] = 1 / current.sd[i];
      });
      if (options.scan) return byAll.all(params) as SimilarStone[];
      for (let r = FIRST_WINDOW_SD; ; r *= 2) {
        const w = similarWindow(values, current, r);
        const found = byAllInWindow.all(windowParams(params, w)) as SimilarStone[];
        if (windowAnswers(w, found, n, r)) return found;
      }
    },
  };
}
