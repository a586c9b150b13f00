/**
 * Experiment reads and writes, written once for both engines as query generators (`sql/query.ts`)
 * and transaction-free: the store runs each write in one transaction and publishes the changes
 * these methods record.
 */
import type { StoreChange } from "../contract.ts";
import { resolveLocalArtifactLocation } from "../artifacts/index.ts";
import { SEARCH_MAX_RESULTS_DEFAULT, SEARCH_MAX_RESULTS_THRESHOLD } from "../limits.ts";
import { checkMaxResults, decodePageToken, encodePageToken, parseFilter, parseOrderBy } from "../search/index.ts";
import { all, get, run, type SqlDialect, type Work } from "../sql/index.ts";
import { MlflowError } from "../types.ts";
import type { Experiment, ExperimentTag, Page, SearchExperimentsRequest } from "../types.ts";
import { toExperiment } from "./entities.ts";
import type { ExperimentRow } from "./rows.ts";
import { experimentCondition, experimentOrder, stageCondition } from "./search-sql.ts";
import { checkExperimentName, checkExperimentTag } from "./validation.ts";

const INSERT =
  "INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time) " +
  "VALUES (?, ?, ?, 'active', ?, ?)";
const UPSERT_TAG =
  "INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?) " +
  "ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value";
// MLflow deletes an experiment's runs with it and restores them together.
const SET_RUNS_STAGE = "UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE experiment_id = ? AND lifecycle_stage = ?";
const SET_STAGE = "UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE experiment_id = ?";
const TOUCH = "UPDATE experiments SET last_update_time = ? WHERE experiment_id = ?";

/** Experiment operations. */
export class ExperimentTable {
  constructor(
    private readonly d: SqlDialect,
    private readonly defaultArtifactRoot: string,
  ) {}

  /** Creates the "Default" experiment with id 0 unless it exists. */
  *ensureDefault(): Work<void> {
    if (yield* get("SELECT experiment_id FROM experiments WHERE experiment_id = 0")) return;
    const now = Date.now();
    yield* run(`${INSERT} ON CONFLICT DO NOTHING`, 0, "Default", `${trimSlash(this.defaultArtifactRoot)}/0`, now, now);
  }

  /** The row of an experiment id, or RESOURCE_DOES_NOT_EXIST. */
  *row(experimentId: string): Work<ExperimentRow> {
    const id = parseId(experimentId);
    const row = id === undefined ? undefined : yield* get<ExperimentRow>("SELECT * FROM experiments WHERE experiment_id = ?", id);
    if (!row) throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `No Experiment with id=${experimentId} exists`);
    return row;
  }

  /** The experiment with its tags. */
  *get(experimentId: string): Work<Experiment> {
    return yield* this.withTags(yield* this.row(experimentId));
  }

  /** The experiment named `name` (deleted ones too), or null. */
  *getByName(name: string): Work<Experiment | null> {
    const row = yield* this.byName(name);
    return row ? yield* this.withTags(row) : null;
  }

  /** Creates an experiment; names are unique among active and deleted experiments. */
  *create(name: string, artifactLocation: string | undefined, tags: ExperimentTag[], changes: StoreChange[]): Work<string> {
    checkExperimentName(name);
    for (const t of tags) checkExperimentTag(t.key, t.value);
    if (yield* this.byName(name)) {
      throw new MlflowError("RESOURCE_ALREADY_EXISTS", `Experiment(name=${name}) already exists.`);
    }
    const next = (yield* get<{ id: number }>("SELECT COALESCE(MAX(experiment_id), 0) + 1 AS id FROM experiments"))!.id;
    const now = Date.now();
    const location = artifactLocation ? resolveLocalArtifactLocation(artifactLocation) : `${trimSlash(this.defaultArtifactRoot)}/${next}`;
    yield* run(INSERT, next, name, location, now, now);
    for (const t of tags) yield* run(UPSERT_TAG, next, t.key, t.value);
    changes.push({ type: "experiment", experiment_id: String(next) });
    return String(next);
  }

  /** Soft-deletes an experiment and its active runs. */
  *delete(experimentId: string, changes: StoreChange[]): Work<void> {
    const row = yield* this.row(experimentId);
    if (row.lifecycle_stage === "deleted") {
      throw new MlflowError("INVALID_PARAMETER_VALUE", `The experiment ${experimentId} must be in the 'active' state. Current state is deleted.`);
    }
    const now = Date.now();
    yield* run(SET_STAGE, "deleted", now, row.experiment_id);
    yield* run(SET_RUNS_STAGE, "deleted", now, row.experiment_id, "active");
    changes.push({ type: "experiment", experiment_id: String(row.experiment_id) });
  }

  /** Restores a deleted experiment and its deleted runs. */
  *restore(experimentId: string, changes: StoreChange[]): Work<void> {
    const row = yield* this.row(experimentId);
    if (row.lifecycle_stage !== "deleted") {
      throw new MlflowError("INVALID_PARAMETER_VALUE", `The experiment ${experimentId} must be in the 'deleted' state. Current state is active.`);
    }
    yield* run(SET_STAGE, "active", Date.now(), row.experiment_id);
    yield* run(SET_RUNS_STAGE, "active", null, row.experiment_id, "deleted");
    changes.push({ type: "experiment", experiment_id: String(row.experiment_id) });
  }

  /** Renames an active experiment to a name no other experiment holds. */
  *renameTo(experimentId: string, newName: string, changes: StoreChange[]): Work<void> {
    checkExperimentName(newName);
    const row = yield* this.activeRow(experimentId);
    const other = yield* this.byName(newName);
    if (other && other.experiment_id !== row.experiment_id) {
      throw new MlflowError("RESOURCE_ALREADY_EXISTS", `Experiment(name=${newName}) already exists.`);
    }
    yield* run("UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?", newName, Date.now(), row.experiment_id);
    changes.push({ type: "experiment", experiment_id: String(row.experiment_id) });
  }

  /** Sets a tag on an active experiment. */
  *setTag(experimentId: string, key: string, value: string, changes: StoreChange[]): Work<void> {
    checkExperimentTag(key, value);
    const row = yield* this.activeRow(experimentId);
    yield* run(UPSERT_TAG, row.experiment_id, key, value);
    yield* run(TOUCH, Date.now(), row.experiment_id);
    changes.push({ type: "experiment", experiment_id: String(row.experiment_id) });
  }

  /** Deletes a tag of an active experiment; a missing key is RESOURCE_DOES_NOT_EXIST. */
  *deleteTag(experimentId: string, key: string, changes: StoreChange[]): Work<void> {
    const row = yield* this.activeRow(experimentId);
    if ((yield* run("DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?", row.experiment_id, key)) === 0) {
      throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `No tag with name: ${key} in experiment with id ${experimentId}`);
    }
    yield* run(TOUCH, Date.now(), row.experiment_id);
    changes.push({ type: "experiment", experiment_id: String(row.experiment_id) });
  }

  /** Filtered, ordered, paged experiments, all in SQL. */
  *search(req: SearchExperimentsRequest): Work<Page<Experiment>> {
    const max = req.max_results ?? SEARCH_MAX_RESULTS_DEFAULT;
    checkMaxResults(max, SEARCH_MAX_RESULTS_THRESHOLD);
    const offset = decodePageToken(req.page_token);
    const where: string[] = [stageCondition(req.view_type ?? "ACTIVE_ONLY", "e")];
    const params: unknown[] = [];
    for (const clause of parseFilter("experiments", req.filter)) {
      const part = experimentCondition(this.d, clause);
      where.push(part.sql);
      params.push(...part.params);
    }
    const order = experimentOrder(parseOrderBy("experiments", req.order_by));
    const rows = yield* all<ExperimentRow>(
      `SELECT e.* FROM experiments e WHERE ${where.join(" AND ")} ORDER BY ${order} LIMIT ? OFFSET ?`,
      ...params, max + 1, offset,
    );
    const items: Experiment[] = [];
    for (const r of rows.slice(0, max)) items.push(yield* this.withTags(r));
    return rows.length > max ? { items, next_page_token: encodePageToken(offset + max) } : { items };
  }

  /** The row of an experiment that must be active (MLflow's message otherwise). */
  *activeRow(experimentId: string): Work<ExperimentRow> {
    const row = yield* this.row(experimentId);
    if (row.lifecycle_stage !== "active") {
      throw new MlflowError(
        "INVALID_PARAMETER_VALUE",
        `The experiment ${experimentId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
      );
    }
    return row;
  }

  private *byName(name: string): Work<ExperimentRow | undefined> {
    return yield* get<ExperimentRow>("SELECT * FROM experiments WHERE name = ?", name);
  }

  private *withTags(row: ExperimentRow): Work<Experiment> {
    const tags = yield* all<ExperimentTag>("SELECT key, value FROM experiment_tags WHERE experiment_id = ? ORDER BY key", row.experiment_id);
    return toExperiment(row, tags);
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
