/**
 * The fluent tracking API with MLflow's Python names in camelCase (`mlflow.start_run` →
 * `startRun`, …), over any TrackingStore: the embedded SQLite store, an HTTP server, or the kernel's
 * proxy to the host. Given a URI it opens `http(s)://` stores itself; a process that owns a SQLite
 * database passes the opener that knows it. One instance keeps the active experiment, the stack of active runs and the
 * metric buffer.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import { MAX_PARAMS_TAGS_PER_BATCH, SEARCH_MAX_RESULTS_PANDAS, SEARCH_MAX_RESULTS_THRESHOLD } from "../limits.ts";
import { MlflowError, type Experiment, type Metric, type ModelVersion, type Run, type RunStatus, type TrackingStore, type ViewType } from "../types.ts";
import { downloadArtifactTree, logArtifactFile, logArtifactTree, writeArtifact, type ArtifactTransport } from "./artifacts.ts";
import { parseRunsUri } from "../model-uris.ts";
import { HttpStore } from "./http-store.ts";
import { MetricBuffer } from "./metric-buffer.ts";
import { MlflowClient } from "./mlflow-client.ts";
import { isHttpUri, openHttpStore, type StoreOpener } from "./store-uri.ts";
import { runsToRows, type RunRow } from "./search-rows.ts";
import { allPages } from "../pages.ts";

const DONE: Promise<void> = Promise.resolve();

/** Options of `startRun`, as `mlflow.start_run`'s keyword arguments. */
export interface StartRunOptions {
  runId?: string;
  experimentId?: string;
  runName?: string;
  nested?: boolean;
  tags?: Record<string, string>;
  description?: string;
}

/** Options of `searchRuns`, as `mlflow.search_runs`'s keyword arguments. */
export interface SearchRunsOptions {
  experimentIds?: string[];
  experimentNames?: string[];
  filterString?: string;
  runViewType?: ViewType;
  maxResults?: number;
  orderBy?: string[];
}

/** Options for `logMetric(s)`. */
export interface MetricOptions {
  step?: number;
  timestamp?: number;
  runId?: string;
}

/** Splits a list into chunks of at most `size`. */
function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function entries(record: Record<string, unknown>): { key: string; value: string }[] {
  return Object.entries(record).map(([key, value]) => ({ key, value: String(value) }));
}

/**
 * Creates a fluent API bound to a store or a tracking URI; `open` turns URIs (the first one, and
 * `setTrackingUri`'s) into stores: by default `http(s)://` only (see store-uri.ts). `where.storeUri`
 * is the URI a given store answers for (the kernel's host database), so `getTrackingUri` and error
 * messages can name it; `where.artifactsDestination` is the folder behind that store's
 * `mlflow-artifacts:` roots, written directly since no tracking server stands in between.
 */
export function createMlflow(
  storeOrUri: TrackingStore | string,
  open: StoreOpener = openHttpStore,
  where: { storeUri?: string; artifactsDestination?: string } = {},
) {
  let store: TrackingStore;
  let trackingUri: string | undefined;
  let ownsStore = false;
  let experimentId: string | undefined;
  const runs: Run[] = [];
  const buffer = new MetricBuffer(() => store);

  async function use(target: TrackingStore | string): Promise<void> {
    if (ownsStore) await store.close();
    if (typeof target === "string") {
      // An HTTP store is ready at once, so `new mlflow.MlflowClient()` works without awaiting.
      const opened = isHttpUri(target) ? { store: new HttpStore(target), owned: true } : await open(target);
      store = opened.store;
      trackingUri = target;
      ownsStore = opened.owned;
    } else {
      store = target;
      trackingUri = where.storeUri;
      ownsStore = false;
    }
  }
  const ready = use(storeOrUri);
  // A bad URI rejects every later call; it must not also surface as an unhandled rejection now.
  ready.catch(() => {});

  function transport(): ArtifactTransport {
    return { trackingUrl: trackingUri && isHttpUri(trackingUri) ? trackingUri : undefined, artifactsDestination: where.artifactsDestination };
  }

  async function currentExperimentId(): Promise<string> {
    await ready;
    return experimentId ?? process.env.MLFLOW_EXPERIMENT_ID ?? "0";
  }

  function active(): Run {
    const run = runs[runs.length - 1];
    if (!run) throw new MlflowError("INVALID_PARAMETER_VALUE", "No active run: call startRun() first.");
    return run;
  }

  async function runIdFor(): Promise<string> {
    await ready;
    // Like MLflow, logging without an active run starts one.
    return runs.length > 0 ? active().info.run_id : (await mlflow.startRun()).info.run_id;
  }

  async function artifactUriFor(): Promise<string> {
    const id = await runIdFor();
    const run = runs.find((r) => r.info.run_id === id) ?? (await store.getRun(id));
    return run.info.artifact_uri;
  }

  const mlflow = {
    /** Points this instance at another tracking URI (closing a store it opened itself). */
    async setTrackingUri(uri: string): Promise<void> {
      await ready;
      await buffer.flush();
      await use(uri);
    },
    /** The tracking URI this instance was given (or its store's `storeUri`), else undefined. */
    getTrackingUri(): string | undefined {
      return trackingUri;
    },
    /** The store in use (the kernel and the registry helpers call it directly). */
    async getStore(): Promise<TrackingStore> {
      await ready;
      return store;
    },
    /** Makes an experiment active by name (creating it when missing) or by id. */
    async setExperiment(nameOrOpts: string | { experimentName?: string; experimentId?: string }): Promise<Experiment> {
      await ready;
      const opts = typeof nameOrOpts === "string" ? { experimentName: nameOrOpts } : nameOrOpts;
      let experiment: Experiment | null;
      if (opts.experimentId) {
        experiment = await store.getExperiment(opts.experimentId);
      } else if (opts.experimentName) {
        experiment = await store.getExperimentByName(opts.experimentName);
        if (!experiment) experiment = await store.getExperiment(await store.createExperiment(opts.experimentName));
      } else {
        throw new MlflowError("INVALID_PARAMETER_VALUE", "Must specify exactly one of: `experimentId` or `experimentName`.");
      }
      if (experiment.lifecycle_stage === "deleted") {
        throw new MlflowError(
          "INVALID_PARAMETER_VALUE",
          `Cannot set a deleted experiment '${experiment.name}' as the active experiment. You can restore the experiment, or permanently delete the experiment to create a new one.`,
        );
      }
      experimentId = experiment.experiment_id;
      return experiment;
    },
    /** Creates an experiment; returns its id. */
    async createExperiment(name: string, opts: { artifactLocation?: string; tags?: Record<string, string> } = {}): Promise<string> {
      await ready;
      return store.createExperiment(name, opts.artifactLocation, entries(opts.tags ?? {}));
    },
    /** The experiment with this name, or null. */
    async getExperimentByName(name: string): Promise<Experiment | null> {
      await ready;
      return store.getExperimentByName(name);
    },
    /** Every experiment matching the filter (all pages). */
    async searchExperiments(opts: { filterString?: string; viewType?: ViewType; orderBy?: string[]; maxResults?: number } = {}): Promise<Experiment[]> {
      await ready;
      return allPages(opts.maxResults, (page_token) =>
        store.searchExperiments({ filter: opts.filterString, view_type: opts.viewType, order_by: opts.orderBy, max_results: opts.maxResults, page_token }),
      );
    },
    /**
     * Starts (or resumes, with `runId`) a run and makes it active. With a callback, runs it and ends
     * the run FINISHED, or FAILED when it throws (rethrowing), and resolves to the callback's result.
     */
    startRun: (async (opts: StartRunOptions = {}, fn?: (run: Run) => Promise<unknown> | unknown) => {
      await ready;
      if (runs.length > 0 && !opts.nested && !opts.runId) {
        throw new MlflowError(
          "INVALID_PARAMETER_VALUE",
          `Run with UUID ${active().info.run_id} is already active. To start a new run, first end the current run with endRun(). To start a nested run, call startRun with {nested: true}`,
        );
      }
      let run: Run;
      if (opts.runId) {
        await store.updateRun({ run_id: opts.runId, status: "RUNNING" });
        run = await store.getRun(opts.runId);
      } else {
        const tags: Record<string, string> = { "mlflow.user": userInfo().username, "mlflow.source.type": "LOCAL", ...opts.tags };
        if (opts.runName) tags["mlflow.runName"] = opts.runName;
        if (opts.description) tags["mlflow.note.content"] = opts.description;
        if (opts.nested && runs.length > 0) tags["mlflow.parentRunId"] = active().info.run_id;
        run = await store.createRun({
          experiment_id: opts.experimentId ?? (await currentExperimentId()),
          run_name: opts.runName,
          user_id: tags["mlflow.user"],
          start_time: Date.now(),
          tags: entries(tags),
        });
      }
      runs.push(run);
      if (!fn) return run;
      try {
        const result = await fn(run);
        await mlflow.endRun("FINISHED");
        return result;
      } catch (error) {
        await mlflow.endRun("FAILED").catch(() => {});
        throw error;
      }
    }) as {
      (opts?: StartRunOptions): Promise<Run>;
      <T>(opts: StartRunOptions, fn: (run: Run) => Promise<T> | T): Promise<T>;
    },
    /** Ends the active run (flushing its metrics) with a status, FINISHED by default. */
    async endRun(status: RunStatus = "FINISHED"): Promise<void> {
      // Popped before any await: a startRun right after (a re-run cell) must not see this run active.
      const run = runs.pop();
      if (!run) return;
      try {
        await buffer.flush();
      } finally {
        await store.updateRun({ run_id: run.info.run_id, status, end_time: Date.now() });
      }
    },
    /** The active run as it was when started, or null. */
    activeRun(): Run | null {
      return runs[runs.length - 1] ?? null;
    },
    /**
     * `new mlflow.MlflowClient()`: a client on this instance's store, as Python's uses the current
     * tracking URI. For a `sqlite:` URI, await any call (or `getStore()`) first so the store is open.
     */
    get MlflowClient(): new () => MlflowClient {
      if (!store) throw new MlflowError("INVALID_STATE", "The tracking store is still opening: await mlflow.getStore() first.");
      const bound = store;
      const t = transport();
      return class extends MlflowClient {
        constructor() {
          super(bound, t);
        }
      };
    },
    /** Writes buffered metrics and closes the store if this instance opened it from a URI. */
    async close(): Promise<void> {
      await ready;
      await buffer.flush();
      if (ownsStore) await store.close();
      ownsStore = false;
    },
    /** Writes buffered metrics now. */
    async flush(): Promise<void> {
      await ready;
      await buffer.flush();
    },
    /** Logs one param on the active run. */
    async logParam(key: string, value: unknown): Promise<void> {
      await store.logParam(await runIdFor(), { key, value: String(value) });
    },
    /** Logs params in log-batch calls within MLflow's limits. */
    async logParams(params: Record<string, unknown>): Promise<void> {
      const run_id = await runIdFor();
      for (const chunk of chunks(entries(params), MAX_PARAMS_TAGS_PER_BATCH)) await store.logBatch({ run_id, params: chunk });
    },
    /** Queues one metric point (written by the buffer); cheap enough for tight training loops. */
    logMetric(key: string, value: number, opts: MetricOptions = {}): Promise<void> {
      return mlflow.logMetrics({ [key]: value }, opts);
    },
    /**
     * Queues several metrics at one step and time, or none when any value is not a number. With a
     * run, the queueing is synchronous (no await per point), as it runs after every training batch.
     */
    logMetrics(metrics: Record<string, number>, opts: MetricOptions = {}): Promise<void> {
      const runId = opts.runId ?? runs[runs.length - 1]?.info.run_id;
      if (runId === undefined) return runIdFor().then((id) => mlflow.logMetrics(metrics, { ...opts, runId: id }));
      const keys = Object.keys(metrics);
      for (const key of keys) {
        const value = metrics[key];
        if (typeof value !== "number") {
          return Promise.reject(
            new MlflowError("INVALID_PARAMETER_VALUE", `Got invalid value ${String(value)} for metric '${key}'. Please specify value as a valid double (64-bit floating point)`),
          );
        }
      }
      const timestamp = opts.timestamp ?? Date.now();
      const step = opts.step ?? 0;
      for (const key of keys) buffer.add(runId, { key, value: metrics[key]!, timestamp, step });
      return DONE;
    },
    /** Sets one tag on the active run. */
    async setTag(key: string, value: unknown): Promise<void> {
      await store.setTag(await runIdFor(), { key, value: String(value) });
    },
    /** Sets tags in log-batch calls within MLflow's limits. */
    async setTags(tags: Record<string, unknown>): Promise<void> {
      const run_id = await runIdFor();
      for (const chunk of chunks(entries(tags), MAX_PARAMS_TAGS_PER_BATCH)) await store.logBatch({ run_id, tags: chunk });
    },
    /** Copies a local file into the active run's artifacts (under `artifactPath`). */
    async logArtifact(localPath: string, artifactPath?: string): Promise<void> {
      await logArtifactFile(await artifactUriFor(), localPath, artifactPath, transport());
    },
    /** Copies a local folder's contents into the active run's artifacts (under `artifactPath`). */
    async logArtifacts(localDir: string, artifactPath?: string): Promise<void> {
      await logArtifactTree(await artifactUriFor(), localDir, artifactPath, transport());
    },
    /** Writes text to an artifact file, e.g. `logText("hi", "notes/readme.txt")`. */
    async logText(text: string, artifactFile: string): Promise<void> {
      await writeArtifact(await artifactUriFor(), artifactFile, text, transport());
    },
    /** Writes an object as JSON (or YAML for .yaml/.yml) to an artifact file. */
    async logDict(dict: unknown, artifactFile: string): Promise<void> {
      const text = /\.ya?ml$/i.test(artifactFile) ? YAML.stringify(dict) : JSON.stringify(dict, null, 2);
      await writeArtifact(await artifactUriFor(), artifactFile, text, transport());
    },
    /** Searches runs and returns DataFrame-like rows (see `runsToRows`). */
    async searchRuns(opts: SearchRunsOptions = {}): Promise<RunRow[]> {
      return runsToRows(await mlflow.searchRunsList(opts));
    },
    /** Searches runs and returns Run objects (MLflow's `output_format="list"`). */
    async searchRunsList(opts: SearchRunsOptions = {}): Promise<Run[]> {
      await ready;
      await buffer.flush();
      const ids = [...(opts.experimentIds ?? [])];
      for (const name of opts.experimentNames ?? []) {
        const e = await store.getExperimentByName(name);
        if (e) ids.push(e.experiment_id);
      }
      if (ids.length === 0 && !opts.experimentNames) ids.push(await currentExperimentId());
      const limit = opts.maxResults ?? SEARCH_MAX_RESULTS_PANDAS;
      const out: Run[] = [];
      let page_token: string | undefined;
      do {
        const page = await store.searchRuns({
          experiment_ids: ids,
          filter: opts.filterString,
          run_view_type: opts.runViewType,
          order_by: opts.orderBy,
          max_results: Math.min(limit - out.length, SEARCH_MAX_RESULTS_THRESHOLD),
          page_token,
        });
        out.push(...page.items);
        page_token = out.length < limit ? page.next_page_token : undefined;
      } while (page_token);
      return out;
    },
    /** One run, with its latest metrics, params and tags. */
    async getRun(runId: string): Promise<Run> {
      await ready;
      await buffer.flush();
      return store.getRun(runId);
    },
    /**
     * Copies artifacts to a local folder (a temporary one when `dstPath` is not given), as
     * `mlflow.artifacts.download_artifacts`: name them by `artifactUri` (`runs:/…` or a location)
     * or by `runId` and `artifactPath`. Resolves to the local path of the copy.
     */
    async downloadArtifacts(opts: { artifactUri?: string; runId?: string; artifactPath?: string; dstPath?: string }): Promise<string> {
      await ready;
      let root: string;
      let path = opts.artifactPath ?? "";
      if (opts.artifactUri?.startsWith("runs:")) {
        const ref = parseRunsUri(opts.artifactUri);
        root = (await store.getRun(ref.runId)).info.artifact_uri;
        path = ref.path;
      } else if (opts.artifactUri) {
        root = opts.artifactUri;
      } else if (opts.runId) {
        root = (await store.getRun(opts.runId)).info.artifact_uri;
      } else {
        throw new MlflowError("INVALID_PARAMETER_VALUE", "downloadArtifacts needs artifactUri, or runId with artifactPath.");
      }
      const dst = opts.dstPath ?? (await mkdtemp(join(tmpdir(), "flowbook-artifacts-")));
      return downloadArtifactTree(root, path, dst, transport());
    },
    /** Every point of one metric of a run (all pages). */
    async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
      await ready;
      await buffer.flush();
      return allPages(undefined, (page_token) => store.getMetricHistory({ run_id: runId, metric_key: key, page_token }));
    },
    /**
     * Registers a model: creates the registered model when missing, then a version. A `runs:/` URI
     * is resolved to the run's artifact location, as MLflow does.
     */
    async registerModel(modelUri: string, name: string, opts: { tags?: Record<string, string> } = {}): Promise<ModelVersion> {
      await ready;
      try {
        await store.createRegisteredModel(name);
      } catch (error) {
        if (!(error instanceof MlflowError && error.code === "RESOURCE_ALREADY_EXISTS")) throw error;
      }
      const runsUri = modelUri.startsWith("runs:") ? parseRunsUri(modelUri) : null;
      let source = modelUri;
      if (runsUri) {
        const root = (await store.getRun(runsUri.runId)).info.artifact_uri.replace(/\/+$/, "");
        source = runsUri.path ? `${root}/${runsUri.path}` : root;
      }
      return store.createModelVersion({ name, source, run_id: runsUri?.runId, tags: entries(opts.tags ?? {}) });
    },
  };
  return mlflow;
}

/** The fluent API object `createMlflow` returns. */
export type Mlflow = ReturnType<typeof createMlflow>;
