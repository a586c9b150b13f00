/**
 * The registry's tables, as migration steps for `migrate(db, "registry", …)` (`tracking/sql/`).
 *
 * Table and column names follow MLflow's SQL store so a reader of either schema finds the same
 * things. No foreign keys: the store owns the connection's `foreign_keys` pragma, so renames and
 * deletes maintain the child tables explicitly inside one transaction instead of relying on it.
 * Deleted versions stay as redacted `Deleted_Internal` rows, which keeps version numbers from
 * being reused (the next version is always max + 1 over every row).
 */

/** Append-only: each entry is one migration step; never edit a step that has shipped. */
export const REGISTRY_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE registered_models (
    name TEXT PRIMARY KEY NOT NULL,
    creation_time INTEGER NOT NULL,
    last_updated_time INTEGER NOT NULL,
    description TEXT
  );
  CREATE TABLE model_versions (
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    creation_time INTEGER NOT NULL,
    last_updated_time INTEGER NOT NULL,
    description TEXT,
    user_id TEXT,
    current_stage TEXT NOT NULL,
    source TEXT NOT NULL,
    storage_location TEXT,
    run_id TEXT,
    run_link TEXT,
    status TEXT NOT NULL,
    status_message TEXT,
    PRIMARY KEY (name, version)
  );
  CREATE INDEX model_versions_run_id ON model_versions (run_id);
  CREATE TABLE registered_model_tags (
    name TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT,
    PRIMARY KEY (name, key)
  );
  CREATE TABLE model_version_tags (
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT,
    PRIMARY KEY (name, version, key)
  );
  CREATE TABLE registered_model_aliases (
    name TEXT NOT NULL,
    alias TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (name, alias)
  );
  `,
];

/** A `registered_models` row. */
export interface ModelRow {
  name: string;
  creation_time: number;
  last_updated_time: number;
  description: string | null;
}

/** A `model_versions` row. */
export interface VersionRow {
  name: string;
  version: number;
  creation_time: number;
  last_updated_time: number;
  description: string | null;
  user_id: string | null;
  current_stage: string;
  source: string;
  storage_location: string | null;
  run_id: string | null;
  run_link: string | null;
  status: string;
  status_message: string | null;
}
