/**
 * `TrackingStore` over SQL, once for both engines: every method runs the shared operations
 * (experiments, runs, search, registry: query generators, `sql/query.ts`) through the engine's
 * `read` and `write`. An engine subclass supplies those two (one transaction per write, changes
 * published only after commit), its metric history and the dialect; listeners live here.
 */
import type { StoreChange } from "../contract.ts";
import { MAX_RESULTS_PER_RUN, MAX_RUNS_GET_METRIC_HISTORY_BULK } from "../limits.ts";
import { resolveModelVersion } from "../model-uris.ts";
import { Registry, checkNewVersion } from "../registry/registry.ts";
import { checkMaxResults, decodePageToken, encodePageToken } from "../search/index.ts";
import type { SqlDialect, Work } from "../sql/index.ts";
import { MlflowError } from "../types.ts";
import type {
  CreateModelVersionRequest,
  CreateRunRequest,
  DatasetInput,
  Experiment,
  ExperimentTag,
  LogBatchRequest,
  Metric,
  MetricBulkIntervalRequest,
  MetricHistoryRequest,
  MetricWithRunId,
  ModelVersion,
  Page,
  Param,
  RegisteredModel,
  RegisteredModelTag,
  Run,
  RunInfo,
  RunTag,
  SearchExperimentsRequest,
  SearchRegistryRequest,
  SearchRunsRequest,
  TrackingStore,
  UpdateRunRequest,
} from "../types.ts";
import { ExperimentTable } from "./experiments.ts";
import { DEFAULT_SAMPLE_POINTS, samplePoints, type SampleSource } from "./history.ts";
import { RunSearch } from "./run-search.ts";
import { RunTable, type MetricWriter } from "./runs.ts";
import { checkKey } from "./validation.ts";

/** How an engine keeps metric history: appends, pages of it, and what a chart's sample reads. */
export interface MetricHistory extends MetricWriter, SampleSource {
  /** One page of a key's history in step order (`limit` absent: all from `offset`), and whether more follow. */
  page(runId: string, key: string, offset: number, limit?: number): Work<{ items: Metric[]; more: boolean }>;
  /** A key's whole history in step order as the wire JSON array, built by the database. */
  json(runId: string, key: string): Work<string>;
}

/** The store methods over the shared operations; subclasses bind them to an engine. */
export abstract class SqlStore implements TrackingStore {
  private readonly listeners = new Set<(change: StoreChange) => void>();
  protected readonly experiments: ExperimentTable;
  protected readonly runs: RunTable;
  private readonly reads: RunSearch;
  private readonly registry: Registry;

  constructor(
    dialect: SqlDialect,
    defaultArtifactRoot: string,
    private readonly history: MetricHistory,
  ) {
    this.experiments = new ExperimentTable(dialect, defaultArtifactRoot);
    this.runs = new RunTable(this.experiments, history);
    this.reads = new RunSearch(dialect);
    this.registry = new Registry(dialect);
  }


  /**
   * Runs the operation `make` returns in one transaction and publishes the changes it recorded once
   * the commit succeeded. `make` may be called again (a retried transaction) with fresh changes.
   */
  protected abstract write<T>(make: (changes: StoreChange[]) => Work<T>): Promise<T>;
  /** Runs a read-only operation; `snapshot` asks for one consistent view across its queries. */
  protected abstract read<T>(make: () => Work<T>, snapshot?: boolean): Promise<T>;
  /** Closes the engine's connections. */
  protected abstract closeEngine(): Promise<void>;

  // ─── experiments ──────────────────────────────────────────────────────────────────────────────

  /** Creates an experiment and returns its id. */
  createExperiment(name: string, artifactLocation?: string, tags: ExperimentTag[] = []): Promise<string> {
    return this.write((c) => this.experiments.create(name, artifactLocation, tags, c));
  }
  /** The experiment with this id. */
  getExperiment(experimentId: string): Promise<Experiment> {
    return this.read(() => this.experiments.get(experimentId));
  }
  /** The experiment with this name (active or deleted), or null. */
  getExperimentByName(name: string): Promise<Experiment | null> {
    return this.read(() => this.experiments.getByName(name));
  }
  /** One page of experiments by view type, filter and order. */
  searchExperiments(req: SearchExperimentsRequest): Promise<Page<Experiment>> {
    return this.read(() => this.experiments.search(req));
  }
  /** Soft-deletes an experiment with its runs. */
  deleteExperiment(experimentId: string): Promise<void> {
    return this.write((c) => this.experiments.delete(experimentId, c));
  }
  /** Restores a deleted experiment with its runs. */
  restoreExperiment(experimentId: string): Promise<void> {
    return this.write((c) => this.experiments.restore(experimentId, c));
  }
  /** Renames an experiment. */
  renameExperiment(experimentId: string, newName: string): Promise<void> {
    return this.write((c) => this.experiments.renameTo(experimentId, newName, c));
  }
  /** Sets an experiment tag. */
  setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    return this.write((c) => this.experiments.setTag(experimentId, key, value, c));
  }
  /** Deletes an experiment tag. */
  deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    return this.write((c) => this.experiments.deleteTag(experimentId, key, c));
  }

  // ─── runs ─────────────────────────────────────────────────────────────────────────────────────

  /** Creates a run and returns it. */
  async createRun(req: CreateRunRequest): Promise<Run> {
    return this.getRun(await this.write((c) => this.runs.create(req, c)));
  }
  /** The run with its latest metrics, params, tags and inputs. */
  getRun(runId: string): Promise<Run> {
    const runs = this.runs;
    const reads = this.reads;
    return this.read(function* () {
      return (yield* reads.hydrate([yield* runs.row(runId)]))[0]!;
    });
  }
  /** Updates a run's status, end time or name. */
  updateRun(req: UpdateRunRequest): Promise<RunInfo> {
    return this.write((c) => this.runs.updateRun(req, c));
  }
  /** Soft-deletes a run. */
  deleteRun(runId: string): Promise<void> {
    return this.write((c) => this.runs.setLifecycle(runId, "deleted", c));
  }
  /** Restores a deleted run. */
  restoreRun(runId: string): Promise<void> {
    return this.write((c) => this.runs.setLifecycle(runId, "active", c));
  }
  /** One page of runs (see `RunSearch`). */
  searchRuns(req: SearchRunsRequest): Promise<Page<Run>> {
    return this.read(() => this.reads.search(req));
  }
  /** Appends one metric point. */
  logMetric(runId: string, metric: Metric): Promise<void> {
    return this.write((c) => this.runs.logBatch({ run_id: runId, metrics: [metric] }, c));
  }
  /** Logs one immutable param. */
  logParam(runId: string, param: Param): Promise<void> {
    return this.write((c) => this.runs.logBatch({ run_id: runId, params: [param] }, c));
  }
  /** Sets one run tag. */
  setTag(runId: string, tag: RunTag): Promise<void> {
    return this.write((c) => this.runs.logBatch({ run_id: runId, tags: [tag] }, c));
  }
  /** Deletes one run tag. */
  deleteTag(runId: string, key: string): Promise<void> {
    return this.write((c) => this.runs.deleteTag(runId, key, c));
  }
  /** Logs metrics, params and tags in one transaction. */
  logBatch(req: LogBatchRequest): Promise<void> {
    return this.write((c) => this.runs.logBatch(req, c));
  }
  /** Records dataset inputs of a run. */
  logInputs(runId: string, datasets: DatasetInput[]): Promise<void> {
    return this.write((c) => this.runs.logInputs(runId, datasets, c));
  }

  /** A key's history in step order, paged when max_results is given. */
  getMetricHistory(req: MetricHistoryRequest): Promise<Page<Metric>> {
    const { runs, history } = this;
    return this.read(function* () {
      yield* runs.row(req.run_id);
      checkKey("metric", req.metric_key);
      if (req.max_results !== undefined) checkMaxResults(req.max_results, Number.MAX_SAFE_INTEGER);
      const offset = decodePageToken(req.page_token);
      const { items, more } = yield* history.page(req.run_id, req.metric_key, offset, req.max_results);
      return more ? { items, next_page_token: encodePageToken(offset + items.length) } : { items };
    });
  }

  /** A key's whole history as wire JSON text, built in SQL (see `TrackingStore.getMetricHistoryJson`). */
  getMetricHistoryJson(req: { run_id: string; metric_key: string }): Promise<string> {
    const { runs, history } = this;
    return this.read(function* () {
      yield* runs.row(req.run_id);
      checkKey("metric", req.metric_key);
      return yield* history.json(req.run_id, req.metric_key);
    });
  }

  /** A min/max-preserving sample of each run's history of one key, runs in the order given. */
  getMetricHistoryBulkInterval(req: MetricBulkIntervalRequest): Promise<MetricWithRunId[]> {
    const { runs, history } = this;
    return this.read(function* () {
      const { runIds, start, end, max } = checkBulkInterval(req);
      for (const id of runIds) yield* runs.row(id);
      const sample: MetricWithRunId[] = [];
      for (const id of runIds) sample.push(...(yield* samplePoints(history, id, req.metric_key, start, end, max)));
      return sample;
    }, true);
  }

  // ─── registry ─────────────────────────────────────────────────────────────────────────────────

  /** See `Registry.createRegisteredModel`. */
  createRegisteredModel(name: string, tags: RegisteredModelTag[] = [], description?: string): Promise<RegisteredModel> {
    return this.write((c) => this.registry.createRegisteredModel(name, tags, description, c));
  }
  /** See `Registry.renameRegisteredModel`. */
  renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    return this.write((c) => this.registry.renameRegisteredModel(name, newName, c));
  }
  /** See `Registry.updateRegisteredModel`. */
  updateRegisteredModel(name: string, description: string): Promise<RegisteredModel> {
    return this.write((c) => this.registry.updateRegisteredModel(name, description, c));
  }
  /** See `Registry.deleteRegisteredModel`. */
  deleteRegisteredModel(name: string): Promise<void> {
    return this.write((c) => this.registry.deleteRegisteredModel(name, c));
  }
  /** See `Registry.getRegisteredModel`. */
  getRegisteredModel(name: string): Promise<RegisteredModel> {
    return this.read(() => this.registry.getRegisteredModel(name));
  }
  /** See `Registry.searchRegisteredModels`. */
  searchRegisteredModels(req: SearchRegistryRequest): Promise<Page<RegisteredModel>> {
    return this.read(() => this.registry.searchRegisteredModels(req));
  }
  /** See `Registry.getLatestVersions`. */
  getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]> {
    return this.read(() => this.registry.getLatestVersions(name, stages));
  }
  /** See `Registry.setRegisteredModelTag`. */
  setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
    return this.write((c) => this.registry.setRegisteredModelTag(name, key, value, c));
  }
  /** See `Registry.deleteRegisteredModelTag`. */
  deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    return this.write((c) => this.registry.deleteRegisteredModelTag(name, key, c));
  }
  /** See `Registry.setRegisteredModelAlias`. */
  setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void> {
    return this.write((c) => this.registry.setRegisteredModelAlias(name, alias, version, c));
  }
  /** See `Registry.deleteRegisteredModelAlias`. */
  deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    return this.write((c) => this.registry.deleteRegisteredModelAlias(name, alias, c));
  }
  /** See `Registry.getModelVersionByAlias`. */
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return this.read(() => this.registry.getModelVersionByAlias(name, alias));
  }
  /**
   * See `Registry.createModelVersion`. A `models:/` source is resolved to that version's storage
   * location first, which `getModelVersionDownloadUri` then returns.
   */
  async createModelVersion(req: CreateModelVersionRequest): Promise<ModelVersion> {
    checkNewVersion(req);
    const storage = /^models:/i.test(req.source) ? await this.storageOf(req.source) : req.source;
    return this.write((c) => this.registry.createModelVersion(req, storage, c));
  }
  /** See `Registry.updateModelVersion`. */
  updateModelVersion(name: string, version: string, description: string): Promise<ModelVersion> {
    return this.write((c) => this.registry.updateModelVersion(name, version, description, c));
  }
  /** See `Registry.transitionModelVersionStage`. */
  transitionModelVersionStage(name: string, version: string, stage: string, archiveExistingVersions: boolean): Promise<ModelVersion> {
    return this.write((c) => this.registry.transitionModelVersionStage(name, version, stage, archiveExistingVersions, c));
  }
  /** See `Registry.deleteModelVersion`. */
  deleteModelVersion(name: string, version: string): Promise<void> {
    return this.write((c) => this.registry.deleteModelVersion(name, version, c));
  }
  /** See `Registry.getModelVersion`. */
  getModelVersion(name: string, version: string): Promise<ModelVersion> {
    return this.read(() => this.registry.getModelVersion(name, version));
  }
  /** See `Registry.searchModelVersions`. */
  searchModelVersions(req: SearchRegistryRequest): Promise<Page<ModelVersion>> {
    return this.read(() => this.registry.searchModelVersions(req));
  }
  /** See `Registry.getModelVersionDownloadUri`. */
  getModelVersionDownloadUri(name: string, version: string): Promise<string> {
    return this.read(() => this.registry.getModelVersionDownloadUri(name, version));
  }
  /** See `Registry.setModelVersionTag`. */
  setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void> {
    return this.write((c) => this.registry.setModelVersionTag(name, version, key, value, c));
  }
  /** See `Registry.deleteModelVersionTag`. */
  deleteModelVersionTag(name: string, version: string, key: string): Promise<void> {
    return this.write((c) => this.registry.deleteModelVersionTag(name, version, key, c));
  }

  // ─── events and lifetime ──────────────────────────────────────────────────────────────────────

  /** Subscribes to committed changes; returns the unsubscribe function. */
  onChange(listener: (change: StoreChange) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Closes the connections; the store is unusable afterwards. */
  async close(): Promise<void> {
    this.listeners.clear();
    await this.closeEngine();
  }

  /** Hands committed changes to every listener. */
  protected emit(changes: readonly StoreChange[]): void {
    for (const change of changes) {
      for (const listener of [...this.listeners]) {
        try {
          listener(change);
        } catch (e) {
          // A broken subscriber must not turn a committed write into a reported failure.
          console.error("tracking store change listener failed:", e);
        }
      }
    }
  }

  /** The download location a `models:/` source stands for, resolved through this store's registry. */
  private async storageOf(source: string): Promise<string> {
    try {
      const target = await resolveModelVersion(this, source);
      return await this.getModelVersionDownloadUri(target.name, target.version);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      throw new MlflowError("INVALID_PARAMETER_VALUE", `Unable to fetch model from model URI source artifact location '${source}'. Error: ${reason}`);
    }
  }
}

/** Checks a bulk-interval request with MLflow's messages; the step range defaults to everything. */
function checkBulkInterval(req: MetricBulkIntervalRequest): { runIds: string[]; start: number; end: number; max: number } {
  const runIds = req.run_ids ?? [];
  if (runIds.length === 0) throw new MlflowError("INVALID_PARAMETER_VALUE", "GetMetricHistoryBulkInterval request must specify at least one run_id.");
  if (runIds.length > MAX_RUNS_GET_METRIC_HISTORY_BULK) {
    throw new MlflowError(
      "INVALID_PARAMETER_VALUE",
      `GetMetricHistoryBulkInterval request must specify at most ${MAX_RUNS_GET_METRIC_HISTORY_BULK} run_ids. Received ${runIds.length} run_ids.`,
    );
  }
  checkKey("metric", req.metric_key);
  const max = req.max_results ?? DEFAULT_SAMPLE_POINTS;
  if (!Number.isInteger(max) || max < 1 || max > MAX_RESULTS_PER_RUN) {
    throw new MlflowError("INVALID_PARAMETER_VALUE", `max_results must be between 1 and ${MAX_RESULTS_PER_RUN}.`);
  }
  const start = req.start_step ?? Number.MIN_SAFE_INTEGER;
  const end = req.end_step ?? Number.MAX_SAFE_INTEGER;
  if (start > end) {
    throw new MlflowError("INVALID_PARAMETER_VALUE", `end_step must be greater than start_step. Found start_step=${start} and end_step=${end}.`);
  }
  return { runIds, start, end, max };
}
