/**
 * Run writes: create, update, delete/restore, params, tags, metrics, batches and dataset inputs,
 * with MLflow's rules and messages, written once for both engines as query generators
 * (`sql/query.ts`). Transaction-free: the store wraps each call in one transaction and publishes
 * the changes recorded here after commit. Metric history goes to the engine's `MetricWriter`.
 */
import { randomUUID } from "node:crypto";
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
import { get, run, type Work } from "../sql/index.ts";
import { generateRunName } from "./run-names.ts";
import type { RunRow } from "./rows.ts";
import { checkBatchLimits, checkMetric, checkParam, checkTag } from "./validation.ts";

/** The tag MLflow mirrors run_name into; setting it renames the run. */
export const RUN_NAME_TAG = "mlflow.runName";
const USER_TAG = "mlflow.user";

function invalid(message: string): MlflowError {
  return new MlflowError("INVALID_PARAMETER_VALUE", message);
}

const UPSERT_TAG =
  "INSERT INTO tags (run_uuid, key, value) VALUES (?, ?, ?) ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value";

/** Where a batch's metric points go: each engine keeps history (and its summaries) its own way. */
export interface MetricWriter {
  /** Appends points to a run's history and moves each key's latest value forward, in the caller's transaction. */
  append(runId: string, metrics: Metric[]): Work<void>;
}

/** Run write operations. */
export class RunTable {
  constructor(
    private readonly experiments: ExperimentTable,
    private readonly metrics: MetricWriter,
  ) {}

  /** The row of a run, or RESOURCE_DOES_NOT_EXIST with MLflow's message. */
  *row(runId: string): Work<RunRow> {
    const row = yield* get<RunRow>("SELECT * FROM runs WHERE run_uuid = ?", runId);
    if (!row) throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `Run with id=${runId} not found`);
    return row;
  }

  /** Creates a RUNNING run in an active experiment; the name is generated when absent and mirrored as a tag. */
  *create(req: CreateRunRequest, changes: StoreChange[]): Work<string> {
    const experiment = yield* this.experiments.activeRow(req.experiment_id);
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
    yield* run(
      "INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage) " +
        "VALUES (?, ?, ?, ?, 'RUNNING', ?, NULL, ?, 'active')",
      runId, name, experiment.experiment_id, userId, req.start_time ?? Date.now(), artifactUri,
    );
    for (const t of tags) yield* run(UPSERT_TAG, runId, t.key, t.value);
    yield* run(UPSERT_TAG, runId, RUN_NAME_TAG, name);
    changes.push({ type: "run", run_id: runId, experiment_id: String(experiment.experiment_id) });
    return runId;
  }

  /** Updates status, end time and name of an active run. */
  *updateRun(req: UpdateRunRequest, changes: StoreChange[]): Work<RunInfo> {
    const row = yield* this.activeRow(req.run_id);
    if (req.status !== undefined && !RUN_STATUSES.includes(req.status)) throw invalid(`Invalid run status '${String(req.status)}'`);
    const name = req.run_name || row.name;
    yield* run("UPDATE runs SET status = ?, end_time = ?, name = ? WHERE run_uuid = ?", req.status ?? row.status, req.end_time ?? row.end_time, name, row.run_uuid);
    if (name !== row.name) yield* run(UPSERT_TAG, row.run_uuid, RUN_NAME_TAG, name);
    this.changed(row, changes);
    return toRunInfo(yield* this.row(row.run_uuid));
  }

  /** Soft-deletes or restores a run. */
  *setLifecycle(runId: string, stage: "active" | "deleted", changes: StoreChange[]): Work<void> {
    const row = yield* this.row(runId);
    const from = stage === "deleted" ? "active" : "deleted";
    if (row.lifecycle_stage !== from) {
      throw invalid(`The run ${runId} must be in the '${from}' state. Current state is ${row.lifecycle_stage}.`);
    }
    yield* run("UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE run_uuid = ?", stage, stage === "deleted" ? Date.now() : null, runId);
    this.changed(row, changes);
  }

  /** Logs params; re-logging the same value is a no-op, a different value (or a key twice in one call) is refused. */
  private *logParams(row: RunRow, params: Param[], changes: StoreChange[]): Work<void> {
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
      const existing = yield* get<{ value: string }>("SELECT value FROM params WHERE run_uuid = ? AND key = ?", runId, key);
      if (existing === undefined) yield* run("INSERT INTO params (run_uuid, key, value) VALUES (?, ?, ?)", runId, key, value);
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
  private *setTags(row: RunRow, tags: RunTag[], changes: StoreChange[]): Work<void> {
    const runId = row.run_uuid;
    for (const t of tags) checkTag(t);
    for (const t of tags) {
      yield* run(UPSERT_TAG, runId, t.key, t.value);
      if (t.key === RUN_NAME_TAG) yield* run("UPDATE runs SET name = ? WHERE run_uuid = ?", t.value, runId);
    }
    if (tags.length > 0) this.changed(row, changes);
  }

  /** Deletes a tag; a missing key is RESOURCE_DOES_NOT_EXIST as in MLflow. */
  *deleteTag(runId: string, key: string, changes: StoreChange[]): Work<void> {
    const row = yield* this.activeRow(runId);
    if ((yield* run("DELETE FROM tags WHERE run_uuid = ? AND key = ?", runId, key)) === 0) {
      throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `No tag with name: ${key} in run with id ${runId}`);
    }
    this.changed(row, changes);
  }

  /** Appends metric points in order. */
  private *logMetrics(row: RunRow, metrics: Metric[], changes: StoreChange[]): Work<void> {
    const runId = row.run_uuid;
    const checkedKeys = new Set<string>();
    for (const m of metrics) checkMetric(m, checkedKeys);
    if (metrics.length === 0) return;
    yield* this.metrics.append(runId, metrics);
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
  *logBatch(req: LogBatchRequest, changes: StoreChange[]): Work<void> {
    const metrics = req.metrics ?? [];
    const params = req.params ?? [];
    const tags = req.tags ?? [];
    checkBatchLimits(metrics.length, params.length, tags.length);
    const row = yield* this.activeRow(req.run_id);
    yield* this.logParams(row, params, changes);
    yield* this.logMetrics(row, metrics, changes);
    yield* this.setTags(row, tags, changes);
  }

  /** Records dataset inputs; a dataset is stored once per experiment by name and digest. */
  *logInputs(runId: string, inputs: DatasetInput[], changes: StoreChange[]): Work<void> {
    const row = yield* this.activeRow(runId);
    for (const input of inputs) checkInput(input);
    let position = (yield* get<{ n: number }>("SELECT COALESCE(MAX(position), -1) + 1 AS n FROM run_inputs WHERE run_uuid = ?", runId))!.n;
    for (const { dataset, tags } of inputs) {
      const found = yield* get<{ dataset_uuid: string }>(
        "SELECT dataset_uuid FROM datasets WHERE experiment_id = ? AND name = ? AND digest = ?",
        row.experiment_id, dataset.name, dataset.digest,
      );
      const datasetId = found?.dataset_uuid ?? randomUUID().replaceAll("-", "");
      if (!found) {
        yield* run(
          "INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, source_type, source, schema, profile) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          datasetId, row.experiment_id, dataset.name, dataset.digest, dataset.source_type, dataset.source,
          dataset.schema ?? null, dataset.profile ?? null,
        );
      }
      if ((yield* run("INSERT INTO run_inputs (run_uuid, dataset_uuid, position) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", runId, datasetId, position)) > 0) position++;
      for (const t of tags ?? []) {
        yield* run(
          "INSERT INTO input_tags (run_uuid, dataset_uuid, key, value) VALUES (?, ?, ?, ?) " +
            "ON CONFLICT (run_uuid, dataset_uuid, key) DO UPDATE SET value = excluded.value",
          runId, datasetId, t.key, t.value,
        );
      }
    }
    if (inputs.length > 0) this.changed(row, changes);
  }

  /** The row of a run that must be active, with MLflow's message otherwise. */
  *activeRow(runId: string): Work<RunRow> {
    const row = yield* this.row(runId);
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
