/** Run and metric-history endpoints (`runs/*`, `metrics/*`), field names from MLflow's service.proto. */
import { MAX_HISTORY_RESULTS, MAX_RESULTS_PER_RUN, MAX_RUNS_GET_METRIC_HISTORY_BULK, SEARCH_MAX_RESULTS_THRESHOLD } from "../limits.ts";
import { MlflowError, type Metric, type MetricWithRunId, type TrackingStore } from "../types.ts";
import { WireJson } from "./json.ts";
import { bulkIntervalByStep } from "./step-sample.ts";
import { invalid } from "./fields.ts";
import { api, type ApiRoute } from "./route.ts";
import { allPages } from "../pages.ts";

const LOGGED_MODELS_TAG = "mlflow.log-model.history";
const LOGGED_MODEL_FIELDS = ["artifact_path", "flavors", "utc_time_created", "run_id"];

/** Reads a run's whole history of one metric (up to `limit` points), following pages. */
async function fullHistory(store: TrackingStore, runId: string, key: string, limit: number): Promise<Metric[]> {
  return allPages(limit, (page_token) => store.getMetricHistory({ run_id: runId, metric_key: key, max_results: limit, page_token }));
}

/**
 * Appends a logged model's description to the run's `mlflow.log-model.history` tag, as MLflow's
 * SQL store records logged models (the store contract has no table of its own for them).
 */
export async function recordLoggedModel(store: TrackingStore, runId: string, model: unknown): Promise<void> {
  const run = await store.getRun(runId);
  const previous = run.data.tags.find((t) => t.key === LOGGED_MODELS_TAG);
  let history: unknown[] = [];
  try {
    const parsed: unknown = previous ? JSON.parse(previous.value) : [];
    if (Array.isArray(parsed)) history = parsed;
  } catch {
    // A hand-written tag that is not a JSON list starts a new history.
  }
  history.push(model);
  await store.setTag(runId, { key: LOGGED_MODELS_TAG, value: JSON.stringify(history) });
}

/** The run and metric routes. */
export const runRoutes: ApiRoute[] = [
  api(
    "POST",
    "runs/create",
    { experiment_id: "string", user_id: "string", run_name: "string", start_time: "int", tags: "tags" },
    async (a, { store }) => ({
      run: await store.createRun({ ...a, experiment_id: a.experiment_id ?? "0", tags: a.tags ?? [] }),
    }),
  ),
  api("POST", "runs/update", { run_id: "string!", status: "status", end_time: "int", run_name: "string" }, async (a, { store }) => ({
    run_info: await store.updateRun(a),
  })),
  api("POST", "runs/delete", { run_id: "string!" }, async (a, { store }) => {
    await store.deleteRun(a.run_id);
    return {};
  }),
  api("POST", "runs/restore", { run_id: "string!" }, async (a, { store }) => {
    await store.restoreRun(a.run_id);
    return {};
  }),
  api("GET", "runs/get", { run_id: "string!" }, async (a, { store }) => ({ run: await store.getRun(a.run_id) })),
  api(
    "POST",
    "runs/search",
    { experiment_ids: "strings", filter: "string", run_view_type: "view", max_results: "int", order_by: "strings", page_token: "string" },
    async (a, { store }) => {
      if (a.max_results !== undefined && a.max_results > SEARCH_MAX_RESULTS_THRESHOLD) throw invalid("max_results", a.max_results);
      const page = await store.searchRuns({ ...a, experiment_ids: a.experiment_ids ?? [] });
      return { runs: page.items, next_page_token: page.next_page_token };
    },
  ),
  api(
    "POST",
    "runs/log-metric",
    { run_id: "string!", key: "string!", value: "double!", timestamp: "int!", step: "int" },
    async (a, { store }) => {
      await store.logMetric(a.run_id, { key: a.key, value: a.value, timestamp: a.timestamp, step: a.step ?? 0 });
      return {};
    },
  ),
  api("POST", "runs/log-parameter", { run_id: "string!", key: "string!", value: "string" }, async (a, { store }) => {
    await store.logParam(a.run_id, { key: a.key, value: a.value ?? "" });
    return {};
  }),
  api("POST", "runs/set-tag", { run_id: "string!", key: "string!", value: "string" }, async (a, { store }) => {
    await store.setTag(a.run_id, { key: a.key, value: a.value ?? "" });
    return {};
  }),
  api("POST", "runs/delete-tag", { run_id: "string!", key: "string!" }, async (a, { store }) => {
    await store.deleteTag(a.run_id, a.key);
    return {};
  }),
  api("POST", "runs/log-batch", { run_id: "string!", metrics: "metrics", params: "tags", tags: "tags" }, async (a, { store }) => {
    await store.logBatch(a);
    return {};
  }),
  api("POST", "runs/log-inputs", { run_id: "string!", datasets: "datasets!" }, async (a, { store }) => {
    await store.logInputs(a.run_id, a.datasets);
    return {};
  }),
  // MLflow's SQL store records logged models as a JSON list in a run tag; the store contract has no
  // separate table, so the route appends to that tag the same way.
  api("POST", "runs/log-model", { run_id: "string!", model_json: "string!" }, async (a, { store }) => {
    let model: unknown;
    try {
      model = JSON.parse(a.model_json);
    } catch {
      throw new MlflowError("INVALID_PARAMETER_VALUE", `Malformed model info. \n ${a.model_json} \n is not a valid JSON.`);
    }
    const fields = typeof model === "object" && model !== null ? Object.keys(model) : [];
    const absent = LOGGED_MODEL_FIELDS.filter((f) => !fields.includes(f));
    if (absent.length > 0) {
      throw new MlflowError("INVALID_PARAMETER_VALUE", `Model json is missing mandatory fields: {'${absent.join("', '")}'}`);
    }
    await recordLoggedModel(store, a.run_id, model);
    return {};
  }),
  api(
    "GET",
    "metrics/get-history",
    { run_id: "string!", metric_key: "string!", page_token: "string", max_results: "int" },
    async (a, { store }) => {
      // An unpaged read of a long history is the chart's hot path: let the store write the JSON.
      if (store.getMetricHistoryJson && a.max_results === undefined && a.page_token === undefined) {
        return new WireJson(`{"metrics":${await store.getMetricHistoryJson(a)}}`);
      }
      const page = await store.getMetricHistory(a);
      return { metrics: page.items, next_page_token: page.next_page_token };
    },
  ),
  api(
    "GET",
    "metrics/get-history-bulk-interval",
    { run_ids: "strings!", metric_key: "string!", start_step: "int", end_step: "int", max_results: "int" },
    // MLflow's step sampling (step-sample.ts), not the store's min/max sample the app's charts read.
    async (a, { store }) => ({ metrics: await bulkIntervalByStep(store, a) }),
  ),
  // Served by MLflow under /ajax-api only, with `run_id` repeated; kept for the UI's older charts.
  api("GET", "metrics/get-history-bulk", { run_id: "strings", metric_key: "string", max_results: "int" }, async (a, { store }) => {
    const runIds = a.run_id ?? [];
    if (runIds.length === 0) {
      throw new MlflowError("INVALID_PARAMETER_VALUE", "GetMetricHistoryBulk request must specify at least one run_id.");
    }
    if (runIds.length > MAX_RUNS_GET_METRIC_HISTORY_BULK) {
      throw new MlflowError(
        "INVALID_PARAMETER_VALUE",
        `GetMetricHistoryBulk request cannot specify more than ${MAX_RUNS_GET_METRIC_HISTORY_BULK} run_ids. Received ${runIds.length} run_ids.`,
      );
    }
    if (a.metric_key === undefined) {
      throw new MlflowError("INVALID_PARAMETER_VALUE", "GetMetricHistoryBulk request must specify a metric_key.");
    }
    const limit = Math.min(a.max_results ?? MAX_HISTORY_RESULTS, MAX_HISTORY_RESULTS);
    const metrics: MetricWithRunId[] = [];
    for (const runId of [...runIds].sort()) {
      const history = await fullHistory(store, runId, a.metric_key, limit);
      history.sort((x, y) => x.timestamp - y.timestamp || x.step - y.step || x.value - y.value);
      for (const m of history) metrics.push({ ...m, run_id: runId });
    }
    return { metrics: metrics.slice(0, limit) };
  }),
];
