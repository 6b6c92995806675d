/**
 * The Store over PostgreSQL: the same records as SQLite's, from the same tables (schema.ts). What a valuation
 * needs on its way never waits for the database: live keys are held in memory and refreshed every second (a key
 * revoked on any server is refused by every server within that second; a key not in memory, such as one created
 * a moment ago, is looked up once), and the champion is polled by the server, as on SQLite.
 */
import type pg from 'pg';
import { checkKeyName, hashKey, nameTaken, newKeyValues, toKey, type ApiKey, type KeyRow } from '../keys.js';
import {
  CHAMPION_VERSION_SQL,
  modelFromRow,
  PROMOTION_COUNT_SQL,
  PROMOTIONS_SQL,
  selectModelsSql,
  type ModelRow,
  type Promotion,
} from '../models.js';
import { accuracyHistoryFromRows, accuracyHistorySql, MAX_ACCURACY_RUNS } from '../runs.js';
import {
  INGESTION_TOTALS_SQL,
  operationsFromRows,
  RUN_TOTALS_SQL,
  type IngestionTotalRow,
  type RunTotalRow,
} from '../operations.js';
import type { FoundValuation } from '../quotes.js';
import {
  REQUEST_LOG_SPAN_SQL,
  requestPage,
  requestPageQuery,
  requestRow,
  requestsWhere,
  type RequestLogSpan,
  type StoredRequest,
} from '../requests.js';
import { numbered } from '../sql.js';
import type { Store } from '../store.js';
import { postgresAppraisals } from './appraisals.js';
import { runQuery } from './connect.js';
import { postgresIngestTarget } from './ingest.js';
import { copyRows, withoutNul } from './copy-in.js';
import { postgresSimilar } from './similar.js';
import { withTransaction } from './transaction.js';

export interface PostgresStoreOptions {
  /** LOUPE_HOME: relative artifact paths in the registry are resolved against it. */
  home: string;
  /** How often the live keys are read again, in ms (default 1000). */
  keyRefreshMs?: number;
}

export type PostgresStore = Store & {
  readonly pool: pg.Pool;
  /** Rows in the request log (benchmarks check that every answered request was logged). */
  countRequests(): Promise<number>;
};

const REQUEST_COLUMNS = `id, at, method, route, url, status, latency_ms AS "latencyMs", key_id AS "keyId",
  key_name AS "keyName", model_version AS "modelVersion", request_body AS "requestBody",
  response_body AS "responseBody", request_id AS "requestId"`;

const iso = (ms: number): string => new Date(ms).toISOString();

const VALUATION_COLUMNS = ['id', 'at', 'key_id', 'model_version', 'stone', 'ref', 'answer'];
const REQUEST_LOG_COLUMNS = [
  'at',
  'method',
  'route',
  'url',
  'status',
  'latency_ms',
  'key_id',
  'key_name',
  'model_version',
  'request_body',
  'response_body',
  'request_id',
];
/** Idempotent answers, skipping one already there (a retried batch). */
const INSERT_IDEMPOTENT_SQL = `INSERT INTO idempotency_keys (key_id, route, idempotency_key, fingerprint, at, answer)
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[])
  ON CONFLICT DO NOTHING`;

/** How long a ping (/readyz) waits for PostgreSQL's answer, in ms, once it has a connection. */
export const PING_TIMEOUT_MS = 5_000;

/** The advisory lock a change of champion holds (beside the migrations' and ingestion's, …65 and …66). */
export const PROMOTIONS_LOCK = 0x4c6f757067;

export function postgresStore(pool: pg.Pool, options: PostgresStoreOptions): PostgresStore {
  /** Runs a query; a failed connection becomes DatabaseUnavailable (the API answers 503 with Retry-After). */
  const query = <R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> =>
    runQuery<R>(pool, text, values);

  let liveKeys: Map<string, ApiKey> | undefined;
  async function refreshKeys(): Promise<void> {
    const rows = await query<KeyRow & { sha256: string }>('SELECT * FROM api_keys WHERE revoked_at IS NULL');
    liveKeys = new Map(rows.map((r) => [r.sha256, toKey(r)]));
  }
  const keyTimer = setInterval(() => void refreshKeys().catch(() => {}), options.keyRefreshMs ?? 1000);
  keyTimer.unref();

  const models = async (sql: string, values: unknown[] = []) =>
    (await query<ModelRow>(sql, values)).map((r) => modelFromRow(r, options.home));

  return {
    backend: 'postgres',
    pool,
    ...postgresAppraisals(pool),
    ...postgresSimilar(pool),
    ingestion: () => postgresIngestTarget(pool),
    async findKey(secret) {
      const hash = hashKey(secret);
      if (liveKeys === undefined) await refreshKeys();
      const known = liveKeys?.get(hash);
      if (known) return known;
      const [row] = await query<KeyRow>('SELECT * FROM api_keys WHERE sha256 = $1 AND revoked_at IS NULL', [hash]);
      return row && toKey(row);
    },
    async createKey(spec) {
      const name = checkKeyName(spec);
      const [taken] = await query<{ id: number }>('SELECT id FROM api_keys WHERE name = $1 AND revoked_at IS NULL', [
        name,
      ]);
      if (taken) throw nameTaken(name, taken.id);
      const v = newKeyValues(spec);
      try {
        const [row] = await query<KeyRow>(
          `INSERT INTO api_keys (name, prefix, sha256, scopes, rate_per_minute, created_at)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
          [name, v.prefix, v.sha256, v.scopes, v.rate, new Date().toISOString()],
        );
        return { key: toKey(row), secret: v.secret };
      } catch (error) {
        // Another process took the name between the check and the insert (the unique index on live names).
        if ((error as { code?: string }).code === '23505') throw nameTaken(name, 0);
        throw error;
      }
    },
    async listKeys() {
      return (await query<KeyRow>('SELECT * FROM api_keys ORDER BY id')).map(toKey);
    },
    async revokeKey(idOrName) {
      const byId = /^\d+$/.test(idOrName);
      const [row] = await query<KeyRow>(
        `UPDATE api_keys SET revoked_at = $2 WHERE id = (
           SELECT id FROM api_keys WHERE ${byId ? 'id = $1::bigint' : 'name = $1'} AND revoked_at IS NULL) RETURNING *`,
        [idOrName, new Date().toISOString()],
      );
      // This server refuses it at once; the others within their next refresh (a second).
      if (row) await refreshKeys().catch(() => {});
      return row && toKey(row);
    },
    async countRequests() {
      return (await query<{ n: number }>('SELECT count(*) AS n FROM request_log'))[0].n;
    },
    // As SQLite's (pruneRequestLog in requests.ts), row sizes from pg_column_size of the newest 1,000 rows.
    async pruneRequestLog(retention, now = Date.now(), chunk = 5000) {
      const [span] = await query<{ first: number | null; last: number | null }>(
        'SELECT min(id) AS first, max(id) AS last FROM request_log',
      );
      if (span.first === null || span.last === null) return 0;
      const oldestKept = iso(now - retention.maxAgeDays * 86_400_000);
      const [youngest] = await query<{ id: number }>('SELECT id FROM request_log WHERE at >= $1 ORDER BY id LIMIT 1', [
        oldestKept,
      ]);
      const [{ bytes }] = await query<{ bytes: number | null }>(
        'SELECT avg(pg_column_size(r.*))::float8 AS bytes FROM (SELECT * FROM request_log ORDER BY id DESC LIMIT 1000) r',
      );
      const bySize = span.last + 1 - Math.floor(retention.maxBytes / Math.max(1, bytes ?? 1));
      const cutoff = Math.max(youngest?.id ?? span.last + 1, bySize);
      let deleted = 0;
      for (;;) {
        const [{ n }] = await query<{ n: number }>(
          `WITH gone AS (DELETE FROM request_log WHERE id IN (SELECT id FROM request_log WHERE id < $1 ORDER BY id LIMIT $2)
           RETURNING 1) SELECT count(*) AS n FROM gone`,
          [cutoff, chunk],
        );
        if (n === 0) return deleted;
        deleted += n;
      }
    },
    async countKeys() {
      return (await query<{ n: number }>('SELECT count(*) AS n FROM api_keys WHERE revoked_at IS NULL'))[0].n;
    },
    async championVersion() {
      const [row] = await query<{ version: string }>(CHAMPION_VERSION_SQL);
      return row?.version;
    },
    getChampion: async () => (await models(selectModelsSql('champion')))[0],
    getModel: async (version) => (await models(selectModelsSql({ versionIs: '$1' }), [version]))[0],
    listModels: () => models(selectModelsSql('all')),
    listPromotions: () => query<Promotion>(PROMOTIONS_SQL),
    async insertPromotion(version, action, reason, at, ifHistoryLength) {
      const insert = async (on: pg.Pool | pg.PoolClient) => {
        const rows = await runQuery(
          on,
          'INSERT INTO promotions (model_id, action, reason, at) SELECT id, $1, $2, $3 FROM models WHERE version = $4 RETURNING 1',
          [action, reason, at, version],
        );
        if (rows.length !== 1) throw new Error(`no model ${version} to make champion`);
      };
      if (ifHistoryLength === undefined) {
        await insert(pool);
        return true;
      }
      // One transaction holding the registry's advisory lock: the count is read after the lock is taken (a
      // statement of its own, so its snapshot is that late), and a second change decided from the same history
      // finds one row more and writes nothing.
      return withTransaction(
        pool,
        async (client) => {
          const [{ n }] = await runQuery<{ n: number }>(client, PROMOTION_COUNT_SQL);
          if (Number(n) !== ifHistoryLength) return false;
          await insert(client);
          return true;
        },
        { lock: PROMOTIONS_LOCK },
      );
    },
    async findValuation(id) {
      const [row] = await query<FoundValuation>(
        'SELECT id, at, key_id AS "keyId", stone, ref, answer FROM valuations WHERE id = $1',
        [id],
      );
      return row;
    },
    async findIdempotent(keyId, route, key, since) {
      const [row] = await query<{ fingerprint: string; answer: string }>(
        'SELECT fingerprint, answer FROM idempotency_keys WHERE key_id = $1 AND route = $2 AND idempotency_key = $3 AND at >= $4',
        [keyId, route, key, since],
      );
      return row;
    },
    async writeQuotes(rows) {
      const valuations = rows.filter((r) => r[0] === 0);
      const idempotent = rows.filter((r) => r[0] === 1);
      const valuationRows = valuations.map((r) => [r[1], iso(r[2] as number), r[3], r[4], r[5], r[6], r[7]]);
      const idempotentValues = [1, 2, 3, 4, 5, 6].map((i) => idempotent.map((r) => r[i]));
      try {
        // A batch of valuations is one COPY (copy-in.ts); with idempotent answers (only with an Idempotency-Key
        // header) one transaction holds both, so an answer replayed later always finds its valuations.
        if (idempotent.length === 0) await copyRows(pool, 'valuations', VALUATION_COLUMNS, valuationRows);
        else
          await withTransaction(pool, async (client) => {
            await copyRows(client, 'valuations', VALUATION_COLUMNS, valuationRows);
            await runQuery(client, INSERT_IDEMPOTENT_SQL, idempotentValues);
          });
      } catch (error) {
        if ((error as { code?: string }).code !== '23505') throw error;
        // A batch written again after its commit went unacknowledged (the connection dropped as it committed)
        // meets its own rows: one statement writes those not there yet.
        await query(
          `WITH v AS (
             INSERT INTO valuations (${VALUATION_COLUMNS.join(', ')})
             SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[])
             ON CONFLICT DO NOTHING RETURNING 1)
           ${INSERT_IDEMPOTENT_SQL.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + 7}`)}`,
          [...[0, 1, 2, 3, 4, 5, 6].map((i) => valuationRows.map((r) => withoutNul(r[i]))), ...idempotentValues],
        );
      }
    },
    async purgeQuotes(valuationsBefore, idempotencyBefore) {
      let valuations = 0;
      if (valuationsBefore !== null) {
        const cutoff = iso(valuationsBefore);
        for (let n = 1; n > 0; valuations += n) {
          n = (
            await query(
              'DELETE FROM valuations WHERE seq IN (SELECT seq FROM valuations ORDER BY seq LIMIT 1000) AND at < $1 RETURNING 1',
              [cutoff],
            )
          ).length;
        }
      }
      const idempotency = (await query('DELETE FROM idempotency_keys WHERE at < $1 RETURNING 1', [idempotencyBefore]))
        .length;
      return { valuations, idempotency };
    },
    async listRequests(q) {
      const [span] = await query<RequestLogSpan>(REQUEST_LOG_SPAN_SQL);
      const page = requestPageQuery(q, {
        first: span.first && Number(span.first),
        last: span.last && Number(span.last),
      });
      const { where, params } = requestsWhere(page.query);
      const rows = await query<StoredRequest>(
        numbered(`SELECT ${REQUEST_COLUMNS} FROM request_log ${where} ORDER BY id DESC LIMIT ?`),
        [...params, q.limit],
      );
      return requestPage(rows, q.limit, page.floor);
    },
    async writeRequests(entries) {
      // One COPY a batch (copy-in.ts): about a third of the database's CPU per row of a multi-row INSERT.
      await copyRows(
        pool,
        'request_log',
        REQUEST_LOG_COLUMNS,
        // SQLite's row (requests.ts, one column order for both), its time as ISO text instead of epoch ms.
        entries.map((e) => [iso(e.at), ...requestRow(e).slice(1)]),
      );
    },
    async operationsCounts() {
      const [ingestion, runs] = await Promise.all([
        query<IngestionTotalRow>(INGESTION_TOTALS_SQL),
        query<RunTotalRow>(RUN_TOTALS_SQL),
      ]);
      return operationsFromRows(ingestion, runs);
    },
    async accuracyHistory(limit) {
      const n = Math.max(1, Math.min(MAX_ACCURACY_RUNS, Math.floor(limit)));
      return accuracyHistoryFromRows(
        await query<Parameters<typeof accuracyHistoryFromRows>[0][number]>(accuracyHistorySql('postgres'), [n]),
      );
    },
    async ping() {
      // Bounded on its own: a database that accepts connections but no longer answers must not hold /readyz.
      await runQuery(pool, 'SELECT 1', [], PING_TIMEOUT_MS);
    },
    async close() {
      clearInterval(keyTimer);
      await pool.end();
    },
  };
}
