/**
 * `MlflowClient`: MLflow's lower-level client (`mlflow.MlflowClient`) in camelCase, over any
 * TrackingStore. Unlike the fluent API it keeps no active run: every call names its run or model.
 * Tags arrive as plain records, as in Python; searches return arrays of entities.
 */
import { SEARCH_MAX_RESULTS_DEFAULT } from "../limits.ts";
import type { Experiment, Metric, ModelVersion, RegisteredModel, Run, RunInfo, RunStatus, TrackingStore, ViewType } from "../types.ts";
import { logArtifactFile, logArtifactTree, writeArtifact, type ArtifactTransport } from "./artifacts.ts";
import { allPages } from "../pages.ts";

function entries(record: Record<string, unknown> = {}): { key: string; value: string }[] {
  return Object.entries(record).map(([key, value]) => ({ key, value: String(value) }));
}

/** Options shared by the registry searches. */
export interface RegistrySearchOptions {
  filterString?: string;
  maxResults?: number;
  orderBy?: string[];
}


/** MLflow's client class over a store. */
export class MlflowClient {
  constructor(
    /** The store every call goes to. */
    readonly store: TrackingStore,
    private readonly transport: ArtifactTransport = {},
  ) {}

  // ─── tracking ───────────────────────────────────────────────────────────────────────────────
  /** Creates an experiment; returns its id. */
  createExperiment(name: string, artifactLocation?: string, tags?: Record<string, string>): Promise<string> {
    return this.store.createExperiment(name, artifactLocation, entries(tags));
  }
  /** One experiment by id. */
  getExperiment(experimentId: string): Promise<Experiment> {
    return this.store.getExperiment(experimentId);
  }
  /** One experiment by name, or null. */
  getExperimentByName(name: string): Promise<Experiment | null> {
    return this.store.getExperimentByName(name);
  }
  /** Experiments matching a filter (all pages up to maxResults). */
  searchExperiments(opts: { viewType?: ViewType; maxResults?: number; filterString?: string; orderBy?: string[] } = {}): Promise<Experiment[]> {
    return allPages(opts.maxResults, (page_token) =>
      this.store.searchExperiments({ view_type: opts.viewType, max_results: opts.maxResults, filter: opts.filterString, order_by: opts.orderBy, page_token }),
    );
  }
  /** Soft-deletes an experiment. */
  deleteExperiment(experimentId: string): Promise<void> {
    return this.store.deleteExperiment(experimentId);
  }
  /** Restores a deleted experiment. */
  restoreExperiment(experimentId: string): Promise<void> {
    return this.store.restoreExperiment(experimentId);
  }
  /** Renames an experiment. */
  renameExperiment(experimentId: string, newName: string): Promise<void> {
    return this.store.renameExperiment(experimentId, newName);
  }
  /** Sets an experiment tag. */
  setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    return this.store.setExperimentTag(experimentId, key, value);
  }
  /** Creates a run (RUNNING). */
  createRun(experimentId: string, opts: { startTime?: number; tags?: Record<string, string>; runName?: string } = {}): Promise<Run> {
    const tags = { ...opts.tags, ...(opts.runName ? { "mlflow.runName": opts.runName } : {}) };
    return this.store.createRun({ experiment_id: experimentId, start_time: opts.startTime ?? Date.now(), run_name: opts.runName, tags: entries(tags) });
  }
  /** One run. */
  getRun(runId: string): Promise<Run> {
    return this.store.getRun(runId);
  }
  /** Updates a run's status, end time or name. */
  updateRun(runId: string, opts: { status?: RunStatus; endTime?: number; name?: string } = {}): Promise<RunInfo> {
    return this.store.updateRun({ run_id: runId, status: opts.status, end_time: opts.endTime, run_name: opts.name });
  }
  /** Ends a run with a status (FINISHED by default). */
  async setTerminated(runId: string, status: RunStatus = "FINISHED", endTime = Date.now()): Promise<void> {
    await this.store.updateRun({ run_id: runId, status, end_time: endTime });
  }
  /** Soft-deletes a run. */
  deleteRun(runId: string): Promise<void> {
    return this.store.deleteRun(runId);
  }
  /** Restores a deleted run. */
  restoreRun(runId: string): Promise<void> {
    return this.store.restoreRun(runId);
  }
  /** Runs matching a filter (all pages up to maxResults, by default MLflow's `SEARCH_MAX_RESULTS_DEFAULT`). */
  searchRuns(
    experimentIds: string[],
    opts: { filterString?: string; runViewType?: ViewType; maxResults?: number; orderBy?: string[] } = {},
  ): Promise<Run[]> {
    const maxResults = opts.maxResults ?? SEARCH_MAX_RESULTS_DEFAULT;
    return allPages(maxResults, (page_token) =>
      this.store.searchRuns({ experiment_ids: experimentIds, filter: opts.filterString, run_view_type: opts.runViewType, max_results: maxResults, order_by: opts.orderBy, page_token }),
    );
  }
  /** Logs one metric point now (no buffering). */
  logMetric(runId: string, key: string, value: number, opts: { timestamp?: number; step?: number } = {}): Promise<void> {
    return this.store.logMetric(runId, { key, value, timestamp: opts.timestamp ?? Date.now(), step: opts.step ?? 0 });
  }
  /** Logs one param. */
  logParam(runId: string, key: string, value: unknown): Promise<void> {
    return this.store.logParam(runId, { key, value: String(value) });
  }
  /** Sets one run tag. */
  setTag(runId: string, key: string, value: unknown): Promise<void> {
    return this.store.setTag(runId, { key, value: String(value) });
  }
  /** Deletes one run tag. */
  deleteTag(runId: string, key: string): Promise<void> {
    return this.store.deleteTag(runId, key);
  }
  /** Logs metrics, params and tags in one call (MLflow's limits apply). */
  logBatch(runId: string, batch: { metrics?: Metric[]; params?: { key: string; value: string }[]; tags?: { key: string; value: string }[] }): Promise<void> {
    return this.store.logBatch({ run_id: runId, ...batch });
  }
  /** Every point of one metric of a run. */
  getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    return allPages(undefined, (page_token) => this.store.getMetricHistory({ run_id: runId, metric_key: key, page_token }));
  }
  /** Copies a local file into a run's artifacts. */
  async logArtifact(runId: string, localPath: string, artifactPath?: string): Promise<void> {
    await logArtifactFile((await this.store.getRun(runId)).info.artifact_uri, localPath, artifactPath, this.transport);
  }
  /** Copies a local folder's contents into a run's artifacts. */
  async logArtifacts(runId: string, localDir: string, artifactPath?: string): Promise<void> {
    await logArtifactTree((await this.store.getRun(runId)).info.artifact_uri, localDir, artifactPath, this.transport);
  }
  /** Writes text to a run artifact file. */
  async logText(runId: string, text: string, artifactFile: string): Promise<void> {
    await writeArtifact((await this.store.getRun(runId)).info.artifact_uri, artifactFile, text, this.transport);
  }

  // ─── registry ───────────────────────────────────────────────────────────────────────────────
  /** Creates a registered model. */
  createRegisteredModel(name: string, tags?: Record<string, string>, description?: string): Promise<RegisteredModel> {
    return this.store.createRegisteredModel(name, entries(tags), description);
  }
  /** Renames a registered model. */
  renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    return this.store.renameRegisteredModel(name, newName);
  }
  /** Sets a registered model's description. */
  updateRegisteredModel(name: string, description: string): Promise<RegisteredModel> {
    return this.store.updateRegisteredModel(name, description);
  }
  /** Deletes a registered model and its versions. */
  deleteRegisteredModel(name: string): Promise<void> {
    return this.store.deleteRegisteredModel(name);
  }
  /** One registered model. */
  getRegisteredModel(name: string): Promise<RegisteredModel> {
    return this.store.getRegisteredModel(name);
  }
  /** Registered models matching a filter. */
  searchRegisteredModels(opts: RegistrySearchOptions = {}): Promise<RegisteredModel[]> {
    return allPages(opts.maxResults, (page_token) =>
      this.store.searchRegisteredModels({ filter: opts.filterString, max_results: opts.maxResults, order_by: opts.orderBy, page_token }),
    );
  }
  /** The latest version per stage (all stages, or the ones named). */
  getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]> {
    return this.store.getLatestVersions(name, stages);
  }
  /** Sets a registered model tag. */
  setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
    return this.store.setRegisteredModelTag(name, key, value);
  }
  /** Deletes a registered model tag. */
  deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    return this.store.deleteRegisteredModelTag(name, key);
  }
  /** Points an alias at a version (moving it if it pointed elsewhere). */
  setRegisteredModelAlias(name: string, alias: string, version: string | number): Promise<void> {
    return this.store.setRegisteredModelAlias(name, alias, String(version));
  }
  /** Removes an alias. */
  deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    return this.store.deleteRegisteredModelAlias(name, alias);
  }
  /** The version an alias points at. */
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return this.store.getModelVersionByAlias(name, alias);
  }
  /** Creates a model version from a source URI. */
  createModelVersion(
    name: string,
    source: string,
    opts: { runId?: string; tags?: Record<string, string>; runLink?: string; description?: string } = {},
  ): Promise<ModelVersion> {
    return this.store.createModelVersion({ name, source, run_id: opts.runId, tags: entries(opts.tags), run_link: opts.runLink, description: opts.description });
  }
  /** One model version. */
  getModelVersion(name: string, version: string | number): Promise<ModelVersion> {
    return this.store.getModelVersion(name, String(version));
  }
  /** Sets a model version's description. */
  updateModelVersion(name: string, version: string | number, description: string): Promise<ModelVersion> {
    return this.store.updateModelVersion(name, String(version), description);
  }
  /** Moves a version to a stage (None, Staging, Production, Archived); optionally archives the stage's others. */
  transitionModelVersionStage(name: string, version: string | number, stage: string, archiveExistingVersions = false): Promise<ModelVersion> {
    return this.store.transitionModelVersionStage(name, String(version), stage, archiveExistingVersions);
  }
  /** Deletes a model version. */
  deleteModelVersion(name: string, version: string | number): Promise<void> {
    return this.store.deleteModelVersion(name, String(version));
  }
  /** Model versions matching a filter. */
  searchModelVersions(opts: RegistrySearchOptions = {}): Promise<ModelVersion[]> {
    return allPages(opts.maxResults, (page_token) =>
      this.store.searchModelVersions({ filter: opts.filterString, max_results: opts.maxResults, order_by: opts.orderBy, page_token }),
    );
  }
  /** Where a version's files are. */
  getModelVersionDownloadUri(name: string, version: string | number): Promise<string> {
    return this.store.getModelVersionDownloadUri(name, String(version));
  }
  /** Sets a model version tag. */
  setModelVersionTag(name: string, version: string | number, key: string, value: string): Promise<void> {
    return this.store.setModelVersionTag(name, String(version), key, value);
  }
  /** Deletes a model version tag. */
  deleteModelVersionTag(name: string, version: string | number, key: string): Promise<void> {
    return this.store.deleteModelVersionTag(name, String(version), key);
  }
}
