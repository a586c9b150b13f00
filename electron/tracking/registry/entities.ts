/**
 * Rows to MLflow entities: a version with its tags and aliases, a model with its tags, aliases
 * and latest version per stage. Absent optional columns stay absent, as proto JSON omits them.
 */
import type { ModelVersion, ModelVersionStatus, RegisteredModel, Stage } from "../types.ts";
import type { ModelRow, VersionRow } from "./schema.ts";
import { all, type Work } from "../sql/index.ts";
import { STAGES, STAGE_DELETED_INTERNAL } from "./validation.ts";

/** The newest READY live version of each stage of model `name`, in stage order. */
export function* latestRows(name: string): Work<VersionRow[]> {
  const rows = yield* all<VersionRow>(
    `SELECT * FROM model_versions v WHERE v.name = ? AND v.status = 'READY' AND v.current_stage != ? AND v.version = (
       SELECT MAX(w.version) FROM model_versions w WHERE w.name = v.name AND w.current_stage = v.current_stage AND w.status = 'READY')`,
    name, STAGE_DELETED_INTERNAL,
  );
  return rows.sort((a, b) => STAGES.indexOf(a.current_stage as Stage) - STAGES.indexOf(b.current_stage as Stage));
}

/** A version row as a `ModelVersion`, with its tags and the aliases pointing at it. */
export function* toVersion(row: VersionRow): Work<ModelVersion> {
  const tags = yield* all<{ key: string; value: string }>(
    "SELECT key, value FROM model_version_tags WHERE name = ? AND version = ? ORDER BY key",
    row.name, row.version,
  );
  const aliases = (
    yield* all<{ alias: string }>("SELECT alias FROM registered_model_aliases WHERE name = ? AND version = ? ORDER BY alias", row.name, row.version)
  ).map((a) => a.alias);
  const version: ModelVersion = {
    name: row.name,
    version: String(row.version),
    creation_timestamp: row.creation_time,
    last_updated_timestamp: row.last_updated_time,
    current_stage: row.current_stage as Stage,
    source: row.source,
    status: row.status as ModelVersionStatus,
    tags,
    aliases,
  };
  if (row.user_id !== null) version.user_id = row.user_id;
  if (row.description !== null) version.description = row.description;
  if (row.run_id !== null) version.run_id = row.run_id;
  if (row.run_link !== null) version.run_link = row.run_link;
  if (row.status_message !== null) version.status_message = row.status_message;
  return version;
}

/** A model row as a `RegisteredModel`, with tags, aliases and latest versions. */
export function* toModel(row: ModelRow): Work<RegisteredModel> {
  const latest: ModelVersion[] = [];
  for (const r of yield* latestRows(row.name)) latest.push(yield* toVersion(r));
  const aliases = yield* all<{ alias: string; version: number }>(
    "SELECT alias, version FROM registered_model_aliases WHERE name = ? ORDER BY alias",
    row.name,
  );
  const model: RegisteredModel = {
    name: row.name,
    creation_timestamp: row.creation_time,
    last_updated_timestamp: row.last_updated_time,
    latest_versions: latest,
    tags: yield* all<{ key: string; value: string }>("SELECT key, value FROM registered_model_tags WHERE name = ? ORDER BY key", row.name),
    aliases: aliases.map((a) => ({ alias: a.alias, version: String(a.version) })),
  };
  if (row.description !== null) model.description = row.description;
  return model;
}
