/**
 * Migrations 10–11: the model registry (models, promotions) and the retraining pipeline (training snapshots,
 * runs, the run lock). Like every migration they are fixed once shipped; change the schema with the next number.
 *
 * The champion is not a column that is updated in place: it is the model of the latest row of `promotions`, so
 * switching it is one INSERT (atomic by construction) and the whole history of switches is kept.
 */
import type { Migration } from './migrations.js';

export const REGISTRY_MIGRATION: Migration = {
  version: 10,
  name: 'registry: models, promotions',
  sql: `
CREATE TABLE models (
  id INTEGER PRIMARY KEY,
  version TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  created_at TEXT NOT NULL,
  -- Relative to the folder of the database (LOUPE_HOME), so a moved home still finds its artifacts.
  artifact_path TEXT NOT NULL,
  artifact_sha256 TEXT NOT NULL CHECK (length(artifact_sha256) = 64),
  training_data_sha256 TEXT NOT NULL CHECK (length(training_data_sha256) = 64),
  training_rows INTEGER NOT NULL CHECK (training_rows > 0),
  params TEXT NOT NULL CHECK (json_valid(params)),
  metrics TEXT NOT NULL CHECK (json_valid(metrics)),
  duration_ms REAL NOT NULL CHECK (duration_ms >= 0),
  git_commit TEXT,
  decision TEXT
) STRICT;
CREATE INDEX models_by_data ON models (training_data_sha256);

CREATE TABLE promotions (
  id INTEGER PRIMARY KEY,
  model_id INTEGER NOT NULL REFERENCES models(id),
  action TEXT NOT NULL CHECK (action IN ('promote', 'rollback')),
  reason TEXT NOT NULL,
  at TEXT NOT NULL
) STRICT;
`,
};

export const PIPELINE_MIGRATION: Migration = {
  version: 11,
  name: 'pipeline: training snapshots, runs, run lock',
  sql: `
CREATE TABLE training_snapshots (
  sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
  rows INTEGER NOT NULL CHECK (rows > 0),
  -- The diamonds (ids, ascending) the snapshot holds; the hash is over their ten fields in that order.
  diamond_ids TEXT NOT NULL CHECK (json_valid(diamond_ids)),
  -- The newest file with rows in the snapshot: files after it are "new data" for the next run.
  max_file_id INTEGER NOT NULL,
  created_at TEXT NOT NULL
) STRICT;

CREATE TABLE pipeline_runs (
  id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  pid INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'nothing_to_do', 'failed', 'interrupted')),
  steps TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(steps)),
  decision TEXT,
  summary TEXT CHECK (summary IS NULL OR json_valid(summary)),
  error TEXT
) STRICT;

CREATE TABLE pipeline_lock (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  token TEXT NOT NULL,
  purpose TEXT NOT NULL,
  acquired_at TEXT NOT NULL,
  heartbeat_at TEXT NOT NULL
) STRICT;
`,
};
