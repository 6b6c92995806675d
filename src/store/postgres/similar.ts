/**
 * Similar stones on PostgreSQL: the same two searches as on SQLite (../similar.ts), with the same window over all
 * nine characteristics, so that a search reads the stones around the given one on the index
 * `diamonds_by_measurements` (grades as lists, carat as a range on the index, the other measurements checked from
 * it) instead of ranking the whole table; the window doubles until its answer is provably the whole table's.
 */
import type pg from 'pg';
import { FIELDS, STONE_FIELDS } from '../../diamond/index.js';
import { APPRAISAL_COLUMNS_SQL } from '../ingestion-schema.js';
import {
  FIRST_WINDOW_SD,
  MOMENTS_SQL,
  TABLE_VERSION_SQL,
  similarWindow,
  spreadFromRow,
  stoneValues,
  valueSql,
  windowAnswers,
  type SimilarStone,
  type SimilarWindow,
  type Spread,
} from '../similar.js';
import type { Store } from '../store.js';
import { runQuery } from './connect.js';

const COLUMNS = `id, ${APPRAISAL_COLUMNS_SQL}`;

/** The stone's values and weights are $1…$18 (value, then 1/sd, per characteristic); $19 is n. */
const DISTANCE_SQL = `sqrt(${STONE_FIELDS.map((f, i) => {
  const d = `((${valueSql(f)} - $${2 * i + 1}::float8) * $${2 * i + 2}::float8)`;
  return `${d} * ${d}`;
}).join(' + ')})`;
const N_PARAM = 2 * STONE_FIELDS.length + 1;

/** The window's conditions, from $20 on: a text[] per grade, a low and a high per measurement. */
const WINDOW_SQL = (() => {
  let k = N_PARAM;
  return STONE_FIELDS.map((f) =>
    FIELDS[f].kind === 'grade' ? `"${f}" = ANY($${++k}::text[])` : `"${f}" BETWEEN $${++k}::float8 AND $${++k}::float8`,
  ).join(' AND ');
})();

/** The windowed query; exported for the test that reads its plan. */
export const WINDOW_QUERY_SQL = `SELECT ${COLUMNS}, ${DISTANCE_SQL} AS distance FROM diamonds
  WHERE ${WINDOW_SQL} ORDER BY distance, id LIMIT $${N_PARAM}`;

/** The window's values, in the order of WINDOW_SQL's parameters. */
export function windowValues(w: SimilarWindow): unknown[] {
  return STONE_FIELDS.flatMap((f): unknown[] =>
    FIELDS[f].kind === 'grade' ? [w.grades[f as keyof SimilarWindow['grades']]] : (w.ranges[f] ?? [0, 0]),
  );
}

export function postgresSimilar(pool: pg.Pool): Pick<Store, 'similarStones'> {
  const query = <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) => runQuery<R>(pool, text, values);
  let spread: Spread | undefined;
  async function currentSpread(): Promise<Spread> {
    const [v] = await query<{ rows: number; maxId: number }>(TABLE_VERSION_SQL);
    if (spread && spread.rows === Number(v.rows) && spread.maxId === Number(v.maxId)) return spread;
    const [m] = await query<Record<string, unknown>>(MOMENTS_SQL);
    spread = spreadFromRow(v, m);
    return spread;
  }
  return {
    async similarStones(stone, n, mode) {
      if (mode === 'grades') {
        return query<SimilarStone>(
          `SELECT ${COLUMNS}, round(abs(carat - $1)::numeric, 6)::float8 AS distance FROM diamonds
           WHERE cut = $2 AND color = $3 AND clarity = $4
           ORDER BY distance, abs(depth - $5::float8) + abs("table" - $6::float8) NULLS FIRST, id LIMIT $7`,
          [stone.carat, stone.cut, stone.color, stone.clarity, stone.depth ?? null, stone.table ?? null, n],
        );
      }
      const values = stoneValues(stone);
      const current = await currentSpread();
      const args = [...values.flatMap((v, i) => [v, 1 / current.sd[i]]), n];
      for (let r = FIRST_WINDOW_SD; ; r *= 2) {
        const w = similarWindow(values, current, r);
        const found = await query<SimilarStone>(WINDOW_QUERY_SQL, [...args, ...windowValues(w)]);
        if (windowAnswers(w, found, n, r)) return found;
      }
    },
  };
}
