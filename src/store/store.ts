/**
 * The store a Loupe server works with: everything it reads from or writes to the database that every server of
 * a fleet shares — keys, the registry's champion and models, stored valuations and idempotent answers, the request
 * log, the appraised stones compared against. One interface, two implementations: SQLite (`sqlite-store.ts`, the
 * embedded default) and PostgreSQL (for several machines on one database); the API does not know which it has.
 *
 * Every function is async, because a network database is. What a valuation needs on its way (the caller's key, the
 * champion) never waits for one: the server holds the champion in memory (it polls `championVersion`), and an
 * implementation over a network database answers `findKey` from memory it refreshes in the background.
 */
import type {
  Learning,
  OpenReject,
  OpenRejectsOptions,
  RecordedAppraisal,
  RecordedFilter,
  RecordedPage,
  Resolution,
} from './appraisals.js';
import type { IngestTarget } from './ingest-target.js';
import type { ApiKey, NewKey } from './keys.js';
import type { ModelRecord, Promotion, PromotionAction } from './models.js';
import type { OperationsCounts } from './operations.js';
import type { AccuracyHistoryEntry } from './runs.js';
import type { FoundValuation, IdempotencyRow, QuoteWrite } from './quotes.js';
import type { RequestLogEntry, RequestLogRetention, RequestPage, RequestQuery } from './requests.js';
import type { SimilarityMode, SimilarStone, SimilarTo } from './similar.js';

export type StoreBackend = 'sqlite' | 'postgres';

/** The database is not answering now (restarting, the network): the request may be retried shortly. */
export class DatabaseUnavailable extends Error {
  constructor(message: string) {
    super(message);
    // Known by this name to the command line (cli/run.ts): its message is the one line a command ends with.
    this.name = 'DatabaseUnavailable';
  }
}

export interface Store {
  readonly backend: StoreBackend;
  /** The live (not revoked) key a secret belongs to. */
  findKey(secret: string): Promise<ApiKey | undefined>;
  /** How many live keys exist. */
  countKeys(): Promise<number>;
  /** Creates a key (RangeError for a bad or taken name, scope or rate); the secret is shown once and kept nowhere. */
  createKey(spec: NewKey): Promise<{ key: ApiKey; secret: string }>;
  listKeys(): Promise<ApiKey[]>;
  /** Revokes one live key by id (digits) or name; undefined when none has it. */
  revokeKey(idOrName: string): Promise<ApiKey | undefined>;
  /** The champion's version: cheap, polled every second by each server. */
  championVersion(): Promise<string | undefined>;
  getChampion(): Promise<ModelRecord | undefined>;
  getModel(version: string): Promise<ModelRecord | undefined>;
  listModels(): Promise<ModelRecord[]>;
  /** Every promotion and rollback, oldest first (the champion's history). */
  listPromotions(): Promise<Promotion[]>;
  /**
   * Makes `version` the champion from now (the registry checks its artifact first). With `ifHistoryLength`, only if
   * the history still has that many rows — nobody changed the champion since the caller read it and decided —
   * checked and written under one lock (false: nothing written; read again and decide again).
   */
  insertPromotion(
    version: string,
    action: PromotionAction,
    reason: string,
    at: string,
    ifHistoryLength?: number,
  ): Promise<boolean>;
  findValuation(id: string): Promise<FoundValuation | undefined>;
  /** The answer stored under an idempotency key since `since` (ms), and its request's fingerprint. */
  findIdempotent(
    keyId: number,
    route: string,
    key: string,
    since: number,
  ): Promise<Pick<IdempotencyRow, 'fingerprint' | 'answer'> | undefined>;
  /** Writes stored valuations and idempotent answers, all in one transaction. */
  writeQuotes(rows: readonly QuoteWrite[]): Promise<void>;
  /** Deletes valuations older than `valuationsBefore` (ms; null keeps them) and idempotency records older than `idempotencyBefore`. */
  purgeQuotes(
    valuationsBefore: number | null,
    idempotencyBefore: number,
  ): Promise<{ valuations: number; idempotency: number }>;
  /** A page of the request log, newest first; filtered, it looks at no more than REQUESTS_EXAMINED entries. */
  listRequests(query: RequestQuery): Promise<RequestPage>;
  /** Writes request-log entries, all in one transaction. */
  writeRequests(entries: readonly RequestLogEntry[]): Promise<void>;
  /** Deletes request-log rows past retention (older than its days, then the oldest beyond its size); resolves with the rows deleted. */
  pruneRequestLog(retention: RequestLogRetention, now?: number, chunk?: number): Promise<number>;
  similarStones(stone: SimilarTo, n: number, mode: SimilarityMode): Promise<SimilarStone[]>;
  /** Rows ingested and rejected (by reason), finished pipeline runs by outcome: what /metrics reports of them. */
  operationsCounts(): Promise<OperationsCounts>;
  /** The live accuracy of the last `limit` runs that measured the champion (1 to MAX_ACCURACY_RUNS), oldest first. */
  accuracyHistory(limit: number): Promise<AccuracyHistoryEntry[]>;
  /** Appraisals recorded in the app matching the filter, newest first (appraisals.ts). */
  listRecorded(filter: RecordedFilter, page?: RecordedPage): Promise<RecordedAppraisal[]>;
  /** How many recorded appraisals match the filter. */
  countRecorded(filter: RecordedFilter): Promise<number>;
  /** Who has recorded appraisals, with how many each. */
  recorders(): Promise<{ name: string; appraisals: number }[]>;
  /** Which model last learned from recorded appraisals, and up to when. */
  lastLearning(): Promise<Learning | undefined>;
  /** Rejected rows of recorded submissions neither fixed nor dismissed (of one submission, or all), newest first. */
  listOpenRejects(options?: OpenRejectsOptions): Promise<OpenReject[]>;
  /** How many rejected rows are open (neither fixed nor dismissed): of one submission, or all. */
  countOpenRejects(submission?: number): Promise<number>;
  getOpenReject(id: number): Promise<OpenReject | undefined>;
  /** Marks a rejected row fixed or dismissed; false when it already was. */
  resolveReject(resolution: Resolution): Promise<boolean>;
  /**
   * Where a submission recorded in the app is ingested: a file's transaction spans the awaits of reading it, so on
   * SQLite it runs on a connection of its own (nothing else runs inside it); call one ingestion at a time.
   */
  ingestion(): IngestTarget;
  /** Resolves when the database answers; rejects when it does not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
