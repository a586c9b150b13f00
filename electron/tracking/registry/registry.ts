/**
 * The MLflow model registry: registered models, versions, stages, aliases and tags, following
 * MLflow's `SqlAlchemyStore` (model_registry) in behaviour and messages, written once for both
 * engines as query generators (`sql/query.ts`). The tracking store runs each write in one
 * transaction and publishes the `registry` changes recorded here after commit.
 */
import type { StoreChange } from "../contract.ts";
import {
  SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT,
  SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD,
  SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
  SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD,
} from "../limits.ts";
import { checkMaxResults, decodePageToken, encodePageToken, parseFilter, parseOrderBy } from "../search/index.ts";
import { all, get, run, type SqlDialect, type Work } from "../sql/index.ts";
import { MlflowError } from "../types.ts";
import type {
  CreateModelVersionRequest,
  ModelVersion,
  Page,
  RegisteredModel,
  RegisteredModelTag,
  SearchRegistryRequest,
  Stage,
} from "../types.ts";
import { latestRows, toModel, toVersion } from "./entities.ts";
import type { ModelRow, VersionRow } from "./schema.ts";
import { modelConditions, modelOrder, versionConditions, versionOrder } from "./search-sql.ts";
import {
  STAGES,
  STAGE_DELETED_INTERNAL,
  canonicalStage,
  checkAliasName,
  checkModelName,
  checkSettableAlias,
  checkTag,
  checkTagKey,
  checkVersion,
} from "./validation.ts";

const NOT_DELETED = `current_stage != '${STAGE_DELETED_INTERNAL}'`;
const UPSERT_MODEL_TAG =
  "INSERT INTO registered_model_tags (name, key, value) VALUES (?, ?, ?) ON CONFLICT (name, key) DO UPDATE SET value = excluded.value";
const UPSERT_VERSION_TAG =
  "INSERT INTO model_version_tags (name, version, key, value) VALUES (?, ?, ?, ?) " +
  "ON CONFLICT (name, version, key) DO UPDATE SET value = excluded.value";
const UPSERT_ALIAS =
  "INSERT INTO registered_model_aliases (name, alias, version) VALUES (?, ?, ?) ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version";

/** Records a registry change per distinct model name. */
function changed(changes: StoreChange[], ...names: string[]): void {
  for (const name of new Set(names)) changes.push({ type: "registry", name });
}

/** Checks a create-model-version request before its source is resolved. */
export function checkNewVersion(req: CreateModelVersionRequest): void {
  checkModelName(req.name);
  if (typeof req.source !== "string" || req.source === "") {
    throw new MlflowError("INVALID_PARAMETER_VALUE", "Missing value for required parameter 'source'.");
  }
  for (const tag of req.tags ?? []) checkTag("Model version", tag.key, tag.value);
}

/** The registry methods of `TrackingStore`, over the tables of `REGISTRY_MIGRATIONS`. */
export class Registry {
  constructor(private readonly d: SqlDialect) {}

  // ─── registered models ──────────────────────────────────────────────────────────────────────

  /** Creates a model; a taken name is RESOURCE_ALREADY_EXISTS. */
  *createRegisteredModel(name: string, tags: RegisteredModelTag[], description: string | undefined, changes: StoreChange[]): Work<RegisteredModel> {
    checkModelName(name);
    for (const tag of tags) checkTag("Registered model", tag.key, tag.value);
    changed(changes, name);
    if (yield* this.findModel(name)) throw exists(name);
    const now = Date.now();
    yield* run(
      "INSERT INTO registered_models (name, creation_time, last_updated_time, description) VALUES (?, ?, ?, ?)",
      name, now, now, description ?? null,
    );
    for (const tag of tags) {
      yield* run(UPSERT_MODEL_TAG, name, tag.key, tag.value ?? "");
    }
    return yield* toModel(yield* this.modelRow(name));
  }

  /** Renames a model, carrying its versions, tags and aliases; both names are notified. */
  *renameRegisteredModel(name: string, newName: string, changes: StoreChange[]): Work<RegisteredModel> {
    checkModelName(newName, "new_name");
    changed(changes, name, newName);
    yield* this.modelRow(name);
    if (newName !== name && (yield* this.findModel(newName))) throw exists(newName);
    const now = Date.now();
    yield* run("UPDATE registered_models SET name = ?, last_updated_time = ? WHERE name = ?", newName, now, name);
    yield* run("UPDATE model_versions SET name = ?, last_updated_time = ? WHERE name = ?", newName, now, name);
    for (const table of ["registered_model_tags", "model_version_tags", "registered_model_aliases"]) {
      yield* run(`UPDATE ${table} SET name = ? WHERE name = ?`, newName, name);
    }
    return yield* toModel(yield* this.modelRow(newName));
  }

  /** Sets a model's description. */
  *updateRegisteredModel(name: string, description: string, changes: StoreChange[]): Work<RegisteredModel> {
    changed(changes, name);
    yield* this.modelRow(name);
    yield* run("UPDATE registered_models SET description = ?, last_updated_time = ? WHERE name = ?", description, Date.now(), name);
    return yield* toModel(yield* this.modelRow(name));
  }

  /** Deletes a model with all its versions, tags and aliases. */
  *deleteRegisteredModel(name: string, changes: StoreChange[]): Work<void> {
    changed(changes, name);
    yield* this.modelRow(name);
    for (const table of ["registered_models", "model_versions", "registered_model_tags", "model_version_tags", "registered_model_aliases"]) {
      yield* run(`DELETE FROM ${table} WHERE name = ?`, name);
    }
  }

  /** One model; unknown is RESOURCE_DOES_NOT_EXIST. */
  *getRegisteredModel(name: string): Work<RegisteredModel> {
    return yield* toModel(yield* this.modelRow(name));
  }

  /** Models matching `filter` (name, tags), ordered by name/timestamps, in pages of MLflow's default and largest size. */
  *searchRegisteredModels(req: SearchRegistryRequest): Work<Page<RegisteredModel>> {
    const max = req.max_results ?? SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT;
    checkMaxResults(max, SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD);
    const where = modelConditions(this.d, parseFilter("registered_models", req.filter));
    const order = modelOrder(parseOrderBy("registered_models", req.order_by));
    const offset = decodePageToken(req.page_token);
    const rows = yield* all<ModelRow>(
      `SELECT m.* FROM registered_models m WHERE ${where.sql} ORDER BY ${order} LIMIT ? OFFSET ?`,
      ...where.params, max + 1, offset,
    );
    const items: RegisteredModel[] = [];
    for (const r of rows.slice(0, max)) items.push(yield* toModel(r));
    return page(items, rows.length > max, offset + max);
  }

  /** The latest READY version in each requested stage (every stage when absent). */
  *getLatestVersions(name: string, stages?: string[]): Work<ModelVersion[]> {
    yield* this.modelRow(name);
    const wanted = new Set(stages?.length ? stages.map(canonicalStage) : STAGES);
    const versions: ModelVersion[] = [];
    for (const r of yield* latestRows(name)) if (wanted.has(r.current_stage as Stage)) versions.push(yield* toVersion(r));
    return versions;
  }

  /** Sets (or overwrites) a model tag. */
  *setRegisteredModelTag(name: string, key: string, value: string, changes: StoreChange[]): Work<void> {
    checkModelName(name);
    checkTag("Registered model", key, value);
    changed(changes, name);
    yield* this.modelRow(name);
    yield* run(UPSERT_MODEL_TAG, name, key, value ?? "");
  }

  /** Removes a model tag; an absent key is not an error, as in MLflow. */
  *deleteRegisteredModelTag(name: string, key: string, changes: StoreChange[]): Work<void> {
    checkModelName(name);
    checkTagKey(key);
    changed(changes, name);
    yield* this.modelRow(name);
    yield* run("DELETE FROM registered_model_tags WHERE name = ? AND key = ?", name, key);
  }

  // ─── aliases ────────────────────────────────────────────────────────────────────────────────

  /** Points `alias` at a version, moving it if it pointed elsewhere. */
  *setRegisteredModelAlias(name: string, alias: string, version: string, changes: StoreChange[]): Work<void> {
    checkModelName(name);
    checkSettableAlias(alias);
    changed(changes, name);
    const row = yield* this.versionRow(name, version);
    yield* run(UPSERT_ALIAS, name, alias, row.version);
  }

  /** Removes an alias; an absent alias is not an error, as in MLflow. */
  *deleteRegisteredModelAlias(name: string, alias: string, changes: StoreChange[]): Work<void> {
    checkModelName(name);
    checkAliasName(alias);
    changed(changes, name);
    yield* this.modelRow(name);
    yield* run("DELETE FROM registered_model_aliases WHERE name = ? AND alias = ?", name, alias);
  }

  /** The version an alias points at; `latest` means the highest live version. Unknown aliases are 400s, as in MLflow. */
  *getModelVersionByAlias(name: string, alias: string): Work<ModelVersion> {
    checkModelName(name);
    checkAliasName(alias);
    if (alias.toLowerCase() === "latest") {
      yield* this.modelRow(name);
      const newest = (yield* latestRows(name)).reduce<VersionRow | undefined>(
        (best, r) => (!best || r.version > best.version ? r : best),
        undefined,
      );
      if (!newest) throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `Latest version not found for model ${name}.`);
      return yield* toVersion(newest);
    }
    const hit = yield* get<{ version: number }>("SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?", name, alias);
    if (!hit) throw new MlflowError("INVALID_PARAMETER_VALUE", `Registered model alias ${alias} not found.`);
    return yield* toVersion(yield* this.versionRow(name, String(hit.version)));
  }

  // ─── versions ───────────────────────────────────────────────────────────────────────────────

  /**
   * Registers a new READY version numbered one past the highest ever used (checked first with
   * `checkNewVersion`). `storage` is where its files are: a `models:/` source resolved by the store.
   */
  *createModelVersion(req: CreateModelVersionRequest, storage: string, changes: StoreChange[]): Work<ModelVersion> {
    const { name, source } = req;
    const tags = req.tags ?? [];
    // Source and run id are stored as given, as MLflow's stores do: a run may live in another store.
    const runId = req.run_id || null;
    changed(changes, name);
    yield* this.modelRow(name);
    const now = Date.now();
    const { next } = (yield* get<{ next: number }>("SELECT COALESCE(MAX(version), 0) + 1 AS next FROM model_versions WHERE name = ?", name))!;
    yield* run(
      `INSERT INTO model_versions (name, version, creation_time, last_updated_time, description, current_stage, source,
         storage_location, run_id, run_link, status) VALUES (?, ?, ?, ?, ?, 'None', ?, ?, ?, ?, 'READY')`,
      name, next, now, now, req.description ?? null, source, storage, runId, req.run_link || null,
    );
    yield* run("UPDATE registered_models SET last_updated_time = ? WHERE name = ?", now, name);
    for (const tag of tags) {
      yield* run(
        UPSERT_VERSION_TAG,
        name, next, tag.key, tag.value ?? "",
      );
    }
    return yield* toVersion(yield* this.versionRow(name, String(next)));
  }

  /** Sets a version's description. */
  *updateModelVersion(name: string, version: string, description: string, changes: StoreChange[]): Work<ModelVersion> {
    changed(changes, name);
    const row = yield* this.versionRow(name, version);
    yield* run(
      "UPDATE model_versions SET description = ?, last_updated_time = ? WHERE name = ? AND version = ?",
      description, Date.now(), name, row.version,
    );
    return yield* toVersion(yield* this.versionRow(name, version));
  }

  /**
   * Moves a version to a stage (any case in, canonical out). With `archiveExistingVersions`, which
   * only Staging and Production allow, the stage's other versions move to Archived.
   */
  *transitionModelVersionStage(name: string, version: string, stage: string, archiveExistingVersions: boolean, changes: StoreChange[]): Work<ModelVersion> {
    const target = canonicalStage(stage);
    if (archiveExistingVersions && target !== "Staging" && target !== "Production") {
      throw new MlflowError(
        "INVALID_PARAMETER_VALUE",
        `Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. Valid stages are ['Staging', 'Production']`,
      );
    }
    changed(changes, name);
    const row = yield* this.versionRow(name, version);
    const now = Date.now();
    if (archiveExistingVersions) {
      yield* run(
        "UPDATE model_versions SET current_stage = 'Archived', last_updated_time = ? WHERE name = ? AND version != ? AND current_stage = ?",
        now, name, row.version, target,
      );
    }
    yield* run(
      "UPDATE model_versions SET current_stage = ?, last_updated_time = ? WHERE name = ? AND version = ?",
      target, now, name, row.version,
    );
    yield* run("UPDATE registered_models SET last_updated_time = ? WHERE name = ?", now, name);
    return yield* toVersion(yield* this.versionRow(name, version));
  }

  /**
   * Deletes a version: its aliases and tags go, and the row stays redacted as `Deleted_Internal`
   * so its number is never handed out again; every read treats it as absent.
   */
  *deleteModelVersion(name: string, version: string, changes: StoreChange[]): Work<void> {
    changed(changes, name);
    const row = yield* this.versionRow(name, version);
    const now = Date.now();
    yield* run("DELETE FROM registered_model_aliases WHERE name = ? AND version = ?", name, row.version);
    yield* run("DELETE FROM model_version_tags WHERE name = ? AND version = ?", name, row.version);
    yield* run(
      `UPDATE model_versions SET current_stage = ?, last_updated_time = ?, description = NULL, user_id = NULL,
         source = 'REDACTED-SOURCE-PATH', storage_location = NULL, run_id = 'REDACTED-RUN-ID',
         run_link = 'REDACTED-RUN-LINK', status_message = NULL WHERE name = ? AND version = ?`,
      STAGE_DELETED_INTERNAL, now, name, row.version,
    );
    yield* run("UPDATE registered_models SET last_updated_time = ? WHERE name = ?", now, name);
  }

  /** One version; unknown or deleted is RESOURCE_DOES_NOT_EXIST. */
  *getModelVersion(name: string, version: string): Work<ModelVersion> {
    return yield* toVersion(yield* this.versionRow(name, version));
  }

  /** Versions matching `filter` (name, run_id, source_path, version_number, tags), in pages of MLflow's default and largest size. */
  *searchModelVersions(req: SearchRegistryRequest): Work<Page<ModelVersion>> {
    const max = req.max_results ?? SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT;
    checkMaxResults(max, SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD);
    const where = versionConditions(this.d, parseFilter("model_versions", req.filter));
    const order = versionOrder(parseOrderBy("model_versions", req.order_by));
    const offset = decodePageToken(req.page_token);
    const rows = yield* all<VersionRow>(
      `SELECT v.* FROM model_versions v WHERE v.${NOT_DELETED} AND ${where.sql} ORDER BY ${order} LIMIT ? OFFSET ?`,
      ...where.params, max + 1, offset,
    );
    const items: ModelVersion[] = [];
    for (const r of rows.slice(0, max)) items.push(yield* toVersion(r));
    return page(items, rows.length > max, offset + max);
  }

  /** Where the version's files are: the resolved storage location, else its source. */
  *getModelVersionDownloadUri(name: string, version: string): Work<string> {
    const row = yield* this.versionRow(name, version);
    return row.storage_location ?? row.source;
  }

  /** Sets (or overwrites) a version tag. */
  *setModelVersionTag(name: string, version: string, key: string, value: string, changes: StoreChange[]): Work<void> {
    checkModelName(name);
    checkVersion(version);
    checkTag("Model version", key, value);
    changed(changes, name);
    const row = yield* this.versionRow(name, version);
    yield* run(UPSERT_VERSION_TAG, name, row.version, key, value ?? "");
  }

  /** Removes a version tag; an absent key is not an error, as in MLflow. */
  *deleteModelVersionTag(name: string, version: string, key: string, changes: StoreChange[]): Work<void> {
    checkModelName(name);
    checkVersion(version);
    checkTagKey(key);
    changed(changes, name);
    const row = yield* this.versionRow(name, version);
    yield* run("DELETE FROM model_version_tags WHERE name = ? AND version = ? AND key = ?", name, row.version, key);
  }

  // ─── internals ──────────────────────────────────────────────────────────────────────────────

  private *findModel(name: string): Work<ModelRow | undefined> {
    return yield* get<ModelRow>("SELECT * FROM registered_models WHERE name = ?", name);
  }

  private *modelRow(name: string): Work<ModelRow> {
    checkModelName(name);
    const row = yield* this.findModel(name);
    if (!row) throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `Registered Model with name=${name} not found`);
    return row;
  }

  private *versionRow(name: string, version: string): Work<VersionRow> {
    checkModelName(name);
    const number = checkVersion(version);
    const row = yield* get<VersionRow>(`SELECT * FROM model_versions WHERE name = ? AND version = ? AND ${NOT_DELETED}`, name, number);
    if (!row) throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `Model Version (name=${name}, version=${version}) not found`);
    return row;
  }
}

function exists(name: string): MlflowError {
  return new MlflowError("RESOURCE_ALREADY_EXISTS", `Registered Model (name=${name}) already exists.`);
}

function page<T>(items: T[], more: boolean, nextOffset: number): Page<T> {
  return more ? { items, next_page_token: encodePageToken(nextOffset) } : { items };
}
