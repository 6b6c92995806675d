/**
 * The Store over Loupe's SQLite database (better-sqlite3, synchronous): each function runs its query at once and
 * resolves with the result, so on SQLite the server behaves exactly as it did when it called the driver itself.
 */
import { databasePing, type Db } from './db.js';
import { countKeys, createKey, keyFinder, listKeys, revokeKey } from './keys.js';
import { championVersion, getChampion, getModel, insertPromotion, listModels } from './models.js';
import { operationsCounts } from './operations.js';
import { findIdempotent, findValuation, purgeQuotes, quoteWriter } from './quotes.js';
import { listRequests, pruneRequestLog, requestLogWriter } from './requests.js';
import { similarFinder } from './similar.js';
import type { Store } from './store.js';

/** A Store on this connection; `close()` closes it. */
export function sqliteStore(db: Db): Store {
  const findKey = keyFinder(db);
  const ping = databasePing(db);
  const similar = similarFinder(db);
  let writeQuotes: ReturnType<typeof quoteWriter> | undefined;
  let writeRequests: ReturnType<typeof requestLogWriter> | undefined;
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
    insertPromotion: async (version, action, reason, at) => insertPromotion(db, version, action, reason, at),
    findValuation: async (id) => findValuation(db, id),
    findIdempotent: async (keyId, route, key, since) => findIdempotent(db, keyId, route, key, since),
    async writeQuotes(rows) {
      writeQuotes ??= quoteWriter(db);
      writeQuotes(rows);
    },
    purgeQuotes: async (valuationsBefore, idempotencyBefore) => purgeQuotes(db, valuationsBefore, idempotencyBefore),
    listRequests: async (query) => listRequests(db, query),
    pruneRequestLog: async (retention, now, chunk) => pruneRequestLog(db, retention, now, chunk),
    async writeRequests(entries) {
      writeRequests ??= requestLogWriter(db);
      writeRequests(entries);
    },
    similarStones: async (stone, n, mode) => similar.find(stone, n, mode),
    operationsCounts: async () => operationsCounts(db),
    ping: async () => ping(),
    async close() {
      if (db.open) db.close();
    },
  };
}
