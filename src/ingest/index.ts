/**
 * Ingestion: streaming CSV reading (BOM, CRLF, any column order, extra columns), row validation with reasons,
 * and storing a file as a unit (diamonds, rejects, the file's summary) in one transaction.
 */
export { IngestFileError, StoreFullError } from './errors.js';
export {
  APPRAISAL_ROWS,
  STONE_ROWS,
  STONE_TO_VALUE_ROWS,
  openRowStream,
  readAppraisalRows,
  readAppraisals,
  readStoneRows,
  type ReadRow,
  type RowSchema,
  type RowStream,
} from './rows.js';
export { readReferenceSplit, readReferenceSplitRows, type ReferenceSplitRows } from './reference-split.js';
export { ingestFile, ingestInto, type IngestOptions, type IngestSummary } from './ingest-file.js';
export { safeCsvRecord, toRejectsCsv } from './export.js';
export { readWholeFile } from './source.js';
