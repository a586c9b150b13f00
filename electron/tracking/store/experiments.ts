/**
 * Experiment reads and writes on SQLite, synchronous and transaction-free: the store wraps each
 * write in a transaction and publishes the changes these methods record.
 */
import type Database from "better-sqlite3";
import type { StoreChange } from "../contract.ts";
import { resolveLocalArtifactLocation } from "../artifacts/index.ts";
import { SEARCH_MAX_RESULTS_DEFAULT, SEARCH_MAX_RESULTS_THRESHOLD } from "../limits.ts";
import { checkMaxResults, decodePageToken, encodePageToken, parseFilter, parseOrderBy } from "../search/index.ts";
import { StatementCache } from "../sql/index.ts";
import { MlflowError } from "../types.ts";
import type { Experiment, ExperimentTag, Page, SearchExperimentsRequest } from "../types.ts";
import { toExperiment } from "./entities.ts";
import type { ExperimentRow } from "./schema.ts";
import { experimentCondition, experimentOrder } from "./search-sql.ts";
import { checkExperimentName, checkExperimentTag } from "./validation.ts";

/** Experiment operations over prepared statements. */
export class ExperimentTable {
  private readonly byId: Database.Statement;
  private readonly byName: Database.Statement;
  private readonly tagsOf: Database.Statement;
  private readonly insert: Database.Statement;
  private readonly setStage: Database.Statement;
  private readonly setRunsStage: Database.Statement;
  private readonly rename: Database.Statement;
  private readonly upsertTag: Database.Statement;
  private readonly deleteTagRow: Database.Statement;
  private readonly touch: Database.Statement;
  private readonly nextId: Database.Statement;
  private readonly searches: StatementCache;

  constructor(
    db: Database.Database,
    private readonly defaultArtifactRoot: string,
  ) {
    this.byId = db.prepare("SELECT * FROM experiments WHERE experiment_id = ?");
    this.byName = db.prepare("SELECT * FROM experiments WHERE name = ?");
    this.tagsOf = db.prepare("SELECT key, value FROM experiment_tags WHERE experiment_id = ? ORDER BY key");
    this.insert = db.prepare(
      "INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time) " +
        "VALUES (?, ?, ?, 'active', ?, ?)",
    );
    this.setStage = db.prepare("UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE experiment_id = ?");
    // MLflow deletes an experiment's runs with it and restores them together.
    this.setRunsStage = db.prepare(
      "UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE experiment_id = ? AND lifecycle_stage = ?",
    );
    this.rename = db.prepare("UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?");
    this.upsertTag = db.prepare(
      "INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?) " +
        "ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value",
    );
    this.deleteTagRow = db.prepare("DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?");
    this.touch = db.prepare("UPDATE experiments SET last_update_time = ? WHERE experiment_id = ?");
    this.nextId = db.prepare("SELECT COALESCE(MAX(experiment_id), 0) + 1 AS id FROM experiments");
    this.searches = new StatementCache(db);
  }

  /** Creates the "Default" experiment with id 0 unless it exists. */
  ensureDefault(): void {
    if (this.byId.get(0)) return;
    const now = Date.now();
    this.insert.run(0, "Default", `${trimSlash(this.defaultArtifactRoot)}/0`, now, now);
  }

  /** The row of an experiment id, or RESOURCE_DOES_NOT_EXIST. */
  row(experimentId: string): ExperimentRow {
    const id = parseId(experimentId);
    const row = id === undefined ? undefined : (this.byId.get(id) as ExperimentRow | undefined);
    if (!row) throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `No Experiment with id=${experimentId} exists`);
    return row;
  }

  /** The experiment with its tags. */
  get(experimentId: string): Experiment {
    const row = this.row(experimentId);
    return toExperiment(row, this.tagsOf.all(row.experiment_id) as ExperimentTag[]);
  }

  /** The experiment named `name` (deleted ones too), or null. */
  getByName(name: string): Experiment | null {
    const row = this.byName.get(name) as ExperimentRow | undefined;
    return row ? toExperiment(row, this.tagsOf.all(row.experiment_id) as ExperimentTag[]) : null;
  }

  /** Creates an experiment; names are unique among active and deleted experiments. */
  create(name: string, artifactLocation: string | undefined, tags: ExperimentTag[], changes: StoreChange[]): string {
    checkExperimentName(name);
    for (const t of tags) checkExperimentTag(t.key, t.value);
    if (this.byName.get(name)) {
      throw new MlflowError("RESOURCE_ALREADY_EXISTS", `Experiment(name=${name}) already exists.`);
    }
    const next = (this.nextId.get() as { id: number }).id;
    const now = Date.now();
    const location = artifactLocation ? resolveLocalArtifactLocation(artifactLocation) : `${trimSlash(this.defaultArtifactRoot)}/${next}`;
    this.insert.run(next, name, location, now, now);
    for (const t of tags) this.upsertTag.run(next, t.key, t.value);
    changes.push({ type: "experiment", experiment_id: String(next) });
    return String(next);
  }

  /** Soft-deletes an experiment and its active runs. */
  delete(experimentId: string, changes: StoreChange[]): void {
    const row = this.row(experimentId);
    if (row.lifecycle_stage === "deleted") {
      throw new MlflowError("INVALID_PARAMETER_VALUE", `The experiment ${experimentId} must be in the 'active' state. Current state is deleted.`);
    }
    const now = Date.now();
    this.setStage.run("deleted", now, row.experiment_id);
    this.setRunsStage.run("deleted", now, row.experiment_id, "active");
    changes.push({ type: "experiment", experiment_id: String(row.experiment_id) });
  }

  /** Restores a deleted experiment and its deleted runs. */
  restore(experimentId: string, changes: StoreChange[]): void {
    const row = this.row(experimentId);
    if (row.lifecycle_stage !== "deleted") {
      throw new MlflowError("INVALID_PARAMETER_VALUE", `The experiment ${experimentId} must be in the 'deleted' state. Current state is active.`);
    }
    this.setStage.run("active", Date.now(), row.experiment_id);
    this.setRunsStage.run("active", null, row.experiment_id, "deleted");
    changes.push({ type: "experiment", experiment_id: String(row.experiment_id) });
  }

  /** Renames an active experiment to a name no other experiment holds. */
  renameTo(experimentId: string, newName: string, changes: StoreChange[]): void {
    checkExperimentName(newName);
    const row = this.activeRow(experimentId);
    const other = this.byName.get(newName) as ExperimentRow | undefined;
    if (other && other.experiment_id !== row.experiment_id) {
      throw new MlflowError("RESOURCE_ALREADY_EXISTS", `Experiment(name=${newName}) already exists.`);
    }
    this.rename.run(newName, Date.now(), row.experiment_id);
    changes.push({ type: "experiment", experiment_id: String(row.experiment_id) });
  }

  /** Sets a tag on an active experiment. */
  setTag(experimentId: string, key: string, value: string, changes: StoreChange[]): void {
    checkExperimentTag(key, value);
    const row = this.activeRow(experimentId);
    this.upsertTag.run(row.experiment_id, key, value);
    this.touch.run(Date.now(), row.experiment_id);
    changes.push({ type: "experiment", experiment_id: String(row.experiment_id) });
  }

  /** Deletes a tag of an active experiment; a missing key is RESOURCE_DOES_NOT_EXIST. */
  deleteTag(experimentId: string, key: string, changes: StoreChange[]): void {
    const row = this.activeRow(experimentId);
    if (this.deleteTagRow.run(row.experiment_id, key).changes === 0) {
      throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `No tag with name: ${key} in experiment with id ${experimentId}`);
    }
    this.touch.run(Date.now(), row.experiment_id);
    changes.push({ type: "experiment", experiment_id: String(row.experiment_id) });
  }

  /** Filtered, ordered, paged experiments, all in SQL. */
  search(req: SearchExperimentsRequest): Page<Experiment> {
    const max = req.max_results ?? SEARCH_MAX_RESULTS_DEFAULT;
    checkMaxResults(max, SEARCH_MAX_RESULTS_THRESHOLD);
    const offset = decodePageToken(req.page_token);
    const where: string[] = [stageCondition(req.view_type ?? "ACTIVE_ONLY", "e")];
    const params: unknown[] = [];
    for (const clause of parseFilter("experiments", req.filter)) {
      const part = experimentCondition(clause);
      where.push(part.sql);
      params.push(...part.params);
    }
    const order = experimentOrder(parseOrderBy("experiments", req.order_by));
    const rows = this.searches
      .get(`SELECT e.* FROM experiments e WHERE ${where.join(" AND ")} ORDER BY ${order} LIMIT ? OFFSET ?`)
      .all(...params, max + 1, offset) as ExperimentRow[];
    const items = rows.slice(0, max).map((r) => toExperiment(r, this.tagsOf.all(r.experiment_id) as ExperimentTag[]));
    return rows.length > max ? { items, next_page_token: encodePageToken(offset + max) } : { items };
  }

  /** The row of an experiment that must be active (MLflow's message otherwise). */
  activeRow(experimentId: string): ExperimentRow {
    const row = this.row(experimentId);
    if (row.lifecycle_stage !== "active") {
      throw new MlflowError(
        "INVALID_PARAMETER_VALUE",
        `The experiment ${experimentId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
      );
    }
    return row;
  }
}

/** The SQL condition selecting a view type's lifecycle stages on table alias `alias`. */
export function stageCondition(viewType: string, alias: string): string {
  switch (viewType) {
    case "ACTIVE_ONLY":
      return `${alias}.lifecycle_stage = 'active'`;
    case "DELETED_ONLY":
      return `${alias}.lifecycle_stage = 'deleted'`;
    case "ALL":
      return "1";
    default:
      throw new MlflowError("INVALID_PARAMETER_VALUE", `Invalid view type '${viewType}'. Valid values are ACTIVE_ONLY, DELETED_ONLY, ALL`);
  }
}

/** An experiment id as its integer key; ids that are not integers exist nowhere. */
function parseId(experimentId: string): number | undefined {
  return typeof experimentId === "string" && /^\d{1,15}$/.test(experimentId) ? Number(experimentId) : undefined;
}

/** A root URI without trailing slashes, so `<root>/<id>` has exactly one. */
export function trimSlash(uri: string): string {
  return uri.endsWith(":/") ? uri.slice(0, -1) : uri.replace(/\/+$/, "");
}
