/**
 * Reading the web app's batch download in tests (test/web/batch-file.test.ts on the function, test/e2e/web.test.ts
 * on the file Chromium saves): the text as rows of fields, and the header the download must have.
 */
import { parseCsv } from '../../web/src/batch/csv.js';

/** A CSV text as rows of fields, read by the web app's own reader (itself tested against ingestion's). */
export function csvRows(text: string): string[][] {
  return parseCsv(text).map((r) => r.fields);
}

/** The download's header: the uploaded file's columns (its id column first, then the stone), then Loupe's six. */
export function resultsHeader(idColumn: string): string[] {
  return [
    idColumn,
    'carat',
    'cut',
    'color',
    'clarity',
    'depth',
    'table',
    'x',
    'y',
    'z',
    'price',
    'price_low',
    'price_high',
    'model_version',
    'error',
    'notes',
  ];
}
