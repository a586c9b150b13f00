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

/** Full runs for `rows`, in the same order: one query per child table over the page's ids. */
export function* loadRuns(d: SqlDialect, rows: RunRow[]): Work<Run[]> {
  if (rows.length === 0) return [];
  const ids = d.oneOf("run_uuid", rows.map((r) => r.run_uuid), "text");
  const ofRuns = (select: string, order: string) => `${select} WHERE ${ids.sql} ORDER BY ${order}`;
  const runs = new Map<string, Run>();
  for (const row of rows) {
    runs.set(row.run_uuid, { info: toRunInfo(row), data: { metrics: [], params: [], tags: [] }, inputs: { dataset_inputs: [] } });
  }
  const metrics = yield* all<MetricRow & { run_uuid: string }>(
    ofRuns("SELECT run_uuid, key, step, timestamp, value, is_nan FROM latest_metrics", "key"), ...ids.params,
  );
  for (const m of metrics) runs.get(m.run_uuid)!.data.metrics.push(toMetric(m));
  for (const p of yield* all<KeyedRow>(ofRuns("SELECT run_uuid, key, value FROM params", "key"), ...ids.params)) {
    runs.get(p.run_uuid)!.data.params.push({ key: p.key, value: p.value });
  }
  for (const t of yield* all<KeyedRow>(ofRuns("SELECT run_uuid, key, value FROM tags", "key"), ...ids.params)) {
    runs.get(t.run_uuid)!.data.tags.push({ key: t.key, value: t.value });
  }
  const inputTags = new Map<string, { key: string; value: string }[]>();
  const tagRows = yield* all<KeyedRow & { dataset_uuid: string }>(ofRuns("SELECT run_uuid, dataset_uuid, key, value FROM input_tags", "key"), ...ids.params);
  for (const t of tagRows) {
    const id = `${t.run_uuid}/${t.dataset_uuid}`;
    const list = inputTags.get(id) ?? [];
    list.push({ key: t.key, value: t.value });
    inputTags.set(id, list);
  }
  const inputIds = d.oneOf("i.run_uuid", rows.map((r) => r.run_uuid), "text");
  const inputs = yield* all<InputRow>(
    "SELECT i.run_uuid, d.dataset_uuid, d.name, d.digest, d.source_type, d.source, d.schema, d.profile " +
      `FROM run_inputs i JOIN datasets d ON d.dataset_uuid = i.dataset_uuid WHERE ${inputIds.sql} ORDER BY i.position`,
    ...inputIds.params,
  );
  for (const i of inputs) {
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
