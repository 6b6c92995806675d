/**
 * The request log's writer thread: a row writer (row-writer-thread.ts) for the log's one statement, which also
 * enforces the log's retention while the server runs.
 */
import { DEFAULT_RETENTION, INSERT_REQUEST_SQL, requestRow, type RequestLogEntry } from '../store/requests.js';
import { threadedRowWriter, type ThreadedWriter, type ThreadedWriterOptions } from './row-writer-thread.js';

export { WriterBehind, type ThreadedWriterOptions } from './row-writer-thread.js';
export type { FromWriter } from '../store/row-writer-worker.js';

export function threadedRequestLogWriter(
  file: string,
  options: ThreadedWriterOptions = {},
): ThreadedWriter<RequestLogEntry> {
  const writer = threadedRowWriter(file, [INSERT_REQUEST_SQL], {
    name: 'request-log',
    ...options,
    retention: options.retention ?? DEFAULT_RETENTION,
  });
  return { ...writer, write: (entries) => writer.write(entries.map((e) => [0, ...requestRow(e)])) };
}
