/**
 * The MLflow model registry on SQLite: registered models, versions, stages, aliases and tags,
 * following MLflow's `SqlAlchemyStore` (model_registry) in behaviour and messages. The tracking
 * store constructs it on its own connection and delegates the registry half of `TrackingStore`.
 */
import type Database from "better-sqlite3";
import type { StoreChange } from "../contract.ts";
import {
  SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT,
  SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD,
  SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT,
  SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD,
} from "../limits.ts";
import { checkMaxResults, decodePageToken, encodePageToken, parseFilter, parseOrderBy } from "../search/index.ts";
import { migrate } from "../sql/index.ts";
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
import { REGISTRY_MIGRATIONS, type ModelRow, type VersionRow } from "./schema.ts";
import { modelConditions, modelOrder, versionConditions, versionOrder } from "./search-sql.ts";
import { Statements } from "./statements.ts";
import { resolveModelVersion } from "../model-uris.ts";
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

/** The registry methods of `TrackingStore`, on SQLite tables it migrates itself. */
export class SqliteRegistry {
  private readonly sql: Statements;

  /**
   * Creates or upgrades the registry tables on `db`. `notify` hears of every committed write.
   */
  constructor(
    private readonly db: Database.Database,
    private readonly notify: (change: StoreChange) => void,
  ) {
    migrate(db, "registry", REGISTRY_MIGRATIONS);
    this.sql = new Statements(db);
  }

  // ─── registered models ──────────────────────────────────────────────────────────────────────

  /** Creates a model; a taken name is RESOURCE_ALREADY_EXISTS. */
  async createRegisteredModel(name: string, tags: RegisteredModelTag[] = [], description?: string): Promise<RegisteredModel> {
    checkModelName(name);
    for (const tag of tags) checkTag("Registered model", tag.key, tag.value);
    return this.write([name], () => {
      if (this.findModel(name)) throw exists(name);
      const now = Date.now();
      this.sql.run(
        "INSERT INTO registered_models (name, creation_time, last_updated_time, description) VALUES (?, ?, ?, ?)",
        name, now, now, description ?? null,
      );
      for (const tag of tags) {
        this.sql.run("INSERT OR REPLACE INTO registered_model_tags (name, key, value) VALUES (?, ?, ?)", name, tag.key, tag.value ?? "");
      }
      return toModel(this.sql, this.modelRow(name));
    });
  }

  /** Renames a model, carrying its versions, tags and aliases; both names are notified. */
  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    checkModelName(newName, "new_name");
    return this.write([name, newName], () => {
      this.modelRow(name);
      if (newName !== name && this.findModel(newName)) throw exists(newName);
      const now = Date.now();
      this.sql.run("UPDATE registered_models SET name = ?, last_updated_time = ? WHERE name = ?", newName, now, name);
      this.sql.run("UPDATE model_versions SET name = ?, last_updated_time = ? WHERE name = ?", newName, now, name);
      for (const table of ["registered_model_tags", "model_version_tags", "registered_model_aliases"]) {
        this.sql.run(`UPDATE ${table} SET name = ? WHERE name = ?`, newName, name);
      }
      return toModel(this.sql, this.modelRow(newName));
    });
  }

  /** Sets a model's description. */
  async updateRegisteredModel(name: string, description: string): Promise<RegisteredModel> {
    return this.write([name], () => {
      this.modelRow(name);
      this.sql.run("UPDATE registered_models SET description = ?, last_updated_time = ? WHERE name = ?", description, Date.now(), name);
      return toModel(this.sql, this.modelRow(name));
    });
  }

  /** Deletes a model with all its versions, tags and aliases. */
  async deleteRegisteredModel(name: string): Promise<void> {
    this.write([name], () => {
      this.modelRow(name);
      for (const table of ["registered_models", "model_versions", "registered_model_tags", "model_version_tags", "registered_model_aliases"]) {
        this.sql.run(`DELETE FROM ${table} WHERE name = ?`, name);
      }
    });
  }

  /** One model; unknown is RESOURCE_DOES_NOT_EXIST. */
  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    return toModel(this.sql, this.modelRow(name));
  }

  /** Models matching `filter` (name, tags), ordered by name/timestamps, in pages of MLflow's default and largest size. */
  async searchRegisteredModels(req: SearchRegistryRequest): Promise<Page<RegisteredModel>> {
    const max = req.max_results ?? SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT;
    checkMaxResults(max, SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD);
    const where = modelConditions(parseFilter("registered_models", req.filter));
    const order = modelOrder(parseOrderBy("registered_models", req.order_by));
    const offset = decodePageToken(req.page_token);
    const rows = this.sql.all<ModelRow>(
      `SELECT m.* FROM registered_models m WHERE ${where.sql} ORDER BY ${order} LIMIT ? OFFSET ?`,
      ...where.params, max + 1, offset,
    );
    return page(rows.slice(0, max).map((r) => toModel(this.sql, r)), rows.length > max, offset + max);
  }

  /** The latest READY version in each requested stage (every stage when absent). */
  async getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]> {
    this.modelRow(name);
    const wanted = new Set(stages?.length ? stages.map(canonicalStage) : STAGES);
    return latestRows(this.sql, name).filter((r) => wanted.has(r.current_stage as Stage)).map((r) => toVersion(this.sql, r));
  }

  /** Sets (or overwrites) a model tag. */
  async setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
    checkModelName(name);
    checkTag("Registered model", key, value);
    this.write([name], () => {
      this.modelRow(name);
      this.sql.run("INSERT OR REPLACE INTO registered_model_tags (name, key, value) VALUES (?, ?, ?)", name, key, value ?? "");
    });
  }

  /** Removes a model tag; an absent key is not an error, as in MLflow. */
  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    checkModelName(name);
    checkTagKey(key);
    this.write([name], () => {
      this.modelRow(name);
      this.sql.run("DELETE FROM registered_model_tags WHERE name = ? AND key = ?", name, key);
    });
  }

  // ─── aliases ────────────────────────────────────────────────────────────────────────────────

  /** Points `alias` at a version, moving it if it pointed elsewhere. */
  async setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void> {
    checkModelName(name);
    checkSettableAlias(alias);
    this.write([name], () => {
      const row = this.versionRow(name, version);
      this.sql.run("INSERT OR REPLACE INTO registered_model_aliases (name, alias, version) VALUES (?, ?, ?)", name, alias, row.version);
    });
  }

  /** Removes an alias; an absent alias is not an error, as in MLflow. */
  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    checkModelName(name);
    checkAliasName(alias);
    this.write([name], () => {
      this.modelRow(name);
      this.sql.run("DELETE FROM registered_model_aliases WHERE name = ? AND alias = ?", name, alias);
    });
  }

  /** The version an alias points at; `latest` means the highest live version. Unknown aliases are 400s, as in MLflow. */
  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    checkModelName(name);
    checkAliasName(alias);
    if (alias.toLowerCase() === "latest") {
      this.modelRow(name);
      const newest = latestRows(this.sql, name).reduce<VersionRow | undefined>(
        (best, r) => (!best || r.version > best.version ? r : best),
        undefined,
      );
      if (!newest) throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `Latest version not found for model ${name}.`);
      return toVersion(this.sql, newest);
    }
    const hit = this.sql.get<{ version: number }>("SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?", name, alias);
    if (!hit) throw new MlflowError("INVALID_PARAMETER_VALUE", `Registered model alias ${alias} not found.`);
    return toVersion(this.sql, this.versionRow(name, String(hit.version)));
  }

  // ─── versions ───────────────────────────────────────────────────────────────────────────────

  /**
   * Registers a new READY version numbered one past the highest ever used. A `models:/` source is
   * resolved to that version's storage location, which `getModelVersionDownloadUri` then returns.
   */
  async createModelVersion(req: CreateModelVersionRequest): Promise<ModelVersion> {
    const { name, source } = req;
    checkModelName(name);
    if (typeof source !== "string" || source === "") {
      throw new MlflowError("INVALID_PARAMETER_VALUE", "Missing value for required parameter 'source'.");
    }
    const tags = req.tags ?? [];
    for (const tag of tags) checkTag("Model version", tag.key, tag.value);
    // Source and run id are stored as given, as MLflow's stores do: a run may live in another store.
    const runId = req.run_id || null;
    const storage = /^models:/i.test(source) ? await this.storageOf(source) : source;
    return this.write([name], () => {
      this.modelRow(name);
      const now = Date.now();
      const { next } = this.sql.get<{ next: number }>("SELECT COALESCE(MAX(version), 0) + 1 AS next FROM model_versions WHERE name = ?", name)!;
      this.sql.run(
        `INSERT INTO model_versions (name, version, creation_time, last_updated_time, description, current_stage, source,
           storage_location, run_id, run_link, status) VALUES (?, ?, ?, ?, ?, 'None', ?, ?, ?, ?, 'READY')`,
        name, next, now, now, req.description ?? null, source, storage, runId, req.run_link || null,
      );
      this.sql.run("UPDATE registered_models SET last_updated_time = ? WHERE name = ?", now, name);
      for (const tag of tags) {
        this.sql.run(
          "INSERT OR REPLACE INTO model_version_tags (name, version, key, value) VALUES (?, ?, ?, ?)",
          name, next, tag.key, tag.value ?? "",
        );
      }
      return toVersion(this.sql, this.versionRow(name, String(next)));
    });
  }

  /** Sets a version's description. */
  async updateModelVersion(name: string, version: string, description: string): Promise<ModelVersion> {
    return this.write([name], () => {
      const row = this.versionRow(name, version);
      this.sql.run(
        "UPDATE model_versions SET description = ?, last_updated_time = ? WHERE name = ? AND version = ?",
        description, Date.now(), name, row.version,
      );
      return toVersion(this.sql, this.versionRow(name, version));
    });
  }

  /**
   * Moves a version to a stage (any case in, canonical out). With `archiveExistingVersions`, which
   * only Staging and Production allow, the stage's other versions move to Archived.
   */
  async transitionModelVersionStage(name: string, version: string, stage: string, archiveExistingVersions: boolean): Promise<ModelVersion> {
    const target = canonicalStage(stage);
    if (archiveExistingVersions && target !== "Staging" && target !== "Production") {
      throw new MlflowError(
        "INVALID_PARAMETER_VALUE",
        `Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. Valid stages are ['Staging', 'Production']`,
      );
    }
    return this.write([name], () => {
      const row = this.versionRow(name, version);
      const now = Date.now();
      if (archiveExistingVersions) {
        this.sql.run(
          "UPDATE model_versions SET current_stage = 'Archived', last_updated_time = ? WHERE name = ? AND version != ? AND current_stage = ?",
          now, name, row.version, target,
        );
      }
      this.sql.run(
        "UPDATE model_versions SET current_stage = ?, last_updated_time = ? WHERE name = ? AND version = ?",
        target, now, name, row.version,
      );
      this.sql.run("UPDATE registered_models SET last_updated_time = ? WHERE name = ?", now, name);
      return toVersion(this.sql, this.versionRow(name, version));
    });
  }

  /**
   * Deletes a version: its aliases and tags go, and the row stays redacted as `Deleted_Internal`
   * so its number is never handed out again; every read treats it as absent.
   */
  async deleteModelVersion(name: string, version: string): Promise<void> {
    this.write([name], () => {
      const row = this.versionRow(name, version);
      const now = Date.now();
      this.sql.run("DELETE FROM registered_model_aliases WHERE name = ? AND version = ?", name, row.version);
      this.sql.run("DELETE FROM model_version_tags WHERE name = ? AND version = ?", name, row.version);
      this.sql.run(
        `UPDATE model_versions SET current_stage = ?, last_updated_time = ?, description = NULL, user_id = NULL,
           source = 'REDACTED-SOURCE-PATH', storage_location = NULL, run_id = 'REDACTED-RUN-ID',
           run_link = 'REDACTED-RUN-LINK', status_message = NULL WHERE name = ? AND version = ?`,
        STAGE_DELETED_INTERNAL, now, name, row.version,
      );
      this.sql.run("UPDATE registered_models SET last_updated_time = ? WHERE name = ?", now, name);
    });
  }

  /** One version; unknown or deleted is RESOURCE_DOES_NOT_EXIST. */
  async getModelVersion(name: string, version: string): Promise<ModelVersion> {
    return toVersion(this.sql, this.versionRow(name, version));
  }

  /** Versions matching `filter` (name, run_id, source_path, version_number, tags), in pages of MLflow's default and largest size. */
  async searchModelVersions(req: SearchRegistryRequest): Promise<Page<ModelVersion>> {
    const max = req.max_results ?? SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT;
    checkMaxResults(max, SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD);
    const where = versionConditions(parseFilter("model_versions", req.filter));
    const order = versionOrder(parseOrderBy("model_versions", req.order_by));
    const offset = decodePageToken(req.page_token);
    const rows = this.sql.all<VersionRow>(
      `SELECT v.* FROM model_versions v WHERE v.${NOT_DELETED} AND ${where.sql} ORDER BY ${order} LIMIT ? OFFSET ?`,
      ...where.params, max + 1, offset,
    );
    return page(rows.slice(0, max).map((r) => toVersion(this.sql, r)), rows.length > max, offset + max);
  }

  /** Where the version's files are: the resolved storage location, else its source. */
  async getModelVersionDownloadUri(name: string, version: string): Promise<string> {
    const row = this.versionRow(name, version);
    return row.storage_location ?? row.source;
  }

  /** Sets (or overwrites) a version tag. */
  async setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void> {
    checkModelName(name);
    checkVersion(version);
    checkTag("Model version", key, value);
    this.write([name], () => {
      const row = this.versionRow(name, version);
      this.sql.run("INSERT OR REPLACE INTO model_version_tags (name, version, key, value) VALUES (?, ?, ?, ?)", name, row.version, key, value ?? "");
    });
  }

  /** Removes a version tag; an absent key is not an error, as in MLflow. */
  async deleteModelVersionTag(name: string, version: string, key: string): Promise<void> {
    checkModelName(name);
    checkVersion(version);
    checkTagKey(key);
    this.write([name], () => {
      const row = this.versionRow(name, version);
      this.sql.run("DELETE FROM model_version_tags WHERE name = ? AND version = ? AND key = ?", name, row.version, key);
    });
  }

  // ─── internals ──────────────────────────────────────────────────────────────────────────────

  /** Runs `fn` in one transaction, then tells listeners about each name once it has committed. */
  private write<T>(names: string[], fn: () => T): T {
    const result = this.db.transaction(fn)();
    for (const name of new Set(names)) this.notify({ type: "registry", name });
    return result;
  }

  /** The download location a `models:/` source stands for, resolved through this registry. */
  private async storageOf(source: string): Promise<string> {
    try {
      const target = await resolveModelVersion(this, source);
      return await this.getModelVersionDownloadUri(target.name, target.version);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      throw new MlflowError("INVALID_PARAMETER_VALUE", `Unable to fetch model from model URI source artifact location '${source}'. Error: ${reason}`);
    }
  }

  private findModel(name: string): ModelRow | undefined {
    return this.sql.get<ModelRow>("SELECT * FROM registered_models WHERE name = ?", name);
  }

  private modelRow(name: string): ModelRow {
    checkModelName(name);
    const row = this.findModel(name);
    if (!row) throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `Registered Model with name=${name} not found`);
    return row;
  }

  private versionRow(name: string, version: string): VersionRow {
    checkModelName(name);
    const number = checkVersion(version);
    const row = this.sql.get<VersionRow>(`SELECT * FROM model_versions WHERE name = ? AND version = ? AND ${NOT_DELETED}`, name, number);
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
