/**
 * MLflow tracking and registry entities, the error type, and the async store contract.
 *
 * Entities use MLflow's proto JSON field names (snake_case) so the store, the REST routes and the
 * HTTP client all pass the same objects: one shape from SQLite to the wire. int64 fields are JS
 * numbers (ms timestamps fit in 2^53); metric values may be NaN or ±Infinity in memory and are
 * encoded as MLflow encodes them only at the REST edge.
 */
import type { DatasetInput, Experiment, ExperimentTag, Metric, MetricWithRunId, ModelVersion, ModelVersionTag, Page, Param, RegisteredModel, RegisteredModelTag, Run, RunInfo, RunStatus, RunTag, ViewType, StoreChange } from "../protocol.ts";

/** The entities travel in protocol messages, so they are defined there (both sides may import it). */
export type {
  ViewType,
  RunStatus,
  LifecycleStage,
  KeyValue,
  ExperimentTag,
  RunTag,
  Param,
  RegisteredModelTag,
  ModelVersionTag,
  Experiment,
  Metric,
  RunInfo,
  RunData,
  Dataset,
  DatasetInput,
  Run,
  ModelVersionStatus,
  Stage,
  RegisteredModelAlias,
  ModelVersion,
  RegisteredModel,
  Page,
  MetricWithRunId,
} from "../protocol.ts";

/** MLflow error codes this project emits, with their HTTP statuses (mlflow/exceptions.py). */
export const ERROR_HTTP_STATUS = {
  INVALID_PARAMETER_VALUE: 400,
  BAD_REQUEST: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  NOT_FOUND: 404,
  PERMISSION_DENIED: 403,
  UNAUTHENTICATED: 401,
  RESOURCE_CONFLICT: 409,
  REQUEST_LIMIT_EXCEEDED: 429,
  INTERNAL_ERROR: 500,
  INVALID_STATE: 500,
  NOT_IMPLEMENTED: 501,
  TEMPORARILY_UNAVAILABLE: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_HTTP_STATUS;

/** An error MLflow would raise; the REST edge turns it into `{error_code, message}`. */
export class MlflowError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "MlflowError";
    this.code = code;
  }
  get httpStatus(): number {
    return ERROR_HTTP_STATUS[this.code];
  }
}

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

/**
 * The one store interface. Async so a networked backend fits without changing callers;
 * the SQLite implementation resolves synchronously-computed results.
 */
export interface TrackingStore {
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
  /**
   * Optional fast path: a key's whole history (no paging) as the wire JSON array MLflow's
   * get-history returns under `metrics`, built by the store without per-point objects.
   */
  getMetricHistoryJson?(req: { run_id: string; metric_key: string }): Promise<string>;
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

  /** Subscribe to committed changes; returns the unsubscribe function. */
  onChange(listener: (change: StoreChange) => void): () => void;
  close(): Promise<void>;
}
