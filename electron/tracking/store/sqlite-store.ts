/**
 * The embedded tracking store: one better-sqlite3 connection in WAL mode, the only writer of the
 * database. Every write runs in one transaction; change events go to listeners only after commit,
 * and a listener that throws cannot undo or break the write. Registry calls go to `SqliteRegistry`
 * on the same connection.
 */
import Database from "better-sqlite3";
import type { StoreChange } from "../contract.ts";
import { SqliteRegistry } from "../registry/index.ts";
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
import { MAX_RESULTS_PER_RUN, MAX_RUNS_GET_METRIC_HISTORY_BULK } from "../limits.ts";
import { checkMaxResults, decodePageToken, encodePageToken } from "../search/index.ts";
import { migrate } from "../sql/index.ts";
import { ExperimentTable } from "./experiments.ts";
import { startCheckpointer, type Checkpointer } from "./checkpointer.ts";
import { DEFAULT_SAMPLE_POINTS, MetricTable } from "./metrics.ts";
import { RunSearch } from "./run-search.ts";
import { RunTable } from "./runs.ts";
import { TRACKING_MIGRATIONS } from "./schema.ts";
import { checkKey } from "./validation.ts";

/** Where the database lives and where new experiments put artifacts. */
export interface SqliteStoreOptions {
  /** A file path, or ':memory:' for a throwaway store. */
  path: string;
  /** URI under which experiment `<id>` gets `<root>/<id>` (e.g. 'mlflow-artifacts:/' or 'file:///abs/dir'). */
  defaultArtifactRoot: string;
}

/** `TrackingStore` on SQLite. */
export class SqliteStore implements TrackingStore {
  private readonly listeners = new Set<(change: StoreChange) => void>();
  private readonly experiments: ExperimentTable;
  private readonly metrics: MetricTable;
  private readonly runs: RunTable;
  private readonly reads: RunSearch;
  private readonly registry: SqliteRegistry;
  private readonly checkpointer: Checkpointer | undefined;

  private constructor(
    private readonly db: Database.Database,
    defaultArtifactRoot: string,
    wal: boolean,
  ) {
    migrate(db, "tracking", TRACKING_MIGRATIONS);
    this.experiments = new ExperimentTable(db, defaultArtifactRoot);
    this.metrics = new MetricTable(db);
    this.runs = new RunTable(db, this.experiments, this.metrics);
    this.reads = new RunSearch(db);
    db.transaction(() => this.experiments.ensureDefault())();
    this.registry = new SqliteRegistry(db, (change) => this.emit([change]));
    // Last, so a failed migration leaves no thread behind. A store in memory has no WAL.
    this.checkpointer = wal ? startCheckpointer(db, db.name) : undefined;
  }

  /** Opens (creating and migrating as needed) the database at `options.path`. */
  static async open(options: SqliteStoreOptions): Promise<SqliteStore> {
    const db = new Database(options.path);
    try {
      // WAL lets readers (other processes, the CLI) proceed while the host writes; busy_timeout
      // waits out a concurrent checkpoint instead of failing with "database is locked".
      const wal = db.pragma("journal_mode = WAL", { simple: true }) === "wal";
      db.pragma("busy_timeout = 5000");
      db.pragma("foreign_keys = ON");
      // In WAL mode NORMAL still writes each commit to the WAL file before the call returns, so an
      // acknowledged write survives a crash of this process; only an OS crash or power cut can drop
      // the last commits, which FULL would prevent with an fsync per commit.
      db.pragma("synchronous = NORMAL");
      return new SqliteStore(db, options.defaultArtifactRoot, wal);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  // ─── experiments ──────────────────────────────────────────────────────────────────────────────

  /** Creates an experiment and returns its id. */
  async createExperiment(name: string, artifactLocation?: string, tags: ExperimentTag[] = []): Promise<string> {
    return this.write((c) => this.experiments.create(name, artifactLocation, tags, c));
  }
  /** The experiment with this id. */
  async getExperiment(experimentId: string): Promise<Experiment> {
    return this.experiments.get(experimentId);
  }
  /** The experiment with this name (active or deleted), or null. */
  async getExperimentByName(name: string): Promise<Experiment | null> {
    return this.experiments.getByName(name);
  }
  /** One page of experiments by view type, filter and order. */
  async searchExperiments(req: SearchExperimentsRequest): Promise<Page<Experiment>> {
    return this.experiments.search(req);
  }
  /** Soft-deletes an experiment with its runs. */
  async deleteExperiment(experimentId: string): Promise<void> {
    this.write((c) => this.experiments.delete(experimentId, c));
  }
  /** Restores a deleted experiment with its runs. */
  async restoreExperiment(experimentId: string): Promise<void> {
    this.write((c) => this.experiments.restore(experimentId, c));
  }
  /** Renames an experiment. */
  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    this.write((c) => this.experiments.renameTo(experimentId, newName, c));
  }
  /** Sets an experiment tag. */
  async setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    this.write((c) => this.experiments.setTag(experimentId, key, value, c));
  }
  /** Deletes an experiment tag. */
  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    this.write((c) => this.experiments.deleteTag(experimentId, key, c));
  }

  // ─── runs ─────────────────────────────────────────────────────────────────────────────────────

  /** Creates a run and returns it. */
  async createRun(req: CreateRunRequest): Promise<Run> {
    const runId = this.write((c) => this.runs.create(req, c));
    return this.getRunNow(runId);
  }
  /** The run with its latest metrics, params, tags and inputs. */
  async getRun(runId: string): Promise<Run> {
    return this.getRunNow(runId);
  }
  /** Updates a run's status, end time or name. */
  async updateRun(req: UpdateRunRequest): Promise<RunInfo> {
    return this.write((c) => this.runs.updateRun(req, c));
  }
  /** Soft-deletes a run. */
  async deleteRun(runId: string): Promise<void> {
    this.write((c) => this.runs.setLifecycle(runId, "deleted", c));
  }
  /** Restores a deleted run. */
  async restoreRun(runId: string): Promise<void> {
    this.write((c) => this.runs.setLifecycle(runId, "active", c));
  }
  /** One page of runs (see `RunSearch`). */
  async searchRuns(req: SearchRunsRequest): Promise<Page<Run>> {
    return this.reads.search(req);
  }
  /** Appends one metric point. */
  async logMetric(runId: string, metric: Metric): Promise<void> {
    this.write((c) => this.runs.logBatch({ run_id: runId, metrics: [metric] }, c));
  }
  /** Logs one immutable param. */
  async logParam(runId: string, param: Param): Promise<void> {
    this.write((c) => this.runs.logBatch({ run_id: runId, params: [param] }, c));
  }
  /** Sets one run tag. */
  async setTag(runId: string, tag: RunTag): Promise<void> {
    this.write((c) => this.runs.logBatch({ run_id: runId, tags: [tag] }, c));
  }
  /** Deletes one run tag. */
  async deleteTag(runId: string, key: string): Promise<void> {
    this.write((c) => this.runs.deleteTag(runId, key, c));
  }
  /** Logs metrics, params and tags in one transaction. */
  async logBatch(req: LogBatchRequest): Promise<void> {
    this.write((c) => this.runs.logBatch(req, c));
  }
  /** Records dataset inputs of a run. */
  async logInputs(runId: string, datasets: DatasetInput[]): Promise<void> {
    this.write((c) => this.runs.logInputs(runId, datasets, c));
  }

  /** A key's history in step order, paged when max_results is given. */
  async getMetricHistory(req: MetricHistoryRequest): Promise<Page<Metric>> {
    this.runs.row(req.run_id);
    checkKey("metric", req.metric_key);
    if (req.max_results !== undefined) checkMaxResults(req.max_results, Number.MAX_SAFE_INTEGER);
    const offset = decodePageToken(req.page_token);
    const { items, more } = this.metrics.page(req.run_id, req.metric_key, offset, req.max_results);
    return more ? { items, next_page_token: encodePageToken(offset + items.length) } : { items };
  }

  /** A key's whole history as wire JSON text (see `TrackingStore.getMetricHistoryJson`). */
  async getMetricHistoryJson(req: { run_id: string; metric_key: string }): Promise<string> {
    this.runs.row(req.run_id);
    checkKey("metric", req.metric_key);
    return this.metrics.historyText(req.run_id, req.metric_key);
  }

  /** A min/max-preserving sample of each run's history of one key, runs in the order given. */
  async getMetricHistoryBulkInterval(req: MetricBulkIntervalRequest): Promise<MetricWithRunId[]> {
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
    for (const id of runIds) this.runs.row(id);
    return this.db.transaction(() => runIds.flatMap((id) => this.metrics.sample(id, req.metric_key, start, end, max)))();
  }

  // ─── registry (delegated) ─────────────────────────────────────────────────────────────────────

  /** See `SqliteRegistry.createRegisteredModel`. */
  createRegisteredModel(name: string, tags?: RegisteredModelTag[], description?: string): Promise<RegisteredModel> {
    return this.registry.createRegisteredModel(name, tags, description);
  }
  /** See `SqliteRegistry.renameRegisteredModel`. */
  renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    return this.registry.renameRegisteredModel(name, newName);
  }
  /** See `SqliteRegistry.updateRegisteredModel`. */
  updateRegisteredModel(name: string, description: string): Promise<RegisteredModel> {
    return this.registry.updateRegisteredModel(name, description);
  }
  /** See `SqliteRegistry.deleteRegisteredModel`. */
  deleteRegisteredModel(name: string): Promise<void> {
    return this.registry.deleteRegisteredModel(name);
  }
  /** See `SqliteRegistry.getRegisteredModel`. */
  getRegisteredModel(name: string): Promise<RegisteredModel> {
    return this.registry.getRegisteredModel(name);
  }
  /** See `SqliteRegistry.searchRegisteredModels`. */
  searchRegisteredModels(req: SearchRegistryRequest): Promise<Page<RegisteredModel>> {
    return this.registry.searchRegisteredModels(req);
  }
  /** See `SqliteRegistry.getLatestVersions`. */
  getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]> {
    return this.registry.getLatestVersions(name, stages);
  }
  /** See `SqliteRegistry.setRegisteredModelTag`. */
  setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
    return this.registry.setRegisteredModelTag(name, key, value);
  }
  /** See `SqliteRegistry.deleteRegisteredModelTag`. */
  deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    return this.registry.deleteRegisteredModelTag(name, key);
  }
  /** See `SqliteRegistry.setRegisteredModelAlias`. */
  setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void> {
    return this.registry.setRegisteredModelAlias(name, alias, version);
  }
  /** See `SqliteRegistry.deleteRegisteredModelAlias`. */
  deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    return this.registry.deleteRegisteredModelAlias(name, alias);
  }
  /** See `SqliteRegistry.getModelVersionByAlias`. */
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return this.registry.getModelVersionByAlias(name, alias);
  }
  /** See `SqliteRegistry.createModelVersion`. */
  createModelVersion(req: CreateModelVersionRequest): Promise<ModelVersion> {
    return this.registry.createModelVersion(req);
  }
  /** See `SqliteRegistry.updateModelVersion`. */
  updateModelVersion(name: string, version: string, description: string): Promise<ModelVersion> {
    return this.registry.updateModelVersion(name, version, description);
  }
  /** See `SqliteRegistry.transitionModelVersionStage`. */
  transitionModelVersionStage(name: string, version: string, stage: string, archiveExistingVersions: boolean): Promise<ModelVersion> {
    return this.registry.transitionModelVersionStage(name, version, stage, archiveExistingVersions);
  }
  /** See `SqliteRegistry.deleteModelVersion`. */
  deleteModelVersion(name: string, version: string): Promise<void> {
    return this.registry.deleteModelVersion(name, version);
  }
  /** See `SqliteRegistry.getModelVersion`. */
  getModelVersion(name: string, version: string): Promise<ModelVersion> {
    return this.registry.getModelVersion(name, version);
  }
  /** See `SqliteRegistry.searchModelVersions`. */
  searchModelVersions(req: SearchRegistryRequest): Promise<Page<ModelVersion>> {
    return this.registry.searchModelVersions(req);
  }
  /** See `SqliteRegistry.getModelVersionDownloadUri`. */
  getModelVersionDownloadUri(name: string, version: string): Promise<string> {
    return this.registry.getModelVersionDownloadUri(name, version);
  }
  /** See `SqliteRegistry.setModelVersionTag`. */
  setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void> {
    return this.registry.setModelVersionTag(name, version, key, value);
  }
  /** See `SqliteRegistry.deleteModelVersionTag`. */
  deleteModelVersionTag(name: string, version: string, key: string): Promise<void> {
    return this.registry.deleteModelVersionTag(name, version, key);
  }

  // ─── events and lifetime ──────────────────────────────────────────────────────────────────────

  /** Subscribes to committed changes; returns the unsubscribe function. */
  onChange(listener: (change: StoreChange) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Closes the connection; the store is unusable afterwards. */
  async close(): Promise<void> {
    this.listeners.clear();
    await this.checkpointer?.stop();
    if (this.db.open) this.db.close();
  }

  /** Runs `fn` in one transaction and publishes what it recorded once the commit succeeded. */
  /** One transaction wrapper for every write: better-sqlite3 builds a wrapper per `transaction()` call. */
  private transact?: (fn: (changes: StoreChange[]) => unknown, changes: StoreChange[]) => unknown;

  private write<T>(fn: (changes: StoreChange[]) => T): T {
    const changes: StoreChange[] = [];
    this.transact ??= this.db.transaction((f: (c: StoreChange[]) => unknown, c: StoreChange[]) => f(c));
    const result = this.transact(fn, changes) as T;
    this.emit(changes);
    return result;
  }

  private emit(changes: StoreChange[]): void {
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

  private getRunNow(runId: string): Run {
    return this.reads.hydrate([this.runs.row(runId)])[0]!;
  }
}
