/**
 * Writing rows on a worker thread with its own SQLite connection (stored valuations and idempotency records), so that the disk never blocks the thread that answers requests (better-sqlite3 is synchronous: a batch of a thousand entries is tens of ms of I/O).
 * The main thread only copies each batch to the worker, often (every 50 ms), so that waiting entries die young in
 * its heap instead of being promoted and collected by slow full GCs; the worker commits in larger transactions. A batch the database refuses (e.g. locked by a long
 * pipeline write) stays in the worker and is retried; close() returns once every entry is written.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** A row to write: the index of its statement, then its values. */
export type WriterRow = [number, ...unknown[]];

// Plain JavaScript, so the worker runs the same under tsx, vitest and compiled code.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 10000');
db.pragma('synchronous = NORMAL');
const statements = workerData.sqls.map((sql) => db.prepare(sql));
const writeAll = db.transaction((rows) => { for (const row of rows) statements[row[0]].run(row.slice(1)); });
let pending = [];
let retry = null;
function write() {
  if (pending.length === 0) return true;
  try {
    writeAll(pending);
    parentPort.postMessage({ type: 'written', count: pending.length });
    pending = [];
    return true;
  } catch (error) {
    parentPort.postMessage({ type: 'error', message: String(error && error.message || error), pending: pending.length });
    return false;
  }
}
// Rows arrive every few tens of ms; they are committed in larger transactions, every 250 ms or 5,000 rows.
let timer = null;
function commitSoon() {
  if (timer) return;
  timer = setTimeout(() => {
    timer = null;
    if (!write() && !retry) retry = setInterval(() => { if (write()) { clearInterval(retry); retry = null; } }, 250);
  }, pending.length >= 5000 ? 0 : 250);
}
parentPort.on('message', (m) => {
  if (m.type === 'rows') {
    for (const row of m.rows) pending.push(row);
    if (!retry) commitSoon();
  } else if (m.type === 'close') {
    if (timer) clearTimeout(timer);
    let ok = write();
    for (let i = 0; !ok && i < 40; i++) { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250); ok = write(); }
    if (retry) clearInterval(retry);
    db.close();
    parentPort.postMessage({ type: 'closed', lost: pending.length });
  }
});
`;

export interface ThreadedWriter<T> {
  write(entries: readonly T[]): void;
  /** Writes what is left and stops the thread; resolves with the number of entries that could not be written. */
  close(): Promise<number>;
}

/**
 * A writer thread for rows of the given statements. `onWritten(n)` is called once the next n rows sent (in the
 * order sent) are committed.
 */
export function threadedRowWriter(
  file: string,
  sqls: readonly string[],
  onError: (message: string) => void = () => {},
  onWritten: (count: number) => void = () => {},
): ThreadedWriter<WriterRow> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, sqls } });
  worker.unref();
  let closing: Promise<number> | undefined;
  worker.on('message', (m: { type: string; message?: string; count?: number }) => {
    if (m.type === 'error') onError(m.message ?? 'unknown error');
    else if (m.type === 'written') onWritten(m.count ?? 0);
  });
  worker.on('error', (e) => onError(e.message));
  return {
    write(rows) {
      worker.postMessage({ type: 'rows', rows });
    },
    close() {
      closing ??= new Promise<number>((resolve) => {
        const done = (lost: number): void => {
          void worker.terminate();
          resolve(lost);
        };
        worker.on('message', (m: { type: string; lost?: number }) => {
          if (m.type === 'closed') done(m.lost ?? 0);
        });
        worker.on('exit', () => resolve(-1));
        worker.postMessage({ type: 'close' });
      });
      return closing;
    },
  };
}
