/**
 * Who has recorded appraisals in the app, with how many each: every JSON page of GET /v1/appraisals answers it, and
 * counting it from the stored rows read every recorded stone (65,000 of them: 22 ms a page on the thread that
 * answers requests). A table of one row per recorder holds the totals instead, kept by triggers in the transaction
 * that stores a submission's file (its stored rows are the file's `accepted`, its diamonds), so a page reads one
 * row per recorder. As the ingestion totals (operations-schema.ts): each trigger takes the old row out and puts the
 * new one in, the migration fills the table from what is stored, and on PostgreSQL it first locks the tables it
 * reads against writes. A submission's row is written after its file's and before the file is finished, so both
 * tables have triggers: whichever of the two rows comes last adds the file's stones.
 */
import type { Migration } from './migrations.js';
import { plpgsqlTotalsTrigger, sqliteTotalsTriggers } from './operations-schema.js';

type Row = 'NEW' | 'OLD';

/** Adds (or, with '-', takes out) file row `r`'s stored stones to its recorder's total, if it is a submission. */
const fileDelta = (r: Row, sign: '' | '-'): string => `
  INSERT INTO recorder_totals (name, appraisals)
    SELECT s.recorded_by, ${sign}${r}.accepted FROM submissions s WHERE s.file_id = ${r}.id AND ${r}.status = 'ingested'
    ON CONFLICT (name) DO UPDATE SET appraisals = recorder_totals.appraisals + excluded.appraisals;`;

/** Adds (or takes out) the stored stones of submission row `r`'s file, if it is ingested. */
const submissionDelta = (r: Row, sign: '' | '-'): string => `
  INSERT INTO recorder_totals (name, appraisals)
    SELECT ${r}.recorded_by, ${sign}f.accepted FROM files f WHERE f.id = ${r}.file_id AND f.status = 'ingested'
    ON CONFLICT (name) DO UPDATE SET appraisals = recorder_totals.appraisals + excluded.appraisals;`;

const table = (integer: string, strict: string) => `
CREATE TABLE recorder_totals (
  name TEXT PRIMARY KEY,
  appraisals ${integer} NOT NULL
)${strict};
INSERT INTO recorder_totals (name, appraisals)
  SELECT s.recorded_by, sum(f.accepted) FROM submissions s JOIN files f ON f.id = s.file_id
  WHERE f.status = 'ingested' GROUP BY s.recorded_by;
`;

const FILE_COLUMNS = 'id, status, accepted';
const SUBMISSION_COLUMNS = 'file_id, recorded_by';

/** Migration 32: the recorders' totals, filled from the submissions stored, and their triggers. */
export const RECORDER_TOTALS_MIGRATION: Migration = {
  version: 32,
  name: 'appraisals: running totals of recorded appraisals by recorder',
  sql: `${table('INTEGER', ' STRICT')}${sqliteTotalsTriggers('files_recorders', 'files', FILE_COLUMNS, fileDelta('OLD', '-'), fileDelta('NEW', ''))}${sqliteTotalsTriggers('submissions_recorders', 'submissions', SUBMISSION_COLUMNS, submissionDelta('OLD', '-'), submissionDelta('NEW', ''))}
`,
};

/** PostgreSQL's version 5: SQLite's migration 32. */
export const POSTGRES_RECORDER_TOTALS_SQL = `
-- No file or submission is written between the recount below and the triggers taking over.
LOCK TABLE files, submissions IN SHARE ROW EXCLUSIVE MODE;
${table('BIGINT', '')}${plpgsqlTotalsTrigger('files_recorders', fileDelta('OLD', '-'), fileDelta('NEW', ''))}
CREATE TRIGGER files_recorders AFTER INSERT OR DELETE OR UPDATE OF ${FILE_COLUMNS} ON files
  FOR EACH ROW EXECUTE FUNCTION files_recorders();
${plpgsqlTotalsTrigger('submissions_recorders', submissionDelta('OLD', '-'), submissionDelta('NEW', ''))}
CREATE TRIGGER submissions_recorders AFTER INSERT OR DELETE OR UPDATE OF ${SUBMISSION_COLUMNS} ON submissions
  FOR EACH ROW EXECUTE FUNCTION submissions_recorders();
`;

/** Who has recorded appraisals, by name, with how many each (both databases). */
export const RECORDERS_SQL = 'SELECT name, appraisals FROM recorder_totals WHERE appraisals > 0 ORDER BY name';
