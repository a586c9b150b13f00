/**
 * The tracking store's contract, types only, so every side may import it (the renderer and
 * `protocol.ts` with `import type`): MLflow's entities with its proto JSON field names (snake_case,
 * one shape from SQLite to the wire), the request shapes, the store interface, the change events it
 * publishes, and the typed form of a call by method name that the tracking channel carries.
 * int64 fields are JS numbers (ms timestamps fit in 2^53); metric values may be NaN or ±Infinity in
 * memory and are encoded as MLflow encodes them only at the REST edge.
 */

// ─── entities ───────────────────────────────────────────────────────────────────────────────────


/** Which lifecycle stages a search returns. */
export type ViewType = "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";
/** Run status, as MLflow's RunStatus enum names. */
export type RunStatus = "RUNNING" | "SCHEDULED" | "FINISHED" | "FAILED" | "KILLED";
export type LifecycleStage = "active" | "deleted";

export interface KeyValue {
  key: string;
  value: string;
}
export type ExperimentTag = KeyValue;
export type RunTag = KeyValue;
export type Param = KeyValue;
export type RegisteredModelTag = KeyValue;
export type ModelVersionTag = KeyValue;

export interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: LifecycleStage;
  creation_time: number;
  last_update_time: number;
  tags: ExperimentTag[];
}

export interface Metric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

export interface RunInfo {
  run_id: string;
  /** Deprecated alias of run_id that MLflow still sends. */
  run_uuid: string;
  run_name: string;
  experiment_id: string;
  user_id: string;
  status: RunStatus;
  start_time: number;
  /** Absent while the run has not ended. */
  end_time?: number;
  artifact_uri: string;
  lifecycle_stage: LifecycleStage;
}

export interface RunData {
  /** Latest value per key (by step, then timestamp, then value). */
  metrics: Metric[];
  params: Param[];
  tags: RunTag[];
}

export interface Dataset {
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema?: string;
  profile?: string;
}

export interface DatasetInput {
  tags: KeyValue[];
  dataset: Dataset;
}

export interface Run {
  info: RunInfo;
  data: RunData;
  inputs: { dataset_inputs: DatasetInput[] };
}

export type ModelVersionStatus = "PENDING_REGISTRATION" | "FAILED_REGISTRATION" | "READY";
export type Stage = "None" | "Staging" | "Production" | "Archived";

export interface RegisteredModelAlias {
  alias: string;
  version: string;
}

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
  status: ModelVersionStatus;
  status_message?: string;
  tags: ModelVersionTag[];
  run_link?: string;
  aliases: string[];
}

export interface RegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description?: string;
  /** Latest READY version per stage. */
  latest_versions: ModelVersion[];
  tags: RegisteredModelTag[];
  aliases: RegisteredModelAlias[];
}

/** A page of results; `next_page_token` only when more rows remain. */
export interface Page<T> {
  items: T[];
  next_page_token?: string;
}

/** A metric point with the run it belongs to (bulk history responses). */
export interface MetricWithRunId extends Metric {
  run_id: string;
}


/** A committed change in the tracking store, pushed to live views and live reader cells. */
export type StoreChange =
  | { type: "experiment"; experiment_id: string }
  | { type: "run"; run_id: string; experiment_id: string }
  | {
      type: "metrics";
      run_id: string;
      experiment_id: string;
      metrics: { key: string; value: number; timestamp: number; step: number }[];
    }
  | { type: "registry"; name: string };

// ─── requests ───────────────────────────────────────────────────────────────────────────────────

export interface SearchExperimentsRequest {
  view_type?: ViewType;
  max_results?: number;
  filter?: string;
  order_by?: string[];
  page_token?: string;
}

export interface CreateRunRequest {
  experiment_id: string;
  user_id?: string;
  run_name?: string;
  start_time?: number;
  tags?: RunTag[];
}

export interface UpdateRunRequest {
  run_id: string;
  status?: RunStatus;
  end_time?: number;
  run_name?: string;
}

export interface SearchRunsRequest {
  experiment_ids: string[];
  filter?: string;
  run_view_type?: ViewType;
  max_results?: number;
  order_by?: string[];
  page_token?: string;
}

export interface LogBatchRequest {
  run_id: string;
  metrics?: Metric[];
  params?: Param[];
  tags?: RunTag[];
}

export interface MetricHistoryRequest {
  run_id: string;
  metric_key: string;
  max_results?: number;
  page_token?: string;
}

/** Min/max-preserving sample of several runs' history of one metric between steps. */
export interface MetricBulkIntervalRequest {
  run_ids: string[];
  metric_key: string;
  start_step?: number;
  end_step?: number;
  max_results?: number;
}

export interface SearchRegistryRequest {
  filter?: string;
  max_results?: number;
  order_by?: string[];
  page_token?: string;
}

export interface CreateModelVersionRequest {
  name: string;
  source: string;
  run_id?: string;
  tags?: ModelVersionTag[];
  run_link?: string;
  description?: string;
}

// ─── the store and its calls ────────────────────────────────────────────────────────────────────

/**
 * The store's data methods: what a renderer or kernel may call across a process, by name, with
 * these argument types. Async so a networked backend fits without changing callers.
 */
export interface TrackingCalls {
  // experiments
  createExperiment(name: string, artifactLocation?: string, tags?: ExperimentTag[]): Promise<string>;
  getExperiment(experimentId: string): Promise<Experiment>;
  getExperimentByName(name: string): Promise<Experiment | null>;
  searchExperiments(req: SearchExperimentsRequest): Promise<Page<Experiment>>;
  deleteExperiment(experimentId: string): Promise<void>;
  restoreExperiment(experimentId: string): Promise<void>;
  renameExperiment(experimentId: string, newName: string): Promise<void>;
  setExperimentTag(experimentId: string, key: string, value: string): Promise<void>;
  deleteExperimentTag(experimentId: string, key: string): Promise<void>;

  // runs
  createRun(req: CreateRunRequest): Promise<Run>;
  getRun(runId: string): Promise<Run>;
  updateRun(req: UpdateRunRequest): Promise<RunInfo>;
  deleteRun(runId: string): Promise<void>;
  restoreRun(runId: string): Promise<void>;
  searchRuns(req: SearchRunsRequest): Promise<Page<Run>>;
  logMetric(runId: string, metric: Metric): Promise<void>;
  logParam(runId: string, param: Param): Promise<void>;
  setTag(runId: string, tag: RunTag): Promise<void>;
  deleteTag(runId: string, key: string): Promise<void>;
  logBatch(req: LogBatchRequest): Promise<void>;
  logInputs(runId: string, datasets: DatasetInput[]): Promise<void>;
  getMetricHistory(req: MetricHistoryRequest): Promise<Page<Metric>>;
  getMetricHistoryBulkInterval(req: MetricBulkIntervalRequest): Promise<MetricWithRunId[]>;

  // registry
  createRegisteredModel(name: string, tags?: RegisteredModelTag[], description?: string): Promise<RegisteredModel>;
  renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel>;
  updateRegisteredModel(name: string, description: string): Promise<RegisteredModel>;
  deleteRegisteredModel(name: string): Promise<void>;
  getRegisteredModel(name: string): Promise<RegisteredModel>;
  searchRegisteredModels(req: SearchRegistryRequest): Promise<Page<RegisteredModel>>;
  getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]>;
  setRegisteredModelTag(name: string, key: string, value: string): Promise<void>;
  deleteRegisteredModelTag(name: string, key: string): Promise<void>;
  setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void>;
  deleteRegisteredModelAlias(name: string, alias: string): Promise<void>;
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>;
  createModelVersion(req: CreateModelVersionRequest): Promise<ModelVersion>;
  updateModelVersion(name: string, version: string, description: string): Promise<ModelVersion>;
  transitionModelVersionStage(
    name: string,
    version: string,
    stage: string,
    archiveExistingVersions: boolean,
  ): Promise<ModelVersion>;
  deleteModelVersion(name: string, version: string): Promise<void>;
  getModelVersion(name: string, version: string): Promise<ModelVersion>;
  searchModelVersions(req: SearchRegistryRequest): Promise<Page<ModelVersion>>;
  getModelVersionDownloadUri(name: string, version: string): Promise<string>;
  setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void>;
  deleteModelVersionTag(name: string, version: string, key: string): Promise<void>;
}

/**
 * The one store interface: the data methods plus what only its owner uses (the host, the CLI, or a
 * client over HTTP). The SQLite implementation resolves synchronously-computed results.
 */
export interface TrackingStore extends TrackingCalls {
  /**
   * Optional fast path: a key's whole history (no paging) as the wire JSON array MLflow's
   * get-history returns under `metrics`, built by the store without per-point objects.
   */
  getMetricHistoryJson?(req: { run_id: string; metric_key: string }): Promise<string>;
  /** Subscribe to committed changes; returns the unsubscribe function. */
  onChange(listener: (change: StoreChange) => void): () => void;
  close(): Promise<void>;
}

/** A store method callable by name across a process. */
export type TrackingMethod = keyof TrackingCalls;
/** The arguments of a tracking method, as a tuple. */
export type TrackingArgs<M extends TrackingMethod> = Parameters<TrackingCalls[M]>;
/** What a tracking method resolves to. */
export type TrackingResult<M extends TrackingMethod> = Awaited<ReturnType<TrackingCalls[M]>>;
/** One call as it travels: a method name with arguments of that method's types. */
export type TrackingInvocation = { [M in TrackingMethod]: { method: M; args: TrackingArgs<M> } }[TrackingMethod];
