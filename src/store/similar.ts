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

interface Spread {
  rows: number;
  maxId: number;
  sd: number[];
  /** The smallest and largest value of each characteristic (rank for grades). */
  min: number[];
  max: number[];
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
}

/** Prepares the queries once; the spreads for `all` are recomputed only when the diamonds table changes. */
export function similarFinder(db: Db): SimilarFinder {
  const columns = `id, ${APPRAISAL_COLUMNS_SQL}`;
  const byGrades = db.prepare(
    `SELECT ${columns}, round(abs(carat - @carat), 6) AS distance FROM diamonds
     WHERE cut = @cut AND color = @color AND clarity = @clarity
     ORDER BY distance, abs(depth - @depth) + abs("table" - @table), id LIMIT @n`,
  );
  const version = db.prepare('SELECT count(*) AS rows, coalesce(max(id), 0) AS maxId FROM diamonds');
  const moments = db.prepare(
    `SELECT ${STONE_FIELDS.map(
      (f, i) =>
        `avg(${valueSql(f)}) AS m${i}, avg(${valueSql(f)} * ${valueSql(f)}) AS s${i}, min(${valueSql(f)}) AS lo${i}, max(${valueSql(f)}) AS hi${i}`,
    ).join(', ')} FROM diamonds`,
  );
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

  /** The query's parameters for a window of half-width r standard deviations around the stone (v0…v8). */
  function windowParams(params: Record<string, number>, r: number): Record<string, number | string> {
    const sd = spread?.sd ?? STONE_FIELDS.map(() => 1);
    const out: Record<string, number | string> = { ...params };
    for (const [i, f] of STONE_FIELDS.entries()) {
      const field = FIELDS[f];
      const lo = params[`v${i}`] - r * sd[i];
      const hi = params[`v${i}`] + r * sd[i];
      if (field.kind === 'grade')
        out[`in_${f}`] = JSON.stringify(field.scale.filter((_, rank) => rank >= lo && rank <= hi).map((g) => g.code));
      else Object.assign(out, { [`lo_${f}`]: lo, [`hi_${f}`]: hi });
    }
    return out;
  }

  function currentSpread(): Spread {
    const v = version.get() as { rows: number; maxId: number };
    if (spread && spread.rows === v.rows && spread.maxId === v.maxId) return spread;
    const m = moments.get() as Record<string, number | null>;
    const sd = STONE_FIELDS.map((_, i) => {
      const mean = m[`m${i}`] ?? 0;
      const variance = (m[`s${i}`] ?? 0) - mean * mean;
      return variance > 1e-12 ? Math.sqrt(variance) : 1;
    });
    const min = STONE_FIELDS.map((_, i) => m[`lo${i}`] ?? 0);
    const max = STONE_FIELDS.map((_, i) => m[`hi${i}`] ?? 0);
    spread = { ...v, sd, min, max };
    return spread;
  }

  return {
    windowPlan() {
      const params: Record<string, number> = { n: 1 };
      STONE_FIELDS.forEach((_f, i) => {
        params[`v${i}`] = 0;
        params[`w${i}`] = 1;
      });
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${byAllInWindow.source}`).all(windowParams(params, 1)) as {
        detail: string;
      }[];
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
      for (const f of STONE_FIELDS) {
        if (stone[f] === undefined) throw new RangeError(`similarity over all characteristics needs ${f}`);
      }
      const { sd, min, max } = currentSpread();
      const params: Record<string, number> = { n };
      STONE_FIELDS.forEach((f, i) => {
        params[`v${i}`] = stoneValue(stone as Stone, f);
        params[`w${i}`] = 1 / sd[i];
      });
      if (options.scan) return byAll.all(params) as SimilarStone[];
      for (let r = FIRST_WINDOW_SD; ; r *= 2) {
        // the window holds every stone: its answer is the answer, however many it found
        const whole = STONE_FIELDS.every(
          (_, i) => params[`v${i}`] - r * sd[i] <= min[i] && params[`v${i}`] + r * sd[i] >= max[i],
        );
        const found = byAllInWindow.all(windowParams(params, r)) as SimilarStone[];
        if (whole || (found.length === n && found[n - 1].distance <= r)) return found;
      }
    },
  };
}
