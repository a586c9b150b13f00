/**
 * `HttpStore`: the TrackingStore contract spoken over MLflow's REST API, so the same callers work
 * against `flowbook server`, the app's host, or MLflow's own server. Error JSON becomes MlflowError;
 * NaN/±Infinity metric strings become numbers again.
 */
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { StoreChange } from "../contract.ts";
import {
  ERROR_HTTP_STATUS,
  MlflowError,
  type CreateModelVersionRequest,
  type CreateRunRequest,
  type DatasetInput,
  type ErrorCode,
  type Experiment,
  type ExperimentTag,
  type LogBatchRequest,
  type Metric,
  type MetricBulkIntervalRequest,
  type MetricHistoryRequest,
  type MetricWithRunId,
  type ModelVersion,
  type Page,
  type Param,
  type RegisteredModel,
  type RegisteredModelTag,
  type Run,
  type RunInfo,
  type RunTag,
  type SearchExperimentsRequest,
  type SearchRegistryRequest,
  type SearchRunsRequest,
  type TrackingStore,
  type UpdateRunRequest,
} from "../types.ts";

type Method = "GET" | "POST" | "PATCH" | "DELETE";
type Body = Record<string, unknown>;

function decodeDouble(value: unknown): number {
  if (typeof value === "number") return value;
  if (value === "NaN") return NaN;
  if (value === "Infinity") return Infinity;
  if (value === "-Infinity") return -Infinity;
  return Number(value);
}

function decodeMetric<M extends Metric>(m: M): M {
  return { ...m, value: decodeDouble(m.value), step: m.step ?? 0 };
}

// Proto JSON omits empty repeated fields; the store contract always has the arrays.
function decodeRun(run: Run): Run {
  return {
    info: run.info,
    data: {
      metrics: (run.data?.metrics ?? []).map(decodeMetric),
      params: run.data?.params ?? [],
      tags: run.data?.tags ?? [],
    },
    inputs: { dataset_inputs: run.inputs?.dataset_inputs ?? [] },
  };
}

function decodeExperiment(e: Experiment): Experiment {
  return { ...e, tags: e.tags ?? [] };
}

function decodeVersion(v: ModelVersion): ModelVersion {
  return { ...v, tags: v.tags ?? [], aliases: v.aliases ?? [] };
}

function decodeModel(m: RegisteredModel): RegisteredModel {
  return {
    ...m,
    tags: m.tags ?? [],
    aliases: m.aliases ?? [],
    latest_versions: (m.latest_versions ?? []).map(decodeVersion),
  };
}

function errorFrom(status: number, text: string): MlflowError {
  let code: string | undefined;
  let message = text;
  try {
    const body = JSON.parse(text) as { error_code?: string; message?: string };
    code = body.error_code;
    message = body.message ?? text;
  } catch {
    // not MLflow JSON: keep the text
  }
  if (code && code in ERROR_HTTP_STATUS) return new MlflowError(code as ErrorCode, message);
  const byStatus: ErrorCode =
    status === 404 ? "RESOURCE_DOES_NOT_EXIST" : status === 403 ? "PERMISSION_DENIED" : status === 401 ? "UNAUTHENTICATED" : status < 500 ? "BAD_REQUEST" : "INTERNAL_ERROR";
  return new MlflowError(byStatus, code ? `${code}: ${message}` : `HTTP ${status}: ${message}`);
}

// node:http with kept-alive sockets: a small call costs a fraction of what fetch() costs.
const agents = { "http:": new HttpAgent({ keepAlive: true }), "https:": new HttpsAgent({ keepAlive: true }) };

function send(url: URL, method: Method, headers: Record<string, string>, payload?: string): Promise<{ status: number; text: string }> {
  const https = url.protocol === "https:";
  return new Promise((ok, fail) => {
    const req = (https ? httpsRequest : httpRequest)(
      url,
      {
        method,
        agent: agents[https ? "https:" : "http:"],
        headers: payload === undefined ? headers : { ...headers, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => ok({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", fail);
      },
    );
    req.on("error", fail);
    req.end(payload);
  });
}

// Protobuf JSON carries NaN and ±Infinity as strings; a replacer sees them before JSON.stringify
// turns them into null.
function wireDouble(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? String(value) : value;
}

/**
 * A request body as wire JSON. The replacer runs per value and triples the cost of a 1,000-metric
 * batch, so it runs only when the plain output has a null that might have been a non-finite number.
 */
function encodeBody(body: Body): string {
  const text = JSON.stringify(body);
  return text.includes("null") ? JSON.stringify(body, wireDouble) : text;
}

/** Builds a query string; arrays become repeated keys, as MLflow's GET endpoints expect. */
export function toQuery(params: Body): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    for (const v of Array.isArray(value) ? value : [value]) search.append(key, String(v));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** A TrackingStore backed by an MLflow REST server at `baseUrl` (e.g. `http://127.0.0.1:5000`). */
export class HttpStore implements TrackingStore {
  /** Server root without a trailing slash. */
  readonly baseUrl: string;
  private readonly headers: Record<string, string>;

  constructor(baseUrl: string, headers: Record<string, string> = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.headers = headers;
  }

  /** Calls one MLflow endpoint (`path` after `/api/2.0/mlflow/`) and returns its decoded JSON. */
  async call<T>(method: Method, path: string, body: Body = {}): Promise<T> {
    const url = new URL(`${this.baseUrl}/api/2.0/mlflow/${path}${method === "GET" ? toQuery(body) : ""}`);
    const payload = method === "GET" ? undefined : encodeBody(body);
    let res: { status: number; text: string };
    try {
      res = await send(url, method, this.headers, payload);
    } catch (error) {
      throw new MlflowError("TEMPORARILY_UNAVAILABLE", `Cannot reach the tracking server at ${this.baseUrl}: ${(error as Error).message}`);
    }
    if (res.status < 200 || res.status >= 300) throw errorFrom(res.status, res.text);
    return (res.text ? JSON.parse(res.text) : {}) as T;
  }

  // experiments
  async createExperiment(name: string, artifactLocation?: string, tags: ExperimentTag[] = []): Promise<string> {
    const r = await this.call<{ experiment_id: string }>("POST", "experiments/create", { name, artifact_location: artifactLocation, tags });
    return r.experiment_id;
  }
  async getExperiment(experimentId: string): Promise<Experiment> {
    return decodeExperiment((await this.call<{ experiment: Experiment }>("GET", "experiments/get", { experiment_id: experimentId })).experiment);
  }
  async getExperimentByName(name: string): Promise<Experiment | null> {
    try {
      const r = await this.call<{ experiment: Experiment }>("GET", "experiments/get-by-name", { experiment_name: name });
      return decodeExperiment(r.experiment);
    } catch (error) {
      if (error instanceof MlflowError && error.code === "RESOURCE_DOES_NOT_EXIST") return null;
      throw error;
    }
  }
  async searchExperiments(req: SearchExperimentsRequest): Promise<Page<Experiment>> {
    const r = await this.call<{ experiments?: Experiment[]; next_page_token?: string }>("POST", "experiments/search", { ...req });
    return { items: (r.experiments ?? []).map(decodeExperiment), next_page_token: r.next_page_token };
  }
  async deleteExperiment(experimentId: string): Promise<void> {
    await this.call("POST", "experiments/delete", { experiment_id: experimentId });
  }
  async restoreExperiment(experimentId: string): Promise<void> {
    await this.call("POST", "experiments/restore", { experiment_id: experimentId });
  }
  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    await this.call("POST", "experiments/update", { experiment_id: experimentId, new_name: newName });
  }
  async setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    await this.call("POST", "experiments/set-experiment-tag", { experiment_id: experimentId, key, value });
  }
  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    await this.call("POST", "experiments/delete-experiment-tag", { experiment_id: experimentId, key });
  }

  // runs
  async createRun(req: CreateRunRequest): Promise<Run> {
    return decodeRun((await this.call<{ run: Run }>("POST", "runs/create", { ...req })).run);
  }
  async getRun(runId: string): Promise<Run> {
    return decodeRun((await this.call<{ run: Run }>("GET", "runs/get", { run_id: runId })).run);
  }
  async updateRun(req: UpdateRunRequest): Promise<RunInfo> {
    return (await this.call<{ run_info: RunInfo }>("POST", "runs/update", { ...req })).run_info;
  }
  async deleteRun(runId: string): Promise<void> {
    await this.call("POST", "runs/delete", { run_id: runId });
  }
  async restoreRun(runId: string): Promise<void> {
    await this.call("POST", "runs/restore", { run_id: runId });
  }
  async searchRuns(req: SearchRunsRequest): Promise<Page<Run>> {
    const r = await this.call<{ runs?: Run[]; next_page_token?: string }>("POST", "runs/search", { ...req });
    return { items: (r.runs ?? []).map(decodeRun), next_page_token: r.next_page_token };
  }
  async logMetric(runId: string, metric: Metric): Promise<void> {
    await this.call("POST", "runs/log-metric", { run_id: runId, ...metric });
  }
  async logParam(runId: string, param: Param): Promise<void> {
    await this.call("POST", "runs/log-parameter", { run_id: runId, ...param });
  }
  async setTag(runId: string, tag: RunTag): Promise<void> {
    await this.call("POST", "runs/set-tag", { run_id: runId, ...tag });
  }
  async deleteTag(runId: string, key: string): Promise<void> {
    await this.call("POST", "runs/delete-tag", { run_id: runId, key });
  }
  async logBatch(req: LogBatchRequest): Promise<void> {
    await this.call("POST", "runs/log-batch", { ...req });
  }
  async logInputs(runId: string, datasets: DatasetInput[]): Promise<void> {
    await this.call("POST", "runs/log-inputs", { run_id: runId, datasets });
  }
  async getMetricHistory(req: MetricHistoryRequest): Promise<Page<Metric>> {
    const r = await this.call<{ metrics?: Metric[]; next_page_token?: string }>("GET", "metrics/get-history", { ...req });
    return { items: (r.metrics ?? []).map(decodeMetric), next_page_token: r.next_page_token };
  }
  async getMetricHistoryBulkInterval(req: MetricBulkIntervalRequest): Promise<MetricWithRunId[]> {
    const r = await this.call<{ metrics?: MetricWithRunId[] }>("GET", "metrics/get-history-bulk-interval", { ...req });
    return (r.metrics ?? []).map(decodeMetric);
  }

  // registry
  async createRegisteredModel(name: string, tags: RegisteredModelTag[] = [], description?: string): Promise<RegisteredModel> {
    const r = await this.call<{ registered_model: RegisteredModel }>("POST", "registered-models/create", { name, tags, description });
    return decodeModel(r.registered_model);
  }
  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    const r = await this.call<{ registered_model: RegisteredModel }>("POST", "registered-models/rename", { name, new_name: newName });
    return decodeModel(r.registered_model);
  }
  async updateRegisteredModel(name: string, description: string): Promise<RegisteredModel> {
    const r = await this.call<{ registered_model: RegisteredModel }>("PATCH", "registered-models/update", { name, description });
    return decodeModel(r.registered_model);
  }
  async deleteRegisteredModel(name: string): Promise<void> {
    await this.call("DELETE", "registered-models/delete", { name });
  }
  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    return decodeModel((await this.call<{ registered_model: RegisteredModel }>("GET", "registered-models/get", { name })).registered_model);
  }
  async searchRegisteredModels(req: SearchRegistryRequest): Promise<Page<RegisteredModel>> {
    const r = await this.call<{ registered_models?: RegisteredModel[]; next_page_token?: string }>("GET", "registered-models/search", { ...req });
    return { items: (r.registered_models ?? []).map(decodeModel), next_page_token: r.next_page_token };
  }
  async getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]> {
    const r = await this.call<{ model_versions?: ModelVersion[] }>("POST", "registered-models/get-latest-versions", { name, stages });
    return (r.model_versions ?? []).map(decodeVersion);
  }
  async setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
    await this.call("POST", "registered-models/set-tag", { name, key, value });
  }
  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    await this.call("DELETE", "registered-models/delete-tag", { name, key });
  }
  async setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void> {
    await this.call("POST", "registered-models/alias", { name, alias, version });
  }
  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    await this.call("DELETE", "registered-models/alias", { name, alias });
  }
  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return decodeVersion((await this.call<{ model_version: ModelVersion }>("GET", "registered-models/alias", { name, alias })).model_version);
  }
  async createModelVersion(req: CreateModelVersionRequest): Promise<ModelVersion> {
    return decodeVersion((await this.call<{ model_version: ModelVersion }>("POST", "model-versions/create", { ...req })).model_version);
  }
  async updateModelVersion(name: string, version: string, description: string): Promise<ModelVersion> {
    const r = await this.call<{ model_version: ModelVersion }>("PATCH", "model-versions/update", { name, version, description });
    return decodeVersion(r.model_version);
  }
  async transitionModelVersionStage(name: string, version: string, stage: string, archiveExistingVersions: boolean): Promise<ModelVersion> {
    const r = await this.call<{ model_version: ModelVersion }>("POST", "model-versions/transition-stage", {
      name,
      version,
      stage,
      archive_existing_versions: archiveExistingVersions,
    });
    return decodeVersion(r.model_version);
  }
  async deleteModelVersion(name: string, version: string): Promise<void> {
    await this.call("DELETE", "model-versions/delete", { name, version });
  }
  async getModelVersion(name: string, version: string): Promise<ModelVersion> {
    return decodeVersion((await this.call<{ model_version: ModelVersion }>("GET", "model-versions/get", { name, version })).model_version);
  }
  async searchModelVersions(req: SearchRegistryRequest): Promise<Page<ModelVersion>> {
    const r = await this.call<{ model_versions?: ModelVersion[]; next_page_token?: string }>("GET", "model-versions/search", { ...req });
    return { items: (r.model_versions ?? []).map(decodeVersion), next_page_token: r.next_page_token };
  }
  async getModelVersionDownloadUri(name: string, version: string): Promise<string> {
    return (await this.call<{ artifact_uri: string }>("GET", "model-versions/get-download-uri", { name, version })).artifact_uri;
  }
  async setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void> {
    await this.call("POST", "model-versions/set-tag", { name, version, key, value });
  }
  async deleteModelVersionTag(name: string, version: string, key: string): Promise<void> {
    await this.call("DELETE", "model-versions/delete-tag", { name, version, key });
  }

  /** A REST server does not push changes: listeners hear nothing, and callers wanting live data poll. */
  onChange(_listener: (change: StoreChange) => void): () => void {
    return () => {};
  }
  async close(): Promise<void> {}
}
