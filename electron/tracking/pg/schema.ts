/**
 * The tracking and registry tables on PostgreSQL, as versioned migration steps (`migrate.ts`). They
 * hold what SQLite's `store/schema.ts` and `registry/schema.ts` hold, in PostgreSQL's types: BIGINT
 * for ids, times and steps, DOUBLE PRECISION for values, and text in the "C" collation so equality,
 * LIKE and ORDER BY compare bytes exactly as SQLite does. `metric_blocks` holds the same block
 * summaries as SQLite's (kept by the points' insert, see `metrics.ts`). `metrics.seq` numbers points
 * in insertion order so a change notice can name a batch's points by a range instead of carrying them.
 */
import { SUMMARIZE_STORED } from "./metrics.ts";

/** Append-only: each entry is one migration step; never edit a step that has shipped. */
export const PG_TRACKING_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE experiments (
    experiment_id BIGINT PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL UNIQUE,
    artifact_location TEXT COLLATE "C" NOT NULL,
    lifecycle_stage TEXT COLLATE "C" NOT NULL,
    creation_time BIGINT NOT NULL,
    last_update_time BIGINT NOT NULL
  );
  CREATE TABLE experiment_tags (
    experiment_id BIGINT NOT NULL REFERENCES experiments ON DELETE CASCADE,
    key TEXT COLLATE "C" NOT NULL,
    value TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (experiment_id, key)
  );
  CREATE TABLE runs (
    run_uuid TEXT COLLATE "C" PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    experiment_id BIGINT NOT NULL REFERENCES experiments ON DELETE CASCADE,
    user_id TEXT COLLATE "C" NOT NULL,
    status TEXT COLLATE "C" NOT NULL,
    start_time BIGINT NOT NULL,
    end_time BIGINT,
    artifact_uri TEXT COLLATE "C" NOT NULL,
    lifecycle_stage TEXT COLLATE "C" NOT NULL,
    deleted_time BIGINT
  );
  CREATE INDEX runs_experiment_start ON runs (experiment_id, start_time DESC, run_uuid);
  CREATE TABLE params (
    run_uuid TEXT COLLATE "C" NOT NULL REFERENCES runs ON DELETE CASCADE,
    key TEXT COLLATE "C" NOT NULL,
    value TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (run_uuid, key)
  );
  CREATE INDEX params_key_value ON params (key, value);
  CREATE TABLE tags (
    run_uuid TEXT COLLATE "C" NOT NULL REFERENCES runs ON DELETE CASCADE,
    key TEXT COLLATE "C" NOT NULL,
    value TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (run_uuid, key)
  );
  CREATE INDEX tags_key_value ON tags (key, value);
  CREATE TABLE metrics (
    run_uuid TEXT COLLATE "C" NOT NULL REFERENCES runs ON DELETE CASCADE,
    key TEXT COLLATE "C" NOT NULL,
    step BIGINT NOT NULL,
    timestamp BIGINT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    is_nan INTEGER NOT NULL,
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (run_uuid, key, step, timestamp, value, is_nan)
  );
  CREATE INDEX metrics_run_seq ON metrics (run_uuid, seq);
  CREATE TABLE latest_metrics (
    run_uuid TEXT COLLATE "C" NOT NULL REFERENCES runs ON DELETE CASCADE,
    key TEXT COLLATE "C" NOT NULL,
    step BIGINT NOT NULL,
    timestamp BIGINT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    is_nan INTEGER NOT NULL,
    PRIMARY KEY (run_uuid, key)
  );
  CREATE INDEX latest_metrics_key_nan_value ON latest_metrics (key, is_nan, value);
  CREATE TABLE datasets (
    dataset_uuid TEXT COLLATE "C" PRIMARY KEY,
    experiment_id BIGINT NOT NULL REFERENCES experiments ON DELETE CASCADE,
    name TEXT COLLATE "C" NOT NULL,
    digest TEXT COLLATE "C" NOT NULL,
    source_type TEXT COLLATE "C" NOT NULL,
    source TEXT COLLATE "C" NOT NULL,
    schema TEXT COLLATE "C",
    profile TEXT COLLATE "C",
    UNIQUE (experiment_id, name, digest)
  );
  CREATE TABLE run_inputs (
    run_uuid TEXT COLLATE "C" NOT NULL REFERENCES runs ON DELETE CASCADE,
    dataset_uuid TEXT COLLATE "C" NOT NULL REFERENCES datasets ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (run_uuid, dataset_uuid)
  );
  CREATE TABLE input_tags (
    run_uuid TEXT COLLATE "C" NOT NULL,
    dataset_uuid TEXT COLLATE "C" NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    value TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (run_uuid, dataset_uuid, key),
    FOREIGN KEY (run_uuid, dataset_uuid) REFERENCES run_inputs ON DELETE CASCADE
  );
  `,
  // Block summaries of metric history for a chart's sample, built from every stored point. This
  // step uses the current `SUMMARIZE_STORED`; a later change to it that reshapes metric_blocks must
  // keep this one working on the table as created here.
  `
  CREATE TABLE metric_blocks (
    run_uuid TEXT COLLATE "C" NOT NULL REFERENCES runs ON DELETE CASCADE,
    key TEXT COLLATE "C" NOT NULL,
    level INTEGER NOT NULL,
    block BIGINT NOT NULL,
    min_step BIGINT NOT NULL,
    min_timestamp BIGINT NOT NULL,
    min_value DOUBLE PRECISION NOT NULL,
    max_step BIGINT NOT NULL,
    max_timestamp BIGINT NOT NULL,
    max_value DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (run_uuid, key, level, block)
  );
  ${SUMMARIZE_STORED};
  `,
];

/** The registry's tables (see `registry/schema.ts` for why there are no foreign keys). */
export const PG_REGISTRY_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE registered_models (
    name TEXT COLLATE "C" PRIMARY KEY,
    creation_time BIGINT NOT NULL,
    last_updated_time BIGINT NOT NULL,
    description TEXT COLLATE "C"
  );
  CREATE TABLE model_versions (
    name TEXT COLLATE "C" NOT NULL,
    version BIGINT NOT NULL,
    creation_time BIGINT NOT NULL,
    last_updated_time BIGINT NOT NULL,
    description TEXT COLLATE "C",
    user_id TEXT COLLATE "C",
    current_stage TEXT COLLATE "C" NOT NULL,
    source TEXT COLLATE "C" NOT NULL,
    storage_location TEXT COLLATE "C",
    run_id TEXT COLLATE "C",
    run_link TEXT COLLATE "C",
    status TEXT COLLATE "C" NOT NULL,
    status_message TEXT COLLATE "C",
    PRIMARY KEY (name, version)
  );
  CREATE INDEX model_versions_run_id ON model_versions (run_id);
  CREATE TABLE registered_model_tags (
    name TEXT COLLATE "C" NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    value TEXT COLLATE "C",
    PRIMARY KEY (name, key)
  );
  CREATE TABLE model_version_tags (
    name TEXT COLLATE "C" NOT NULL,
    version BIGINT NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    value TEXT COLLATE "C",
    PRIMARY KEY (name, version, key)
  );
  CREATE TABLE registered_model_aliases (
    name TEXT COLLATE "C" NOT NULL,
    alias TEXT COLLATE "C" NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (name, alias)
  );
  `,
];
