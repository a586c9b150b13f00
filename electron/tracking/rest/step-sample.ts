/**
 * MLflow's get-history-bulk-interval, as its server computes it (`get_metric_history_bulk_interval_handler`
 * and `_get_sampled_steps_from_steps` in mlflow/server/handlers.py): the steps every run logged are
 * pooled, evenly spaced ones are picked (at most `max_results`, plus the last), each run's own first
 * and last step are added back, and every point at those steps is returned, run by run. This is the
 * REST answer MLflow's clients and UI expect; the app's own charts use the store's min/max-preserving
 * sample instead (`TrackingStore.getMetricHistoryBulkInterval`).
 */
import { MAX_HISTORY_RESULTS, MAX_RESULTS_PER_RUN, MAX_RUNS_GET_METRIC_HISTORY_BULK } from "../limits.ts";
import { MlflowError, type Metric, type MetricBulkIntervalRequest, type MetricWithRunId, type TrackingStore } from "../types.ts";
import { allPages } from "../pages.ts";

function bisectLeft(xs: number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function bisectRight(xs: number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < xs[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * MLflow's `_get_sampled_steps_from_steps`, quirks included: evenly spaced indexes over the steps
 * in [start, end] of the sorted `allSteps`, plus the last one in range.
 */
export function sampledSteps(start: number, end: number, maxResults: number, allSteps: number[]): Set<number> {
  const startIdx = bisectLeft(allSteps, start);
  const endIdx = bisectRight(allSteps, end);
  if (endIdx - startIdx <= maxResults) return new Set(allSteps.slice(startIdx, endIdx));
  const count = endIdx - startIdx;
  const interval = count / maxResults;
  const out: number[] = [];
  for (let i = 0; i < maxResults; i++) {
    const idx = startIdx + Math.trunc(i * interval);
    // MLflow compares the absolute index with the count of steps in range; kept for equal answers.
    if (idx < count) out.push(allSteps[idx]!);
  }
  out.push(allSteps[endIdx - 1]!);
  return new Set(out);
}

/** Checks a bulk-interval request with MLflow's messages (presence and types are the fields' job). */
export function checkBulkInterval(req: MetricBulkIntervalRequest): void {
  if (req.run_ids.length > MAX_RUNS_GET_METRIC_HISTORY_BULK) {
    throw new MlflowError(
      "INVALID_PARAMETER_VALUE",
      `GetMetricHistoryBulkInterval request must specify at most ${MAX_RUNS_GET_METRIC_HISTORY_BULK} run_ids. Received ${req.run_ids.length} run_ids. See the API docs for more information about request parameters.`,
    );
  }
  if (req.max_results !== undefined && (req.max_results < 1 || req.max_results > MAX_RESULTS_PER_RUN)) {
    throw new MlflowError(
      "INVALID_PARAMETER_VALUE",
      `max_results must be between 1 and ${MAX_RESULTS_PER_RUN}. See the API docs for more information about request parameters.`,
    );
  }
  if (req.start_step !== undefined && req.end_step !== undefined) {
    if (req.start_step > req.end_step) {
      throw new MlflowError(
        "INVALID_PARAMETER_VALUE",
        `end_step must be greater than start_step. Found start_step=${req.start_step} and end_step=${req.end_step}.`,
      );
    }
  } else if (req.start_step !== undefined || req.end_step !== undefined) {
    throw new MlflowError("INVALID_PARAMETER_VALUE", "If either start step or end step are specified, both must be specified.");
  }
}

/** A run's whole history of a key in (step, timestamp, value) order; a run the store lacks has none, as in MLflow's SQL store. */
async function history(store: TrackingStore, runId: string, key: string): Promise<Metric[]> {
  try {
    const out = await allPages(undefined, (page_token) => store.getMetricHistory({ run_id: runId, metric_key: key, page_token }));
    return out.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp || a.value - b.value);
  } catch (error) {
    if (error instanceof MlflowError && error.code === "RESOURCE_DOES_NOT_EXIST") return [];
    throw error;
  }
}

/** MLflow's get-history-bulk-interval answer for a checked request. */
export async function bulkIntervalByStep(store: TrackingStore, req: MetricBulkIntervalRequest): Promise<MetricWithRunId[]> {
  checkBulkInterval(req);
  const maxResults = req.max_results ?? MAX_RESULTS_PER_RUN;
  const histories: Metric[][] = [];
  for (const runId of req.run_ids) histories.push(await history(store, runId, req.metric_key));
  const edges = new Set<number>();
  const all = new Set<number>();
  for (const h of histories) {
    if (h.length === 0) continue;
    edges.add(h[0]!.step).add(h[h.length - 1]!.step);
    for (const m of h) all.add(m.step);
  }
  const allSteps = [...all].sort((a, b) => a - b);
  const start = req.start_step ?? 0;
  const end = req.end_step ?? (allSteps.length > 0 ? allSteps[allSteps.length - 1]! : 0);
  const steps = sampledSteps(start, end, maxResults, allSteps);
  for (const s of edges) if (s >= start && s <= end) steps.add(s);
  const out: MetricWithRunId[] = [];
  req.run_ids.forEach((runId, i) => {
    let n = 0;
    for (const m of histories[i]!) {
      if (n >= MAX_HISTORY_RESULTS) break;
      if (!steps.has(m.step)) continue;
      out.push({ key: m.key, value: m.value, timestamp: m.timestamp, step: m.step, run_id: runId });
      n++;
    }
  });
  return out;
}
