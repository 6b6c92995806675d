/**
 * The Store over Loupe's SQLite database (better-sqlite3, synchronous): each function runs its query at once and
 * resolves with the result, so on SQLite the server behaves exactly as it did when it called the driver itself.
 */
import { countOpenRejects, getOpenReject, lastLearning, listOpenRejects, listRecorded } from './appraisals.js';
import { countRecorded, recorders, resolveReject, type LearningCache } from './appraisals.js';
import { databasePing, openDatabase, type Db } from './db.js';
import { sqliteIngestTarget } from './ingest-target.js';
import { countKeys, createKey, keyFinder, listKeys, revokeKey } from './keys.js';
import {
  championVersion,
  getChampion,
  getModel,
  insertPromotion,
  insertPromotionIfUnchanged,
  listModels,
  listPromotions,
} from './models.js';
import { operationsCounts } from './operations.js';
import { liveAccuracyHistory } from './runs.js';
import { findIdempotent, findValuation, purgeQuotes, quoteWriter } from './quotes.js';
import { pageRequests, pruneRequestLog, requestLogWriter } from './requests.js';
import { similarFinder } from './similar.js';
import type { Store } from './store.js';

/** A Store on this connection; `close()` closes it. */
export function sqliteStore(db: Db): Store {
  const findKey = keyFinder(db);
  const ping = databasePing(db);
  const similar = similarFinder(db);
  let writeQuotes: ReturnType<typeof quoteWriter> | undefined;
  let writeRequests: ReturnType<typeof requestLogWriter> | undefined;
  // Ingestion holds its transaction open across awaits: on a connection of its own, opened when first needed (an
  // in-memory database has only the one). Resolving a rejected row writes there too, so it never waits for the
  // ingestion's write lock on this thread.
  let writer: Db | undefined;
  const learning: LearningCache = new Map();
  const writerDb = (): Db => (writer ??= db.memory ? db : openDatabase(db.name));
  // Each function queries synchronously; an async function turns a throw into a rejection like a network driver's.
  return {
    backend: 'sqlite',
    findKey: async (secret) => findKey(secret),
    countKeys: async () => countKeys(db),
    createKey: async (spec) => createKey(db, spec),
    listKeys: async () => listKeys(db),
    revokeKey: async (idOrName) => revokeKey(db, idOrName),
    championVersion: async () => championVersion(db),
    getChampion: async () => getChampion(db),
    getModel: async (version) => getModel(db, version),
    listModels: async () => listModels(db),
    listPromotions: async () => listPromotions(db),
    async insertPromotion(version, action, reason, at, ifHistoryLength) {
      if (ifHistoryLength === undefined) {
        insertPromotion(db, version, action, reason, at);
        return true;
      }
      return insertPromotionIfUnchanged(db, version, action, reason, at, ifHistoryLength);
    },
    findValuation: async (id) => findValuation(db, id),
    findIdempotent: async (keyId, route, key, since) => findIdempotent(db, keyId, route, key, since),
    async writeQuotes(rows) {
      writeQuotes ??= quoteWriter(db);
      writeQuotes(rows);
    },
    purgeQuotes: (valuationsBefore, idempotencyBefore) => purgeQuotes(db, valuationsBefore, idempotencyBefore),
    listRequests: async (query) => pageRequests(db, query),
    pruneRequestLog: async (retention, now, chunk) => pruneRequestLog(db, retention, now, chunk),
    async writeRequests(entries) {
      writeRequests ??= requestLogWriter(db);
      writeRequests(entries);
    },
    similarStones: async (stone, n, mode) => similar.find(stone, n, mode),
    operationsCounts: async () => operationsCounts(db),
    accuracyHistory: async (limit) => liveAccuracyHistory(db, limit),
    listRecorded: async (filter, page) => listRecorded(db, filter, page),
    countRecorded: async (filter) => countRecorded(db, filter),
    recorders: async () => recorders(db),
    lastLearning: async () => lastLearning(db, learning),
    listOpenRejects: async (options) => listOpenRejects(db, options),
    countOpenRejects: async (submission) => countOpenRejects(db, submission),
    getOpenReject: async (id) => getOpenReject(db, id),
    resolveReject: async (resolution) => resolveReject(writerDb(), resolution),
    ingestion: () => sqliteIngestTarget(writerDb()),
    ping: async () => ping(),
    async close() {
      if (writer && writer !== db && writer.open) writer.close();
      if (db.open) db.close();
    },
  };
}
