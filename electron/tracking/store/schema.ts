/**
 * The tracking tables, as migration steps for `migrate(db, "tracking", …)`. Names follow MLflow's SQL
 * store (run_uuid, latest_metrics, is_nan) so a reader of either schema finds the same things.
 * Metrics keep a primary key that starts (run, key, step) so one run's history of one key is a
 * range scan in step order, however long it is.
 */
import type { MigrationStep } from "../sql/index.ts";
import { backfillBlocks } from "./metric-blocks.ts";

/** Append-only: each entry is one migration step; never edit a step that has shipped. */
export const TRACKING_MIGRATIONS: readonly MigrationStep[] = [
  `
  CREATE TABLE experiments (
    experiment_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    artifact_location TEXT NOT NULL,
    lifecycle_stage TEXT NOT NULL,
    creation_time INTEGER NOT NULL,
    last_update_time INTEGER NOT NULL
  );
  CREATE TABLE experiment_tags (
    experiment_id INTEGER NOT NULL REFERENCES experiments ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (experiment_id, key)
  );
  CREATE TABLE runs (
    run_uuid TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    experiment_id INTEGER NOT NULL REFERENCES experiments ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    status TEXT NOT NULL,
    start_time INTEGER NOT NULL,
    end_time INTEGER,
    artifact_uri TEXT NOT NULL,
    lifecycle_stage TEXT NOT NULL,
    deleted_time INTEGER
  );
  CREATE INDEX runs_experiment_start ON runs (experiment_id, start_time DESC, run_uuid);
  CREATE TABLE params (
    run_uuid TEXT NOT NULL REFERENCES runs ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (run_uuid, key)
  ) WITHOUT ROWID;
  CREATE INDEX params_key_value ON params (key, value);
  CREATE TABLE tags (
    run_uuid TEXT NOT NULL REFERENCES runs ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (run_uuid, key)
  ) WITHOUT ROWID;
  CREATE INDEX tags_key_value ON tags (key, value);
  CREATE TABLE metrics (
    run_uuid TEXT NOT NULL REFERENCES runs ON DELETE CASCADE,
    key TEXT NOT NULL,
    step INTEGER NOT NULL,
    timestamp INTEGER NOT NULL,
    value REAL NOT NULL,
    is_nan INTEGER NOT NULL,
    PRIMARY KEY (run_uuid, key, step, timestamp, value, is_nan)
  ) WITHOUT ROWID;
  CREATE TABLE latest_metrics (
    run_uuid TEXT NOT NULL REFERENCES runs ON DELETE CASCADE,
    key TEXT NOT NULL,
    step INTEGER NOT NULL,
    timestamp INTEGER NOT NULL,
    value REAL NOT NULL,
    is_nan INTEGER NOT NULL,
    PRIMARY KEY (run_uuid, key)
  ) WITHOUT ROWID;
  CREATE INDEX latest_metrics_key_value ON latest_metrics (key, value);
  CREATE TABLE datasets (
    dataset_uuid TEXT PRIMARY KEY NOT NULL,
    experiment_id INTEGER NOT NULL REFERENCES experiments ON DELETE CASCADE,
    name TEXT NOT NULL,
    digest TEXT NOT NULL,
    source_type TEXT NOT NULL,
    source TEXT NOT NULL,
    schema TEXT,
    profile TEXT,
    UNIQUE (experiment_id, name, digest)
  );
  CREATE TABLE run_inputs (
    run_uuid TEXT NOT NULL REFERENCES runs ON DELETE CASCADE,
    dataset_uuid TEXT NOT NULL REFERENCES datasets ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (run_uuid, dataset_uuid)
  ) WITHOUT ROWID;
  CREATE TABLE input_tags (
    run_uuid TEXT NOT NULL,
    dataset_uuid TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (run_uuid, dataset_uuid, key),
    FOREIGN KEY (run_uuid, dataset_uuid) REFERENCES run_inputs ON DELETE CASCADE
  ) WITHOUT ROWID;
  `,
  // Searches sorted by a metric walk this index in value order within the non-NaN (then NaN) runs
  // and stop once a page is full, instead of sorting every candidate run (see RunSearch).
  `
  DROP INDEX latest_metrics_key_value;
  CREATE INDEX latest_metrics_key_nan_value ON latest_metrics (key, is_nan, value);
  `,
  // Step-block summaries of metric history (metric-blocks.ts): a chart's min/max sample reads a few
  // blocks per bucket instead of every point. Existing history is summarized once, here, by the same
  // code that maintains the blocks (about 2 s of CPU per million points), so a later step that
  // reshapes metric_blocks must keep this one working on the table as created here.
  (db) => {
    db.exec(`
    CREATE TABLE metric_blocks (
      run_uuid TEXT NOT NULL REFERENCES runs ON DELETE CASCADE,
      key TEXT NOT NULL,
      level INTEGER NOT NULL,
      block INTEGER NOT NULL,
      min_step INTEGER NOT NULL,
      min_timestamp INTEGER NOT NULL,
      min_value REAL NOT NULL,
      max_step INTEGER NOT NULL,
      max_timestamp INTEGER NOT NULL,
      max_value REAL NOT NULL,
      PRIMARY KEY (run_uuid, key, level, block)
    ) WITHOUT ROWID;
    `);
    backfillBlocks(db);
  },
];
