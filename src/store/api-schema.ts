/**
 * Migration 20: the API's tables — partner keys (stored as SHA-256 hashes, never the key itself) and the request
 * log — and an index that makes "stones like this one" a range scan. Fixed once shipped, like every migration.
 */
import type { Migration } from './migrations.js';

export const API_MIGRATION: Migration = {
  version: 20,
  name: 'api: keys, request log, similar-stone index',
  sql: `
CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  -- The first characters of the key, shown in listings so a person can tell keys apart; not enough to use it.
  prefix TEXT NOT NULL,
  sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
  scopes TEXT NOT NULL CHECK (json_valid(scopes) AND json_type(scopes) = 'array'),
  rate_per_minute INTEGER NOT NULL CHECK (rate_per_minute > 0),
  created_at TEXT NOT NULL,
  revoked_at TEXT
) STRICT;

CREATE TABLE request_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  method TEXT NOT NULL,
  route TEXT NOT NULL,
  url TEXT NOT NULL,
  status INTEGER NOT NULL,
  latency_ms REAL NOT NULL,
  key_id INTEGER,
  key_name TEXT,
  model_version TEXT,
  request_body TEXT,
  response_body TEXT
) STRICT;
CREATE INDEX request_log_by_time ON request_log (at);

CREATE INDEX IF NOT EXISTS diamonds_by_grades_carat ON diamonds (cut, color, clarity, carat);
`,
};

/**
 * Migration 21: the request log needs no index on time — ids grow with time, and the log is read newest first by
 * id — and every index is work on each write of the hot path's log.
 */
export const API_LOG_INDEX_MIGRATION: Migration = {
  version: 21,
  name: 'api: request log without a time index',
  sql: 'DROP INDEX IF EXISTS request_log_by_time;',
};

/**
 * Migration 22: each logged request keeps its X-Request-Id, so that the id a partner quotes from an answer's
 * headers finds its entry (GET /v1/requests?requestId=…). Not indexed, for the reason of migration 21: a support
 * look-up may scan the log, the hot path's writes stay as cheap as they were.
 */
export const API_REQUEST_ID_MIGRATION: Migration = {
  version: 22,
  name: 'api: request id in the request log',
  sql: 'ALTER TABLE request_log ADD COLUMN request_id TEXT;',
};

/**
 * Migration 27: an active key's name is unique, so that revoking by name revokes one key. A database made before
 * it may hold active keys of the same name: each but the oldest gets " #<id>" appended (listed by `loupe keys
 * list`). Revoked keys keep their names, so a name can be used again once its key is revoked.
 */
export const API_KEY_NAME_MIGRATION: Migration = {
  version: 27,
  name: 'api: active key names are unique',
  sql: `
UPDATE api_keys SET name = name || ' #' || id
WHERE revoked_at IS NULL
  AND EXISTS (SELECT 1 FROM api_keys older WHERE older.name = api_keys.name AND older.revoked_at IS NULL AND older.id < api_keys.id);
CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL;
`,
};

/**
 * Migration 28: quotes that last. `valuations` keeps every valuation answered (the answer's JSON exactly as sent,
 * its input, model and key) so that GET /v1/valuations/{id} returns it after the champion changes;
 * `idempotency_keys` keeps the answers of requests sent with an Idempotency-Key for 24 hours. Both are written in
 * batches off the request's path; read by primary key only.
 */
export const API_QUOTES_MIGRATION: Migration = {
  version: 28,
  name: 'api: stored valuations and idempotency keys',
  sql: `
CREATE TABLE valuations (
  id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
  at TEXT NOT NULL,
  key_id INTEGER,
  model_version TEXT NOT NULL,
  stone TEXT NOT NULL CHECK (json_valid(stone)),
  ref TEXT CHECK (ref IS NULL OR length(ref) <= 100),
  answer TEXT NOT NULL CHECK (json_valid(answer))
) STRICT;

CREATE TABLE idempotency_keys (
  key_id INTEGER NOT NULL,
  route TEXT NOT NULL,
  idempotency_key TEXT NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
  fingerprint TEXT NOT NULL CHECK (length(fingerprint) = 64),
  at INTEGER NOT NULL,
  answer TEXT NOT NULL,
  PRIMARY KEY (key_id, route, idempotency_key)
) STRICT;
`,
};

/**
 * Migration 29: GET /v1/diamonds/similar?mode=all reads only the stones near the one asked about (similar.ts):
 * for each nearby combination of grades, a range of carat on this index, the other measurements checked from the
 * index itself, so that only the stones inside the window are fetched and ranked (a whole-table scan took 0.4–0.9
 * s at 600k stones). It begins with the columns of diamonds_by_grades_carat (migration 20), which serves the
 * grades mode the same way and goes: one index less to keep up on every write.
 */
export const API_SIMILAR_INDEX_MIGRATION: Migration = {
  version: 29,
  name: 'api: an index for similar stones over all characteristics',
  sql: `
CREATE INDEX diamonds_by_measurements ON diamonds (cut, color, clarity, carat, depth, "table", x, y, z);
DROP INDEX diamonds_by_grades_carat;
`,
};

/**
 * Migration 30 (the API's numbers 20–29 are used up; the API continues from 30): stored valuations lose their JSON
 * checks on `stone` and `answer`, as PostgreSQL's schema 3 did. Every row is written by the API itself (the answer
 * exactly as sent, the stone as JSON.stringify gave it), and SQLite parsing each 1.2 kB answer again on every
 * insert was a tenth of the writer thread's work per row (12.3 against 11.1 µs, 30,000 stored answers inserted in
 * batches of 1,000). What else the table refused it still refuses: a missing or over-long id, a missing time, model,
 * stone or answer, a ref over 100 characters, a value of the wrong type (STRICT). SQLite cannot drop a CHECK, so the
 * table is rebuilt, rowids kept (purging goes by rowid, oldest first).
 */
export const API_QUOTES_UNCHECKED_MIGRATION: Migration = {
  version: 30,
  name: 'api: stored valuations written without a JSON check',
  sql: `
CREATE TABLE valuations_unchecked (
  id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
  at TEXT NOT NULL,
  key_id INTEGER,
  model_version TEXT NOT NULL,
  stone TEXT NOT NULL,
  ref TEXT CHECK (ref IS NULL OR length(ref) <= 100),
  answer TEXT NOT NULL
) STRICT;
INSERT INTO valuations_unchecked (rowid, id, at, key_id, model_version, stone, ref, answer)
  SELECT rowid, id, at, key_id, model_version, stone, ref, answer FROM valuations ORDER BY rowid;
DROP TABLE valuations;
ALTER TABLE valuations_unchecked RENAME TO valuations;
`,
};
