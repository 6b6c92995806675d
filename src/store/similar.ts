/**
 * Stones in the database most like a given one, with their appraised prices.
 * - `grades`: the same cut, colour and clarity and the closest carat (ties: the closest proportions, then the oldest).
 * - `all`: the smallest distance over all nine characteristics, each standardised by its spread in the database
 *   (grades by their rank on the scale), so that no characteristic counts more because of its unit.
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
}

/** The stone to compare with: grades mode needs carat and the three grades; all mode needs every characteristic. */
export type SimilarTo = Pick<Stone, 'carat' | 'cut' | 'color' | 'clarity'> & Partial<Stone>;

export interface SimilarFinder {
  find(stone: SimilarTo, n: number, mode: SimilarityMode): SimilarStone[];
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
    `SELECT ${STONE_FIELDS.map((f, i) => `avg(${valueSql(f)}) AS m${i}, avg(${valueSql(f)} * ${valueSql(f)}) AS s${i}`).join(', ')} FROM diamonds`,
  );
  const terms = STONE_FIELDS.map(
    (f, i) => `((${valueSql(f)} - @v${i}) * @w${i}) * ((${valueSql(f)} - @v${i}) * @w${i})`,
  );
  const byAll = db.prepare(
    `SELECT ${columns}, sqrt(${terms.join(' + ')}) AS distance FROM diamonds ORDER BY distance, id LIMIT @n`,
  );
  let spread: Spread | undefined;

  function currentSpread(): Spread {
    const v = version.get() as { rows: number; maxId: number };
    if (spread && spread.rows === v.rows && spread.maxId === v.maxId) return spread;
    const m = moments.get() as Record<string, number | null>;
    const sd = STONE_FIELDS.map((_, i) => {
      const mean = m[`m${i}`] ?? 0;
      const variance = (m[`s${i}`] ?? 0) - mean * mean;
      return variance > 1e-12 ? Math.sqrt(variance) : 1;
    });
    spread = { ...v, sd };
    return spread;
  }

  return {
    find(stone, n, mode) {
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
      const { sd } = currentSpread();
      const params: Record<string, number> = { n };
      STONE_FIELDS.forEach((f, i) => {
        params[`v${i}`] = stoneValue(stone as Stone, f);
        params[`w${i}`] = 1 / sd[i];
      });
      return byAll.all(params) as SimilarStone[];
    },
  };
}
