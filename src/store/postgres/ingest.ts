/**
 * Ingestion into PostgreSQL (the IngestTarget of ingest-target.ts): a file is one transaction on a connection of
 * its own that first takes a transaction-level advisory lock, so ingestions on every server of a fleet run one at a
 * time, as SQLite's BEGIN IMMEDIATE makes them. Rows go in a batch to a statement: one query fetches the stored
 * diamonds sharing a duplicate key with the batch's rows, the ten fields are compared here (every earlier row of
 * the file is stored already, in this transaction), and the new rows are inserted with ids taken in file order.
 */
import type pg from 'pg';
import { APPRAISAL_FIELDS, FIELDS, type Appraisal } from '../../diamond/index.js';
import { dupKey, type Original } from '../diamonds.js';
import { toRecord, type FileRow } from '../files.js';
import type { IngestTarget } from '../ingest-target.js';
import { APPRAISAL_COLUMNS_SQL } from '../ingestion-schema.js';
import { runQuery } from './connect.js';
import { beginTransaction } from './transaction.js';

/** An arbitrary constant naming the ingestion lock among the database's advisory locks. */
const INGEST_LOCK = 0x4c6f757066;

const DIAMOND_ARRAYS = APPRAISAL_FIELDS.map(
  (f, i) => `$${i + 1}::${FIELDS[f].kind === 'number' ? 'float8' : 'text'}[]`,
).join(', ');
const n = APPRAISAL_FIELDS.length;
const INSERT_DIAMONDS = `INSERT INTO diamonds (${APPRAISAL_COLUMNS_SQL}, line, data_row, extra, id, file_id)
  SELECT *, $${n + 1}::bigint FROM unnest(${DIAMOND_ARRAYS}, $${n + 2}::bigint[], $${n + 3}::bigint[],
    $${n + 4}::text[], $${n + 5}::bigint[])`;

type Stored = Appraisal & Original & { key: number };

const sameStone = (a: Appraisal, b: Appraisal): boolean => APPRAISAL_FIELDS.every((f) => a[f] === b[f]);

export function postgresIngestTarget(pool: pg.Pool): IngestTarget {
  const findFile = async (on: pg.Pool | pg.PoolClient, sha256: string) => {
    const [row] = await runQuery<FileRow>(on, 'SELECT * FROM files WHERE sha256 = $1', [sha256]);
    return row && toRecord(row);
  };
  return {
    findFileBySha256: (sha256) => findFile(pool, sha256),
    async begin() {
      const tx = await beginTransaction(pool, { lock: INGEST_LOCK });
      const { client } = tx;
      const q = tx.query;
      return {
        findFileBySha256: (sha256) => findFile(client, sha256),
        async insertFile(f, submission) {
          const [{ id }] = await q<{ id: number }>(
            `INSERT INTO files (name, path, sha256, bytes, header, started_at, status)
             VALUES ($1, $2, $3, $4, $5, $6, 'ingesting') RETURNING id`,
            [f.name, f.path, f.sha256, f.bytes, f.header, f.startedAt],
          );
          if (submission) {
            await q('INSERT INTO submissions (file_id, kind, recorded_by, recorded_at) VALUES ($1, $2, $3, $4)', [
              id,
              submission.kind,
              submission.recordedBy,
              submission.recordedAt,
            ]);
            if (submission.fixes !== undefined)
              await q(
                `INSERT INTO reject_resolutions (reject_id, resolution, fixed_by_file_id, resolved_by, resolved_at)
                 VALUES ($1, 'fixed', $2, $3, $4) ON CONFLICT (reject_id) DO NOTHING`,
                [submission.fixes, id, submission.recordedBy, submission.recordedAt],
              );
          }
          return id;
        },
        async insertDiamonds(fileId, fileName, rows) {
          if (rows.length === 0) return [];
          const keys = rows.map((r) => dupKey(r.appraisal));
          const stored = await q<Stored>(
            `SELECT d.id, d.file_id AS "fileId", f.name AS "fileName", d.line, d.dup_key AS key, ${APPRAISAL_COLUMNS_SQL}
             FROM diamonds d JOIN files f ON f.id = d.file_id WHERE d.dup_key = ANY($1::bigint[]) ORDER BY d.id`,
            [[...new Set(keys)]],
          );
          const byKey = new Map<number, Stored[]>();
          for (const s of stored) byKey.set(s.key, [...(byKey.get(s.key) ?? []), s]);
          const ids = await q<{ id: number }>(
            "SELECT nextval(pg_get_serial_sequence('diamonds', 'id')) AS id FROM generate_series(1, $1)",
            [rows.length],
          );
          const fresh: { row: (typeof rows)[number]; id: number }[] = [];
          const repeats = rows.map((r, i): Original | undefined => {
            const same = byKey.get(keys[i])?.find((s) => sameStone(s, r.appraisal));
            if (same) return { id: same.id, fileId: same.fileId, fileName: same.fileName, line: same.line };
            const id = ids[fresh.length].id;
            fresh.push({ row: r, id });
            const mine: Stored = { ...r.appraisal, id, fileId, fileName, line: r.line, key: keys[i] };
            byKey.set(keys[i], [...(byKey.get(keys[i]) ?? []), mine]);
            return undefined;
          });
          if (fresh.length > 0)
            await q(INSERT_DIAMONDS, [
              ...APPRAISAL_FIELDS.map((f) => fresh.map((x) => x.row.appraisal[f])),
              fileId,
              fresh.map((x) => x.row.line),
              fresh.map((x) => x.row.dataRow),
              fresh.map((x) => x.row.extra),
              fresh.map((x) => x.id),
            ]);
          return repeats;
        },
        async insertRejects(fileId, rows) {
          await q(
            `INSERT INTO rejects (file_id, line, data_row, raw_text, reasons, reason)
             SELECT $1::bigint, * FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[])`,
            [
              fileId,
              rows.map((r) => r.line),
              rows.map((r) => r.dataRow),
              rows.map((r) => r.rawText),
              rows.map((r) => JSON.stringify(r.problems)),
              rows.map((r) => r.problems[0].code),
            ],
          );
        },
        // Repeats are found row by row as they go in (insertDiamonds): none are left to take out.
        async takeOutRepeats() {},
        async finishFile(fileId, c, finishedAt) {
          await q(
            `UPDATE files SET rows_read = $1, accepted = $2, rejected = $3, normalised = $4, by_reason = $5,
               finished_at = $6, status = 'ingested' WHERE id = $7`,
            [c.rowsRead, c.accepted, c.rejected, c.normalised, JSON.stringify(c.byReason), finishedAt, fileId],
          );
        },
        commit: tx.commit,
        rollback: tx.rollback,
      };
    },
  };
}
