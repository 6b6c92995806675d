/**
 * A writer thread (started by api/row-writer-thread.ts) for the request log and for stored valuations, with its own
 * SQLite connection. Each row names its statement (an index into `statements`), then its values. It keeps
 * the rows it was sent in a bounded queue and commits them in chunks of at most `chunk` rows, one transaction
 * each, every 250 ms or as soon as a chunk is full. When the database refuses a write (a full disk, a lock held
 * too long) the rows stay queued and the write is retried with a growing pause (up to 4 s); while it fails, the
 * oldest rows beyond the queue's bound are dropped and counted. Once a write succeeds again the thread reports
 * how many were lost. The request log's retention (age and size), when given, is enforced every pruneEveryMs and
 * after every pruneEveryRows rows, and at once when the disk is full, since deleting old rows frees pages for new
 * ones. Rows leave the queue in the order sent, written or dropped: the thread reports both, so that the sender
 * knows which of its rows are settled.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './db.js';
import { pruneRequestLog, type RequestLogRetention } from './requests.js';

export interface WriterSettings {
  file: string;
  /** The statements a row can name, by index. */
  statements: string[];
  /** The request log's retention, enforced by this thread (null: none; stored valuations have their own). */
  retention: RequestLogRetention | null;
  /** Most rows kept waiting in this thread; beyond it the oldest are dropped. */
  maxQueued: number;
  /** Most rows per transaction. */
  chunk: number;
  pruneEveryMs: number;
  pruneEveryRows: number;
  /** Extra pragmas for this connection (tests use max_page_count for a full disk). */
  pragmas: string[];
  /** On close, how long writes that fail are retried (every 250 ms) before what is left is reported lost. */
  closeWaitMs: number;
}

/** A row: the index of its statement, then its values. */
export type Row = [number, ...(string | number | null)[]];

export type ToWriter =
  | { type: 'rows'; rows: Row[] }
  | { type: 'sync'; id: number }
  /** Commit what can be, then send back the row of `statement` whose first value is `key`, if still waiting. */
  | { type: 'find'; id: number; statement: number; key: string }
  | { type: 'close' };

export type FromWriter =
  | { type: 'taken'; rows: number; queued: number; dropped: number }
  | { type: 'written'; rows: number }
  | { type: 'synced'; id: number }
  | { type: 'found'; id: number; row: Row | null }
  | { type: 'failing'; message: string }
  | { type: 'recovered'; dropped: number; failedMs: number }
  | { type: 'pruned'; rows: number }
  | { type: 'closed'; lost: number; dropped: number };

if (!parentPort) throw new Error('request-log-worker.ts runs as the request log thread');
const port = parentPort;
const settings = (workerData as { data: WriterSettings }).data;
const db = openDatabase(settings.file);
for (const pragma of settings.pragmas) db.pragma(pragma);
const statements = settings.statements.map((sql) => db.prepare(sql));
/**
 * Rows that come together for the same statement are inserted ROWS_PER_INSERT at a time, in one statement with as
 * many value tuples: SQLite's per-statement work (bind, step, reset) is then paid once for them, which made a stored
 * valuation's insert about a sixth cheaper. Statements that are not a single `INSERT … VALUES (…)` go row by row.
 */
const ROWS_PER_INSERT = 16;
const manyRows = settings.statements.map((sql) => {
  const values = /^(INSERT\b[\s\S]*\bVALUES\s*)(\([^()]*(?:\([^()]*\)[^()]*)*\))\s*$/i.exec(sql);
  return values ? db.prepare(values[1] + Array(ROWS_PER_INSERT).fill(values[2]).join(', ')) : null;
});
const writeChunk = db.transaction((rows: Row[]) => {
  let i = 0;
  while (i < rows.length) {
    const which = rows[i][0];
    const many = manyRows[which];
    if (many && i + ROWS_PER_INSERT <= rows.length && rows[i + ROWS_PER_INSERT - 1][0] === which) {
      let same = true;
      for (let k = i + 1; k < i + ROWS_PER_INSERT && same; k++) same = rows[k][0] === which;
      if (same) {
        const values: (string | number | null)[] = [];
        for (let k = i; k < i + ROWS_PER_INSERT; k++) for (let c = 1; c < rows[k].length; c++) values.push(rows[k][c]);
        many.run(values);
        i += ROWS_PER_INSERT;
        continue;
      }
    }
    statements[which].run(rows[i].slice(1));
    i++;
  }
});

let queue: Row[] = [];
let dropped = 0;
/** Since when writes fail (null: they succeed), and what was dropped since. */
let failingSince: number | null = null;
let droppedWhileFailing = 0;
let pause = 250;
let timer: NodeJS.Timeout | null = null;
let writtenSincePrune = 0;
/** Rows per transaction now: halved while the disk is full (a little space still takes a few rows), regrown after. */
let chunk = settings.chunk;

function send(message: FromWriter): void {
  port.postMessage(message);
}

function prune(): void {
  if (!settings.retention) return;
  try {
    const rows = pruneRequestLog(db, settings.retention);
    if (rows > 0) send({ type: 'pruned', rows });
  } catch {
    // A prune that fails (locked, or no room even for its journal) is retried with the next one.
  }
  writtenSincePrune = 0;
}

/** Writes chunks until the queue is empty or the database refuses one; true when everything was written. */
function writeQueued(maxChunks = Infinity): boolean {
  for (let n = 0; queue.length > 0 && n < maxChunks; n++) {
    const rows = queue.slice(0, chunk);
    try {
      writeChunk(rows);
    } catch (error) {
      if (failingSince === null) {
        failingSince = Date.now();
        send({ type: 'failing', message: error instanceof Error ? error.message : String(error) });
      }
      if ((error as { code?: string }).code === 'SQLITE_FULL') {
        chunk = Math.max(1, chunk >> 1);
        prune();
      }
      return false;
    }
    chunk = Math.min(settings.chunk, chunk * 2);
    queue = queue.slice(rows.length);
    send({ type: 'written', rows: rows.length });
    writtenSincePrune += rows.length;
    if (failingSince !== null) {
      send({ type: 'recovered', dropped: droppedWhileFailing, failedMs: Date.now() - failingSince });
      failingSince = null;
      droppedWhileFailing = 0;
      pause = 250;
    }
    if (writtenSincePrune >= settings.pruneEveryRows) prune();
  }
  return queue.length === 0;
}

/** One round: a few chunks, then back to the message loop (so rows keep being taken and the bound applied). */
function round(): void {
  timer = null;
  const done = writeQueued(4);
  if (failingSince !== null) {
    pause = Math.min(4000, pause * 2);
    schedule(pause);
  } else if (!done) {
    schedule(0);
  }
}

function schedule(ms: number): void {
  if (timer) return;
  timer = setTimeout(round, ms);
}

port.on('message', (m: ToWriter) => {
  if (m.type === 'rows') {
    for (const row of m.rows) queue.push(row);
    const excess = queue.length - settings.maxQueued;
    if (excess > 0) {
      queue = queue.slice(excess);
      dropped += excess;
      droppedWhileFailing += excess;
    }
    send({ type: 'taken', rows: m.rows.length, queued: queue.length, dropped });
    if (failingSince === null) schedule(queue.length >= settings.chunk ? 0 : 250);
  } else if (m.type === 'sync') {
    if (failingSince === null) writeQueued();
    send({ type: 'synced', id: m.id });
  } else if (m.type === 'find') {
    if (failingSince === null) writeQueued();
    // At most maxQueued rows to look through, and only while writes fail (otherwise the queue was just written).
    const row = queue.find((r) => r[0] === m.statement && r[1] === m.key) ?? null;
    send({ type: 'found', id: m.id, row });
  } else if (m.type === 'close') {
    if (timer) clearTimeout(timer);
    clearInterval(pruner);
    let ok = writeQueued();
    for (let i = 0; !ok && i < settings.closeWaitMs / 250; i++) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
      ok = writeQueued();
    }
    db.close();
    send({ type: 'closed', lost: queue.length, dropped });
  }
});

prune();
const pruner = setInterval(prune, settings.pruneEveryMs);
