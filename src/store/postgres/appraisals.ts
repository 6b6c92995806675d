/**
 * Appraisals recorded in the app, read from PostgreSQL with the same SQL as SQLite's (store/appraisals.ts), its
 * `?` placeholders numbered as PostgreSQL wants them.
 */
import type pg from 'pg';
import {
  countOpenRejectsQuery,
  countRecordedQuery,
  LEARNING_IDS_SQL,
  LEARNING_MODEL_SQL,
  LEARNING_UP_TO_SQL,
  openRejectsQuery,
  recordedQueries,
  remember,
  RESOLVE_SQL,
  resolutionParams,
  toOpenReject,
  type LearningCache,
  type LearningModelRow,
  type OpenReject,
  type RecordedAppraisal,
} from '../appraisals.js';
import { RECORDERS_SQL } from '../recorder-totals.js';
import type { Store } from '../store.js';
import { numbered } from '../sql.js';
import { runQuery } from './connect.js';

type AppraisalReads = Pick<
  Store,
  | 'listRecorded'
  | 'countRecorded'
  | 'recorders'
  | 'lastLearning'
  | 'listOpenRejects'
  | 'countOpenRejects'
  | 'getOpenReject'
  | 'resolveReject'
>;

export function postgresAppraisals(pool: pg.Pool): AppraisalReads {
  const q = <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
    runQuery<R>(pool, numbered(sql), params);
  type OpenRejectRow = Parameters<typeof toOpenReject>[0];
  const learning: LearningCache = new Map();
  return {
    async listRecorded(filter, page) {
      // As SQLite's readRecorded: the page's queries in turn, until it has its rows.
      const rows: RecordedAppraisal[] = [];
      for (const query of recordedQueries(filter, page)) {
        if (page && rows.length >= page.limit) break;
        const { sql, params } = query(page ? page.limit - rows.length : 0);
        rows.push(...(await q<RecordedAppraisal>(sql, params)));
      }
      return rows;
    },
    async countRecorded(filter) {
      const { sql, params } = countRecordedQuery(filter);
      const [row] = await q<{ n: string | number }>(sql, params);
      return Number(row.n);
    },
    recorders: () => q<{ name: string; appraisals: number }>(RECORDERS_SQL),
    async lastLearning() {
      const [model] = await q<LearningModelRow>(LEARNING_MODEL_SQL);
      if (!model) return undefined;
      let learned = learning.get(model.version);
      if (!learned) {
        const [upTo] = await q<{ at: string }>(LEARNING_UP_TO_SQL, [model.maxFileId]);
        const [recorded] = await q<{ n: number }>(
          `SELECT count(*) AS n FROM jsonb_array_elements_text((${LEARNING_IDS_SQL})::jsonb) j (value)
           JOIN diamonds d ON d.id = j.value::bigint JOIN submissions s ON s.file_id = d.file_id`,
          [model.snapshot],
        );
        learned = remember(learning, model.version, { upTo: upTo.at, trainedOn: Number(recorded.n) });
      }
      return { version: model.version, createdAt: model.createdAt, ...learned };
    },
    async listOpenRejects(options = {}) {
      const { sql, params } = openRejectsQuery(options);
      return (await q<OpenRejectRow>(sql, params)).map(toOpenReject);
    },
    async countOpenRejects(submission) {
      const { sql, params } = countOpenRejectsQuery(submission);
      const [row] = await q<{ n: string | number }>(sql, params);
      return Number(row.n);
    },
    async getOpenReject(id) {
      const { sql, params } = openRejectsQuery({ id });
      const [row] = await q<OpenRejectRow>(sql, params);
      return row && (toOpenReject(row) as OpenReject);
    },
    async resolveReject(r) {
      return (await q(`${RESOLVE_SQL} RETURNING 1`, resolutionParams(r))).length === 1;
    },
  };
}
