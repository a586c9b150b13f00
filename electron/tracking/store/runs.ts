/**
 * Run writes on SQLite: create, update, delete/restore, params, tags, metrics, batches and dataset
 * inputs, with MLflow's rules and messages. Synchronous and transaction-free: the store wraps each
 * call in one transaction and publishes the changes recorded here after commit.
 */
import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import type { StoreChange } from "../contract.ts";
import {
  MAX_DATASET_DIGEST_SIZE,
  MAX_DATASET_NAME_SIZE,
  MAX_DATASET_PROFILE_SIZE,
  MAX_DATASET_SCHEMA_SIZE,
  MAX_DATASET_SOURCE_SIZE,
  MAX_INPUT_TAG_KEY_SIZE,
  MAX_INPUT_TAG_VALUE_SIZE,
} from "../limits.ts";
import { MlflowError, RUN_STATUSES } from "../types.ts";
import type { CreateRunRequest, DatasetInput, LogBatchRequest, Metric, Param, RunInfo, RunTag, UpdateRunRequest } from "../types.ts";
import { toRunInfo } from "./entities.ts";
import type { ExperimentTable } from "./experiments.ts";
import type { MetricTable } from "./metrics.ts";
import { generateRunName } from "./run-names.ts";
import type { RunRow } from "./schema.ts";
import { checkBatchLimits, checkMetric, checkParam, checkTag } from "./validation.ts";

/** The tag MLflow mirrors run_name into; setting it renames the run. */
export const RUN_NAME_TAG = "mlflow.runName";
const USER_TAG = "mlflow.user";

function invalid(message: string): MlflowError {
  return new MlflowError("INVALID_PARAMETER_VALUE", message);
}

/** Run write operations over prepared statements. */
export class RunTable {
  private readonly byId: Database.Statement;
  private readonly insert: Database.Statement;
  private readonly update: Database.Statement;
  private readonly setStage: Database.Statement;
  private readonly rename: Database.Statement;
  private readonly paramOf: Database.Statement;
  private readonly insertParam: Database.Statement;
  private readonly upsertTag: Database.Statement;
  private readonly deleteTagRow: Database.Statement;
  private readonly datasetOf: Database.Statement;
  private readonly insertDataset: Database.Statement;
  private readonly insertInput: Database.Statement;
  private readonly nextInputPosition: Database.Statement;
  private readonly upsertInputTag: Database.Statement;

  constructor(
    db: Database.Database,
    private readonly experiments: ExperimentTable,
    private readonly metrics: MetricTable,
  ) {
    this.byId = db.prepare("SELECT * FROM runs WHERE run_uuid = ?");
    this.insert = db.prepare(
      "INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage) " +
        "VALUES (?, ?, ?, ?, 'RUNNING', ?, NULL, ?, 'active')",
    );
    this.update = db.prepare("UPDATE runs SET status = ?, end_time = ?, name = ? WHERE run_uuid = ?");
    this.setStage = db.prepare("UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE run_uuid = ?");
    this.rename = db.prepare("UPDATE runs SET name = ? WHERE run_uuid = ?");
    this.paramOf = db.prepare("SELECT value FROM params WHERE run_uuid = ? AND key = ?");
    this.insertParam = db.prepare("INSERT INTO params (run_uuid, key, value) VALUES (?, ?, ?)");
    this.upsertTag = db.prepare(
      "INSERT INTO tags (run_uuid, key, value) VALUES (?, ?, ?) ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value",
    );
    this.deleteTagRow = db.prepare("DELETE FROM tags WHERE run_uuid = ? AND key = ?");
    this.datasetOf = db.prepare("SELECT dataset_uuid FROM datasets WHERE experiment_id = ? AND name = ? AND digest = ?");
    this.insertDataset = db.prepare(
      "INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, source_type, source, schema, profile) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    );
    this.insertInput = db.prepare("INSERT OR IGNORE INTO run_inputs (run_uuid, dataset_uuid, position) VALUES (?, ?, ?)");
    this.nextInputPosition = db.prepare("SELECT COALESCE(MAX(position), -1) + 1 AS n FROM run_inputs WHERE run_uuid = ?");
    this.upsertInputTag = db.prepare(
      "INSERT INTO input_tags (run_uuid, dataset_uuid, key, value) VALUES (?, ?, ?, ?) " +
        "ON CONFLICT (run_uuid, dataset_uuid, key) DO UPDATE SET value = excluded.value",
    );
  }

  /** The row of a run, or RESOURCE_DOES_NOT_EXIST with MLflow's message. */
  row(runId: string): RunRow {
    const row = this.byId.get(runId) as RunRow | undefined;
    if (!row) throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `Run with id=${runId} not found`);
    return row;
  }

  /** Creates a RUNNING run in an active experiment; the name is generated when absent and mirrored as a tag. */
  create(req: CreateRunRequest, changes: StoreChange[]): string {
    const experiment = this.experiments.activeRow(req.experiment_id);
    const tags = req.tags ?? [];
    for (const t of tags) checkTag(t);
    const tagName = tags.find((t) => t.key === RUN_NAME_TAG)?.value;
    if (req.run_name && tagName !== undefined && tagName !== req.run_name) {
      throw invalid(
        `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${req.run_name}', mlflow.runName='${tagName}').`,
      );
    }
    const name = req.run_name || tagName || generateRunName();
    const runId = randomUUID().replaceAll("-", "");
    const userId = req.user_id ?? tags.find((t) => t.key === USER_TAG)?.value ?? "";
    const artifactUri = `${experiment.artifact_location.replace(/\/+$/, "")}/${runId}/artifacts`;
    this.insert.run(runId, name, experiment.experiment_id, userId, req.start_time ?? Date.now(), artifactUri);
    for (const t of tags) this.upsertTag.run(runId, t.key, t.value);
    this.upsertTag.run(runId, RUN_NAME_TAG, name);
    changes.push({ type: "run", run_id: runId, experiment_id: String(experiment.experiment_id) });
    return runId;
  }

  /** Updates status, end time and name of an active run. */
  updateRun(req: UpdateRunRequest, changes: StoreChange[]): RunInfo {
    const row = this.activeRow(req.run_id);
    if (req.status !== undefined && !RUN_STATUSES.includes(req.status)) throw invalid(`Invalid run status '${String(req.status)}'`);
    const name = req.run_name || row.name;
    this.update.run(req.status ?? row.status, req.end_time ?? row.end_time, name, row.run_uuid);
    if (name !== row.name) this.upsertTag.run(row.run_uuid, RUN_NAME_TAG, name);
    this.changed(row, changes);
    return toRunInfo(this.row(row.run_uuid));
  }

  /** Soft-deletes or restores a run. */
  setLifecycle(runId: string, stage: "active" | "deleted", changes: StoreChange[]): void {
    const row = this.row(runId);
    const from = stage === "deleted" ? "active" : "deleted";
    if (row.lifecycle_stage !== from) {
      throw invalid(`The run ${runId} must be in the '${from}' state. Current state is ${row.lifecycle_stage}.`);
    }
    this.setStage.run(stage, stage === "deleted" ? Date.now() : null, runId);
    this.changed(row, changes);
  }

  /** Logs params; re-logging the same value is a no-op, a different value (or a key twice in one call) is refused. */
  private logParams(row: RunRow, params: Param[], changes: StoreChange[]): void {
    const runId = row.run_uuid;
    for (const p of params) checkParam(p);
    const seen = new Map<string, string>();
    const duplicates = new Set<string>();
    for (const p of params) {
      if (seen.has(p.key)) duplicates.add(p.key);
      seen.set(p.key, p.value);
    }
    if (duplicates.size > 0) {
      const keys = [...duplicates].map((k) => `'${k}'`).join(", ");
      throw invalid(
        `Duplicate parameter keys have been submitted: [${keys}]. Please ensure the request contains only one param value per param key.`,
      );
    }
    for (const [key, value] of seen) {
      const existing = this.paramOf.get(runId, key) as { value: string } | undefined;
      if (existing === undefined) this.insertParam.run(runId, key, value);
      else if (existing.value !== value) {
        throw invalid(
          `Changing param values is not allowed. Param with key='${key}' was already logged with value='${existing.value}' ` +
            `for run ID='${runId}'. Attempted logging new value '${value}'.`,
        );
      }
    }
    if (params.length > 0) this.changed(row, changes);
  }

  /** Sets tags (last write wins); `mlflow.runName` also renames the run. */
  private setTags(row: RunRow, tags: RunTag[], changes: StoreChange[]): void {
    const runId = row.run_uuid;
    for (const t of tags) checkTag(t);
    for (const t of tags) {
      this.upsertTag.run(runId, t.key, t.value);
      if (t.key === RUN_NAME_TAG) this.rename.run(t.value, runId);
    }
    if (tags.length > 0) this.changed(row, changes);
  }

  /** Deletes a tag; a missing key is RESOURCE_DOES_NOT_EXIST as in MLflow. */
  deleteTag(runId: string, key: string, changes: StoreChange[]): void {
    const row = this.activeRow(runId);
    if (this.deleteTagRow.run(runId, key).changes === 0) {
      throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `No tag with name: ${key} in run with id ${runId}`);
    }
    this.changed(row, changes);
  }

  /** Appends metric points in order. */
  private logMetrics(row: RunRow, metrics: Metric[], changes: StoreChange[]): void {
    const runId = row.run_uuid;
    const checkedKeys = new Set<string>();
    for (const m of metrics) checkMetric(m, checkedKeys);
    if (metrics.length === 0) return;
    this.metrics.append(runId, metrics);
    changes.push({
      type: "metrics",
      run_id: runId,
      experiment_id: String(row.experiment_id),
      metrics: metrics.map(({ key, value, timestamp, step }) => ({ key, value, timestamp, step })),
    });
  }

  /**
   * Metrics, params and tags of one batch, checked for MLflow's size limits first; also the path of
   * single log-metric, log-param and set-tag calls. The run is read once per batch.
   */
  logBatch(req: LogBatchRequest, changes: StoreChange[]): void {
    const metrics = req.metrics ?? [];
    const params = req.params ?? [];
    const tags = req.tags ?? [];
    checkBatchLimits(metrics.length, params.length, tags.length);
    const row = this.activeRow(req.run_id);
    this.logParams(row, params, changes);
    this.logMetrics(row, metrics, changes);
    this.setTags(row, tags, changes);
  }

  /** Records dataset inputs; a dataset is stored once per experiment by name and digest. */
  logInputs(runId: string, inputs: DatasetInput[], changes: StoreChange[]): void {
    const row = this.activeRow(runId);
    for (const input of inputs) checkInput(input);
    let position = (this.nextInputPosition.get(runId) as { n: number }).n;
    for (const { dataset, tags } of inputs) {
      const found = this.datasetOf.get(row.experiment_id, dataset.name, dataset.digest) as { dataset_uuid: string } | undefined;
      const datasetId = found?.dataset_uuid ?? randomUUID().replaceAll("-", "");
      if (!found) {
        this.insertDataset.run(
          datasetId, row.experiment_id, dataset.name, dataset.digest, dataset.source_type, dataset.source,
          dataset.schema ?? null, dataset.profile ?? null,
        );
      }
      if (this.insertInput.run(runId, datasetId, position).changes > 0) position++;
      for (const t of tags ?? []) this.upsertInputTag.run(runId, datasetId, t.key, t.value);
    }
    if (inputs.length > 0) this.changed(row, changes);
  }

  /** The row of a run that must be active, with MLflow's message otherwise. */
  activeRow(runId: string): RunRow {
    const row = this.row(runId);
    if (row.lifecycle_stage !== "active") {
      throw invalid(`The run ${runId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`);
    }
    return row;
  }

  private changed(row: RunRow, changes: StoreChange[]): void {
    if (!changes.some((c) => c.type === "run" && c.run_id === row.run_uuid)) {
      changes.push({ type: "run", run_id: row.run_uuid, experiment_id: String(row.experiment_id) });
    }
  }
}

/** Checks a dataset input against MLflow's field limits. */
function checkInput(input: DatasetInput): void {
  const d = input?.dataset;
  if (!d || typeof d.name !== "string" || typeof d.digest !== "string" || typeof d.source_type !== "string" || typeof d.source !== "string") {
    throw invalid("Dataset input must have a dataset with name, digest, source_type and source.");
  }
  const limit = (what: string, value: string | undefined, max: number): void => {
    if (value !== undefined && value.length > max) throw invalid(`${what} exceeds the maximum length of ${max}`);
  };
  limit("Dataset name", d.name, MAX_DATASET_NAME_SIZE);
  limit("Dataset digest", d.digest, MAX_DATASET_DIGEST_SIZE);
  limit("Dataset source", d.source, MAX_DATASET_SOURCE_SIZE);
  limit("Dataset schema", d.schema, MAX_DATASET_SCHEMA_SIZE);
  limit("Dataset profile", d.profile, MAX_DATASET_PROFILE_SIZE);
  for (const t of input.tags ?? []) {
    limit("Input tag key", t.key, MAX_INPUT_TAG_KEY_SIZE);
    limit("Input tag value", t.value, MAX_INPUT_TAG_VALUE_SIZE);
  }
}
