/**
 * Recording appraisals from the app: a stone or a CSV file goes through the ingestion itself (the same reader, the
 * same row validation, the same duplicate check, one transaction per submission), as a submission that names who
 * sent it and when, into the server's store (SQLite or PostgreSQL). Submissions are written one at a time, on the
 * store's ingestion target: an ingestion holds its transaction open across the awaits of reading the file.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APPRAISAL_FIELDS, csvCell, STONE_FIELDS, type Stone } from '../diamond/index.js';
import { CsvSplitter } from '../ingest/csv.js';
import { ingestInto, type IngestSummary } from '../ingest/index.js';
import type { LoadedModel } from '../model/index.js';
import type {
  OpenReject,
  RecordedAppraisal,
  RecordedCursor,
  RecordedFilter,
  SubmissionKind,
} from '../store/appraisals.js';
import type { Store } from '../store/store.js';
import { OUTSIDE_EXAMINED, RETURNED, SCAN_CHUNK } from './appraisal-schemas.js';
import { ApiProblem } from './problem.js';

export interface ModelView {
  version: string;
  price: number;
  range: { low: number; high: number; coverage: number } | null;
  inside: boolean | null;
  difference: number;
}

export type AppraisalView = RecordedAppraisal & { model: ModelView | null };
export type RejectView = Omit<OpenReject, 'header' | 'reason'> & { fields: Record<string, string> };

export interface SubmissionResult {
  submission: {
    id: number;
    name: string;
    kind: SubmissionKind;
    recordedBy: string;
    recordedAt: string;
    rowsRead: number;
    accepted: number;
    rejected: number;
  };
  appraisals: AppraisalView[];
  rejects: RejectView[];
}

/** One CSV field as RFC 4180 writes it: quoted when it holds a quote, a comma, a line break or edge spaces. */
function rfcField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A file name safe to show and to write in a folder of our own: no folders, no control characters. */
function safeName(name: string | undefined, fallback: string): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const clean = base
    .replace(/[\p{Cc}]/gu, '')
    .trim()
    .slice(0, 100);
  return clean === '' || clean === '.' || clean === '..' ? fallback : clean;
}

/** What the model says of each stone, beside the expert's price. */
export function withModel(rows: readonly RecordedAppraisal[], model: LoadedModel | undefined): AppraisalView[] {
  if (!model || rows.length === 0) return rows.map((r) => ({ ...r, model: null }));
  const stones = rows.map((r) => Object.fromEntries(STONE_FIELDS.map((f) => [f, r[f]])) as unknown as Stone);
  const valuations = model.valueMany(stones, { explain: false });
  return rows.map((r, i) => {
    const v = valuations[i];
    const inside = v.range ? r.price >= v.range.low && r.price <= v.range.high : null;
    return {
      ...r,
      model: { version: v.modelVersion, price: v.price, range: v.range, inside, difference: r.price - v.price },
    };
  });
}

/** A rejected row with its fields by column name, read from the submission's header and the row's raw text. */
function rejectView(r: OpenReject): RejectView {
  // No bound: the stored text is bounded already, and that of a row too long (its first characters, perhaps cut
  // inside a quote) must read as the one broken record it is, not fail the view.
  const splitter = new CsvSplitter(Number.POSITIVE_INFINITY);
  const records = [...splitter.push(`${r.header}\n${r.rawText}\n`), ...splitter.end()];
  const names = records[0]?.fields ?? [];
  const values = records[1]?.fields ?? [];
  const fields: Record<string, string> = {};
  names.forEach((n, i) => {
    if (values[i] !== undefined) fields[n.trim().toLowerCase()] = values[i];
  });
  const { header: _header, reason: _reason, ...rest } = r;
  return { ...rest, fields };
}

export class AppraisalDesk {
  readonly #store: Store;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(store: Store) {
    this.#store = store;
  }

  /** Runs submissions and resolutions one after another (the store's ingestion takes one at a time). */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Records one stone (the ten fields as sent, each checked as a CSV cell would be); `fixes` names the row it corrects. */
  async recordStone(input: Record<string, unknown>, by: string, model: LoadedModel | undefined, fixes?: number) {
    const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));
    // A stone without any of its fields is no appraisal: recorded, it would be a blank rejected row (and, as a fix,
    // would close the row it was meant to correct). Refused before anything is stored.
    if (APPRAISAL_FIELDS.every((f) => text(input[f]).trim() === '')) {
      const names = APPRAISAL_FIELDS.join(', ');
      const problem = {
        field: '',
        code: 'empty',
        message: `The stone has none of its fields; send ${names.replace(/, (\w+)$/, ' and $1')}.`,
        allowed: `an appraisal: ${names} (and ref)`,
      };
      throw new ApiProblem('invalid-input', problem.message, [problem]);
    }
    const recordedAt = new Date().toISOString();
    // The time and who make the submission's bytes (and so its SHA-256) its own: the same stone recorded twice is
    // told apart by the duplicate check, row by row, not refused as a file seen before.
    const header = [...APPRAISAL_FIELDS, 'ref', 'recorded_by', 'recorded_at'];
    const row = [...APPRAISAL_FIELDS.map((f) => text(input[f])), text(input.ref), by, recordedAt];
    const csv = `${header.join(',')}\n${row.map(rfcField).join(',')}\n`;
    return this.#submit(csv, `stone ${recordedAt}.csv`, { kind: 'stone', recordedBy: by, recordedAt, fixes }, model);
  }

  /** Records an uploaded CSV file as one submission. */
  async recordUpload(bytes: Buffer, name: string | undefined, by: string, model: LoadedModel | undefined) {
    const recordedAt = new Date().toISOString();
    return this.#submit(bytes, safeName(name, 'upload.csv'), { kind: 'upload', recordedBy: by, recordedAt }, model);
  }

  async #submit(
    content: string | Buffer,
    name: string,
    submission: { kind: SubmissionKind; recordedBy: string; recordedAt: string; fixes?: number },
    model: LoadedModel | undefined,
  ): Promise<SubmissionResult> {
    const summary = await this.#serial(async (): Promise<IngestSummary> => {
      const dir = await mkdtemp(join(tmpdir(), 'loupe-submission-'));
      try {
        const path = join(dir, name);
        await writeFile(path, content);
        return await ingestInto(this.#store.ingestion(), path, { storedPath: `app:${submission.kind}`, submission });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
    if (summary.status === 'failed')
      throw new ApiProblem('invalid-input', `${name} ${summary.message}; nothing was stored.`);
    if (summary.status === 'already_ingested' || summary.fileId === undefined)
      throw new ApiProblem('already-recorded', `${name} was ${summary.message}.`);
    const id = summary.fileId;
    return {
      submission: {
        id,
        name,
        kind: submission.kind,
        recordedBy: submission.recordedBy,
        recordedAt: submission.recordedAt,
        rowsRead: summary.rowsRead,
        accepted: summary.accepted,
        rejected: summary.rejected,
      },
      appraisals: withModel(await this.#store.listRecorded({ submission: id }, { limit: RETURNED, offset: 0 }), model),
      rejects: (await this.#store.listOpenRejects({ submission: id, limit: RETURNED, offset: 0 })).map(rejectView),
    };
  }

  /**
   * A page of recorded appraisals matching the filter, with the model's view. Without `outside` the database filters
   * and counts (a page reads what it returns, or from `after`). With it, whether a price is outside depends on the
   * model serving now, so every row must be valued to filter: at most OUTSIDE_EXAMINED rows are looked at, from
   * `after` on; `total` counts the matches among them and `next` says where to go on when they were not all.
   */
  async list(
    filter: RecordedFilter & { outside?: boolean },
    page: { offset: number; limit: number; after?: RecordedCursor },
    model: LoadedModel | undefined,
  ): Promise<{ total: number; appraisals: AppraisalView[]; next: RecordedCursor | null; examined: number | null }> {
    if (filter.outside === undefined) {
      const [total, shown] = await Promise.all([
        this.#store.countRecorded(filter),
        this.#store.listRecorded(filter, { ...page, limit: page.limit + 1 }),
      ]);
      const more = shown.length > page.limit;
      const rows = more ? shown.slice(0, page.limit) : shown;
      return {
        total,
        appraisals: withModel(rows, model),
        next: more ? cursorOf(rows[rows.length - 1]) : null,
        examined: null,
      };
    }
    const matching: AppraisalView[] = [];
    let examined = 0;
    let next: RecordedCursor | null = page.after ?? null;
    let first = true;
    while (examined < OUTSIDE_EXAMINED && (first || next !== null)) {
      const window = await this.#window(filter, next, Math.min(SCAN_CHUNK, OUTSIDE_EXAMINED - examined), model);
      matching.push(...window.rows);
      examined += window.walked;
      next = window.next;
      first = false;
    }
    return {
      total: matching.length,
      appraisals: matching.slice(page.offset, page.offset + page.limit),
      next,
      examined,
    };
  }

  /**
   * The next `size` recorded appraisals in the listing's order after `after`, of those the database finds by its
   * indexes (days, submission); the rest of the filter (who, grades, outside) is checked here, row by row, so that
   * the database never walks further than `size` rows. `next`: the last row looked at, or null at the end.
   */
  async #window(
    filter: RecordedFilter & { outside?: boolean },
    after: RecordedCursor | null,
    size: number,
    model: LoadedModel | undefined,
  ): Promise<{ rows: AppraisalView[]; walked: number; next: RecordedCursor | null }> {
    // Each window is the loop's own turn: requests that came in meanwhile are answered before the next one is read.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const indexed = { from: filter.from, to: filter.to, submission: filter.submission };
    // One row past the window says whether anything is left after it.
    const read = await this.#store.listRecorded(indexed, { limit: size + 1, ...(after ? { after } : {}) });
    const walked = read.length > size ? read.slice(0, size) : read;
    const kept = walked.filter(
      (r) =>
        (filter.who === undefined || r.recordedBy === filter.who) &&
        (filter.cut === undefined || r.cut === filter.cut) &&
        (filter.color === undefined || r.color === filter.color) &&
        (filter.clarity === undefined || r.clarity === filter.clarity),
    );
    const valued = withModel(kept, model);
    const rows =
      filter.outside === undefined
        ? valued
        : valued.filter((a) => a.model !== null && a.model.inside === !filter.outside);
    const next = read.length > size ? cursorOf(walked[walked.length - 1]) : null;
    return { rows, walked: walked.length, next };
  }

  /**
   * Every recorded appraisal matching the filter as CSV text, a window of SCAN_CHUNK rows at a time: each is read,
   * valued and handed on before the next is read, so the export holds one window in memory and the server answers
   * other requests between windows however many rows it exports.
   */
  async *exportCsv(
    filter: RecordedFilter & { outside?: boolean },
    model: LoadedModel | undefined,
  ): AsyncGenerator<string> {
    yield `${EXPORT_HEADER.join(',')}\n`;
    let after: RecordedCursor | null = null;
    do {
      const window = await this.#window(filter, after, SCAN_CHUNK, model);
      if (window.rows.length > 0) yield appraisalsCsv(window.rows);
      after = window.next;
    } while (after !== null);
  }

  /** A page of the open rejected rows (of one submission, or all), newest first, and how many are open in all. */
  async rejects(page: {
    offset: number;
    limit: number;
    submission?: number;
  }): Promise<{ total: number; rejects: RejectView[] }> {
    const [total, rows] = await Promise.all([
      this.#store.countOpenRejects(page.submission),
      this.#store.listOpenRejects(page),
    ]);
    return { total, rejects: rows.map(rejectView) };
  }

  /** The open rejected row, or a 404 problem. */
  async openReject(id: number): Promise<OpenReject> {
    const reject = await this.#store.getOpenReject(id);
    if (!reject)
      throw new ApiProblem(
        'not-found',
        `No open rejected row ${id}: it was fixed or dismissed, or it is not a row recorded in the app.`,
      );
    return reject;
  }

  async dismiss(id: number, by: string): Promise<void> {
    await this.openReject(id);
    await this.#serial(() =>
      this.#store.resolveReject({
        rejectId: id,
        resolution: 'dismissed',
        resolvedBy: by,
        resolvedAt: new Date().toISOString(),
      }),
    );
  }
}

const EXPORT_HEADER = [
  'recorded_at',
  'recorded_by',
  'submission',
  ...APPRAISAL_FIELDS,
  'model_version',
  'model_price',
  'model_low',
  'model_high',
  'inside_range',
  'difference',
];

/** Recorded appraisals as lines of CSV, without the header (every cell as Loupe writes CSV: formula-like cells neutralised). */
export function appraisalsCsv(rows: readonly AppraisalView[]): string {
  const lines: string[] = [];
  for (const a of rows) {
    const m = a.model;
    const cells = [
      a.recordedAt,
      a.recordedBy,
      a.submissionName,
      ...APPRAISAL_FIELDS.map((f) => String(a[f])),
      m?.version ?? '',
      m ? String(m.price) : '',
      m?.range ? String(m.range.low) : '',
      m?.range ? String(m.range.high) : '',
      m?.inside === null || m === null ? '' : m.inside ? 'yes' : 'no',
      m ? String(m.difference) : '',
    ];
    lines.push(cells.map(csvCell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Where the page after this row starts (`next`, and `?after=` as the API reads it). */
const cursorOf = (r: RecordedAppraisal): RecordedCursor => ({ submission: r.submissionId, line: r.line });
