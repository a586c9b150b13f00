/**
 * Turns tracking rows into MLflow entities. A page of runs is hydrated with one query per child
 * table (latest metrics, params, tags, inputs) keyed by the list of ids, never one query per run.
 */
import { all, type SqlDialect, type Work } from "../sql/index.ts";
import type { DatasetInput, Experiment, LifecycleStage, Metric, Run, RunInfo, RunStatus } from "../types.ts";
import type { ExperimentRow, MetricRow, RunRow } from "./rows.ts";

/** A stored metric value back as a number: the is_nan flag restores NaN, which the tables store as 0. */
export function toMetric(row: MetricRow): Metric {
  return { key: row.key, value: row.is_nan ? NaN : row.value, timestamp: row.timestamp, step: row.step };
}

/** A run row as RunInfo; a NULL end time is left out, as MLflow omits it. */
export function toRunInfo(row: RunRow): RunInfo {
  const info: RunInfo = {
    run_id: row.run_uuid,
    run_uuid: row.run_uuid,
    run_name: row.name,
    experiment_id: String(row.experiment_id),
    user_id: row.user_id,
    status: row.status as RunStatus,
    start_time: row.start_time,
    artifact_uri: row.artifact_uri,
    lifecycle_stage: row.lifecycle_stage as LifecycleStage,
  };
  if (row.end_time !== null) info.end_time = row.end_time;
  return info;
}

/** An experiment row plus its tags as an Experiment. */
export function toExperiment(row: ExperimentRow, tags: { key: string; value: string }[]): Experiment {
  return {
    experiment_id: String(row.experiment_id),
    name: row.name,
    artifact_location: row.artifact_location,
    lifecycle_stage: row.lifecycle_stage as LifecycleStage,
    creation_time: row.creation_time,
    last_update_time: row.last_update_time,
    tags,
  };
}

interface KeyedRow {
  run_uuid: string;
  key: string;
  value: string;
}
interface InputRow {
  run_uuid: string;
  dataset_uuid: string;
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema: string | null;
  profile: string | null;
}

/** The child-table reads of `loadRuns`, built once per dialect (their text depends on nothing else). */
const hydrateSql = new WeakMap<SqlDialect, Record<"metrics" | "params" | "tags" | "inputTags" | "inputs", string>>();

function hydrationFor(d: SqlDialect): Record<"metrics" | "params" | "tags" | "inputTags" | "inputs", string> {
  let sql = hydrateSql.get(d);
  if (!sql) {
    const ids = d.oneOf("run_uuid", [], "text").sql;
    const inputIds = d.oneOf("i.run_uuid", [], "text").sql;
    sql = {
      metrics: `SELECT run_uuid, key, step, timestamp, value, is_nan FROM latest_metrics WHERE ${ids} ORDER BY key`,
      params: `SELECT run_uuid, key, value FROM params WHERE ${ids} ORDER BY key`,
      tags: `SELECT run_uuid, key, value FROM tags WHERE ${ids} ORDER BY key`,
      inputTags: `SELECT run_uuid, dataset_uuid, key, value FROM input_tags WHERE ${ids} ORDER BY key`,
      inputs:
        "SELECT i.run_uuid, d.dataset_uuid, d.name, d.digest, d.source_type, d.source, d.schema, d.profile " +
        `FROM run_inputs i JOIN datasets d ON d.dataset_uuid = i.dataset_uuid WHERE ${inputIds} ORDER BY i.position`,
    };
    hydrateSql.set(d, sql);
  }
  return sql;
}

/** Full runs for `rows`, in the same order: one query per child table over the page's ids. */
export function* loadRuns(d: SqlDialect, rows: RunRow[]): Work<Run[]> {
  if (rows.length === 0) return [];
  const sql = hydrationFor(d);
  // The ids bind as one parameter, the same for every child table.
  const [ids] = d.oneOf("run_uuid", rows.map((r) => r.run_uuid), "text").params;
  const runs = new Map<string, Run>();
  for (const row of rows) {
    runs.set(row.run_uuid, { info: toRunInfo(row), data: { metrics: [], params: [], tags: [] }, inputs: { dataset_inputs: [] } });
  }
  for (const m of yield* all<MetricRow & { run_uuid: string }>(sql.metrics, ids)) runs.get(m.run_uuid)!.data.metrics.push(toMetric(m));
  for (const p of yield* all<KeyedRow>(sql.params, ids)) runs.get(p.run_uuid)!.data.params.push({ key: p.key, value: p.value });
  for (const t of yield* all<KeyedRow>(sql.tags, ids)) runs.get(t.run_uuid)!.data.tags.push({ key: t.key, value: t.value });
  const inputTags = new Map<string, { key: string; value: string }[]>();
  const tagRows = yield* all<KeyedRow & { dataset_uuid: string }>(sql.inputTags, ids);
  for (const t of tagRows) {
    const id = `${t.run_uuid}/${t.dataset_uuid}`;
    const list = inputTags.get(id) ?? [];
    list.push({ key: t.key, value: t.value });
    inputTags.set(id, list);
  }
  for (const i of yield* all<InputRow>(sql.inputs, ids)) {
    const input: DatasetInput = {
      tags: inputTags.get(`${i.run_uuid}/${i.dataset_uuid}`) ?? [],
      dataset: { name: i.name, digest: i.digest, source_type: i.source_type, source: i.source },
    };
    if (i.schema !== null) input.dataset.schema = i.schema;
    if (i.profile !== null) input.dataset.profile = i.profile;
    runs.get(i.run_uuid)!.inputs.dataset_inputs.push(input);
  }
  return rows.map((r) => runs.get(r.run_uuid)!);
}
