/**
 * The pipeline's store over PostgreSQL (the PipelineStore of ../pipeline-store.ts): the same records from the same
 * tables as SQLite's. Registry writes run in one transaction holding the registry's advisory lock (the one every
 * change of champion takes, store.ts), so a pipeline on one machine and an operator on another never interleave.
 *
 * The run lock is a session-level advisory lock on a connection the run keeps: PostgreSQL frees it when that
 * connection ends, so a run killed on any host never blocks the next (no PID check, which only works on one host).
 * The holder is also written to pipeline_lock, to say who has it; a row left there by a killed run is replaced.
 */
import { isAbsolute, relative } from 'node:path';
import type pg from 'pg';
import type { AppraisalRow } from '../diamonds.js';
import { toRecord as fileRecord, type FileRow } from '../files.js';
import { APPRAISAL_COLUMNS_SQL } from '../ingestion-schema.js';
import { modelFromRow, PROMOTIONS_SQL, selectModelsSql, type ModelRow, type Promotion } from '../models.js';
import type { PipelineStore, RegistryWrites } from '../pipeline-store.js';
import { rejectsQuery, type RejectRecord } from '../rejects.js';
import { numbered } from '../sql.js';
import type { LockRecord } from '../run-lock.js';
import { toRecord as runRecord, type RunRow } from '../runs.js';
import type { Snapshot } from '../snapshots.js';
import { asUnavailable, runQuery } from './connect.js';
import { postgresIngestTarget } from './ingest.js';
import { PROMOTIONS_LOCK } from './store.js';
import { withTransaction } from './transaction.js';

/** An arbitrary constant naming the pipeline's run lock among the database's advisory locks. */
export const PIPELINE_LOCK = 0x4c6f757068;

type On = pg.Pool | pg.PoolClient;

interface LockRow {
  pid: number;
  host: string;
  token: string;
  purpose: string;
  acquired_at: string;
  heartbeat_at: string;
}

const lockRecord = (r: LockRow): LockRecord => ({
  pid: r.pid,
  host: r.host,
  token: r.token,
  purpose: r.purpose,
  acquiredAt: r.acquired_at,
  heartbeatAt: r.heartbeat_at,
});

/** `owned`: close() ends the pool (a command's own); otherwise the pool belongs to a Store beside it. */
export function postgresPipelineStore(pool: pg.Pool, options: { home: string; owned?: boolean }): PipelineStore {
  const query = <R extends pg.QueryResultRow>(text: string, values: unknown[] = [], on: On = pool) =>
    runQuery<R>(on, text, values);
  const models = async (sql: string, values: unknown[] = [], on: On = pool) =>
    (await query<ModelRow>(sql, values, on)).map((r) => modelFromRow(r, options.home));
  const readLock = async (on: On = pool) => {
    const [row] = await query<LockRow>('SELECT * FROM pipeline_lock WHERE id = 1', [], on);
    return row && lockRecord(row);
  };

  const writesOn = (client: pg.PoolClient): RegistryWrites => ({
    async maxModelId() {
      return (await query<{ n: number }>('SELECT coalesce(max(id), 0)::bigint AS n FROM models', [], client))[0].n;
    },
    async modelVersions() {
      return (await query<{ version: string }>('SELECT version FROM models ORDER BY id', [], client)).map(
        (r) => r.version,
      );
    },
    async insertModel(m) {
      // Relative to LOUPE_HOME when inside it, as SQLite stores it: every server finds it under its own home.
      const rel = relative(options.home, m.artifactPath);
      const stored = rel.startsWith('..') || isAbsolute(rel) ? m.artifactPath : rel;
      await query(
        `INSERT INTO models (id, version, kind, created_at, artifact_path, artifact_sha256, training_data_sha256,
           training_rows, params, metrics, duration_ms, git_commit, decision)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [
          m.id,
          m.version,
          m.kind,
          m.createdAt,
          stored,
          m.artifactSha256,
          m.trainingDataSha256,
          m.trainingRows,
          JSON.stringify(m.params),
          JSON.stringify(m.metrics),
          m.durationMs,
          m.gitCommit,
          m.decision,
        ],
        client,
      );
      // Ids are taken by hand (the version is made of them): keep the identity ahead of them.
      await query("SELECT setval(pg_get_serial_sequence('models', 'id'), $1)", [m.id], client);
    },
    async setDecision(version, decision) {
      await query('UPDATE models SET decision = $1 WHERE version = $2', [decision, version], client);
    },
    getModel: async (version) => (await models(selectModelsSql({ versionIs: '$1' }), [version], client))[0],
    getChampion: async () => (await models(selectModelsSql('champion'), [], client))[0],
    listPromotions: () => query<Promotion>(PROMOTIONS_SQL, [], client),
    async insertPromotion(version, action, reason, at) {
      const rows = await query(
        'INSERT INTO promotions (model_id, action, reason, at) SELECT id, $1, $2, $3 FROM models WHERE version = $4 RETURNING 1',
        [action, reason, at, version],
        client,
      );
      if (rows.length !== 1) throw new Error(`no model ${version} to make champion`);
    },
  });

  return {
    backend: 'postgres',
    async trySessionLock(holder) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw asUnavailable(error);
      }
      // A held connection that fails (the server restarting) must not end the process; the lock is gone with it.
      const onError = () => {};
      client.on('error', onError);
      const done = (broken: boolean) => {
        client.off('error', onError);
        client.release(broken);
      };
      try {
        const [{ ok }] = await query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [PIPELINE_LOCK], client);
        if (!ok) {
          const busy = await readLock(client);
          done(false);
          return { busy };
        }
        // Holding the lock: a row still there belongs to a session that ended without releasing (killed).
        const previous = await readLock(client);
        await query(
          `INSERT INTO pipeline_lock (id, pid, host, token, purpose, acquired_at, heartbeat_at)
           VALUES (1, $1, $2, $3, $4, $5, $6)
           ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, host = excluded.host, token = excluded.token,
             purpose = excluded.purpose, acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at`,
          [holder.pid, holder.host, holder.token, holder.purpose, holder.acquiredAt, holder.heartbeatAt],
          client,
        );
        let released = false;
        return {
          held: {
            previous,
            async release() {
              if (released) return;
              released = true;
              try {
                await query('DELETE FROM pipeline_lock WHERE id = 1 AND token = $1', [holder.token], client);
                await query('SELECT pg_advisory_unlock($1)', [PIPELINE_LOCK], client);
                done(false);
              } catch {
                // Ending the connection frees the advisory lock all the same (the row left behind is replaced by
                // the next holder); an error here would hide the one that ended the run (the database lost).
                done(true);
              }
            },
          },
        };
      } catch (error) {
        done(true);
        throw error;
      }
    },
    readRunLock: () => readLock(),
    async countFiles() {
      return (await query<{ n: number }>('SELECT count(*)::bigint AS n FROM files'))[0].n;
    },
    async listFiles() {
      return (await query<FileRow>('SELECT * FROM files ORDER BY id')).map(fileRecord);
    },
    async findFilesByName(name) {
      return (await query<FileRow>('SELECT * FROM files WHERE name = $1 OR path = $1 ORDER BY id', [name])).map(
        fileRecord,
      );
    },
    async listRejects(options = {}) {
      const { sql, params } = rejectsQuery(options);
      const rows = await query<Omit<RejectRecord, 'reasons'> & { reasons: string }>(numbered(sql), params);
      return rows.map((r) => ({ ...r, reasons: JSON.parse(r.reasons) as RejectRecord['reasons'] }));
    },
    async listIngestedFiles() {
      return (await query<FileRow>("SELECT * FROM files WHERE status = 'ingested' ORDER BY id")).map(fileRecord);
    },
    listAppraisalRows: () =>
      query<AppraisalRow>(
        `SELECT id, file_id AS "fileId", data_row AS "dataRow", ${APPRAISAL_COLUMNS_SQL} FROM diamonds ORDER BY id`,
      ),
    async insertSnapshot(s, ids) {
      await query(
        `INSERT INTO training_snapshots (sha256, rows, diamond_ids, max_file_id, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [s.sha256, s.rows, JSON.stringify(ids), s.maxFileId, s.createdAt],
      );
    },
    async getSnapshot(sha256) {
      const [row] = await query<Snapshot>(
        `SELECT sha256, rows, max_file_id AS "maxFileId", created_at AS "createdAt" FROM training_snapshots
         WHERE sha256 = $1`,
        [sha256],
      );
      return row;
    },
    async snapshotDiamondIds(sha256) {
      const [row] = await query<{ diamond_ids: string }>(
        'SELECT diamond_ids FROM training_snapshots WHERE sha256 = $1',
        [sha256],
      );
      return row && (JSON.parse(row.diamond_ids) as number[]);
    },
    getChampion: async () => (await models(selectModelsSql('champion')))[0],
    getModel: async (version) => (await models(selectModelsSql({ versionIs: '$1' }), [version]))[0],
    listModels: () => models(selectModelsSql('all')),
    writeTransaction: (fn) => withTransaction(pool, (client) => fn(writesOn(client)), { lock: PROMOTIONS_LOCK }),
    async markInterrupted() {
      return (
        await query(
          `UPDATE pipeline_runs SET status = 'interrupted', finished_at = $1,
             error = 'the process stopped before the run finished (killed or crashed)'
           WHERE status = 'running' RETURNING 1`,
          [new Date().toISOString()],
        )
      ).length;
    },
    async startRun() {
      const [{ id }] = await query<{ id: number }>(
        "INSERT INTO pipeline_runs (started_at, pid, status) VALUES ($1, $2, 'running') RETURNING id",
        [new Date().toISOString(), process.pid],
      );
      return id;
    },
    async recordSteps(id, steps) {
      await query('UPDATE pipeline_runs SET steps = $1 WHERE id = $2', [JSON.stringify(steps), id]);
    },
    async finishRun(id, status, fields) {
      await query(
        'UPDATE pipeline_runs SET status = $1, finished_at = $2, decision = $3, summary = $4, error = $5 WHERE id = $6',
        [
          status,
          new Date().toISOString(),
          fields.decision ?? null,
          fields.summary === undefined ? null : JSON.stringify(fields.summary),
          fields.error ?? null,
          id,
        ],
      );
    },
    async listRuns(limit = 50) {
      return (await query<RunRow>('SELECT * FROM pipeline_runs ORDER BY id DESC LIMIT $1', [limit])).map(runRecord);
    },
    ingestion: () => postgresIngestTarget(pool),
    async close() {
      if (options.owned) await pool.end();
    },
  };
}
