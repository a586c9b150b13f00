/**
 * Renderer-side copies of the MLflow entity shapes the tracking views read (proto JSON, snake_case).
 * The renderer may not import `electron/tracking/types.ts` (layer rule), so the fields it uses are
 * restated here; the host sends exactly these objects through `tracking-call` replies.
 */

/** A key/value pair: params and all tag kinds. */
export interface KeyValue {
  key: string;
  value: string;
}

/** Run lifecycle status, as MLflow's RunStatus names. */
export type RunStatus = "RUNNING" | "SCHEDULED" | "FINISHED" | "FAILED" | "KILLED";

/** Which lifecycle stages a search returns. */
export type ViewType = "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";

/** An MLflow experiment. */
export interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: "active" | "deleted";
  creation_time: number;
  last_update_time: number;
  tags: KeyValue[];
}

/** One metric point. */
export interface Metric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

/** A metric point tagged with its run (bulk-interval replies). */
export interface MetricWithRunId extends Metric {
  run_id: string;
}

/** A run's identity and lifecycle. */
export interface RunInfo {
  run_id: string;
  run_name: string;
  experiment_id: string;
  user_id: string;
  status: RunStatus;
  start_time: number;
  end_time?: number;
  artifact_uri: string;
  lifecycle_stage: "active" | "deleted";
}

/** A logged dataset reference. */
export interface DatasetInput {
  tags: KeyValue[];
  dataset: { name: string; digest: string; source_type: string; source: string; schema?: string; profile?: string };
}

/** A run with its latest metrics, params and tags. */
export interface Run {
  info: RunInfo;
  data: { metrics: Metric[]; params: KeyValue[]; tags: KeyValue[] };
  inputs?: { dataset_inputs?: DatasetInput[] };
}

/** A page of search results. */
export interface Page<T> {
  items: T[];
  next_page_token?: string;
}

/** Registry stage names. */
export type Stage = "None" | "Staging" | "Production" | "Archived";

/** A registered model version. */
export interface ModelVersion {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id?: string;
  current_stage: Stage;
  description?: string;
  source: string;
  run_id?: string;
  status: string;
  tags: KeyValue[];
  aliases: string[];
}

/** A registered model. */
export interface RegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description?: string;
  latest_versions: ModelVersion[];
  tags: KeyValue[];
  aliases: { alias: string; version: string }[];
}

/** One entry of an artifact directory listing (MLflow's FileInfo). */
export interface ArtifactFile {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

/** Tag keys MLflow and Flowbook give meaning to. */
export const TAG = {
  parent: "mlflow.parentRunId",
  note: "mlflow.note.content",
  user: "mlflow.user",
  source: "mlflow.source.name",
  notebook: "flowbook.notebook",
  cellId: "flowbook.cellId",
  codeHash: "flowbook.codeHash",
  code: "flowbook.code",
} as const;

/** A tag's value, or undefined. */
export function tagOf(run: Run, key: string): string | undefined {
  return run.data.tags.find((t) => t.key === key)?.value;
}
